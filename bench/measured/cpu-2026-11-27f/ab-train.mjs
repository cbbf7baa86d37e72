// Interleaved A/B of two library builds on the MLP training step (784-512-512-10, batch 128, SGD, 2 threads):
// per round, `steps` steps on each build, their order alternating; ms per step.
// Usage: A=/path/a/dist/featurelab.js B=/path/b/dist/featurelab.js node --experimental-wasm-relaxed-simd ab-train.mjs [steps] [rounds]
const A = await import(process.env.A), B = await import(process.env.B);
const steps = Number(process.argv[2] ?? 50), rounds = Number(process.argv[3] ?? 12), threads = Number(process.env.T ?? 2);
const setup = async (L) => {
  const b = await L.createWasmBackend({ threads });
  const rng = new L.Rng(1), count = 6400;
  const x = b.upload(rng.fillUniform(new Float32Array(count * 784)), count, 784);
  const labels = b.upload(Float32Array.from({ length: count }, () => rng.int(10)), count, 1);
  const model = new L.Mlp(b, [784, 512, 512, 10], new L.Rng(2).fork('init'));
  const cfg = { lr: 0.05, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 128 };
  let calls = 0;
  const run = async (n) => { const t0 = performance.now(); await L.train(b, model, { x, labels, count }, { ...cfg, steps: n }, new L.Rng(10 + calls++)); return (performance.now() - t0) / n; };
  await run(20);
  return run;
};
const ra = await setup(A), rb = await setup(B);
const ta = [], tb = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2) { ta.push(await ra(steps)); tb.push(await rb(steps)); } else { tb.push(await rb(steps)); ta.push(await ra(steps)); }
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const wins = tb.filter((t, i) => t < ta[i]).length;
console.log(`${threads} threads, ${rounds} rounds of ${steps} steps: A ${med(ta).toFixed(2)} ms/step (${(128000 / med(ta)).toFixed(0)} samples/s), B ${med(tb).toFixed(2)} ms/step (${(128000 / med(tb)).toFixed(0)} samples/s); B faster in ${wins}/${rounds} rounds`);
process.exit(0);
