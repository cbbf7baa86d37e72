/** Learning-rate schedules: the rate for a (0-based) step. */
import { describeValue } from '../validate.js';
import { ConfigError } from '../errors.js';

/** A learning-rate schedule. */
export type ScheduleConfig =
  | { kind: 'constant' }
  /** The margin paper's schedule: the rate doubles at steps every, 2·every, …, until (inclusive). */
  | { kind: 'doubling'; every: number; until: number }
  /** Cosine decay from the base rate to 0 over `steps`. */
  | { kind: 'cosine'; steps: number };

/** The learning rate at `step` for base rate `lr`. */
export function learningRate(schedule: ScheduleConfig, lr: number, step: number): number {
  if (schedule === null || typeof schedule !== 'object') throw new ConfigError(`schedule: pass an object, e.g. { kind: 'constant' }; got ${describeValue(schedule)}`);
  if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new ConfigError(`schedule: the base rate lr must be a finite number, got ${describeValue(lr)}`);
  if (!Number.isInteger(step) || step < 0) throw new ConfigError(`schedule: step must be an integer ≥ 0, got ${describeValue(step)}`);
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'doubling': {
      if (!(schedule.every > 0)) throw new ConfigError(`schedule: 'every' must be positive, got ${schedule.every}`);
      if (typeof schedule.until !== 'number' || !(schedule.until >= 0)) throw new ConfigError(`schedule: 'until' must be a step ≥ 0 (or Infinity), got ${describeValue(schedule.until)}`);
      const doublings = Math.floor(Math.min(step, schedule.until) / schedule.every);
      return lr * 2 ** doublings;
    }
    case 'cosine':
      if (!(Number.isInteger(schedule.steps) && schedule.steps > 0)) throw new ConfigError(`schedule: cosine 'steps' must be a positive integer, got ${describeValue(schedule.steps)}`);
      return 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, schedule.steps)) / schedule.steps));
    default:
      throw new ConfigError(`schedule: unknown kind ${describeValue((schedule as { kind?: unknown }).kind)}; use 'constant', 'doubling' or 'cosine'`);
  }
}
