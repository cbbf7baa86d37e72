// Two WASM threads against one on n×n products, outside the bench (no peers in the process), with per-product times.
// Usage (after npm run build): node --experimental-wasm-relaxed-simd bench/measured/cpu-2026-11-27d/threads.mjs [n] [reps] [1|auto|both]
// Prints, for 1 thread and/or all threads (default both), the median GFLOP/s and each product's milliseconds. Two
// copies with '1' started together show whether the box gives two cores' worth at that moment.
import { disposeAll, getBackend, init } from '../../../dist/featurelab.js';

const n = Number(process.argv[2] ?? 1024);
const reps = Number(process.argv[3] ?? 20);
const which = process.argv[4] ?? 'both';
for (const threads of which === 'both' ? [1, 'auto'] : [which === '1' ? 1 : 'auto']) {
  await init({ prefer: ['wasm'], wasmThreads: threads, log: () => {} });
  const b = getBackend('wasm');
  const a = b.upload(Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), n, n);
  const c = b.upload(Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 997) / 997 - 0.5), n, n);
  const warm = b.matmul(a, c); // one product before timing (compilation tiers, heap)
  await b.read(warm);
  b.free(warm);
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = b.matmul(a, c);
    await b.read(out);
    ms.push(performance.now() - t0);
    b.free(out);
  }
  const median = [...ms].sort((x, y) => x - y)[ms.length >> 1];
  console.log(`n = ${n}, ${b.description}: median ${(2 * n ** 3 / median / 1e6).toFixed(1)} GFLOP/s; ms per product: ${ms.map((t) => t.toFixed(0)).join(' ')}`);
  b.free(a, c);
  disposeAll();
}
