/**
 * The interactions experiment's measurement options (specs/interactions.md): masked inputs with a baseline,
 * v(x_∅) subtracted, per-sample / unit / whole-set normalisation, extra measurements early in training; the
 * phase-1 detector.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildConfig } from '../src/experiments/config.js';
import { findExperiment } from '../src/experiments/index.js';
import { argminSmoothed, maskedInputs } from '../src/experiments/interactions.js';
import { Mlp } from '../src/nn/mlp.js';
import { Rng } from '../src/rng.js';
import type { ExperimentResult } from '../src/experiments/types.js';
import { testBackends } from './support/backends.js';
import { tinyFashion } from './support/tinyFashion.js';

const wasm = testBackends.find((b) => b.name === 'wasm')!;
const s = suite('interactions options [wasm]');

/** The fashion preset on the tiny stand-in, small, with overrides. */
async function runFashion(sets: string[]): Promise<ExperimentResult> {
  const exp = findExperiment('interactions');
  const config = buildConfig(exp, 'fashion', ['trainSize=100', 'testSize=50', 'epochs=2', 'samples=2', 'hidden=16', 'splitSteps=0', 'patches=4', 'dataDir=/data', ...sets]);
  return exp.run(config, { backend: wasm, seed: 5, files: tinyFashion() });
}

s('maskedInputs: row s·2ⁿ + T keeps the columns of the variables in T and puts the baseline elsewhere', () => {
  // 2 samples, 3 columns; columns 0 and 2 are variable 0, column 1 is variable 1.
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const out = maskedInputs(x, 2, Int32Array.from([0, 1, 0]), 2, Float32Array.from([-1, -2, -3]));
  assert.equal(Array.from(out), [
    -1, -2, -3, 1, -2, 3, -1, 2, -3, 1, 2, 3, // sample 0: T = ∅, {0}, {1}, {0, 1}
    -1, -2, -3, 4, -2, 6, -1, 5, -3, 4, 5, 6, // sample 1
  ]);
});

s('subtractEmpty: with the plain Harsanyi split I(∅) = v(∅) − v(∅) = 0, so order 0 holds no mass; without it the 10-class prior does', async () => {
  const plain = await runFashion(['subtractEmpty=false']);
  const sub = await runFashion(['subtractEmpty=true']);
  const mass0 = (r: ExperimentResult) => r.series.positiveOrder0!.map((p, t) => p! - r.series.negativeOrder0![t]!);
  assert.ok(mass0(sub).every((m) => m === 0), `order-0 mass with v(∅) subtracted: ${mass0(sub)}`);
  // At init v(∅) ≈ −log 9 is the largest |I|: it sets Z, so its normalised mass is 1.
  assert.ok(mass0(plain)[0]! > 0.9, `order-0 mass at init without subtraction: ${mass0(plain)[0]}`);
  // Higher orders are the same interactions (the split is off): the mean order only loses order 0's weight.
  const m = (r: ExperimentResult) => r.summary.meanOrder as number[];
  assert.ok(m(sub).every((v, t) => v > m(plain)[t]!), `${m(sub)} vs ${m(plain)}`);
});

s('normalize: one sample gives the same mean order under sample, unit and set; two samples can differ', async () => {
  const one = await Promise.all(['sample', 'unit', 'set'].map((n) => runFashion(['samples=1', `normalize=${n}`, 'subtractEmpty=true'])));
  const orders = one.map((r) => r.summary.meanOrder as number[]);
  for (const o of orders.slice(1)) o.forEach((v, t) => assert.ok(Math.abs(v - orders[0]![t]!) < 1e-12, `${o} vs ${orders[0]}`));
  const two = await Promise.all(['sample', 'set'].map((n) => runFashion(['samples=2', `normalize=${n}`, 'subtractEmpty=true'])));
  const counts = two.map((r) => r.series.salientCount!);
  // A set-wide threshold is at least each sample's own, so it never keeps more interactions.
  counts[1]!.forEach((c, t) => assert.ok(c! <= counts[0]![t]!, `set ${counts[1]} vs sample ${counts[0]}`));
});

s('probeEvery: extra measurements every k steps in the first probeEpochs epochs, then one per epoch', async () => {
  // 100 samples / batch 50 = 2 steps per epoch, 4 epochs; every step during the first 2 epochs.
  const r = await runFashion(['epochs=4', 'probeEvery=1', 'probeEpochs=2']);
  assert.equal(r.series.epoch, [0, 0.5, 1, 1.5, 2, 3, 4]);
  assert.is((r.summary.meanOrder as number[]).length, 7);
  const plain = await runFashion(['epochs=4']);
  assert.equal(plain.series.epoch, [0, 1, 2, 3, 4]);
});

s('baseline and centre: centred inputs with a zero baseline mask to the mean; a mean baseline on raw inputs changes the outputs', async () => {
  const zero = await runFashion(['baseline=zero']);
  const mean = await runFashion(['baseline=mean']);
  assert.equal(zero.series.trainLoss, mean.series.trainLoss, 'the baseline does not change training');
  assert.not.equal(zero.series.meanOrder, mean.series.meanOrder);
  const centredZero = await runFashion(['centre=true', 'baseline=zero']);
  const centredMean = await runFashion(['centre=true', 'baseline=mean']);
  assert.equal(centredZero.series.meanOrder, centredMean.series.meanOrder);
  assert.not.equal(centredZero.series.trainLoss, zero.series.trainLoss, 'centring changes what the network sees');
});

s('initScale: the same draws scaled (weights only); at 0.3 × He the initial loss is ≈ log 10', async () => {
  const he = await new Mlp(wasm, [6, 5, 3], new Rng(3)).params.read();
  const small = await new Mlp(wasm, [6, 5, 3], new Rng(3), 0.3).params.read();
  he.W0!.data.forEach((w, i) => assert.ok(Math.abs(small.W0!.data[i]! - 0.3 * w) <= 1e-6 * Math.abs(w), `W0[${i}]`));
  assert.ok(he.W1!.data.some((w) => w !== 0));
  assert.equal(Array.from(small.b0!.data), [0, 0, 0, 0, 0]);
  // At 0.3 × He the logits at init are small: the training loss starts at ≈ log 10.
  const r = await runFashion(['initScale=0.3']);
  assert.ok(Math.abs(r.series.trainLoss![0]! - Math.log(10)) < 0.05, `initial loss ${r.series.trainLoss![0]}`);
});


s('phase-1 end: the minimum of the smoothed mean order, ends padded (no bias toward epoch 0), NaN skipped', () => {
  assert.is(argminSmoothed([3.74, 3.03, 3.61, 4.06]), 1);
  assert.is(argminSmoothed([1, 2, 3]), 0);
  assert.is(argminSmoothed([3, 2, 1]), 2);
  assert.is(argminSmoothed([NaN, 3, 1, 1.5, 3]), 2);
  assert.is(argminSmoothed([]), -1);
});

s.run();
