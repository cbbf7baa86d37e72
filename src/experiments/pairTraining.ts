/**
 * Training of the margin paper's pair network on a binary-operation table (modular addition, group
 * composition) by full-batch gradient descent on cross-entropy + λ‖θ‖_{2,ν}^ν (ν = 3 for the quadratic
 * network, 2 for ReLU: the degree of homogeneity) with the doubling schedule,
 * sampling the normalized margin / γ*, accuracy and a task-specific feature measure every k steps.
 */
import type { Backend } from '../backend/types.js';
import type { Stage } from '../checkpoint/stages.js';
import { ConfigError } from '../errors.js';
import { normNu, normalizedMargin } from '../metrics/margin.js';
import { PairNet, type PairActivation } from '../nn/pairNet.js';
import { train } from '../nn/train.js';
import type { Rng } from '../rng.js';
import { accuracy, emitLatest, logitsOf } from './common.js';
import type { ExperimentContext } from './types.js';

/** A binary-operation table: pairs (a, b) of tokens with label y, and which rows are trained on. */
export interface PairTable {
  tokens: number;
  a: Int32Array;
  b: Int32Array;
  y: Int32Array;
  train: ArrayLike<number>;
  test: ArrayLike<number>;
}

/** Optimisation settings of a pair-network run. */
export type PairTrainingConfig = {
  width: number;
  steps: number;
  lr: number;
  doubleEvery: number;
  doubleUntil: number;
  lambda: number;
  initStd: number;
  probeEvery: number;
};

/** Documentation of the PairTrainingConfig keys, shared by the experiments that train pair networks. */
export const PAIR_TRAINING_KEYS = {
  width: { doc: 'neurons m', integer: true, min: 1 },
  steps: { doc: 'full-batch gradient steps', integer: true, min: 0 },
  lr: { doc: 'base learning rate', min: 0, positive: true },
  doubleEvery: { doc: 'the learning rate doubles every this many steps…', integer: true, min: 1 },
  doubleUntil: { doc: '…up to this step', integer: true, min: 0 },
  lambda: { doc: 'λ of the regulariser λ‖θ‖_{2,ν}^ν (ν = 3; 2 for ReLU)', min: 0 },
  initStd: { doc: 'standard deviation of the initial weights', min: 0, positive: true },
  probeEvery: { doc: 'steps between metric samples', integer: true, min: 1 },
} as const;

/** Most doublings of the learning rate (lr·2^30 ≈ 1e9·lr); the paper's schedule has 10. */
const MAX_DOUBLINGS = 30;

/** Refuses a doubling schedule that multiplies lr by more than 2^30: it diverges (2^1000 overflows f32) and says so only after training began. */
export function checkDoubling(experiment: string, cfg: Pick<PairTrainingConfig, 'doubleEvery' | 'doubleUntil'>): void {
  const doublings = Math.floor(cfg.doubleUntil / cfg.doubleEvery);
  if (doublings > MAX_DOUBLINGS) {
    throw new ConfigError(`${experiment}: doubleUntil / doubleEvery = ${cfg.doubleUntil} / ${cfg.doubleEvery} doubles lr ${doublings} times (× 2^${doublings}); at most ${MAX_DOUBLINGS}: raise doubleEvery or lower doubleUntil (the paper: every 1000 steps until 10000)`);
  }
}

/** The neurons' parameters as rows (m×tokens each; W is m×classes). */
export type NeuronRowsData = { U: Float32Array; V: Float32Array; W: Float32Array };

/** What a run measured at its end, with F the task's feature measure. */
export interface PairRun<F> {
  margin: number;
  marginRatio: number;
  trainAccuracy: number;
  testAccuracy: number;
  features: F;
  rows: NeuronRowsData;
  series: Record<string, number[]>;
  trainSeconds: number;
  steps: number;
  /** Steps taken in trainSeconds (after a resume, those since it): the rate's numerator. */
  stepsRun: number;
}

/** Uploads the rows `idx` of the table (token ids a, b as the input matrix) and labels, and binds them to the model. */
function upload(backend: Backend, model: PairNet, t: PairTable, idx: ArrayLike<number>) {
  const a = Int32Array.from(idx, (i) => t.a[i]!);
  const b = Int32Array.from(idx, (i) => t.b[i]!);
  const y = Int32Array.from(idx, (i) => t.y[i]!);
  return { x: model.uploadPairs(a, b), labels: backend.upload(Float32Array.from(y), idx.length, 1), y, count: idx.length };
}

/**
 * Trains a pair network with activation `act` on `table` and measures it; `features` maps the neuron rows
 * to the task's measure and `featureSeries` to the number sampled into the series. `stage` checkpoints the
 * loop and the series (RunCheckpoints.stage).
 */
export async function trainPairNetwork<F>(
  table: PairTable, cfg: PairTrainingConfig, act: PairActivation, gammaStar: number, rng: Rng, ctx: ExperimentContext, phase: string,
  features: (rows: NeuronRowsData) => F, featureSeries: { name: string; of: (f: F) => number }, stage?: Stage,
): Promise<PairRun<F>> {
  const { backend } = ctx;
  // ν = the network's degree of homogeneity: 3 for (u[a] + v[b])²·w, 2 for ReLU(u[a] + v[b])·w.
  const nu = act === 'square' ? 3 : 2;
  const model = new PairNet(backend, { tokens: table.tokens, classes: table.tokens, width: cfg.width, act, initStd: cfg.initStd }, rng.fork('init'));
  const tr = upload(backend, model, table, table.train);
  const te = table.test.length > 0 ? upload(backend, model, table, table.test) : null;
  const series = (stage?.restored as Record<string, number[]> | undefined) ?? { step: [], loss: [], lr: [], marginRatio: [], trainAccuracy: [], [featureSeries.name]: [] };
  if (te) series.testAccuracy ??= [];
  stage?.keep(() => series);

  const measure = async () => {
    const rows = await model.neuronRows();
    const logits = await logitsOf(backend, model, tr.x);
    const norm = normNu([{ data: rows.U, cols: table.tokens }, { data: rows.V, cols: table.tokens }, { data: rows.W, cols: table.tokens }], cfg.width, nu);
    const margin = normalizedMargin(logits, tr.y, tr.count, table.tokens, norm);
    const testAccuracy = te ? accuracy(await logitsOf(backend, model, te.x), te.y, te.count, table.tokens) : NaN;
    return { margin, marginRatio: margin / gammaStar, trainAccuracy: accuracy(logits, tr.y, tr.count, table.tokens), testAccuracy, features: features(rows), rows };
  };

  const t0 = performance.now();
  try {
    const done = await train(backend, model, { x: tr.x, labels: tr.labels, count: tr.count }, {
      steps: cfg.steps, lr: cfg.lr, batchSize: 'full',
      schedule: { kind: 'doubling', every: cfg.doubleEvery, until: cfg.doubleUntil },
      optimizer: { kind: 'sgd' },
      regularizer: { lambda: cfg.lambda, nu },
    }, rng, {
      probes: [{
        every: cfg.probeEvery,
        run: async ({ step, loss, lr }) => {
          const m = await measure();
          series.step!.push(step);
          series.loss!.push(loss);
          series.lr!.push(lr);
          series.marginRatio!.push(m.marginRatio);
          series.trainAccuracy!.push(m.trainAccuracy);
          series[featureSeries.name]!.push(featureSeries.of(m.features));
          series.testAccuracy?.push(m.testAccuracy);
          emitLatest(ctx, series, 'step');
        },
      }],
      onStep: (step) => ctx.progress?.({ step, total: cfg.steps, phase }),
      shouldStop: ctx.shouldStop,
      checkpoint: stage?.train,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    return { ...(await measure()), series, trainSeconds, steps: done.steps, stepsRun: done.stepsRun };
  } finally {
    model.free();
    backend.free(tr.x, tr.labels);
    if (te) backend.free(te.x, te.labels);
  }
}
