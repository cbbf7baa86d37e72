/**
 * Sparse parity (specs/margin-algebra.md): inputs x ∈ {±1}^n, and the label is the parity of k relevant
 * coordinates S: class 0 when Π_{j∈S} x_j = +1, class 1 when it is −1.
 *
 * Enumeration order for count 'all': row i has x_j = +1 when bit j of i is 0 and −1 when it is 1 (bit 0 =
 * coordinate 0), so row 0 is all +1. Sampled rows take their signs from rng.nextU32(), one word per 32
 * coordinates, bit j mod 32 of the word for coordinate j (1 → −1).
 */
import { ArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';

/** A sparse-parity dataset. */
export interface SparseParity {
  n: number;
  k: number;
  /** The relevant coordinates, ascending. */
  relevant: number[];
  count: number;
  /** count×n row-major, entries ±1. */
  x: Float32Array;
  /** 0 when the product of the relevant coordinates is +1, else 1. */
  y: Int32Array;
}

/** Options of sparseParity. */
export interface SparseParityOptions {
  /** 'all' for every one of the 2^n inputs (n ≤ 20), or a number of sampled inputs (default 'all' when n ≤ 12, else 10 000). */
  count?: number | 'all';
  /** Draws the sampled inputs; required unless count is 'all'. */
  rng?: Rng;
  /** The k relevant coordinates (distinct, in [0, n)); default [0, 1, …, k−1]. */
  relevant?: number[];
}

const MAX_ALL_N = 20;
const MAX_N = 1 << 16;

/** A sparse-parity dataset over n bits with k relevant ones: every input ('all') or `count` sampled with the rng. */
export function sparseParity(n: number, k: number, opts: SparseParityOptions = {}): SparseParity {
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_N)) throw new ArgumentError(`sparseParity: n must be an integer with 1 ≤ n ≤ ${MAX_N}, got ${String(n)}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new ArgumentError(`sparseParity: k must be an integer with 1 ≤ k ≤ n = ${n}, got ${String(k)}`);
  let relevant: number[];
  if (opts.relevant === undefined) {
    relevant = Array.from({ length: k }, (_, j) => j);
  } else {
    relevant = [...opts.relevant].sort((u, v) => u - v);
    const ok = relevant.length === k && relevant.every((j, i) => Number.isInteger(j) && j >= 0 && j < n && (i === 0 || j !== relevant[i - 1]));
    if (!ok) throw new ArgumentError(`sparseParity: relevant must hold k = ${k} distinct integers in [0, ${n}), got [${opts.relevant.join(', ')}]`);
  }
  const countOpt = opts.count ?? (n <= 12 ? 'all' : 10000);
  let count: number;
  let x: Float32Array;
  if (countOpt === 'all') {
    if (n > MAX_ALL_N) throw new ArgumentError(`sparseParity: count 'all' needs n ≤ ${MAX_ALL_N} (2^n inputs), got n = ${n}; pass a number of samples and an rng instead`);
    count = 2 ** n;
    x = new Float32Array(count * n);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < n; j++) x[i * n + j] = (i >>> j) & 1 ? -1 : 1;
    }
  } else {
    if (!(Number.isInteger(countOpt) && countOpt >= 1)) throw new ArgumentError(`sparseParity: count must be 'all' or an integer ≥ 1, got ${String(countOpt)}`);
    if (!opts.rng) throw new ArgumentError(`sparseParity: sampling ${countOpt} inputs needs an rng (e.g. { rng: new Rng(seed) }), or pass count: 'all' when n ≤ ${MAX_ALL_N}`);
    count = countOpt;
    x = new Float32Array(count * n);
    let word = 0;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < n; j++) {
        if ((j & 31) === 0) word = opts.rng.nextU32();
        x[i * n + j] = (word >>> (j & 31)) & 1 ? -1 : 1;
      }
    }
  }
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let neg = 0;
    for (const j of relevant) if (x[i * n + j] < 0) neg ^= 1;
    y[i] = neg;
  }
  return { n, k, relevant, count, x, y };
}
