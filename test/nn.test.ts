/**
 * Training machinery (src/nn/): learning-rate schedules, every optimizer lowering the loss of a small
 * network, minibatch training with a seeded shuffle (same seed → same bits on WASM), probes every k steps,
 * and clear errors for bad training configs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Mlp } from '../src/nn/mlp.js';
import { learningRate } from '../src/nn/schedule.js';
import { train, type TrainConfig, type TrainState } from '../src/nn/train.js';
import { Rng } from '../src/rng.js';
import type { Backend } from '../src/index.js';
import { ref, testBackends } from './support/backends.js';
import { Tape } from '../src/autograd/tape.js';
import { uniform } from './support/random.js';
import { ArgumentError, ConfigError, NonFiniteError, ShapeError } from '../src/errors.js';
import { ParamSet } from '../src/nn/params.js';

const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Trains a 5-16-3 MLP on 60 points of three Gaussian-ish blobs; returns the losses the probe saw. */
async function fit(backend: Backend, cfg: Partial<TrainConfig>, seed = 1): Promise<{ losses: number[]; steps: number[] }> {
  const count = 60;
  const labels = Float32Array.from({ length: count }, (_, i) => i % 3);
  const x = uniform(seed, count, 5, -1, 1).map((v, i) => v + 2 * labels[Math.floor(i / 5)]! * ((i % 5) === labels[Math.floor(i / 5)]! ? 1 : 0));
  const xm = backend.upload(x, count, 5);
  const ym = backend.upload(labels, count, 1);
  const model = new Mlp(backend, [5, 16, 3], new Rng(seed));
  const seen = { losses: [] as number[], steps: [] as number[] };
  try {
    await train(backend, model, { x: xm, labels: ym, count }, {
      steps: 60, lr: 0.1, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 'full', ...cfg,
    }, new Rng(seed), { probes: [{ every: 20, run: ({ step, loss }) => { seen.steps.push(step); seen.losses.push(loss); } }] });
    return seen;
  } finally {
    model.params.free();
    backend.free(xm, ym);
  }
}

const s = suite('nn: schedules, optimizers, minibatches, probes');

s('ParamSet: a duplicate name and a missing name are ArgumentErrors that name them', () => {
  const params = new ParamSet(ref);
  params.zeros('W1', 2, 3);
  params.zeros('b1', 1, 3);
  assert.throws(() => params.zeros('W1', 1, 1), (e: unknown) => e instanceof ArgumentError && /duplicate parameter name 'W1'/.test(e.message));
  assert.throws(() => params.get('W2'), (e: unknown) => e instanceof ArgumentError && /no parameter 'W2' \(have W1, b1\)/.test(e.message));
  assert.is(params.get('b1').cols, 3);
});

s('learning-rate schedules: constant, the paper\'s doubling, cosine', () => {
  const doubling = { kind: 'doubling', every: 1000, until: 10000 } as const;
  assert.is(learningRate({ kind: 'constant' }, 0.05, 12345), 0.05);
  assert.is(learningRate(doubling, 0.05, 0), 0.05);
  assert.is(learningRate(doubling, 0.05, 999), 0.05);
  assert.is(learningRate(doubling, 0.05, 1000), 0.1);
  assert.is(learningRate(doubling, 0.05, 9999), 0.05 * 2 ** 9);
  assert.is(learningRate(doubling, 0.05, 40000), 0.05 * 2 ** 10);
  assert.is(learningRate({ kind: 'cosine', steps: 100 }, 1, 0), 1);
  assert.ok(Math.abs(learningRate({ kind: 'cosine', steps: 100 }, 1, 50) - 0.5) < 1e-12);
  assert.is(learningRate({ kind: 'cosine', steps: 100 }, 1, 100), 0);
});

s('SGD, momentum, Nesterov with weight decay, and AdamW all lower the loss; probes run at 0, 20, 40, 60', async () => {
  const configs: Partial<TrainConfig>[] = [
    { optimizer: { kind: 'sgd' } },
    { optimizer: { kind: 'sgd', momentum: 0.9 }, lr: 0.02 },
    { optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, lr: 0.02 },
    { optimizer: { kind: 'adamw', weightDecay: 0.01 }, lr: 0.01 },
  ];
  for (const cfg of configs) {
    const { losses, steps } = await fit(wasm, cfg);
    assert.equal(steps, [0, 20, 40, 60]);
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[3]! < 0.7 * losses[0]!, `${JSON.stringify(cfg.optimizer)}: loss ${losses[0]} → ${losses[3]}`);
  }
});

s('minibatches with a seeded shuffle: same seed → same bits, another seed → other numbers', async () => {
  const a = await fit(wasm, { batchSize: 16 }, 3);
  const b = await fit(wasm, { batchSize: 16 }, 3);
  const c = await fit(wasm, { batchSize: 16 }, 4);
  assert.equal(a.losses, b.losses);
  assert.not.equal(a.losses, c.losses);
  assert.ok(a.losses[3]! < a.losses[0]!);
});

s('MSE against one-hot targets: the step-0 loss is Σ_c mean_i (f_ic − y_ic)² of the initial logits, and training lowers it', async () => {
  const seen = await fit(ref as unknown as Backend, { loss: 'mse', lr: 0.05 }, 5);
  // Recompute the initial loss by hand from a fresh model with the same seed.
  const count = 60;
  const labels = Float32Array.from({ length: count }, (_, i) => i % 3);
  const x = uniform(5, count, 5, -1, 1).map((v, i) => v + 2 * labels[Math.floor(i / 5)]! * ((i % 5) === labels[Math.floor(i / 5)]! ? 1 : 0));
  const model = new Mlp(ref as unknown as Backend, [5, 16, 3], new Rng(5));
  const tape = new Tape(ref as unknown as Backend);
  const logits = ref.readF64(model.forward(tape, model.params.onTape(tape), tape.input(ref.upload(x, count, 5))).value);
  tape.dispose();
  model.params.free();
  let want = 0;
  for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) want += (logits[i * 3 + c]! - (labels[i] === c ? 1 : 0)) ** 2;
  want /= count;
  assert.ok(Math.abs(seen.losses[0]! - want) <= 1e-6 * want, `step-0 loss ${seen.losses[0]} vs ${want}`);
  assert.ok(seen.losses[3]! < 0.5 * seen.losses[0]!, `losses ${seen.losses}`);
  await fit(wasm, { loss: 'hinge' as 'mse' }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /loss must be 'crossEntropy', 'mse' or 'regression'/));
});

s('regression loss: one output fitted to ±1 targets, the step-0 loss is mean_i (f_i − y_i)² of the initial outputs, and Adam lowers it', async () => {
  const be = ref as unknown as Backend;
  const count = 40;
  const y = Float32Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 1 : -1));
  const x = uniform(6, count, 5, -1, 1).map((v, i) => v + y[Math.floor(i / 5)]! * (i % 5 === 0 ? 1 : 0));
  const fresh = new Mlp(be, [5, 16, 1], new Rng(6));
  const tape = new Tape(be);
  const f0 = ref.readF64(fresh.forward(tape, fresh.params.onTape(tape), tape.input(ref.upload(x, count, 5))).value);
  tape.dispose();
  fresh.params.free();
  let want = 0;
  for (let i = 0; i < count; i++) want += (f0[i]! - y[i]!) ** 2 / count;
  const xm = be.upload(x, count, 5);
  const ym = be.upload(y, count, 1);
  const model = new Mlp(be, [5, 16, 1], new Rng(6));
  const losses: number[] = [];
  await train(be, model, { x: xm, labels: ym, count }, { steps: 60, lr: 0.01, schedule: { kind: 'constant' }, optimizer: { kind: 'adamw' }, batchSize: 'full', loss: 'regression' },
    new Rng(6), { probes: [{ every: 20, run: ({ loss }) => { losses.push(loss); } }] });
  model.params.free();
  be.free(xm, ym);
  assert.ok(Math.abs(losses[0]! - want) <= 1e-6 * want, `step-0 loss ${losses[0]} vs ${want}`);
  assert.ok(losses[3]! < 0.5 * losses[0]!, `losses ${losses}`);
});

s('train() after a resume: steps counts from the start, stepsRun only what this call took (the rate\'s numerator)', async () => {
  const be = wasm;
  const count = 8;
  const xm = be.upload(uniform(7, count, 3, -1, 1), count, 3);
  const ym = be.upload(Float32Array.from({ length: count }, (_, i) => i % 2), count, 1);
  const cfg: TrainConfig = { steps: 30, lr: 0.05, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 'full' };
  let saved: TrainState | undefined;
  const model = new Mlp(be, [3, 4, 2], new Rng(8));
  try {
    let calls = 0;
    const first = await train(be, model, { x: xm, labels: ym, count }, cfg, new Rng(9), {
      shouldStop: () => ++calls >= 12,
      checkpoint: { every: 100, save: async (state) => { saved = state; } },
    });
    assert.equal([first.steps, first.stepsRun], [12, 12]);
    const second = await train(be, model, { x: xm, labels: ym, count }, cfg, new Rng(9), { checkpoint: { every: 100, resume: saved!, save: async () => {} } });
    assert.equal([second.steps, second.stepsRun], [30, 18]);
  } finally {
    model.params.free();
    be.free(xm, ym);
  }
});

s('bad training configs raise ConfigError naming the value', async () => {
  await fit(wasm, { batchSize: 0 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /batchSize/));
  await fit(wasm, { lr: -1 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /lr must be a positive/));
  await fit(wasm, { steps: 1.5 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /steps/));
  await fit(wasm, { optimizer: { kind: 'sgd', momentum: 1.5 } }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /momentum/));
  await fit(wasm, { regularizer: { lambda: 1e-3, nu: 3 } }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /no per-neuron norm/));
  await fit(wasm, { regularizer: { lambda: 1e-3, nu: 1.5 } }).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ConfigError && /whole nu ≥ 1, got lambda 0.001, nu 1.5/.test(e.message), e.message));
});

/** train() of a 2-4-3 MLP on `rows` inputs with the given labels and count, without probes. */
async function trainRaw(labels: number[], count: number, rows = labels.length, cfg: Partial<TrainConfig> = {}): Promise<number> {
  const xm = wasm.upload(uniform(5, rows, 2, -1, 1), rows, 2);
  const ym = wasm.upload(Float32Array.from(labels), labels.length, 1);
  const model = new Mlp(wasm, [2, 4, 3], new Rng(2));
  try {
    const done = await train(wasm, model, { x: xm, labels: ym, count }, { steps: 30, lr: 0.1, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 'full', ...cfg }, new Rng(1));
    return done.finalLoss;
  } finally {
    model.params.free();
    wasm.free(xm, ym);
  }
}

s('bad training data is refused by name, before any step: labels outside 0…classes−1 or not whole, a count that is not the row count', async () => {
  const ok = [0, 1, 2, 0, 1, 2];
  assert.ok(Number.isFinite(await trainRaw(ok, 6)));
  await trainRaw([0, 1, 3, 0, 1, 2], 6).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ConfigError && /a label is 3 but the model has 3 classes/.test(e.message), e.message));
  await trainRaw([0, 1, -1, 0, 1, 2], 6).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ConfigError && /label 2 is -1/.test(e.message), e.message));
  await trainRaw([0, 1.5, 2, 0, 1, 2], 6, 6, { batchSize: 2 }).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ConfigError && /label 1 is 1.5/.test(e.message), e.message));
  for (const [count, rows] of [[10, 6], [3, 6], [0, 6]]) {
    await trainRaw(ok, count!, rows).then(() => assert.unreachable(`count ${count}`), (e: Error) => assert.ok(e instanceof ShapeError && /count/.test(e.message), e.message));
  }
  await trainRaw(ok, 6, 7).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ShapeError && /inputs have 7 rows and the labels 6/.test(e.message), e.message));
});

s('a run without probes or checkpoints that diverges ends in NonFiniteError, not a NaN result; the message gives the scheduled rate', async () => {
  // MSE grows with the outputs, so a large rate blows up geometrically (cross-entropy's gradient stays bounded).
  await trainRaw([0, 1, 2, 0, 1, 2], 6, 6, { loss: 'mse', lr: 1e3 }).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof NonFiniteError && /Lower lr \(now 1000\)/.test(e.message), e.message));
  // The paper's doubling schedule: the rate that diverged is lr·2^k, which the message says next to lr.
  await trainRaw([0, 1, 2, 0, 1, 2], 6, 6, { loss: 'mse', lr: 1, schedule: { kind: 'doubling', every: 1, until: 30 } }).then(() => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof NonFiniteError && /Lower lr, double it less often or stop doubling sooner \(now 1; the schedule had it at \d+ by this step, doubling it every 1 steps until step 30\)/.test(e.message), e.message));
});

s.run();
