/**
 * The HTML report (src/report/) and `featurelab report` (src/cli/report.ts): the SVG plot module's
 * coordinates, log ticks and skipping of missing values; one section per experiment shape with its plots,
 * axis labels and numbers; escaping; no external reference of any kind; failed suite runs; the report
 * file written for a run and a suite folder, and typed errors for bad folders and files; and the data the
 * report needs from real (tiny) modadd and featuremap runs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderReport } from '../dist/featurelab.js';
import type { ResultFile, SuiteFile } from '../dist/featurelab.js';
import { writeReport } from '../src/cli/report.js';
import { ResultFileError } from '../src/errors.js';
import { parseResultFile } from '../src/report/types.js';
import { jsonSafe } from '../src/experiments/resultFile.js';
import { buildConfig } from '../src/experiments/config.js';
import { findExperiment } from '../src/experiments/index.js';
import type { ConfigValue } from '../src/experiments/types.js';
import { FRAME, barChart, colorAt, heatmap, linePlot, logTicks, makeScale, niceTicks, scatterPlot } from '../src/report/svg.js';
import { esc, fmt } from '../src/report/format.js';
import { testBackends } from './support/backends.js';

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
const numbersOf = (text: string, attr: string) => [...text.matchAll(new RegExp(`${attr}="(-?[\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

// ---------------------------------------------------------------------------------------------------
const plots = suite('report: SVG plots');

plots('a linear scale maps the data range onto the plot edges; nice ticks are 1-2-5 steps', () => {
  const s = makeScale([3, null, NaN, 0, 10], { label: 'x' }, 70, 500);
  assert.equal(s.domain, [0, 10]);
  assert.is(s.map(0), 70);
  assert.is(s.map(10), 500);
  assert.is(s.map(5), 285);
  assert.equal(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.equal(niceTicks(-0.3, 0.25, 5), [-0.2, 0, 0.2]);
  assert.equal(niceTicks(-0.3, 0.25, 10), [-0.3, -0.2, -0.1, 0, 0.1, 0.2]);
  // A span of one ulp (a loss settled to rounding noise): the step is below an ulp of lo; it looped forever.
  assert.equal(niceTicks(0.6931471805599452, 0.6931471805599453), [0.69314718056]);
  assert.ok(niceTicks(1e17, 1e17 + 16).length >= 1 && niceTicks(1e17, 1e17 + 16).length <= 50);
  // Values near the largest double: the span must not overflow (it gave NaN positions in the SVG path).
  const huge = makeScale([1e308, -1e308], { label: 'y' }, 0, 200);
  assert.is(huge.map(-1e308), 0);
  assert.is(huge.map(1e308), 200);
  assert.is(huge.map(0), 100);
  assert.ok(niceTicks(-1e308, 1e308).every(Number.isFinite) && niceTicks(-1e308, 1e308).length >= 3);
});

plots('log axis: powers of ten as ticks, 10 in the middle of [1, 100], finer ticks over a narrow span', () => {
  assert.equal(logTicks(1e-3, 10), [0.001, 0.01, 0.1, 1, 10]);
  assert.equal(logTicks(0.15, 0.9), [0.2, 0.5]);
  assert.equal(logTicks(0.884, 1.93), [1, 1.5]);
  const s = makeScale([1, 100, 0, -5], { label: 'y', log: true }, 0, 200);
  assert.equal(s.domain, [1, 100], 'non-positive values are ignored on a log axis');
  assert.ok(Math.abs(s.map(10) - 100) < 1e-9);
});

plots('a long line is thinned to the first, lowest, highest and last point per pixel column, its spike kept', () => {
  const n = 1_000_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const y = Array.from({ length: n }, (_, i) => Math.sin(i / 5000) * 0.1);
  y[500_000] = 1;
  y[700_000] = -1;
  const spec = (xs: number[], ys: number[]) => ({ title: 't', x: { label: 'step' }, y: { label: 'loss' }, series: [{ name: 'a', x: xs, y: ys }] });
  const svg = linePlot(spec(x, y));
  const path = /<path d="([^"]+)"/.exec(svg)![1]!;
  const points = path.split(/[ML]/).filter((p) => p !== '');
  const columns = FRAME.width - FRAME.margin.left - FRAME.margin.right;
  assert.ok(points.length <= 4 * (columns + 1) && svg.length < 100_000, `${points.length} points, ${svg.length} bytes (a 1e6-point path was 11.5 MB)`);
  // The same extremes give the same scales: the spike, the dip and both ends are where a 4-point line puts them.
  const extremes = /<path d="([^"]+)"/.exec(linePlot(spec([0, 500_000, 700_000, n - 1], [y[0]!, 1, -1, y[n - 1]!])))![1]!.split(/[ML]/).filter((p) => p !== '');
  for (const p of extremes) assert.ok(points.includes(p), `${p} drawn`);
});

plots('line plot: the point at the max lands on the right / top edge, the min on the left / bottom', () => {
  const svg = linePlot({ title: 't', x: { label: 'step' }, y: { label: 'loss' }, series: [{ name: 'a', x: [0, 5, 10], y: [1, 2, 3] }] });
  const cx = numbersOf(svg, 'cx');
  const cy = numbersOf(svg, 'cy');
  assert.equal(cx, [FRAME.margin.left, (FRAME.margin.left + FRAME.width - FRAME.margin.right) / 2, FRAME.width - FRAME.margin.right]);
  assert.is(cy[0], FRAME.height - FRAME.margin.bottom);
  assert.is(cy[2], FRAME.margin.top);
  assert.match(svg, />step</);
  assert.match(svg, />loss</);
  assert.is(count(svg, /<svg/), 1);
});

plots('null, NaN and (log-y) non-positive values are skipped: the line breaks, nothing prints NaN', () => {
  const svg = linePlot({ title: 't', x: { label: 'x' }, y: { label: 'y', log: true }, series: [{ name: 'a', x: [0, 1, 2, 3, 4, 5], y: [1, null, NaN, 10, 0, 100] }] });
  assert.not.match(svg, /NaN|Infinity/);
  assert.is(count(svg, /<circle/), 3);
  const path = /<path d="([^"]+)"/.exec(svg)![1]!;
  assert.is(count(path, /M/), 3, `three separate pieces: ${path}`);
  const empty = linePlot({ title: 'nothing', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 'a', x: [], y: [] }] });
  assert.not.match(empty, /NaN/);
});

plots('scatter with y = x: the reference line runs corner to corner over equal domains, with a legend', () => {
  const svg = scatterPlot({ title: 's', x: { label: 'error', min: 0, max: 1 }, y: { label: 'disagreement', min: 0, max: 1 }, series: [{ name: 'pairs', x: [0.2, 0.4], y: [0.25, 0.35] }], reference: { slope: 1, intercept: 0, label: 'y = x' } });
  const ref = /<line class="ref" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/.exec(svg)!;
  assert.equal(ref.slice(1).map(Number), [FRAME.margin.left, FRAME.height - FRAME.margin.bottom, FRAME.width - FRAME.margin.right, FRAME.margin.top]);
  const [plotPart, legendPart] = svg.split('<g class="legend">');
  assert.is(count(plotPart!, /<circle/), 2, 'two points');
  assert.is(count(legendPart!, /<circle/), 1, 'the legend shows points as a dot');
  assert.match(svg, />y = x</);
  assert.not.match(svg, /<path/, 'points only');
});

plots('bar chart: one bar per value with its height; heatmap: viridis ends, grey for missing cells, colour bar label', () => {
  const bars = barChart({ title: 'b', x: { label: 'ζ' }, y: { label: 'neurons' }, categories: ['1', '2', '3'], groups: [{ name: 'n', values: [2, null, 4] }] });
  const heights = [...bars.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#4e79a7"/g)].map((m) => Number(m[1]));
  assert.is(heights.length, 2);
  assert.ok(Math.abs(heights[1]! - 2 * heights[0]!) < 0.2, `heights ${heights}`);
  assert.is(colorAt(0), '#440154');
  assert.is(colorAt(1), '#fde725');
  const map = heatmap({ title: 'h', x: { label: 'frequency' }, y: { label: 'neuron' }, columns: ['0', '1'], rows: ['a', 'b'], values: [[0, 1], [null, 0.5]], color: { label: 'power', min: 0, max: 1 } });
  assert.ok(map.includes('fill="#440154"') && map.includes('fill="#fde725"') && map.includes('fill="#ddd"'));
  assert.match(map, />power</);
});

plots('text is escaped in titles, labels and legends; numbers are formatted for reading', () => {
  const svg = linePlot({ title: '<script>alert(1)</script>', x: { label: 'a & b' }, y: { label: '"y"' }, series: [{ name: '<b>', x: [0, 1], y: [0, 1] }, { name: 'c', x: [0], y: [1] }] });
  assert.not.match(svg, /<script|<b>/);
  assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(svg, /a &amp; b/);
  assert.is(esc(`<'&">`), '&lt;&#39;&amp;&quot;&gt;');
  assert.is(fmt(0.123456), '0.1235');
  assert.is(fmt(2.2846e-6), '2.285e-6');
  assert.is(fmt(null), '—');
  assert.is(fmt(128), '128');
});

plots.run();

// ---------------------------------------------------------------------------------------------------
/** A result file with the fields every run has; `over` sets the experiment's own parts. */
function result(experiment: string, over: Partial<ResultFile>): ResultFile {
  return {
    experiment, version: '0.1.0', config: {}, seed: 7, backend: { name: 'wasm', description: 'wasm (test)' },
    timings: { totalSeconds: 1.25 }, summary: {}, series: {}, warnings: [], ...over,
  };
}

const steps = [0, 100, 200, 300];
/** One fixture per experiment, in the shape its run() returns (see /work/samples and src/experiments). */
const FIXTURES: Record<string, { run: ResultFile; plots: number; labels: string[]; numbers: string[] }> = {
  modadd: {
    run: result('modadd', {
      config: { p: 5, width: 8, act: 'square' },
      summary: { marginRatio: 0.9876, normalizedMargin: 0.0137, gammaStar: 0.01387, singleFrequencyFraction: 1, frequenciesUsed: [1, 2], neuronsPerFrequency: [3, 5], trainAccuracy: 1, activeNeurons: 8, allFrequenciesUsed: true, meanMaxPower: 0.9991, meanAbsPhaseError: 1e-6, reluMeanMaxPower: 0.9123, reluKeyFrequencies: [1, 2] },
      series: { step: steps, loss: [1.6, 0.9, 0.3, 0.1], marginRatio: [-1, 0.2, 0.9, 0.9876], singleFrequencyFraction: [0, 0.3, 0.9, 1], reluStep: steps, reluLoss: [1.6, 1, 0.5, 0.2], reluSingleFrequencyFraction: [0, 0.2, 0.5, 0.8] },
      details: {
        neurons: Array.from({ length: 8 }, (_, i) => ({ active: true, frequency: 1 + (i % 2), maxPower: { u: 0.99, v: 0.98, w: 0.97 }, phaseError: 0 })),
        fourierPower: Array.from({ length: 8 }, (_, i) => [0, i % 2 ? 0 : 1, i % 2 ? 1 : 0]),
      },
    }),
    plots: 6,
    labels: ['margin / γ* (1 = the maximum)', 'frequency ζ', 'neuron (sorted by its strongest ζ)', 'normalized power'],
    numbers: ['0.9876', '0.01387', '0.9123'],
  },
  parity: {
    run: result('parity', {
      config: { n: 10, k: 4 },
      summary: { marginRatio: 0.9215, supportMass: 0.9508, trainAccuracy: 1, normalizedMargin: 0.5595, gammaStar: 0.6072, relevantBits: [0, 1, 2, 3] },
      series: { step: steps, loss: [6, 3, 1, 0.5], marginRatio: [-2, 0, 0.8, 0.9215], supportMass: [0.4, 0.6, 0.9, 0.95] },
      details: { supportMassPerNeuron: [0.3, 0.9, 0.99] },
    }),
    plots: 4,
    labels: ['fraction of |u_i| on the k relevant bits', 'training step'],
    numbers: ['0.9215', '0.9508', '0.6072'],
  },
  group: {
    run: result('group', {
      config: { group: 'S3' },
      summary: { marginRatio: 0.9657, irrepConcentration: 0.9979, irrepsUsed: ['[1,1,1]', '[2,1]'], allIrrepsUsed: true, neuronsPerIrrep: [0, 6, 24], irrepLabels: ['[3]', '[1,1,1]', '[2,1]'], irrepDims: [1, 1, 2], normalizedMargin: 0.0228, gammaStar: 0.0236, trainAccuracy: 1 },
      series: { step: steps, loss: [1.8, 1, 0.5, 0.2], marginRatio: [-1.3, 0.1, 0.9, 0.9657], irrepConcentration: [0.68, 0.8, 0.95, 0.9979] },
    }),
    plots: 4,
    labels: ['irrep (partition, dimension)', 'irrep concentration (mean over neurons)'],
    numbers: ['0.9657', '0.9979', '[2,1] d=2'],
  },
  mlp: {
    run: result('mlp', {
      config: { hidden: 512 },
      timings: { trainSeconds: 12.5, samplesPerSecond: 20880 },
      summary: { testAccuracy: 0.8782, trainAccuracy: 0.8964, finalLoss: 0.2971 },
      series: { epoch: [1, 2, 3], loss: [0.5, 0.35, 0.3], testAccuracy: [0.84, 0.86, 0.8782] },
    }),
    plots: 2,
    labels: ['mean cross-entropy (nats)', 'epoch'],
    numbers: ['0.8782', '20880'],
  },
  memorization: {
    run: result('memorization', {
      summary: {
        rows: [100, 400].flatMap((n) => ['phi2', 'phi4'].map((activation) => ({ features: 'rf', activation, alpha: 0.5, n, d: 50, k: 1000, testAccuracy: 0.79, spuriousAccuracy: n === 100 ? 0.64 : 0.5225, cov: 0.196, covStdError: 0.063, predictedCov: 0.1989, meanAlignment: activation === 'phi2' ? 0.3344 : 0.2077, gammaTheory: activation === 'phi2' ? 0.25 : 0.0625 }))),
      },
    }),
    plots: 4,
    labels: ['training samples N', 'spurious accuracy (0.5 = chance)', 'mean feature alignment F'],
    numbers: ['0.5225', '0.3344', 'γ = 0.0625'],
  },
  featuremap: {
    run: result('featuremap', {
      config: { task: 'fashion' },
      summary: { regime: 'EF', piHatC: 0.9948, rhoGap: 0.6559, dLR: 0.3804, nc1: 0.8841, testAccuracy: 0.8486, baseline: { regime: 'EF', piHatC: 0.9732, rhoGap: 0.8833, dLR: 0.4904, nc1: 1.931, testAccuracy: 0.7742 } },
      series: {
        epoch: [0, 1, 2], piHatC: [0.93, 0.99, 0.9948], rhoGap: [0.88, 0.7, 0.6559], dLR: [0.55, 0.4, 0.3804], nc1: [1.9, 1.1, 0.8841], mf: [0, 0, 0], topAngle: [null, 0.3, 0.2], testAccuracy: [0.07, 0.8, 0.8486],
        baselineEpoch: [0, 1, 2], baselinePiHatC: [0.93, 0.96, 0.9732], baselineRhoGap: [0.88, 0.88, 0.8833], baselineDLR: [0.55, 0.5, 0.4904], baselineNc1: [1.9, 1.9, 1.931], baselineTestAccuracy: [0.07, 0.7, 0.7742],
      },
      details: {
        classes: 3, rhoRatios: [[1, 0.5, 0.3, 0.2], [1, 0.4, 0.2, 0.05], [1, 0.3, 0.1, 0.01]], piStar: [0.5, 0.8, 0.95, 0.99], piHat: [0.6, 0.9, 0.99, 1],
        baseline: { classes: 3, rhoRatios: [[1, 0.5, 0.3, 0.2]], piStar: [0.5, 0.7, 0.8, 0.9], piHat: [0.4, 0.6, 0.8, 1] },
      },
    }),
    plots: 7,
    labels: ['eigenvalue index k', 'ρ_k / ρ_1', 'top-k eigenfunctions', 'MF/EF boundary'],
    numbers: ['0.9948', '0.6559', '0.4904'],
  },
  gde: {
    run: result('gde', {
      config: { variant: 'AllDiff' },
      summary: { models: 3, variant: 'AllDiff', meanTestError: 0.2208, meanDisagreement: 0.1617, gap: -0.0591, cace: 0.212, ece: 0.1014, identityError: 2e-15, gapWithReplacement: -0.113, caceAtVoteLevels: 0.22, boundHolds: true, disagreementInterval: [0.154, 0.17], twoModelCace: 0.304 },
      series: { testError: [0.21, 0.22, 0.23], pairDisagreement: [0.15, 0.16, 0.17], pairMeanError: [0.215, 0.22, 0.225], caceBinLower: [0, 0.4, 0.9], caceBinCount: [8000, 150, 700], caceBinAccuracy: [0.01, 0.37, 0.91], caceBinConfidence: [0, 0.4, 1] },
    }),
    plots: 4,
    labels: ['mean test error of the pair', 'disagreement of the pair', 'y = x (GDE)', 'y = x (calibrated)'],
    numbers: ['0.2208', '0.1617', 'paper (CIFAR-10, AllDiff): 0.348', 'bound holds'],
  },
  'interaction-tensor': {
    run: result('interaction-tensor', {
      config: { testSize: 1000, unitNorm: true, qCorr: 90, qData: 95 },
      summary: { models: 5, features: 24, spearmanConfidenceFeatures: 0.4627, spearmanFrequencyAdoption: 0.8005, sharedFeaturesAgreementCorrelation: 0.6445, sharedFeaturesAgreementPValue: 0.354, sharedFeaturesAgreementJackknifeSE: 0.2107, frequencySkewness: -0.4866, untrainedFrequencySkewness: 0.323, merged: { gap: -0.0046, cace: 0.0224, fullGap: -0.0706 }, sensitivity: [{ qCorr: 80, spearmanConfidenceFeatures: 0.46, spearmanFrequencyAdoption: 0.59, sharedFeaturesAgreementCorrelation: 0.69 }, { qCorr: 90, spearmanConfidenceFeatures: 0.4627, spearmanFrequencyAdoption: 0.8005, sharedFeaturesAgreementCorrelation: 0.6445 }], framework: [{ change: 'tR ×3', expected: 'breaks GDE', accuracy: 0.9065, agreement: 0.9806, sharedAgreementCorrelation: 0.7592 }] },
      series: { frequencyHistogram: [3, 7, 6, 5, 2, 1, 0, 0, 0, 0, 0], oneEpochFrequencyHistogram: [7, 9, 5, 5, 1, 0, 1, 0, 0, 0, 0], untrainedFrequencyHistogram: [7, 13, 5, 4, 3, 1, 0, 0, 0, 0, 0], adoption: [5, 1, 3], frequency: [551, 12, 200], confidenceSpearmanByComponent: [0.3125, 0.2, -0.04], presenceShareByComponent: [0.4, 0.35, 0.25], confidenceSpearmanByClass: [0.2718, null, -0.05] },
      details: { spearmanConfidenceDistinctFeatures: 0.0961 },
    }),
    plots: 5,
    labels: ['fraction of test points where some model sees it (bin lower edges)', 'adoption: models that learned it', 'Spearman(confidence, presence) per component', 'share of presences', 'Spearman over its points'],
    numbers: ['0.4627', 'opposite sign to the paper', 'tR ×3', 'breaks GDE', '0.7592', 'corr(shared features, agreement) over its pairs', '0.3125', '0.2718', 'each shared feature counted once per point: 0.0961', 'Mantel permutation p = 0.354: not distinguishable from no correlation; jackknife standard error over the models 0.2107', 'no long right tail; untrained models: 0.323', 'unitNorm, ours, not in the spec', 'presence at the 95th (the paper: both at the 90th)'],
  },
  interactions: {
    run: result('interactions', {
      summary: { n: 3, meanOrder: [2.6, 2.0, 2.4], phase1End: 1, gapOnset: 2, universalMatchingMaxError: 8e-15, crossSeedOverlap: [0.33, 0.74, 0.66, null] },
      series: {
        epoch: [0, 1, 2], meanOrder: [2.6, 2.0, 2.4], trainLoss: [0.9, 0.5, 0.3], testLoss: [0.9, 0.6, 0.6], gap: [0, 0.1, 0.3], salientCount: [30, 20, 25],
        positiveOrder0: [0, 0, 0], negativeOrder0: [-0.01, 0, 0], positiveOrder1: [0.5, 1, 0.6], negativeOrder1: [-0.8, -0.5, -0.4], positiveOrder2: [1, 0.4, 0.8], negativeOrder2: [-0.9, -0.2, -0.6], positiveOrder3: [0.8, 0.1, 0.5], negativeOrder3: [-1, -0.1, -0.4],
      },
    }),
    plots: 5,
    labels: ['interaction order |S|', 'end of phase 1', 'loss-gap onset', 'epoch (phase)'],
    numbers: ['2.6', '|t₁ − t_gap| = 1', '1 (phase 1)'],
  },
};

/** Asserts that the document refers to nothing outside itself and runs no script. */
function assertSelfContained(html: string): void {
  assert.not.match(html, /https?:\/\//, 'no URL');
  assert.not.match(html, /\bsrc=/i, 'no src attribute');
  assert.not.match(html, /<link/i, 'no <link>');
  assert.not.match(html, /<script/i, 'no script');
  assert.not.match(html, /url\(/i, 'no CSS url()');
  assert.not.match(html, /@import/i, 'no CSS import');
}

const sections = suite('report: sections');

for (const [name, f] of Object.entries(FIXTURES)) {
  sections(`${name}: its section, ${f.plots} plots with labelled axes, the key numbers, self-contained`, () => {
    const html = renderReport([f.run]);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.match(html, new RegExp(`<section id="run-1-${name}">`));
    assert.is(count(html, /<svg /), f.plots, 'plots');
    assert.ok(count(html, /class="label"/) >= 2 * f.plots, 'two axis labels per plot');
    for (const label of f.labels) assert.ok(html.includes(esc(label)), `label '${label}'`);
    for (const n of f.numbers) assert.ok(html.includes(esc(n)), `number '${n}'`);
    assert.not.match(html, /could not be drawn/, 'the dedicated renderer handled it');
    assert.not.match(html, /NaN|undefined|\[object Object\]/);
    assert.match(html, /seed 7, backend wasm \(wasm \(test\)\)/);
    assertSelfContained(html);
  });
}

sections('memorization with the network variant: a fifth plot (network beside the kernels), the network table and the solver', () => {
  const base = FIXTURES.memorization!.run;
  const network = [100, 400].map((n) => ({ alpha: 0.5, n, d: 50, hidden: '500,200', dataOf: 'rf phi2', testAccuracy: 0.61, spuriousAccuracy: n === 100 ? 0.7531 : 0.55, cov: 0.21, covStdError: 0.05, trainAccuracy: 1, trainLoss: 0.0004, steps: 80, interpolated: n === 100 }));
  const solver = 'kernel matrices built on wasm (test) in f32, taken to f64 on the host; K + λI solved by Cholesky in f64 on the host';
  const html = renderReport([result('memorization', { ...base, summary: { ...base.summary, solver, network } })]);
  assert.is(count(html, /<svg /), 5, 'plots');
  assert.ok(html.includes(esc('spurious accuracy vs N: trained network beside the kernels')));
  assert.ok(html.includes(esc('network 500,200, α = 0.5')));
  assert.ok(html.includes('0.7531'));
  assert.ok(html.includes(esc('not interpolated at N = 400')));
  assert.ok(html.includes(esc(solver)));
  assert.ok(html.includes('<th>interpolated</th>'));
  assert.not.match(html, /NaN|undefined|\[object Object\]/);
  assertSelfContained(html);
});

sections('config strings and warnings are escaped; warnings are listed', () => {
  const run = result('modadd', { ...FIXTURES.modadd!.run, config: { act: '<script>alert("x")</script>' }, warnings: ['stopped at <b>step</b> 3'] });
  const html = renderReport([run], { title: 'a <title>' });
  assertSelfContained(html);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.match(html, /stopped at &lt;b&gt;step&lt;\/b&gt; 3/);
  assert.match(html, /<title>a &lt;title&gt;<\/title>/);
});

sections('an unknown experiment gets the generic section: summary table and one plot per series', () => {
  const run = result('newthing', { summary: { score: 0.4321, label: 'x' }, series: { step: [0, 1, 2], a: [1, 2, 3], b: [3, null, 1] } });
  const html = renderReport([run]);
  assert.is(count(html, /<svg /), 2);
  assert.match(html, /0\.4321/);
  assert.match(html, /No dedicated report section/);
});

sections('a result a renderer cannot draw falls back to the generic view with a note, not a crash', () => {
  const run = result('gde', { summary: { variant: 'AllDiff', disagreementInterval: 'oops' }, series: { pairDisagreement: [0.1] } });
  const html = renderReport([run]);
  assert.match(html, /<section id="run-1-gde">/);
  assert.not.match(html, /NaN/);
  const weird = result('modadd', { details: { fourierPower: [[null, 'x'], 3] as unknown[], neurons: [1, null] as unknown[] }, summary: { neuronsPerFrequency: 'oops' } });
  assert.match(renderReport([weird]), /<section id="run-1-modadd">/);
});

sections('hostile shapes render: a series flat to one ulp (looped forever), 200k series and 20k-deep config (overflowed the stack), experiment \'constructor\'', () => {
  const flat = renderReport([result('custom', { series: { loss: [0.6931471805599453, 0.6931471805599452, 0.6931471805599453] } })]);
  assert.match(flat, /<svg[^>]*data-series="loss"|<svg/);
  const many: Record<string, number[]> = {};
  for (let i = 0; i < 200_000; i++) many[`s${i}`] = [1];
  assert.match(renderReport([result('custom', { series: many })]), /<section id="run-1-custom">/);
  let deep: unknown = [1];
  for (let i = 0; i < 20_000; i++) deep = [deep];
  assert.match(renderReport([result('custom', { config: { d: deep as number } })]), /<td>d<\/td><td>\[\[\[\[\[\[\[\[…\]\]\]\]\]\]\]\]<\/td>/);
  // Not Object.prototype.constructor as its section renderer: the generic section, without an error note.
  const ctor = renderReport([result('constructor', { summary: { x: 1 } })]);
  assert.match(ctor, /No dedicated report section/);
  assert.not.match(ctor, /could not be drawn/);
});

sections('a suite: overview with every run, the failed one marked with its error, a section per ok run', () => {
  const suiteFile: SuiteFile = {
    suite: true, version: '0.1.0', preset: 'quick', seed: 0, backend: { name: 'wasm', description: 'wasm (test)' },
    runs: [
      { experiment: 'modadd', dir: 'modadd', seconds: 9.5, status: 'ok' },
      { experiment: 'gde', dir: 'gde', seconds: 0.4, status: 'failed', error: 'DatasetMissingError: <fashion-mnist> not found' },
      { experiment: 'interactions', dir: 'interactions-fashion', seconds: 0, status: 'skipped', note: 'needs Fashion-MNIST, which is not installed' },
    ],
  };
  const html = renderReport([FIXTURES.modadd!.run], { suite: suiteFile });
  assertSelfContained(html);
  assert.match(html, /1 of 3 runs ok/);
  assert.match(html, /<td>FAILED<\/td>/);
  assert.match(html, /<td>skipped<\/td><td>needs Fashion-MNIST, which is not installed<\/td>/);
  assert.match(html, /class="failed">✗ gde failed: DatasetMissingError: &lt;fashion-mnist&gt; not found/);
  assert.is(count(html, /<section id="run-/), 1);
});

sections('parseResultFile: names the file and the bad field', () => {
  assert.throws(() => parseResultFile({ experiment: 'x' }, 'dir/result.json'), (e: Error) => e instanceof ResultFileError && /dir\/result\.json: "config" must be an object/.test(e.message));
  assert.throws(() => parseResultFile([], 'r.json'), (e: Error) => e instanceof ResultFileError && /not a JSON object/.test(e.message));
  assert.throws(() => parseResultFile({ ...FIXTURES.mlp!.run, series: { loss: ['a'] } }, 'r.json'), /series "loss" must be an array of numbers/);
  assert.throws(() => parseResultFile({ ...FIXTURES.mlp!.run, warnings: 'stopped early' }, 'r.json'), (e: Error) => e instanceof ResultFileError && /"warnings" must be an array of strings/.test(e.message));
});

sections('audit fixes: partial runs are marked, log bars keep their smallest bin, signed paper gaps, the solver as a paragraph, the task in titles', () => {
  const stopped = renderReport([{ ...FIXTURES.modadd!.run, stoppedBy: 'Ctrl-C' }]);
  assert.match(stopped, /<p class="failed">Partial result: the run was stopped early by the user \(Ctrl-C\)/);
  assert.not.match(renderReport([FIXTURES.modadd!.run]), /Partial result/);
  // gde: the 0.7 bin holds 62 entries beside 8494; on the log axis its bar must have a height.
  const gde = FIXTURES.gde!.run;
  const withSmallBin = renderReport([{ ...gde, series: { ...gde.series, caceBinLower: [0, 0.7, 0.9], caceBinCount: [8494, 62, 700] } }]);
  const bar = /<rect [^>]*height="([\d.]+)"[^>]*><title>[^<]*0\.7: 62<\/title>/.exec(withSmallBin);
  assert.ok(bar && Number(bar[1]) > 5, `the 62-entry bar is ${bar?.[1]} px high`);
  // DiffInit: the paper's disagreement 0.307 is below its error 0.337, so its gap (disagreement − error) is −0.03.
  const diffInit = renderReport([{ ...gde, config: { variant: 'DiffInit' }, summary: { ...gde.summary, variant: 'DiffInit' } }]);
  assert.match(diffInit, /paper \(CIFAR-10, DiffInit\): -0\.03</);
  const memo = renderReport([result('memorization', { summary: { rows: [], solver: 'kernel matrices built on wasm in f32; Cholesky in f64' } })]);
  assert.match(memo, /<p class="what"><b>Kernel solver<\/b> \(the spec: say which was used\): kernel matrices built on wasm in f32; Cholesky in f64<\/p>/);
  const two = renderReport([{ ...FIXTURES.interactions!.run, config: { task: 'tabular' } }, { ...FIXTURES.interactions!.run, config: { task: 'fashion' } }]);
  assert.match(two, /two-phase dynamics \(tabular task\)/);
  assert.match(two, /two-phase dynamics \(fashion task\)/);
  assert.match(two, /<a href="#run-2-interactions">interactions \(fashion\)<\/a>/);
  assert.match(two, /neither seed has a salient interaction of that order/);
});

sections.run();

// ---------------------------------------------------------------------------------------------------
const cli = suite('report: featurelab report DIR');

cli('writes DIR/report.html for a run folder and for a suite folder; a run without result.json is failed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'featurelab-report-'));
  try {
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'a', 'result.json'), JSON.stringify(FIXTURES.parity!.run));
    const path = await writeReport(join(dir, 'a'));
    assert.is(path, join(dir, 'a', 'report.html'));
    const html = await readFile(path, 'utf8');
    assert.match(html, /Sparse parity/);
    assert.is(count(html, /<svg /), FIXTURES.parity!.plots);
    const suiteFile = { suite: true, version: '0.1.0', preset: 'quick', seed: 0, backend: { name: 'wasm', description: 'x' }, runs: [
      { experiment: 'parity', dir: 'a', seconds: 1, status: 'ok' },
      { experiment: 'group', dir: 'missing', seconds: 1, status: 'ok' },
      { experiment: 'mlp', dir: 'b', seconds: 1, status: 'failed', error: 'boom' },
      { experiment: 'modadd', dir: 'c', seconds: 1, status: 'stopped', note: 'stopped by Ctrl-C' },
    ] };
    await mkdir(join(dir, 'c'));
    await writeFile(join(dir, 'c', 'result.json'), JSON.stringify({ ...FIXTURES.modadd!.run, stoppedBy: 'Ctrl-C' }));
    await writeFile(join(dir, 'suite.json'), JSON.stringify(suiteFile));
    const suiteHtml = await readFile(await writeReport(dir), 'utf8');
    assert.match(suiteHtml, /1 of 4 runs ok/);
    assert.match(suiteHtml, /Partial result: the run was stopped early/, 'a stopped run\'s partial result gets its section');
    assert.match(suiteHtml, /group failed: .*missing.*result\.json cannot be read/);
    assert.match(suiteHtml, /mlp failed: boom/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

cli('a sweep folder: every run below it (one or two levels), ordered by experiment, the differing config keys and seed, with an overview; an unreadable run is listed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'featurelab-report-'));
  try {
    const parity = FIXTURES.parity!.run;
    const put = async (folder: string, run: unknown) => {
      await mkdir(join(dir, folder), { recursive: true });
      await writeFile(join(dir, folder, 'result.json'), typeof run === 'string' ? run : JSON.stringify(run));
    };
    // Folder names (hash ids in a real sweep) in an order unlike the runs' order.
    // Seeds 0 and 1 of n 12 differ in marginRatio (0.9215 and −0.1215): a group for the across-seeds table.
    await put('named/0a', { ...parity, seed: 1, config: { ...parity.config, n: 12 }, summary: { ...parity.summary, marginRatio: -0.1215 } });
    await put('named/0b', { ...parity, seed: 0, config: { ...parity.config, n: 12 } });
    await put('1c', { ...parity, seed: 0, config: { ...parity.config, n: 9 }, stoppedBy: 'Ctrl-C' });
    await put('0d', { ...FIXTURES.modadd!.run, seed: 2 });
    await put('2e', '{"experiment": ');
    await mkdir(join(dir, 'empty'));
    const html = await readFile(await writeReport(dir), 'utf8');
    assert.match(html, new RegExp(`<h1>featurelab: 4 runs in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</h1>`));
    assert.match(html, /4 runs found below <code>.*<\/code> \(2 experiments, 1 partial, 1 unreadable\); after the seed, each table has the config keys that differ/);
    const rows = [...html.matchAll(/<tr><td>(\d)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => `${m[1]} ${m[2]} seed ${m[3]}`);
    assert.equal(rows, ['1 0d seed 2', '2 1c seed 0', '3 named/0b seed 0', '4 named/0a seed 1']);
    assert.match(html, /<h3>modadd<\/h3><table><tr><th>#<\/th><th>folder<\/th><th>seed<\/th><th>backend<\/th>/, 'one modadd run: no key differs');
    assert.match(html, /<h3>parity<\/h3><table><tr><th>#<\/th><th>folder<\/th><th>seed<\/th><th>n<\/th><th>backend<\/th>/, 'n, the grid key, is a column; k is the same in all');
    assert.match(html, /<td>partial \(stopped by Ctrl-C\)<\/td>/);
    assert.match(html, /<p class="failed">✗ 2e: .*result\.json is not valid JSON/);
    assert.match(html, /<a href="#run-3-parity">parity, n 12, seed 0<\/a>/);
    assert.match(html, /<a href="#run-2-parity">parity, n 9, seed 0, partial<\/a>/);
    assert.match(html, /<a href="#run-1-modadd">modadd, seed 2<\/a>/);
    assert.match(html, /<section id="run-3-parity"><h2>[^<]+<span class="exp">#3: parity, n 12, seed 0<\/span><\/h2>/, 'each section is headed by its run');
    assert.is(count(html, /<section id="run-/), 4, 'a section per readable run');
    // Across seeds: only parity n 12 has two finished seeds (n 9 is partial, modadd has one).
    assert.match(html, /<h3>Across seeds<\/h3>/);
    assert.is(count(html, /: 2 seeds \(0, 1\)<\/p>/), 1, 'one group');
    assert.match(html, /<p><b>parity, n 12, [^<]+<\/b>: 2 seeds \(0, 1\)<\/p>/);
    // marginRatio: mean 0.4, s.d. |0.9215 + 0.1215| / √2 = 0.7375, s.e. 0.5215, one seed each sign.
    const margin = /<tr><td>marginRatio<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/.exec(html.slice(html.indexOf('Across seeds')));
    assert.ok(margin, 'a marginRatio row');
    assert.equal(margin!.slice(1), ['0.4', '0.7375', '0.5215', '1 of 2', '1 of 2']);
    assert.match(html.slice(html.indexOf('Across seeds')), /<tr><td>trainAccuracy<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>2 of 2<\/td><td>0 of 2<\/td><\/tr>/);
    assert.not.match(html.slice(html.indexOf('Across seeds')), /relevantBits/, 'arrays are not averaged');
    assert.is((await readFile(join(dir, 'report.html'), 'utf8')).length, html.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

cli('across seeds: a seed found in two folders counts once; a different backend is its own group', () => {
  const parity = FIXTURES.parity!.run;
  const at = (seed: number, marginRatio: number, backend = parity.backend) => ({ ...parity, seed, backend, summary: { ...parity.summary, marginRatio } });
  const runs = [at(0, 1), at(0, 1), at(1, 0), at(2, 0.5, { name: 'webgpu', description: 'a GPU' }), at(3, 0.5, { name: 'webgpu', description: 'a GPU' })];
  const html = renderReport(runs, { collection: { folder: 'f', dirs: ['a', 'copy-of-a', 'b', 'c', 'd'], unreadable: [] } });
  const across = html.slice(html.indexOf('<h3>Across seeds</h3>'));
  assert.match(across, new RegExp(`<b>parity, ${parity.backend.name}</b>: 2 seeds \\(0, 1\\)`), 'seed 0 once');
  assert.match(across, /<b>parity, webgpu<\/b>: 2 seeds \(2, 3\)/);
  // Seeds 0 and 1 (1 and 0): mean 0.5, s.d. √0.5.
  assert.match(across, /<tr><td>marginRatio<\/td><td>0\.5<\/td><td>0\.7071<\/td>/);
});

cli('typed errors: a missing folder, a folder without results, a corrupt result.json, a bad suite.json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'featurelab-report-'));
  const rejects = async (p: Promise<unknown>, pattern: RegExp) => p.then(() => assert.unreachable('should throw'), (e: Error) => {
    assert.ok(e instanceof ResultFileError, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
  });
  try {
    await rejects(writeReport(join(dir, 'nope')), /is not a folder/);
    await rejects(writeReport(dir), /holds no result\.json or suite\.json, in it or one or two folders below; pass the --out folder of a run, a suite or a sweep/);
    await writeFile(join(dir, 'merged.json'), '{}');
    await rejects(writeReport(dir), /holds merged\.json, which 'featurelab merge' wrote .*pass the folders that were merged/);
    await rm(join(dir, 'merged.json'));
    await writeFile(join(dir, 'result.json'), '{"experiment": "modadd", ');
    await rejects(writeReport(dir), /result\.json is not valid JSON/);
    await rm(join(dir, 'result.json'));
    await writeFile(join(dir, 'suite.json'), JSON.stringify({ suite: true, runs: [{ experiment: 'x', dir: 'x', status: 'done' }] }));
    await rejects(writeReport(dir), /runs\[0\]\.status must be "ok", "failed", "skipped" or "stopped"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

cli.run();

// ---------------------------------------------------------------------------------------------------
const real = suite('report: data from real runs [wasm]');
const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Runs an experiment with a preset and overrides, then round-trips the result through JSON as the CLI writes it. */
async function runToFile(name: string, preset: string, sets: string[]): Promise<ResultFile> {
  const exp = findExperiment(name);
  const config = buildConfig(exp, preset, sets) as Record<string, ConfigValue>;
  const r = await exp.run(config, { backend: wasm, seed: 1 });
  const json = JSON.parse(JSON.stringify(jsonSafe({ experiment: name, version: '0.1.0', config, seed: 1, backend: { name: wasm.name, description: wasm.description }, ...r })));
  return parseResultFile(json, `${name} run`);
}

real('modadd (p = 5): the Fourier-power table per neuron sums to 1 and becomes the heatmap', async () => {
  const run = await runToFile('modadd', 'quick', ['p=5', 'width=16', 'steps=300', 'probeEvery=100', 'compareRelu=false']);
  const power = run.details!.fourierPower as number[][];
  assert.is(power.length, 16);
  for (const row of power) {
    assert.is(row.length, 3);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-3, `row ${row}`);
  }
  const html = renderReport([run]);
  assert.match(html, /Fourier power per neuron/);
  assertSelfContained(html);
});

real('featuremap on modular addition: a spectrum per checkpoint, Π*(k) and Π̂(k), for the run and its baseline', async () => {
  const run = await runToFile('featuremap', 'modadd', ['p=11', 'width=24', 'steps=200', 'probeEvery=100', 'trainFraction=0.6']);
  const d = run.details!;
  assert.is(d.classes, 11);
  const spectra = d.rhoRatios as number[][];
  assert.is(spectra.length, 3, 'one spectrum per checkpoint (steps 0, 100, 200)');
  for (const s of spectra) assert.is(s[0], 1, 'ρ_1/ρ_1');
  const piHat = d.piHat as number[];
  assert.ok(Math.abs(piHat.at(-1)! - 1) < 1e-9, `Π̂ ends at 1: ${piHat.at(-1)}`);
  assert.ok(Math.abs(piHat[10]! - (run.summary.piHatC as number)) < 1e-12, 'Π̂(C) is the summary value');
  assert.is(((d.baseline as Record<string, unknown>).rhoRatios as unknown[]).length, 3);
  const html = renderReport([run]);
  assert.match(html, /eigen-spectrum of the feature map over training/);
  assert.match(html, /Π\*\(k\) and Π̂\(k\) at the end of training/);
  assert.is(count(html, /<svg /), FIXTURES.featuremap!.plots);
});

real.run();
