/**
 * Memorization of spurious features by random-feature and NTK regression (spec spurious-memorization.md),
 * on the spec's synthetic data: for each activation, spurious fraction α and training size N of the sweep,
 * fit min-norm (or ridge) regression on the kernel, then measure test and spurious accuracy,
 * Cov(f(zˢ), g), the mean alignment F, the predicted Cov mean F(g − f_loo)g, and the theory's γ.
 * Kernels are formed on the host in f64 (the GPU kernel-matrix builds are future work). The Fashion-MNIST
 * variant of the spec is not part of this experiment yet.
 */
import { spuriousQueries, sampleSpurious, spuriousTask } from '../data/spurious.js';
import { ConfigError } from '../errors.js';
import { gaussianWeights, ntkFeatureKernel, randomFeatureKernel } from '../kernel/features.js';
import { ACTIVATIONS, type ActivationName } from '../kernel/hermite.js';
import { kernelRegression } from '../kernel/regression.js';
import {
  featureAlignment, gammaRegime, gammaTheory, leaveOneOutErrors, meanAlignment, memorizationCov, predictedMemorization,
  spuriousAccuracy, testAccuracy,
} from '../metrics/memorization.js';
import { Rng } from '../rng.js';
import type { Experiment, ExperimentContext, ExperimentResult } from './types.js';

/** Config of the memorization experiment. */
export type MemorizationConfig = {
  features: string;
  activations: string;
  alphas: string;
  ns: string;
  d: number;
  k: number;
  ridge: number;
  testSize: number;
};

/** A comma-separated list of numbers, each checked. */
function numbers(key: string, text: string, ok: (v: number) => boolean, what: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !ok(v))) throw new ConfigError(`memorization: ${key} must be a comma-separated list of ${what}, got '${text}'`);
  return values;
}

/** A comma-separated list of names from `allowed`. */
function names<T extends string>(key: string, text: string, allowed: readonly T[]): T[] {
  const values = text.split(',').map((s) => s.trim());
  for (const v of values) if (!allowed.includes(v as T)) throw new ConfigError(`memorization: ${key} must list values from ${allowed.join(', ')}, got '${v}'`);
  return values as T[];
}

/** One setting of the sweep: fit and measure. */
function measure(ctx: ExperimentContext, features: 'rf' | 'ntk', activation: ActivationName, alpha: number, n: number, cfg: MemorizationConfig) {
  const rng = new Rng(ctx.seed).fork(`${features}/${activation}/${alpha}/${n}`);
  const task = spuriousTask(rng.fork('task'), { d: cfg.d, alpha });
  const train = sampleSpurious(task, rng.fork('train'), n);
  const test = sampleSpurious(task, rng.fork('test'), cfg.testSize);
  const queries = spuriousQueries(task, train, rng.fork('queries'));
  const w = gaussianWeights(rng.fork('weights'), cfg.k, cfg.d);
  const act = ACTIVATIONS[activation];
  const kernel = (a: Float64Array, b: Float64Array) => (features === 'rf'
    ? randomFeatureKernel(a, b, w, cfg.d, act.act)
    : ntkFeatureKernel(a, b, w, cfg.d, act.derivative));
  const kTrain = kernel(train.z, train.z);
  const fit = kernelRegression(kTrain, train.g, { ridge: cfg.ridge });
  const kSpurious = kernel(queries, train.z);
  const fSpurious = fit.predict(kSpurious);
  const fTest = fit.predict(kernel(test.z, train.z));
  const alignment = featureAlignment(fit, kTrain, kSpurious);
  return {
    features, activation, alpha: task.alpha, n, d: cfg.d, k: cfg.k,
    testAccuracy: testAccuracy(fTest, test.g),
    spuriousAccuracy: spuriousAccuracy(fSpurious, train.g),
    cov: memorizationCov(fSpurious, train.g),
    predictedCov: predictedMemorization(alignment, leaveOneOutErrors(fit, train.g), train.g),
    meanAlignment: meanAlignment(alignment),
    gammaTheory: gammaTheory(activation, task.alpha, { features, regime: gammaRegime(n, cfg.d) }),
    jitter: fit.jitter,
  };
}

/** The memorization experiment. */
export const memorization: Experiment<MemorizationConfig> = {
  name: 'memorization',
  description: 'spurious-feature memorization by random-feature / NTK regression on synthetic data: sweep N, α and the activation',
  defaults: { features: 'rf,ntk', activations: 'phi2,phi4', alphas: '0.5,0.25', ns: '100,200,400,800', d: 100, k: 2000, ridge: 0, testSize: 500 },
  presets: { paper: {}, quick: { features: 'rf', ns: '100,400', d: 50, k: 1000, testSize: 200 } },
  keys: {
    features: { doc: "comma-separated: 'rf' (random features φ(Vz)) and/or 'ntk' (z ⊗ φ′(Wz))" },
    activations: { doc: 'comma-separated activations: phi2, phi4, relu, tanh' },
    alphas: { doc: 'comma-separated spurious fractions α = d_y / d in (0, 1)' },
    ns: { doc: 'comma-separated training sizes N' },
    d: { doc: 'input dimension', integer: true, min: 2 },
    k: { doc: 'random features / hidden width', integer: true, min: 1 },
    ridge: { doc: 'ridge relative to trace(K)/N (0 = min-norm interpolation)', min: 0 },
    testSize: { doc: 'test points for the test accuracy', integer: true, min: 1 },
  },
  async run(config, ctx): Promise<ExperimentResult> {
    const featureKinds = names('features', config.features, ['rf', 'ntk'] as const);
    const activations = names('activations', config.activations, Object.keys(ACTIVATIONS) as ActivationName[]);
    const alphas = numbers('alphas', config.alphas, (v) => v > 0 && v < 1, 'numbers in (0, 1)');
    const ns = numbers('ns', config.ns, (v) => Number.isInteger(v) && v >= 2, 'integers ≥ 2');
    const total = featureKinds.length * activations.length * alphas.length * ns.length;
    const rows: ReturnType<typeof measure>[] = [];
    const t0 = performance.now();
    const warnings: string[] = [];
    for (const features of featureKinds) {
      for (const activation of activations) {
        for (const alpha of alphas) {
          for (const n of ns) {
            if (ctx.shouldStop?.()) break;
            ctx.progress?.({ step: rows.length, total, phase: `${features} ${activation} α = ${alpha} N = ${n}` });
            const row = measure(ctx, features, activation, alpha, n, config);
            if (row.jitter > 0) warnings.push(`${features} ${activation} α = ${alpha} N = ${n}: the kernel needed a diagonal jitter of ${row.jitter.toExponential(2)}`);
            rows.push(row);
            ctx.log?.(`${features.padEnd(4)} ${activation.padEnd(5)} α=${row.alpha.toFixed(2)} N=${String(n).padStart(5)}  test ${row.testAccuracy.toFixed(3)}  spurious ${row.spuriousAccuracy.toFixed(3)}  Cov ${row.cov.toFixed(4)}  predicted ${row.predictedCov.toFixed(4)}  mean F ${row.meanAlignment.toFixed(3)}  γ ${row.gammaTheory.toFixed(3)}`);
          }
        }
      }
    }
    ctx.progress?.({ step: rows.length, total, phase: 'done' });
    if (rows.length < total) warnings.push(`stopped after ${rows.length} of ${total} settings`);
    return {
      summary: { rows: rows.map(({ jitter: _j, ...r }) => r) },
      series: {},
      timings: { seconds: (performance.now() - t0) / 1000 },
      warnings,
    };
  },
};
