/**
 * The empirical NTK of a two-layer network f(z) = (1/√k)·aᵀ·act(W z) with respect to its first layer W
 * (a fixed), computed from per-sample gradients by the autograd tape: Θ(z_i, z_j) = ⟨∂f(z_i)/∂W, ∂f(z_j)/∂W⟩.
 * Since ∂f/∂w_j = (1/√k)·a_j·act′(w_j·z)·z, it equals (z·z′)·(1/k)·Σ_j a_j²·act′(w_j·z)·act′(w_j·z′): with
 * a_j = ±1 the NTK feature kernel of the spec (z ⊗ act′(Wz), src/kernel/features.ts), for any W — trained
 * or not. This module computes it the slow, definitional way, to check the feature form against autograd.
 */
import { Tape } from '../autograd/tape.js';
import type { Backend, Mat } from '../backend/types.js';
import { ArgumentError, ShapeError } from '../errors.js';

/** Activations the tape can differentiate here. */
export type EmpiricalNtkActivation = 'relu' | 'tanh';

/** Per-sample gradients ∂f(z_i)/∂W (flattened k·d each) of f(z) = (1/√k)·aᵀ·act(W z), stacked n × k·d. */
export async function firstLayerJacobian(b: Backend, w: Mat, a: Mat, z: Float64Array, act: EmpiricalNtkActivation): Promise<Float64Array> {
  const fn = 'firstLayerJacobian';
  const [k, d] = [w.rows, w.cols];
  if (a.rows !== k || a.cols !== 1) throw new ShapeError(`${fn}: a must be ${k}×1 (one output weight per hidden unit), got ${a.rows}×${a.cols}`);
  if (z.length % d !== 0) throw new ShapeError(`${fn}: z has ${z.length} values, not a whole number of rows of d = ${d}`);
  if (act !== 'relu' && act !== 'tanh') throw new ArgumentError(`${fn}: act must be 'relu' or 'tanh', got '${String(act)}'`);
  const n = z.length / d;
  const jac = new Float64Array(n * k * d);
  for (let i = 0; i < n; i++) {
    const tape = new Tape(b);
    const zm = b.upload(Float32Array.from(z.subarray(i * d, (i + 1) * d)), 1, d);
    try {
      const wv = tape.param(w);
      const zi = tape.input(zm);
      const hidden = tape.unary(act, tape.matmul(zi, wv, { transB: true })); // 1×k
      const out = tape.scale(tape.matmul(hidden, tape.input(a)), 1 / Math.sqrt(k)); // 1×1
      tape.backward(out);
      const g = tape.grad(wv);
      if (g) jac.set(await b.read(g), i * k * d);
    } finally {
      tape.dispose();
      b.free(zm);
    }
  }
  return jac;
}

/** Θ = J·Jᵀ (n×n) from firstLayerJacobian: the empirical NTK of the first layer. */
export async function empiricalFirstLayerNtk(b: Backend, w: Mat, a: Mat, z: Float64Array, act: EmpiricalNtkActivation): Promise<Float64Array> {
  const jac = await firstLayerJacobian(b, w, a, z, act);
  const n = z.length / w.cols;
  const m = w.rows * w.cols;
  const theta = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < m; p++) s += jac[i * m + p]! * jac[j * m + p]!;
      theta[i * n + j] = theta[j * n + i] = s;
    }
  }
  return theta;
}
