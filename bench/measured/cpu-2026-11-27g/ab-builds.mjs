// A/B of two builds' WebGPU matmul in one process (A_DIST, B_DIST: their dist/featurelab.js), alternating per round; median of per-round ratios.
// Usage: A_DIST=… B_DIST=… node ab-builds.mjs '[[m,k,n,transA,transB,act?],…]' rounds
import * as dawn from 'webgpu';
Object.assign(globalThis, dawn.globals);
const gpu = dawn.create([]);
const A = await import(process.env.A_DIST);
const B = await import(process.env.B_DIST);
const shapes = JSON.parse(process.argv[2]);
const rounds = Number(process.argv[3] ?? 9);
function rnd(n, seed) { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 2 ** 32) - 0.5; } return a; }
const bes = [await A.createWebGpuBackend(gpu, {}), await B.createWebGpuBackend(gpu, {})];
for (const [m, k, n, tA, tB, act] of shapes) {
  const ops = bes.map((be) => ({ be, a: be.upload(rnd(m * k, 1), tA ? k : m, tA ? m : k), b: be.upload(rnd(k * n, 2), tB ? n : k, tB ? k : n), bias: be.upload(rnd(n, 3), 1, n) }));
  const opts = (o) => (act ? { transA: tA, transB: tB, bias: o.bias, act } : { transA: tA, transB: tB });
  const time = async (o) => {
    const reps = 4;
    const t0 = performance.now();
    let out;
    for (let i = 0; i < reps; i++) { out = o.be.matmul(o.a, o.b, opts(o)); if (i < reps - 1) o.be.free(out); }
    await o.be.read(out); o.be.free(out);
    return (performance.now() - t0) / reps;
  };
  for (const o of ops) await time(o);
  const ratios = [], ta = [], tb = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [1, 0] : [0, 1];
    const t = [];
    for (const i of order) t[i] = await time(ops[i]);
    ta.push(t[0]); tb.push(t[1]); ratios.push(t[1] / t[0]);
  }
  const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
  console.log(`${m}x${k}x${n} tA=${tA} tB=${tB} ${act ?? ''}: A ${med(ta).toFixed(2)} ms, B ${med(tb).toFixed(2)} ms, B/A median ${med(ratios).toFixed(3)}, B faster in ${ratios.filter((x) => x < 1).length}/${rounds}`);
}
process.exit(0);
