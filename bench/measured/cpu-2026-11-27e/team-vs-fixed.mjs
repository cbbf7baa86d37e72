// Interleaved A/B on one process: 1 thread, 2 threads with the old fixed split, 2 threads with the team GEMM; each
// round times one product of each, so all three see the same moments of a noisy host. Needs the temporary switch
// in fixed-split-switch.diff (git apply it, npm run build; revert after): globalThis.__FIXED picks the old split.
// Usage: node --experimental-wasm-relaxed-simd bench/measured/cpu-2026-11-27e/team-vs-fixed.mjs n reps [MxKxN]
import { BackendRegistry } from '../../../dist/featurelab.js';
const n = Number(process.argv[2] ?? 1024), reps = Number(process.argv[3] ?? 20);
const shape = process.argv[4] ? process.argv[4].split('x').map(Number) : [n, n, n]; // m x k x n
const [M, K, N] = shape;
const r1 = new BackendRegistry(); await r1.init({ prefer: ['wasm'], wasmThreads: 1, log: () => {} });
const r2 = new BackendRegistry(); await r2.init({ prefer: ['wasm'], wasmThreads: 2, log: () => {} });
const b1 = r1.get('wasm'), b2 = r2.get('wasm');
const mk = (b) => [b.upload(Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), M, K),
  b.upload(Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 997) / 997 - 0.5), K, N)];
const [a1, c1] = mk(b1), [a2, c2] = mk(b2);
const time = async (b, a, c, fixed) => { globalThis.__FIXED = fixed; const t0 = performance.now(); const o = b.matmul(a, c); await b.read(o); const t = performance.now() - t0; b.free(o); return t; };
for (let w = 0; w < 3; w++) { await time(b1, a1, c1, false); await time(b2, a2, c2, true); await time(b2, a2, c2, false); }
const T = { one: [], fixed: [], team: [] };
for (let r = 0; r < reps; r++) {
  T.one.push(await time(b1, a1, c1, false));
  T.fixed.push(await time(b2, a2, c2, true));
  T.team.push(await time(b2, a2, c2, false));
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const gf = (t) => (2 * M * N * K / t / 1e6).toFixed(1);
console.log(`${M}x${K}·${K}x${N}: 1 thread ${gf(med(T.one))}, fixed ${gf(med(T.fixed))} (${(med(T.one) / med(T.fixed)).toFixed(2)}x), team ${gf(med(T.team))} (${(med(T.one) / med(T.team)).toFixed(2)}x) GFLOP/s`);
let wins = 0; for (let r = 0; r < reps; r++) if (T.team[r] < T.fixed[r]) wins++;
console.log(`  team faster than fixed in ${wins}/${reps} rounds; sum fixed ${T.fixed.reduce((a, b) => a + b).toFixed(0)} ms, team ${T.team.reduce((a, b) => a + b).toFixed(0)} ms`);
r1.disposeAll(); r2.disposeAll();
