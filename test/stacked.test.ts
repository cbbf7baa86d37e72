/**
 * Several models at once: StackedMlp (B MLPs as one stacked model, one batched matmul per layer) starts from
 * each Mlp's exact parameters and gives each block the gradient that block's Mlp has alone; an ensemble
 * trained with modelsAtOnce > 1 gives the members the sequential path gives (same epochs and accuracy; on WASM
 * the same bits, on WebGPU softmax and activations within float tolerance), for every variant.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryCheckpointStore } from '../src/checkpoint/store.js';
import { RunCheckpoints } from '../src/checkpoint/stages.js';
import type { CheckpointValue } from '../src/checkpoint/codec.js';
import { CheckpointError, ConfigError, NonFiniteError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { Tape } from '../src/autograd/tape.js';
import { type EnsembleConfig, type EnsembleVariant, ensembleProgress, modelsAtOnceFor, savedGrouping, trainEnsemble } from '../src/experiments/ensemble.js';
import type { Backend } from '../src/index.js';
import { Mlp } from '../src/nn/mlp.js';
import { StackedMlp } from '../src/nn/stackedMlp.js';
import { ref, testBackends } from './support/backends.js';
import { expectClose } from './support/compare.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const SIZES = [7, 5, 3, 4];
const MODELS = 3;

/** Labels 0…classes−1 for `n` rows, seeded. */
function labelsOf(seed: number, n: number, classes: number): Float32Array {
  return Float32Array.from(uniform(seed, n, 1, 0, classes), Math.floor);
}

/** Each parameter's gradient of the cross-entropy of `model` on (x, y) (sum of `batch` blocks' means), by name. */
async function gradients(be: Backend, model: Mlp | StackedMlp, x: Float32Array, rows: number, y: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  const tape = new Tape(be);
  const xm = be.upload(x, rows, SIZES[0]!);
  const ym = be.upload(y, rows, 1);
  try {
    const p = model.params.onTape(tape);
    tape.backward(tape.softmaxCrossEntropy(model.forward(tape, p, tape.input(xm)), ym, batch));
    const out: Record<string, Float32Array> = {};
    for (const q of model.params.list) out[q.name] = await be.read(tape.grad(p[q.name]!)!);
    return out;
  } finally {
    tape.dispose();
    be.free(xm, ym);
  }
}

for (const be of [ref as unknown as Backend, ...testBackends]) {
  const s = suite(`stacked models [${be.name}]`);

  s('StackedMlp: block b starts from Mlp(rngs[b]) bit for bit and gets its gradient (odd sizes, batch 5)', async () => {
    const rngs = Array.from({ length: MODELS }, (_, b) => new Rng(40 + b));
    const stacked = new StackedMlp(be, SIZES, rngs);
    const singles = rngs.map((r) => new Mlp(be, SIZES, r));
    const batch = 5;
    const x = uniform(1, MODELS * batch, SIZES[0]!);
    const y = labelsOf(2, MODELS * batch, SIZES.at(-1)!);
    try {
      for (const q of stacked.params.list) {
        const all = await be.read(q.value);
        const per = all.length / MODELS;
        for (let b = 0; b < MODELS; b++) assert.equal(Array.from(all.subarray(b * per, (b + 1) * per)), Array.from(await be.read(singles[b]!.params.get(q.name))), `${q.name} block ${b}`);
      }
      // The stacked loss is the sum of the blocks' mean losses: each block's gradient is its model's own.
      const got = await gradients(be, stacked, x, MODELS * batch, y, MODELS);
      for (let b = 0; b < MODELS; b++) {
        const want = await gradients(be, singles[b]!, x.subarray(b * batch * SIZES[0]!, (b + 1) * batch * SIZES[0]!), batch, y.subarray(b * batch, (b + 1) * batch), 1);
        for (const [name, g] of Object.entries(want)) {
          const per = got[name]!.length / MODELS;
          const block = got[name]!.subarray(b * per, (b + 1) * per);
          if (be.name === 'webgpu') expectClose(block, g, TOL.matmul, `d${name} block ${b}`);
          else assert.equal(Array.from(block), Array.from(g), `d${name} block ${b}: the same bits as the model alone`);
        }
      }
    } finally {
      stacked.params.free();
      for (const m of singles) m.params.free();
    }
  });

  s('StackedMlp: logits of a shared input equal forward on the input repeated per block; hidden is every block\'s last layer', async () => {
    const rngs = Array.from({ length: MODELS }, (_, b) => new Rng(7 * b));
    const stacked = new StackedMlp(be, SIZES, rngs);
    const n = 9;
    const x = uniform(3, n, SIZES[0]!);
    const repeated = new Float32Array(MODELS * x.length);
    for (let b = 0; b < MODELS; b++) repeated.set(x, b * x.length);
    const tape = new Tape(be);
    const xs = be.upload(x, n, SIZES[0]!);
    const xr = be.upload(repeated, MODELS * n, SIZES[0]!);
    try {
      const p = stacked.params.onTape(tape);
      const shared = await be.read(stacked.logits(tape, p, stacked.hidden(tape, p, tape.input(xs), true), true).value);
      const stackedOut = await be.read(stacked.forward(tape, p, tape.input(xr)).value);
      assert.equal(Array.from(shared), Array.from(stackedOut));
      assert.is(shared.length, MODELS * n * SIZES.at(-1)!);
      const hidden = stacked.hidden(tape, p, tape.input(xs), true).value;
      assert.equal([hidden.rows, hidden.cols], [MODELS * n, SIZES.at(-2)!]);
      assert.throws(() => tape.matmul(tape.input(xs), p.W0!, { batch: MODELS, shareB: true }), /shared operand/);
    } finally {
      tape.dispose();
      be.free(xs, xr);
      stacked.params.free();
    }
  });

  s.run();
}

/** A small separable four-class problem (some points need a few epochs, so members stop at different times). */
function problem(points: number) {
  const inputs = 12;
  const classes = 4;
  const trainX = uniform(11, points, inputs);
  const trainY = Int32Array.from({ length: points }, (_, i) => i % classes);
  for (let i = 0; i < points; i++) trainX[i * inputs + trainY[i]!]! += 1.5;
  const evalX = uniform(12, 30, inputs);
  const evalY = Int32Array.from({ length: 30 }, (_, i) => i % classes);
  return { inputs, classes, trainX, trainY, evalX, evalY };
}

for (const be of testBackends) {
  const s = suite(`ensemble, models at once [${be.name}]`);
  const data = problem(40);
  const base: EnsembleConfig = { models: 5, variant: 'DiffInit', hidden: [9, 6], lr: 0.1, momentum: 0.9, batchSize: 8, maxEpochs: 12, keepHidden: true, weightDecay: 1e-3 };

  for (const variant of ['DiffInit', 'DiffOrder', 'DiffData', 'AllDiff'] as EnsembleVariant[]) {
    s(`${variant}: groups of 2 and all 5 together give the sequential members (epochs, predictions, softmax, hidden)`, async () => {
      const cfg = { ...base, variant };
      const one = await trainEnsemble(be, data, cfg, 9);
      for (const together of [2, 5]) {
        const steps: number[] = [];
        const got = await trainEnsemble(be, data, { ...cfg, modelsAtOnce: together }, 9, { onStep: (at) => steps.push(ensembleProgress(at, cfg.models).step) });
        assert.is(got.length, one.length);
        for (const [m, want] of one.entries()) {
          const label = `${variant} together ${together} member ${m}`;
          assert.is(got[m]!.epochs, want.epochs, `${label}: epochs`);
          assert.is(got[m]!.trainAccuracy, want.trainAccuracy, `${label}: train accuracy`);
          if (be.name === 'wasm') {
            // Every batched op runs each block as it would run alone: the same bits.
            assert.equal(Array.from(got[m]!.softmax), Array.from(want.softmax), `${label}: softmax`);
            assert.equal(Array.from(got[m]!.hidden!), Array.from(want.hidden!), `${label}: hidden`);
          } else {
            expectClose(got[m]!.softmax, want.softmax, { rtol: 0, atol: 1e-4, normalized: false }, `${label}: softmax`);
            expectClose(got[m]!.hidden!, want.hidden!, { rtol: 1e-4, atol: 1e-4, normalized: false }, `${label}: hidden`);
          }
        }
        assert.ok(steps.every((v, i) => i === 0 || v > steps[i - 1]!), `${variant} together ${together}: progress only goes forward`);
      }
      // Members stop at different epochs (some at the cap), so groups hold members that stopped early.
      assert.ok(new Set(one.map((m) => m.epochs)).size > 1, `${variant}: epochs ${one.map((m) => m.epochs).join(', ')}`);
    });
  }

  s('a checkpointed run stopped after its first group resumes with the next group and gives the same members', async () => {
    const cfg = { ...base, modelsAtOnce: 2 };
    const whole = await trainEnsemble(be, data, cfg, 4);
    const store = memoryCheckpointStore(1000);
    let stop = false;
    const first = await trainEnsemble(be, data, cfg, 4, {
      checkpoint: { checkpoints: await RunCheckpoints.open(store), label: 'members' },
      onModel: (m) => { stop = m === 1; },
      shouldStop: () => stop,
    });
    assert.is(first.length, 2, 'stopped after the first group of two');
    const trainedAgain: number[] = [];
    const heard: string[] = [];
    const resumed = await trainEnsemble(be, data, cfg, 4, {
      checkpoint: { checkpoints: await RunCheckpoints.open(store), label: 'members' },
      onStep: (at) => trainedAgain.push(at.first),
      onModel: (m, _, restored) => heard.push(`${m} ${restored ? 'restored' : 'trained'}`),
    });
    assert.ok(!trainedAgain.includes(0), 'the finished group comes from the checkpoint');
    assert.equal(heard, whole.map((_, m) => `${m} ${m < 2 ? 'restored' : 'trained'}`), 'onModel says which members came from the checkpoint');
    assert.is(resumed.length, whole.length);
    for (const [m, want] of whole.entries()) {
      assert.is(resumed[m]!.epochs, want.epochs);
      expectClose(resumed[m]!.softmax, want.softmax, { rtol: 0, atol: be.name === 'wasm' ? 0 : 1e-6, normalized: false }, `member ${m} after resume`);
    }
  });

  s('a group stopped inside its training resumes from its save and gives the same members; a damaged save is refused', async () => {
    const cfg = { ...base, modelsAtOnce: 5 };
    const whole = await trainEnsemble(be, data, cfg, 5);
    const store = memoryCheckpointStore(1000);
    let steps = 0;
    const first = await trainEnsemble(be, data, cfg, 5, {
      checkpoint: { checkpoints: await RunCheckpoints.open(store), label: 'members' },
      // 5 steps an epoch: stop in the middle of the third epoch, long before any member fits.
      onStep: () => { steps++; },
      shouldStop: () => steps >= 13,
    });
    assert.is(first.length, 0, 'no member finished');
    const saved = (await store.load()) as { current: { label: string; train: { step: number; finished: unknown[] } } };
    assert.equal([saved.current.label, saved.current.train.step], ['members models 0–4', 13], 'the stop was saved as the group in progress');
    let resumedFrom = -1;
    const resumed = await trainEnsemble(be, data, cfg, 5, {
      checkpoint: { checkpoints: await RunCheckpoints.open(store), label: 'members' },
      onStep: (at) => { if (resumedFrom < 0) resumedFrom = at.step; },
    });
    assert.is(resumedFrom, 14, 'training went on from the step after the stop');
    assert.is(resumed.length, whole.length);
    for (const [m, want] of whole.entries()) {
      assert.is(resumed[m]!.epochs, want.epochs, `member ${m}: epochs`);
      expectClose(resumed[m]!.softmax, want.softmax, { rtol: 0, atol: be.name === 'wasm' ? 0 : 1e-6, normalized: false }, `member ${m} after resume`);
    }
    // The same save with one member's state missing: refused by name, not trained from a wrong state.
    saved.current.train.finished.pop();
    const damaged = memoryCheckpointStore(1000);
    await damaged.save(saved as unknown as CheckpointValue);
    await trainEnsemble(be, data, cfg, 5, { checkpoint: { checkpoints: await RunCheckpoints.open(damaged), label: 'members' } }).then(
      () => assert.unreachable('a damaged save should be refused'),
      (e: Error) => assert.ok(e instanceof CheckpointError && /5 members trained together/.test(e.message) && /finished should hold 5 entries/.test(e.message) && /--fresh/.test(e.message), e.message),
    );
  });

  s('a full batch (batchSize ≥ the rows) trains stacked as it does one at a time', async () => {
    const cfg = { ...base, batchSize: 1000, maxEpochs: 30 };
    const one = await trainEnsemble(be, data, cfg, 6);
    const got = await trainEnsemble(be, data, { ...cfg, modelsAtOnce: 5 }, 6);
    assert.is(got.length, one.length);
    for (const [m, want] of one.entries()) {
      assert.is(got[m]!.epochs, want.epochs, `member ${m}: epochs`);
      expectClose(got[m]!.softmax, want.softmax, { rtol: 0, atol: be.name === 'wasm' ? 0 : 1e-4, normalized: false }, `member ${m}: softmax`);
    }
  });

  s('stopAtFit false: every member trains all maxEpochs, stacked as one at a time', async () => {
    const cfg = { ...base, stopAtFit: false };
    const one = await trainEnsemble(be, data, cfg, 8);
    const got = await trainEnsemble(be, data, { ...cfg, modelsAtOnce: 5 }, 8);
    const fitted = await trainEnsemble(be, data, { ...cfg, stopAtFit: true }, 8);
    assert.ok(fitted.some((m) => m.epochs < base.maxEpochs), `some member fits before the cap when it may stop (epochs ${fitted.map((m) => m.epochs).join(', ')})`);
    for (const [m, want] of one.entries()) {
      assert.is(want.epochs, base.maxEpochs, `member ${m} trains every epoch`);
      assert.is(got[m]!.epochs, base.maxEpochs);
      expectClose(got[m]!.softmax, want.softmax, { rtol: 0, atol: be.name === 'wasm' ? 0 : 1e-4, normalized: false }, `member ${m}: softmax`);
    }
  });

  s('a member cut short by a stop request is not returned as a model, stacked or not', async () => {
    for (const modelsAtOnce of [1, 5]) {
      let cut = false;
      const got = await trainEnsemble(be, data, { ...base, modelsAtOnce }, 3, {
        // Stop 3 steps into the second member (or into the group of five): before its first epoch's end.
        onStep: (at) => { if (at.first + at.count >= 2 && at.step >= 3) cut = true; },
        shouldStop: () => cut,
      });
      assert.is(got.length, modelsAtOnce === 1 ? 1 : 0, `modelsAtOnce ${modelsAtOnce}: only the first member finished`);
      for (const m of got) assert.ok(!m.stopped && (m.trainAccuracy === 1 || m.epochs === base.maxEpochs), 'a finished member');
    }
  });

  s('a diverging group stops with NonFiniteError naming the step, as one model alone does', async () => {
    for (const modelsAtOnce of [1, 3]) {
      await trainEnsemble(be, data, { ...base, lr: 1e9, momentum: 0, modelsAtOnce }, 2).then(
        () => assert.unreachable(`modelsAtOnce ${modelsAtOnce}: lr 1e9 should diverge`),
        (e: Error) => assert.ok(e instanceof NonFiniteError && /step \d+/.test(e.message) && /lr/.test(e.message), `modelsAtOnce ${modelsAtOnce}: ${e.message}`),
      );
    }
  });

  s('modelsAtOnce must be a positive integer; experiments resolve 0 to all at once on WebGPU only, or to the grouping of a checkpoint', async () => {
    assert.is(modelsAtOnceFor(0, be, 7), be.name === 'webgpu' ? 7 : 1);
    assert.is(modelsAtOnceFor(3, be, 7), 3);
    // A checkpoint's grouping: its largest group (the last one may be short), from its finished and current stages.
    const store = memoryCheckpointStore(1000);
    await store.save({ stages: { 'trained models 0–2': null, 'trained models 3–5': null, 'other models 0–8': null }, current: { label: 'trained models 6–6', train: null, probe: null } });
    const saved = savedGrouping(await RunCheckpoints.open(store), ['trained']);
    assert.is(saved, 3);
    const one = memoryCheckpointStore(1000);
    await one.save({ stages: { 'one epoch model 0': null } });
    assert.is(savedGrouping(await RunCheckpoints.open(one), ['trained', 'one epoch']), 1);
    assert.is(savedGrouping(await RunCheckpoints.open(memoryCheckpointStore(1000)), ['trained']), null);
    const logs: string[] = [];
    assert.is(modelsAtOnceFor(0, be, 7, (m) => logs.push(m), saved), 3, 'auto follows the checkpoint');
    assert.is(modelsAtOnceFor(0, be, 7, (m) => logs.push(m), 1), 1, 'also back to one at a time');
    assert.is(modelsAtOnceFor(2, be, 7, (m) => logs.push(m), saved), 2, 'an explicit setting wins');
    assert.ok(logs.some((l) => /trained 3 at a time; modelsAtOnce 2 trains them again \(set modelsAtOnce to 3 or 0/.test(l)), logs.join('\n'));
    for (const bad of [0, 1.5, -2]) {
      await trainEnsemble(be, data, { ...base, modelsAtOnce: bad }, 1).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ConfigError && /modelsAtOnce/.test(e.message), e.message));
    }
  });

  s.run();
}
