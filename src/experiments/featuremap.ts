/**
 * Diagonalizing the forward feature map (spec feature-map.md) while an MLP learns Fashion-MNIST (or, with
 * task = modadd, while the pair network learns modular addition: featuremapPairs.ts): every
 * epoch, the last hidden layer's features on a fixed probe set are diagonalized and measured (spectrum gap
 * ρ_{C+1}/ρ_C, Π̂(C), MF/EF regime, top-C principal angle to the previous epoch, NC1, D_LR). The baseline
 * trains only the last layer on the frozen random features of the same initialisation.
 */
import { RunCheckpoints, type Stage } from '../checkpoint/stages.js';
import { FASHION_MNIST_DIR, type FashionMnist } from '../data/fashionMnist.js';
import { IMAGE_DATA_CHOICES, loadImageData } from './imageData.js';
import { ConfigError } from '../errors.js';
import { FEATURE_MAP_SERIES, describeFeatureMap, featureMapProbeState, featureMapRunSummary, probeFeatureMap, recordFeatureMap, recordFeatureMapDetails, type FeatureMapDetails } from './featureMapProbe.js';
import { Mlp } from '../nn/mlp.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { accuracy, emitLatest, forwardOf, logitsOf, prefixedSeries, transposed } from './common.js';
import { runPairFeatureMap } from './featuremapPairs.js';
import type { PairActivation } from '../nn/pairNet.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the feature-map experiment. */
export type FeaturemapConfig = {
  task: string;
  p: number;
  trainFraction: number;
  width: number;
  act: string;
  steps: number;
  probeEvery: number;
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  loss: string;
  probeSamples: number;
  limitTrain: number;
  data: string;
  dataDir: string;
};

const CLASSES = 10;

/** Size of the probe set: the first probeSamples training images (all of them when there are fewer). */
function probeCount(config: FeaturemapConfig, trainCount: number): number {
  return Math.min(config.probeSamples, trainCount);
}

/** ConfigError before training when the loaded images cannot serve: a probe set missing a class (the class means need each), or a batch larger than the set. */
function checkTrainingImages(config: FeaturemapConfig, train: FashionMnist['train']): void {
  const probeLabels = train.labels.subarray(0, probeCount(config, train.count));
  const missing = Array.from({ length: CLASSES }, (_, c) => c).filter((c) => !probeLabels.includes(c));
  const capped = probeLabels.length < config.probeSamples;  // fewer training images than probeSamples
  if (missing.length > 0) {
    throw new ConfigError(`featuremap: the probe set (the first ${probeLabels.length} training images, ${capped ? `all of them (limitTrain = ${config.limitTrain})` : 'probeSamples'}) has no image of class ${missing.join(', ')}; the class means need every class: raise ${capped ? 'limitTrain' : 'probeSamples'}`);
  }
  if (config.batchSize > train.count) {
    throw new ConfigError(`featuremap: batchSize ${config.batchSize} is larger than the ${train.count} training images; lower batchSize or raise limitTrain`);
  }
}

/** Trains (all layers, or only the last when `lastOnly`) and measures the feature map every epoch. */
async function runOne(config: FeaturemapConfig, ctx: ExperimentContext, data: FashionMnist, lastOnly: boolean, stage?: Stage) {
  const { backend } = ctx;
  const { train: tr, test: te } = data;
  const sizes = [784, config.hidden, config.hidden, CLASSES];
  const last = sizes.length - 2;
  const model = new Mlp(backend, sizes, new Rng(ctx.seed).fork('init'));
  const x = backend.upload(tr.images, tr.count, 784);
  const labels = backend.upload(Float32Array.from(tr.labels), tr.count, 1);
  const probeN = probeCount(config, tr.count);
  const probeX = backend.upload(tr.images.subarray(0, probeN * 784), probeN, 784);
  const probeLabels = tr.labels.subarray(0, probeN);
  const testN = Math.min(te.count, 5000);
  const testX = backend.upload(te.images.subarray(0, testN * 784), testN, 784);
  const stepsPerEpoch = Math.floor(tr.count / config.batchSize);
  const steps = stepsPerEpoch * config.epochs;
  const state = featureMapProbeState(stage, { epoch: [], ...Object.fromEntries(FEATURE_MAP_SERIES.map((k) => [k, []])), testAccuracy: [] }, CLASSES);
  const { series, details } = state;
  try {
    await train(backend, model, { x, labels, count: tr.count }, {
      steps, lr: config.lr, batchSize: config.batchSize, schedule: { kind: 'cosine', steps },
      optimizer: { kind: 'sgd', momentum: config.momentum, weightDecay: config.weightDecay },
      loss: config.loss === 'mse' ? 'mse' : 'crossEntropy',
      trainable: lastOnly ? [`W${last}`, `b${last}`] : undefined,
    }, new Rng(ctx.seed), {
      probes: [{
        every: stepsPerEpoch,
        run: async ({ step }) => {
          const features = await forwardOf(backend, model, probeX, (tape, p, xv) => model.hidden(tape, p, xv));
          const weights = transposed(await backend.read(model.params.get(`W${last}`)), config.hidden, CLASSES); // C×p
          const logits = await logitsOf(backend, model, probeX);
          const latest = await probeFeatureMap(backend, {
            features, n: probeN, p: config.hidden, labels: probeLabels, classes: CLASSES, weights, logits, previous: state.latest?.diagonalization,
            where: `epoch ${step / stepsPerEpoch}${lastOnly ? ' (last layer only)' : ''}`,
            remedy: `lower lr (now ${config.lr}), or raise batchSize (now ${config.batchSize}) or hidden (now ${config.hidden})`,
          });
          const testAccuracy = accuracy(await logitsOf(backend, model, testX), te.labels, testN, CLASSES);
          series.epoch!.push(step / stepsPerEpoch);
          recordFeatureMap(series, latest);
          recordFeatureMapDetails(details, latest);
          series.testAccuracy!.push(testAccuracy);
          state.latest = latest;
          state.testAccuracy = testAccuracy;
          emitLatest(ctx, series, 'epoch');
          ctx.log?.(`${lastOnly ? 'last layer only' : 'all layers'} epoch ${step / stepsPerEpoch}: ${describeFeatureMap(latest)}, test ${testAccuracy.toFixed(3)}`);
        },
      }],
      onStep: (step) => ctx.progress?.({ step, total: steps, phase: lastOnly ? 'last layer on frozen features' : 'MLP, all layers' }),
      shouldStop: ctx.shouldStop,
      checkpoint: stage?.train,
    });
    return { summary: featureMapRunSummary(state.latest, state.testAccuracy), series, details };
  } finally {
    model.params.free();
    backend.free(x, labels, probeX, testX);
  }
}

/** The feature-map experiment. */
export const featuremap: Experiment<FeaturemapConfig> = {
  name: 'featuremap',
  description: 'diagonalizing the forward feature map of an MLP on Fashion-MNIST: spectrum, Π̂(C), MF/EF regime, NC1, D_LR (vs frozen random features)',
  defaults: { task: 'fashion', p: 31, trainFraction: 0.5, width: 128, act: 'square', steps: 20000, probeEvery: 2500, hidden: 512, epochs: 5, batchSize: 128, lr: 0.05, momentum: 0.9, weightDecay: 0, loss: 'crossEntropy', probeSamples: 2000, limitTrain: 0, data: 'fashion', dataDir: FASHION_MNIST_DIR },
  presets: {
    paper: {},
    quick: { hidden: 256, epochs: 3, limitTrain: 12000, probeSamples: 1000 },
    // Toward neural collapse: weight decay 5e-3 at lr 0.1 for 60 epochs on 12 000 images (the gap ρ11/ρ10 falls
    // to ~0.25 where plain training keeps ~0.7; measured). It stays EF: the MSE loss of `mf` gets past 0.1.
    collapse: { hidden: 256, epochs: 60, lr: 0.1, weightDecay: 0.005, limitTrain: 12000, probeSamples: 1000 },
    // The MF regime (issue 4): the spec's 784-256-256-10 on all 60 000 images with the MSE loss (the last-layer
    // dynamics the spec analyses), weight decay 2e-2, lr 0.01, 8 epochs. Measured on WASM: MF from epoch 4, at
    // the end ρ11/ρ10 0.073, Π̂(10) 1.000, NC1 0.48, D_LR 0.20, test 0.838 (seed 1: ρ11/ρ10 0.068); the
    // frozen-features baseline stays EF (ρ gap 0.88, Π̂(10) 0.78, D_LR 0.50). Cross-entropy with the same
    // settings stays EF (ρ gap 0.57), 5 epochs stop at 0.11; 30 epochs on 12 000 images also reach MF (0.081).
    // 40 to 60 s on two shared CPU threads.
    mf: { hidden: 256, epochs: 8, lr: 0.01, weightDecay: 0.02, loss: 'mse', limitTrain: 0, probeSamples: 1000 },
    // Modular addition p = 31 on half the pairs, AdamW (lr 0.01, weight decay 1): test accuracy climbs after
    // the training set is fitted while D_LR falls (about 2 min 20 s on two CPU threads).
    modadd: { task: 'modadd', lr: 0.01, weightDecay: 1 },
  },
  keys: {
    task: { doc: "'fashion' (an MLP on Fashion-MNIST) or 'modadd' (the pair network on modular addition, AdamW, full batch)" },
    p: { doc: 'task = modadd: the modulus (also the class count C)', integer: true, min: 2 },
    trainFraction: { doc: 'task = modadd: fraction of the p² pairs trained on (the rest measure the test accuracy)', min: 0 },
    width: { doc: 'task = modadd: neurons m (the feature dimension)', integer: true, min: 2 },
    act: { doc: "task = modadd: 'square' (the margin paper's network) or 'relu'" },
    steps: { doc: 'task = modadd: full-batch AdamW steps', integer: true, min: 1 },
    probeEvery: { doc: 'task = modadd: steps between feature-map measurements', integer: true, min: 1 },
    hidden: { doc: 'width of the two hidden layers (the feature map is the second; at least the 10 classes)', integer: true, min: 2 },
    epochs: { doc: 'passes over the training set (features measured after each)', integer: true, min: 1 },
    batchSize: { doc: 'examples per SGD step', integer: true, min: 1 },
    lr: { doc: 'initial learning rate (fashion: SGD with cosine decay; modadd: AdamW, constant)', min: 0, positive: true },
    momentum: { doc: 'SGD momentum', min: 0 },
    weightDecay: { doc: 'SGD weight decay (drives the features toward neural collapse)', min: 0 },
    loss: { doc: "'crossEntropy' or 'mse' (squared error against one-hot targets, as the last-layer dynamics the spec analyses)" },
    probeSamples: { doc: 'training images whose features are diagonalized', integer: true, min: 20 },
    limitTrain: { doc: 'use only the first N training images (0 = all 60000)', integer: true, min: 0 },
    data: { doc: "task = fashion: 'fashion' (Fashion-MNIST from dataDir) or 'synthetic' (ten classes of prototype images; runs without the dataset)", choices: IMAGE_DATA_CHOICES },
    dataDir: { doc: 'data = fashion: folder with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)' },
  },
  validate(config) {
    if (config.loss !== 'crossEntropy' && config.loss !== 'mse') throw new ConfigError(`featuremap: loss must be 'crossEntropy' or 'mse', got '${config.loss}'`);
    if (config.task !== 'fashion' && config.task !== 'modadd') throw new ConfigError(`featuremap: task must be 'fashion' or 'modadd', got '${config.task}'`);
    // The spectrum is split after its C-th eigenvalue and the top-C subspace is compared across probes: C dimensions at least.
    if (config.task === 'fashion' && config.hidden < CLASSES) {
      throw new ConfigError(`featuremap: hidden must be ≥ ${CLASSES}, the number of classes (the measures split the feature map's spectrum after its C-th eigenvalue), got ${config.hidden}`);
    }
    if (config.task === 'modadd') {
      if (config.width < config.p) throw new ConfigError(`featuremap: task = modadd needs width ≥ p, the number of classes (the measures split the spectrum after its p-th eigenvalue), got width ${config.width}, p ${config.p}`);
      if (config.act !== 'square' && config.act !== 'relu') throw new ConfigError(`featuremap: act must be 'square' or 'relu', got '${config.act}'`);
      if (!(config.trainFraction > 0 && config.trainFraction <= 1)) throw new ConfigError(`featuremap: trainFraction must be in (0, 1], got ${config.trainFraction}`);
    }
  },
  async run(config, ctx): Promise<ExperimentResult> {
    featuremap.validate!(config);
    if (config.task === 'modadd') return runModadd(config, ctx);
    const data = await loadImageData('featuremap', config.data, ctx, config.dataDir, { train: { key: 'limitTrain', value: config.limitTrain } });
    checkTrainingImages(config, data.train);
    return withBaseline(ctx, (lastOnly, c, stage) => runOne(config, c, data, lastOnly, stage), 'frozen-features');
  },
};

/** The modular-addition variant: the pair network, then W alone on the frozen embedding (featuremapPairs.ts). */
async function runModadd(config: FeaturemapConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
  const cfg = { p: config.p, trainFraction: config.trainFraction, width: config.width, act: config.act as PairActivation, steps: config.steps, lr: config.lr, weightDecay: config.weightDecay, probeEvery: config.probeEvery };
  return withBaseline(ctx, (lastOnly, c, stage) => runPairFeatureMap(cfg, c, lastOnly, stage), 'frozen-embedding');
}

/**
 * Runs the full training, then (unless stopped) the last-layer-only baseline, and merges them into one result;
 * each is a checkpoint stage.
 */
async function withBaseline(ctx: ExperimentContext, runOnce: (lastOnly: boolean, ctx: ExperimentContext, stage: Stage) => Promise<{ summary: ExperimentResult['summary']; series: ExperimentResult['series']; details: FeatureMapDetails }>,
  what: string): Promise<ExperimentResult> {
  const t0 = performance.now();
  const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
  const full = await checkpoints.stage('all layers', (stage) => runOnce(false, ctx, stage), ctx.shouldStop);
  const baseline = ctx.shouldStop?.() ? null : await checkpoints.stage('last layer only', (stage) => runOnce(true, prefixedSeries(ctx, 'baseline'), stage), ctx.shouldStop);
  const series: ExperimentResult['series'] = { ...full.series };
  if (baseline) for (const [k, v] of Object.entries(baseline.series)) series[`baseline${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  return {
    summary: { ...full.summary, baseline: (baseline?.summary ?? null) as ExperimentResult['summary'][string] },
    series,
    timings: { seconds: (performance.now() - t0) / 1000 },
    warnings: baseline ? [] : [`stopped before the ${what} baseline`],
    details: { ...full.details, baseline: baseline?.details ?? null },
  };
}
