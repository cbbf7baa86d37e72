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
 *
 * The image version (`--preset fashion`) measures with v(x_∅) subtracted (`subtractEmpty`, the spec's option):
 * with 10 classes v(x_∅) ≈ −log 9 at init is by far the largest |I|, so I(∅) alone set the 5 % salience
 * threshold and weighed order 0 into the mean order, and the init looked low-order (mean 1.9, no dip). It
 * also starts from a smaller init (`initScale`): at He scale the MLP fits 2000 images from the first steps,
 * so the gap grows at once and the order only falls (4.0 → 3.3) and stays; smaller weights keep it near the
 * origin long enough for phase 1 to finish before it starts fitting. Masking to the mean patch (the lab's
 * practice: normalised images masked to 0) makes phase 1 the sharpest (measured numbers in the preset).
 */
import { ConfigError } from '../errors.js';
import { andOrSplit, matchingResidual, meanSalientOrder, popcount, salientOrders, type OrderDistribution } from '../metrics/harsanyi.js';
import { Mlp } from '../nn/mlp.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { RunCheckpoints } from '../checkpoint/stages.js';
import { emitLatest, logitsOf } from './common.js';
import { FASHION_MNIST_DIR } from '../data/fashionMnist.js';
import { loadImageData } from './imageData.js';
import type { Experiment, ExperimentResult } from './types.js';

/** Config of the interactions experiment. */
export type InteractionsConfig = {
  task: string;
  patches: number;
  dataDir: string;
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
  baseline: string;
  centre: boolean;
  subtractEmpty: boolean;
  normalize: string;
  probeEvery: number;
  probeEpochs: number;
  initScale: number;
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

/** log-odds of the true class, logit_y − logsumexp(other logits), of row r (k classes). */
function logOdds(logits: Float32Array, r: number, k: number, y: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (c !== y) max = Math.max(max, logits[r * k + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) if (c !== y) sum += Math.exp(logits[r * k + c]! - max);
  return logits[r * k + y]! - (max + Math.log(sum));
}

/** Mean cross-entropy of k-class logits. */
function crossEntropy(logits: Float32Array, y: Int32Array, k: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, logits[i * k + c]!);
    let e = 0;
    for (let c = 0; c < k; c++) e += Math.exp(logits[i * k + c]! - m);
    s += m + Math.log(e) - logits[i * k + y[i]!]!;
  }
  return s / y.length;
}

/** The most patches (variables) of the image task: each sample costs 2ⁿ masked forward rows. */
const MAX_PATCHES = 12;

/**
 * Fashion-MNIST split into n patches: one row of n bands for n ≤ 4, else two rows (0–13 / 14–27) with
 * ceil(n/2) bands on top and floor(n/2) below, band edges at round(28·j/bands). n = 10 is a 2 × 5 grid
 * (columns 0–5, 6–10, 11–16, 17–21, 22–27). Returns the patch index of each pixel.
 */
export function patchOfPixel(n: number): Int32Array {
  const rows = n <= 4 ? [n] : [Math.ceil(n / 2), Math.floor(n / 2)];
  const out = new Int32Array(784);
  for (let r = 0; r < 28; r++) {
    const row = rows.length === 1 || r < 14 ? 0 : 1;
    const bands = rows[row]!;
    const first = row === 0 ? 0 : rows[0]!;
    for (let c = 0; c < 28; c++) {
      let band = 0;
      while (c >= Math.round((28 * (band + 1)) / bands)) band++;
      out[r * 28 + c] = first + band;
    }
  }
  return out;
}

/** Greatest common divisor of two positive integers. */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * All 2ⁿ masked versions of the first `samples` rows of x (row-major, variableOf.length columns): row
 * s·2ⁿ + T keeps column j when bit variableOf[j] of T is set and puts baseline[j] there otherwise.
 */
export function maskedInputs(x: Float32Array, samples: number, variableOf: Int32Array, n: number, baseline: Float32Array): Float32Array {
  const inputs = variableOf.length;
  const subsets = 1 << n;
  const out = new Float32Array(samples * subsets * inputs);
  for (let s = 0; s < samples; s++) {
    for (let t = 0; t < subsets; t++) {
      const row = (s * subsets + t) * inputs;
      for (let j = 0; j < inputs; j++) out[row + j] = t & (1 << variableOf[j]!) ? x[s * inputs + j]! : baseline[j]!;
    }
  }
  return out;
}

/**
 * First index of the minimum of a centred 3-point moving average, the ends padded by repeating the end value
 * (a 2-point window at the first epoch would favour it: 3.74, 3.03, 3.61 must give 1, not 0). Non-finite values
 * are left out of their windows.
 */
export function argminSmoothed(xs: number[]): number {
  let best = -1;
  let bestValue = Infinity;
  for (let t = 0; t < xs.length; t++) {
    const window = [xs[Math.max(0, t - 1)]!, xs[t]!, xs[Math.min(xs.length - 1, t + 1)]!].filter(Number.isFinite);
    if (window.length === 0) continue;
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
    task: 'tabular', patches: 10, dataDir: FASHION_MNIST_DIR, trainSize: 400, testSize: 2000, flip: 0.15, hidden: 256, epochs: 20, lr: 0.01, momentum: 0.9, batchSize: 20,
    samples: 20, splitSteps: 300, tau: 0.05, gapMargin: 0.02, baseline: 'mean', centre: false, subtractEmpty: false, normalize: 'sample',
    probeEvery: 0, probeEpochs: 2, initScale: 1,
  },
  presets: {
    paper: {}, quick: { epochs: 6, samples: 6, splitSteps: 150 },
    // The image version: Fashion-MNIST, n = 10 patches masked to the mean patch, MLP 784-256-256-10, v(x_∅)
    // subtracted, weights at 0.3 × He. Measured (seed 0, wasm, 14 s): mean salient order 3.95 at init (spindle,
    // peak at order 4) → 1.28 after epoch 1 (nearly all mass at order 1) → 1.74, 1.88, 2.61, 2.78 … 3.2–3.65
    // from epoch 9; gap ≈ 0.01 until epoch 2, 0.05 at 3, 0.27 at 15: phase1End 2, gapOnset 3 (seeds 1, 2:
    // 4.30 → 1.22 and 4.49 → 1.29, phase1End 2, gapOnset 2). Zero baseline: 3.83 → 2.82 → 3.5–4.1, the same
    // epochs. At He scale (initScale 1) the gap rises from epoch 1 and the order does not dip (mean baseline:
    // 4.29 → 4.03 → 3.9–4.6); without the subtraction the init is all order 0 (v(x_∅) ≈ −log 9 sets the threshold).
    fashion: { task: 'fashion', trainSize: 2000, testSize: 2000, flip: 0, epochs: 15, samples: 10, lr: 0.02, batchSize: 50, baseline: 'mean', subtractEmpty: true, initScale: 0.3 },
  },
  keys: {
    task: { doc: "'tabular' (the spec's planted task, n = 8 features) or 'fashion' (Fashion-MNIST, n = patches image patches)" },
    patches: { doc: `task = fashion: image patches n, the interaction variables (2…${MAX_PATCHES}: each measured sample costs 2ⁿ masked forward rows)`, integer: true, min: 2 },
    dataDir: { doc: 'task = fashion: folder with the Fashion-MNIST IDX files' },
    trainSize: { doc: 'training samples', integer: true, min: 10 },
    testSize: { doc: 'test samples (for the loss gap)', integer: true, min: 10 },
    flip: { doc: 'fraction of training labels flipped', min: 0 },
    hidden: { doc: 'width of the two hidden ReLU layers', integer: true, min: 1 },
    epochs: { doc: 'training epochs (interactions measured before the first and after each)', integer: true, min: 1 },
    lr: { doc: 'SGD learning rate (smaller: a longer phase 1)', min: 0, positive: true },
    momentum: { doc: 'SGD momentum', min: 0 },
    batchSize: { doc: 'examples per step', integer: true, min: 1 },
    samples: { doc: 'training samples whose interactions are measured', integer: true, min: 1 },
    splitSteps: { doc: 'SGD steps of the AND-OR split per sample', integer: true, min: 0 },
    tau: { doc: 'salient: |I| > tau·max|I| per sample', min: 0 },
    gapMargin: { doc: 'gap onset: the loss gap exceeds its running minimum by this much', min: 0 },
    baseline: { doc: "value of a masked input: 'mean' (its training mean: the mean patch on images) or 'zero'", choices: ['mean', 'zero'] },
    centre: { doc: 'subtract each input\'s training mean from train and test inputs before training (then zero = mean baseline)' },
    subtractEmpty: { doc: 'use v(x_T) − v(x_∅), so that I(∅) ≈ 0 and the class prior at ∅ does not set the salience threshold' },
    normalize: { doc: "'sample' (the spec's): salient relative to each sample's max|I|, A⁺/A⁻ summed raw; 'unit': the same with each sample's I divided by its max|I| (samples weigh alike); 'set': salient relative to the max over all measured samples, summed raw", choices: ['sample', 'unit', 'set'] },
    probeEvery: { doc: 'also measure every this many steps during the first probeEpochs epochs (0: once per epoch only)', integer: true, min: 0 },
    probeEpochs: { doc: 'epochs measured every probeEvery steps', integer: true, min: 0 },
    initScale: { doc: 'weights drawn from N(0, initScale²·2/fan_in) (He: 1; smaller: further from the lazy regime)', min: 0, positive: true },
  },
  validate(config) {
    if (!(config.flip >= 0 && config.flip < 0.5)) throw new ConfigError(`interactions: flip must be in [0, 0.5), got ${config.flip}`);
    if (config.samples > config.trainSize) throw new ConfigError(`interactions: samples (${config.samples}) cannot exceed trainSize (${config.trainSize})`);
    if (config.task !== 'tabular' && config.task !== 'fashion') throw new ConfigError(`interactions: task must be 'tabular' or 'fashion', got '${config.task}'`);
    if (!(config.tau >= 0 && config.tau < 1)) throw new ConfigError(`interactions: tau must be in [0, 1), got ${config.tau}`);
    if (config.patches > MAX_PATCHES) throw new ConfigError(`interactions: patches must be ≤ ${MAX_PATCHES} (2^${config.patches} masked rows per sample is too many), got ${config.patches}`);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    interactions.validate!(config);
    const { backend } = ctx;
    const rng = new Rng(ctx.seed);
    // Inputs, labels, the variable of each input column, and the masked value of each column.
    let tr: { x: Float32Array; y: Int32Array };
    let te: { x: Float32Array; y: Int32Array };
    let inputs: number;
    let classes: number;
    let nVars: number;
    let variableOf: Int32Array;
    if (config.task === 'fashion') {
      if (!ctx.files) throw new ConfigError('interactions: task = fashion needs file access; run it from the CLI or pass ctx.files');
      const fm = await loadImageData('interactions', 'fashion', ctx, config.dataDir, { train: { key: 'trainSize', value: config.trainSize }, test: { key: 'testSize', value: config.testSize } });
      // Label flips (flip) apply to the training labels here too.
      const flips = rng.fork('flip');
      tr = { x: fm.train.images, y: Int32Array.from(fm.train.labels, (c) => (flips.uniform() < config.flip ? (c + 1 + flips.int(9)) % 10 : c)) };
      te = { x: fm.test.images, y: Int32Array.from(fm.test.labels) };
      [inputs, classes, nVars, variableOf] = [784, 10, config.patches, patchOfPixel(config.patches)];
    } else {
      tr = plantedTask(rng.fork('train'), config.trainSize, config.flip);
      te = plantedTask(rng.fork('test'), config.testSize, 0);
      [inputs, classes, nVars, variableOf] = [N_VARS, 2, N_VARS, Int32Array.from({ length: N_VARS }, (_, j) => j)];
    }
    const trainCount = tr.y.length;
    // Training mean of each input column (the mean patch on images).
    const mean = new Float64Array(inputs);
    for (let i = 0; i < trainCount; i++) for (let j = 0; j < inputs; j++) mean[j]! += tr.x[i * inputs + j]! / trainCount;
    if (config.centre) {
      tr = { x: tr.x.map((v, i) => v - mean[i % inputs]!), y: tr.y };
      te = { x: te.x.map((v, i) => v - mean[i % inputs]!), y: te.y };
      mean.fill(0);
    }
    // Value of a masked input (after centring, the mean is 0).
    const baseline = config.baseline === 'mean' ? Float32Array.from(mean) : new Float32Array(inputs);
    const testCount = te.y.length;
    if (config.samples > trainCount) throw new ConfigError(`interactions: samples (${config.samples}) cannot exceed the ${trainCount} training samples`);
    const subsets = 1 << nVars;
    const masked = maskedInputs(tr.x, config.samples, variableOf, nVars, baseline);
    const x = backend.upload(tr.x, trainCount, inputs);
    const labels = backend.upload(Float32Array.from(tr.y), trainCount, 1);
    const testX = backend.upload(te.x, testCount, inputs);
    const maskedX = backend.upload(masked, config.samples * subsets, inputs);
    const batch = Math.min(config.batchSize, trainCount);
    const stepsPerEpoch = Math.max(1, Math.floor(trainCount / batch));
    const totalSteps = stepsPerEpoch * config.epochs;
    // What the probes measure, kept in the checkpoints (the final salient sets as 'and|or:sample:S' keys per order).
    // noiseFraction: the largest max_T |q_T| / |v(x_N) − v(x_∅)| of the AND-OR splits (absent in older checkpoints).
    type Measured = { series: Record<string, number[]>; orders: OrderDistribution[]; matchingError: number; noiseFraction?: number; finalSets: string[][] };
    let measured: Measured = { series: { epoch: [], meanOrder: [], trainLoss: [], testLoss: [], gap: [], salientCount: [] }, orders: [], matchingError: 0, noiseFraction: 0, finalSets: [] };
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    const t0 = performance.now();

    /**
     * Trains one model (init and minibatch order from the given forks) and measures its interactions every
     * `every` steps, as checkpoint stage `tag`; returns the measurements so far, with, per order, the salient
     * interactions of the final model.
     */
    const runOnce = (tag: string, every: number, record: boolean): Promise<Measured> => checkpoints.stage(tag, async (stage) => {
      // Extra measurements every `early` steps during the first probeEpochs epochs (recorded run only).
      const early = record ? config.probeEvery : 0;
      const m: Measured = (stage.restored as Measured | undefined) ?? { ...measured, finalSets: Array.from({ length: nVars + 1 }, () => []) };
      stage.keep(() => m);
      const { series, orders } = m;
      const model = new Mlp(backend, [inputs, config.hidden, config.hidden, classes], rng.fork(`init${tag === 'first' ? '' : '/second'}`), config.initScale);
      try {
        await train(backend, model, { x, labels, count: trainCount }, {
          steps: totalSteps, lr: config.lr, batchSize: batch, schedule: { kind: 'constant' },
          optimizer: { kind: 'sgd', momentum: config.momentum },
        }, rng.fork(`order${tag === 'first' ? '' : '/second'}`), {
          probes: [{
            every: early > 0 ? gcd(early, every) : every,
            run: async ({ step }) => {
              const due = step % every === 0 || step === totalSteps || (step % early === 0 && step <= config.probeEpochs * stepsPerEpoch);
              if (!due) return;
              const logits = await logitsOf(backend, model, maskedX);
              const dist: OrderDistribution = { positive: new Float64Array(nVars + 1), negative: new Float64Array(nVars + 1), counts: new Int32Array(nVars + 1) };
              const splits = [];
              for (let smp = 0; smp < config.samples; smp++) {
                const y = tr.y[smp]!;
                const v = new Float64Array(subsets);
                for (let t = 0; t < subsets; t++) v[t] = logOdds(logits, smp * subsets + t, classes, y);
                if (config.subtractEmpty) for (let t = subsets - 1; t >= 0; t--) v[t]! -= v[0]!;
                const split = andOrSplit(v, nVars, { steps: config.splitSteps });
                // The O(4ⁿ) check on the first sample of each measurement (n = 10: 10⁶ terms).
                // Matching is exact for v + q (harsanyi.ts): q, the split's bounded noise, is the distance to v itself.
                if (smp === 0) m.matchingError = Math.max(m.matchingError, matchingResidual(v.map((val, t) => val + split.q[t]!), split.and, split.or, nVars));
                const span = Math.abs(v[subsets - 1]! - v[0]!);
                if (m.noiseFraction !== undefined && span > 0) m.noiseFraction = Math.max(m.noiseFraction, Math.max(...Array.from(split.q, Math.abs)) / span);
                splits.push({ ...split, maxAbs: Math.max(...Array.from(split.and, Math.abs), ...Array.from(split.or, Math.abs)) });
              }
              const setMax = Math.max(...splits.map((sp) => sp.maxAbs));
              for (const [smp, split] of splits.entries()) {
                // Salient relative to the sample's (or the set's) largest AND or OR interaction.
                const maxAbs = config.normalize === 'set' ? setMax : split.maxAbs;
                const unit = config.normalize === 'unit' && split.maxAbs > 0 ? 1 / split.maxAbs : 1;
                const [and, or] = unit === 1 ? [split.and, split.or] : [split.and.map((val) => val * unit), split.or.map((val) => val * unit)];
                salientOrders(and, nVars, config.tau, dist, maxAbs * unit);
                salientOrders(or, nVars, config.tau, dist, maxAbs * unit);
                if (step === totalSteps) {
                  for (const [kind, table] of [['and', split.and], ['or', split.or]] as const) {
                    table.forEach((val, sMask) => { if (Math.abs(val) > config.tau * maxAbs) m.finalSets[popcount(sMask)]!.push(`${kind}:${smp}:${sMask}`); });
                  }
                }
              }
              if (!record) return;
              orders.push(dist);
              const trainLoss = crossEntropy(await logitsOf(backend, model, x), tr.y, classes);
              const testLoss = crossEntropy(await logitsOf(backend, model, testX), te.y, classes);
              const epoch = step / stepsPerEpoch;
              series.epoch!.push(epoch);
              series.meanOrder!.push(meanSalientOrder(dist));
              series.trainLoss!.push(trainLoss);
              series.testLoss!.push(testLoss);
              series.gap!.push(testLoss - trainLoss);
              series.salientCount!.push(dist.counts.reduce((c, d) => c + d, 0));
              emitLatest(ctx, series, 'epoch');
              ctx.log?.(`epoch ${epoch}: mean salient order ${series.meanOrder!.at(-1)!.toFixed(3)}, train loss ${trainLoss.toFixed(4)}, test loss ${testLoss.toFixed(4)}, gap ${(testLoss - trainLoss).toFixed(4)}`);
            },
          }],
          onStep: (step) => ctx.progress?.({ step, total: totalSteps, phase: record ? `MLP on the ${config.task} task` : 'second seed (interaction overlap)' }),
          shouldStop: ctx.shouldStop,
          checkpoint: stage.train,
        });
      } finally {
        model.params.free();
      }
      return m;
    }, ctx.shouldStop);
    let overlap: (number | null)[] = [];
    try {
      measured = await runOnce('first', stepsPerEpoch, true);
      const first = measured.finalSets.map((keys) => new Set(keys));
      // Generalisation of interactions: the same samples, a model from another init and order.
      if (!ctx.shouldStop?.()) {
        const run2 = await runOnce('second', totalSteps, false);
        measured.matchingError = run2.matchingError;
        measured.noiseFraction = run2.noiseFraction;
        overlap = first.map((setA, k) => {
          const setB = new Set(run2.finalSets[k]!);
          let both = 0;
          for (const key of setA) if (setB.has(key)) both++;
          const union = setA.size + setB.size - both;
          return union > 0 ? both / union : null;   // neither seed has a salient interaction of order k
        });
      }
    } finally {
      backend.free(x, labels, testX, maskedX);
    }
    const { series, orders, matchingError, noiseFraction } = measured;
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
    for (let k = 0; k <= nVars; k++) {
      series[`positiveOrder${k}`] = orders.map((d) => d.positive[k]! / Math.max(1e-300, ...Array.from(d.positive), ...Array.from(d.negative, Math.abs)));
      series[`negativeOrder${k}`] = orders.map((d) => d.negative[k]! / Math.max(1e-300, ...Array.from(d.positive), ...Array.from(d.negative, Math.abs)));
      series[`salientCountOrder${k}`] = orders.map((d) => d.counts[k]!);
    }
    return {
      summary: {
        n: nVars, meanOrder: series.meanOrder!, phase1End: series.epoch![phase1End] ?? null, gapOnset: gapOnset >= 0 ? series.epoch![gapOnset]! : null,
        universalMatchingMaxError: matchingError,
        // How far v + q, which the interactions match exactly, is from v: at most the spec's 0.04 (null: an older checkpoint).
        matchingNoiseFraction: noiseFraction ?? null,
        // Jaccard overlap, per order k = 0 … n, of the final salient interactions of two seeds (null: neither has one).
        crossSeedOverlap: overlap,
      },
      series,
      timings: { seconds: (performance.now() - t0) / 1000 },
      warnings: gapOnset < 0 ? [`the loss gap never rose ${config.gapMargin} above its running minimum`] : [],
    };
  },
};
