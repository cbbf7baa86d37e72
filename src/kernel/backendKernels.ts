/**
 * Kernel matrices built on a backend (WGSL on WebGPU, AssemblyScript on WASM), the same kernels as the host
 * f64 definitions: random-feature and NTK kernels (src/kernel/features.ts; spec spurious-memorization.md,
 * "Random features", "NTK features") with the features taken in chunks so that no more than n·chunk of them
 * exist at once; linear and RBF kernels; the arc-cosine NNGP / NTK of deep ReLU nets (src/kernel/arccos.ts).
 * Products are matmuls, everything else element-wise ops. Results come back as f64 arrays (computed in f32).
 */
import type { Backend, Mat } from '../backend/types.js';
import { ArgumentError } from '../errors.js';
import type { ActivationName } from './hermite.js';
import { type ArcCosineKernels, type ArcCosineOptions, arcCosineSettings, diagonalChain } from './arccos.js';
import { type LinearKernelOptions, type RbfKernelOptions, matrixRows } from './features.js';

/** Options of the backend kernel builders. */
export interface BackendKernelOptions {
  /** Features per chunk (default 2048). */
  chunk?: number;
}

const SQRT2 = Math.SQRT2;
const SQRT6 = Math.sqrt(6);
const SQRT24 = Math.sqrt(24);

/** Polynomial coefficients (constant term first) of the spec's polynomial activations and NTK derivatives. */
const POLYNOMIALS: Record<string, number[]> = {
  phi2: [-1 / SQRT2, 1, 1 / SQRT2],
  phi4: [3 / SQRT24, 1, -6 / SQRT24, 0, 1 / SQRT24],
  phi2Prime: [1, 1],
  phi4Prime: [1, -3 / SQRT6, 0, 1 / SQRT6],
};

/** Σ c_i x^i on the backend by Horner's rule (scalar constants broadcast). */
function polynomial(b: Backend, x: Mat, coeffs: number[]): Mat {
  const constant = (v: number): Mat => b.upload([v], 1, 1);
  let y = b.binary('add', b.binary('mul', x, constant(coeffs[coeffs.length - 1]!)), constant(coeffs[coeffs.length - 2]!));
  for (let i = coeffs.length - 3; i >= 0; i--) y = b.binary('add', b.binary('mul', y, x), constant(coeffs[i]!));
  return y;
}

/** act(x) or, with `derivative`, the NTK derivative act′(x) (φ′2, φ′4 as the spec gives them), element-wise. */
function activate(b: Backend, x: Mat, activation: ActivationName, derivative: boolean): Mat {
  switch (activation) {
    case 'phi2':
    case 'phi4':
      return polynomial(b, x, POLYNOMIALS[derivative ? `${activation}Prime` : activation]!);
    case 'relu':
    case 'tanh': {
      if (!derivative) return b.unary(activation, x);
      const ones = b.binary('add', b.zeros(x.rows, x.cols), b.upload([1], 1, 1));
      return b.unaryGrad(activation, x, ones);
    }
    default:
      throw new ArgumentError(`backend kernels: unknown activation '${String(activation)}'; use phi2, phi4, relu or tanh`);
  }
}

/** Checks the chunk option. */
function chunkOf(fn: string, opts: BackendKernelOptions): number {
  const chunk = opts.chunk ?? 2048;
  if (!Number.isInteger(chunk) || chunk < 1) throw new ArgumentError(`${fn}: chunk must be a positive integer, got ${String(chunk)}`);
  return chunk;
}

/**
 * Σ over feature chunks of (1/k)·g(Z1 Wcᵀ)·g(Z2 Wcᵀ)ᵀ with g = act or act′: the Gram matrix of activated
 * random projections, accumulated on the backend (n1×n2, still on the backend).
 */
function projectedGram(b: Backend, z1: Mat, z2: Mat | null, w: Float64Array, d: number, k: number, chunk: number,
  activation: ActivationName, derivative: boolean): Mat {
  let acc: Mat | null = null;
  for (let c0 = 0; c0 < k; c0 += chunk) {
    const kc = Math.min(chunk, k - c0);
    const next: Mat = b.scope(() => {
      const wc = b.upload(Float32Array.from(w.subarray(c0 * d, (c0 + kc) * d)), kc, d);
      const f1 = activate(b, b.matmul(z1, wc, { transB: true }), activation, derivative);
      const f2 = z2 ? activate(b, b.matmul(z2, wc, { transB: true }), activation, derivative) : f1;
      return acc ? b.matmul(f1, f2, { transB: true, alpha: 1 / k, beta: 1, c: acc }) : b.matmul(f1, f2, { transB: true, alpha: 1 / k });
    });
    if (acc) b.free(acc);
    acc = next;
  }
  return acc!;
}

/** Uploads the point sets (z2 null: the same as z1) and checks their shapes. */
function points(fn: string, b: Backend, z1: Float64Array, z2: Float64Array | null, w: Float64Array, d: number): { m1: Mat; m2: Mat | null; k: number } {
  const n1 = matrixRows(fn, 'z1', z1, d);
  const n2 = z2 ? matrixRows(fn, 'z2', z2, d) : 0;
  const k = matrixRows(fn, 'W', w, d);
  return { m1: b.upload(Float32Array.from(z1), n1, d), m2: z2 ? b.upload(Float32Array.from(z2), n2, d) : null, k };
}

/**
 * RF kernel K(z, z') = (1/k) Σ_j act(v_j·z) act(v_j·z') on a backend (as randomFeatureKernel): z1 (n1×d),
 * z2 (n2×d, or null for z1 again), V (k×d) → n1×n2.
 */
export async function randomFeatureKernelOn(b: Backend, z1: Float64Array, z2: Float64Array | null, v: Float64Array, d: number,
  activation: ActivationName, opts: BackendKernelOptions = {}): Promise<Float64Array> {
  const fn = 'randomFeatureKernelOn';
  const chunk = chunkOf(fn, opts);
  return b.scope(async () => {
    const { m1, m2, k } = points(fn, b, z1, z2, v, d);
    return Float64Array.from(await b.read(projectedGram(b, m1, m2, v, d, k, chunk, activation, false)));
  });
}

/**
 * NTK kernel K(z, z') = (z·z')·(1/k) Σ_j act′(w_j·z) act′(w_j·z') on a backend (as ntkFeatureKernel), without
 * materialising the d·k features: z1 (n1×d), z2 (n2×d, or null), W (k×d) → n1×n2.
 */
export async function ntkFeatureKernelOn(b: Backend, z1: Float64Array, z2: Float64Array | null, w: Float64Array, d: number,
  activation: ActivationName, opts: BackendKernelOptions = {}): Promise<Float64Array> {
  const fn = 'ntkFeatureKernelOn';
  const chunk = chunkOf(fn, opts);
  return b.scope(async () => {
    const { m1, m2, k } = points(fn, b, z1, z2, w, d);
    const inner = b.matmul(m1, m2 ?? m1, { transB: true });
    return Float64Array.from(await b.read(b.binary('mul', inner, projectedGram(b, m1, m2, w, d, k, chunk, activation, true))));
  });
}

/** The point sets of an analytic kernel, uploaded (z2 null: z1 again), with their row counts. */
function pointPair(fn: string, b: Backend, x1: Float64Array, x2: Float64Array | null, d: number): { m1: Mat; m2: Mat; n1: number; n2: number } {
  const n1 = matrixRows(fn, 'x1', x1, d);
  const n2 = x2 ? matrixRows(fn, 'x2', x2, d) : n1;
  const m1 = b.upload(Float32Array.from(x1), n1, d);
  return { m1, m2: x2 ? b.upload(Float32Array.from(x2), n2, d) : m1, n1, n2 };
}

/** A 1×1 constant for scalar broadcasts. */
const scalar = (b: Backend, v: number): Mat => b.upload([v], 1, 1);

/** Linear kernel bias + scale·x·x′ on a backend (as linearKernel): x1 (n1×d), x2 (n2×d or null) → n1×n2. */
export async function linearKernelOn(b: Backend, x1: Float64Array, x2: Float64Array | null, d: number, opts: LinearKernelOptions = {}): Promise<Float64Array> {
  const fn = 'linearKernelOn';
  const scale = opts.scale ?? 1;
  const bias = opts.bias ?? 0;
  if (!Number.isFinite(scale) || !Number.isFinite(bias)) throw new ArgumentError(`${fn}: scale and bias must be finite, got scale = ${scale}, bias = ${bias}`);
  return b.scope(async () => {
    const { m1, m2 } = pointPair(fn, b, x1, x2, d);
    return Float64Array.from(await b.read(b.binary('add', b.matmul(m1, m2, { transB: true, alpha: scale }), scalar(b, bias))));
  });
}

/**
 * RBF kernel σ²·exp(−‖x − x′‖²/(2ℓ²)) on a backend (as rbfKernel), through ‖x‖² + ‖x′‖² − 2x·x′ clamped at 0
 * (the f32 cancellation for near-equal points costs absolute accuracy ~1e-7·‖x‖², not relative).
 */
export async function rbfKernelOn(b: Backend, x1: Float64Array, x2: Float64Array | null, d: number, opts: RbfKernelOptions = {}): Promise<Float64Array> {
  const fn = 'rbfKernelOn';
  const ell = opts.lengthscale ?? Math.sqrt(d);
  const variance = opts.variance ?? 1;
  if (!(ell > 0 && Number.isFinite(ell))) throw new ArgumentError(`${fn}: lengthscale must be finite and > 0, got ${ell}`);
  if (!(variance > 0 && Number.isFinite(variance))) throw new ArgumentError(`${fn}: variance must be finite and > 0, got ${variance}`);
  return b.scope(async () => {
    const { m1, m2 } = pointPair(fn, b, x1, x2, d);
    const sq1 = b.reduce('sumSq', m1, 1); // n1×1
    const sq2 = b.transpose(b.reduce('sumSq', m2, 1)); // 1×n2
    const dist = b.binary('max', b.binary('add', b.binary('add', b.matmul(m1, m2, { transB: true, alpha: -2 }), sq1, 'col'), sq2, 'row'), scalar(b, 0));
    const k = b.binary('mul', b.unary('exp', b.binary('mul', dist, scalar(b, -1 / (2 * ell * ell)))), scalar(b, variance));
    return Float64Array.from(await b.read(k));
  });
}

/**
 * NNGP and NTK of a fully connected ReLU net of `depth` hidden layers on a backend (as arccosKernels, the
 * arc-cosine recursion of src/kernel/arccos.ts): the Gram matrix by matmul, each layer's map element-wise
 * (acos, sin = √(1 − cos²)); the diagonal chains Σˡ(x, x) are computed on the host (n numbers per layer).
 * In f32 the angle of nearly parallel inputs (θ → 0, the diagonal) is only good to about √(2·2⁻²⁴) ≈ 3e-4
 * (acos′ is unbounded at 1), which puts ~5e-5 relative error into the NTK's (π − θ) factor.
 */
export async function arccosKernelsOn(b: Backend, x1: Float64Array, x2: Float64Array | null, d: number, opts: ArcCosineOptions = {}): Promise<ArcCosineKernels> {
  const fn = 'arccosKernelsOn';
  const { depth, sw, sb } = arcCosineSettings(fn, opts);
  return b.scope(async () => {
    const { m1, m2, n1, n2 } = pointPair(fn, b, x1, x2, d);
    const q1 = diagonalChain(x1, n1, d, depth, sw, sb);
    const q2 = x2 ? diagonalChain(x2, n2, d, depth, sw, sb) : q1;
    const c = (v: number): Mat => scalar(b, v);
    let sigma = b.binary('add', b.matmul(m1, m2, { transB: true, alpha: sw / d }), c(sb));
    let theta = sigma;
    for (let l = 0; l < depth; l++) {
      // √(Σˡ(x, x)·Σˡ(y, y)) as an outer product; where it is 0 (a zero input, σ_b = 0) Σˡ(x, y) is 0 too and the
      // floor makes the cosine 0, as on the host.
      const norm = b.unary('sqrt', b.matmul(b.upload(q1[l]!, n1, 1), b.upload(q2[l]!, 1, n2)));
      const cos = b.binary('max', b.binary('min', b.binary('div', sigma, b.binary('max', norm, c(1e-30))), c(1)), c(-1));
      const angle = b.unary('acos', cos);
      // The broadcast operand is always the second: 1 − cos² as −(cos² − 1), π − θ as −(θ − π).
      const sin = b.unary('sqrt', b.binary('max', b.unary('neg', b.binary('sub', b.unary('square', cos), c(1))), c(0)));
      const rest = b.unary('neg', b.binary('sub', angle, c(Math.PI))); // π − θ
      const shape = b.binary('add', sin, b.binary('mul', rest, cos)); // sin θ + (π − θ) cos θ
      sigma = b.binary('add', b.binary('mul', b.binary('mul', norm, shape), c(sw / (2 * Math.PI))), c(sb));
      const dot = b.binary('mul', rest, c(1 / (2 * Math.PI)));
      theta = b.binary('add', sigma, b.binary('mul', b.binary('mul', theta, dot), c(sw)));
    }
    return { nngp: Float64Array.from(await b.read(sigma)), ntk: Float64Array.from(await b.read(theta)) };
  });
}
