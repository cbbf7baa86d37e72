// Time per backend method in the MLP training step (784-512-512-10, batch 128, SGD, random data), 1 and 2 threads.
// Usage (after npm run build): node --experimental-wasm-relaxed-simd bench/measured/cpu-2026-11-27f/step-profile.mjs [steps]
import { createWasmBackend, Mlp, Rng, train } from '../../../dist/featurelab.js';
const steps = Number(process.argv[2] ?? 200);
for (const threads of [1, 2]) {
  const b = await createWasmBackend({ threads });
  const rng = new Rng(1);
  const count = 6400;
  const x = b.upload(rng.fillUniform(new Float32Array(count * 784)), count, 784);
  const labels = b.upload(Float32Array.from({ length: count }, () => rng.int(10)), count, 1);
  const model = new Mlp(b, [784, 512, 512, 10], new Rng(2).fork('init'));
  const cfg = { lr: 0.05, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 128 };
  await train(b, model, { x, labels, count }, { ...cfg, steps: 20 }, new Rng(3));
  const acc = new Map();
  const proto = Object.getPrototypeOf(b);
  const names = new Set();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && typeof b[n] === 'function') names.add(n);
  let depth = 0;
  for (const n of names) {
    const f = b[n];
    b[n] = function (...a) {
      if (depth > 0) return f.apply(this, a);
      depth++;
      const t0 = performance.now();
      try { return f.apply(this, a); } finally {
        depth--;
        const key = n === 'matmul' ? `matmul ${a[0].rows}x${a[0].cols}${a[2]?.transA ? 'T' : ''}·${a[1].rows}x${a[1].cols}${a[2]?.transB ? 'T' : ''}` : n;
        const e = acc.get(key) ?? [0, 0]; e[0] += performance.now() - t0; e[1]++; acc.set(key, e);
      }
    };
  }
  const t0 = performance.now();
  await train(b, model, { x, labels, count }, { ...cfg, steps }, new Rng(4));
  const total = performance.now() - t0;
  const rows = [...acc].sort((p, q) => q[1][0] - p[1][0]);
  const inOps = rows.reduce((s, r) => s + r[1][0], 0);
  console.log(`threads ${threads}: ${(total / steps).toFixed(2)} ms/step (${(128 * steps / total * 1000).toFixed(0)} samples/s); in backend calls ${(inOps / steps).toFixed(2)} ms/step`);
  for (const [k, [ms, c]] of rows.slice(0, 18)) console.log(`  ${k.padEnd(34)} ${(ms / steps).toFixed(3)} ms/step  ${(c / steps).toFixed(1)} calls/step`);
  b.dispose();
}
