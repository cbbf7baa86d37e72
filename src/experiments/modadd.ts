/**
 * Modular addition (spec margin-algebra.md): the quadratic network (u_i[a] + v_i[b])² · w_i trained with
 * cross-entropy + λ‖θ‖_{2,3}^3 by full-batch gradient descent with the doubling learning-rate schedule.
 * Measures, every `probeEvery` steps, the normalized margin / γ*, accuracy and the neurons' Fourier
 * features; at the end the per-neuron frequencies and phases. With `compareRelu` the same training is run
 * on the ReLU network and its max Fourier power is reported beside the quadratic one's, with Nanda et al.'s
 * key frequencies and restricted / excluded loss of the trained ReLU network.
 */
import { RunCheckpoints } from '../checkpoint/stages.js';
import { modularAddition } from '../data/modularAddition.js';
import { ConfigError } from '../errors.js';
import { fourierPhase, neuronFrequencies, normalizedPower } from '../metrics/fourier.js';
import { gammaStarModularAddition } from '../metrics/margin.js';
import { excludedLoss, keyFrequencies, modularAdditionLoss, restrictedLoss } from '../metrics/nanda.js';
import type { PairActivation } from '../nn/pairNet.js';
import { Rng } from '../rng.js';
import { finiteOrNull, fitWarnings, prefixedSeries, widthWarnings } from './common.js';
import { PAIR_TRAINING_KEYS, checkDoubling, trainPairNetwork, type NeuronRowsData, type PairTrainingConfig } from './pairTraining.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the modular-addition experiment (defaults = the paper's settings). */
export type ModaddConfig = PairTrainingConfig & {
  p: number;
  act: PairActivation;
  trainFraction: number;
  compareRelu: boolean;
};

/** True when p is prime (trial division; p is at most a few thousand here). */
function isPrime(p: number): boolean {
  if (p < 2) return false;
  for (let d = 2; d * d <= p; d++) if (p % d === 0) return false;
  return true;
}

/** modadd's rules: p an odd prime (γ* and the Fourier analysis assume Z_p is a field), trainFraction in (0, 1]. */
function validateModadd(config: ModaddConfig): void {
  if (!(isPrime(config.p) && config.p > 2 && config.p <= 46340)) {
    throw new ConfigError(`modadd: p must be an odd prime ≤ 46340 (the margin and Fourier analysis assume a prime modulus), got ${config.p}; e.g. 17, 31, 71`);
  }
  if (!(config.trainFraction > 0 && config.trainFraction <= 1)) throw new ConfigError(`modadd: trainFraction must be in (0, 1], got ${config.trainFraction}`);
  checkDoubling('modadd', config);
}

/**
 * Trains the network with activation `act` on the (split) addition table and measures its Fourier features,
 * as the checkpoint stage named after the activation.
 */
function runModadd(config: ModaddConfig, act: PairActivation, ctx: ExperimentContext, checkpoints: RunCheckpoints, phase: string) {
  const { p, width } = config;
  const rng = new Rng(ctx.seed);
  const data = modularAddition(p, { trainFraction: config.trainFraction, rng: rng.fork('split') });
  return checkpoints.stage(act, (stage) => trainPairNetwork({ tokens: p, a: data.a, b: data.b, y: data.y, train: data.train, test: data.test }, config, act,
    gammaStarModularAddition(p), rng, ctx, `${phase} (p = ${p}, m = ${width})`,
    (rows) => neuronFrequencies(rows.U, rows.V, rows.W, width, p),
    { name: 'singleFrequencyFraction', of: (f) => f.summary.singleFrequencyFraction }, stage), ctx.shouldStop);
}

/**
 * Nanda et al.'s progress measures of a trained ReLU pair network, from its neuron rows (in f64 on the
 * host): key frequencies of the activations relu(u_i[a] + v_i[b]) over all p² inputs, and the full,
 * restricted (key-frequency components only) and excluded cross-entropy of the logits.
 */
function nandaMeasures(rows: NeuronRowsData, p: number, m: number) {
  const n = p * p;
  const acts = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) acts[i * n + a * p + b] = Math.max(0, rows.U[i * p + a]! + rows.V[i * p + b]!);
  }
  const logits = new Float64Array(n * p);
  for (let i = 0; i < m; i++) {
    for (let ab = 0; ab < n; ab++) {
      const h = acts[i * n + ab]!;
      if (h === 0) continue;
      for (let c = 0; c < p; c++) logits[ab * p + c]! += h * rows.W[i * p + c]!;
    }
  }
  const keys = keyFrequencies(acts, m, p).keyFrequencies;
  return { keyFrequencies: keys, fullLoss: modularAdditionLoss(logits, p), restrictedLoss: restrictedLoss(logits, p, keys), excludedLoss: excludedLoss(logits, p, keys) };
}

/** Per neuron, the normalized Fourier power of ζ = 0..(p−1)/2 averaged over u, v and w (4 decimals; for the report's heatmap). */
function fourierPowerTable(rows: NeuronRowsData, p: number, m: number): number[][] {
  return Array.from({ length: m }, (_, i) => {
    const [pu, pv, pw] = [rows.U, rows.V, rows.W].map((x) => normalizedPower(x.subarray(i * p, (i + 1) * p), p));
    return Array.from(pu!, (u, z) => Math.round(((u + pv![z]! + pw![z]!) / 3) * 1e4) / 1e4);
  });
}

/** Mean over active neurons of min(max power of u, v, w). */
function meanMaxPower(neurons: { active: boolean; maxPower: { u: number; v: number; w: number } }[]): number {
  const active = neurons.filter((n) => n.active);
  return active.reduce((s, n) => s + Math.min(n.maxPower.u, n.maxPower.v, n.maxPower.w), 0) / active.length;
}

/** The modular-addition experiment. */
export const modadd: Experiment<ModaddConfig> = {
  name: 'modadd',
  description: 'modular addition mod p: margin maximization and Fourier features of the quadratic network (Morwani et al. 2024)',
  defaults: {
    p: 71, width: 500, act: 'square', steps: 40000, lr: 0.05, doubleEvery: 1000, doubleUntil: 10000,
    lambda: 1e-4, initStd: 0.1, trainFraction: 1, probeEvery: 1000, compareRelu: true,
  },
  presets: {
    paper: {},
    quick: { p: 17, width: 128, steps: 12000, probeEvery: 1000 },
  },
  keys: {
    ...PAIR_TRAINING_KEYS,
    p: { doc: 'the modulus (odd prime)', integer: true, min: 3 },
    width: { doc: 'neurons m (the max-margin solution needs m ≥ 4(p−1))', integer: true, min: 1, max: 1e6 },
    act: { doc: 'activation', choices: ['square', 'relu'] },
    trainFraction: { doc: 'fraction of the p² pairs trained on (1 = all, the paper)', min: 0 },
    compareRelu: { doc: 'also train the ReLU network and report its Fourier power' },
  },
  validate: validateModadd,
  async run(config, ctx): Promise<ExperimentResult> {
    validateModadd(config);
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    const f = await runModadd(config, config.act, ctx, checkpoints, `${config.act} network`);
    const freq = f.features;
    const summary: ExperimentResult['summary'] = {
      marginRatio: f.marginRatio,
      singleFrequencyFraction: freq.summary.singleFrequencyFraction,
      frequenciesUsed: freq.summary.frequenciesUsed,
      trainAccuracy: f.trainAccuracy,
      activeNeurons: freq.summary.activeNeurons,
      allFrequenciesUsed: freq.summary.allFrequenciesUsed,
      neuronsPerFrequency: freq.summary.neuronsPerFrequency.slice(1),
      meanMaxPower: meanMaxPower(freq.neurons),
      // Undefined without a single-frequency neuron (an untrained network): null, not NaN (and its JSON warning).
      meanAbsPhaseError: finiteOrNull(freq.summary.meanAbsPhaseError),
      normalizedMargin: f.margin,
      gammaStar: gammaStarModularAddition(config.p),
    };
    if (config.trainFraction < 1) summary.testAccuracy = f.testAccuracy;
    const timings: Record<string, number> = { trainSeconds: f.trainSeconds, stepsPerSecond: f.stepsRun / f.trainSeconds };
    const series = f.series;
    const warnings: string[] = [];
    if (config.act === 'relu') warnings.push('act = relu: marginRatio divides the ReLU network\'s normalized margin (ν = 2) by the quadratic network\'s γ*, which bounds only the latter');
    if (f.steps < config.steps) warnings.push(`stopped at step ${f.steps} of ${config.steps}`);
    warnings.push(...fitWarnings(`the ${config.act} network`, f.trainAccuracy, f.margin), ...widthWarnings(config.width, 4 * (config.p - 1), '4(p − 1)'));
    if (config.compareRelu && config.act !== 'relu' && !ctx.shouldStop?.()) {
      const relu = await runModadd(config, 'relu', prefixedSeries(ctx, 'relu'), checkpoints, 'relu network (comparison)');
      summary.reluMeanMaxPower = meanMaxPower(relu.features.neurons);
      summary.reluSingleFrequencyFraction = relu.features.summary.singleFrequencyFraction;
      summary.reluTrainAccuracy = relu.trainAccuracy;
      const nanda = nandaMeasures(relu.rows, config.p, config.width);
      summary.reluKeyFrequencies = nanda.keyFrequencies;
      summary.reluFullLoss = nanda.fullLoss;
      summary.reluRestrictedLoss = nanda.restrictedLoss;
      summary.reluExcludedLoss = nanda.excludedLoss;
      timings.reluTrainSeconds = relu.trainSeconds;
      if (relu.steps < config.steps) warnings.push(`the relu comparison stopped at step ${relu.steps} of ${config.steps}: the relu* keys describe a partly trained network`);
      warnings.push(...fitWarnings('the relu network (comparison)', relu.trainAccuracy, relu.margin));
      // γ* is the quadratic network's bound; the ReLU network's margin (ν = 2) is not comparable to it.
      for (const [k, v] of Object.entries(relu.series)) if (k !== 'marginRatio') series[`relu${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
    }
    return {
      summary, series, timings, warnings,
      // Per-neuron table for reports; a neuron without a single frequency has no phase error (null, not NaN).
      // zetaU / phaseU: u_i's dominant frequency and its phase there (null at ζ = 0), the web page's 3D embedding.
      details: {
        neurons: freq.neurons.map((n, i) => ({
          active: n.active, frequency: n.frequency, maxPower: n.maxPower, phaseError: finiteOrNull(n.phaseError),
          zetaU: n.zeta.u, phaseU: n.zeta.u >= 1 ? fourierPhase(f.rows.U.subarray(i * config.p, (i + 1) * config.p), config.p, n.zeta.u) : null,
        })),
        fourierPower: fourierPowerTable(f.rows, config.p, config.width),
      },
    };
  },
};
