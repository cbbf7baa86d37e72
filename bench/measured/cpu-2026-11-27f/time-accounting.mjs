// Team GEMM by hand on 2 threads (main + worker) over shared memory, with per-thread time accounting:
// [packB, barrier, packA, compute, claim/other] ms; against the same code on 1 thread.
// Needs the instrumentation in time-accounting.diff (against gemm.ts of 1cd0c1f, the team GEMM with barriers) applied
// and `node scripts/build-wasm.mjs`; the "barrier" column is the time spent waiting at the barrier.
// Usage: [N=1024] node --experimental-wasm-relaxed-simd bench/measured/cpu-2026-11-27f/time-accounting.mjs
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
const n = Number(process.env.N ?? 1024);
const mod = new WebAssembly.Module(readFileSync(new URL('../../../build/wasm/featurelab-simd-fma-threads.wasm', import.meta.url)));
const inst = (memory) => new WebAssembly.Instance(mod, { env: { memory, abort() {}, now: () => performance.now() } }).exports;
const layout = (X) => {
  let p = (X.heapBaseF32() + 63) & ~63; const al = (b) => { const r = p; p = (p + b + 63) & ~63; return r; };
  const a = al(n * n * 4), b = al(n * n * 4), o = al(n * n * 4), sh = al(X.matmulTeamSharedBytes()), err = al(64), s0 = al(X.matmulScratchBytes()), s1 = al(X.matmulScratchBytes());
  return { a, b, o, sh, err, s: [s0, s1] };
};
if (isMainThread) {
  const memory = new WebAssembly.Memory({ initial: 1024, maximum: 4096, shared: true });
  const X = inst(memory); const L = layout(X);
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < n * n; i++) { f[L.a / 4 + i] = ((i * 7919) % 1000) / 1000 - 0.5; f[L.b / 4 + i] = ((i * 104729) % 997) / 997 - 0.5; }
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const w = new Worker(new URL(import.meta.url), { workerData: { memory, ctl } });
  await new Promise((r) => w.once('message', r));
  const clear = () => new Uint8Array(memory.buffer, L.sh, 512).fill(0);
  const acct = (th) => Array.from(new Float64Array(memory.buffer, L.sh + 256 + th * 64, 5));
  const team1 = () => { clear(); const t0 = performance.now(); X.matmulF32Team(L.a, L.b, L.o, 0, 0, n, n, n, 0, 0, 1, 0, -1, 0, 1, L.sh, L.err, L.s[0]); return [performance.now() - t0, acct(0)]; };
  const team2 = () => { clear(); const t0 = performance.now(); Atomics.add(ctl, 0, 1); Atomics.notify(ctl, 0); X.matmulF32Team(L.a, L.b, L.o, 0, 0, n, n, n, 0, 0, 1, 0, -1, 0, 2, L.sh, L.err, L.s[0]); while (Atomics.load(ctl, 1) !== Atomics.load(ctl, 0)) {} return [performance.now() - t0, acct(0), acct(1)]; };
  const fmt = (x) => x.map((v) => v.toFixed(1)).join(' ');
  for (let r = 0; r < 12; r++) {
    const [t1, a1] = team1(); const [t2, b0, b1] = team2();
    if (r >= 2) console.log(`1 thread ${t1.toFixed(1)} [${fmt(a1)}] | 2 threads ${t2.toFixed(1)} (x${(t1 / t2).toFixed(2)}) t0 [${fmt(b0)}] t1 [${fmt(b1)}]  compute ratio ${(a1[3] / ((b0[3] + b1[3]))).toFixed(3)}`);
  }
  Atomics.store(ctl, 2, 1); Atomics.add(ctl, 0, 1); Atomics.notify(ctl, 0);
} else {
  const { memory, ctl } = workerData; const X = inst(memory); const L = layout(X);
  parentPort.postMessage('ready');
  let seen = 0;
  for (;;) {
    while (Atomics.load(ctl, 0) === seen) Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (Atomics.load(ctl, 2)) break;
    X.matmulF32Team(L.a, L.b, L.o, 0, 0, n, n, n, 0, 0, 1, 0, -1, 1, 2, L.sh, L.err, L.s[1]);
    Atomics.add(ctl, 1, 1);
  }
  process.exit(0);
}
