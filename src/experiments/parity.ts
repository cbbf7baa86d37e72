/**
 * Sparse parity (spec margin-algebra.md): f(x) = Σ_i (u_i · x)^k w_i on all 2^n inputs x ∈ {±1}^n, trained
 * with cross-entropy + λ‖θ‖_{2,k+1}^{k+1}. Measures the normalized margin / γ* and how much of each
 * neuron's |u_i| mass sits on the k relevant bits (at the max margin: all of it). `supportMass` weights
 * neurons by ‖θ_i‖^ν (their scale in the network); `supportMassUnweighted` is the plain mean over neurons
 * above 1e-3 of the largest norm², which counts the neurons that never grew from their initial values.
 */
import { RunCheckpoints } from '../checkpoint/stages.js';
import { sparseParity } from '../data/sparseParity.js';
import { ConfigError } from '../errors.js';
import { gammaStarParity, normNu, normalizedMargin } from '../metrics/margin.js';
import { supportMass } from '../metrics/parity.js';
import { ParityNet } from '../nn/parityNet.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { accuracy, emitLatest, finiteOrNull, fitWarnings, logitsOf, transposed, widthWarnings } from './common.js';
import type { Experiment, ExperimentResult } from './types.js';

/** Config of the parity experiment (defaults = the paper's settings). */
export type ParityConfig = {
  n: number;
  k: number;
  width: number;
  steps: number;
  lr: number;
  lambda: number;
  initStd: number;
  probeEvery: number;
};

/** The sparse-parity experiment. */
export const parity: Experiment<ParityConfig> = {
  name: 'parity',
  description: 'sparse parity (n bits, k relevant): margin maximization and support on the relevant bits (Morwani et al. 2024)',
  defaults: { n: 10, k: 4, width: 40, steps: 30000, lr: 0.1, lambda: 1e-3, initStd: 0.3, probeEvery: 1000 },
  presets: { paper: {}, quick: { steps: 6000, probeEvery: 500 } },
  keys: {
    n: { doc: 'input bits (all 2^n inputs are used; n ≤ 16)', integer: true, min: 2 },
    k: { doc: 'relevant bits (the activation is x^k, the norm exponent ν = k + 1)', integer: true, min: 1 },
    width: { doc: 'neurons m (the max-margin solution needs m ≥ 2^(k−1))', integer: true, min: 1, max: 1e6 },
    steps: { doc: 'full-batch gradient steps', integer: true, min: 0 },
    lr: { doc: 'learning rate (constant)', min: 0, positive: true },
    lambda: { doc: 'λ of the regulariser λ‖θ‖_{2,k+1}^{k+1}', min: 0 },
    initStd: { doc: 'standard deviation of the initial weights', min: 0, positive: true },
    probeEvery: { doc: 'steps between metric samples', integer: true, min: 1 },
  },
  validate(config) {
    if (config.n > 16 || config.k > config.n) throw new ConfigError(`parity: need k ≤ n ≤ 16 (2^n inputs are enumerated), got n = ${config.n}, k = ${config.k}`);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    parity.validate!(config);
    const { backend } = ctx;
    const { n, k, width } = config;
    const rng = new Rng(ctx.seed);
    const data = sparseParity(n, k, { count: 'all' });
    const nu = k + 1;
    const gammaStar = gammaStarParity(k);
    const x = backend.upload(data.x, data.count, n);
    const labels = backend.upload(Float32Array.from(data.y), data.count, 1);
    const model = new ParityNet(backend, { bits: n, width, power: k, initStd: config.initStd }, rng.fork('init'));
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    const measure = async () => {
      const u = transposed(await backend.read(model.params.get('U')), n, width); // m×n rows
      const w = await backend.read(model.params.get('W'));
      const logits = await logitsOf(backend, model, x);
      const margin = normalizedMargin(logits, data.y, data.count, 2, normNu([{ data: u, cols: n }, { data: w, cols: 2 }], width, nu));
      return { margin, marginRatio: margin / gammaStar, trainAccuracy: accuracy(logits, data.y, data.count, 2), support: supportMass(u, width, n, data.relevant, { W: w, nu }) };
    };
    try {
      // The stage's result is the trained parameters: the measurements below are made from them.
      const trained = await checkpoints.stage('parity', async (stage) => {
        const tStage = performance.now();
        const series = (stage.restored as Record<string, number[]> | undefined) ?? { step: [], loss: [], marginRatio: [], trainAccuracy: [], supportMass: [] };
        stage.keep(() => series);
        const done = await train(backend, model, { x, labels, count: data.count }, {
          steps: config.steps, lr: config.lr, batchSize: 'full', schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' },
          regularizer: { lambda: config.lambda, nu },
        }, rng, {
          probes: [{
            every: config.probeEvery,
            run: async ({ step, loss }) => {
              const m = await measure();
              series.step!.push(step);
              series.loss!.push(loss);
              series.marginRatio!.push(m.marginRatio);
              series.trainAccuracy!.push(m.trainAccuracy);
              series.supportMass!.push(m.support.weightedMean);
              emitLatest(ctx, series, 'step');
            },
          }],
          onStep: (step) => ctx.progress?.({ step, total: config.steps, phase: `parity (n = ${n}, k = ${k}, m = ${width})` }),
          shouldStop: ctx.shouldStop,
          checkpoint: stage.train,
        });
        // Seconds and steps of this process's part: a finished stage restored later keeps its own.
        return { series, steps: done.steps, stepsRun: done.stepsRun, trainSeconds: (performance.now() - tStage) / 1000, params: await model.params.values() };
      }, ctx.shouldStop);
      model.params.restore(trained.params);
      const { series, trainSeconds } = trained;
      const m = await measure();
      return {
        summary: {
          marginRatio: m.marginRatio, supportMass: m.support.weightedMean, supportMassUnweighted: m.support.mean, trainAccuracy: m.trainAccuracy,
          activeNeurons: m.support.active.filter(Boolean).length, normalizedMargin: m.margin, gammaStar, relevantBits: data.relevant,
        },
        series,
        timings: { trainSeconds, stepsPerSecond: trained.stepsRun / trainSeconds },
        warnings: [
          ...(trained.steps < config.steps ? [`stopped at step ${trained.steps} of ${config.steps}`] : []),
          ...fitWarnings('the network', m.trainAccuracy, m.margin), ...widthWarnings(width, 2 ** (k - 1), '2^(k − 1)'),
        ],
        details: { supportMassPerNeuron: Array.from(m.support.perNeuron, finiteOrNull) },
      };
    } finally {
      model.params.free();
      backend.free(x, labels);
    }
  },
};
