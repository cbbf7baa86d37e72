/**
 * Linear-algebra benchmark, f64 WASM path (src/linalg/wasmLinalg.ts), one thread: Cholesky + two
 * triangular solves (one right-hand side, as kernel regression with one target) at N = 1000, 2000, and
 * symmetric eigendecomposition at p = 256, 512. Prints seconds (best of --reps, default 3, after one
 * warm-up per size) and, in the same process, jax-js's wasm Cholesky + two triangular solves (f32, its
 * default dtype) with the ratio. SciPy and the WebGPU path come later (issue 4, Build 7).
 *
 * Run: `npm run bench -- linalg [--sizes=1000,2000] [--eigen=256,512] [--reps=3]`.
 */
import * as jax from '@jax-js/jax';
import { cholesky, solveCholesky, symmetricEigen } from '../src/linalg/wasmLinalg.js';

/** Parses `--name=a,b` into numbers. */
function listOption(name: string, fallback: number[]): number[] {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3).split(',').map(Number) : fallback;
}

/** A = MᵀM/n + I with a cheap pseudo-random M (the values do not matter for timing). */
function spd(n: number): Float64Array {
  const m = new Float64Array(n * n);
  let s = 12345;
  for (let i = 0; i < m.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    m[i] = s / 2 ** 32 - 0.5;
  }
  // A = MᵀM/n via row updates (i-k-j order), then symmetrise and shift.
  const a = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < n; i++) {
      const mpi = m[p * n + i] / n;
      for (let j = 0; j < n; j++) a[i * n + j] += mpi * m[p * n + j];
    }
  }
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return a;
}

/** Best wall time (seconds) of `reps` runs of fn (awaited), after one warm-up. */
async function time(fn: () => void | Promise<void>, reps: number): Promise<number> {
  await fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** jax-js wasm: L = cholesky(A), then L·y = b and Lᵀ·x = y, waiting for the result. */
async function jaxCholeskySolve(a: Float64Array, n: number): Promise<void> {
  const np = jax.numpy;
  const A = np.array(Float32Array.from(a), { device: 'wasm' }).reshape([n, n]);
  const b = np.array(new Float32Array(n).fill(1), { device: 'wasm' }).reshape([n, 1]);
  const l = jax.lax.linalg.cholesky(A);
  const y = jax.lax.linalg.triangularSolve(l.ref, b, { leftSide: true, lower: true });
  const x = jax.lax.linalg.triangularSolve(l, y, { leftSide: true, lower: true, transposeA: true });
  await x.data();
}


const reps = listOption('reps', [3])[0];
const jaxReady = (await jax.init('wasm')).includes('wasm');
console.log(`featurelab f64 wasm (1 thread, f64x2 SIMD); peer: ${jaxReady ? 'jax-js wasm (f32, 1 thread in Node)' : 'jax-js wasm unavailable'}`);
for (const n of listOption('sizes', [1000, 2000])) {
  const a = spd(n);
  const b = new Float64Array(n).fill(1);
  let l: Float64Array = new Float64Array(0);
  const tChol = await time(() => { l = cholesky(a, n); }, reps);
  const tSolve = await time(() => { solveCholesky(l, n, b, 1); }, reps);
  const gflops = n ** 3 / 3 / tChol / 1e9;
  console.log(`cholesky + 2 solves  N=${n}: ${(tChol + tSolve).toFixed(3)} s  (cholesky ${tChol.toFixed(3)} s, ${gflops.toFixed(2)} GFLOP/s; solves ${tSolve.toFixed(4)} s)`);
  if (jaxReady) {
    const tJax = await time(() => jaxCholeskySolve(a, n), Math.min(reps, 2));
    console.log(`  jax-js wasm          N=${n}: ${tJax.toFixed(3)} s  → featurelab / jax-js speed ratio ${(tJax / (tChol + tSolve)).toFixed(1)}× (target ≥ 10× at N = 2000)`);
  }
}
for (const p of listOption('eigen', [256, 512])) {
  const a = spd(p);
  const t = await time(() => { symmetricEigen(a, p); }, reps);
  console.log(`symmetricEigen       p=${p}: ${t.toFixed(3)} s`);
}
