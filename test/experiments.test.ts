/**
 * The margin-algebra analyses at small size (spec margin-algebra.md, "What must be shown"), on the WASM
 * backend: modular addition p = 17 (margin / γ* ≥ 0.95, every active neuron on one frequency, all 8 used,
 * ReLU's lower Fourier power beside it), sparse parity (10, 4) (support on the relevant bits ≥ 0.9) and
 * S_3 (each neuron in one non-trivial irrep, every one used). Plus determinism (same seed → same bits on
 * WASM, for any thread count), WebGPU within tolerance of WASM, and config errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackendRegistry } from '../dist/featurelab.js';
import { ConfigError, DegenerateFeaturesError, MatrixTooLargeError } from '../src/errors.js';
import { ParamSet } from '../src/nn/params.js';
import { Rng } from '../src/rng.js';
import { buildConfig } from '../src/experiments/config.js';
import { trainEnsemble } from '../src/experiments/ensemble.js';
import { findExperiment } from '../src/experiments/index.js';
import type { ConfigValue, ExperimentResult, Progress } from '../src/experiments/types.js';
import { resultFile } from '../src/experiments/resultFile.js';
import { parseRunFlags } from '../src/cli/run.js';
import { skewness } from '../src/metrics/interactionDiagnostics.js';
import type { Backend } from '../src/index.js';
import { testBackends } from './support/backends.js';
import { tinyFashion } from './support/tinyFashion.js';
import { idxBytes, memoryFiles } from './support/idxFiles.js';
import { tinyFashionData } from './support/tinyFashionData.mjs';
import { probeFeatureMap } from '../src/experiments/featureMapProbe.js';

const wasm = testBackends.find((b) => b.name === 'wasm')!;
const webgpu = testBackends.find((b) => b.name === 'webgpu');

/** Runs an experiment's quick preset with overrides on a backend. */
async function run(name: string, backend: Backend, sets: string[] = [], seed = 0): Promise<ExperimentResult> {
  const exp = findExperiment(name);
  return exp.run(buildConfig(exp, 'quick', sets) as Record<string, ConfigValue>, { backend, seed });
}

const s = suite('margin-algebra experiments [wasm]');

s('modular addition p = 17, m = 128: margin → γ*, single frequencies, every frequency, ReLU less pure', async () => {
  const r = await run('modadd', wasm);
  const sum = r.summary;
  assert.ok((sum.marginRatio as number) >= 0.95, `margin / γ* = ${sum.marginRatio}`);
  assert.ok((sum.marginRatio as number) <= 1 + 1e-4, `margin / γ* = ${sum.marginRatio} cannot exceed 1`);
  assert.is(sum.singleFrequencyFraction, 1, 'every active neuron is single-frequency');
  assert.equal(sum.frequenciesUsed, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.is(sum.trainAccuracy, 1);
  assert.ok((sum.meanMaxPower as number) >= 0.99, `quadratic mean max power ${sum.meanMaxPower}`);
  assert.is(sum.reluTrainAccuracy, 1, 'the ReLU network trained too');
  assert.ok((sum.reluMeanMaxPower as number) < (sum.meanMaxPower as number), `ReLU ${sum.reluMeanMaxPower} vs quadratic ${sum.meanMaxPower}`);
  // Nanda's measures on the ReLU network: keeping only key-frequency logit components keeps the loss low,
  // removing them leaves chance level (log 17 ≈ 2.83).
  assert.ok((sum.reluRestrictedLoss as number) < 0.5 && (sum.reluExcludedLoss as number) > 2, `restricted ${sum.reluRestrictedLoss}, excluded ${sum.reluExcludedLoss}`);
  assert.ok((sum.meanAbsPhaseError as number) < 0.05, `θ_u + θ_v ≈ θ_w: mean |error| ${sum.meanAbsPhaseError}`);
  assert.ok(r.series.marginRatio!.length >= 10 && r.series.step!.at(-1) === 12000);
  assert.equal(r.warnings, [], 'fitted, wide enough, not stopped: nothing to warn about');
  // One step from the init: no neuron is single-frequency yet, so the phase error is undefined — null, no NaN warning.
  const untrained = await run('modadd', wasm, ['p=5', 'width=20', 'steps=1', 'probeEvery=1', 'compareRelu=false']);
  assert.is(untrained.summary.meanAbsPhaseError, null);
  assert.is(untrained.summary.singleFrequencyFraction, 0);
});

s('margin analyses warn when the network did not fit (accuracy < 1 or margin ≤ 0) or is narrower than the max-margin solution needs', async () => {
  const fit = /did not fit its training set \(trainAccuracy (\S+), normalized margin (\S+)( ≤ 0)?\): it is not near a max-margin solution, so marginRatio and the features measured do not describe one; train longer \(steps\), or raise width or lr$/;
  const cases: [string, string[], string, RegExp][] = [
    ['modadd', ['p=5', 'width=8', 'steps=1', 'probeEvery=1', 'compareRelu=false'], 'the square network', /^width 8 is below 4\(p − 1\) = 16, the neurons the max-margin solution needs: marginRatio cannot reach 1 .*raise width to at least 16$/],
    ['parity', ['n=6', 'k=4', 'width=4', 'steps=1', 'probeEvery=1'], 'the network', /^width 4 is below 2\^\(k − 1\) = 8, the neurons/],
    ['group', ['width=10', 'steps=1', 'probeEvery=1'], 'the network', /^width 10 is below 2 Σ d³ over the non-trivial irreps = 18, the neurons/],
  ];
  for (const [name, sets, what, width] of cases) {
    const r = await run(name, wasm, sets);
    const acc = r.summary.trainAccuracy as number;
    const margin = r.summary.normalizedMargin as number;
    assert.ok(acc < 1 || margin <= 0, `${name}: one step from the init does not fit (accuracy ${acc}, margin ${margin})`);
    const fitWarning = r.warnings.find((w) => w.startsWith(`${what} did not fit`));
    assert.ok(fitWarning, `${name}: ${JSON.stringify(r.warnings)}`);
    const m = fit.exec(fitWarning!)!;
    assert.is(m[1], acc.toFixed(4), `${name}: the warning gives the training accuracy`);
    assert.is(m[2], margin.toPrecision(3));
    assert.is(m[3] !== undefined, margin <= 0);
    assert.ok(r.warnings.some((w) => width.test(w)), `${name}: ${JSON.stringify(r.warnings)}`);
  }
  // The ReLU comparison stopped part-way: its relu* keys get the stopped-at warning the main network would.
  let stop = false;
  const exp = findExperiment('modadd');
  const r = await exp.run(buildConfig(exp, 'quick', ['p=5', 'width=16', 'steps=40', 'probeEvery=10']), {
    backend: wasm, seed: 0, shouldStop: () => stop,
    progress: (p) => { if (p.phase.startsWith('relu') && p.step >= 15) stop = true; },
  });
  assert.ok(typeof r.summary.reluTrainAccuracy === 'number', 'the comparison ran');
  assert.not.ok(r.warnings.some((w) => /^stopped at step/.test(w)), 'the quadratic network finished');
  const relu = r.warnings.map((w) => /^the relu comparison stopped at step (\d+) of 40: the relu\* keys describe a partly trained network$/.exec(w)).find(Boolean);
  assert.ok(relu && Number(relu[1]) >= 15 && Number(relu[1]) < 40, JSON.stringify(r.warnings));
});

s('sparse parity (10, 4): support on the 4 relevant bits ≥ 0.9, margin / γ* reported', async () => {
  const r = await run('parity', wasm);
  assert.ok((r.summary.supportMass as number) >= 0.9, `support mass ${r.summary.supportMass}`);
  const ratio = r.summary.marginRatio as number;
  assert.ok(ratio > 0.5 && ratio <= 1 + 1e-4, `margin / γ* = ${ratio}`);
  assert.is(r.summary.trainAccuracy, 1);
});

s('S_3: every neuron in one non-trivial irrep, every non-trivial irrep used', async () => {
  const r = await run('group', wasm);
  assert.ok((r.summary.irrepConcentration as number) >= 0.95, `concentration ${r.summary.irrepConcentration}`);
  assert.equal(r.summary.irrepsUsed, ['[1,1,1]', '[2,1]']);
  assert.is(r.summary.allIrrepsUsed, true);
  const ratio = r.summary.marginRatio as number;
  assert.ok(ratio > 0.9 && ratio <= 1 + 1e-4, `margin / γ* = ${ratio}`);
});

s('same seed → bit-identical training on WASM, for 1 and 2 threads; another seed differs', async () => {
  const small = ['p=7', 'width=24', 'steps=300', 'probeEvery=100', 'compareRelu=false'];
  const reg = new BackendRegistry();
  await reg.init({ prefer: ['wasm'], wasmThreads: 1, log: () => {} });
  try {
    const a = await run('modadd', wasm, small, 5);
    const b = await run('modadd', wasm, small, 5);
    const c = await run('modadd', reg.get('wasm'), small, 5);
    const d = await run('modadd', wasm, small, 6);
    assert.equal(b.series.loss, a.series.loss);
    assert.equal(b.series.marginRatio, a.series.marginRatio);
    assert.equal(c.series.loss, a.series.loss, 'one thread gives the same bits as two');
    assert.not.equal(d.series.loss, a.series.loss);
  } finally {
    reg.disposeAll();
  }
});

if (webgpu) {
  s('WebGPU training stays within tolerance of WASM (same seed)', async () => {
    const small = ['p=7', 'width=24', 'steps=200', 'probeEvery=50', 'compareRelu=false'];
    const [g, w] = [await run('modadd', webgpu, small, 3), await run('modadd', wasm, small, 3)];
    w.series.loss!.forEach((want, i) => {
      if (want === null || !Number.isFinite(want)) return; // step 0 has no loss yet
      const got = g.series.loss![i]!;
      assert.ok(Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6, `loss at probe ${i}: webgpu ${got}, wasm ${want}`);
    });
    assert.ok(Math.abs((g.summary.marginRatio as number) - (w.summary.marginRatio as number)) < 1e-3);
  });
}

s('memorization (quick sweep): one row per setting with finite measures; bad lists are refused', async () => {
  const r = await run('memorization', wasm, ['ns=60,120', 'd=20', 'k=300', 'testSize=50', 'activations=phi2']);
  const rows = r.summary.rows as Record<string, number | string>[];
  assert.is(rows.length, 2 * 2); // alphas 0.5, 0.25 × ns 60, 120
  for (const row of rows) {
    for (const key of ['testAccuracy', 'spuriousAccuracy', 'cov', 'predictedCov', 'meanAlignment', 'gammaTheory']) {
      assert.ok(Number.isFinite(row[key]), `${key} = ${row[key]}`);
    }
    assert.ok((row.meanAlignment as number) > 0 && (row.meanAlignment as number) < 1);
  }
  await run('memorization', wasm, ['alphas=0.5,2']).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /alphas/));
  await run('memorization', wasm, ['features=rf,cnn']).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /rf, ntk/));
});

s('featuremap on a tiny stand-in dataset: every measure per epoch; the baseline trains only the last layer', async () => {
  const exp = findExperiment('featuremap');
  const config = buildConfig(exp, 'quick', ['hidden=32', 'epochs=2', 'probeSamples=200', 'batchSize=32', 'limitTrain=0', 'dataDir=/data']);
  const r = await exp.run(config, { backend: wasm, seed: 1, files: tinyFashion() });
  assert.ok(['MF', 'EF'].includes(r.summary.regime as string));
  for (const k of ['piHatC', 'rhoGap', 'dLR', 'nc1', 'testAccuracy']) assert.ok(Number.isFinite(r.summary[k]), `${k} = ${r.summary[k]}`);
  assert.ok((r.summary.testAccuracy as number) > 0.5, `the blocks are easy to learn: ${r.summary.testAccuracy}`);
  assert.equal(r.series.epoch, [0, 1, 2]);
  // Frozen features: the hidden layer's spectrum and NC1 do not move while only the last layer trains.
  const gaps = r.series.baselineRhoGap!;
  const nc1 = r.series.baselineNc1!;
  assert.ok(gaps.every((g) => g === gaps[0]) && nc1.every((v) => v === nc1[0]), `baseline gaps ${gaps}, NC1 ${nc1}`);
  assert.ok(r.series.rhoGap![2] !== r.series.rhoGap![0], 'full training moves the features');
  // The largest principal angle to the previous measurement's subspace: undefined (null) at the first.
  for (const name of ['topAngle', 'baselineTopAngle']) {
    const angles = r.series[name]!;
    assert.is(angles[0], null, `${name}[0]`);
    assert.ok(angles.slice(1).every((a) => a !== null && a >= 0 && a <= Math.PI / 2 + 1e-12), `${name}: ${angles}`);
  }
  assert.ok(!resultFile({ experiment: 'featuremap', config, seed: 1, backend: wasm, totalSeconds: 1, result: r }).warnings.some((w) => w.includes('non-finite')), 'no NaN in the result');
});

s('featuremap refuses what it cannot measure: hidden < C, width < p, a probe set missing a class; all-zero features end in DegenerateFeaturesError naming the fix', async () => {
  const exp = findExperiment('featuremap');
  assert.throws(() => buildConfig(exp, 'quick', ['hidden=9']), (e: Error) => e instanceof ConfigError && /^featuremap: hidden must be ≥ 10, the number of classes .*got 9$/.test(e.message));
  assert.not.throws(() => buildConfig(exp, 'quick', ['hidden=10']));
  assert.throws(() => buildConfig(exp, 'modadd', ['width=30']), (e: Error) => e instanceof ConfigError && /needs width ≥ p, .*got width 30, p 31$/.test(e.message));
  // Training images sorted by class: the first 130 hold classes 0 and 1 only (64 images per class).
  const train = tinyFashionData(640, 1);
  const order = Array.from({ length: 640 }, (_, i) => i).sort((a, b) => train.labels[a]! - train.labels[b]! || a - b);
  const images = new Uint8Array(640 * 784);
  order.forEach((from, to) => images.set(train.images.subarray(from * 784, from * 784 + 784), to * 784));
  const test = tinyFashionData(200, 2);
  const sorted = memoryFiles(new Map([
    ['/data/train-images-idx3-ubyte', idxBytes('u8', [640, 28, 28], images)],
    ['/data/train-labels-idx1-ubyte', idxBytes('u8', [640], Uint8Array.from(order, (i) => train.labels[i]!))],
    ['/data/t10k-images-idx3-ubyte', idxBytes('u8', [200, 28, 28], test.images)],
    ['/data/t10k-labels-idx1-ubyte', idxBytes('u8', [200], test.labels)],
  ]));
  const config = buildConfig(exp, 'quick', ['hidden=16', 'epochs=1', 'probeSamples=130', 'batchSize=32', 'limitTrain=0', 'dataDir=/data']);
  await exp.run(config, { backend: wasm, seed: 0, files: sorted }).then(() => assert.unreachable('ran'), (e: Error) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.match(e.message, /^featuremap: the probe set \(the first 130 training images, probeSamples\) has no image of class 3, 4, 5, 6, 7, 8, 9; .*raise probeSamples$/);
  });
  await exp.run(buildConfig(exp, 'quick', ['hidden=16', 'limitTrain=5', 'dataDir=/data']), { backend: wasm, seed: 0, files: tinyFashion() }).then(() => assert.unreachable('ran'), (e: Error) => {
    assert.match(e.message, /^featuremap: the probe set \(the first 5 training images, all of them \(limitTrain = 5\)\) has no image of class 5, 6, 7, 8, 9; .*raise limitTrain$/);
  });
  await exp.run(buildConfig(exp, 'quick', ['hidden=16', 'limitTrain=20', 'probeSamples=20', 'dataDir=/data']), { backend: wasm, seed: 0, files: tinyFashion() }).then(() => assert.unreachable('ran'), (e: Error) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.is(e.message, 'featuremap: batchSize 128 is larger than the 20 training images; lower batchSize or raise limitTrain');
  });
  // Dead features (every ReLU off): no spectrum, and the error says where and what to change.
  const input = { features: new Float32Array(20 * 12), n: 20, p: 12, labels: Array.from({ length: 20 }, (_, i) => i % 10), classes: 10,
    weights: new Float32Array(10 * 12), logits: new Float32Array(20 * 10), where: 'epoch 2', remedy: 'lower lr (now 9)' };
  await probeFeatureMap(wasm, input).then(() => assert.unreachable('measured'), (e: Error) => {
    assert.ok(e instanceof DegenerateFeaturesError, String(e));
    assert.is(e.message, 'feature map at epoch 2: every feature is 0 on all 20 probe inputs (each of the 12 units is inactive: dead ReLUs), so it has no spectrum to measure; lower lr (now 9)');
  });
  input.features[7] = 0.5;
  assert.ok(Number.isFinite((await probeFeatureMap(wasm, input)).rhoGap ?? 0), 'one live feature is measured');
});

s('memorization at the spec\'s scale (d = 200, k = 12000 RF, φ2, α = ½, N = 400): Cov within 15 % of mean F(g − f_loo)g over 3 seeds', async () => {
  let cov = 0;
  let predicted = 0;
  for (const seed of [0, 1, 2]) {
    const r = await run('memorization', wasm, ['features=rf', 'activations=phi2', 'alphas=0.5', 'ns=400', 'd=200', 'k=12000', 'testSize=50'], seed);
    const row = (r.summary.rows as Record<string, number>[])[0]!;
    cov += row.cov! / 3;
    predicted += row.predictedCov! / 3;
    assert.ok(row.covStdError! > 0 && row.covStdError! < 0.05, `standard error ${row.covStdError}`);
  }
  assert.ok(Math.abs(cov - predicted) <= 0.15 * predicted, `mean Cov ${cov.toFixed(4)} vs predicted ${predicted.toFixed(4)}`);
});

s('memorization on bordered images (tiny stand-in): α is the border share, rows are finite; a missing class is refused', async () => {
  const exp = findExperiment('memorization');
  const config = buildConfig(exp, 'quick', ['data=fashion', 'classes=1,7', 'border=4', 'ns=30,60', 'k=400', 'testSize=30', 'activations=phi2', 'dataDir=/data']);
  const r = await exp.run(config, { backend: wasm, seed: 2, files: tinyFashion() });
  const rows = r.summary.rows as Record<string, number | string>[];
  assert.is(rows.length, 2, 'one row per N (the alphas key does not apply)');
  for (const row of rows) {
    assert.is(row.d, 36 * 36);
    assert.ok(Math.abs((row.alpha as number) - (36 * 36 - 784) / (36 * 36)) < 1e-12, `α = ${row.alpha}`);
    for (const key of ['testAccuracy', 'spuriousAccuracy', 'cov', 'predictedCov', 'meanAlignment']) assert.ok(Number.isFinite(row[key]), `${key} = ${row[key]}`);
  }
  assert.ok((rows[1]!.testAccuracy as number) > 0.9, `classes 1 and 7 are separable blocks: test accuracy ${rows[1]!.testAccuracy}`);
  const bad = { ...buildConfig(exp, 'quick', ['data=fashion', 'dataDir=/data']), classes: '1,1' };
  await exp.run(bad, { backend: wasm, seed: 2, files: tinyFashion() }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /two different classes/));
});

s('featuremap on modular addition (p = 11): measures every probe; the frozen-embedding baseline keeps its features', async () => {
  const exp = findExperiment('featuremap');
  const config = buildConfig(exp, 'modadd', ['p=11', 'width=24', 'steps=400', 'probeEvery=100', 'trainFraction=0.6']);
  const r = await exp.run(config, { backend: wasm, seed: 3 });
  assert.equal(r.series.step, [0, 100, 200, 300, 400]);
  for (const k of ['piHatC', 'rhoGap', 'dLR', 'nc1', 'testAccuracy']) assert.ok(Number.isFinite(r.summary[k]), `${k} = ${r.summary[k]}`);
  assert.is(r.series.trainAccuracy!.at(-1), 1, 'the 73 training pairs are fitted');
  const nc1 = r.series.baselineNc1!;
  assert.ok(nc1.every((v) => v === nc1[0]), `frozen embedding: NC1 constant, got ${nc1}`);
  assert.ok(r.series.nc1![4] !== r.series.nc1![0], 'full training moves the features');
  const bad = { ...buildConfig(exp, 'modadd', []), act: 'tanh' };
  await exp.run(bad, { backend: wasm, seed: 3 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /square' or 'relu/));
});

s('gde on a tiny stand-in dataset: the summary keys, the exact identity, one error per model and one disagreement per pair', async () => {
  const exp = findExperiment('gde');
  for (const variant of ['DiffInit', 'DiffData']) {
    const config = buildConfig(exp, 'quick', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=40', `variant=${variant}`, `schedule=${variant === 'DiffData' ? 'cosine' : 'constant'}`, 'dataDir=/data']);
    const r = await exp.run(config, { backend: wasm, seed: 4, files: tinyFashion() });
    for (const k of ['meanTestError', 'meanDisagreement', 'gap', 'cace', 'ece']) assert.ok(Number.isFinite(r.summary[k]), `${variant} ${k} = ${r.summary[k]}`);
    assert.is(r.summary.models, 3);
    assert.ok((r.summary.identityError as number) < 1e-12);
    assert.is(r.series.testError!.length, 3);
    assert.is(r.series.pairDisagreement!.length, 3);
    assert.ok((r.summary.meanTestError as number) < 0.2, `${variant}: the blocks are easy (${r.summary.meanTestError})`);
  }
  const bad = { ...buildConfig(exp, 'quick', ['dataDir=/data']), variant: 'DiffSeed' };
  await exp.run(bad, { backend: wasm, seed: 4, files: tinyFashion() }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /DiffInit, DiffOrder, DiffData, AllDiff/));
  const badSchedule = { ...buildConfig(exp, 'quick', ['dataDir=/data']), schedule: 'linear' };
  await exp.run(badSchedule, { backend: wasm, seed: 4, files: tinyFashion() }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /'constant' or 'cosine'/));
});

s('interactions (quick): the mean salient order per epoch, universal matching to rounding, phase-1 end and gap onset reported', async () => {
  const r = await run('interactions', wasm, []);
  const orders = r.summary.meanOrder as number[];
  assert.is(orders.length, 7, 'epochs 0 … 6');
  assert.ok(orders.every((m) => m > 0 && m < 8), `orders ${orders}`);
  assert.ok((r.summary.universalMatchingMaxError as number) < 1e-9);
  // Matching holds for v + q; q is the split's noise, bounded by the spec at 0.04 of |v(x_N) − v(x_∅)|, and used.
  const noise = r.summary.matchingNoiseFraction as number;
  assert.ok(noise > 0 && noise <= 0.04 + 1e-12, `max |q| / |v(N) − v(∅)| = ${noise}`);
  assert.ok(r.summary.phase1End !== null && (r.summary.phase1End as number) >= 0);
  assert.is(r.series.positiveOrder3!.length, 7);
  assert.ok(r.series.trainLoss!.at(-1)! < r.series.trainLoss![0]!, 'training lowers the loss');
  // Salient interactions per order (the spec's counts), summing to the total at every measurement.
  const total = r.series.salientCount as number[];
  for (let i = 0; i < 7; i++) {
    const perOrder = Array.from({ length: 9 }, (_, k) => (r.series[`salientCountOrder${k}`] as number[])[i]!);
    assert.ok(perOrder.every((c) => Number.isInteger(c) && c >= 0), `counts ${perOrder}`);
    assert.is(perOrder.reduce((a, c) => a + c, 0), total[i], `epoch ${i}: Σ per order = salientCount`);
  }
  const overlap = r.summary.crossSeedOverlap as (number | null)[];
  assert.is(overlap.length, 9, 'one Jaccard overlap per order 0 … 8');
  // null where neither seed has a salient interaction of that order (never NaN: result.json would warn).
  assert.ok(overlap.every((o) => o === null || (o >= 0 && o <= 1)), `overlaps ${overlap}`);
  await run('interactions', wasm, ['samples=500']).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /cannot exceed trainSize/));
});

s('image sizes above the data: limitTrain, trainSize and testSize larger than the stand-in (640 training, 200 test images) are ConfigErrors', async () => {
  const cases: [string, string, string[], RegExp][] = [
    ['mlp', 'quick', ['limitTrain=700'], /^mlp: limitTrain = 700 is more than the 640 training images of Fashion-MNIST in \/data; set limitTrain to at most 640/],
    ['featuremap', 'quick', ['limitTrain=641'], /^featuremap: limitTrain = 641 is more than the 640 training images/],
    ['gde', 'quick', ['trainSize=120', 'testSize=300'], /^gde: testSize = 300 is more than the 200 test images of Fashion-MNIST in \/data; set testSize to at most 200/],
    ['interaction-tensor', 'quick', ['trainSize=1000', 'testSize=100', 'k=6', 'hidden=16'], /^interaction-tensor: trainSize = 1000 is more than the 640 training images/],
    ['interactions', 'fashion', ['trainSize=100', 'testSize=201'], /^interactions: testSize = 201 is more than the 200 test images/],
  ];
  for (const [name, preset, sets, message] of cases) {
    const exp = findExperiment(name);
    const config = buildConfig(exp, preset, [...sets, 'dataDir=/data']);
    await exp.run(config, { backend: wasm, seed: 0, files: tinyFashion() }).then(() => assert.unreachable(`${name} ran`), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${name}: ${String(e)}`);
      assert.match(e.message, message);
    });
  }
});

s('interaction-tensor on a tiny stand-in dataset: summary keys, a sensitivity row per threshold, the merged GDE, the framework rows, the per-component log (one group when k ≤ C − 1)', async () => {
  const exp = findExperiment('interaction-tensor');
  const config = buildConfig(exp, 'quick', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'k=6', 'maxEpochs=20', 'dataDir=/data']);
  const log: string[] = [];
  const progress: Progress[] = [];
  const r = await exp.run(config, { backend: wasm, seed: 6, files: tinyFashion(), log: (m) => log.push(m), progress: (p) => progress.push(p) });
  assert.is(r.summary.models, 3);
  // Progress through every phase, the analyses unit by unit (each model's PCA, the correlations, each threshold, the diagnostics).
  const phases = progress.map((p) => p.phase).filter((phase, i, all) => phase !== all[i - 1]);
  assert.equal(phases, ['model 1 of 3', 'model 2 of 3', 'model 3 of 3', "the untrained models' tensor", 'one epoch, model 1 of 3', 'one epoch, model 2 of 3', 'one epoch, model 3 of 3', "the untrained models' tensor", "the one-epoch models' tensor", "the trained models' tensor", 'the framework simulation']);
  const units = (phase: string) => progress.filter((p) => p.phase === phase).map((p) => `${p.step}/${p.total}`);
  assert.equal(units("the untrained models' tensor"), ['1/4', '2/4', '3/4', '4/4']);
  assert.equal(units("the one-epoch models' tensor"), ['1/4', '2/4', '3/4', '4/4']);
  assert.equal(units("the trained models' tensor"), ['1/9', '2/9', '3/9', '4/9', '5/9', '6/9', '7/9', '8/9', '9/9']);
  // k = 6 ≤ C − 1: the per-component diagnostic has one group (components 1–6), no empty 7–6 group of NaN.
  const perComponent = log.find((m) => m.startsWith('Spearman(confidence, presence) per component'));
  assert.ok(perComponent && /components 1–6 \(C − 1/.test(perComponent) && /% of presences$/.test(perComponent), perComponent);
  assert.not.match(perComponent!, /NaN|components 7/);
  // k = 12 > C − 1: both groups, components 1–9 and 10–12.
  const wideLog: string[] = [];
  await exp.run(buildConfig(exp, 'quick', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'k=12', 'maxEpochs=5', 'dataDir=/data']), { backend: wasm, seed: 6, files: tinyFashion(), log: (m) => wideLog.push(m) });
  const bothGroups = wideLog.find((m) => m.startsWith('Spearman(confidence, presence) per component'));
  assert.ok(bothGroups && /components 1–9 \(C − 1/.test(bothGroups) && /; components 10–12 -?\d\.\d{3} with \d+ %$/.test(bothGroups), bothGroups);
  assert.ok((r.summary.features as number) >= 6 && (r.summary.features as number) <= 18, `features ${r.summary.features}`);
  for (const key of ['spearmanFrequencyAdoption', 'sharedFeaturesAgreementCorrelation']) {
    const v = r.summary[key] as number;
    assert.ok(Number.isNaN(v) || (v >= -1 && v <= 1), `${key} = ${v}`);
  }
  assert.is((r.summary.sensitivity as unknown[]).length, 4);
  // Each threshold's frequency histogram counts its T features; the main one's skewness is that of the frequency series.
  const byQ = r.details!.frequencyHistogramByQCorr as { qCorr: number; histogram: number[] }[];
  (r.summary.sensitivity as { qCorr: number; features: number }[]).forEach((row, i) => {
    assert.is(byQ[i]!.qCorr, row.qCorr);
    assert.is(byQ[i]!.histogram.reduce((a, b) => a + b, 0), row.features, `q_corr ${row.qCorr}`);
  });
  assert.is(r.summary.frequencySkewness, skewness(r.series.frequency as number[]));
  const p = r.summary.sharedFeaturesAgreementPValue as number | null;
  assert.ok(p === null || (p > 0 && p <= 1), `Mantel p ${p}`);
  // The jackknife: one correlation per model left out, the first being the 'without model 1' one.
  const withoutEach = r.details!.sharedFeaturesAgreementWithoutEachModel as (number | null)[];
  assert.is(withoutEach.length, r.summary.models);
  assert.is(withoutEach[0], r.details!.sharedFeaturesAgreementWithoutFirstModel);
  const se = r.summary.sharedFeaturesAgreementJackknifeSE as number | null;
  assert.ok(withoutEach.includes(null) ? se === null : se! >= 0 && se! < 2, `jackknife s.e. ${se}`);
  assert.ok(log.some((m) => m.startsWith("corr(shared features, agreement) without each model's pairs in turn: ")), 'the jackknife is logged');
  // Three models leave one pair without each model, and here the correlation itself is undefined (a constant
  // series): the log says '–' for what is undefined, not NaN.
  const pairLines = log.filter((m) => m.startsWith('corr(shared features, agreement)') || m.startsWith('features T = '));
  assert.ok(pairLines.length === 3 && pairLines.every((m) => !m.includes('NaN')) && pairLines.slice(1).every((m) => m.endsWith(' –')), pairLines.join('\n'));
  const norms = r.details!.activationNormSpearman as { confidence: number; featuresPerPoint: number };
  assert.ok(Math.abs(norms.confidence) <= 1 && Math.abs(norms.featuresPerPoint) <= 1, JSON.stringify(norms));
  const byAccuracy = r.details!.agreementByAccuracy as { correlation: number | null; pValue: number | null; sharedFeaturesGivenAccuracy: number | null };
  assert.ok(byAccuracy.correlation === null || (Math.abs(byAccuracy.correlation) <= 1 && byAccuracy.pValue! > 0 && byAccuracy.pValue! <= 1), JSON.stringify(byAccuracy));
  assert.ok(byAccuracy.sharedFeaturesGivenAccuracy === null || Math.abs(byAccuracy.sharedFeaturesGivenAccuracy) <= 1, JSON.stringify(byAccuracy));
  assert.ok(log.some((m) => m.startsWith("a pair's agreement against the sum of its two models' test accuracies: ")), 'the diagnostic is logged');
  assert.is((r.summary.framework as unknown[]).length, 5);
  const frameworkLines = log.filter((m) => m.startsWith('framework '));
  assert.is(frameworkLines.length, 5, frameworkLines.join('\n'));
  assert.ok(frameworkLines.every((m) => / gap +-?\d\.\d{3} \(the spec: (keeps|breaks) GDE\); corr\(shared features, agreement\) over its model pairs 0\.\d{3}$/.test(m)), frameworkLines.join('\n'));
  // The framework's own pairs: those sharing more features agree more (feature-framework.test.ts works it by hand).
  for (const row of r.summary.framework as { sharedAgreementCorrelation: number }[]) assert.ok(row.sharedAgreementCorrelation > 0.2 && row.sharedAgreementCorrelation <= 1, JSON.stringify(row));
  const merged = r.summary.merged as Record<string, number>;
  assert.ok(merged.meanTestError! >= 0 && merged.meanTestError! <= 1 && Number.isFinite(merged.cace));
  assert.is(r.series.featuresPerPoint!.length, 100);
  const bad = { ...buildConfig(exp, 'quick', ['dataDir=/data']), k: 500 };
  await exp.run(bad, { backend: wasm, seed: 6, files: tinyFashion() }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /cannot exceed the hidden width/));
  // The variant key reaches the ensemble: models that also differ in data order are other models.
  const other = await exp.run(buildConfig(exp, 'quick', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'k=6', 'maxEpochs=20', 'dataDir=/data', 'variant=AllDiff']), { backend: wasm, seed: 6, files: tinyFashion() });
  assert.not.equal(other.series.featuresPerPoint, r.series.featuresPerPoint);
  assert.throws(() => buildConfig(exp, 'quick', ['variant=Seeds']), (e: Error) => /DiffInit, DiffOrder, DiffData, AllDiff/.test(e.message));
});

s('ensemble weight decay reaches the optimizer: the same models trained with decay are less confident', async () => {
  // Three well-separated classes in 8 inputs; weight decay shrinks the weights, so the logits and the softmax
  // peak shrink with it (same seeds, same data order).
  const inputs = 8;
  const classes = 3;
  const points = 60;
  const x = new Float32Array(points * inputs);
  const y = new Int32Array(points);
  for (let i = 0; i < points; i++) {
    y[i] = i % classes;
    for (let j = 0; j < inputs; j++) x[i * inputs + j] = (j % classes === y[i] ? 1 : 0) + 0.3 * Math.sin(7 * i + 3 * j);
  }
  const data = { inputs, classes, trainX: x, trainY: y, evalX: x, evalY: y };
  const meanPeak = async (weightDecay: number) => {
    const members = await trainEnsemble(wasm, data, { models: 2, variant: 'DiffInit', hidden: [16], lr: 0.1, momentum: 0.9, batchSize: 20, maxEpochs: 30, weightDecay }, 3);
    let sum = 0;
    for (const m of members) for (let i = 0; i < points; i++) sum += Math.max(...m.softmax.subarray(i * classes, (i + 1) * classes));
    return sum / (2 * points);
  };
  const plain = await meanPeak(0);
  const decayed = await meanPeak(0.05);
  assert.ok(decayed < plain - 0.01, `mean softmax peak ${decayed} with decay, ${plain} without`);
});

s('interactions on image patches (tiny stand-in dataset): n = 10, universal matching, one overlap per order', async () => {
  const exp = findExperiment('interactions');
  const config = buildConfig(exp, 'fashion', ['trainSize=100', 'testSize=50', 'epochs=2', 'samples=2', 'hidden=16', 'splitSteps=40', 'dataDir=/data']);
  const r = await exp.run(config, { backend: wasm, seed: 5, files: tinyFashion() });
  assert.is(r.summary.n, 10);
  assert.is((r.summary.meanOrder as number[]).length, 3);
  assert.ok((r.summary.universalMatchingMaxError as number) < 1e-9);
  assert.is((r.summary.crossSeedOverlap as number[]).length, 11);
  await exp.run({ ...buildConfig(exp, 'fashion', []), task: 'audio' }, { backend: wasm, seed: 5, files: tinyFashion() })
    .then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /'tabular' or 'fashion'/));
});

s('mlp: a run stopped between epochs reports the stopped model\'s test accuracy; wall-clock values stay out of summary and series (same seed, same numbers)', async () => {
  const exp = findExperiment('mlp');
  // 640 stand-in images, batches of 32: 20 steps an epoch; the stop lands in epoch 2.
  const config = buildConfig(exp, 'quick', ['hidden=16', 'epochs=3', 'batchSize=32', 'lr=0.2', 'keepPredictions=true', 'dataDir=/data']);
  const stopped = async (): Promise<ExperimentResult> => {
    let step = 0;
    return exp.run(config, { backend: wasm, seed: 3, files: tinyFashion(), progress: (p) => { step = p.step; }, shouldStop: () => step >= 30 });
  };
  const a = await stopped();
  assert.is(a.summary.epochs, 1.5);
  assert.equal(a.series.epoch, [1]);
  // The test accuracy of the model the summary describes (its kept softmax), not epoch 1's.
  const softmax = (a.details!.testSoftmax as Float64Array);
  const labels = a.details!.testLabels as number[];
  const right = labels.filter((y, i) => { const row = Array.from(softmax.subarray(i * 10, i * 10 + 10)); return row.indexOf(Math.max(...row)) === y; }).length;
  assert.is(a.summary.testAccuracy, right / labels.length);
  assert.is.not(a.summary.testAccuracy, a.series.testAccuracy![0], 'epoch 1 and step 30 differ here, so the check above tells them apart');
  assert.equal(Object.keys(a.series).sort(), ['epoch', 'loss', 'testAccuracy']);
  assert.equal(Object.keys(a.summary).sort(), ['epochs', 'finalLoss', 'testAccuracy', 'trainAccuracy']);
  assert.ok(a.timings.samplesPerSecond! > 0 && a.timings.trainSeconds! > 0, JSON.stringify(a.timings));
  const b = await stopped();
  assert.is(JSON.stringify({ summary: b.summary, series: b.series }), JSON.stringify({ summary: a.summary, series: a.series }), 'same seed → the same numbers');
});

s('a parameter too large for any backend is a MatrixTooLargeError naming its size, before the host array is allocated; width and hidden have a maximum', () => {
  const params = new ParamSet(wasm);
  assert.throws(() => params.normal('U', 17, 1e9, 0.1, new Rng(0)), (e: Error) => e instanceof MatrixTooLargeError
    && e.message === `ParamSet: parameter 'U' would be 17×1000000000 = 17000000000 values (63.3 GiB of f32), more than the ${2 ** 30} one matrix may hold; reduce the layer sizes that set it (an experiment's width or hidden key)`);
  assert.is(params.list.length, 0);
  assert.throws(() => buildConfig(findExperiment('modadd'), 'quick', ['width=1000000000']), (e: Error) => e instanceof ConfigError && /modadd: width must be ≤ 1000000, got 1000000000/.test(e.message));
  assert.throws(() => buildConfig(findExperiment('mlp'), 'quick', ['hidden=100000000']), (e: Error) => e instanceof ConfigError && /mlp: hidden must be ≤ 16384, got 100000000/.test(e.message));
});

s('bad config values and flags raise errors that list what is allowed', () => {
  const exp = findExperiment('modadd');
  assert.throws(() => buildConfig(exp, 'quick', ['q=3']), (e: Error) => /unknown config key 'q'/.test(e.message) && /width/.test(e.message));
  assert.throws(() => buildConfig(exp, 'quick', ['act=tanh']), (e: Error) => /square, relu/.test(e.message));
  assert.throws(() => buildConfig(exp, 'quick', ['width=1.5']), (e: Error) => /integer/.test(e.message));
  assert.throws(() => buildConfig(exp, 'quick', ['p=abc']), (e: Error) => /number/.test(e.message));
  assert.throws(() => buildConfig(exp, 'fast', []), (e: Error) => /paper, quick/.test(e.message));
  assert.throws(() => findExperiment('mnist'), (e: Error) => /modadd/.test(e.message));
  assert.throws(() => parseRunFlags(['--sed', '3']), (e: Error) => /unknown flag/.test(e.message) && /--seed/.test(e.message));
  assert.throws(() => parseRunFlags(['--backend', 'cuda']), (e: Error) => /webgpu, wasm, ref, got 'cuda'/.test(e.message));
  assert.equal(parseRunFlags(['--seed', '4', '--set', 'p=5', '--preset', 'paper']), { preset: 'paper', seed: 4, sets: ['p=5'], help: false, checkpointEvery: 1000, fresh: false });
  assert.equal(parseRunFlags(['--checkpoint-every', '0', '--fresh']), { preset: 'quick', seed: 0, sets: [], help: false, checkpointEvery: 0, fresh: true });
  assert.throws(() => parseRunFlags(['--checkpoint-every', '2.5']), (e: Error) => /--checkpoint-every must be a non-negative integer/.test(e.message));
  // Only decimal digits: Number() would take '' and ' ' as 0, '0x10' as 16, and 1e20 is past the generator's 2^53.
  for (const bad of ['', ' ', '0x10', '1e3', '-1', '1.5', '1e20', '9007199254740992']) {
    assert.throws(() => parseRunFlags(['--seed', bad]), (e: Error) => e instanceof ConfigError && /--seed must be a whole number from 0 to 2\^53 − 1/.test(e.message), `--seed '${bad}'`);
  }
  assert.is(parseRunFlags(['--seed', '9007199254740991']).seed, 2 ** 53 - 1);
  assert.throws(() => parseRunFlags(['--checkpoint-every', '0x10']), (e: Error) => /--checkpoint-every must be/.test(e.message));
});

s.run();
