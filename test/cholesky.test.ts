/**
 * The backends' blocked Cholesky and triangular solves (Backend.cholesky / solveTriangular, driven by
 * src/backend/base.ts): residuals ‖A − LLᵀ‖/‖A‖ and ‖LX − B‖, agreement with the independent f64 WASM path
 * (src/linalg/wasmLinalg.ts), sizes across the 64-column blocks and the 256-row bands (1 … 330), the upper
 * triangle of the input ignored, and the failing pivot of a matrix that is not positive definite.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotPositiveDefiniteError } from '../dist/featurelab.js';
import { cholesky as choleskyF64, initLinalg } from '../src/linalg/wasmLinalg.js';
import type { Backend } from '../src/index.js';
import { ref, runtime, testBackends } from './support/backends.js';
import { rng } from './support/random.js';
import { BLOCKED_TOL, LINALG_TOL } from './tolerances.js';

await initLinalg();
const s = suite(`blocked cholesky and triangular solves [${runtime}]`);

/** G·Gᵀ/k + shift·I for G (n×k) uniform in [−1, 1) drawn from r. */
function shiftedGram(r: () => number, n: number, k: number, shift: number): Float64Array {
  const g = Float64Array.from({ length: n * k }, () => 2 * r() - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += g[i * k + p]! * g[j * k + p]!;
      a[i * n + j] = a[j * n + i] = sum / k + (i === j ? shift : 0);
    }
  }
  return a;
}

/** A = G·Gᵀ/k + ½·I (k = n + 8) rounded to f32, and a copy with noise in the upper triangle (which must be ignored). */
function spd(seed: number, n: number): { a: Float64Array; noisy: Float32Array } {
  const r = rng(seed);
  const a = shiftedGram(r, n, n + 8, 0.5);
  // The matrix the backend sees: f32-rounded, symmetric from its lower triangle; its upper triangle is noise.
  const exact = Float64Array.from(Float32Array.from(a));
  const noisy = Float32Array.from(a);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) noisy[i * n + j] = 1e3 * (2 * r() - 1);
  return { a: exact, noisy };
}

function frob(x: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < x.length; i++) t += x[i]! * x[i]!;
  return Math.sqrt(t);
}

/** ‖A − L·Lᵀ‖/‖A‖ with A taken symmetric from its lower triangle. */
function factorResidual(a: Float64Array, l: ArrayLike<number>, n: number): number {
  let num = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p <= Math.min(i, j); p++) sum += l[i * n + p]! * l[j * n + p]!;
      num += (a[i * n + j]! - sum) ** 2;
    }
  }
  return Math.sqrt(num) / frob(a);
}

const SIZES = [1, 3, 17, 64, 65, 127, 257, 330];

/** Reads a result at the backend's precision (ref keeps f64; read() would round it to f32). */
async function readBack(b: Backend, m: ReturnType<Backend['cholesky']>): Promise<ArrayLike<number>> {
  return b.name === 'ref' ? ref.readF64(m) : b.read(m);
}

for (const b of [ref as unknown as Backend, ...testBackends]) {
  const f32 = b.name !== 'ref';
  const tol = f32 ? BLOCKED_TOL : { cholesky: LINALG_TOL.cholesky * 100, factor: 1e-12, triangular: 1e-12, solution: 1e-10 };

  s(`${b.name}: L·Lᵀ = A, L lower with a zero upper triangle, L equal to the f64 factor (n = ${SIZES.join(', ')})`, async () => {
    for (const [idx, n] of SIZES.entries()) {
      const { a, noisy } = spd(10 + idx, n);
      const l = await b.scope(async () => readBack(b, b.cholesky(b.upload(noisy, n, n))));
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.is(l[i * n + j], 0, `n = ${n}: L[${i}, ${j}] is ${l[i * n + j]}, not 0`);
      const res = factorResidual(a, l, n);
      assert.ok(res <= tol.cholesky, `n = ${n}: ‖A − LLᵀ‖/‖A‖ = ${res.toExponential(2)} > ${tol.cholesky}`);
      const want = choleskyF64(a, n);
      let diff = 0;
      for (let i = 0; i < n * n; i++) diff += (l[i]! - want[i]!) ** 2;
      assert.ok(Math.sqrt(diff) / frob(want) <= tol.factor, `n = ${n}: ‖L − L_f64‖/‖L‖ = ${(Math.sqrt(diff) / frob(want)).toExponential(2)}`);
    }
  });

  s(`${b.name}: solveTriangular L·X = B and Lᵀ·X = B against f64 substitution (n = 3, 65, 257; 1 and 5 right-hand sides)`, async () => {
    for (const [idx, n] of [3, 65, 257].entries()) {
      const { a } = spd(30 + idx, n);
      const lf = choleskyF64(a, n);
      for (const r of [1, 5]) {
        const rhs = Float64Array.from({ length: n * r }, rng(50 + n + r));
        for (const transpose of [false, true]) {
          const x = await b.scope(async () => readBack(b, b.solveTriangular(b.upload(Float32Array.from(lf), n, n), b.upload(Float32Array.from(rhs), n, r), { transpose })));
          // f64 substitution with the f32-rounded L the backend saw.
          const lr = Float64Array.from(Float32Array.from(lf));
          const want = new Float64Array(n * r);
          for (let c = 0; c < r; c++) {
            const order = transpose ? [...Array(n).keys()].reverse() : [...Array(n).keys()];
            for (const i of order) {
              let sum = Math.fround(rhs[i * r + c]!);
              for (let p = 0; p < n; p++) {
                const lip = transpose ? lr[p * n + i]! : lr[i * n + p]!;
                if (p !== i && lip !== 0) sum -= lip * want[p * r + c]!;
              }
              want[i * r + c] = sum / lr[i * n + i]!;
            }
          }
          let diff = 0;
          for (let i = 0; i < n * r; i++) diff += (x[i]! - want[i]!) ** 2;
          const rel = Math.sqrt(diff) / frob(want);
          assert.ok(rel <= tol.solution, `n = ${n}, r = ${r}, transpose ${transpose}: ‖X − X_f64‖/‖X‖ = ${rel.toExponential(2)}`);
        }
      }
    }
  });

  s(`${b.name}: a near-singular matrix (rank-60 Gram + 1e-5·I, condition ~1e5): L·Lᵀ = A to f32 backward accuracy`, async () => {
    const n = 100;
    const a = Float64Array.from(Float32Array.from(shiftedGram(rng(77), n, 60, 1e-5)));
    const l = await b.scope(async () => readBack(b, b.cholesky(b.upload(Float32Array.from(a), n, n))));
    const res = factorResidual(a, l, n);
    assert.ok(res <= tol.cholesky, `‖A − LLᵀ‖/‖A‖ = ${res.toExponential(2)}`);
  });

  s(`${b.name}: a matrix that is not positive definite fails at its pivot (70 of 130)`, async () => {
    const n = 130;
    const a = new Float32Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = i === 70 ? -1 : 2;
    for (let i = 1; i < n; i++) a[i * n + i - 1] = 0.5;
    if (b.name === 'webgpu') {
      // The GPU cannot throw while recording: the factor is NaN from the failing pivot on.
      const l = await b.scope(async () => b.read(b.cholesky(b.upload(a, n, n))));
      for (let i = 0; i < 70; i++) assert.ok(Number.isFinite(l[i * n + i]!), `pivot ${i} finite`);
      assert.ok(Number.isNaN(l[70 * n + 70]!), `pivot 70 is NaN, got ${l[70 * n + 70]}`);
      return;
    }
    b.scope(() => {
      assert.throws(() => b.cholesky(b.upload(a, n, n)), (e: Error) => e instanceof NotPositiveDefiniteError && /pivot 70 \(of 130\)/.test(e.message) && /ridge/.test(e.message));
    });
  });
}

s.run();
