/**
 * The interaction tensor from a merged set of runs (interaction-tensor's fromMerged): a sweep of 3 mlp runs
 * with keepActivations=true on the CLI, merged, gives the same tensor (feature count, statistics, the spec's
 * correlations, merged-class GDE) as the same three models trained here, with their activations kept bit for
 * bit; runs on other test points or of another width are refused with a ConfigError naming the run.
 * Node only for the sweep (it spawns dist/cli.js); the checks on hand-made merged files run everywhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packExact, unpackExact } from '../src/checkpoint/codec.js';
import { ConfigError, DataFormatError } from '../src/errors.js';
import { buildConfig } from '../src/experiments/config.js';
import { argmaxRows, finiteOrNull } from '../src/experiments/common.js';
import type { EnsembleMember } from '../src/experiments/ensemble.js';
import { findExperiment } from '../src/experiments/index.js';
import { ensembleTensor } from '../src/experiments/interactionTensorExperiment.js';
import {  } from '../src/metrics/interactionTensor.js';
import { skewness } from '../src/metrics/interactionDiagnostics.js';
import type { ExperimentResult } from '../src/experiments/types.js';
import { nodeOnly, testBackends } from './support/backends.js';
import { memoryFiles } from './support/idxFiles.js';
import { runCli, writeTinyFashion } from './support/cli.js';
import { tinyFashion } from './support/tinyFashion.js';

const s = suite('interaction tensor from merged runs');
const wasm = testBackends.find((b) => b.name === 'wasm')!;

// A low learning rate: the tiny task is not yet learnt, so the models disagree and every statistic is finite.
const MLP_SET = { hidden: 16, epochs: 2, batchSize: 32, lr: 0.003, keepActivations: true, activationsTestSize: 120 };
const TENSOR_SETS = ['k=8', 'qCorr=90', 'qData=90'];

/** A member built from an in-process mlp run's details, as the tensor of a trained ensemble needs it. */
function memberOf(r: ExperimentResult): EnsembleMember {
  const d = r.details as { testSoftmax: Float64Array; activationsTestSize: number; testActivations: unknown };
  const n = d.activationsTestSize;
  const softmax = d.testSoftmax.slice(0, n * 10);
  return { predictions: argmaxRows(softmax, n, 10), softmax, hidden: unpackExact(d.testActivations) as Float32Array, trainAccuracy: r.summary.trainAccuracy as number, epochs: 2 };
}

nodeOnly(s, 'a CLI sweep of 3 mlp runs, merged and reported: fromMerged gives the tensor of the same 3 models trained in-process, bit for bit [wasm]', async () => { // spawns `node dist/cli.js`
  const root = mkdtempSync(join(tmpdir(), 'featurelab-mtensor-'));
  try {
    await writeTinyFashion(join(root, 'data'));
    // A relative dataDir (the CLI runs in root): the run ids hash the config, so the merged order is the same every time.
    const spec = { experiment: 'mlp', preset: 'quick', seeds: [0, 1, 2], set: { ...MLP_SET, dataDir: 'data' } };
    writeFileSync(join(root, 'sweep.json'), JSON.stringify(spec));
    const sweep = await runCli(root, ['sweep', 'sweep.json', '--out', 'sweep', '--backend', 'wasm']);
    assert.is(sweep.code, 0, sweep.stderr);
    assert.match(sweep.stderr, /next: 'featurelab merge sweep --out M' \(means over seeds\), 'featurelab report sweep'/);
    const merge = await runCli(root, ['merge', 'sweep', '--out', 'm']);
    assert.is(merge.code, 0, merge.stderr);
    // The sweep's report: the three runs by seed, one section each.
    const report = await runCli(root, ['report', 'sweep']);
    assert.is(report.code, 0, report.stderr);
    const html = readFileSync(join(root, 'sweep', 'report.html'), 'utf8');
    assert.match(html, /3 runs found below <code>sweep<\/code> \(1 experiment\)/);
    assert.equal([...html.matchAll(/<span class="exp">#\d: mlp, seed (\d)<\/span>/g)].map((m) => m[1]), ['0', '1', '2']);
    const mergedBytes = readFileSync(join(root, 'm', 'merged.json'));
    const files = memoryFiles(new Map([['/m/merged.json', new Uint8Array(mergedBytes)]]));

    // The same three models trained here (same config and seeds, the test process's wasm backend).
    const mlp = findExperiment('mlp');
    const sets = Object.entries({ ...MLP_SET, dataDir: '/data' }).map(([k, v]) => `${k}=${v}`);
    const runs = [];
    for (const seed of [0, 1, 2]) runs.push(await mlp.run(buildConfig(mlp, 'quick', sets), { backend: wasm, seed, files: tinyFashion() }));
    const members = runs.map(memberOf);
    assert.is(members[0]!.hidden!.length, 120 * 16);
    // The merged runs carry the activations exactly: the same f32 bits as the in-process models'.
    const merged = JSON.parse(new TextDecoder().decode(mergedBytes)) as { runs: { seed: number; details: { testActivations: unknown } }[] };
    const bySeed = [0, 1, 2].map((seed) => merged.runs.find((r) => r.seed === seed)!);
    bySeed.forEach((r, i) => assert.equal(new Uint8Array((unpackExact(r.details.testActivations) as Float32Array).buffer), new Uint8Array(members[i]!.hidden!.buffer), `seed ${i}`));

    const exp = findExperiment('interaction-tensor');
    const fromMerged = await exp.run(buildConfig(exp, 'quick', ['fromMerged=/m/merged.json', ...TENSOR_SETS]), { backend: wasm, seed: 0, files });
    // Direct: the tensor of the in-process models, in the merged file's run order.
    const order = merged.runs.map((r) => r.seed);
    const labels = Int32Array.from(runs[0]!.details!.testLabels as number[]).subarray(0, 120);
    const direct = await ensembleTensor(order.map((seed) => members[seed]!), labels, 16, { k: 8, qCorr: 90, qData: 90 });
    assert.is(fromMerged.summary.models, 3);
    assert.is(fromMerged.summary.features, direct.main.features);
    assert.ok(direct.main.features >= 8 && direct.main.features <= 24, `${direct.main.features} features of 3 × 8`);
    for (const key of ['spearmanConfidenceFeatures', 'spearmanFrequencyAdoption', 'sharedFeaturesAgreementCorrelation'] as const) {
      assert.ok(Number.isFinite(direct.main[key]), `${key} is ${direct.main[key]}`);
      assert.is(fromMerged.summary[key], direct.main[key], key);
    }
    assert.equal(fromMerged.series.frequency, Array.from(direct.main.stats.frequency));
    assert.equal(fromMerged.series.adoption, Array.from(direct.main.stats.adoption));
    assert.equal(fromMerged.series.featuresPerPoint, Array.from(direct.main.stats.featuresPerPoint));
    assert.equal(fromMerged.series.confidence, direct.conf);
    assert.equal(fromMerged.summary.sensitivity, direct.sweep.map((x) => ({ qCorr: x.q, features: x.features, spearmanConfidenceFeatures: x.spearmanConfidenceFeatures, spearmanFrequencyAdoption: x.spearmanFrequencyAdoption, sharedFeaturesAgreementCorrelation: x.sharedFeaturesAgreementCorrelation, sharedFeaturesAgreementPValue: finiteOrNull(x.sharedFeaturesAgreementPValue), frequencySkewness: finiteOrNull(skewness(x.stats.frequency)) })));
    // The merged-class GDE reads the members' predictions: the models are not all right (the task is not yet learnt).
    const gde = fromMerged.summary.merged as { meanTestError: number; meanDisagreement: number };
    assert.ok(gde.meanTestError > 0 && gde.meanDisagreement > 0, JSON.stringify(gde));
    // Not made from merged runs (they need the training): null / empty, and said so.
    assert.is(fromMerged.summary.untrainedFeatures, null);
    assert.equal(fromMerged.series.untrainedFrequencyHistogram, []);
    assert.ok(fromMerged.warnings.some((w) => /untrained and one-epoch comparisons are not made/.test(w)), fromMerged.warnings.join(' | '));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A merged-run record of a fake model: n test points, width w, activations and softmax from `seed`. */
function fakeRun(id: string, n: number, w: number, seed: number, points = 'abcd1234') {
  const act = Float32Array.from({ length: n * w }, (_, i) => Math.abs(Math.sin(seed * 97 + i * 1.3)) + ((i % w) === (i / w | 0) % w ? 1 : 0));
  const softmax = Array.from({ length: n * 10 }, (_, i) => (i % 10 === (i / 10 | 0) % 10 ? 0.91 : 0.01));
  return {
    id, seed, summary: { trainAccuracy: 1 },
    details: { testSoftmax: softmax, testLabels: Array.from({ length: n }, (_, i) => i % 10), testActivations: packExact(act), activationsTestSize: n, hiddenWidth: w, activationsTestPoints: points },
  };
}

/** Runs interaction-tensor fromMerged on `runs` (as merged.json, through JSON text like the CLI's file). */
function fromRuns(runs: unknown[], sets: string[] = ['k=4']) {
  const exp = findExperiment('interaction-tensor');
  const files = memoryFiles(new Map([['/m/merged.json', new TextEncoder().encode(JSON.stringify({ runs }))]]));
  return exp.run(buildConfig(exp, 'quick', ['fromMerged=/m/merged.json', ...sets]), { backend: wasm, seed: 0, files });
}

/** Asserts that `p` rejects with an error of class `cls` whose message matches every pattern. */
async function rejects(p: Promise<unknown>, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): Promise<void> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
  for (const re of patterns) assert.match((e as Error).message, re);
}

s('fromMerged refuses runs on other test points or of another width (ConfigError naming the run), and too few runs', async () => {
  const ok = await fromRuns([fakeRun('a', 30, 8, 1), { id: 'gde-only', summary: {}, details: { testSoftmax: [], testLabels: [] } }, fakeRun('b', 30, 8, 2), fakeRun('c', 30, 8, 3)]);
  assert.is(ok.summary.models, 3, 'the run without activations is skipped');
  assert.ok(Number.isInteger(ok.summary.features) && (ok.summary.features as number) >= 4, `${ok.summary.features} features`);
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), fakeRun('b', 30, 12, 2)]), ConfigError, /run b has hidden width 12/, /run a has 8/);
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), fakeRun('c', 30, 8, 2, 'ffff0000')]), ConfigError, /run c kept its activations on other test points/, /run a/);
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), fakeRun('d', 20, 8, 2)]), ConfigError, /run d .*other test points \(20 images/);
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), fakeRun('b', 30, 8, 2)]), DataFormatError, /2 run\(s\) kept their activations/, /at least 3/, /keepActivations=true/);
  const cut = fakeRun('e', 30, 8, 2);
  cut.details.hiddenWidth = 9;
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), cut]), DataFormatError, /run e has testActivations that are not 30 × 9/);
  await rejects(fromRuns([fakeRun('a', 30, 8, 1), fakeRun('b', 30, 8, 2), fakeRun('c', 30, 8, 3)], ['k=9']), ConfigError, /k \(9\) cannot exceed the runs' hidden width \(8\)/);
});

s.run();
