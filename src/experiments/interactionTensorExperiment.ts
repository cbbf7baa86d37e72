/**
 * The interaction tensor on Fashion-MNIST (spec interaction-tensor.md, "Small-scale reproduction"): an ensemble
 * of MLPs (ensemble.ts, DiffInit), each model's PCA features of its last hidden layer on the test points, the
 * clustering into shared features, Ω, the spec's observation checks with their signs, the threshold
 * sensitivity sweep, GDE with the classes merged 10 → 2 (ours: tops and dresses {0, 2, 3, 4, 6} vs trousers,
 * footwear and bags {1, 5, 7, 8, 9}), the framework simulation (featureFramework.ts), and diagnostics of ours
 * (metrics/interactionDiagnostics.ts: per-component and per-class parts of Spearman(confidence, features),
 * frequency by adoption, the Mantel test of shared features vs agreement, the histogram's skewness, agreement
 * against the two models' accuracies and shared features against what those leave; and the activation norm
 * against confidence and features, which the unitNorm option divides out). With `fromMerged`, the
 * members are the mlp runs of a merged set that kept their activations (mergedRuns.ts) instead of a trained
 * ensemble; the untrained and one-epoch comparisons then do not apply (they need the models' training).
 */
import { FASHION_MNIST_DIR } from '../data/fashionMnist.js';
import { IMAGE_DATA_CHOICES, loadImageData } from './imageData.js';
import { ConfigError } from '../errors.js';
import { disagreementMatrix, gde, hardVote, testErrors } from '../metrics/agreement.js';
import { cace, caceAtVoteLevels } from '../metrics/calibration.js';
import {
  clusterFeatures, correlationThresholds, crossCorrelationsAsync, interactionTensor as buildTensor, pcaFeatures, presence, rowNorms, spearman, tensorStatistics, unitRows,
} from '../metrics/interactionTensor.js';
import { componentPresence, confidenceSpearmanByClass, frequencyByAdoption, leaveOneModelOut, pairCorrelationTest, residualCorrelation, skewness } from '../metrics/interactionDiagnostics.js';
import { frameworkSweep } from './featureFramework.js';
import { RunCheckpoints } from '../checkpoint/stages.js';
import { ENSEMBLE_VARIANTS, type EnsembleConfig, type EnsembleMember, type EnsembleVariant, ensembleProgress, modelsAtOnceFor, plotMembers, savedGrouping, trainEnsemble } from './ensemble.js';
import { loadMergedActivations } from './mergedRuns.js';
import { finiteOrNull, forwardOf, stoppedTooEarly } from './common.js';
import { hostYielder } from '../nn/hostYield.js';
import { Mlp } from '../nn/mlp.js';
import { Rng } from '../rng.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the interaction-tensor experiment. */
export type InteractionTensorConfig = {
  models: number;
  trainSize: number;
  testSize: number;
  hidden: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  modelsAtOnce: number;
  variant: string;
  batchSize: number;
  maxEpochs: number;
  stopAtFit: boolean;
  schedule: string;
  k: number;
  qCorr: number;
  qData: number;
  unitNorm: boolean;
  data: string;
  dataDir: string;
  fromMerged: string;
};

const CLASSES = 10;
/** Relabellings of the Mantel test of the shared-features–agreement correlation. */
const PERMUTATIONS = 999;
/** The q_corr percentiles of the threshold sensitivity sweep (the spec's). */
const SWEEP = [80, 90, 95, 99];
/** Superclass of each Fashion-MNIST class for the merged variant (module header). */
const SUPERCLASS = [0, 1, 0, 0, 0, 1, 0, 1, 1, 1];

/** The tensor's knobs: PCA features per model and the two percentiles. */
export interface TensorOptions {
  k: number;
  qCorr: number;
  qData: number;
  /** Divide each point's activations by their L2 norm before the PCA (ours, not in the spec; metrics unitRows). */
  unitNorm?: boolean;
}

/** One model's PCA features of its activations `hidden` (n × width), unit-norm rows first when `o.unitNorm`. */
function featuresOf(hidden: ArrayLike<number>, n: number, width: number, o: TensorOptions): Float64Array {
  return pcaFeatures(o.unitNorm ? unitRows(hidden, n, width) : hidden, n, width, o.k);
}

/** Each member's PCA features (featuresOf its activations), calling `done` after each one (a unit of an analysis). */
async function featuresOfEach(members: EnsembleMember[], n: number, width: number, o: TensorOptions, done: (count: number) => Promise<void>): Promise<Float64Array[]> {
  const psis: Float64Array[] = [];
  for (const x of members) {
    psis.push(featuresOf(x.hidden!, n, width, o));
    await done(psis.length);
  }
  return psis;
}

/**
 * Called after each unit of an analysis with the units done and their total (analysisProgress), and again with the
 * same count between the parts of a long unit, where the host may run.
 */
export type AnalysisStep = (done: number, total: number) => Promise<void>;

/**
 * An AnalysisStep that reports `phase` as the run's progress and lets the host run at most every 100 ms, so that
 * the page repaints (its log and progress line) and Ctrl-C is heard during the seconds an analysis takes; the
 * units are one model's PCA, the correlations, one threshold of the sweep. It does not change what is computed.
 */
function analysisProgress(ctx: ExperimentContext, phase: string): AnalysisStep {
  const yieldToHost = hostYielder();
  let reported = '';
  return async (done, total) => {
    // A repeated count (a pause within a unit) only yields.
    if (`${done}/${total}` !== reported) ctx.progress?.({ phase, step: done, total });
    reported = `${done}/${total}`;
    await yieldToHost();
  };
}

/** The features clustered at the correlation threshold `threshold` (of correlationThresholds), and Ω's statistics from each model's presence. */
function statsAt(corr: Float64Array, threshold: number, presences: Uint8Array[], n: number, k: number) {
  const { cluster, count } = clusterFeatures(corr, presences.length, k, threshold);
  return { threshold, count, stats: tensorStatistics(buildTensor(presences, n, k, cluster, count), cluster, k) };
}

/**
 * Ω's feature count and statistics for a set of models' PCA features, at the percentiles of `o`; `pause` lets the
 * host run between the correlations' panels and the models' presences (see analysisProgress).
 */
async function tensorOf(ps: Float64Array[], n: number, o: TensorOptions, pause: () => Promise<void>) {
  const corr = await crossCorrelationsAsync(ps, n, o.k, pause);
  const [threshold] = correlationThresholds(corr, ps.length, o.k, [o.qCorr]);
  return statsAt(corr, threshold!, await presences(ps, n, o, pause), n, o.k);
}

/** Each model's presence D at q_data, pausing after each (see tensorOf). */
async function presences(ps: Float64Array[], n: number, o: TensorOptions, pause: () => Promise<void>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const psi of ps) {
    out.push(presence(psi, n, o.k, o.qData));
    await pause();
  }
  return out;
}

/** A number with `digits` decimals for the log, '–' when undefined (NaN: too few models or a constant series). */
function fixed(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** The lowest and highest of the correlations without each model's pairs, with the model (1-based) left out; '–' when undefined. */
function leftOutRange(correlations: Float64Array): string {
  if (!correlations.every(Number.isFinite)) return '– (needs at least 4 models with varying pairs)';
  let lo = 0, hi = 0;
  correlations.forEach((r, i) => { if (r < correlations[lo]!) lo = i; if (r > correlations[hi]!) hi = i; });
  return `${correlations[lo]!.toFixed(3)} (model ${lo + 1} left out) to ${correlations[hi]!.toFixed(3)} (model ${hi + 1} left out)`;
}

/** The warning for models whose last hidden layer is 0 on every test point (all ReLUs dead: no PCA features), or null. */
export function deadModelsWarning(members: EnsembleMember[]): string | null {
  const dead = members.flatMap((x, i) => (x.hidden!.every((v) => v === 0) ? [i + 1] : []));
  if (dead.length === 0) return null;
  return `${dead.length} of ${members.length} models (${dead.slice(0, 10).join(', ')}${dead.length > 10 ? ', …' : ''}) have a last hidden layer that is 0 on every test point `
    + '(all ReLUs dead, as a too large lr or too small batchSize can cause): they have no PCA features, so the statistics they enter are undefined (null)';
}

/**
 * The interaction tensor of an ensemble: members with their last hidden layer's activations (`hidden`, n × width),
 * softmax and predictions on the n points labelled `labels`. Returns the tensor at qCorr (features, statistics,
 * the spec's correlations), the same at the threshold sweep's percentiles, the ensemble confidence per point and
 * the members' predictions (m × n) — the same numbers whether the models were trained here or merged from runs.
 * `seed` drives the Mantel test's relabellings of the models (the run's seed); `step` hears each unit of the work.
 */
export async function ensembleTensor(members: EnsembleMember[], labels: Int32Array, width: number, o: TensorOptions, seed = 0, step: AnalysisStep = async () => {}) {
  const m = members.length;
  const n = labels.length;
  const { k } = o;
  const percentiles = SWEEP.includes(o.qCorr) ? SWEEP : [...SWEEP, o.qCorr];
  // Units: each model's PCA, the correlations with their thresholds, each analysed percentile, the diagnostics.
  const units = m + 1 + percentiles.length + 1;
  const psis = await featuresOfEach(members, n, width, o, (count) => step(count, units));
  let done = m;
  const pause = () => step(done, units);
  const correlations = await crossCorrelationsAsync(psis, n, k, pause);
  // The sweep's thresholds and the main one from one copy of the off-diagonal correlations.
  const thresholds = correlationThresholds(correlations, m, k, percentiles);
  // Presence depends on q_data only, so every threshold of the sweep shares it.
  const presenceOf = await presences(psis, n, o, pause);
  await step(++done, units);
  // Ensemble confidence and pairwise agreement, shared by every threshold of the sweep.
  const conf = Array.from({ length: n }, (_, i) => members.reduce((s, x) => s + x.softmax[i * CLASSES + labels[i]!]!, 0) / m);
  const pred = new Int32Array(m * n);
  members.forEach((x, i) => pred.set(x.predictions, i * n));
  const dis = disagreementMatrix(pred, m, n, CLASSES);
  // Per pair (a < b, row-major): agreement, and the sum of the two models' test accuracies (a diagnostic below).
  const accuracy = Array.from(testErrors(pred, labels, m, n, CLASSES), (e) => 1 - e);
  const agreement: number[] = [];
  const accuracySum: number[] = [];
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      agreement.push(1 - dis[a * m + b]!);
      accuracySum.push(accuracy[a]! + accuracy[b]!);
    }
  }
  const analyse = async (q: number) => {
    const { threshold, count, stats } = statsAt(correlations, thresholds[percentiles.indexOf(q)]!, presenceOf, n, k);
    await pause();
    // The Mantel test's relabellings depend on the seed and the threshold only: the same p-values every run.
    const test = pairCorrelationTest(stats.sharedFeatures, agreement, m, PERMUTATIONS, new Rng(seed).fork(`shared-agreement/${q}`));
    return {
      threshold, features: count, stats,
      spearmanConfidenceFeatures: spearman(conf, stats.featuresPerPoint),
      spearmanFrequencyAdoption: spearman(stats.frequency, stats.adoption),
      sharedFeaturesAgreementCorrelation: test.correlation,
      sharedFeaturesAgreementPValue: test.pValue,
    };
  };
  const sweep = [];
  for (const q of SWEEP) {
    sweep.push({ q, ...(await analyse(q)) });
    await step(++done, units);
  }
  // The main threshold is usually one of the sweep's (the default 90): analysed once.
  let main = sweep.find((x) => x.q === o.qCorr);
  if (!main) {
    main = { q: o.qCorr, ...(await analyse(o.qCorr)) };
    await step(++done, units);
  }
  // Diagnostic (ours): how much of a pair's agreement the two models' test accuracies explain, and what shared
  // features add to them.
  const byAccuracy = pairCorrelationTest(accuracySum, agreement, m, PERMUTATIONS, new Rng(seed).fork('accuracy-agreement'));
  const agreementByAccuracy = {
    correlation: byAccuracy.correlation, pValue: byAccuracy.pValue,
    sharedFeaturesGivenAccuracy: residualCorrelation(main.stats.sharedFeatures, agreement, accuracySum),
  };
  // Diagnostic (ours): the main correlation without each model's pairs in turn, since one model can carry it.
  // Algorithm 1 never moves the columns that open clusters, so the first model visited keeps k distinct features
  // and shares more with every other model (withoutEach.correlations[0]).
  const withoutEach = leaveOneModelOut(main.stats.sharedFeatures, agreement, m);
  // The two diagnostics that pass over every point of every model (a few hundred ms each in a page).
  await pause();
  const components = componentPresence(presenceOf, n, k, conf);
  await pause();
  const norm = normDiagnostic(members, n, width, conf, main.stats.featuresPerPoint);
  const tensor = {
    main, byAdoption: frequencyByAdoption(main.stats, n), sweep, conf, pred, components, agreementByAccuracy, withoutEach,
    byClass: confidenceSpearmanByClass(conf, main.stats.featuresPerPoint, labels, CLASSES),
    distinctSpearman: spearman(conf, main.stats.distinctFeaturesPerPoint),
    norm,
  };
  await step(++done, units);
  return tensor;
}

/**
 * Diagnostic (ours): Spearman of the mean activation norm over the models (raw activations, whatever unitNorm says)
 * with the confidence and with the features per point. Both high: the norm drives both, and unitNorm divides it out.
 */
function normDiagnostic(members: EnsembleMember[], n: number, width: number, conf: number[], featuresPerPoint: Int32Array) {
  const meanNorm = new Float64Array(n);
  for (const x of members) rowNorms(x.hidden!, n, width).forEach((v, i) => { meanNorm[i]! += v / members.length; });
  return { confidence: spearman(conf, meanNorm), featuresPerPoint: spearman(featuresPerPoint, meanNorm) };
}

/** The ensemble trained here, and the same tensor for untrained models and for the models after one epoch. */
async function trainedTensors(config: InteractionTensorConfig, ctx: ExperimentContext) {
  const data = await loadImageData('interaction-tensor', config.data, ctx, config.dataDir, { train: { key: 'trainSize', value: config.trainSize }, test: { key: 'testSize', value: config.testSize } });
  const { train: tr, test: te } = data;
  const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
  const ensembleData = { inputs: 784, classes: CLASSES, trainX: tr.images, trainY: tr.labels, evalX: te.images, evalY: te.labels };
  // The trained ensemble and its one-epoch twin share everything but the model count and the epoch cap.
  const training: Omit<EnsembleConfig, 'models' | 'maxEpochs'> = {
    variant: config.variant as EnsembleVariant, hidden: [config.hidden, config.hidden], lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, modelsAtOnce: modelsAtOnceFor(config.modelsAtOnce, ctx.backend, config.models, ctx.log, savedGrouping(checkpoints, ['trained', 'one epoch'])),
    batchSize: config.batchSize, keepHidden: true, stopAtFit: config.stopAtFit, schedule: config.schedule as 'constant' | 'cosine',
  };
  const members = await trainEnsemble(ctx.backend, ensembleData, { ...training, models: config.models, maxEpochs: config.maxEpochs }, ctx.seed, {
    onStep: (at) => ctx.progress?.(ensembleProgress(at, config.models, config.stopAtFit)),
    onModel: plotMembers(ctx.series, te.labels, CLASSES),
    shouldStop: ctx.shouldStop,
    checkpoint: { checkpoints, label: 'trained' },
  });
  const m = members.length;
  if (m < 2 && ctx.shouldStop?.()) return { stoppedWith: m } as const; // stopped before the tensor has two models: run() says so
  if (m < 2) throw new ConfigError(`interaction-tensor: ${m} model(s); at least 2 are needed`);
  const n = te.count;
  // The same tensor for untrained models (random init, same architecture): the spec expects a heavier tail.
  const untrained: Float64Array[] = [];
  const evalX = ctx.backend.upload(te.images, n, 784);
  // Units: each model's PCA, then (after the one-epoch training) the tensor.
  const untrainedStep = analysisProgress(ctx, "the untrained models' tensor");
  try {
    for (let i = 0; i < m; i++) {
      const model = new Mlp(ctx.backend, [784, config.hidden, config.hidden, CLASSES], new Rng(ctx.seed).fork(`untrained/${i}`));
      try {
        untrained.push(featuresOf(await forwardOf(ctx.backend, model, evalX, (tape, p, xv) => model.hidden(tape, p, xv)), n, config.hidden, config));
      } finally {
        model.params.free();
      }
      await untrainedStep(i + 1, m + 1);
    }
  } finally {
    ctx.backend.free(evalX);
  }
  // The same models' seeds after one epoch: is the frequency histogram already in place (the spec: stable after ~1 epoch)?
  const oneEpoch = await trainEnsemble(ctx.backend, ensembleData, { ...training, models: m, maxEpochs: 1 }, ctx.seed, {
    onStep: (at) => {
      const p = ensembleProgress(at, m, false);
      ctx.progress?.({ ...p, phase: `one epoch, ${p.phase}` });
    },
    shouldStop: ctx.shouldStop,
    checkpoint: { checkpoints, label: 'one epoch' },
  });
  // With many models each tensor takes a while (100 models: about 10 s): say which one is being measured.
  ctx.log?.(`measuring the untrained models' tensor (${m} models)`);
  const untrainedTensor = await tensorOf(untrained, n, config, () => untrainedStep(m, m + 1));
  await untrainedStep(m + 1, m + 1);
  let early: ReturnType<typeof statsAt> | null = null;
  if (oneEpoch.length >= 2) {
    ctx.log?.(`measuring the one-epoch models' tensor (${oneEpoch.length} models)`);
    const step = analysisProgress(ctx, "the one-epoch models' tensor");
    const ps = await featuresOfEach(oneEpoch, n, config.hidden, config, (count) => step(count, oneEpoch.length + 1));
    early = await tensorOf(ps, n, config, () => step(oneEpoch.length, oneEpoch.length + 1));
    await step(oneEpoch.length + 1, oneEpoch.length + 1);
  }
  return { members, labels: te.labels, untrained: untrainedTensor, early };
}

/** The interaction-tensor experiment. */
export const interactionTensorExperiment: Experiment<InteractionTensorConfig> = {
  name: 'interaction-tensor',
  description: 'the models × data × features tensor of an MLP ensemble on Fashion-MNIST: shared features, observation checks, GDE with merged classes',
  defaults: { models: 10, trainSize: 5000, testSize: 2000, hidden: 256, lr: 0.05, momentum: 0.9, weightDecay: 0, modelsAtOnce: 0, variant: 'DiffInit', batchSize: 100, maxEpochs: 30, stopAtFit: true, schedule: 'constant', k: 50, qCorr: 90, qData: 90, unitNorm: false, data: 'fashion', dataDir: FASHION_MNIST_DIR, fromMerged: '' },
  // observations (ours): the paper's setup with unit-norm activations and presence at the 95th percentile, where
  // these MLP ensembles show the paper's confidence, frequency and histogram observations (docs/interaction-tensor-fashion.md).
  presets: {
    paper: { models: 20 }, quick: { models: 5, trainSize: 1000, testSize: 1000, hidden: 128, k: 20, maxEpochs: 20 },
    observations: { models: 20, unitNorm: true, qData: 95 },
  },
  keys: {
    models: { doc: 'ensemble size M (DiffInit: only the init seed differs; ≥ 3: the shared-features–agreement correlation needs two pairs)', integer: true, min: 3 },
    trainSize: { doc: 'training images (the first of the training set)', integer: true, min: 10 },
    testSize: { doc: 'test points N of the tensor', integer: true, min: 10 },
    hidden: { doc: 'width of the two hidden layers (d of the activations)', integer: true, min: 2 },
    lr: { doc: 'SGD learning rate', min: 0, positive: true },
    momentum: { doc: 'SGD momentum', min: 0 },
    weightDecay: { doc: 'SGD weight decay (the paper trained its ResNets with 1e-4)', min: 0 },
    variant: { doc: `which randomness differs between the models: ${ENSEMBLE_VARIANTS.join(', ')} (the paper: different seeds)`, choices: ENSEMBLE_VARIANTS },
    modelsAtOnce: { doc: 'models trained together as one stacked model, one dispatch per layer for all (same members; on WASM the same bits); 0: all at once on WebGPU, one at a time on WASM (on resume: the grouping the checkpoint holds)', integer: true, min: 0 },
    batchSize: { doc: 'examples per step', integer: true, min: 1 },
    maxEpochs: { doc: 'cap on epochs per model (stops earlier at 100 % training accuracy unless stopAtFit is false)', integer: true, min: 1 },
    schedule: { doc: "learning rate over the epoch cap: 'constant' or 'cosine' (decays to 0 at maxEpochs)", choices: ['constant', 'cosine'] },
    stopAtFit: { doc: 'stop each model at 100 % training accuracy; false trains all maxEpochs (into the terminal phase, where class features collapse)' },
    k: { doc: 'PCA features per model', integer: true, min: 1, analysisOnly: true },
    qCorr: { doc: 'percentile of the cross-model correlations used as the clustering threshold', min: 0, max: 100, analysisOnly: true },
    qData: { doc: 'percentile of a model\'s normalised feature values above which a feature is present', min: 0, max: 100, analysisOnly: true },
    unitNorm: { doc: 'divide each point\'s activations by their L2 norm before the PCA (ours, not in the spec): in a ReLU MLP the norm drives both the confidence and every projection', analysisOnly: true },
    data: { doc: "'fashion' (Fashion-MNIST from dataDir) or 'synthetic' (ten classes of prototype images; runs without the dataset)", choices: IMAGE_DATA_CHOICES },
    dataDir: { doc: 'data = fashion: folder with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)' },
    fromMerged: { doc: "a merged.json ('featurelab merge') of mlp runs with keepActivations=true: the tensor of those models instead of training (the training keys, hidden and testSize do not apply)" },
  },
  validate(config) {
    for (const key of ['qCorr', 'qData'] as const) if (!(config[key] > 0 && config[key] < 100)) throw new ConfigError(`interaction-tensor: ${key} must be a percentile in (0, 100), got ${config[key]}`);
    if (config.fromMerged !== '') return; // hidden and testSize come from the runs: checked when they are read
    if (config.k > config.hidden) throw new ConfigError(`interaction-tensor: k (${config.k}) cannot exceed the hidden width (${config.hidden}); lower k or raise hidden`);
    if (config.k > config.testSize) throw new ConfigError(`interaction-tensor: k (${config.k}) cannot exceed the ${config.testSize} test points the PCA runs on; lower k or raise testSize`);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    interactionTensorExperiment.validate!(config);
    const t0 = performance.now();
    const warnings: string[] = [];
    let trained: Exclude<Awaited<ReturnType<typeof trainedTensors>>, { stoppedWith: number }> | null = null;
    let members: EnsembleMember[];
    let labels: Int32Array;
    let width = config.hidden;
    if (config.fromMerged !== '') {
      if (!ctx.files) throw new ConfigError('interaction-tensor: fromMerged needs file access; run it from the CLI or pass ctx.files');
      const merged = await loadMergedActivations(ctx.files, config.fromMerged, CLASSES);
      ({ members, labels, width } = merged);
      const n = labels.length;
      if (config.k > width || config.k > n) throw new ConfigError(`interaction-tensor: k (${config.k}) cannot exceed the runs' hidden width (${width}) or their ${n} test points in ${config.fromMerged}; lower k`);
      ctx.log?.(`interaction-tensor: ${members.length} models from ${config.fromMerged} (runs ${merged.ids.join(', ')}), ${n} test points, width ${width}; no training`);
      warnings.push(`models from ${config.fromMerged} (${members.length} runs); the training keys of this config do not apply, and the untrained and one-epoch comparisons are not made`);
    } else {
      const done = await trainedTensors(config, ctx);
      if ('stoppedWith' in done) return stoppedTooEarly('interaction-tensor', done.stoppedWith!, 2, config.models, (performance.now() - t0) / 1000);
      trained = done;
      ({ members, labels } = trained);
    }
    const m = members.length;
    const n = labels.length;
    ctx.log?.(`measuring the trained models' tensor (${m} models; q_corr ${SWEEP.join(', ')}${SWEEP.includes(config.qCorr) ? '' : ` and ${config.qCorr}`}, each with a ${PERMUTATIONS}-relabelling Mantel test)`);
    const tensorStep = analysisProgress(ctx, "the trained models' tensor");
    const { main, byAdoption, sweep, conf, pred, components, byClass, distinctSpearman, norm, agreementByAccuracy, withoutEach } = await ensembleTensor(members, labels, width, config, ctx.seed, tensorStep);
    // GDE with the classes merged 10 → 2.
    const mergedPred = pred.map((c) => SUPERCLASS[c]!);
    const mergedY = Int32Array.from(labels, (c) => SUPERCLASS[c]!);
    const full = gde(pred, labels, m, n, CLASSES);
    const merged = gde(mergedPred, mergedY, m, n, 2);
    const mergedVotes = hardVote(mergedPred, m, n, 2);
    const mergedCace = cace(mergedVotes, mergedY, n, 2).error;
    // The theorem's sides (agreement.ts): GDE is kept when this gap is within this CACE (a bin per vote level).
    const mergedLevelsCace = caceAtVoteLevels(mergedVotes, mergedY, n, 2, m).error;
    // The framework simulation (ours): a base setting and the four changes of the spec.
    const frameworkStep = analysisProgress(ctx, 'the framework simulation');
    await frameworkStep(0, 5);
    const framework = await frameworkSweep(ctx.seed, frameworkStep);
    ctx.log?.(`features T = ${main.features} (threshold ${main.threshold.toFixed(3)}); Spearman(confidence, features per point) ${fixed(main.spearmanConfidenceFeatures)}, Spearman(frequency, adoption) ${fixed(main.spearmanFrequencyAdoption)}, corr(shared features, agreement) ${fixed(main.sharedFeaturesAgreementCorrelation)}`);
    ctx.log?.(`corr(shared features, agreement): Mantel permutation p = ${fixed(main.sharedFeaturesAgreementPValue)} (${PERMUTATIONS} relabellings of the models); without the pairs of model 1 (Algorithm 1 visits it first and never moves its ${config.k} features) ${fixed(withoutEach.correlations[0]!)}`);
    ctx.log?.(`corr(shared features, agreement) without each model's pairs in turn: ${leftOutRange(withoutEach.correlations)}; jackknife standard error over the models ${fixed(withoutEach.standardError)}`);
    ctx.log?.(`GDE 10 classes: error ${full.meanTestError.toFixed(4)}, disagreement ${full.meanDisagreement.toFixed(4)}; merged 10 → 2: error ${merged.meanTestError.toFixed(4)}, disagreement ${merged.meanDisagreement.toFixed(4)}, CACE ${mergedCace.toFixed(4)}; the theorem's sides: |E[dis] − E[err]| ${Math.abs(merged.gapWithReplacement).toFixed(4)} ≤ CACE at the vote levels ${mergedLevelsCace.toFixed(4)}`);
    for (const f of framework) ctx.log?.(`framework ${f.change.padEnd(10)} accuracy ${f.accuracy.toFixed(3)} agreement ${f.agreement.toFixed(3)} gap ${(f.agreement - f.accuracy).toFixed(3).padStart(6)} (the spec: ${f.expected}); corr(shared features, agreement) over its model pairs ${fixed(f.sharedAgreementCorrelation)}`);
    /** The frequency histogram (features per tenth of N: how many points some model sees them in) and its skewness. */
    const shapeOf = (frequency: Int32Array) => {
      const histogram = new Array<number>(11).fill(0);
      for (const f of frequency) histogram[Math.min(10, Math.floor((10 * f) / n))]!++;
      return { histogram, skewness: skewness(frequency) };
    };
    const shape = shapeOf(main.stats.frequency);
    const early = trained?.early ?? null;
    const untrainedShape = trained ? shapeOf(trained.untrained.stats.frequency) : null;
    const oneEpochShape = early ? shapeOf(early.stats.frequency) : null;
    const sweepShapes = sweep.map((x) => shapeOf(x.stats.frequency));
    if (trained) ctx.log?.(`frequency histogram (tenths of N): trained ${shape.histogram.join(' ')}; after one epoch ${oneEpochShape?.histogram.join(' ') ?? ''} (T = ${early?.count ?? '–'}); untrained ${untrainedShape!.histogram.join(' ')} (T = ${trained.untrained.count})`);
    const skew = (x: { skewness: number } | null) => (x ? x.skewness.toFixed(2) : '–');
    ctx.log?.(`frequency skewness (> 0: a long right tail, most features rare): trained ${skew(shape)}${trained ? `, after one epoch ${skew(oneEpochShape)}, untrained ${skew(untrainedShape)}` : ''}`);
    ctx.log?.(`frequency histogram by q_corr: ${sweep.map((x, i) => `${x.q}: ${sweepShapes[i]!.histogram.join(' ')} (skewness ${skew(sweepShapes[i]!)})`).join('; ')}`);
    // Diagnostics (ours) of the two checks that differ from the paper here: which components carry the
    // confidence–features sign, and whether frequency follows the data or only how many models share a feature.
    const classDirections = Math.min(CLASSES - 1, config.k);
    const meanOf = (x: Float64Array, from: number, to: number) => { let sum = 0, count = 0; for (let a = from; a < to; a++) if (Number.isFinite(x[a]!)) { sum += x[a]!; count++; } return count > 0 ? sum / count : NaN; };
    const shareOf = (from: number, to: number) => components.presenceShare.slice(from, to).reduce((sum, v) => sum + v, 0);
    const classGroup = `components 1–${classDirections} (C − 1, the class-mean directions under neural collapse) ${meanOf(components.confidenceSpearman, 0, classDirections).toFixed(3)} with ${(100 * shareOf(0, classDirections)).toFixed(0)} % of presences`;
    // With k ≤ C − 1 every component is in the first group: there is no rest to compare it with.
    const restGroup = config.k > classDirections ? `; components ${classDirections + 1}–${config.k} ${meanOf(components.confidenceSpearman, classDirections, config.k).toFixed(3)} with ${(100 * shareOf(classDirections, config.k)).toFixed(0)} %` : '';
    ctx.log?.(`Spearman(confidence, presence) per component, mean over models: ${classGroup}${restGroup}`);
    ctx.log?.(`Spearman(confidence, features per point) within each class: ${Array.from(byClass, (v) => fixed(v, 2)).join(' ')}; counting each shared feature once per point (distinct features): ${distinctSpearman.toFixed(3)}`);
    ctx.log?.(`Spearman of the mean activation norm with the confidence ${norm.confidence.toFixed(3)}, with the features per point ${norm.featuresPerPoint.toFixed(3)} (unitNorm ${config.unitNorm ? 'on: the PCA saw unit-norm activations' : 'off: set unitNorm=true to divide the norm out'})`);
    ctx.log?.(`a pair's agreement against the sum of its two models' test accuracies: ${agreementByAccuracy.correlation.toFixed(3)} (Mantel p = ${agreementByAccuracy.pValue.toFixed(3)}); shared features against the agreement the accuracies leave: ${agreementByAccuracy.sharedFeaturesGivenAccuracy.toFixed(3)}`);
    ctx.log?.(`mean frequency by adoption (independent presences would give): ${byAdoption.map((g) => `${g.adoption}: ${g.meanFrequency.toFixed(2)} (${g.independentFrequency.toFixed(2)})`).join(', ')}`);
    const dead = deadModelsWarning(members);
    if (dead) warnings.push(dead);
    const unfit = members.filter((x) => x.trainAccuracy < 1);
    if (unfit.length > 0) {
      const lowest = Math.min(...unfit.map((x) => x.trainAccuracy));
      warnings.push(`${unfit.length} of ${m} models did not reach 100 % training accuracy (lowest ${lowest.toFixed(4)}; series memberTrainAccuracy)`);
    }
    return {
      summary: {
        models: m, features: main.features,
        spearmanConfidenceFeatures: main.spearmanConfidenceFeatures, spearmanFrequencyAdoption: main.spearmanFrequencyAdoption,
        sharedFeaturesAgreementCorrelation: main.sharedFeaturesAgreementCorrelation,
        sharedFeaturesAgreementPValue: finiteOrNull(main.sharedFeaturesAgreementPValue),
        sharedFeaturesAgreementJackknifeSE: finiteOrNull(withoutEach.standardError),
        merged: {
          meanTestError: merged.meanTestError, meanDisagreement: merged.meanDisagreement, gap: merged.gap, cace: mergedCace, fullGap: full.gap,
          gapWithReplacement: merged.gapWithReplacement, caceAtVoteLevels: mergedLevelsCace,
        },
        frequencySkewness: finiteOrNull(shape.skewness),
        sensitivity: sweep.map((x, i) => ({
          qCorr: x.q, features: x.features, spearmanConfidenceFeatures: x.spearmanConfidenceFeatures, spearmanFrequencyAdoption: x.spearmanFrequencyAdoption, sharedFeaturesAgreementCorrelation: x.sharedFeaturesAgreementCorrelation,
          sharedFeaturesAgreementPValue: finiteOrNull(x.sharedFeaturesAgreementPValue), frequencySkewness: finiteOrNull(sweepShapes[i]!.skewness),
        })),
        framework: framework.map((f) => ({ change: f.change, expected: f.expected, accuracy: f.accuracy, agreement: f.agreement, sharedAgreementCorrelation: finiteOrNull(f.sharedAgreementCorrelation) })),
        untrainedFeatures: trained?.untrained.count ?? null,
        oneEpochFeatures: early?.count ?? null,
        untrainedFrequencySkewness: untrainedShape ? finiteOrNull(untrainedShape.skewness) : null,
        oneEpochFrequencySkewness: oneEpochShape ? finiteOrNull(oneEpochShape.skewness) : null,
      },
      series: {
        frequencyHistogram: shape.histogram, oneEpochFrequencyHistogram: oneEpochShape?.histogram ?? [], untrainedFrequencyHistogram: untrainedShape?.histogram ?? [], adoption: Array.from(main.stats.adoption), frequency: Array.from(main.stats.frequency),
        featuresPerPoint: Array.from(main.stats.featuresPerPoint), confidence: conf,
        confidenceSpearmanByComponent: Array.from(components.confidenceSpearman), presenceShareByComponent: Array.from(components.presenceShare),
        confidenceSpearmanByClass: Array.from(byClass, finiteOrNull),
        memberTrainAccuracy: members.map((x) => x.trainAccuracy), memberEpochs: members.map((x) => x.epochs),
      },
      details: { frequencyByAdoption: byAdoption, frequencyHistogramByQCorr: sweep.map((x, i) => ({ qCorr: x.q, histogram: sweepShapes[i]!.histogram })), spearmanConfidenceDistinctFeatures: finiteOrNull(distinctSpearman), sharedFeaturesAgreementWithoutFirstModel: finiteOrNull(withoutEach.correlations[0]!), sharedFeaturesAgreementWithoutEachModel: Array.from(withoutEach.correlations, finiteOrNull), activationNormSpearman: { confidence: finiteOrNull(norm.confidence), featuresPerPoint: finiteOrNull(norm.featuresPerPoint) }, agreementByAccuracy: { correlation: finiteOrNull(agreementByAccuracy.correlation), pValue: finiteOrNull(agreementByAccuracy.pValue), sharedFeaturesGivenAccuracy: finiteOrNull(agreementByAccuracy.sharedFeaturesGivenAccuracy) } },
      timings: { seconds: (performance.now() - t0) / 1000 },
      warnings,
    };
  },
};
