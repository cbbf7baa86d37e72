/**
 * Two-phase dynamics of Harsanyi interactions (spec interactions.md, "CPU reproduction"): an MLP learns a
 * tabular task with planted interactions, label = sign(x1·x2 + x3 − x4·x5·x6 + 0.5·x7) on n = 8 Gaussian
 * features with 15 % of the training labels flipped; every epoch, on a fixed set of training samples, all 2ⁿ
 * masked versions of each sample (masked variables set to the training mean) go through the network in one
 * batch, v(x_T) = logit_y − logsumexp(other logits), and the learned AND-OR split (src/metrics/harsanyi.ts)
 * gives the salient interactions, their order distribution A⁺ / A⁻ and the mean salient order; beside them the
 * train and test loss and their gap. Detection (the spec's, ours): phase-1 end = argmin of the mean order
 * (3-epoch moving average), gap onset = first epoch the gap exceeds its running minimum by `gapMargin`
 * and still does the epoch after. Generalisation of interactions (ours): a second model (another init and
 * minibatch order, same data) is trained, and the Jaccard overlap of the two final models' salient AND / OR
 * interactions on the same samples is reported per order.
 */
import { ConfigError } from '../errors.js';
import { andOrSplit, matchingResidual, meanSalientOrder, popcount, salientOrders, type OrderDistribution } from '../metrics/harsanyi.js';
import { Mlp } from '../nn/mlp.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { logitsOf } from './common.js';
import type { Experiment, ExperimentResult } from './types.js';

/** Config of the interactions experiment. */
export type InteractionsConfig = {
  trainSize: number;
  testSize: number;
  flip: number;
  hidden: number;
  epochs: number;
  lr: number;
  momentum: number;
  batchSize: number;
  samples: number;
  splitSteps: number;
  tau: number;
  gapMargin: number;
};

const N_VARS = 8;

/** The planted task: n = 8 Gaussian features, label = sign(x1x2 + x3 − x4x5x6 + 0.5x7) ∈ {0, 1}. */
function plantedTask(rng: Rng, count: number, flip: number): { x: Float32Array; y: Int32Array } {
  const x = rng.fork('x').fillNormal(new Float32Array(count * N_VARS));
  const y = new Int32Array(count);
  const flips = rng.fork('flip');
  for (let i = 0; i < count; i++) {
    const f = (j: number) => x[i * N_VARS + j]!;
    const score = f(0) * f(1) + f(2) - f(3) * f(4) * f(5) + 0.5 * f(6);
    y[i] = score > 0 ? 1 : 0;
    if (flips.uniform() < flip) y[i] = 1 - y[i]!;
  }
  return { x, y };
}

/** Mean cross-entropy of 2-class logits. */
function crossEntropy(logits: Float32Array, y: Int32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const a = logits[2 * i]!;
    const b = logits[2 * i + 1]!;
    const m = Math.max(a, b);
    const lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    s += lse - (y[i] ? b : a);
  }
  return s / y.length;
}

/** First index of the minimum of a 3-point moving average. */
function argminSmoothed(xs: number[]): number {
  let best = -1;
  let bestValue = Infinity;
  for (let t = 0; t < xs.length; t++) {
    const window = xs.slice(Math.max(0, t - 1), t + 2).filter(Number.isFinite);
    const v = window.reduce((a, b) => a + b, 0) / window.length;
    if (v < bestValue) {
      bestValue = v;
      best = t;
    }
  }
  return best;
}

/** The interactions experiment. */
export const interactions: Experiment<InteractionsConfig> = {
  name: 'interactions',
  description: 'two-phase dynamics of Harsanyi AND/OR interactions while an MLP learns a tabular task with planted interactions',
  defaults: {
    trainSize: 400, testSize: 2000, flip: 0.15, hidden: 256, epochs: 20, lr: 0.01, momentum: 0.9, batchSize: 20,
    samples: 20, splitSteps: 300, tau: 0.05, gapMargin: 0.02,
  },
  presets: { paper: {}, quick: { epochs: 6, samples: 6, splitSteps: 150 } },
  keys: {
    trainSize: { doc: 'training samples', integer: true, min: 10 },
    testSize: { doc: 'test samples (for the loss gap)', integer: true, min: 10 },
    flip: { doc: 'fraction of training labels flipped', min: 0 },
    hidden: { doc: 'width of the two hidden ReLU layers', integer: true, min: 1 },
    epochs: { doc: 'training epochs (interactions measured before the first and after each)', integer: true, min: 1 },
    lr: { doc: 'SGD learning rate (smaller: a longer phase 1)', min: 0 },
    momentum: { doc: 'SGD momentum', min: 0 },
    batchSize: { doc: 'examples per step', integer: true, min: 1 },
    samples: { doc: 'training samples whose interactions are measured', integer: true, min: 1 },
    splitSteps: { doc: 'SGD steps of the AND-OR split per sample', integer: true, min: 0 },
    tau: { doc: 'salient: |I| > tau·max|I| per sample', min: 0 },
    gapMargin: { doc: 'gap onset: the loss gap exceeds its running minimum by this much', min: 0 },
  },
  async run(config, ctx): Promise<ExperimentResult> {
    if (!(config.flip >= 0 && config.flip < 0.5)) throw new ConfigError(`interactions: flip must be in [0, 0.5), got ${config.flip}`);
    if (config.samples > config.trainSize) throw new ConfigError(`interactions: samples (${config.samples}) cannot exceed trainSize (${config.trainSize})`);
    const { backend } = ctx;
    const rng = new Rng(ctx.seed);
    const tr = plantedTask(rng.fork('train'), config.trainSize, config.flip);
    const te = plantedTask(rng.fork('test'), config.testSize, 0);
    // Baseline of a masked variable: its training mean.
    const baseline = new Float32Array(N_VARS);
    for (let i = 0; i < config.trainSize; i++) for (let j = 0; j < N_VARS; j++) baseline[j]! += tr.x[i * N_VARS + j]! / config.trainSize;
    const subsets = 1 << N_VARS;
    const masked = new Float32Array(config.samples * subsets * N_VARS);
    for (let s = 0; s < config.samples; s++) {
      for (let t = 0; t < subsets; t++) {
        for (let j = 0; j < N_VARS; j++) masked[(s * subsets + t) * N_VARS + j] = t & (1 << j) ? tr.x[s * N_VARS + j]! : baseline[j]!;
      }
    }
    const x = backend.upload(tr.x, config.trainSize, N_VARS);
    const labels = backend.upload(Float32Array.from(tr.y), config.trainSize, 1);
    const testX = backend.upload(te.x, config.testSize, N_VARS);
    const maskedX = backend.upload(masked, config.samples * subsets, N_VARS);
    const batch = Math.min(config.batchSize, config.trainSize);
    const stepsPerEpoch = Math.max(1, Math.floor(config.trainSize / batch));
    const totalSteps = stepsPerEpoch * config.epochs;
    const series: Record<string, number[]> = { epoch: [], meanOrder: [], trainLoss: [], testLoss: [], gap: [], salientCount: [] };
    const orders: OrderDistribution[] = [];
    let matchingError = 0;
    const t0 = performance.now();

    /**
     * Trains one model (init and minibatch order from the given forks) and measures its interactions every
     * `every` steps; returns, per order, the salient interactions of the final model as 'and|or:sample:S' keys.
     */
    const runOnce = async (tag: string, every: number, record: boolean): Promise<Set<string>[]> => {
      const model = new Mlp(backend, [N_VARS, config.hidden, config.hidden, 2], rng.fork(`init${tag}`));
      const finalSets = Array.from({ length: N_VARS + 1 }, () => new Set<string>());
      try {
        await train(backend, model, { x, labels, count: config.trainSize }, {
          steps: totalSteps, lr: config.lr, batchSize: batch, schedule: { kind: 'constant' },
          optimizer: { kind: 'sgd', momentum: config.momentum },
        }, rng.fork(`order${tag}`), {
          probes: [{
            every,
            run: async ({ step }) => {
              const logits = await logitsOf(backend, model, maskedX);
              const dist: OrderDistribution = { positive: new Float64Array(N_VARS + 1), negative: new Float64Array(N_VARS + 1), counts: new Int32Array(N_VARS + 1) };
              for (let smp = 0; smp < config.samples; smp++) {
                const y = tr.y[smp]!;
                const v = new Float64Array(subsets);
                // Two classes: logit_y − logsumexp(others) = logit_y − logit_other.
                for (let t = 0; t < subsets; t++) v[t] = logits[(smp * subsets + t) * 2 + y]! - logits[(smp * subsets + t) * 2 + 1 - y]!;
                const split = andOrSplit(v, N_VARS, { steps: config.splitSteps });
                matchingError = Math.max(matchingError, matchingResidual(v.map((val, t) => val + split.q[t]!), split.and, split.or, N_VARS));
                // Salient relative to the sample's largest AND or OR interaction.
                const maxAbs = Math.max(...Array.from(split.and, Math.abs), ...Array.from(split.or, Math.abs));
                salientOrders(split.and, N_VARS, config.tau, dist, maxAbs);
                salientOrders(split.or, N_VARS, config.tau, dist, maxAbs);
                if (step === totalSteps) {
                  for (const [kind, table] of [['and', split.and], ['or', split.or]] as const) {
                    table.forEach((val, sMask) => { if (Math.abs(val) > config.tau * maxAbs) finalSets[popcount(sMask)]!.add(`${kind}:${smp}:${sMask}`); });
                  }
                }
              }
              if (!record) return;
              orders.push(dist);
              const trainLoss = crossEntropy(await logitsOf(backend, model, x), tr.y);
              const testLoss = crossEntropy(await logitsOf(backend, model, testX), te.y);
              const epoch = step / stepsPerEpoch;
              series.epoch!.push(epoch);
              series.meanOrder!.push(meanSalientOrder(dist));
              series.trainLoss!.push(trainLoss);
              series.testLoss!.push(testLoss);
              series.gap!.push(testLoss - trainLoss);
              series.salientCount!.push(dist.counts.reduce((c, d) => c + d, 0));
              ctx.log?.(`epoch ${epoch}: mean salient order ${series.meanOrder!.at(-1)!.toFixed(3)}, train loss ${trainLoss.toFixed(4)}, test loss ${testLoss.toFixed(4)}, gap ${(testLoss - trainLoss).toFixed(4)}`);
            },
          }],
          onStep: (step) => ctx.progress?.({ step, total: totalSteps, phase: record ? 'MLP on the planted task' : 'second seed (interaction overlap)' }),
          shouldStop: ctx.shouldStop,
        });
      } finally {
        model.params.free();
      }
      return finalSets;
    };
    let overlap: number[] = [];
    try {
      const first = await runOnce('', stepsPerEpoch, true);
      // Generalisation of interactions: the same samples, a model from another init and order.
      if (!ctx.shouldStop?.()) {
        const second = await runOnce('/second', totalSteps, false);
        overlap = first.map((setA, k) => {
          const setB = second[k]!;
          let both = 0;
          for (const key of setA) if (setB.has(key)) both++;
          const union = setA.size + setB.size - both;
          return union > 0 ? both / union : NaN;
        });
      }
    } finally {
      backend.free(x, labels, testX, maskedX);
    }
    const phase1End = argminSmoothed(series.meanOrder!);
    // Gap onset: the first epoch whose gap, and the next epoch's, exceed the running minimum by the margin
    // (one noisy epoch is not an onset).
    let gapOnset = -1;
    let runningMin = Infinity;
    const gaps = series.gap!;
    for (let t = 0; t < gaps.length; t++) {
      runningMin = Math.min(runningMin, gaps[t]!);
      const next = t + 1 < gaps.length ? gaps[t + 1]! : gaps[t]!;
      if (gaps[t]! > runningMin + config.gapMargin && next > runningMin + config.gapMargin) {
        gapOnset = t;
        break;
      }
    }
    // Order distributions per epoch, normalised by Z = max_k max(A⁺(k), |A⁻(k)|) of that epoch.
    for (let k = 0; k <= N_VARS; k++) {
      series[`positiveOrder${k}`] = orders.map((d) => d.positive[k]! / Math.max(1e-300, ...Array.from(d.positive), ...Array.from(d.negative, Math.abs)));
      series[`negativeOrder${k}`] = orders.map((d) => d.negative[k]! / Math.max(1e-300, ...Array.from(d.positive), ...Array.from(d.negative, Math.abs)));
    }
    return {
      summary: {
        n: N_VARS, meanOrder: series.meanOrder!, phase1End: series.epoch![phase1End] ?? null, gapOnset: gapOnset >= 0 ? series.epoch![gapOnset]! : null,
        universalMatchingMaxError: matchingError,
        // Jaccard overlap, per order k = 0 … n, of the final salient interactions of two seeds (NaN: none).
        crossSeedOverlap: overlap,
      },
      series,
      timings: { seconds: (performance.now() - t0) / 1000 },
      warnings: gapOnset < 0 ? [`the loss gap never rose ${config.gapMargin} above its running minimum`] : [],
    };
  },
};
