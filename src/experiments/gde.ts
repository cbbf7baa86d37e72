/**
 * Generalization Disagreement Equality on Fashion-MNIST (spec agreement-gde.md, "Small-scale reproduction"):
 * an ensemble of MLPs (ensemble.ts) trained to fit a training subset, then per-model test error, pairwise
 * disagreement, their means, gap and ratio with a bootstrap interval over pairs, the hard-vote ensemble's
 * CACE and top-label ECE, each model's softmax ECE, and the CACE of a 2-model ensemble for comparison.
 */
import { FASHION_MNIST_DIR } from '../data/fashionMnist.js';
import { IMAGE_DATA_CHOICES, loadImageData } from './imageData.js';
import { ConfigError } from '../errors.js';
import { bootstrapDisagreement, gde as gdeSummary, hardVote, testErrors } from '../metrics/agreement.js';
import { cace, caceAtVoteLevels, topLabelEce } from '../metrics/calibration.js';
import { RunCheckpoints } from '../checkpoint/stages.js';
import { stoppedTooEarly } from './common.js';
import { ENSEMBLE_VARIANTS, type EnsembleMember, ensembleProgress, modelsAtOnceFor, type EnsembleVariant, plotMembers, savedGrouping, trainEnsemble } from './ensemble.js';
import { loadMergedEnsemble } from './mergedRuns.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the gde experiment. */
export type GdeConfig = {
  models: number;
  variant: string;
  trainSize: number;
  testSize: number;
  hidden: number;
  layers: number;
  lr: number;
  momentum: number;
  batchSize: number;
  maxEpochs: number;
  modelsAtOnce: number;
  schedule: string;
  bins: number;
  data: string;
  dataDir: string;
  fromMerged: string;
};

const CLASSES = 10;

/** Series of the non-empty calibration bins (empty ones have no accuracy or confidence). */
function caceSeries(bins: { count: number; accuracy: number; confidence: number }[], count: number): Record<string, number[]> {
  const used = bins.map((b, i) => ({ ...b, lower: i / count })).filter((b) => b.count > 0);
  return {
    caceBinLower: used.map((b) => b.lower), caceBinCount: used.map((b) => b.count),
    caceBinAccuracy: used.map((b) => b.accuracy), caceBinConfidence: used.map((b) => b.confidence),
  };
}

/** Loads the images (Fashion-MNIST or the synthetic set) and trains the ensemble; the members and the test labels they were evaluated on. */
async function trainFromScratch(config: GdeConfig, ctx: ExperimentContext): Promise<{ members: EnsembleMember[]; labels: Int32Array }> {
  const data = await loadImageData('gde', config.data, ctx, config.dataDir, { train: { key: 'trainSize', value: config.trainSize }, test: { key: 'testSize', value: config.testSize } });
  const { train: tr, test: te } = data;
  const plot = plotMembers(ctx.series, te.labels, CLASSES);
  const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
  const members = await trainEnsemble(ctx.backend, {
    inputs: 784, classes: CLASSES, trainX: tr.images, trainY: tr.labels, evalX: te.images, evalY: te.labels,
  }, {
    models: config.models, variant: config.variant as EnsembleVariant, hidden: Array.from({ length: config.layers }, () => config.hidden),
    lr: config.lr, momentum: config.momentum, batchSize: config.batchSize, maxEpochs: config.maxEpochs,
    schedule: config.schedule as 'constant' | 'cosine', modelsAtOnce: modelsAtOnceFor(config.modelsAtOnce, ctx.backend, config.models, ctx.log, savedGrouping(checkpoints, ['ensemble'])),
  }, ctx.seed, {
    onStep: (at) => ctx.progress?.(ensembleProgress(at, config.models)),
    onModel: (m, mem, restored) => {
      ctx.log?.(`model ${m + 1}: train accuracy ${mem.trainAccuracy.toFixed(4)} after ${mem.epochs} epochs, test error ${testErrors(mem.predictions, te.labels, 1, te.count, CLASSES)[0]!.toFixed(4)}`);
      plot(m, mem, restored);
    },
    shouldStop: ctx.shouldStop,
    checkpoint: { checkpoints, label: 'ensemble' },
  });
  return { members, labels: te.labels };
}

/** The gde experiment. */
export const gde: Experiment<GdeConfig> = {
  name: 'gde',
  description: 'agreement of independently trained MLPs on Fashion-MNIST: test error vs disagreement (GDE), CACE and ECE of the hard-vote ensemble',
  defaults: {
    models: 10, variant: 'AllDiff', trainSize: 5000, testSize: 5000, hidden: 256, layers: 2, lr: 0.05, momentum: 0.9,
    batchSize: 100, maxEpochs: 60, modelsAtOnce: 0, schedule: 'constant', bins: 10, data: 'fashion', dataDir: FASHION_MNIST_DIR, fromMerged: '',
  },
  presets: { paper: { models: 20 }, quick: { models: 5, trainSize: 1000, testSize: 1000, hidden: 128 } },
  keys: {
    models: { doc: 'ensemble size M (≥ 2)', integer: true, min: 2 },
    variant: { doc: `which randomness differs: ${ENSEMBLE_VARIANTS.join(', ')}` },
    trainSize: { doc: 'training images (the first of the training set); each model fits them (DiffData: a random half)', integer: true, min: 10 },
    testSize: { doc: 'test images the models are compared on', integer: true, min: 10 },
    hidden: { doc: 'width of each hidden ReLU layer', integer: true, min: 1 },
    layers: { doc: 'hidden layers', integer: true, min: 1 },
    lr: { doc: 'SGD learning rate (constant)', min: 0, positive: true },
    momentum: { doc: 'SGD momentum', min: 0 },
    batchSize: { doc: 'examples per step', integer: true, min: 1 },
    maxEpochs: { doc: 'cap on epochs per model (training stops earlier at 100 % training accuracy)', integer: true, min: 1 },
    modelsAtOnce: { doc: 'models trained together as one stacked model, one dispatch per layer for all (same members; on WASM the same bits); 0: all at once on WebGPU, one at a time on WASM (on resume: the grouping the checkpoint holds)', integer: true, min: 0 },
    schedule: { doc: "learning rate over the epoch cap: 'constant' or 'cosine' (decays to 0, helps the models fit)" },
    bins: { doc: 'calibration bins on [0, 1]', integer: true, min: 1, max: 1000, analysisOnly: true },
    data: { doc: "'fashion' (Fashion-MNIST from dataDir) or 'synthetic' (ten classes of prototype images; runs without the dataset)", choices: IMAGE_DATA_CHOICES },
    dataDir: { doc: 'data = fashion: folder with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)' },
    fromMerged: { doc: "a merged.json ('featurelab merge') of mlp runs with keepPredictions=true: measure those models instead of training (the training keys do not apply)" },
  },
  validate(config) {
    if (config.schedule !== 'constant' && config.schedule !== 'cosine') throw new ConfigError(`gde: schedule must be 'constant' or 'cosine', got '${config.schedule}'`);
    if (!ENSEMBLE_VARIANTS.includes(config.variant as EnsembleVariant)) throw new ConfigError(`gde: variant must be one of ${ENSEMBLE_VARIANTS.join(', ')}, got '${config.variant}'`);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    gde.validate!(config);
    const t0 = performance.now();
    const warnings: string[] = [];
    let members: EnsembleMember[];
    let labels: Int32Array;
    if (config.fromMerged !== '') {
      if (!ctx.files) throw new ConfigError('gde: fromMerged needs file access; run it from the CLI or pass ctx.files');
      const merged = await loadMergedEnsemble(ctx.files, config.fromMerged, CLASSES);
      ({ members, labels } = merged);
      ctx.log?.(`gde: ${members.length} models from ${config.fromMerged} (runs ${merged.ids.join(', ')}); no training`);
      warnings.push(`models from ${config.fromMerged} (${members.length} runs); the training keys of this config do not apply`);
    } else {
      ({ members, labels } = await trainFromScratch(config, ctx));
      if (members.length < config.models) warnings.push(`stopped after ${members.length} of ${config.models} models`);
    }
    const m = members.length;
    if (m < 2 && ctx.shouldStop?.()) return stoppedTooEarly('gde', m, 2, config.models, (performance.now() - t0) / 1000);
    if (m < 2) throw new ConfigError(`gde: ${m} model(s); at least 2 are needed`);
    const unfit = members.filter((x) => !(x.trainAccuracy >= 1)).length;
    if (unfit > 0) warnings.push(`${unfit} of ${m} models did not reach (or did not record) 100 % training accuracy (GDE assumes fitted models)`);
    const n = labels.length;
    const pred = new Int32Array(m * n);
    members.forEach((x, i) => pred.set(x.predictions, i * n));
    const summary = gdeSummary(pred, labels, m, n, CLASSES);
    const hbar = hardVote(pred, m, n, CLASSES);
    const ensembleCace = cace(hbar, labels, n, CLASSES, config.bins);
    const ensembleEce = topLabelEce(hbar, labels, n, CLASSES, config.bins);
    // The theorem's two sides (agreement.ts): the gap with h, h′ drawn independently, and CACE with a bin per vote level.
    const levelsCace = caceAtVoteLevels(hbar, labels, n, CLASSES, m).error;
    const boundHolds = Math.abs(summary.gapWithReplacement) <= levelsCace + 1e-12;
    if (!boundHolds) warnings.push(`|E[dis] − E[err]| = ${Math.abs(summary.gapWithReplacement).toFixed(6)} exceeds the CACE at the vote levels, ${levelsCace.toFixed(6)}: the theorem says it cannot; please report this as a featurelab bug`);
    const twoModelCace = cace(hardVote(pred.subarray(0, 2 * n), 2, n, CLASSES), labels, n, CLASSES, config.bins).error;
    const modelEce = members.map((x) => topLabelEce(x.softmax, labels, n, CLASSES, config.bins).error);
    const interval = bootstrapDisagreement(summary.pairs, { seed: ctx.seed });
    ctx.log?.(`mean test error ${summary.meanTestError.toFixed(4)}, mean disagreement ${summary.meanDisagreement.toFixed(4)} (95 % ${interval.low.toFixed(4)}–${interval.high.toFixed(4)}), gap ${summary.gap.toFixed(4)}, CACE ${ensembleCace.error.toFixed(4)} (2 models: ${twoModelCace.toFixed(4)}), ECE ${ensembleEce.error.toFixed(4)}`);
    return {
      summary: {
        models: m, variant: config.fromMerged !== '' ? 'merged' : config.variant, meanTestError: summary.meanTestError, meanDisagreement: summary.meanDisagreement,
        gap: summary.gap, ratio: summary.ratio, cace: ensembleCace.error, ece: ensembleEce.error, identityError: summary.identityError,
        gapWithReplacement: summary.gapWithReplacement, caceAtVoteLevels: levelsCace, boundHolds,
        disagreementInterval: [interval.low, interval.high], twoModelCace, meanModelEce: modelEce.reduce((s, e) => s + e, 0) / m,
        meanTrainAccuracy: members.reduce((s, x) => s + x.trainAccuracy, 0) / m, meanEpochs: members.reduce((s, x) => s + x.epochs, 0) / m,
      },
      series: {
        testError: Array.from(summary.errors), trainAccuracy: members.map((x) => x.trainAccuracy), epochs: members.map((x) => x.epochs),
        modelEce: modelEce, pairDisagreement: summary.pairs.map((p) => p.disagreement), pairMeanError: summary.pairs.map((p) => p.meanError),
        // The non-empty CACE bins: lower edge, entries, accuracy, mean confidence.
        ...caceSeries(ensembleCace.bins, config.bins),
      },
      timings: { seconds: (performance.now() - t0) / 1000 },
      warnings,
    };
  },
};
