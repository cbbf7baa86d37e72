/**
 * Margins of homogeneous networks and their theoretical maxima — specs/margin-algebra.md, "Margin".
 *
 * - Margin of one example: g(x) = f(x)[y] − max_{y' ≠ y} f(x)[y'].
 * - Norm: ‖θ‖_{2,ν}^ν = Σ_i ‖θ_i‖₂^ν, where θ_i concatenates neuron i's parameters (u_i, v_i, w_i for the
 *   quadratic network, ν = 3; u_i, w_i for sparse parity, ν = k+1).
 * - Normalized margin: h = min_x g(x) / ‖θ‖_{2,ν}^ν (divided by the ν-th power, as the spec says).
 * - Theoretical maxima γ* (the spec's closed forms, used as the target line in plots):
 *   modular addition mod p (m ≥ 4(p−1)): γ* = √(2/27) / (√p (p−1));
 *   sparse parity with k relevant bits (m ≥ 2^{k−1}): γ* = k! · √(2 (k+1)^{−(k+1)});
 *   finite groups with real irreps (S_3, S_4, S_5; m ≥ 2 Σ d_n³): γ* = (2 / (3 √(3|G|))) / Σ_{n≥2} d_n^{2.5}.
 *
 * Choices: NaN or infinite logits throw (a margin of a diverged run is meaningless; the caller decides how to
 * record that). `gammaStarModularAddition` requires odd p ≥ 3 (the construction pairs frequencies ζ and p−ζ);
 * `gammaStarGroup` checks that the dimensions passed are those of the non-trivial irreps only, via
 * Σ_{n≥2} d_n² = |G| − 1, and the spec's warning applies: do not use it for Z_p.
 */
import { ArgumentError } from '../errors.js';
import { checkClassLabels, checkFiniteArray, checkInt, naming } from '../validate.js';


/** Margin of each example, g = f[y] − max_{y' ≠ y} f[y'] (spec "Margin of one example"); logits are count×classes row-major. */
export function exampleMargins(logits: ArrayLike<number>, labels: ArrayLike<number>, count: number, classes: number): Float64Array {
  const fn = 'exampleMargins';
  checkInt(fn, 'count', count, 1, 'pass the number of examples (rows of logits)');
  checkInt(fn, 'classes', classes, 2, 'a margin needs at least two classes');
  checkFiniteArray(fn, 'logits', logits, count * classes, `a count×classes matrix (${count}×${classes})`);
  checkClassLabels(fn, labels, classes, count);
  return marginsUnchecked(logits, labels, count, classes);
}

function marginsUnchecked(logits: ArrayLike<number>, labels: ArrayLike<number>, count: number, classes: number): Float64Array {
  const out = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const row = r * classes;
    const y = labels[r];
    let other = -Infinity;
    for (let c = 0; c < classes; c++) if (c !== y && logits[row + c] > other) other = logits[row + c];
    out[r] = logits[row + y] - other;
  }
  return out;
}

/** One parameter matrix for {@link normNu}: m rows (one per neuron) of `cols` values, row-major. */
export interface NeuronRows {
  data: ArrayLike<number>;
  cols: number;
}

/** ‖θ‖_{2,ν}^ν = Σ_i ‖θ_i‖₂^ν, θ_i = row i of every given matrix concatenated (spec "Norm ‖θ‖_{2,ν}"); e.g. normNu([{data: U, cols: p}, {data: V, cols: p}, {data: W, cols: p}], m, 3). */
export function normNu(rows: NeuronRows[], m: number, nu: number): number {
  const fn = 'normNu';
  checkInt(fn, 'm', m, 1, 'pass the number of neurons (rows of each matrix)');
  if (!(Number.isFinite(nu) && nu > 0)) throw new ArgumentError(`${fn}: nu must be a positive finite number, got ${String(nu)}; use 3 for the quadratic network, k+1 for sparse parity`);
  if (!Array.isArray(rows) || rows.length === 0) throw new ArgumentError(`${fn}: rows must be a non-empty array of { data, cols } matrices (e.g. U, V, W)`);
  rows.forEach((r, j) => {
    checkInt(fn, `rows[${j}].cols`, r?.cols, 1, 'pass the number of columns of that matrix');
    checkFiniteArray(fn, `rows[${j}].data`, r.data, m * r.cols, `an m×cols matrix (${m}×${r.cols}, one row per neuron)`);
  });
  let total = 0;
  for (let i = 0; i < m; i++) {
    let sq = 0;
    for (const r of rows) {
      const base = i * r.cols;
      for (let c = 0; c < r.cols; c++) sq += r.data[base + c] * r.data[base + c];
    }
    total += Math.pow(sq, nu / 2);
  }
  return total;
}

/** Normalized margin h = min_x g(x) / ‖θ‖_{2,ν}^ν (spec "Normalized margin"); normNuValue is already the ν-th power Σ_i ‖θ_i‖^ν (see {@link normNu}). */
export function normalizedMargin(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  count: number,
  classes: number,
  normNuValue: number,
): number {
  const fn = 'normalizedMargin';
  if (!(Number.isFinite(normNuValue) && normNuValue > 0)) {
    throw new ArgumentError(`${fn}: normNuValue must be a positive finite number (Σ_i ‖θ_i‖^ν from normNu), got ${String(normNuValue)}`);
  }
  const g = naming(fn, () => exampleMargins(logits, labels, count, classes));
  let min = Infinity;
  for (let i = 0; i < g.length; i++) if (g[i] < min) min = g[i];
  return min / normNuValue;
}

/** γ* for modular addition mod p: √(2/27) / (√p (p − 1)) (spec "Theoretical maxima", needs m ≥ 4(p−1)); p = 17 → 0.0041256. */
export function gammaStarModularAddition(p: number): number {
  if (!Number.isInteger(p) || p < 3 || p % 2 === 0) {
    throw new ArgumentError(`gammaStarModularAddition: p must be an odd integer ≥ 3, got ${String(p)}; the max-margin construction pairs frequencies ζ and p−ζ — use an odd modulus (e.g. a prime)`);
  }
  return Math.sqrt(2 / 27) / (Math.sqrt(p) * (p - 1));
}

/** γ* for sparse parity with k relevant bits: k! · √(2 (k+1)^{−(k+1)}) (spec "Theoretical maxima", needs m ≥ 2^{k−1}); k = 4 → 0.60716. */
export function gammaStarParity(k: number): number {
  checkInt('gammaStarParity', 'k', k, 1, 'pass the number of relevant bits');
  if (k > MAX_PARITY_K) throw new ArgumentError(`gammaStarParity: γ* for k = ${k} exceeds the largest double (${Number.MAX_VALUE}); k must be at most ${MAX_PARITY_K}`);
  if (k <= DIRECT_PARITY_K) {
    let fact = 1;
    for (let j = 2; j <= k; j++) fact *= j;
    return fact * Math.sqrt(2 * Math.pow(k + 1, -(k + 1)));
  }
  // Beyond, (k+1)^{−(k+1)} underflows (and k! overflows from k = 171): the product of j/√(k+1) stays in range.
  const root = Math.sqrt(k + 1);
  let g = Math.SQRT2 / root;
  for (let j = 1; j <= k; j++) g *= j / root;
  return g;
}

/** The largest k for which (k+1)^{−(k+1)} is a normal double, so that γ* = k!·√(2(k+1)^{−(k+1)}) can be evaluated as written. */
const DIRECT_PARITY_K = 141;
/** The largest k whose γ* is a finite double. */
const MAX_PARITY_K = 363;

/** γ* for a finite group with real irreps: (2 / (3 √(3|G|))) / Σ_{n≥2} d_n^{2.5} over the non-trivial irreps (spec "Theoretical maxima"; S_3 → 0.023605). Not for Z_p. */
export function gammaStarGroup(order: number, nonTrivialIrrepDims: number[]): number {
  const fn = 'gammaStarGroup';
  checkInt(fn, 'order', order, 2, 'pass |G|, the number of group elements');
  if (!Array.isArray(nonTrivialIrrepDims) || nonTrivialIrrepDims.length === 0) {
    throw new ArgumentError(`${fn}: nonTrivialIrrepDims must be a non-empty array of the dimensions of the non-trivial irreps (S_3: [1, 2])`);
  }
  let sumSq = 0;
  let sum25 = 0;
  nonTrivialIrrepDims.forEach((d, j) => {
    checkInt(fn, `nonTrivialIrrepDims[${j}]`, d, 1, 'irrep dimensions are positive integers');
    sumSq += d * d;
    sum25 += Math.pow(d, 2.5);
  });
  if (sumSq !== order - 1) {
    throw new ArgumentError(
      `${fn}: the squares of nonTrivialIrrepDims sum to ${sumSq}, but Σ over non-trivial irreps of d² must be |G| − 1 = ${order - 1}; ` +
        `list every non-trivial irrep once and leave out the trivial one (S_4: order 24, [1, 2, 3, 3])`,
    );
  }
  return 2 / (3 * Math.sqrt(3 * order)) / sum25;
}
