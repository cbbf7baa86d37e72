/**
 * Modular addition (specs/margin-algebra.md): every pair (a, b) ∈ Z_p × Z_p with label (a + b) mod p, as
 * the p² table in row-major order (index = a·p + b). The paper trains on the whole table; a train fraction
 * below 1 gives the grokking split (a random subset of pairs for training, the rest for testing).
 */
import { ArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';

/** The modular-addition table and a train/test split of its indices. */
export interface ModularAddition {
  p: number;
  /** p², the number of pairs. */
  count: number;
  a: Int32Array;
  b: Int32Array;
  /** (a + b) mod p. */
  y: Int32Array;
  /** Indices into the table used for training, ascending. */
  train: Uint32Array;
  /** The remaining indices, ascending (empty when trainFraction is 1). */
  test: Uint32Array;
}

/** Options of modularAddition. */
export interface ModularAdditionOptions {
  /** Fraction of the p² pairs in the training set, 0 < f ≤ 1 (default 1: the whole table). */
  trainFraction?: number;
  /** Picks the training pairs; required when trainFraction < 1. */
  rng?: Rng;
}

// p² must fit the index arrays comfortably (and the table in memory).
const MAX_P = 46340;

/**
 * The p² modular-addition table. With trainFraction f < 1, round(f·p²) pairs (at least 1) chosen by
 * rng.permutation(p²) form the training set and the rest the test set; both are sorted ascending.
 */
export function modularAddition(p: number, opts: ModularAdditionOptions = {}): ModularAddition {
  if (!(Number.isInteger(p) && p >= 2 && p <= MAX_P)) throw new ArgumentError(`modularAddition: p must be an integer with 2 ≤ p ≤ ${MAX_P}, got ${String(p)}`);
  const f = opts.trainFraction ?? 1;
  if (!(typeof f === 'number' && f > 0 && f <= 1)) throw new ArgumentError(`modularAddition: trainFraction must be a number with 0 < trainFraction ≤ 1, got ${String(f)}`);
  const count = p * p;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const y = new Int32Array(count);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const k = i * p + j;
      a[k] = i;
      b[k] = j;
      y[k] = (i + j) % p;
    }
  }
  let train: Uint32Array;
  let test: Uint32Array;
  if (f === 1) {
    train = new Uint32Array(count);
    for (let i = 0; i < count; i++) train[i] = i;
    test = new Uint32Array(0);
  } else {
    if (!opts.rng) throw new ArgumentError('modularAddition: a trainFraction below 1 needs an rng (e.g. { rng: new Rng(seed) }) to choose the training pairs');
    const nTrain = Math.min(count, Math.max(1, Math.round(f * count)));
    const perm = opts.rng.permutation(count);
    train = perm.slice(0, nTrain).sort();
    test = perm.slice(nTrain).sort();
  }
  return { p, count, a, b, y, train, test };
}
