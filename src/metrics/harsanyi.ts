/**
 * Harsanyi AND / OR interactions (spec interactions.md). A subset T of the n input variables is a bit mask
 * (bit i set = variable i kept); v[T] is the network output on the sample with the other variables masked.
 *
 * - `mobius`: the fast subset (Möbius) transform I(S) = Σ_{T ⊆ S} (−1)^{|S|−|T|} v(T) in O(n·2ⁿ), and
 *   `mobiusTranspose` its adjoint (the gradient of a function of I with respect to v).
 * - `andOrInteractions`: I_and = Möbius(v_and); I_or(S) = −Möbius(w)(S) for S ≠ ∅ with w(U) = v_or(N \ U), and
 *   I_or(∅) = v_or(∅), so that universal matching holds: v_and(T) + v_or(T) = Σ_{S ⊆ T} I_and(S) +
 *   Σ_{S ∩ T ≠ ∅ or S = ∅} I_or(S) (`matchingResidual` checks it).
 * - `andOrSplit`: v_and = ½(v + q) + p, v_or = ½(v + q) − p with p free and |q_T| ≤ 0.04·|v(N) − v(∅)|, learned
 *   by SGD with momentum 0.9 on Σ|I_and| + Σ|I_or| (learning rate decaying log-linearly by 10×, steps scaled by
 *   |v(N)|/2ⁿ) from the all-AND decomposition (p = v/2, q = 0), keeping the sparsest iterate; singletons and ∅
 *   are then folded into AND (which leaves matching intact).
 * - `salientOrders`: salient interactions |I| > τ·max|I| and their order distribution A⁺(k), A⁻(k), counts.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { andOrDescent } from '../linalg/wasmLinalg.js';
import { checkArrayLike, checkFiniteEntries, checkOptions, isNumberIn } from '../validate.js';

/** Checks a table of 2ⁿ finite values named `name`. */
function checkTable(fn: string, v: ArrayLike<number>, n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new ArgumentError(`${fn}: n must be an integer in [1, 20] (2ⁿ subsets), got ${n}`);
  checkArrayLike(fn, name, v);
  if (v.length !== 1 << n) throw new ShapeError(`${fn}: ${name} must hold 2ⁿ = ${1 << n} values (one per subset), got ${v.length}`);
  checkFiniteEntries(fn, name, v);
}

/** Number of set bits (the order |S|). */
export function popcount(s: number): number {
  let c = 0;
  for (let x = s; x; x &= x - 1) c++;
  return c;
}

/** I = Möbius(v): I(S) = Σ_{T ⊆ S} (−1)^{|S|−|T|} v(T), in place on a copy, O(n·2ⁿ). */
export function mobius(v: ArrayLike<number>, n: number): Float64Array {
  checkTable('mobius', v, n, 'v');
  return mobiusInPlace(Float64Array.from(v), n);
}

/** The adjoint of `mobius`: ⟨mobius(a), b⟩ = ⟨a, mobiusTranspose(b)⟩. */
export function mobiusTranspose(g: ArrayLike<number>, n: number): Float64Array {
  checkTable('mobiusTranspose', g, n, 'g');
  const a = Float64Array.from(g);
  // The updates of one pass touch disjoint entries (a[s] with the bit and a[s] without it), so walking the pairs
  // block by block gives the bits of a walk over s in order; likewise in mobiusInPlace.
  for (let i = n - 1; i >= 0; i--) {
    const bit = 1 << i;
    for (let base = 0; base < a.length; base += bit << 1) for (let s = base | bit, end = base + (bit << 1); s < end; s++) a[s ^ bit]! -= a[s]!;
  }
  return a;
}

/** mobius on `a` itself (2ⁿ values, unchecked). */
function mobiusInPlace(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    for (let base = 0; base < a.length; base += bit << 1) for (let s = base | bit, end = base + (bit << 1); s < end; s++) a[s]! -= a[s ^ bit]!;
  }
  return a;
}

/** AND and OR interactions of the two parts (module header). */
export function andOrInteractions(vAnd: ArrayLike<number>, vOr: ArrayLike<number>, n: number): { and: Float64Array; or: Float64Array } {
  checkTable('andOrInteractions', vAnd, n, 'vAnd');
  checkTable('andOrInteractions', vOr, n, 'vOr');
  const full = (1 << n) - 1;
  const or = mobiusInPlace(Float64Array.from({ length: full + 1 }, (_, u) => vOr[full ^ u]!), n);
  for (let s = 1; s <= full; s++) or[s] = -or[s]!;
  or[0] = vOr[0]!;
  return { and: mobiusInPlace(Float64Array.from(vAnd), n), or };
}

/** max_T |target(T) − Σ_{S ⊆ T} I_and(S) − Σ_{S ∩ T ≠ ∅ or S = ∅} I_or(S)| (brute force, O(4ⁿ); for tests and checks). */
export function matchingResidual(target: ArrayLike<number>, and: ArrayLike<number>, or: ArrayLike<number>, n: number): number {
  checkTable('matchingResidual', target, n, 'target');
  checkTable('matchingResidual', and, n, 'and');
  checkTable('matchingResidual', or, n, 'or');
  let worst = 0;
  for (let t = 0; t < 1 << n; t++) {
    let sum = 0;
    for (let s = 0; s < 1 << n; s++) {
      if ((s & t) === s) sum += and[s]!;
      if (s === 0 || (s & t) !== 0) sum += or[s]!;
    }
    worst = Math.max(worst, Math.abs(target[t]! - sum));
  }
  return worst;
}

/** Most SGD steps of andOrSplit (each step's learning rate is one f64 passed to the descent). */
const MAX_SPLIT_STEPS = 10_000_000;

/** Options of andOrSplit. */
export interface AndOrSplitOptions {
  /** SGD steps (default 1000). */
  steps?: number;
  /** Initial learning rate before the |v(N)|/2ⁿ scaling (default 0.01); it decays log-linearly to a tenth. */
  lr?: number;
  /** |q_T| ≤ qBound·|v(N) − v(∅)| (default 0.04). */
  qBound?: number;
}

/** The learned split and its interactions (singletons and ∅ folded into AND). */
export interface AndOrSplit {
  p: Float64Array;
  q: Float64Array;
  and: Float64Array;
  or: Float64Array;
  /** Σ|I_and| + Σ|I_or| before learning (all of v in AND: Σ|Möbius(v)|) and after. */
  sparsityBefore: number;
  sparsityAfter: number;
}

/** Σ|x|, summed from the first entry on. */
function l1(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]!);
  return sum;
}

/** Learns the AND-OR split of v (2ⁿ values) that makes the interactions sparse (module header). */
export function andOrSplit(v: ArrayLike<number>, n: number, opts: AndOrSplitOptions = {}): AndOrSplit {
  const fn = 'andOrSplit';
  checkTable(fn, v, n, 'v');
  checkOptions(fn, opts, { steps: true, lr: true, qBound: true });
  const steps = opts.steps ?? 1000;
  const lr0 = opts.lr ?? 0.01;
  const qBound = opts.qBound ?? 0.04;
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_SPLIT_STEPS) throw new ArgumentError(`${fn}: steps must be an integer in [0, ${MAX_SPLIT_STEPS}], got ${steps}`);
  if (!(Number.isFinite(lr0) && lr0 > 0)) throw new ArgumentError(`${fn}: lr must be a positive finite number, got ${lr0}; the default is 0.01`);
  if (!(Number.isFinite(qBound) && qBound >= 0)) throw new ArgumentError(`${fn}: qBound must be a finite number ≥ 0, got ${qBound}; the default is 0.04`);
  const bound = qBound * Math.abs(v[(1 << n) - 1]! - v[0]!);
  const size = 1 << n;
  // Start from the plain (all-AND) decomposition: p = v/2 makes v_and = v and v_or = 0, so the split starts at
  // Harsanyi's sparsity and the descent can only trade AND terms for cheaper OR terms. The descent runs in the f64
  // WASM module (linalg/wasmLinalg.ts, andOrDescent); the learning rates are computed here, where ** is the engine's.
  const sparsityBefore = l1(mobius(v, n));
  const scale = Math.abs(v[size - 1]!) / size || 1 / size;
  const lrs = Float64Array.from({ length: steps }, (_, step) => lr0 * scale * 10 ** (-step / Math.max(1, steps - 1)));
  const { p, q, and, or } = andOrDescent(v, n, lrs, bound);
  // Fold ∅ and singletons into AND: both count toward v(T) exactly when S ⊆ T.
  and[0]! += or[0]!;
  or[0] = 0;
  for (let i = 0; i < n; i++) {
    and[1 << i]! += or[1 << i]!;
    or[1 << i] = 0;
  }
  return { p, q, and, or, sparsityBefore, sparsityAfter: l1(and) + l1(or) };
}

/** Salient interactions and their order distribution (spec "Salient interactions", "Order distribution"). */
export interface OrderDistribution {
  /** A⁺(k) = Σ over salient S of order k of max(I(S), 0), k = 0 … n. */
  positive: Float64Array;
  /** A⁻(k) = Σ over salient S of order k of min(I(S), 0). */
  negative: Float64Array;
  /** Number of salient interactions per order. */
  counts: Int32Array;
}

/** Throws unless d is an OrderDistribution of `length` orders (n + 1) whose masses are finite, A⁺ ≥ 0 ≥ A⁻. */
function checkDistribution(fn: string, name: string, d: OrderDistribution, length: number): void {
  const ok = d != null && d.positive instanceof Float64Array && d.negative instanceof Float64Array && d.counts instanceof Int32Array &&
    length >= 1 && d.positive.length === length && d.negative.length === length && d.counts.length === length;
  if (!ok) throw new ArgumentError(`${fn}: ${name} must be an OrderDistribution with n + 1 = ${length} orders (Float64Array positive, negative, Int32Array counts), as salientOrders returns`);
  for (let k = 0; k < length; k++) {
    if (!(d.positive[k]! >= 0 && d.negative[k]! <= 0 && Number.isFinite(d.positive[k]! - d.negative[k]!) && d.counts[k]! >= 0)) {
      throw new ArgumentError(`${fn}: ${name} at order ${k} has A⁺ = ${d.positive[k]}, A⁻ = ${d.negative[k]}, count ${d.counts[k]}; A⁺ must be finite ≥ 0, A⁻ finite ≤ 0, counts ≥ 0`);
    }
  }
}

/**
 * Accumulates the salient interactions (|I| > τ·max|I|, τ default 0.05) of one table into `into` (or a new
 * distribution); `maxAbs` replaces max|I| (e.g. the largest of a sample's AND and OR interactions together).
 */
export function salientOrders(interactions: ArrayLike<number>, n: number, tau = 0.05, into?: OrderDistribution, maxAbs?: number): OrderDistribution {
  const fn = 'salientOrders';
  checkTable(fn, interactions, n, 'interactions');
  if (!(isNumberIn(tau, 0, 1) && tau < 1)) throw new ArgumentError(`${fn}: tau must be a number in [0, 1), got ${tau}`);
  if (into !== undefined) checkDistribution(fn, 'into', into, n + 1);
  let own = 0;
  for (let s = 0; s < interactions.length; s++) own = Math.max(own, Math.abs(interactions[s]!));
  if (maxAbs !== undefined && !(typeof maxAbs === 'number' && Number.isFinite(maxAbs) && maxAbs >= own)) {
    throw new ArgumentError(`${fn}: maxAbs is ${maxAbs}, but it replaces max|I| and must be a finite number ≥ this table's largest |I| = ${own} (e.g. the largest of the sample's AND and OR interactions)`);
  }
  const out = into ?? { positive: new Float64Array(n + 1), negative: new Float64Array(n + 1), counts: new Int32Array(n + 1) };
  const max = maxAbs ?? own;
  if (!(max > 0)) return out;
  for (let s = 0; s < interactions.length; s++) {
    const x = interactions[s]!;
    if (Math.abs(x) <= tau * max) continue;
    const k = popcount(s);
    if (x > 0) out.positive[k]! += x;
    else out.negative[k]! += x;
    out.counts[k]!++;
  }
  return out;
}

/** Mean salient order Σ_k k·(A⁺(k) − A⁻(k)) / Σ_k (A⁺(k) − A⁻(k)) (NaN when nothing is salient). */
export function meanSalientOrder(d: OrderDistribution): number {
  checkDistribution('meanSalientOrder', 'd', d, d?.positive?.length ?? 0);
  let num = 0;
  let den = 0;
  for (let k = 0; k < d.positive.length; k++) {
    const mass = d.positive[k]! - d.negative[k]!;
    num += k * mass;
    den += mass;
  }
  return den > 0 ? num / den : NaN;
}
