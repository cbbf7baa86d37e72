/**
 * Sparse-parity features — specs/margin-algebra.md, "Feature measurements" (Sparse parity): the fraction of
 * each neuron's |u_i| mass on the k relevant coordinates S,
 *   mass_i = Σ_{j∈S} |u_i[j]| / Σ_j |u_i[j]|,
 * which is 1 at the max margin (supp(u_i) = S).
 *
 * Active neurons follow the rule of the Fourier metrics: ‖θ_i‖² > 0 and ≥ activeFraction × max_j ‖θ_j‖²
 * (default 1e-3), where θ_i = (u_i, w_i) when `opts.W` is given and u_i alone otherwise. A neuron with
 * u_i = 0 has an undefined mass, reported as NaN (it is never active unless W makes it so, in which case it is
 * left out of the mean as well). The mean is over active neurons with a defined mass (NaN when none).
 */
import { ArgumentError } from '../errors.js';
import { checkFiniteArray, checkOptions } from '../validate.js';

/** Options of {@link supportMass}. */
export interface SupportMassOptions {
  /** A neuron is active when ‖θ_i‖² ≥ activeFraction × the largest; in [0, 1]; default 1e-3. */
  activeFraction?: number;
  /** Optional output weights (m rows of `wCols`, row-major), included in θ_i for the active rule. */
  W?: ArrayLike<number>;
  /** Columns of W (default 2, the two parity classes). */
  wCols?: number;
  /** Exponent ν of the weights ‖θ_i‖^ν of `weightedMean` (default 2; pass k + 1 for the parity network). */
  nu?: number;
}

/** Result of {@link supportMass}. */
export interface SupportMassResult {
  /** mass_i per neuron (NaN when u_i = 0). */
  perNeuron: Float64Array;
  /** Active flag per neuron. */
  active: boolean[];
  /** Mean of mass_i over active neurons (NaN when none). */
  mean: number;
  /**
   * Σ_i ‖θ_i‖^ν mass_i / Σ_i ‖θ_i‖^ν: each neuron weighted by its scale in the ν-homogeneous network, so
   * neurons left near their initial size (which the regulariser shrinks only slowly) barely count. The
   * spec defines mass_i per neuron and leaves the aggregate open; this is our choice, beside `mean`.
   */
  weightedMean: number;
}

/** Fraction of each neuron's |u_i| mass on the relevant coordinates, Σ_{j∈S}|u_i[j]| / Σ_j|u_i[j]|, and its mean over active neurons (spec "Sparse parity: fraction of each neuron's |u_i| mass on the k relevant coordinates"); U is m×n row-major. */
export function supportMass(
  U: ArrayLike<number>,
  m: number,
  n: number,
  relevant: number[],
  opts: SupportMassOptions = {},
): SupportMassResult {
  const fn = 'supportMass';
  checkOptions(fn, opts, { activeFraction: true, W: true, wCols: true, nu: true });
  if (!Number.isInteger(m) || m < 1) throw new ArgumentError(`${fn}: m (the number of neurons) must be a positive integer, got ${String(m)}`);
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n (the number of input bits) must be a positive integer, got ${String(n)}`);
  checkFiniteArray(fn, 'U', U, m * n, `an m×n matrix (${m}×${n}, one row per neuron)`);
  if (!Array.isArray(relevant) || relevant.length === 0) throw new ArgumentError(`${fn}: relevant must be a non-empty array of coordinate indices (the parity's support S)`);
  const inS = new Uint8Array(n);
  for (const j of relevant) {
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new ArgumentError(`${fn}: relevant contains ${String(j)}; indices must be integers in [0, ${n})`);
    if (inS[j]) throw new ArgumentError(`${fn}: relevant lists coordinate ${j} twice; list each relevant coordinate once`);
    inS[j] = 1;
  }
  const activeFraction = opts.activeFraction ?? 1e-3;
  if (!(activeFraction >= 0 && activeFraction <= 1)) throw new ArgumentError(`${fn}: opts.activeFraction must be in [0, 1], got ${String(activeFraction)}; the default is 1e-3`);
  const wCols = opts.wCols ?? 2;
  if (!Number.isInteger(wCols) || wCols < 1) throw new ArgumentError(`${fn}: opts.wCols must be a positive integer, got ${String(wCols)}`);
  const nu = opts.nu ?? 2;
  if (!(Number.isFinite(nu) && nu > 0)) throw new ArgumentError(`${fn}: opts.nu must be a positive finite number, got ${String(nu)}; pass k + 1 for the parity network (default 2)`);
  if (opts.W !== undefined) checkFiniteArray(fn, 'opts.W', opts.W, m * wCols, `an m×wCols matrix (${m}×${wCols}, one row per neuron)`);

  const perNeuron = new Float64Array(m);
  const norms = new Float64Array(m);
  let maxNorm = 0;
  for (let i = 0; i < m; i++) {
    let onS = 0;
    let all = 0;
    let sq = 0;
    for (let j = 0; j < n; j++) {
      const x = U[i * n + j];
      const ax = Math.abs(x);
      all += ax;
      if (inS[j]) onS += ax;
      sq += x * x;
    }
    if (opts.W !== undefined) for (let c = 0; c < wCols; c++) sq += opts.W[i * wCols + c] ** 2;
    if (!Number.isFinite(sq)) throw new ArgumentError(`${fn}: ‖θ_${i}‖² overflows (> ${Number.MAX_VALUE}); divide U (and W) by a common factor first (the masses do not depend on the scale)`);
    perNeuron[i] = all > 0 ? onS / all : NaN;
    norms[i] = sq;
    if (sq > maxNorm) maxNorm = sq;
  }
  const active: boolean[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < m; i++) {
    const a = norms[i] > 0 && norms[i] >= activeFraction * maxNorm;
    active.push(a);
    if (a && !Number.isNaN(perNeuron[i])) {
      sum += perNeuron[i];
      count++;
    }
  }
  // Weights ‖θ_i‖^ν; when they overflow or all underflow (large ν), weights relative to the largest neuron's instead.
  let weighted = weightedMass(perNeuron, norms, nu, 1);
  if (!(weighted.total > 0 && Number.isFinite(weighted.total)) && maxNorm > 0) weighted = weightedMass(perNeuron, norms, nu, maxNorm);
  return { perNeuron, active, mean: count > 0 ? sum / count : NaN, weightedMean: weighted.total > 0 ? weighted.sum / weighted.total : NaN };
}

/** Σ_i w_i mass_i and Σ_i w_i with w_i = (‖θ_i‖² / scale)^{ν/2}, over neurons with a defined mass. */
function weightedMass(perNeuron: Float64Array, norms: Float64Array, nu: number, scale: number): { sum: number; total: number } {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < perNeuron.length; i++) {
    if (Number.isNaN(perNeuron[i])) continue;
    const weight = Math.pow(norms[i] / scale, nu / 2);
    sum += weight * perNeuron[i];
    total += weight;
  }
  return { sum, total };
}
