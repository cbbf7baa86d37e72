/**
 * Linear-algebra benchmark: Cholesky + two triangular solves (one right-hand side, as kernel regression with
 * one target) at N = 1000, 2000, 4000 and symmetric eigendecomposition at p = 256, 512, 1024, with the
 * peers in the same run:
 *   f64 wasm     featurelab's f64 path (src/linalg/wasmLinalg.ts), one thread
 *   wasm1/wasmN  Backend.cholesky + solveTriangular (f32, blocked, src/backend/base.ts) on the WASM backend
 *                with 1 thread / all threads
 *   webgpu       the same on the WebGPU backend (Dawn; SwiftShader on a machine without GPU)
 *   jax wasm     jax-js wasm cholesky + triangularSolve (f32, 1 thread in Node)
 *   scipy f32    SciPy/LAPACK through python3, one thread (OPENBLAS_NUM_THREADS=1) — optional: used when
 *                python3 with scipy is on the machine, marked n/a otherwise
 * Also the kernel-matrix construction rate: an RF kernel φ(ZVᵀ)φ(ZVᵀ)ᵀ (two products and a ReLU) in GFLOP/s
 * on each backend. Prints seconds (best of --reps after one warm-up) and the ratios of the issue's targets:
 * ≥ 10× jax-js wasm at N = 2000, within 5× of SciPy f32 (one thread).
 *
 * Run: `npm run bench -- linalg [--sizes=1000,2000,4000] [--eigen=256,512,1024] [--reps=3]
 *       [--engines=f64,wasm1,wasmN,webgpu,jax,scipy] [--out=DIR]`.
 */
import { spawnSync } from 'node:child_process';
import * as jax from '@jax-js/jax';
import type { Backend } from '../src/backend/types.js';
import { cholesky, initLinalg, solveCholesky, symmetricEigen } from '../src/linalg/wasmLinalg.js';
import { benchOptions, errorMessage, runMain, setupNodeGpu, wholeOption, writeReport } from './peers/common.js';

/** Parses `--name=a,b` (read through `option`, from benchOptions) into whole numbers ≥ 1. */
function listOption(option: (name: string, fallback: string) => string, name: string, fallback: number[]): number[] {
  const text = option(name, '');
  return text === '' ? fallback : text.split(',').map((x) => wholeOption(name, x, 1));
}

/**
 * A symmetric, diagonally dominant (so positive-definite) matrix in O(n²): off-diagonal entries uniform in
 * ±0.5/n, diagonal 1. The values do not matter for timing; an O(n³) Gram matrix took minutes at n = 4000.
 */
function spd(n: number): Float64Array {
  const a = new Float64Array(n * n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      a[i * n + j] = a[j * n + i] = (s / 2 ** 32 - 0.5) / n;
    }
    a[i * n + i] = 1;
  }
  return a;
}

/** Best wall time (seconds) of `reps` runs of fn (awaited), after one warm-up. */
async function time(fn: () => unknown, reps: number): Promise<number> {
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
async function jaxCholeskySolve(a: Float32Array, n: number): Promise<void> {
  const np = jax.numpy;
  const A = np.array(a, { device: 'wasm' }).reshape([n, n]);
  const b = np.array(new Float32Array(n).fill(1), { device: 'wasm' }).reshape([n, 1]);
  const l = jax.lax.linalg.cholesky(A);
  const y = jax.lax.linalg.triangularSolve(l.ref, b, { leftSide: true, lower: true });
  const x = jax.lax.linalg.triangularSolve(l, y, { leftSide: true, lower: true, transposeA: true });
  await x.data();
}

/** Cholesky + L·y = b + Lᵀ·x = y on a featurelab backend, A already uploaded; waits for x. */
async function backendCholeskySolve(b: Backend, a: ReturnType<Backend['upload']>, rhs: ReturnType<Backend['upload']>): Promise<void> {
  await b.scope(async () => {
    const l = b.cholesky(a);
    const x = b.solveTriangular(l, b.solveTriangular(l, rhs), { transpose: true });
    await b.read(x);
  });
}

/** SciPy f32 cho_factor + cho_solve, one thread, best of `reps` (seconds), or why it is unavailable. */
function scipyCholeskySolve(n: number, reps: number): { seconds: number | null; note: string } {
  const script = `
import sys, time, numpy as np, scipy.linalg as sl
n, reps = ${n}, ${reps}
rng = np.random.default_rng(0)
m = (rng.random((n, n)) - 0.5)
a = (m.T @ m / n + np.eye(n)).astype(np.float32)
b = np.ones((n, 1), np.float32)
best = 1e9
for r in range(reps + 1):
    t = time.perf_counter(); c = sl.cho_factor(a, lower=True, check_finite=False); x = sl.cho_solve(c, b, check_finite=False); t = time.perf_counter() - t
    if r: best = min(best, t)
print(best)
`;
  const run = spawnSync('python3', ['-c', script], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, encoding: 'utf8', timeout: 300_000,
  });
  if (run.error) return { seconds: null, note: `python3 unavailable (${run.error.message})` };
  if (run.status !== 0) return { seconds: null, note: `scipy unavailable: ${(run.stderr || '').trim().split('\n').pop()}` };
  return { seconds: Number(run.stdout.trim()), note: 'SciPy cho_factor/cho_solve, f32, OPENBLAS_NUM_THREADS=1' };
}

interface Row { engine: string; n: number; seconds: number | null; note: string }

async function main(): Promise<void> {
  const option = benchOptions(['reps', 'sizes', 'engines', 'out', 'eigen']);
  const reps = listOption(option, 'reps', [3])[0]!;
  const sizes = listOption(option, 'sizes', [1000, 2000, 4000]);
  const engines = option('engines', 'f64,wasm1,wasmN,webgpu,jax,scipy').split(',');
  const out = option('out', 'bench/results');
  await initLinalg();
  const { createWasmBackend } = await import('../src/backend/wasm/wasmBackend.js');
  const backends: [string, Backend | string][] = [];
  for (const id of ['wasm1', 'wasmN', 'webgpu']) {
    if (!engines.includes(id)) continue;
    try {
      if (id === 'webgpu') {
        const { gpu, ok, adapter } = await setupNodeGpu();
        if (!ok) throw new Error(adapter);
        const { createWebGpuBackend } = await import('../src/backend/webgpu/webgpuBackend.js');
        backends.push([id, await createWebGpuBackend(gpu)]);
      } else {
        backends.push([id, await createWasmBackend({ threads: id === 'wasm1' ? 1 : 'auto' })]);
      }
    } catch (e) {
      backends.push([id, `unavailable: ${errorMessage(e)}`]);
    }
  }
  const jaxReady = engines.includes('jax') && (await jax.init('wasm')).includes('wasm');
  console.log('featurelab linear-algebra benchmark: Cholesky + 2 triangular solves (1 right-hand side), best of', reps);
  for (const [id, b] of backends) console.log(`  ${id.padEnd(7)} ${typeof b === 'string' ? b : b.description}`);
  console.log(`  f64     featurelab f64 wasm path (1 thread)${engines.includes('f64') ? '' : ' — not run'}`);
  console.log(`  jax     ${jaxReady ? 'jax-js wasm (f32, 1 thread in Node)' : 'not run'}`);

  const rows: Row[] = [];
  for (const n of sizes) {
    const a = spd(n);
    const a32 = Float32Array.from(a);
    const add = (engine: string, seconds: number | null, note = ''): void => {
      rows.push({ engine, n, seconds, note });
      const gflops = seconds ? ` (${((n ** 3 / 3) / seconds / 1e9).toFixed(1)} GFLOP/s in the factor's n³/3)` : '';
      console.log(`N=${String(n).padEnd(5)} ${engine.padEnd(7)} ${seconds === null ? 'n/a' : `${seconds.toFixed(3)} s`}${gflops}${note ? `  ${note}` : ''}`);
    };
    if (engines.includes('f64')) {
      const rhs = new Float64Array(n).fill(1);
      add('f64', await time(() => solveCholesky(cholesky(a, n), n, rhs, 1), reps));
    }
    for (const [id, b] of backends) {
      if (typeof b === 'string') {
        add(id, null, b);
        continue;
      }
      const am = b.upload(a32, n, n);
      const rhs = b.upload(new Float32Array(n).fill(1), n, 1);
      // SwiftShader runs the products at ~2 GFLOP/s: one repetition above N = 1000.
      const r = id === 'webgpu' && b.description.includes('software') && n > 1000 ? 1 : reps;
      add(id, await time(() => backendCholeskySolve(b, am, rhs), r));
      b.free(am, rhs);
    }
    if (jaxReady) add('jax', n > 2000 ? null : await time(() => jaxCholeskySolve(a32, n), Math.min(reps, 2)), n > 2000 ? 'skipped above N = 2000 (tens of seconds)' : '');
    if (engines.includes('scipy')) {
      const s = scipyCholeskySolve(n, reps);
      add('scipy', s.seconds, s.seconds === null ? s.note : '');
    }
  }

  console.log('\nratios (same run): speed of featurelab wasm1 (f32, one thread) against the peers');
  const at = (engine: string, n: number): number | null => rows.find((r) => r.engine === engine && r.n === n)?.seconds ?? null;
  for (const n of sizes) {
    const fl = at('wasm1', n);
    const jx = at('jax', n);
    const sp = at('scipy', n);
    const parts = [
      fl && jx ? `jax-js wasm / fl wasm1 = ${(jx / fl).toFixed(1)}×${n === 2000 ? ` (target ≥ 10: ${jx / fl >= 10 ? 'met' : 'NOT met'})` : ''}` : null,
      fl && sp ? `fl wasm1 / scipy f32 = ${(fl / sp).toFixed(1)}× slower (target ≤ 5: ${fl / sp <= 5 ? 'met' : 'NOT met'})` : null,
      fl && at('f64', n) ? `f64 path / fl wasm1 = ${(at('f64', n)! / fl).toFixed(1)}×` : null,
    ].filter(Boolean);
    console.log(`  N=${n}: ${parts.join('; ') || '–'}`);
  }

  const eigen: { p: number; seconds: number }[] = [];
  for (const p of listOption(option, 'eigen', [256, 512, 1024])) {
    const a = spd(p);
    const seconds = await time(() => symmetricEigen(a, p), p > 512 ? 1 : reps);
    eigen.push({ p, seconds });
    console.log(`symmetricEigen (f64 wasm) p=${p}: ${seconds.toFixed(3)} s`);
  }

  // Kernel-matrix construction: K = φ(Z·Vᵀ)·φ(Z·Vᵀ)ᵀ for N = 2000 points in d = 400 with k = 2000 ReLU features.
  const kernelRates: { engine: string; gflops: number }[] = [];
  const [N, d, k] = [2000, 400, 2000];
  const z = Float32Array.from({ length: N * d }, (_, i) => Math.sin(i));
  const v = Float32Array.from({ length: k * d }, (_, i) => Math.cos(i * 1.3));
  for (const [id, b] of backends) {
    if (typeof b === 'string') continue;
    const zm = b.upload(z, N, d);
    const vm = b.upload(v, k, d);
    const seconds = await time(() => b.scope(async () => {
      const f = b.matmul(zm, vm, { transB: true, act: 'relu' });
      await b.read(b.matmul(f, f, { transB: true }));
    }), id === 'webgpu' && b.description.includes('software') ? 1 : reps);
    const gflops = (2 * N * d * k + 2 * N * N * k) / seconds / 1e9;
    kernelRates.push({ engine: id, gflops });
    console.log(`RF kernel matrix N=${N}, d=${d}, k=${k} ReLU features on ${id}: ${seconds.toFixed(3)} s, ${gflops.toFixed(1)} GFLOP/s`);
    b.free(zm, vm);
  }
  for (const [, b] of backends) if (typeof b !== 'string') b.dispose();
  const stamp = new Date().toISOString().replace(/[:]/g, '-');
  writeReport(out, 'linalg', stamp, {
    engines: backends.map(([id, b]) => ({ id, description: typeof b === 'string' ? b : b.description })),
    cholesky: rows, eigen, kernelRates,
  }, 0);
}

runMain(main);
