/**
 * Training your own network through the public bundle: the exported Tape's gradients against central finite
 * differences, a hand-written loop with createOptimizer (one SGD step is exactly p − lr·g), and train() on an
 * Mlp fitting generated data, bit-identical on WASM for the same seed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Mlp, ParamSet, Rng, Tape, createOptimizer, train, type Backend, type Mat } from '../dist/featurelab.js';
import { ref, testBackends } from './support/backends.js';

const s = suite('public API: training your own network');
const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Three classes in 4-D: class c has its mean at +2 on coordinate c, plus uniform noise in [−1, 1). */
function blobs(seed: number, count: number): { x: Float32Array; labels: Float32Array } {
  const rng = new Rng(seed);
  const labels = Float32Array.from({ length: count }, (_, i) => i % 3);
  const x = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) for (let j = 0; j < 4; j++) x[i * 4 + j] = 2 * rng.uniform() - 1 + (j === labels[i] ? 2 : 0);
  return { x, labels };
}

/** sum(tanh(x·W + b)²) recorded on `tape`; returns the loss and the parameters' Vars. */
function squaredTanhLoss(tape: Tape, x: Mat, W: Mat, b: Mat) {
  const w = tape.param(W);
  const bias = tape.param(b);
  const y = tape.unary('tanh', tape.matmul(tape.input(x), w, { bias }));
  return { loss: tape.sumAll(tape.mul(y, y)), w, bias };
}

s('the exported Tape gives the gradient of a custom loss that central finite differences give (ref, f64)', async () => {
  const rng = new Rng(3);
  const draw = (n: number) => Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
  const x = draw(5 * 3), W = draw(3 * 2), b = draw(2);
  const lossAt = async (Wv: Float64Array, bv: Float64Array): Promise<number> => {
    const tape = new Tape(ref);
    const [xm, Wm, bm] = [ref.upload(x, 5, 3), ref.upload(Wv, 3, 2), ref.upload(bv, 1, 2)];
    try {
      return ref.readF64(squaredTanhLoss(tape, xm, Wm, bm).loss.value)[0]!;
    } finally {
      tape.dispose();
      ref.free(xm, Wm, bm);
    }
  };
  const tape = new Tape(ref);
  const [xm, Wm, bm] = [ref.upload(x, 5, 3), ref.upload(W, 3, 2), ref.upload(b, 1, 2)];
  const { loss, w, bias } = squaredTanhLoss(tape, xm, Wm, bm);
  tape.backward(loss);
  const gW = ref.readF64(tape.grad(w)!);
  const gb = ref.readF64(tape.grad(bias)!);
  tape.dispose();
  ref.free(xm, Wm, bm);
  const h = 1e-6;
  for (const [values, grad, name] of [[W, gW, 'W'], [b, gb, 'b']] as const) {
    for (let i = 0; i < values.length; i++) {
      const plus = Float64Array.from(values), minus = Float64Array.from(values);
      plus[i]! += h;
      minus[i]! -= h;
      const fd = name === 'W' ? ((await lossAt(plus, b)) - (await lossAt(minus, b))) / (2 * h) : ((await lossAt(W, plus)) - (await lossAt(W, minus))) / (2 * h);
      assert.ok(Math.abs(grad[i]! - fd) < 1e-7 * (1 + Math.abs(fd)), `d loss / d ${name}[${i}]: tape ${grad[i]}, finite differences ${fd}`);
    }
  }
});

s('a hand-written loop: one createOptimizer SGD step is exactly p − lr·g, and 200 steps drive the loss down', async () => {
  for (const be of [ref, wasm] as Backend[]) {
    const { x, labels } = blobs(5, 30);
    const xm = be.upload(x, 30, 4), ym = be.upload(labels, 30, 1);
    const params = new ParamSet(be);
    params.normal('W', 4, 3, 0.5, new Rng(1));
    params.zeros('b', 1, 3);
    const opt = createOptimizer(params, { kind: 'sgd' });
    const lossAndGrads = async () => {
      const tape = new Tape(be);
      const p = params.onTape(tape);
      const loss = tape.softmaxCrossEntropy(tape.matmul(tape.input(xm), p.W!, { bias: p.b! }), ym);
      tape.backward(loss);
      return { tape, value: (await be.read(loss.value))[0]!, grads: params.list.map((q) => tape.grad(p[q.name]!)) };
    };
    try {
      const before = await params.values();
      const first = await lossAndGrads();
      const g = await be.read(first.grads[0]!);
      opt.step(first.grads, 0.5);
      first.tape.dispose();
      const after = (await params.values()).W!;
      for (let i = 0; i < after.length; i++) {
        // f32 backends round p − lr·g once; ref keeps f64 and hands back f32.
        assert.ok(Math.abs(after[i]! - Math.fround(before.W![i]! - 0.5 * g[i]!)) <= 1e-7, `${be.name}: W[${i}] ${after[i]} after one step`);
      }
      for (let step = 1; step < 200; step++) {
        const { tape, grads } = await lossAndGrads();
        opt.step(grads, 0.5);
        tape.dispose();
      }
      const last = await lossAndGrads();
      last.tape.dispose();
      assert.ok(first.value > 0.5 && last.value < 0.25 * first.value, `${be.name}: loss ${first.value} → ${last.value}`);
    } finally {
      opt.free();
      params.free();
      be.free(xm, ym);
    }
  }
});

s('train() fits an Mlp to generated data through the public API, with the same bits for the same seed on WASM', async () => {
  const fit = async (be: Backend, seed: number) => {
    const { x, labels } = blobs(7, 90);
    const xm = be.upload(x, 90, 4), ym = be.upload(labels, 90, 1);
    const model = new Mlp(be, [4, 16, 3], new Rng(seed));
    const losses: number[] = [];
    try {
      await train(be, model, { x: xm, labels: ym, count: 90 }, {
        steps: 150, lr: 0.1, schedule: { kind: 'cosine', steps: 150 }, optimizer: { kind: 'adamw', weightDecay: 1e-4 }, batchSize: 30,
      }, new Rng(seed), { probes: [{ every: 50, run: ({ loss }) => { losses.push(loss); } }] });
      // Training accuracy from the trained model's logits.
      const tape = new Tape(be);
      const logits = await be.read(model.forward(tape, model.params.onTape(tape), tape.input(xm)).value);
      tape.dispose();
      let right = 0;
      for (let i = 0; i < 90; i++) {
        const row = Array.from(logits.subarray(i * 3, i * 3 + 3));
        if (row.indexOf(Math.max(...row)) === labels[i]) right++;
      }
      return { losses, accuracy: right / 90, params: await model.params.values() };
    } finally {
      model.params.free();
      be.free(xm, ym);
    }
  };
  for (const be of [ref, wasm] as Backend[]) {
    const r = await fit(be, 11);
    assert.is(r.losses.length, 4, `${be.name}: a probe at steps 0, 50, 100, 150`);
    assert.ok(r.losses[3]! < 0.3 * r.losses[0]!, `${be.name}: loss ${r.losses.join(' → ')}`);
    assert.ok(r.accuracy >= 0.95, `${be.name}: training accuracy ${r.accuracy}`);
  }
  const [a, b, other] = [await fit(wasm, 11), await fit(wasm, 11), await fit(wasm, 12)];
  for (const name of Object.keys(a.params)) assert.equal(Array.from(a.params[name]!), Array.from(b.params[name]!), `wasm, seed 11 twice: ${name}`);
  assert.not.equal(Array.from(a.params.W0!), Array.from(other.params.W0!), 'another seed gives other weights');
});

s.run();
