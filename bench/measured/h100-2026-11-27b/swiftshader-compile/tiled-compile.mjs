// Compile time on the local adapter (first product, compile included) of the six tiled variants webgpu-engine.test.ts forces.
// Usage: FL_DIST=/abs/path/to/dist/featurelab.js node tiled-compile.mjs   (old: a worktree of 05b4936 after npm run build)
const { createWebGpuBackend } = await import(process.env.FL_DIST);
import * as dawn from 'webgpu';
Object.assign(globalThis, dawn.globals);
const gpu = dawn.create([]);
function rnd(n, seed) { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 2 ** 32) - 0.5; } return a; }
const variants = [
  { wg: 8, tk: 16, split: 1, prefetch: true }, { wg: 8, tk: 32, split: 2, prefetch: true }, { wg: 16, tk: 8, split: 4, prefetch: true },
  { wg: 8, tk: 8, split: 3, prefetch: false }, { wg: 16, tk: 32, split: 1, prefetch: true }, { wg: 16, tk: 16, split: 2, prefetch: false },
];
let total = 0;
for (const v of variants) {
  const be = await createWebGpuBackend(gpu, { adapterKind: 'hardware', matmulVariant: () => ({ kernel: 'tiled', vecA: true, vecB: true, ...v }) });
  const m = 68, k = 64, n = 72;
  const A = be.upload(rnd(m * k, 1), m, k), B = be.upload(rnd(k * n, 2), k, n);
  const t0 = performance.now();
  await be.read(be.matmul(A, B, {}));
  const ms = performance.now() - t0;
  total += ms;
  console.log(`${JSON.stringify(v)} ${ms.toFixed(0)} ms`);
  be.dispose();
}
console.log(`total ${(total / 1000).toFixed(1)} s`);
process.exit(0);
