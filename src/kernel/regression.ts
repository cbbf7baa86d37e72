/**
 * Kernel (ridge) regression and minimum-norm interpolation as a predictor closed over a cached
 * factorisation, in the shape of neural-tangents' `predict.gradient_descent_mse` (DESIGN.md), host f64
 * through the WASM linear-algebra module (specs/spurious-memorization.md, "Model" and "Kernel form").
 *
 * - Regularisation: A = K + λI with λ = ridge · trace(K)/n when `relative` (the default, as
 *   neural-tangents and the spec: "ridge λ ≥ 0 (relative to trace(K)/N)"), else λ = ridge.
 * - t = ∞: α = A⁻¹Y by Cholesky; predictions f(X*) = K*·α. With ridge 0 this is the minimum-norm
 *   interpolator θ* = Φ⁺G of the spec in kernel form. If the Cholesky factorisation fails (K singular or
 *   numerically indefinite, e.g. built in f32), the smallest jitter 1e-12·(trace/n)·10^j, j = 0 … 10, that
 *   lets it succeed is added to the diagonal and reported in `jitter` (the spec's "Cholesky on K + εI").
 * - Finite t: gradient flow from θ = 0 on L(θ) = ½‖Φθ − Y‖² + (λ/2)‖θ‖² with unit learning rate, i.e.
 *   t = η × (continuous training time) — or η·steps for small-step gradient descent — on the *summed*
 *   squared loss. In the eigenbasis K = V diag(κ) Vᵀ:
 *   f_t(X*) = K* V diag((1 − e^{−(κ_i+λ) t}) / (κ_i + λ)) Vᵀ Y, which is 0 at t = 0 and tends to the t = ∞
 *   predictions (λ > 0 or K nonsingular). neural-tangents uses the mean loss over the n·c targets, so its
 *   time t_nt corresponds to t = t_nt / (n·c) here. The jitter is not used on this path (no factorisation).
 * - Leave-one-out: f_{−i}(x_i) = y_i − α_i / (A⁻¹)_ii (spec, "Kernel form", with the ridge included), the
 *   prediction at x_i of the fit on the other n − 1 points with the same absolute λ (and jitter).
 * K is symmetrised as (K + Kᵀ)/2; an asymmetry above `symmetryTolerance`·max|K| is an error.
 */
import { ArgumentError, NotPositiveDefiniteError, ShapeError } from '../errors.js';
import { cholesky, inverseFromCholesky, solveCholesky, symmetricEigen } from '../linalg/wasmLinalg.js';
import { checkOptions } from '../validate.js';

/** Options of kernelRegression. */
export interface KernelRegressionOptions {
  /** Ridge ≥ 0 (default 0: minimum-norm interpolation). */
  ridge?: number;
  /** Scale the ridge by trace(K)/n (default true, as neural-tangents). */
  relative?: boolean;
  /** Largest |K_ij − K_ji| accepted, relative to max|K| (default 1e-6, which admits f32-built kernels). */
  symmetryTolerance?: number;
}

/** A kernel regression predictor closed over the factorisation of K + λI (module header). */
export interface KernelRegression {
  /** Number of training points n. */
  readonly n: number;
  /** Number of outputs c (columns of yTrain). */
  readonly outputs: number;
  /** The absolute ridge λ added to K's diagonal (ridge · trace(K)/n when relative). */
  readonly ridge: number;
  /** The extra diagonal jitter the Cholesky factorisation needed (0 when none). */
  readonly jitter: number;
  /** Dual coefficients α = (K + (λ + jitter) I)⁻¹ Y (n×c row-major). */
  readonly alpha: Float64Array;
  /** Predictions K*·α (t = ∞, the default) or the gradient-flow predictions at time t (module header); kTestTrain is m×n, the result m×c. */
  predict(kTestTrain: Float64Array, t?: number): Float64Array;
  /** Leave-one-out predictions f_{−i}(x_i) = y_i − α_i / (A⁻¹)_ii (n×c; spec, "Kernel form"). */
  looPredictions(): Float64Array;
  /** A⁻¹ = (K + (λ + jitter) I)⁻¹ (n×n, symmetric), computed once from the factor and shared with looPredictions; do not modify. */
  inverse(): Float64Array;
}

/** Largest power of ten (above 1e-12·trace/n) tried as jitter. */
const MAX_JITTER_STEPS = 10;

/** Checks a Float64Array of finite values. */
function checkFinite(fn: string, name: string, x: Float64Array): void {
  if (!(x instanceof Float64Array)) throw new ArgumentError(`${fn}: ${name} must be a Float64Array (row-major), got ${Object.prototype.toString.call(x)}`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new ArgumentError(`${fn}: ${name}[${i}] is ${x[i]}; every entry must be finite`);
}

/** Fits kernel (ridge) regression on K (n×n) and Y (n×c) and returns a predictor closed over the Cholesky factor (t = ∞) and, lazily, K's eigenbasis (finite t). */
export function kernelRegression(kTrainTrain: Float64Array, yTrain: Float64Array, opts: KernelRegressionOptions = {}): KernelRegression {
  checkOptions('kernelRegression', opts, { ridge: true, relative: true, symmetryTolerance: true }); // null would pass the default and fail on a property read
  const fn = 'kernelRegression';
  checkFinite(fn, 'kTrainTrain', kTrainTrain);
  checkFinite(fn, 'yTrain', yTrain);
  const n = Math.round(Math.sqrt(kTrainTrain.length));
  if (n < 1 || n * n !== kTrainTrain.length) throw new ShapeError(`${fn}: kTrainTrain must be square (n×n row-major), got ${kTrainTrain.length} values`);
  if (yTrain.length === 0 || yTrain.length % n !== 0) throw new ShapeError(`${fn}: yTrain must be n×c with n = ${n} (kTrainTrain's order), got ${yTrain.length} values`);
  const c = yTrain.length / n;
  const ridge = opts.ridge ?? 0;
  const relative = opts.relative ?? true;
  const symTol = opts.symmetryTolerance ?? 1e-6;
  if (!(ridge >= 0 && Number.isFinite(ridge))) throw new ArgumentError(`${fn}: ridge must be finite and ≥ 0, got ${ridge}`);
  if (!(symTol >= 0)) throw new ArgumentError(`${fn}: symmetryTolerance must be ≥ 0, got ${symTol}`);

  // Symmetrise, checking the asymmetry.
  const k = new Float64Array(n * n);
  let maxAbs = 0;
  for (let i = 0; i < k.length; i++) maxAbs = Math.max(maxAbs, Math.abs(kTrainTrain[i]));
  for (let i = 0; i < n; i++) {
    k[i * n + i] = kTrainTrain[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const a = kTrainTrain[i * n + j];
      const b = kTrainTrain[j * n + i];
      if (Math.abs(a - b) > symTol * maxAbs) {
        throw new ArgumentError(`${fn}: kTrainTrain is not symmetric: K[${i}, ${j}] = ${a} but K[${j}, ${i}] = ${b}; pass a symmetric kernel matrix or raise symmetryTolerance (${symTol}·max|K|)`);
      }
      k[i * n + j] = k[j * n + i] = 0.5 * (a + b);
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += k[i * n + i];
  const meanDiag = trace / n;
  if (relative && ridge > 0 && !(meanDiag > 0)) throw new ArgumentError(`${fn}: a relative ridge needs trace(K) > 0, got trace ${trace}; pass relative: false with an absolute ridge`);
  const lambda = relative ? ridge * meanDiag : ridge;

  // Cholesky of K + λI, with the smallest jitter that works when it fails.
  const factorise = (shift: number): Float64Array => {
    const a = k.slice();
    for (let i = 0; i < n; i++) a[i * n + i] += shift;
    return cholesky(a, n);
  };
  let jitter = 0;
  let l: Float64Array;
  try {
    l = factorise(lambda);
  } catch (e) {
    if (!(e instanceof NotPositiveDefiniteError)) throw e;
    if (!(meanDiag > 0)) throw new NotPositiveDefiniteError(`${fn}: K + λI (λ = ${lambda}) is not positive definite and trace(K) = ${trace} ≤ 0, so no jitter scale exists; pass a positive semi-definite kernel matrix`);
    let found: Float64Array | null = null;
    for (let j = 0; j <= MAX_JITTER_STEPS && !found; j++) {
      jitter = 1e-12 * meanDiag * 10 ** j;
      try {
        found = factorise(lambda + jitter);
      } catch (e2) {
        if (!(e2 instanceof NotPositiveDefiniteError)) throw e2;
      }
    }
    if (!found) {
      throw new NotPositiveDefiniteError(`${fn}: K + λI (λ = ${lambda}) stays not positive definite with jitter up to ${jitter.toExponential(1)} (1e-2·trace/n); K is far from positive semi-definite — check how it was built, or pass a larger ridge`);
    }
    l = found;
  }
  const factor = l;
  const alpha = solveCholesky(factor, n, yTrain, c);

  let eig: { values: Float64Array; vectors: Float64Array; vty: Float64Array } | null = null;
  let loo: Float64Array | null = null;
  let inverse: Float64Array | null = null;

  /** (K + (λ + jitter)I)⁻¹, computed once from the Cholesky factor. */
  const inverseOf = (): Float64Array => {
    inverse ??= inverseFromCholesky(factor, n);
    return inverse;
  };

  const testRows = (kTestTrain: Float64Array): number => {
    checkFinite('predict', 'kTestTrain', kTestTrain);
    if (kTestTrain.length % n !== 0) throw new ShapeError(`predict: kTestTrain must be m×n with n = ${n} training points, got ${kTestTrain.length} values`);
    return kTestTrain.length / n;
  };

  /** out (m×c) = kTestTrain (m×n) · coef (n×c). */
  const apply = (kTestTrain: Float64Array, m: number, coef: Float64Array): Float64Array => {
    const out = new Float64Array(m * c);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < n; p++) {
        const kip = kTestTrain[i * n + p];
        if (kip === 0) continue;
        for (let q = 0; q < c; q++) out[i * c + q] += kip * coef[p * c + q];
      }
    }
    return out;
  };

  return {
    n,
    outputs: c,
    ridge: lambda,
    jitter,
    alpha: alpha.slice(),
    predict(kTestTrain: Float64Array, t?: number): Float64Array {
      const m = testRows(kTestTrain);
      if (t === undefined || t === Infinity) return apply(kTestTrain, m, alpha);
      if (!(t >= 0 && Number.isFinite(t))) throw new ArgumentError(`predict: t must be ≥ 0 (finite training time) or undefined/Infinity, got ${t}`);
      if (!eig) {
        const { values, vectors } = symmetricEigen(k, n);
        // Vᵀ Y (n×c).
        const vty = new Float64Array(n * c);
        for (let p = 0; p < n; p++) {
          for (let r = 0; r < n; r++) {
            const v = vectors[p * n + r];
            for (let q = 0; q < c; q++) vty[r * c + q] += v * yTrain[p * c + q];
          }
        }
        eig = { values, vectors, vty };
      }
      const { values, vectors, vty } = eig;
      // g(μ) = (1 − e^{−μt})/μ, with its limit t at μ = 0. μ includes the jitter the t = ∞ solve added: an f32-built
      // kernel's eigenvalue of −1e-7 would otherwise grow as e^{|μ|t} (predictions of 1e6, then NaN, for ±1 labels),
      // and with it the predictions tend to the t = ∞ ones.
      const g = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const mu = values[r] + lambda + jitter;
        g[r] = mu === 0 ? t : -Math.expm1(-mu * t) / mu;
      }
      const coef = new Float64Array(n * c);
      for (let p = 0; p < n; p++) {
        for (let r = 0; r < n; r++) {
          const v = vectors[p * n + r] * g[r];
          if (v === 0) continue;
          for (let q = 0; q < c; q++) coef[p * c + q] += v * vty[r * c + q];
        }
      }
      return apply(kTestTrain, m, coef);
    },
    looPredictions(): Float64Array {
      if (!loo) {
        const inv = inverseOf(); // not this.inverse(): a destructured looPredictions has no this
        loo = new Float64Array(n * c);
        for (let i = 0; i < n; i++) for (let q = 0; q < c; q++) loo[i * c + q] = yTrain[i * c + q] - alpha[i * c + q] / inv[i * n + i];
      }
      return loo.slice();
    },
    inverse: inverseOf,
  };
}
