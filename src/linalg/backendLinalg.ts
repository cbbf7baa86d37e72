/**
 * Positive-definite solves on a backend (WebGPU or WASM, f32) made accurate: the backend's blocked Cholesky
 * (Backend.cholesky, src/backend/base.ts) factors A once in f32; iterative refinement then computes the
 * residual r = b − A·x on the host in f64 and solves for the correction with the same factor, until the
 * backward error reaches f64 level — the middle road between an f32 GPU solve and the f64 WASM path
 * (src/linalg/wasmLinalg.ts) that the spec's pitfalls ask for. Refinement converges when cond(A)·2⁻²⁴ < 1;
 * beyond that it stops, says so (`converged: false`), and the caller should use the f64 path.
 */
import type { Backend, Mat } from '../backend/types.js';
import { ArgumentError, NotPositiveDefiniteError, ShapeError } from '../errors.js';

/** Options of solvePositiveDefinite. */
export interface RefinementOptions {
  /** Most refinement steps after the first solve (default 10). */
  maxIterations?: number;
  /** Stop when ‖b − A·x‖ / (‖A‖·‖x‖ + ‖b‖) falls below this (default 1e-14). */
  tolerance?: number;
}

/** The refined solution and how it got there. */
export interface RefinedSolve {
  /** n×r solution (row-major f64). */
  x: Float64Array;
  /** Backward error ‖b − A·x‖_F / (‖A‖_F·‖x‖_F + ‖b‖_F) after the first solve and after each refinement step. */
  backwardErrors: number[];
  /** Refinement steps taken. */
  iterations: number;
  /** Whether the backward error reached the tolerance. */
  converged: boolean;
}

/**
 * The backend's Cholesky factor of `a`, checked: on webgpu a failed pivot leaves NaN on the diagonal from that
 * pivot on (the other backends throw while factoring), which becomes a NotPositiveDefiniteError here.
 */
export async function choleskyChecked(b: Backend, a: Mat): Promise<Mat> {
  const l = b.cholesky(a);
  if (b.name !== 'webgpu') return l;
  const values = await b.read(l);
  const n = a.rows;
  for (let i = 0; i < n; i++) {
    if (!(values[i * n + i]! > 0)) {
      b.free(l);
      throw new NotPositiveDefiniteError(`cholesky: the matrix is not positive definite: pivot ${i} (of ${n}) is not positive. `
        + 'Add a ridge (a multiple of the identity, e.g. 1e-6·trace/n) or use a positive semi-definite kernel');
    }
  }
  return l;
}

/** Frobenius norm. */
function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/**
 * Solves A·x = b for a symmetric positive-definite A (n×n, host f64; its lower triangle is used) and b (n×r)
 * with the backend's f32 Cholesky and f64 iterative refinement (module header).
 */
export async function solvePositiveDefinite(backend: Backend, a: Float64Array, n: number, rhs: Float64Array, r: number,
  opts: RefinementOptions = {}): Promise<RefinedSolve> {
  const fn = 'solvePositiveDefinite';
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) throw new ShapeError(`${fn}: a must be n×n with n = ${n} (got ${a.length} values)`);
  if (!Number.isInteger(r) || r < 1 || rhs.length !== n * r) throw new ShapeError(`${fn}: b must be n×r with n = ${n}, r = ${r} (got ${rhs.length} values)`);
  const maxIterations = opts.maxIterations ?? 10;
  const tolerance = opts.tolerance ?? 1e-14;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new ArgumentError(`${fn}: maxIterations must be an integer ≥ 0, got ${maxIterations}`);
  if (!(tolerance > 0)) throw new ArgumentError(`${fn}: tolerance must be > 0, got ${tolerance}`);
  // A symmetric from its lower triangle, for the f64 residuals.
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) sym[i * n + j] = sym[j * n + i] = a[i * n + j]!;
  const normA = norm(sym);
  const normB = norm(rhs);
  const l = await backend.scope(() => choleskyChecked(backend, backend.upload(Float32Array.from(sym), n, n)));
  try {
    /** The f32 solve L·Lᵀ·d = v on the backend. */
    const solve = (v: Float64Array): Promise<Float32Array> => backend.scope(async () => {
      const y = backend.solveTriangular(l, backend.upload(Float32Array.from(v), n, r));
      return backend.read(backend.solveTriangular(l, y, { transpose: true }));
    });
    const x = Float64Array.from(await solve(rhs));
    const residual = new Float64Array(n * r);
    const backwardError = (): number => {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < r; c++) {
          let s = rhs[i * r + c]!;
          for (let p = 0; p < n; p++) s -= sym[i * n + p]! * x[p * r + c]!;
          residual[i * r + c] = s;
        }
      }
      return norm(residual) / (normA * norm(x) + normB);
    };
    const backwardErrors = [backwardError()];
    let iterations = 0;
    while (backwardErrors.at(-1)! > tolerance && iterations < maxIterations) {
      const d = await solve(residual);
      for (let i = 0; i < x.length; i++) x[i] += d[i]!;
      iterations++;
      backwardErrors.push(backwardError());
      // Not converging (cond(A) too large for an f32 factor): stop rather than spin.
      if (backwardErrors.at(-1)! > 0.5 * backwardErrors.at(-2)!) break;
    }
    return { x, backwardErrors, iterations, converged: backwardErrors.at(-1)! <= tolerance };
  } finally {
    backend.free(l);
  }
}
