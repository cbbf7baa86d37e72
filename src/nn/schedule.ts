/** Learning-rate schedules: the rate for a (0-based) step. */
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
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'doubling': {
      if (!(schedule.every > 0)) throw new ConfigError(`schedule: 'every' must be positive, got ${schedule.every}`);
      const doublings = Math.floor(Math.min(step, schedule.until) / schedule.every);
      return lr * 2 ** doublings;
    }
    case 'cosine':
      return 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, schedule.steps)) / schedule.steps));
    default:
      return schedule satisfies never;
  }
}
