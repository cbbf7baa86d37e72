/**
 * Memorization of spurious features by random-feature and NTK regression (spec spurious-memorization.md),
 * on the spec's synthetic data (`data: 'synthetic'`) or on two Fashion-MNIST classes with a noise border
 * (`data: 'fashion'`, src/data/spuriousImages.ts; α is then the border's share of the pixels and the
 * `alphas` and `d` keys do not apply): for each activation, spurious fraction α and training size N of the sweep,
 * fit min-norm (or ridge) regression on the kernel, then measure test and spurious accuracy,
 * Cov(f(zˢ), g), the mean alignment F, the predicted Cov mean F(g − f_loo)g, and the theory's γ.
 * Kernel matrices are built on the active backend (src/kernel/backendKernels.ts: matmuls and element-wise
 * activations, in f32); the regression, leave-one-out terms and alignments are solved on the host in f64
 * (Cholesky through the f64 WASM path, src/kernel/regression.ts), as the spec's pitfalls advise.
 * Each finished row is a checkpoint stage: a resumed run continues after the last finished row. The summary's
 * `solver` says how the kernel rows were solved (the spec's pitfalls: "say which was used").
 *
 * Neural-network variant (`network: true`; spec: "FC 500-200 ReLU trained with Adam (lr 1e-3)"; details and
 * the choices where the spec is silent — the squared-error loss on the ±1 labels (ours), full batch, the
 * stopping rule — in memorizationNetwork.ts): after the kernel rows, for each α and N of the sweep, an MLP
 * d → netHidden → 1 is trained and measured, one checkpoint stage per (α, N), resumed inside its training.
 * It sees exactly the training points, spurious queries and test points of the sweep's first kernel setting
 * (first features, first activation) at that α and N — the kernel rows of other settings draw their own data,
 * as they always did (`dataOf` in each network row names the setting). Its initial weights come from
 * Rng(seed).fork('network/α/N').fork('init'). The rows go to `summary.network` (absent when network = false).
 */
import { FASHION_MNIST_DIR, type FashionMnist, loadFashionMnist } from '../data/fashionMnist.js';
import { spuriousQueries, sampleSpurious, spuriousTask } from '../data/spurious.js';
import { borderedPair } from '../data/spuriousImages.js';
import { RunCheckpoints } from '../checkpoint/stages.js';
import { ConfigError } from '../errors.js';
import { ntkFeatureKernelOn, randomFeatureKernelOn } from '../kernel/backendKernels.js';
import { gaussianWeights } from '../kernel/features.js';
import { ACTIVATIONS, type ActivationName } from '../kernel/hermite.js';
import { kernelRegression } from '../kernel/regression.js';
import {
  featureAlignment, gammaRegime, gammaTheory, leaveOneOutErrors, meanAlignment, memorizationCov, memorizationCovStdError, predictedMemorization,
  spuriousAccuracy, testAccuracy,
} from '../metrics/memorization.js';
import { Rng } from '../rng.js';
import { DECIMAL_HINT, parseDecimal } from './config.js';
import { trainNetwork, type NetworkSettings } from './memorizationNetwork.js';
import { hostYielder } from '../nn/hostYield.js';
import type { Backend } from '../backend/types.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the memorization experiment. */
export type MemorizationConfig = {
  data: string;
  classes: string;
  border: number;
  dataDir: string;
  features: string;
  activations: string;
  alphas: string;
  ns: string;
  d: number;
  k: number;
  ridge: number;
  testSize: number;
  network: boolean;
  netHidden: string;
  netLr: number;
  netMaxSteps: number;
  netLossTol: number;
  netCheckEvery: number;
};

/** A comma-separated list of plain decimal numbers, each checked. */
function numbers(key: string, text: string, ok: (v: number) => boolean, what: string): number[] {
  const values = text.split(',').map((s) => parseDecimal(s.trim()));
  if (values.some((v) => v === undefined || !ok(v))) throw new ConfigError(`memorization: ${key} must be a comma-separated list of ${what} (each ${DECIMAL_HINT}), got '${text}'`);
  return values as number[];
}

/** A comma-separated list of names from `allowed`. */
function names<T extends string>(key: string, text: string, allowed: readonly T[]): T[] {
  const values = text.split(',').map((s) => s.trim());
  for (const v of values) if (!allowed.includes(v as T)) throw new ConfigError(`memorization: ${key} must list values from ${allowed.join(', ')}, got '${v}'`);
  return values as T[];
}

/** Training inputs, labels and spurious queries, and a test set, of one setting. */
interface MemorizationData {
  d: number;
  alpha: number;
  train: { z: Float64Array; g: Float64Array };
  queries: Float64Array;
  test: { z: Float64Array; g: Float64Array };
}

/** The synthetic task of the spec, or Fashion-MNIST with a noise border when `images` is given. */
function makeData(rng: Rng, alpha: number, n: number, cfg: MemorizationConfig, images: FashionMnist | null): MemorizationData {
  if (images) {
    const classes = pairOfClasses(cfg.classes);
    const train = borderedPair(images.train, classes, n, cfg.border, rng.fork('train'));
    const test = borderedPair(images.test, classes, cfg.testSize, cfg.border, rng.fork('test'));
    return { d: train.d, alpha: train.alpha, train, queries: train.queries, test };
  }
  const task = spuriousTask(rng.fork('task'), { d: cfg.d, alpha });
  const train = sampleSpurious(task, rng.fork('train'), n);
  const test = sampleSpurious(task, rng.fork('test'), cfg.testSize);
  return { d: cfg.d, alpha: task.alpha, train, queries: spuriousQueries(task, train, rng.fork('queries')), test };
}

/** The `netHidden` key: the hidden widths, positive integers. */
function hiddenWidths(text: string): number[] {
  return numbers('netHidden', text, (v) => Number.isInteger(v) && v >= 1, 'positive integers (hidden widths, input side first, e.g. 500,200)');
}

/** The network keys as settings (validated). */
function networkSettings(cfg: MemorizationConfig): NetworkSettings {
  if (!(cfg.netLr > 0) || !Number.isFinite(cfg.netLr)) throw new ConfigError(`memorization: netLr must be a positive number (the spec's Adam rate is 0.001), got ${cfg.netLr}`);
  if (!(cfg.netLossTol > 0) || !Number.isFinite(cfg.netLossTol)) throw new ConfigError(`memorization: netLossTol must be a positive number (e.g. 0.001), got ${cfg.netLossTol}`);
  for (const key of ['netMaxSteps', 'netCheckEvery'] as const) {
    if (!Number.isInteger(cfg[key]) || cfg[key] < 1) throw new ConfigError(`memorization: ${key} must be a positive integer, got ${cfg[key]}`);
  }
  return { hidden: hiddenWidths(cfg.netHidden), lr: cfg.netLr, maxSteps: cfg.netMaxSteps, lossTol: cfg.netLossTol, checkEvery: cfg.netCheckEvery };
}

/**
 * What the kernel rows' solver did (spec, Pitfalls: "say which was used"): where and in which precision the
 * kernel matrices were built, how K + λI was factorised, and the jitter the factorisations needed.
 */
function solverDescription(backend: Backend, ridge: number, jitters: number[]): string {
  const precision = backend.name === 'ref' ? 'in f64 arithmetic, rounded to f32 on read-back' : 'in f32';
  const regulariser = ridge > 0 ? `ridge λ = ${ridge}·trace(K)/N` : 'λ = 0, min-norm interpolation';
  const needed = jitters.filter((j) => j > 0);
  const jitter = needed.length === 0
    ? 'none was needed'
    : `needed in ${needed.length} of ${jitters.length} rows, at most ${Math.max(...needed).toExponential(2)}`;
  return `kernel matrices built on ${backend.description} ${precision}, taken to f64 on the host; `
    + `K + λI (${regulariser}) solved by Cholesky in f64 on the host (the f64 WASM linear-algebra module) for the fit, `
    + `leave-one-out terms and alignments; diagonal jitter 1e-12·10^j·trace(K)/N (j = 0 … 10) only where the factorisation fails: ${jitter}`;
}

/** The `classes` key: two distinct Fashion-MNIST class indices. */
function pairOfClasses(text: string): [number, number] {
  const v = numbers('classes', text, (c) => Number.isInteger(c) && c >= 0 && c <= 9, 'two class indices in 0 … 9');
  if (v.length !== 2 || v[0] === v[1]) throw new ConfigError(`memorization: classes must name two different classes (e.g. '0,1' for T-shirt/top vs trouser), got '${text}'`);
  return [v[0]!, v[1]!];
}

/** The generator of one kernel setting: its data (makeData) and its weights; the network at (α, N) reuses the first setting's. */
function settingRng(seed: number, features: string, activation: string, alpha: number, n: number): Rng {
  return new Rng(seed).fork(`${features}/${activation}/${alpha}/${n}`);
}

/** One setting of the sweep: fit and measure. */
async function measure(ctx: ExperimentContext, features: 'rf' | 'ntk', activation: ActivationName, alpha: number, n: number, cfg: MemorizationConfig, images: FashionMnist | null) {
  const rng = settingRng(ctx.seed, features, activation, alpha, n);
  const { d, alpha: realised, train, queries, test } = makeData(rng, alpha, n, cfg, images);
  const w = gaussianWeights(rng.fork('weights'), cfg.k, d);
  const kernel = (a: Float64Array, b: Float64Array | null) => (features === 'rf'
    ? randomFeatureKernelOn(ctx.backend, a, b, w, d, activation)
    : ntkFeatureKernelOn(ctx.backend, a, b, w, d, activation));
  const kTrain = await kernel(train.z, null);
  const fit = kernelRegression(kTrain, train.g, { ridge: cfg.ridge });
  const kSpurious = await kernel(queries, train.z);
  const fSpurious = fit.predict(kSpurious);
  const fTest = fit.predict(await kernel(test.z, train.z));
  const alignment = featureAlignment(fit, kSpurious);
  return {
    features, activation, alpha: realised, n, d, k: cfg.k,
    testAccuracy: testAccuracy(fTest, test.g),
    spuriousAccuracy: spuriousAccuracy(fSpurious, train.g),
    cov: memorizationCov(fSpurious, train.g),
    covStdError: memorizationCovStdError(fSpurious, train.g),
    predictedCov: predictedMemorization(alignment, leaveOneOutErrors(fit, train.g), train.g),
    meanAlignment: meanAlignment(alignment),
    gammaTheory: gammaTheory(activation, realised, { features, regime: gammaRegime(n, d) }),
    jitter: fit.jitter,
  };
}

/** The memorization experiment. */
export const memorization: Experiment<MemorizationConfig> = {
  name: 'memorization',
  description: 'spurious-feature memorization by random-feature / NTK regression on synthetic data (or two Fashion-MNIST classes): sweep N, α and the activation',
  defaults: {
    data: 'synthetic', classes: '0,1', border: 10, dataDir: FASHION_MNIST_DIR, features: 'rf,ntk', activations: 'phi2,phi4', alphas: '0.5,0.25', ns: '100,200,400,800', d: 100, k: 2000, ridge: 0, testSize: 500,
    network: false, netHidden: '500,200', netLr: 0.001, netMaxSteps: 2000, netLossTol: 0.001, netCheckEvery: 10,
  },
  presets: {
    // The spec's reproduction setting (d = 200, k = 12000): the qualitative claims and Cov vs predicted.
    // With the network variant: 6 MLPs 200-500-200-1 (interpolated in 70–80 Adam steps each) add about 12 s to
    // about 90 s of kernel rows (WASM, 2 shared cores).
    paper: { ns: '100,400,1600', d: 200, k: 12000, testSize: 1000, network: true },
    // The spec's check of the γ limit: d = 400, N = 6400, φ2, α = ½ (about 5 minutes on two CPU threads).
    gamma: { features: 'rf', activations: 'phi2', alphas: '0.5', ns: '100,6400', d: 400, k: 16000, testSize: 1000 },
    // Fashion-MNIST T-shirt/top vs trouser with a 10-pixel noise border (needs the dataset).
    fashion: { data: 'fashion', features: 'rf,ntk', ns: '100,400,1600', k: 12000, testSize: 1000 },
    quick: { features: 'rf', ns: '100,400', d: 50, k: 1000, testSize: 200 },
  },
  keys: {
    data: { doc: "'synthetic' (the spec's Gaussian task) or 'fashion' (two Fashion-MNIST classes with a noise border)" },
    classes: { doc: "data = fashion: the two classes, e.g. '0,1' (T-shirt/top vs trouser) or '2,4' (pullover vs coat)" },
    border: { doc: 'data = fashion: noise border width in pixels (10 → 48×48 images, α = 0.66)', integer: true, min: 1 },
    dataDir: { doc: 'data = fashion: folder with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)' },
    features: { doc: "comma-separated: 'rf' (random features φ(Vz)) and/or 'ntk' (z ⊗ φ′(Wz))" },
    activations: { doc: 'comma-separated activations: phi2, phi4, relu, tanh' },
    alphas: { doc: 'comma-separated spurious fractions α = d_y / d in (0, 1)' },
    ns: { doc: 'comma-separated training sizes N' },
    d: { doc: 'input dimension', integer: true, min: 2 },
    k: { doc: 'random features / hidden width', integer: true, min: 1 },
    ridge: { doc: 'ridge relative to trace(K)/N (0 = min-norm interpolation)', min: 0 },
    testSize: { doc: 'test points for the test accuracy', integer: true, min: 1 },
    network: { doc: "also train the spec's network variant per α and N (an MLP d → netHidden → 1, ReLU, Adam, squared error on the ±1 labels) on the first kernel setting's data: test / spurious accuracy, Cov, steps (summary.network)" },
    netHidden: { doc: 'network = true: comma-separated hidden widths (the spec: 500,200)' },
    netLr: { doc: "network = true: Adam's learning rate (> 0; the spec: 0.001)", min: 0, positive: true },
    netMaxSteps: { doc: 'network = true: full-batch Adam steps at most, if the network does not interpolate before', integer: true, min: 1 },
    netLossTol: { doc: 'network = true: stop once every training sign is right and the training mean squared error is below this', min: 0, positive: true },
    netCheckEvery: { doc: 'network = true: steps between checks of that stopping rule', integer: true, min: 1 },
  },
  validate(config) {
    names('features', config.features, ['rf', 'ntk'] as const);
    names('activations', config.activations, Object.keys(ACTIVATIONS) as ActivationName[]);
    numbers('alphas', config.alphas, (v) => v > 0 && v < 1, 'numbers in (0, 1)');
    numbers('ns', config.ns, (v) => Number.isInteger(v) && v >= 2, 'integers ≥ 2');
    if (config.data !== 'synthetic' && config.data !== 'fashion') throw new ConfigError(`memorization: data must be 'synthetic' or 'fashion', got '${config.data}'`);
    if (config.data === 'fashion') pairOfClasses(config.classes);
    if (config.network) networkSettings(config);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    memorization.validate!(config);
    const featureKinds = names('features', config.features, ['rf', 'ntk'] as const);
    const activations = names('activations', config.activations, Object.keys(ACTIVATIONS) as ActivationName[]);
    const alphas = numbers('alphas', config.alphas, (v) => v > 0 && v < 1, 'numbers in (0, 1)');
    const ns = numbers('ns', config.ns, (v) => Number.isInteger(v) && v >= 2, 'integers ≥ 2');
    let images: FashionMnist | null = null;
    if (config.data === 'fashion') {
      if (!ctx.files) throw new ConfigError('memorization: data = fashion needs file access; run it from the CLI or pass ctx.files');
      ctx.log?.(`loading Fashion-MNIST from ${config.dataDir}; α is the border's share (the alphas and d keys do not apply)`);
      images = await loadFashionMnist(ctx.files, config.dataDir, { pause: hostYielder() });
    }
    // With images, α is fixed by the border: one pass over a single placeholder α.
    const alphaList = images ? [0] : alphas;
    const net = config.network ? networkSettings(config) : null;
    const kernelTotal = featureKinds.length * activations.length * alphaList.length * ns.length;
    const total = kernelTotal + (net ? alphaList.length * ns.length : 0);
    const rows: Awaited<ReturnType<typeof measure>>[] = [];
    const t0 = performance.now();
    const warnings: string[] = [];
    const jitters: number[] = [];
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    for (const features of featureKinds) {
      for (const activation of activations) {
        for (const alpha of alphaList) {
          for (const n of ns) {
            if (ctx.shouldStop?.()) break;
            ctx.progress?.({ step: rows.length, total, phase: `${features} ${activation} ${images ? `${config.classes} bordered` : `α = ${alpha}`} N = ${n}` });
            // A row has no inner loop to resume: it is computed whole or taken whole from the checkpoint.
            const row = await checkpoints.stage(`${features} ${activation} α=${alpha} N=${n}`, () => measure(ctx, features, activation, alpha, n, config, images));
            if (row.jitter > 0) warnings.push(`${features} ${activation} α = ${row.alpha.toFixed(3)} N = ${n}: the kernel needed a diagonal jitter of ${row.jitter.toExponential(2)}`);
            rows.push(row);
            jitters.push(row.jitter);
            ctx.log?.(`${features.padEnd(4)} ${activation.padEnd(5)} α=${row.alpha.toFixed(2)} N=${String(n).padStart(5)}  test ${row.testAccuracy.toFixed(3)}  spurious ${row.spuriousAccuracy.toFixed(3)}  Cov ${row.cov.toFixed(4)} ± ${row.covStdError.toFixed(4)}  predicted ${row.predictedCov.toFixed(4)}  mean F ${row.meanAlignment.toFixed(3)}  γ ${row.gammaTheory.toFixed(3)}`);
          }
        }
      }
    }
    const network: Record<string, number | string | boolean>[] = [];
    const kernelSeconds = (performance.now() - t0) / 1000;
    if (net) {
      const dataOf = `${featureKinds[0]!} ${activations[0]!}`;
      for (const alpha of alphaList) {
        for (const n of ns) {
          if (ctx.shouldStop?.()) break;
          const where = `${images ? `${config.classes} bordered` : `α = ${alpha}`} N = ${n}`;
          const phase = `network ${config.netHidden} ${where}`;
          ctx.progress?.({ step: rows.length + network.length, total, phase });
          // The same points as the first kernel setting's row at (α, N): its generator, its makeData.
          const data = makeData(settingRng(ctx.seed, featureKinds[0]!, activations[0]!, alpha, n), alpha, n, config, images);
          const label = `network α=${alpha} N=${n}`;
          const measured = await checkpoints.stage(label, (stage) => trainNetwork(ctx, data, net, new Rng(ctx.seed).fork(`network/${alpha}/${n}`), stage, phase), ctx.shouldStop);
          if (ctx.shouldStop?.() && !measured.interpolated && measured.steps < net.maxSteps) break; // stopped inside: not a finished row
          const row = { alpha: data.alpha, n, d: data.d, hidden: config.netHidden, dataOf, ...measured };
          if (!row.interpolated) warnings.push(`network ${where}: not interpolated after ${row.steps} steps (training accuracy ${row.trainAccuracy.toFixed(3)}, loss ${row.trainLoss.toExponential(2)}); raise netMaxSteps or netLr`);
          network.push(row);
          ctx.log?.(`net  ${config.netHidden.padEnd(9)} α=${row.alpha.toFixed(2)} N=${String(n).padStart(5)}  test ${row.testAccuracy.toFixed(3)}  spurious ${row.spuriousAccuracy.toFixed(3)}  Cov ${row.cov.toFixed(4)} ± ${row.covStdError.toFixed(4)}  train acc ${row.trainAccuracy.toFixed(3)}  loss ${row.trainLoss.toExponential(2)}  steps ${row.steps}${row.interpolated ? '' : ' (not interpolated)'}`);
        }
      }
    }
    const done = rows.length + network.length;
    ctx.progress?.({ step: done, total, phase: 'done' });
    if (done < total) warnings.push(`stopped after ${done} of ${total} settings`);
    const solver = solverDescription(ctx.backend, config.ridge, jitters);
    ctx.log?.(`solver: ${solver}`);
    return {
      summary: { rows: rows.map(({ jitter: _j, ...r }) => r), solver, ...(net ? { network } : {}) },
      series: {},
      timings: { seconds: (performance.now() - t0) / 1000, ...(net ? { kernelSeconds, networkSeconds: (performance.now() - t0) / 1000 - kernelSeconds } : {}) },
      warnings,
    };
  },
};
