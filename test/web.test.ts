/**
 * The pure pieces behind the web page and the CLI's result file: live series from ExperimentContext.series
 * (the same numbers as the result's series, the second network's prefixed), resultFile (the CLI's and the
 * page's result.json), the page address, the orbit camera and modadd's 3D point cloud.
 * The page itself runs in Chromium in test/browser/web.test.mjs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildConfig } from '../src/experiments/config.js';
import { findExperiment } from '../src/experiments/index.js';
import { jsonSafe, resultFile } from '../src/experiments/resultFile.js';
import type { ExperimentResult } from '../src/experiments/types.js';
import { VERSION } from '../src/version.js';
import { defaultOrbit, dragged, project, viewProjection, zoomed } from '../src/web/camera.js';
import { guideLines, hueColor, modaddPointCloud } from '../src/web/features3d.js';
import { pageQuery, parsePageParams } from '../src/web/params.js';
import { testBackends } from './support/backends.js';

const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Runs an experiment's quick preset with overrides, recording every live sample as name → [step, value][]. */
async function runLive(name: string, sets: string[]) {
  const exp = findExperiment(name);
  const live = new Map<string, [number, number][]>();
  const result = await exp.run(buildConfig(exp, 'quick', sets), {
    backend: wasm, seed: 1, series: (n, step, v) => { if (!live.has(n)) live.set(n, []); live.get(n)!.push([step, v]); },
  });
  return { result, live };
}

const s = suite('web page pieces');

s('ExperimentContext.series: modadd emits every sample of its series as measured; the ReLU run\'s names are prefixed', async () => {
  const { result, live } = await runLive('modadd', ['p=5', 'width=16', 'steps=40', 'probeEvery=10', 'doubleEvery=10', 'doubleUntil=20']);
  const steps = result.series.step!;
  assert.equal(steps, [0, 10, 20, 30, 40]);
  for (const name of ['loss', 'lr', 'marginRatio', 'trainAccuracy', 'singleFrequencyFraction']) {
    assert.equal(live.get(name), steps.map((x, i) => [x, result.series[name]![i]!]), name);
  }
  // The ReLU comparison's series: named as in result.json (reluLoss …), plus its marginRatio, which result.json drops.
  assert.equal(live.get('reluLoss'), steps.map((x, i) => [x, result.series.reluLoss![i]!]));
  assert.ok(live.has('reluMarginRatio') && !('reluMarginRatio' in result.series));
  assert.not.ok(live.has('step'), 'the x axis is not a series of its own');
});

s('ExperimentContext.series: parity too, at its probe steps', async () => {
  const { result, live } = await runLive('parity', ['n=4', 'k=2', 'width=8', 'steps=30', 'probeEvery=10']);
  assert.equal(live.get('supportMass'), result.series.step!.map((x, i) => [x, result.series.supportMass![i]!]));
  assert.equal([...live.keys()].sort(), ['loss', 'marginRatio', 'supportMass', 'trainAccuracy']);
});

s('resultFile: the CLI\'s result.json shape; NaN becomes null with a warning; a user stop is noted', () => {
  const result: ExperimentResult = {
    summary: { a: 1, b: NaN }, series: { step: [0, 10], loss: [Infinity, 0.5] }, timings: { trainSeconds: 2 }, warnings: ['w'],
  };
  const file = resultFile({ experiment: 'modadd', config: { p: 5 }, seed: 3, backend: { name: 'wasm', description: 'd' }, totalSeconds: 4, result, stoppedBy: 'the Stop button' });
  assert.equal(Object.keys(file), ['experiment', 'version', 'config', 'seed', 'backend', 'timings', 'summary', 'series', 'warnings', 'details', 'stoppedBy']);
  assert.is(file.stoppedBy, 'the Stop button');
  assert.not.ok('stoppedBy' in resultFile({ experiment: 'modadd', config: {}, seed: 0, backend: { name: 'wasm', description: 'd' }, totalSeconds: 1, result }), 'only a stopped run has it');
  assert.is(file.version, VERSION);
  assert.equal(file.timings, { totalSeconds: 4, trainSeconds: 2 });
  assert.equal(file.summary, { a: 1, b: null });
  assert.equal(file.series.loss, [null, 0.5]);
  assert.equal(file.details, {});
  assert.equal(file.warnings, [
    'w', 'stopped early by the user (the Stop button): the series end where the run stopped',
    'non-finite number written as null: summary.b was NaN', 'non-finite number written as null: series.loss[0] was Infinity',
  ]);
  assert.equal(result.warnings, ['w'], 'the result itself is not changed');
  assert.equal(jsonSafe(new Float32Array([1, NaN])), [1, null]);
  // The NaN of one array (or of one key across an array's items) share a warning.
  const many = resultFile({ experiment: 'x', config: {}, seed: 0, backend: { name: 'wasm', description: 'd' }, totalSeconds: 1, result: {
    ...result, warnings: [], summary: { rows: [{ r: NaN }, { r: 1 }, { r: Infinity }] }, series: { c: Array.from({ length: 9 }, (_, i) => (i === 4 ? 0.5 : NaN)) },
  } });
  assert.equal(many.warnings, [
    'non-finite numbers written as null: summary.rows[i].r at 2 indices ([0], [2]) were NaN or Infinity',
    'non-finite numbers written as null: series.c[i] at 8 indices ([0], [1], [2], [3], [5], [6], …) were NaN',
  ]);
  assert.equal(many.series.c, [null, null, null, null, 0.5, null, null, null, null]);
  assert.equal(jsonSafe({ p: Int32Array.from([3, 4]), u: Uint8Array.from([1]) }), { p: [3, 4], u: [1] }, 'every typed array is a JSON array');
});

s('page address: experiment, preset, seed, backend and --set overrides, both ways; a bad seed is left out and named, never thrown', () => {
  const p = parsePageParams('?experiment=modadd&preset=quick&seed=2&backend=wasm&set=p=11&set=compareRelu=false');
  assert.equal(p, { sets: ['p=11', 'compareRelu=false'], problems: [], experiment: 'modadd', preset: 'quick', backend: 'wasm', seed: 2 });
  assert.equal(parsePageParams(pageQuery(p)), p);
  assert.equal(parsePageParams(''), { sets: [], problems: [] });
  for (const bad of ['-1', '1.5', 'abc', '', '1e300', '0x10']) {
    const q = parsePageParams(`seed=${bad}&experiment=parity`);
    assert.is(q.seed, undefined, `seed=${bad}`);
    assert.is(q.experiment, 'parity', 'the rest of the address is still read');
    assert.match(q.problems[0] ?? '', new RegExp(`^seed=${bad.replace('.', '\\.')}: the seed must be a whole number`));
  }
});

s('orbit camera: the origin projects to the centre in front of the camera; drag and wheel stay in range', () => {
  const m = viewProjection(defaultOrbit(), 4 / 3);
  const o = project(m, 0, 0, 0)!;
  assert.ok(Math.abs(o[0]) < 1e-6 && Math.abs(o[1]) < 1e-6 && o[2] > 0 && o[2] < 1, `origin at ${o}`);
  // z is up: a point above the origin is above the centre on screen.
  assert.ok(project(m, 0, 0, 1)![1] > 0.1);
  // Behind the camera: no projection.
  const eye = defaultOrbit();
  const c = Math.cos(eye.pitch);
  assert.is(project(m, 2 * eye.distance * c * Math.cos(eye.yaw), 2 * eye.distance * c * Math.sin(eye.yaw), 2 * eye.distance * Math.sin(eye.pitch)), null);
  assert.ok(dragged(eye, 0, 1e6).pitch < Math.PI / 2 && dragged(eye, 0, -1e6).pitch > -Math.PI / 2);
  assert.is(dragged(eye, 100, 0).yaw, eye.yaw - 1);
  assert.is(zoomed(eye, 1e6).distance, 20);
  assert.is(zoomed(eye, -1e6).distance, 1.5);
});

s('modadd point cloud: active neurons with a frequency at r·(cos θ, sin θ), height and colour by ζ; null for other details', () => {
  const neurons = [
    { active: true, zetaU: 1, phaseU: 0, maxPower: { u: 1 } },
    { active: true, zetaU: 3, phaseU: Math.PI / 2, maxPower: { u: 0.5 } },
    { active: false, zetaU: 2, phaseU: 1, maxPower: { u: 1 } },
    { active: true, zetaU: 0, phaseU: null, maxPower: { u: 1 } },
  ];
  const cloud = modaddPointCloud({ neurons })!;
  assert.is(cloud.count, 2);
  assert.is(cloud.maxZeta, 3);
  const near = (got: ArrayLike<number>, want: number[]) => want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-6, `${Array.from(got)} vs ${want}`));
  near(cloud.data.subarray(0, 6), [1, 0, -1, ...hueColor(0)]);
  near(cloud.data.subarray(6, 12), [0, 0.5, 1, ...hueColor(2 / 3)]);
  assert.is(modaddPointCloud({ supportMassPerNeuron: [1] }), null);
  assert.is(modaddPointCloud(undefined), null);
  near(hueColor(0), [0.9, 0, 0]);
  // One circle of 48 segments per frequency plus the z axis, 6 floats per vertex.
  assert.is(guideLines(3).length, (3 * 48 * 2 + 2) * 6);
});

s.run();
