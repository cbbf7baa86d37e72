/**
 * Analytic infinite-width NNGP and NTK of fully connected ReLU networks, by the arc-cosine recursion
 * (Cho & Saul 2009; Jacot et al. 2018; Arora et al. 2019), host f64.
 *
 * Convention (that of neural-tangents' stax with the 'ntk' parameterisation,
 * Dense(σ_w, σ_b) → Relu → … → Dense(σ_w, σ_b), with `depth` = L hidden ReLU layers):
 *   Σ¹(x, y) = σ_b² + σ_w² · x·y / d,                        Θ¹ = Σ¹                 (first pre-activations)
 *   for l = 1 … L, with θ = arccos(Σˡ(x, y) / √(Σˡ(x, x) Σˡ(y, y))):
 *     Σ^{l+1}(x, y) = σ_b² + σ_w² · (√(Σˡ(x, x) Σˡ(y, y)) / (2π)) · (sin θ + (π − θ) cos θ)
 *     Σ̇^{l+1}(x, y) = (π − θ) / (2π)
 *     Θ^{l+1}       = Σ^{l+1} + Θˡ · σ_w² · Σ̇^{l+1}
 *   NNGP = Σ^{L+1}, NTK = Θ^{L+1} (the kernels of the scalar output). Depth 0 is the linear model.
 * Σ^{l+1}'s middle factor is E[relu(u) relu(v)] for (u, v) ~ N(0, Σˡ), and Σ̇ is E[relu'(u) relu'(v)].
 * With σ_w² = 1, σ_b² = 0, depth 1, the NNGP is the k → ∞ limit of randomFeatureKernel(…, relu) with
 * V_ij ~ N(0, 1/d), and (z·z')·Σ̇² = d·(Θ² − Σ²) that of ntkFeatureKernel(…, reluDerivative) (features.ts).
 * Where Σˡ(x, x)·Σˡ(y, y) = 0 (a zero input with σ_b = 0) the cosine is taken as 0.
 */
import { ArgumentError } from '../errors.js';
import { matrixRows } from './features.js';
import { checkOptions } from '../validate.js';

/** Options of arccosKernels. */
export interface ArcCosineOptions {
  /** Number of hidden ReLU layers L ≥ 0 (default 1: a two-layer net). */
  depth?: number;
  /** Weight variance σ_w² > 0 (default 1; 2 keeps Σ(x, x) constant across layers when σ_b = 0). */
  weightVariance?: number;
  /** Bias variance σ_b² ≥ 0 (default 0). */
  biasVariance?: number;
}

/** The NNGP Σ^{L+1} and NTK Θ^{L+1} matrices (n1×n2 each) of a depth-L fully connected ReLU net (arc-cosine recursion, module header). */
export interface ArcCosineKernels {
  nngp: Float64Array;
  ntk: Float64Array;
}

/** The options with their defaults, checked: depth L, σ_w² (sw), σ_b² (sb). */
export function arcCosineSettings(fn: string, opts: ArcCosineOptions): { depth: number; sw: number; sb: number } {
  const depth = opts.depth ?? 1;
  const sw = opts.weightVariance ?? 1;
  const sb = opts.biasVariance ?? 0;
  if (!Number.isInteger(depth) || depth < 0) throw new ArgumentError(`${fn}: depth must be an integer ≥ 0 (hidden ReLU layers), got ${depth}`);
  if (!(sw > 0 && Number.isFinite(sw))) throw new ArgumentError(`${fn}: weightVariance (σ_w²) must be finite and > 0, got ${sw}`);
  if (!(sb >= 0 && Number.isFinite(sb))) throw new ArgumentError(`${fn}: biasVariance (σ_b²) must be finite and ≥ 0, got ${sb}`);
  return { depth, sw, sb };
}

/** Σˡ(x, x) for every row of x and every layer l = 1 … L (the diagonal recursion, θ = 0): [layer][row]. */
export function diagonalChain(x: Float64Array, n: number, d: number, depth: number, sw: number, sb: number): Float64Array[] {
  const first = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += x[i * d + t] * x[i * d + t];
    first[i] = sb + (sw * s) / d;
  }
  const chain = [first];
  for (let l = 1; l < depth; l++) {
    const prev = chain[l - 1];
    // θ = 0: sin θ + (π − θ) cos θ = π, so Σ^{l+1}(x, x) = σ_b² + σ_w² Σˡ(x, x) / 2.
    chain.push(prev.map((v) => sb + (sw * v) / 2));
  }
  return chain;
}

/** NNGP and NTK of a fully connected ReLU net of `depth` hidden layers between the rows of x1 (n1×d) and x2 (n2×d) (arc-cosine recursion, module header). */
export function arccosKernels(x1: Float64Array, x2: Float64Array, d: number, opts: ArcCosineOptions = {}): ArcCosineKernels {
  checkOptions('arccosKernels', opts, { depth: true, weightVariance: true, biasVariance: true }); // null would pass the default and fail on a property read
  const fn = 'arccosKernels';
  const n1 = matrixRows(fn, 'x1', x1, d);
  const n2 = matrixRows(fn, 'x2', x2, d);
  const { depth, sw, sb } = arcCosineSettings(fn, opts);
  const diag1 = diagonalChain(x1, n1, d, depth, sw, sb);
  const diag2 = x1 === x2 ? diag1 : diagonalChain(x2, n2, d, depth, sw, sb);
  const nngp = new Float64Array(n1 * n2);
  const ntk = new Float64Array(n1 * n2);
  const INV2PI = 1 / (2 * Math.PI);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += x1[i * d + t] * x2[j * d + t];
      let sigma = sb + (sw * s) / d;
      let theta = sigma;
      for (let l = 0; l < depth; l++) {
        const norm = Math.sqrt(diag1[l][i] * diag2[l][j]);
        let cos = norm > 0 ? sigma / norm : 0;
        cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
        const angle = Math.acos(cos);
        const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
        sigma = sb + sw * norm * INV2PI * (sin + (Math.PI - angle) * cos);
        const dot = (Math.PI - angle) * INV2PI;
        theta = sigma + theta * sw * dot;
      }
      nngp[i * n2 + j] = sigma;
      ntk[i * n2 + j] = theta;
    }
  }
  return { nngp, ntk };
}
