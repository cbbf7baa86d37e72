/**
 * Memorization of spurious features in random-features / NTK regression (specs/spurious-memorization.md,
 * "Measurements" and "Theory"), as pure functions over host f64 arrays and a fitted `KernelRegression`
 * (src/kernel/regression.ts).
 *
 * Notation: N training samples z_i with labels g_i ∈ {±1}, spurious queries z_i^s = [x̃, y_i]
 * (src/data/spurious.ts), K (N×N) the training kernel, Ks[j, i] = k(z_j, z_i^s), c = K⁻¹G.
 * - test accuracy and spurious accuracy: (1/m) Σ 1[sign f = g] (sign(0) = 0 ≠ ±1: a zero prediction is wrong);
 * - memorization M = Cov(f(z_i^s), g_i) = mean(f_s·g) − mean(f_s)·mean(g) (population covariance, 1/N);
 * - feature alignment F_i = (K⁻¹ Ks)_ii, leave-one-out f_{−i}(z_i) = g_i − c_i/(K⁻¹)_ii, stability term
 *   g_i − f_{−i}(z_i), and the predicted memorization mean_i F_i (g_i − f_{−i}(z_i)) g_i;
 * - the theory's mean alignment γ from the Hermite coefficients of the activation (RF) or of its
 *   derivative (NTK).
 *
 * Choices where the spec is loose:
 * - With a ridge (or the jitter the Cholesky needed) K⁻¹ is read as A⁻¹, A = K + (λ + jitter)I — the same
 *   matrix the fit and its leave-one-out predictions use. The decomposition
 *   f(z_i^s, θ*) − f(z_i^s, θ*_{−i}) = F_i (g_i − f_{−i}(z_i)) then holds exactly for every ridge (block
 *   inverse of A; the refit without i uses the same absolute λ), which the tests check by explicit refits.
 * - The argument order is that of `predict`: kSpuriousTrain is N×N with row i = k(z_i^s, ·) (i.e. Ksᵀ).
 * - γ regimes: 'large-n' is the spec's d ≪ N (RF: sums from l ≥ 2, valid for N ≪ d²; NTK: l ≥ 1 with
 *   α^{l+1}), 'small-n' is N ≪ d (RF: l ≥ 1; NTK: l ≥ 0). `gammaRegime(n, d)` picks 'large-n' when N > d
 *   — a convention for reporting; both are limits, report the measured mean F beside them (spec, Pitfalls).
 * - The Hermite series is truncated at `degree` (default 30); the tail mass E[act²] − Σ_{l≤degree} μ_l²
 *   (by the same quadrature) enters the denominator in full and the numerator with weight α^{degree+1}
 *   (NTK: α^{degree+2}), so γ is exact for polynomial activations of degree ≤ `degree`, exact at α = 1,
 *   and off by at most tail·α^{degree+1} otherwise.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { ACTIVATIONS, hermiteCoefficients } from '../kernel/hermite.js';
import type { Activation, ActivationName } from '../kernel/hermite.js';
import type { KernelRegression } from '../kernel/regression.js';
import { checkInt, checkOptions, isNumberIn, naming } from '../validate.js';

/** Checks a Float64Array of finite values, optionally of a given length. */
function checkVector(fn: string, name: string, x: Float64Array, length?: number): void {
  if (!(x instanceof Float64Array)) throw new ArgumentError(`${fn}: ${name} must be a Float64Array, got ${Object.prototype.toString.call(x)}`);
  if (length !== undefined && x.length !== length) throw new ShapeError(`${fn}: ${name} must hold ${length} values, got ${x.length}`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new ArgumentError(`${fn}: ${name}[${i}] is ${x[i]}; every entry must be finite`);
}

/** Checks labels g ∈ {±1}. */
function checkLabels(fn: string, g: Float64Array, length?: number): void {
  checkVector(fn, 'g', g, length);
  if (g.length === 0) throw new ShapeError(`${fn}: g is empty; pass at least one label`);
  for (let i = 0; i < g.length; i++) if (g[i] !== 1 && g[i] !== -1) throw new ArgumentError(`${fn}: g[${i}] is ${g[i]}; labels must be +1 or −1`);
}

/** Throws unless fit looks like a KernelRegression (from kernelRegression). */
function checkFit(fn: string, fit: KernelRegression): void {
  if (fit == null || typeof fit.inverse !== 'function' || typeof fit.looPredictions !== 'function' || !Number.isInteger(fit.n) || fit.n < 1) {
    throw new ArgumentError(`${fn}: fit must be a fitted kernel regression (the result of kernelRegression), got ${fit === null ? 'null' : typeof fit}`);
  }
}

/** (1/m) Σ 1[sign f_i = g_i]. */
function signAccuracy(fn: string, f: Float64Array, g: Float64Array): number {
  checkLabels(fn, g);
  checkVector(fn, 'f', f, g.length);
  let hits = 0;
  for (let i = 0; i < g.length; i++) if (Math.sign(f[i]) === g[i]) hits++;
  return hits / g.length;
}

/** Test accuracy (1/m) Σ 1[sign f(z) = g] on fresh data (spec, "Measurements"; a zero prediction counts as wrong). */
export function testAccuracy(fTest: Float64Array, gTest: Float64Array): number {
  return signAccuracy('testAccuracy', fTest, gTest);
}

/** Spurious accuracy (1/N) Σ_i 1[sign f(z_i^s) = g_i] over the training samples' spurious queries (spec, "Measurements"; chance 0.5). */
export function spuriousAccuracy(fSpurious: Float64Array, gTrain: Float64Array): number {
  return signAccuracy('spuriousAccuracy', fSpurious, gTrain);
}

/** Memorization M = Cov(f(z_i^s), g_i) = mean(f_s·g) − mean(f_s)·mean(g) over the training samples (spec, "Measurements"). */
export function memorizationCov(fSpurious: Float64Array, gTrain: Float64Array): number {
  const fn = 'memorizationCov';
  checkLabels(fn, gTrain);
  checkVector(fn, 'fSpurious', fSpurious, gTrain.length);
  const n = gTrain.length;
  let fg = 0, f = 0, g = 0;
  for (let i = 0; i < n; i++) {
    fg += fSpurious[i] * gTrain[i];
    f += fSpurious[i];
    g += gTrain[i];
  }
  return fg / n - (f / n) * (g / n);
}

/**
 * Standard error of memorizationCov as a sample mean: std of u_i = (f_i − f̄)(g_i − ḡ) over √N. Cov is estimated
 * from N queries, so a Cov and its prediction can only agree to about this.
 */
export function memorizationCovStdError(fSpurious: Float64Array, gTrain: Float64Array): number {
  const fn = 'memorizationCovStdError';
  checkLabels(fn, gTrain);
  checkVector(fn, 'fSpurious', fSpurious, gTrain.length);
  const n = gTrain.length;
  if (n < 2) return NaN;
  let f = 0, g = 0;
  for (let i = 0; i < n; i++) {
    f += fSpurious[i];
    g += gTrain[i];
  }
  f /= n;
  g /= n;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (fSpurious[i] - f) * (gTrain[i] - g);
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += ((fSpurious[i] - f) * (gTrain[i] - g) - mean) ** 2;
  return Math.sqrt(v / (n - 1) / n);
}

/**
 * Feature alignment F_i = (K⁻¹ Ks)_ii (spec, "Kernel form"), with K⁻¹ read as the fit's (K + (λ + jitter)I)⁻¹;
 * kSpuriousTrain is N×N, row i = k(z_i^s, z_j). Ks[j, i] = k(z_j, z_i^s), so F_i is row i of K⁻¹ dotted with
 * row i of kSpuriousTrain: O(N²) once the fit has its inverse (which leave-one-out shares).
 */
export function featureAlignment(fit: KernelRegression, kSpuriousTrain: Float64Array): Float64Array {
  checkFit('featureAlignment', fit);
  const n = fit.n;
  checkVector('featureAlignment', 'kSpuriousTrain', kSpuriousTrain, n * n);
  const inv = fit.inverse();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += inv[i * n + j]! * kSpuriousTrain[i * n + j]!;
    out[i] = sum;
  }
  return out;
}

/** Leave-one-out predictions f_{−i}(z_i) = g_i − c_i/(K⁻¹)_ii of a single-output fit (spec, "Kernel form"; kernelRegression.looPredictions). */
export function leaveOneOutPredictions(fit: KernelRegression): Float64Array {
  checkFit('leaveOneOutPredictions', fit);
  if (fit.outputs !== 1) throw new ShapeError(`leaveOneOutPredictions: the fit must have one output (labels g ∈ {±1}), got ${fit.outputs}`);
  return fit.looPredictions();
}

/** Stability term: the leave-one-out errors g_i − f_{−i}(z_i) (spec, "Decomposition"); gTrain must be the labels the fit was trained on. */
export function leaveOneOutErrors(fit: KernelRegression, gTrain: Float64Array): Float64Array {
  checkFit('leaveOneOutErrors', fit);
  checkLabels('leaveOneOutErrors', gTrain, fit.n);
  const loo = naming('leaveOneOutErrors', () => leaveOneOutPredictions(fit));
  const out = new Float64Array(fit.n);
  for (let i = 0; i < fit.n; i++) out[i] = gTrain[i] - loo[i];
  return out;
}

/** Predicted memorization mean_i F_i (g_i − f_{−i}(z_i)) g_i ≈ Cov(f(z^s), g) (spec, "Decomposition"). */
export function predictedMemorization(alignment: Float64Array, looErrors: Float64Array, gTrain: Float64Array): number {
  const fn = 'predictedMemorization';
  checkLabels(fn, gTrain);
  checkVector(fn, 'alignment', alignment, gTrain.length);
  checkVector(fn, 'looErrors', looErrors, gTrain.length);
  let s = 0;
  for (let i = 0; i < gTrain.length; i++) s += alignment[i] * looErrors[i] * gTrain[i];
  return s / gTrain.length;
}

/** Mean feature alignment (1/N) Σ_i F_i, the measured counterpart of γ (spec, "Theory"). */
export function meanAlignment(alignment: Float64Array): number {
  checkVector('meanAlignment', 'alignment', alignment);
  if (alignment.length === 0) throw new ShapeError('meanAlignment: alignment is empty');
  let s = 0;
  for (let i = 0; i < alignment.length; i++) s += alignment[i];
  return s / alignment.length;
}

/** Feature family of the theory. */
export type FeatureKind = 'rf' | 'ntk';
/** Regime of the theory: 'large-n' = d ≪ N (RF also N ≪ d²), 'small-n' = N ≪ d (module header). */
export type GammaRegime = 'large-n' | 'small-n';

/** The regime used for reporting: 'large-n' when N > d, else 'small-n' (a convention, module header). */
export function gammaRegime(n: number, d: number): GammaRegime {
  checkInt('gammaRegime', 'n', n, 1, 'pass the number of training samples N');
  checkInt('gammaRegime', 'd', d, 1, 'pass the input dimension d');
  return n > d ? 'large-n' : 'small-n';
}

/**
 * γ from coefficients: Σ_{l≥l0} μ_l² α^{l+s} / Σ_{l≥l0} μ_l² with s = 0 (RF) or 1 (NTK) and l0 = 2, 1 (RF
 * large-n, small-n) or 1, 0 (NTK) (spec, "Theory"); `tail` is the mass beyond the last coefficient (module header).
 */
export function gammaFromCoefficients(mu: Float64Array, alpha: number, features: FeatureKind, regime: GammaRegime, tail = 0): number {
  const fn = 'gammaFromCoefficients';
  checkVector(fn, 'mu', mu);
  if (!isNumberIn(alpha, 0, 1)) throw new ArgumentError(`${fn}: alpha must be a number in [0, 1], got ${alpha}`);
  if (!(isNumberIn(tail, 0, Infinity) && Number.isFinite(tail))) throw new ArgumentError(`${fn}: tail must be finite and ≥ 0, got ${tail}`);
  if (features !== 'rf' && features !== 'ntk') throw new ArgumentError(`${fn}: features must be 'rf' or 'ntk', got ${String(features)}`);
  if (regime !== 'large-n' && regime !== 'small-n') throw new ArgumentError(`${fn}: regime must be 'large-n' or 'small-n', got ${String(regime)}`);
  const shift = features === 'ntk' ? 1 : 0;
  const l0 = (features === 'rf' ? 2 : 1) - (regime === 'small-n' ? 1 : 0);
  let num = 0, den = 0;
  for (let l = l0; l < mu.length; l++) {
    const m2 = mu[l] * mu[l];
    num += m2 * alpha ** (l + shift);
    den += m2;
  }
  num += tail * alpha ** (mu.length + shift);
  den += tail;
  let total = tail;
  for (let l = 0; l < mu.length; l++) total += mu[l] * mu[l];
  // Quadrature leaves ~1e-30 in coefficients that are exactly 0: a mass below 1e-12 of the total counts as none.
  if (!(den > 1e-12 * total)) throw new ArgumentError(`${fn}: the activation has no Hermite mass from degree ${l0} on, so γ is undefined (0/0); use another activation or regime`);
  return num / den;
}

/** Options of gammaTheory. */
export interface GammaTheoryOptions {
  /** 'rf' (coefficients of act) or 'ntk' (coefficients of act', the spec's φ'2 / φ'4 for φ2 / φ4). */
  features: FeatureKind;
  regime: GammaRegime;
  /** Highest Hermite degree summed (default 30; the rest enters as tail mass, module header). */
  degree?: number;
  /** Quadrature nodes (default 128). */
  nodes?: number;
}

/**
 * The theory's γ for an activation and α (spec, "Theory"): RF Σ μ_l² α^l / Σ μ_l² (l ≥ 2 large-n, l ≥ 1
 * small-n), NTK Σ μ'_l² α^{l+1} / Σ μ'_l² (l ≥ 1 large-n, l ≥ 0 small-n); μ by hermiteCoefficients. A
 * name takes ACTIVATIONS[name].act (RF) or .derivative (NTK) with its kinks; a function is used as given
 * (for NTK it must be the derivative) and is treated as smooth.
 */
export function gammaTheory(activation: ActivationName | Activation, alpha: number, opts: GammaTheoryOptions): number {
  const fn = 'gammaTheory';
  if (opts == null || typeof opts !== 'object') throw new ArgumentError(`${fn}: opts must be an object { features: 'rf' | 'ntk', regime: 'large-n' | 'small-n' }, got ${String(opts)}`);
  checkOptions(fn, opts, { features: true, regime: true, degree: true, nodes: true });
  const degree = opts.degree ?? 30;
  const nodes = opts.nodes ?? 128;
  if (!Number.isInteger(degree) || degree < 2) throw new ArgumentError(`${fn}: degree must be an integer ≥ 2, got ${degree}`);
  if (!(Number.isInteger(nodes) && degree < nodes)) throw new ArgumentError(`${fn}: degree ${degree} needs nodes > degree (got nodes ${nodes}); the quadrature resolves Hermite degrees below its node count`);
  let act: Activation;
  let kinks: readonly number[] = [];
  if (typeof activation === 'string') {
    const entry = (ACTIVATIONS as Record<string, (typeof ACTIVATIONS)[ActivationName]>)[activation];
    if (!entry) throw new ArgumentError(`${fn}: unknown activation '${activation}'; use one of ${Object.keys(ACTIVATIONS).join(', ')} or pass a function`);
    act = opts.features === 'ntk' ? entry.derivative : entry.act;
    kinks = entry.kinks;
  } else if (typeof activation === 'function') {
    act = activation;
  } else {
    throw new ArgumentError(`${fn}: activation must be a name or a function, got ${typeof activation}`);
  }
  return naming(fn, () => {
    const mu = hermiteCoefficients(act, degree, nodes, { kinks });
    const energy = hermiteCoefficients((x) => act(x) ** 2, 0, nodes, { kinks })[0];
    let captured = 0;
    for (let l = 0; l <= degree; l++) captured += mu[l] * mu[l];
    // Quadrature rounding can make the tail slightly negative for polynomial activations: clamp at 0 and
    // ignore a tail below 1e-12 of the energy.
    const tail = energy - captured > 1e-12 * energy ? energy - captured : 0;
    return gammaFromCoefficients(mu, alpha, opts.features, opts.regime, tail);
  });
}
