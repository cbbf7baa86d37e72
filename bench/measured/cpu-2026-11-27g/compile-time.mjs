// Compile time (first product, compile included) of forced register-blocked arrangements, and run time of picked ones.
// Usage: [FL_DIST=path/to/featurelab.js] node compile-time.mjs '[{"rb":2,"cb":2,"vec":true,"act":"gelu"},…]' '[[m,k,n,transA,transB],…]'
const { createWebGpuBackend } = await import(process.env.FL_DIST ?? '../../../dist/featurelab.js');
import * as dawn from 'webgpu';
Object.assign(globalThis, dawn.globals);
const gpu = dawn.create([]);
const cases = JSON.parse(process.argv[2] ?? '[]');
const runShapes = JSON.parse(process.argv[3] ?? '[]');
function rnd(n, seed) { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 2 ** 32) - 0.5; } return a; }
for (const c of cases) {
  const be = await createWebGpuBackend(gpu, { matmulVariant: (shape) => ({ kernel: 'regblock', vecA: c.vec, vecB: c.vec, wx: c.wx ?? 8, wy: c.wy ?? 8, rb: c.rb, cb: c.cb }) });
  const m = 36, k = c.vec ? 36 : 35, n = 36;
  const A = be.upload(rnd(m * k, 1), m, k), B = be.upload(rnd(k * n, 2), k, n);
  const bias = be.upload(rnd(n, 3), 1, n);
  const t0 = performance.now();
  const opts = c.act ? { bias, act: c.act } : c.fused ? { bias } : {};
  const out = be.matmul(A, B, opts);
  await be.read(out);
  console.log(`compile+run ${(performance.now() - t0).toFixed(0)} ms ${JSON.stringify(c)}`);
  be.dispose();
}
for (const [m, k, n, tA, tB] of runShapes) {
  const be = await createWebGpuBackend(gpu, {});
  const A = be.upload(rnd(m * k, 1), tA ? k : m, tA ? m : k), B = be.upload(rnd(k * n, 2), tB ? n : k, tB ? k : n);
  let out = be.matmul(A, B, { transA: tA, transB: tB }); await be.read(out); be.free(out);
  const times = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    const reps = 5;
    for (let i = 0; i < reps; i++) { out = be.matmul(A, B, { transA: tA, transB: tB }); if (i < reps - 1) be.free(out); }
    await be.read(out); be.free(out);
    times.push((performance.now() - t0) / reps);
  }
  times.sort((x, y) => x - y);
  const ms = times[3];
  console.log(`run ${m}x${k}x${n} tA=${tA} tB=${tB}: median ${ms.toFixed(2)} ms, ${(2 * m * k * n / ms / 1e6).toFixed(2)} GFLOP/s`);
  be.dispose();
}
process.exit(0);
