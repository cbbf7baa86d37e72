/** The checks on what a caller hands an experiment's run: the context's keys and their types. */
import { ArgumentError } from '../errors.js';
import { checkOptions, describeValue, isBackend } from '../validate.js';
import type { ExperimentContext } from './types.js';

/** The context's callbacks: each must be a function when given. */
const CALLBACKS = ['progress', 'log', 'shouldStop', 'series'] as const;

/**
 * Throws ArgumentError unless `ctx` is an ExperimentContext: an object with a backend and a seed (an integer in
 * [0, 2^53)), callbacks that are functions, and no other keys (a misspelt one, e.g. `serie`, was ignored).
 */
export function checkContext(experiment: string, ctx: unknown): asserts ctx is ExperimentContext {
  const fn = `${experiment}: run`;
  if (ctx === null || typeof ctx !== 'object' || Array.isArray(ctx)) {
    throw new ArgumentError(`${fn}: pass a context { backend, seed } as the second argument, e.g. { backend: getBackend(), seed: 0 }; got ${describeValue(ctx)}`);
  }
  const c = ctx as ExperimentContext;
  checkOptions(fn, c, { backend: true, seed: true, files: true, progress: true, log: true, shouldStop: true, checkpoint: true, series: true });
  if (!isBackend(c.backend)) {
    throw new ArgumentError(`${fn}: context.backend must be a backend (await init(), then getBackend()); got ${describeValue(c.backend)}`);
  }
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) throw new ArgumentError(`${fn}: context.seed must be an integer ≥ 0, got ${describeValue(c.seed)}`);
  for (const name of CALLBACKS) {
    if (c[name] !== undefined && typeof c[name] !== 'function') throw new ArgumentError(`${fn}: context.${name} must be a function, got ${describeValue(c[name])}`);
  }
}
