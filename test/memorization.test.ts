/**
 * Memorization of spurious features (specs/spurious-memorization.md): the synthetic data with a core and a
 * spurious part (src/data/spurious.ts) and the measures of src/metrics/memorization.ts — accuracies,
 * Cov(f(zˢ), g), feature alignment F_i, leave-one-out stability, the predicted mean F(g − f_loo)g and the
 * theory's γ — on hand-computed cases, the decomposition identity against explicit refits, and one small
 * end-to-end check of the spec's qualitative claims (d = 50, k = 1000 random features, N = 100 vs 400).
 * The experiment's network variant (network = true): the MLP interpolates its training points, memorizes at
 * N = 10, is bit-identical on WASM for a seed; bad network keys are ConfigErrors; the result names its solver.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ConfigError, ShapeError } from '../src/errors.js';
import { buildConfig } from '../src/experiments/config.js';
import { findExperiment } from '../src/experiments/index.js';
import type { ConfigValue, ExperimentResult } from '../src/experiments/types.js';
import { testBackends } from './support/backends.js';
import { Rng } from '../src/rng.js';
import { sampleSpurious, spuriousQueries, spuriousTask } from '../src/data/spurious.js';
import { borderedPair } from '../src/data/spuriousImages.js';
import { gaussianWeights, gram, randomFeatureKernel, randomFeatures } from '../src/kernel/features.js';
import { ACTIVATIONS, phi2 } from '../src/kernel/hermite.js';
import { kernelRegression } from '../src/kernel/regression.js';
import {
  featureAlignment, gammaFromCoefficients, gammaRegime, gammaTheory, leaveOneOutErrors, leaveOneOutPredictions, meanAlignment,
  memorizationCov, memorizationCovStdError, predictedMemorization, spuriousAccuracy, testAccuracy,
} from '../src/metrics/memorization.js';

const s = suite('memorization (spurious data, alignment, leave-one-out, γ)');

// ---------------------------------------------------------------------------------------------------
// Helpers

const f64 = (xs: number[]) => Float64Array.from(xs);

/** |x − y| ≤ tol for every entry. */
function close(x: ArrayLike<number>, y: ArrayLike<number>, tol: number, what: string): void {
  assert.is(x.length, y.length, `${what}: lengths`);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= tol, `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

/** The m×m leading block of an n×n matrix (or, with cols, the rows×cols leading block). */
function lead(k: Float64Array, n: number, rows: number, cols = rows): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = k[i * n + j];
  return out;
}

/** The rows / columns of an n×n matrix listed in `rows`, `cols`. */
function pick(k: Float64Array, n: number, rows: number[], cols: number[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => { out[i * cols.length + j] = k[r * n + c]; }));
  return out;
}

const isArg = (e: unknown) => e instanceof ArgumentError;
const isShape = (e: unknown) => e instanceof ShapeError;

// ---------------------------------------------------------------------------------------------------
// Data

s('spurious data: shapes, realised α, parts normalised, labels = sign(u·x), deterministic', () => {
  const task = spuriousTask(new Rng(1), { d: 10, alpha: 0.25 });
  assert.is(task.dSpurious, 3, 'd_y = round(2.5) = 3');
  assert.is(task.dCore, 7);
  assert.is(task.alpha, 0.3, 'realised α = d_y/d');
  assert.is(task.teacher.length, 7);
  const n = 50;
  const smp = sampleSpurious(task, new Rng(2), n);
  assert.is(smp.n, n);
  assert.is(smp.z.length, n * 10);
  assert.is(smp.g.length, n);
  for (let i = 0; i < n; i++) {
    let x2 = 0, y2 = 0, ux = 0;
    for (let t = 0; t < 7; t++) {
      x2 += smp.z[i * 10 + t] ** 2;
      ux += task.teacher[t] * smp.z[i * 10 + t];
    }
    for (let t = 7; t < 10; t++) y2 += smp.z[i * 10 + t] ** 2;
    assert.ok(Math.abs(x2 - 7) < 1e-12 && Math.abs(y2 - 3) < 1e-12, `row ${i}: ‖x‖² = ${x2}, ‖y‖² = ${y2}`);
    assert.is(smp.g[i], ux >= 0 ? 1 : -1, `row ${i}: g = sign(u·x)`);
  }
  const again = sampleSpurious(spuriousTask(new Rng(1), { d: 10, alpha: 0.25 }), new Rng(2), n);
  assert.equal(Array.from(again.z), Array.from(smp.z), 'same seeds → same inputs');
  assert.equal(Array.from(again.g), Array.from(smp.g), 'same seeds → same labels');
  const raw = sampleSpurious(spuriousTask(new Rng(1), { d: 10, alpha: 0.25, normalize: 'none' }), new Rng(2), n);
  assert.equal(Array.from(raw.g), Array.from(smp.g), "normalisation does not change the labels (sign(u·x) is scale-free)");
  assert.ok(raw.z.some((v, i) => v !== smp.z[i]), "'none' keeps the raw draws");
});

s('spurious data: labels balanced, spurious part independent of the label, core part predictive', () => {
  const d = 50;
  const task = spuriousTask(new Rng(3), { d });
  assert.is(task.dSpurious, 25);
  const n = 2000;
  const { z, g } = sampleSpurious(task, new Rng(4), n);
  const meanG = g.reduce((a, v) => a + v, 0) / n;
  assert.ok(Math.abs(meanG) < 4 / Math.sqrt(n), `label balance: mean g = ${meanG}`);
  // E[y_t g] = 0 for every spurious coordinate (std ≈ 1/√n ≈ 0.022 each, 25 of them).
  let maxSpur = 0;
  for (let t = task.dCore; t < d; t++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += z[i * d + t] * g[i];
    maxSpur = Math.max(maxSpur, Math.abs(c / n));
  }
  assert.ok(maxSpur < 0.1, `max_t |mean(y_t g)| = ${maxSpur}`);
  // The core projected on the teacher direction: E[|u·x|/‖u‖] = √(2/π) ≈ 0.80.
  const un = Math.sqrt(task.teacher.reduce((a, v) => a + v * v, 0));
  let c = 0;
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let t = 0; t < task.dCore; t++) p += task.teacher[t] * z[i * d + t];
    c += (p / un) * g[i];
  }
  assert.ok(Math.abs(c / n - Math.sqrt(2 / Math.PI)) < 0.08, `mean((u·x/‖u‖) g) = ${c / n} ≈ 0.80`);
});

s('spurious queries: same spurious part bit for bit, fresh independent core of the same norm', () => {
  const d = 40;
  const task = spuriousTask(new Rng(5), { d, alpha: 0.5 });
  const n = 500;
  const smp = sampleSpurious(task, new Rng(6), n);
  const zs = spuriousQueries(task, smp, new Rng(7));
  assert.is(zs.length, n * d);
  let dot = 0;
  for (let i = 0; i < n; i++) {
    for (let t = task.dCore; t < d; t++) assert.is(zs[i * d + t], smp.z[i * d + t], `query ${i}: y copied`);
    let x2 = 0;
    for (let t = 0; t < task.dCore; t++) {
      x2 += zs[i * d + t] ** 2;
      dot += zs[i * d + t] * smp.z[i * d + t];
    }
    assert.ok(Math.abs(x2 - task.dCore) < 1e-12, `query ${i}: ‖x̃‖² = ${x2}`);
  }
  // Mean normalised overlap x̃·x/d_x ≈ 0 (std ≈ 1/√(n·d_x) ≈ 0.01).
  const overlap = dot / (n * task.dCore);
  assert.ok(Math.abs(overlap) < 0.05, `fresh cores: mean x̃·x/d_x = ${overlap}`);
});

s('spurious data: bad arguments throw with a typed error', () => {
  assert.throws(() => spuriousTask(new Rng(0), { d: 1 }), isArg);
  assert.throws(() => spuriousTask(new Rng(0), { d: 10, alpha: 0 }), isArg);
  assert.throws(() => spuriousTask(new Rng(0), { d: 10, alpha: 1 }), isArg);
  assert.throws(() => spuriousTask(new Rng(0), { d: 4, alpha: 0.1 }), (e: unknown) => isArg(e) && /d_y = 0/.test((e as Error).message));
  const task = spuriousTask(new Rng(0), { d: 4 });
  assert.throws(() => sampleSpurious(task, new Rng(0), 0), isArg);
  const other = sampleSpurious(spuriousTask(new Rng(0), { d: 6 }), new Rng(0), 3);
  assert.throws(() => spuriousQueries(task, other, new Rng(0)), isShape);
});

// ---------------------------------------------------------------------------------------------------
// Measures on hand-computed cases

s('accuracies: sign agreement by hand, a zero prediction counts as wrong', () => {
  const g = f64([1, 1, -1, -1]);
  assert.is(testAccuracy(f64([0.5, -2, 0, 3]), g), 0.25);
  assert.is(testAccuracy(f64([0.1, 7, -1e-9, -3]), g), 1);
  assert.is(spuriousAccuracy(f64([-1, -1, 1, 1]), g), 0);
  assert.is(spuriousAccuracy(f64([2, -2, -2, 2]), g), 0.5);
  assert.throws(() => testAccuracy(f64([1, 2]), f64([1, 0])), isArg);
  assert.throws(() => testAccuracy(f64([1, 2, 3]), f64([1, -1])), isShape);
  assert.throws(() => spuriousAccuracy(f64([NaN, 1]), f64([1, -1])), isArg);
});

s('memorizationCov: mean(f·g) − mean(f)·mean(g) on a tiny table by hand', () => {
  // f = [1, 2, 3, 6], g = [1, −1, 1, 1]: mean(fg) = (1 − 2 + 3 + 6)/4 = 2, mean f = 3, mean g = 1/2 → 2 − 3/2.
  assert.is(memorizationCov(f64([1, 2, 3, 6]), f64([1, -1, 1, 1])), 0.5);
  // Balanced labels: Cov = mean(fg) = (4 − 1 + 0 + 1)/4 = 1.
  assert.is(memorizationCov(f64([4, 1, 0, -1]), f64([1, -1, 1, -1])), 1);
  // A constant f has no covariance with anything.
  assert.ok(Math.abs(memorizationCov(f64([3, 3, 3]), f64([1, -1, 1]))) < 1e-15);
  assert.throws(() => memorizationCov(f64([1]), f64([1, 1])), isShape);
  // Standard error: balanced g (ḡ = 0), f = [4, 1, 0, −1] (f̄ = 1): u = (f − 1)·g = [3, 0, −1, 2], mean 1,
  // sample variance ((2² + 1 + 2² + 1) / 3) = 10/3, so se = sqrt(10/3 / 4).
  assert.ok(Math.abs(memorizationCovStdError(f64([4, 1, 0, -1]), f64([1, -1, 1, -1])) - Math.sqrt(10 / 12)) < 1e-15);
  assert.ok(Number.isNaN(memorizationCovStdError(f64([1]), f64([1]))));
});

s('featureAlignment: (K⁻¹Ks)_ii for an explicit 2×2 kernel, with and without ridge; queries = training points give 1', () => {
  // K = [[2, 1], [1, 2]], K⁻¹ = [[2, −1], [−1, 2]]/3; rows of kSpuriousTrain: k(z_1^s, ·) = [1, 0], k(z_2^s, ·) = [1, 1],
  // so Ks = [[1, 1], [0, 1]] and K⁻¹Ks = [[2, 1], [−1, 1]]/3: F = [2/3, 1/3].
  const k = f64([2, 1, 1, 2]);
  const kst = f64([1, 0, 1, 1]);
  const g = f64([1, -1]);
  const fit = kernelRegression(k, g);
  assert.is(fit.jitter, 0);
  close(featureAlignment(fit, kst), [2 / 3, 1 / 3], 1e-15, 'F');
  // Absolute ridge 1: A = [[3, 1], [1, 3]], A⁻¹ = [[3, −1], [−1, 3]]/8, A⁻¹Ks = [[3, 2], [−1, 2]]/8: F = [3/8, 1/4].
  const ridged = kernelRegression(k, g, { ridge: 1, relative: false });
  close(featureAlignment(ridged, kst), [3 / 8, 1 / 4], 1e-15, 'F with ridge');
  close(featureAlignment(fit, k), [1, 1], 1e-15, 'F(z_i, z_i) = 1 for an interpolator');
  assert.is(meanAlignment(f64([2 / 3, 1 / 3])), 0.5);
  assert.throws(() => featureAlignment(fit, f64([1, 2, 3])), isShape);
});

s('leave-one-out: f_{−i}(z_i) = g_i − c_i/(K⁻¹)_ii by hand, errors and the predicted memorization', () => {
  // c = K⁻¹g = [1, −1], (K⁻¹)_ii = 2/3: f_{−1}(z_1) = 1 − 3/2 = −1/2 (= K_12 · (−1/2), the fit on z_2 alone), f_{−2}(z_2) = 1/2.
  const k = f64([2, 1, 1, 2]);
  const g = f64([1, -1]);
  const fit = kernelRegression(k, g);
  close(leaveOneOutPredictions(fit), [-0.5, 0.5], 1e-15, 'f_loo');
  const e = leaveOneOutErrors(fit, g);
  close(e, [1.5, -1.5], 1e-15, 'g − f_loo');
  // mean F e g with F = [2/3, 1/3]: (2/3·1.5·1 + 1/3·(−1.5)·(−1))/2 = 3/4.
  assert.ok(Math.abs(predictedMemorization(f64([2 / 3, 1 / 3]), e, g) - 0.75) < 1e-15);
  assert.throws(() => leaveOneOutErrors(fit, f64([1, -1, 1])), isShape);
  assert.throws(() => leaveOneOutPredictions(kernelRegression(k, f64([1, 0, 0, 1]))), isShape);
  assert.throws(() => predictedMemorization(f64([1]), f64([1, 1]), g), isShape);
});

s('decomposition: f(zˢ_i, θ*) − f(zˢ_i, θ*_{−i}) = F_i (g_i − f_{−i}(z_i)) against explicit refits (ridge 0 and 0.05)', () => {
  const d = 12, n = 10, k = 200;
  const rng = new Rng(11);
  const task = spuriousTask(rng.fork('task'), { d });
  const smp = sampleSpurious(task, rng.fork('train'), n);
  const zs = spuriousQueries(task, smp, rng.fork('queries'));
  const v = gaussianWeights(rng.fork('V'), k, d);
  const kk = randomFeatureKernel(smp.z, smp.z, v, d, phi2);
  const kst = randomFeatureKernel(zs, smp.z, v, d, phi2);
  for (const ridge of [0, 0.05]) {
    const fit = kernelRegression(kk, smp.g, { ridge });
    const fs = fit.predict(kst);
    const F = featureAlignment(fit, kst);
    const e = leaveOneOutErrors(fit, smp.g);
    for (let i = 0; i < n; i++) {
      const rest = [...Array(n).keys()].filter((j) => j !== i);
      const sub = kernelRegression(pick(kk, n, rest, rest), Float64Array.from(rest, (j) => smp.g[j]), { ridge: fit.ridge, relative: false });
      const fsMinus = sub.predict(pick(kst, n, [i], rest))[0];
      const lhs = fs[i] - fsMinus;
      const rhs = F[i] * e[i];
      assert.ok(Math.abs(lhs - rhs) < 1e-8 * Math.max(1, Math.abs(lhs)), `ridge ${ridge}, i = ${i}: ${lhs} vs ${rhs}`);
    }
  }
});

s('γ: φ2 and φ4 (RF and NTK, both regimes) by hand from the spec formula; ReLU and tanh sane', () => {
  // RF φ2 = h1 + h2: large-n Σ_{l≥2} → α²; small-n Σ_{l≥1} → (α + α²)/2. φ4 = h1 + h4: α⁴; (α + α⁴)/2.
  // NTK φ'2 = h0 + h1: large-n Σ_{l≥1} μ'² α^{l+1} → α²; small-n (α + α²)/2. φ'4 = h0 + h3: α⁴; (α + α⁴)/2.
  const cases: [string, 'rf' | 'ntk', number, number, number][] = [
    ['phi2', 'rf', 0.5, 0.25, 0.375],
    ['phi2', 'rf', 0.25, 0.0625, 0.15625],
    ['phi4', 'rf', 0.5, 0.0625, 0.28125],
    ['phi4', 'rf', 0.25, 1 / 256, (0.25 + 1 / 256) / 2],
    ['phi2', 'ntk', 0.5, 0.25, 0.375],
    ['phi4', 'ntk', 0.5, 0.0625, 0.28125],
    ['phi4', 'ntk', 0.25, 1 / 256, (0.25 + 1 / 256) / 2],
  ];
  for (const [act, features, alpha, large, small] of cases) {
    const gl = gammaTheory(act as 'phi2' | 'phi4', alpha, { features, regime: 'large-n' });
    const gs = gammaTheory(act as 'phi2' | 'phi4', alpha, { features, regime: 'small-n' });
    assert.ok(Math.abs(gl - large) < 1e-12, `${act} ${features} α=${alpha} large-n: ${gl} vs ${large}`);
    assert.ok(Math.abs(gs - small) < 1e-12, `${act} ${features} α=${alpha} small-n: ${gs} vs ${small}`);
  }
  // The function form: φ2 given as a function equals the named one.
  assert.ok(Math.abs(gammaTheory(phi2, 0.5, { features: 'rf', regime: 'large-n' }) - 0.25) < 1e-12);
  assert.ok(Math.abs(gammaFromCoefficients(f64([0, 1, 1]), 0.5, 'rf', 'large-n') - 0.25) < 1e-15);
  assert.ok(Math.abs(gammaFromCoefficients(f64([1, 1, 1]), 0.5, 'ntk', 'small-n') - (0.5 + 0.25 + 0.125) / 3) < 1e-15, 'NTK: α^{l+1} from l = 0');
  // ReLU RF large-n: μ2² = 1/(4π) of the tail mass 1/2 − 1/(2π) − 1/4 sits at l = 2, the rest (even l ≥ 4) lower:
  // α²·μ2²/tail ≤ γ ≤ α²; truncation at degree 30 vs 60 agrees; α = 1 gives 1, α = 0 gives 0.
  const tail = 0.5 - 1 / (2 * Math.PI) - 0.25;
  const gr = gammaTheory('relu', 0.5, { features: 'rf', regime: 'large-n' });
  assert.ok(gr >= (0.25 * (1 / (4 * Math.PI))) / tail - 1e-9 && gr <= 0.25, `ReLU γ = ${gr}`);
  assert.ok(Math.abs(gr - gammaTheory('relu', 0.5, { features: 'rf', regime: 'large-n', degree: 60 })) < 1e-9, 'ReLU: degree 30 ≈ 60');
  // A degree the quadrature cannot resolve is refused at once (degree 1e9 used to allocate 8 GB and hang).
  assert.throws(() => gammaTheory('phi2', 0.5, { features: 'rf', regime: 'large-n', degree: 1e9 }), (e: Error) => /degree 1000000000 needs nodes > degree/.test(e.message));
  for (const act of ['relu', 'tanh'] as const) {
    for (const features of ['rf', 'ntk'] as const) {
      for (const regime of ['large-n', 'small-n'] as const) {
        assert.ok(Math.abs(gammaTheory(act, 1, { features, regime }) - 1) < 1e-9, `${act} ${features} ${regime}: γ(1) = 1`);
        assert.ok(Math.abs(gammaTheory(act, 0, { features, regime })) < 1e-12, `${act} ${features} ${regime}: γ(0) = 0`);
        const a = gammaTheory(act, 0.25, { features, regime });
        const b = gammaTheory(act, 0.5, { features, regime });
        assert.ok(a < b && b < 0.5, `${act} ${features} ${regime}: γ(1/4) = ${a} < γ(1/2) = ${b} < 1/2`);
      }
    }
  }
  assert.is(gammaRegime(400, 50), 'large-n');
  assert.is(gammaRegime(50, 400), 'small-n');
  assert.throws(() => gammaTheory('phi3' as 'phi2', 0.5, { features: 'rf', regime: 'large-n' }), isArg);
  assert.throws(() => gammaTheory('phi2', 1.5, { features: 'rf', regime: 'large-n' }), isArg);
  // A linear activation has no mass at l ≥ 2: γ (RF, large-n) is 0/0.
  assert.throws(() => gammaTheory((x) => x, 0.5, { features: 'rf', regime: 'large-n' }), isArg);
});

// ---------------------------------------------------------------------------------------------------
// End to end (small): d = 50, α = 1/2 (and 1/4), k = 1000 random features, N = 100 vs 400, 200 test points

s('end to end: spurious accuracy and alignment fall with N, φ4 memorizes less than φ2, α = 1/4 less than 1/2, Cov ≈ mean F(g − f_loo)g', () => {
  const d = 50, k = 1000, nMax = 400, nTest = 200;
  type Row = { test: number; spur: number; cov: number; pred: number; meanF: number };
  const run = (act: 'phi2' | 'phi4', alpha: number, ns: number[]): Row[] => {
    const rng = new Rng(2);
    const task = spuriousTask(rng.fork('task'), { d, alpha });
    const top = Math.max(...ns);
    const train = sampleSpurious(task, rng.fork('train'), top);
    const test = sampleSpurious(task, rng.fork('test'), nTest);
    const zs = spuriousQueries(task, train, rng.fork('queries'));
    const v = gaussianWeights(rng.fork('V'), k, d);
    const f = ACTIVATIONS[act].act;
    const ptr = randomFeatures(train.z, v, d, f);
    const kk = gram(ptr, ptr, k, 1 / k);
    const kst = gram(randomFeatures(zs, v, d, f), ptr, k, 1 / k);
    const kte = gram(randomFeatures(test.z, v, d, f), ptr, k, 1 / k);
    // The first n samples (and their queries) of the largest draw are a sample of size n.
    return ns.map((n) => {
      const kn = lead(kk, top, n), ksn = lead(kst, top, n), g = train.g.slice(0, n);
      const fit = kernelRegression(kn, g);
      const fs = fit.predict(ksn);
      const F = featureAlignment(fit, ksn);
      return {
        test: testAccuracy(fit.predict(lead(kte, top, nTest, n)), test.g),
        spur: spuriousAccuracy(fs, g),
        cov: memorizationCov(fs, g),
        pred: predictedMemorization(F, leaveOneOutErrors(fit, g), g),
        meanF: meanAlignment(F),
      };
    });
  };
  const [p2small, p2large] = run('phi2', 0.5, [100, nMax]);
  const [p4small, p4large] = run('phi4', 0.5, [100, nMax]);
  const [q2small] = run('phi2', 0.25, [100]);
  const fmt = (r: Row) => Object.entries(r).map(([key, val]) => `${key} ${val.toFixed(3)}`).join(', ');
  const report = `φ2 N=100: ${fmt(p2small)}\nφ2 N=400: ${fmt(p2large)}\nφ4 N=100: ${fmt(p4small)}\nφ4 N=400: ${fmt(p4large)}\nφ2 α=1/4 N=100: ${fmt(q2small)}`;
  // Above chance on test data.
  for (const r of [p2small, p2large, p4small, p4large]) assert.ok(r.test > 0.65, `test accuracy\n${report}`);
  // Spurious accuracy falls with N (φ2); at N = 100 the model still knows its labels from the spurious part.
  assert.ok(p2small.spur > 0.6 && p2large.spur < p2small.spur - 0.05, `φ2 spurious accuracy falls with N\n${report}`);
  // Mean alignment falls with N, and φ4 < φ2 at both N; φ2 sits between the two γ limits at N = 2d and
  // within 0.05 of the large-n limit α² at N = 8d.
  assert.ok(p2large.meanF < p2small.meanF && p4large.meanF < p4small.meanF, `mean F falls with N\n${report}`);
  assert.ok(p4small.meanF < p2small.meanF - 0.05 && p4large.meanF < p2large.meanF - 0.05, `φ4 aligns less than φ2\n${report}`);
  assert.ok(p2small.meanF > 0.25 && p2small.meanF < 0.375, `φ2 N=100: mean F between γ limits 0.25 and 0.375\n${report}`);
  assert.ok(p4small.meanF > 0.0625 && p4small.meanF < 0.28125, `φ4 N=100: mean F between γ limits\n${report}`);
  assert.ok(Math.abs(p2large.meanF - 0.25) < 0.05, `φ2 N=400: mean F ≈ α² = 0.25\n${report}`);
  // φ4 memorizes less than φ2 (measured Cov and predicted), α = 1/4 less than α = 1/2.
  assert.ok(p4small.cov < p2small.cov && p4large.cov < p2large.cov, `Cov: φ4 < φ2\n${report}`);
  assert.ok(p4small.pred < p2small.pred && p4large.pred < p2large.pred, `predicted: φ4 < φ2\n${report}`);
  assert.ok(q2small.meanF < p2small.meanF - 0.1 && q2small.pred < p2small.pred, `α = 1/4 < α = 1/2\n${report}`);
  // Cov ≈ mean F(g − f_loo)g: the spec's 15% needs N ≥ 400 at d = 200 and more samples; here within 0.05 absolute for φ2.
  assert.ok(Math.abs(p2small.cov - p2small.pred) < 0.05 && Math.abs(p2large.cov - p2large.pred) < 0.05, `Cov ≈ predicted (φ2)\n${report}`);
  if ((globalThis as { process?: { env?: Record<string, string> } }).process?.env?.MEMORIZATION_REPORT) console.log(report);
});

s('borderedPair: noise border around the core, ‖z‖² = d, queries keep the border bit for bit and zero the core', () => {
  const count = 40;
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    for (let j = 0; j < 784; j++) images[i * 784 + j] = ((i * 7 + j) % 13) / 13;
  }
  const set = { count, rows: 28 as const, cols: 28 as const, images, labels };
  const b = borderedPair(set, [1, 3], 12, 10, new Rng(4));
  assert.is(b.side, 48);
  assert.is(b.d, 2304);
  assert.ok(Math.abs(b.alpha - (2304 - 784) / 2304) < 1e-15);
  assert.is(b.spuriousMask.reduce((t, v) => t + v, 0), 2304 - 784);
  for (let i = 0; i < b.n; i++) {
    const row = b.z.subarray(i * b.d, (i + 1) * b.d);
    assert.ok(Math.abs(row.reduce((t, v) => t + v * v, 0) - b.d) < 1e-9, `‖z_${i}‖² = d`);
    assert.ok(b.g[i] === 1 || b.g[i] === -1);
    for (let t = 0; t < b.d; t++) {
      const q = b.queries[i * b.d + t]!;
      if (b.spuriousMask[t]) assert.is(q, row[t], `query ${i} keeps border pixel ${t}`);
      else assert.is(q, 0, `query ${i} zeroes core pixel ${t}`);
    }
  }
  // Core pixels of z_i are the (centred, scaled) image: the border does not leak into the core.
  const nonzeroCore = b.z.subarray(0, b.d).some((v, t) => !b.spuriousMask[t] && v !== 0);
  assert.ok(nonzeroCore);
  assert.throws(() => borderedPair(set, [1, 3], 11 + count, 10, new Rng(4)), (e: Error) => e instanceof ArgumentError && /only 20 images/.test(e.message));
  assert.throws(() => borderedPair(set, [2, 2], 4, 10, new Rng(4)), (e: Error) => e instanceof ArgumentError && /must differ/.test(e.message));
});

// ---------------------------------------------------------------------------------------------------
// The experiment's network variant and its solver description

const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Runs the memorization experiment (quick preset + sets) on WASM; the log lines go to `log` when given. */
async function runMemorization(sets: string[], seed: number, log?: string[]): Promise<ExperimentResult> {
  const exp = findExperiment('memorization');
  return exp.run(buildConfig(exp, 'quick', sets) as Record<string, ConfigValue>, { backend: wasm, seed, ...(log ? { log: (m: string) => { log.push(m); } } : {}) });
}

// d = 100: at d = 20 the network's spurious accuracy at N = 10 averaged 0.56 over 8 seeds (near chance); at
// d = 100 seeds 1 … 5 gave 0.9, 0.6, 0.8, 0.6, 0.7 (mean 0.72), at N = 40 0.575 … 0.725.
const NET = ['features=rf', 'activations=phi2', 'alphas=0.5', 'ns=10,40', 'd=100', 'k=300', 'testSize=200', 'network=true', 'netHidden=64,32'];

s('network variant (d = 100, N = 10, 40, MLP 64-32): interpolates every training point, spurious accuracy in [0, 1] and above chance at N = 10 over 5 seeds', async () => {
  let spurious10 = 0;
  let cov10 = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const log: string[] = [];
    const r = await runMemorization(NET, seed, log);
    const net = r.summary.network as Record<string, number | string | boolean>[];
    assert.is(net.length, 2, 'one network row per N');
    assert.equal(net.map((row) => row.n), [10, 40]);
    for (const row of net) {
      assert.is(row.trainAccuracy, 1, `seed ${seed} N = ${row.n}: every training sign right`);
      assert.is(row.interpolated, true);
      assert.ok((row.trainLoss as number) < 1e-3 && (row.steps as number) >= 10 && (row.steps as number) < 2000, `loss ${row.trainLoss}, steps ${row.steps}`);
      assert.ok((row.spuriousAccuracy as number) >= 0 && (row.spuriousAccuracy as number) <= 1);
      for (const key of ['testAccuracy', 'cov', 'covStdError']) assert.ok(Number.isFinite(row[key]), `${key} = ${row[key]}`);
      assert.is(row.hidden, '64,32');
      assert.is(row.dataOf, 'rf phi2');
      assert.is(row.d, 100);
    }
    spurious10 += (net[0]!.spuriousAccuracy as number) / 5;
    cov10 += (net[0]!.cov as number) / 5;
    assert.ok(log.some((l) => /^net .*N= +10 .*spurious/.test(l)), 'the log has the network rows');
    assert.is((r.summary.rows as unknown[]).length, 2, 'the kernel rows are unchanged');
  }
  assert.ok(spurious10 >= 0.65, `mean spurious accuracy at N = 10: ${spurious10} (memorization; chance 0.5)`);
  assert.ok(cov10 > 0.1, `mean Cov at N = 10: ${cov10}`);
});

s('network variant: the same seed gives bit-identical network rows on WASM; network = false leaves the summary without them', async () => {
  const a = await runMemorization(NET, 7);
  const b = await runMemorization(NET, 7);
  assert.equal(a.summary.network, b.summary.network);
  assert.equal(a.summary.rows, b.summary.rows);
  const plain = await runMemorization(NET.filter((x) => x !== 'network=true'), 7);
  assert.not.ok('network' in plain.summary);
  assert.equal(plain.summary.rows, a.summary.rows, 'the kernel rows do not depend on the network');
});

s('network keys: netLr ≤ 0, a bad netHidden, netLossTol 0 are ConfigErrors naming the key', async () => {
  const isConfig = (key: RegExp) => (e: unknown) => { assert.instance(e, ConfigError); assert.match((e as Error).message, key); };
  await runMemorization([...NET, 'netLr=0'], 1).then(() => assert.unreachable(), isConfig(/^memorization: netLr must be > 0, got 0$/));
  // A library caller that skips buildConfig meets the same check, with the same message, when the run starts.
  const raw = { ...buildConfig(findExperiment('memorization'), 'quick', NET), netLr: 0 } as Record<string, ConfigValue>;
  await findExperiment('memorization').run(raw, { backend: wasm, seed: 1 }).then(() => assert.unreachable(), isConfig(/^memorization: netLr must be > 0, got 0$/));
  await runMemorization([...NET, 'netHidden=64,0'], 1).then(() => assert.unreachable(), isConfig(/netHidden/));
  await runMemorization([...NET, 'netLossTol=0'], 1).then(() => assert.unreachable(), isConfig(/netLossTol/));
  const exp = findExperiment('memorization');
  assert.throws(() => buildConfig(exp, 'quick', ['network=true', 'netLr=-1']), (e: Error) => e instanceof ConfigError && /netLr/.test(e.message));
});

s('the result says which solver the kernel rows used (spec, Pitfalls)', async () => {
  const r = await runMemorization(['features=rf', 'activations=phi2', 'alphas=0.5', 'ns=40', 'd=20', 'k=200', 'testSize=20'], 1);
  const solver = r.summary.solver as string;
  assert.match(solver, /built on wasm .* in f32/);
  assert.match(solver, /Cholesky in f64 on the host/);
  assert.match(solver, /jitter/);
});

s.run();
