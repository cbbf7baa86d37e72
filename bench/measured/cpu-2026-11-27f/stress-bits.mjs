// Bit-identity stress of the team GEMM: random shapes (≥ 2^20 MACs), 1 against 2 and 3 threads, for N seconds.
// Usage (after npm run build): node --experimental-wasm-relaxed-simd bench/measured/cpu-2026-11-27f/stress-bits.mjs [seconds]
import { BackendRegistry } from '../../../dist/featurelab.js';
const mk = async (t) => { const r = new BackendRegistry(); await r.init({ prefer: ['wasm'], wasmThreads: t, log: () => {} }); return r.get('wasm'); };
const [b1, b2, b3] = await Promise.all([mk(1), mk(2), mk(3)]);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
let bad = 0, total = 0;
const t0 = performance.now();
while (performance.now() - t0 < Number(process.argv[2] ?? 60) * 1000) {
  const m = 1 + Math.floor(Math.abs(rnd()) * 2 * 300), k = 1 + Math.floor(Math.abs(rnd()) * 2 * 1300), n = 1 + Math.floor(Math.abs(rnd()) * 2 * 2300);
  if (m * n * k < (1 << 20)) continue;
  const A = Float32Array.from({ length: m * k }, rnd), B = Float32Array.from({ length: k * n }, rnd);
  const res = [];
  for (const b of [b1, b2, b3]) { const a = b.upload(A, m, k), bb = b.upload(B, k, n); const o = b.matmul(a, bb); res.push(new Uint32Array((await b.read(o)).buffer)); b.free(a, bb, o); }
  total++;
  for (const r of res.slice(1)) if (r.some((v, i) => v !== res[0][i])) { bad++; console.log('MISMATCH', m, k, n); }
}
console.log(`${total} products, ${bad} mismatches`);
process.exit(0);
