/**
 * Feature maps and kernel matrices on host f64 matrices (row-major Float64Array; every function takes the
 * column count `d` explicitly and infers the row counts), after specs/spurious-memorization.md ("Setting"):
 *
 * - Random features (RF): φ(z) = act(V z), V (k×d) with V_ij ~ N(0, 1/d) — the 1/d lives in V
 *   (`gaussianWeights`), so `randomFeatures` applies no further scaling.
 * - NTK features of a 2-layer net: φ(z) = z ⊗ act'(W z), W_ij ~ N(0, 1/d), and the kernel
 *   K_NTK(z, z') = (z·z') · (1/k) Σ_j act'(w_j·z) act'(w_j·z').
 *
 * Scaling choice (the spec writes φ(z) without a 1/√k but the NTK kernel with 1/k): the feature maps are the
 * spec's unscaled φ, and both kernels carry the 1/k of the spec's NTK kernel form, i.e.
 * K_RF = (1/k) Φ Φᵀ and K_NTK = (1/k) Φ_NTK Φ_NTKᵀ. A constant factor changes neither the minimum-norm
 * interpolator's predictions nor those of a ridge relative to trace(K)/N (spec, "Model"), and with 1/k
 * the kernels converge as k → ∞ (RF-ReLU to the arc-cosine NNGP of depth 1, see arccos.ts).
 *
 * Host f64 only for now; the WGSL / WASM-f32 kernel-matrix builds come later.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Activation } from './hermite.js';
import { checkOptions } from '../validate.js';

/** Checks that `x` is a Float64Array of finite values with a whole number of rows of `cols` values, and returns the row count. */
export function matrixRows(fn: string, name: string, x: Float64Array, cols: number): number {
  if (!(x instanceof Float64Array)) throw new ArgumentError(`${fn}: ${name} must be a Float64Array (row-major), got ${Object.prototype.toString.call(x)}`);
  if (!Number.isInteger(cols) || cols < 1) throw new ArgumentError(`${fn}: the column count of ${name} must be a positive integer, got ${cols}`);
  if (x.length % cols !== 0) throw new ShapeError(`${fn}: ${name} has ${x.length} values, not a whole number of rows of ${cols}; pass an n×${cols} row-major matrix`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new ArgumentError(`${fn}: ${name}[${Math.floor(i / cols)}, ${i % cols}] is ${x[i]}; every entry must be finite`);
  }
  return x.length / cols;
}

/** Most weights gaussianWeights draws (2^28: 1 GiB of f32 plus 2 GiB as f64). */
const MAX_WEIGHTS = 2 ** 28;

/** k×d weights with entries ~ N(0, 1/d) (spec: V_ij, W_ij ~ N(0, 1/d)), drawn with rng.fillNormal (f32 values, so every backend sees the same bits). */
export function gaussianWeights(rng: Rng, k: number, d: number): Float64Array {
  if (!(rng instanceof Rng)) throw new ArgumentError(`gaussianWeights: rng must be an Rng (e.g. new Rng(seed)), got ${String(rng)}`);
  if (!Number.isInteger(k) || k < 1 || !Number.isInteger(d) || d < 1) throw new ArgumentError(`gaussianWeights: k and d must be positive integers, got k = ${k}, d = ${d}`);
  if (k * d > MAX_WEIGHTS) throw new ArgumentError(`gaussianWeights: k·d = ${k * d} weights exceed the limit of ${MAX_WEIGHTS}; use fewer features or dimensions`);
  const w = rng.fillNormal(new Float32Array(k * d), 0, 1 / Math.sqrt(d));
  return Float64Array.from(w);
}

/** C = scale · A Bᵀ for A (m×d) and B (p×d): the Gram matrix of the rows (m×p). */
export function gram(a: Float64Array, b: Float64Array, d: number, scale = 1): Float64Array {
  const m = matrixRows('gram', 'a', a, d);
  const p = matrixRows('gram', 'b', b, d);
  if (!Number.isFinite(scale)) throw new ArgumentError(`gram: scale must be finite, got ${scale}`);
  const c = new Float64Array(m * p);
  for (let i = 0; i < m; i++) {
    const ai = i * d;
    for (let j = 0; j < p; j++) {
      const bj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += a[ai + t] * b[bj + t];
      c[i * p + j] = scale * s;
    }
  }
  return c;
}

/** act applied to every entry of Z Wᵀ: Z (n×d), W (k×d) → n×k. */
function activatedProjection(fn: string, z: Float64Array, w: Float64Array, d: number, act: Activation, zName: string, wName: string): Float64Array {
  matrixRows(fn, zName, z, d);
  matrixRows(fn, wName, w, d);
  if (typeof act !== 'function') throw new ArgumentError(`${fn}: the activation must be a function (x: number) => number, got ${typeof act}`);
  const out = gram(z, w, d);
  for (let i = 0; i < out.length; i++) {
    const x = out[i]!;
    const y = act(x);
    if (!Number.isFinite(y)) throw new ArgumentError(`${fn}: the activation gave ${y} at ${x} (entry [${Math.floor(i / (w.length / d))}, ${i % (w.length / d)}] of ${zName}·${wName}ᵀ); it must be finite there`);
    out[i] = y;
  }
  return out;
}

/** Random features Φ = act(Z Vᵀ) (n×k): row i is φ(z_i) = act(V z_i) (spec, "Random features"; the 1/d scaling is in V). */
export function randomFeatures(z: Float64Array, v: Float64Array, d: number, act: Activation): Float64Array {
  return activatedProjection('randomFeatures', z, v, d, act, 'z', 'V');
}

/** RF kernel K_RF(z, z') = (1/k) Σ_j act(v_j·z) act(v_j·z') = (1/k) Φ1 Φ2ᵀ (n1×n2) (spec, "Random features"; 1/k as in the NTK kernel form). */
export function randomFeatureKernel(z1: Float64Array, z2: Float64Array, v: Float64Array, d: number, act: Activation): Float64Array {
  const k = matrixRows('randomFeatureKernel', 'V', v, d);
  const f1 = randomFeatures(z1, v, d, act);
  const f2 = z1 === z2 ? f1 : randomFeatures(z2, v, d, act);
  return gram(f1, f2, k, 1 / k);
}

/**
 * The materialised NTK features φ(z) = z ⊗ act'(W z) (spec, "NTK features"), n × (d·k), entry
 * [i, p·k + j] = z_ip · act'(w_j·z_i); (1/k)·ΦΦᵀ equals ntkFeatureKernel. Only for small d·k.
 */
export function ntkFeatures(z: Float64Array, w: Float64Array, d: number, actDerivative: Activation): Float64Array {
  const a = activatedProjection('ntkFeatures', z, w, d, actDerivative, 'z', 'W');
  const n = z.length / d;
  const k = w.length / d;
  const out = new Float64Array(n * d * k);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) {
      const zip = z[i * d + p];
      const base = (i * d + p) * k;
      for (let j = 0; j < k; j++) out[base + j] = zip * a[i * k + j];
    }
  }
  return out;
}

/**
 * NTK feature kernel K_NTK(z, z') = (z·z') · (1/k) Σ_j act'(w_j·z) act'(w_j·z') (spec, "NTK features"),
 * n1×n2, computed as the entry-wise product of two Gram matrices without materialising the d·k features.
 */
export function ntkFeatureKernel(z1: Float64Array, z2: Float64Array, w: Float64Array, d: number, actDerivative: Activation): Float64Array {
  const fn = 'ntkFeatureKernel';
  const k = matrixRows(fn, 'W', w, d);
  const a1 = activatedProjection(fn, z1, w, d, actDerivative, 'z1', 'W');
  const a2 = z1 === z2 ? a1 : activatedProjection(fn, z2, w, d, actDerivative, 'z2', 'W');
  const zz = gram(z1, z2, d);
  const aa = gram(a1, a2, k, 1 / k);
  for (let i = 0; i < zz.length; i++) zz[i] *= aa[i];
  return zz;
}

/** Options of linearKernel. */
export interface LinearKernelOptions {
  /** Multiplier of the inner product (default 1). */
  scale?: number;
  /** Constant added to every entry (default 0). */
  bias?: number;
}

/** Linear kernel k(x, x') = bias + scale · x·x' (n1×n2; defaults: scale 1, bias 0). */
export function linearKernel(x1: Float64Array, x2: Float64Array, d: number, opts: LinearKernelOptions = {}): Float64Array {
  checkOptions('linearKernel', opts, { scale: true, bias: true }); // null would pass the default and fail on a property read
  const scale = opts.scale ?? 1;
  const bias = opts.bias ?? 0;
  if (!Number.isFinite(scale) || !Number.isFinite(bias)) throw new ArgumentError(`linearKernel: scale and bias must be finite, got scale = ${scale}, bias = ${bias}`);
  const k = gram(x1, x2, d, scale);
  if (bias !== 0) for (let i = 0; i < k.length; i++) k[i] += bias;
  return k;
}

/** Options of rbfKernel. */
export interface RbfKernelOptions {
  /** Length scale ℓ > 0 (default √d, which suits inputs normalised to ‖z‖² ≈ d as the spec asks). */
  lengthscale?: number;
  /** Output variance σ² (default 1). */
  variance?: number;
}

/** RBF (Gaussian) kernel k(x, x') = σ² · exp(−‖x − x'‖² / (2ℓ²)) (n1×n2; defaults ℓ = √d, σ² = 1). */
export function rbfKernel(x1: Float64Array, x2: Float64Array, d: number, opts: RbfKernelOptions = {}): Float64Array {
  checkOptions('rbfKernel', opts, { lengthscale: true, variance: true }); // null would pass the default and fail on a property read
  const fn = 'rbfKernel';
  const n1 = matrixRows(fn, 'x1', x1, d);
  const n2 = matrixRows(fn, 'x2', x2, d);
  const ell = opts.lengthscale ?? Math.sqrt(d);
  const variance = opts.variance ?? 1;
  if (!(ell > 0 && Number.isFinite(ell))) throw new ArgumentError(`${fn}: lengthscale must be finite and > 0, got ${ell}`);
  if (!(variance > 0 && Number.isFinite(variance))) throw new ArgumentError(`${fn}: variance must be finite and > 0, got ${variance}`);
  const inv = 1 / (2 * ell * ell);
  // Below ℓ ≈ 1e-154, 1/(2ℓ²) overflows and the diagonal would be exp(−0·∞) = NaN.
  if (!Number.isFinite(inv)) throw new ArgumentError(`${fn}: lengthscale ${ell} is too small (1/(2ℓ²) overflows f64); use ℓ ≥ 1e-154, or rescale the inputs`);
  const k = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      // The direct difference (not ‖x‖² + ‖x'‖² − 2x·x') keeps the diagonal exactly σ² and entries ≤ σ².
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x1[i * d + t] - x2[j * d + t];
        s += diff * diff;
      }
      k[i * n2 + j] = variance * Math.exp(-s * inv);
    }
  }
  return k;
}
