/**
 * Random-feature and NTK kernel matrices built on a backend (WGSL on WebGPU, AssemblyScript on WASM): the
 * same kernels as src/kernel/features.ts (spec spurious-memorization.md, "Random features", "NTK features"),
 * with the products as matmuls and the activations as element-wise ops, the features taken in chunks so
 * that no more than n·chunk of them exist at once. Results come back as f64 arrays (computed in f32).
 */
import type { Backend, Mat } from '../backend/types.js';
import { ArgumentError } from '../errors.js';
import type { ActivationName } from './hermite.js';
import { matrixRows } from './features.js';

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
