/**
 * The interaction tensor (specs/interaction-tensor.md): PCA features recover planted directions with the
 * sign rule; percentiles; cross-model correlations and the greedy clustering pair permuted, sign-flipped copies
 * of the same features; presence and Ω; adoption, frequency, features per point and shared features on a
 * hand-built case; Spearman with ties; the diagnostics (presence per component, frequency by adoption, distinct
 * features per point, Spearman within each class) by hand.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initLinalg, linalgLastCallBytes, symmetricEigen } from '../src/linalg/wasmLinalg.js';
import {
  clusterFeatures, correlationThresholds, crossCorrelations, crossCorrelationsAsync, interactionTensor, omegaEntry, omegaOnes, pcaFeatures, pearson, percentile, presence, spearman, tensorStatistics,
} from '../src/metrics/interactionTensor.js';
import { componentPresence, confidenceSpearmanByClass, frequencyByAdoption, leaveOneModelOut, pairCorrelationTest, residualCorrelation } from '../src/metrics/interactionDiagnostics.js';
import { ArgumentError, FeaturelabError, ShapeError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { deadModelsWarning } from '../src/experiments/interactionTensorExperiment.js';

await initLinalg();
const s = suite('interaction tensor');

/** n points with k independent latent factors of decreasing scale, embedded in d dims by a random rotation-ish map. */
function planted(seed: number, n: number, d: number, scales: number[]): { phi: Float64Array; factors: Float64Array[] } {
  const r = new Rng(seed);
  // Centred, mutually orthogonal factors of unit variance (Gram–Schmidt over the n points): the sample
  // covariance is then exactly diagonal in the planted basis.
  const factors: Float64Array[] = [];
  for (let c = 0; c < scales.length; c++) {
    const f = Float64Array.from(r.fillNormal(new Float32Array(n)));
    const mean = f.reduce((t, x) => t + x, 0) / n;
    for (let i = 0; i < n; i++) f[i]! -= mean;
    for (const g of factors) {
      const dot = f.reduce((t, x, i) => t + x * g[i]!, 0) / n;
      for (let i = 0; i < n; i++) f[i]! -= dot * g[i]!;
    }
    const sd = Math.sqrt(f.reduce((t, x) => t + x * x, 0) / n);
    factors.push(f.map((x) => x / sd));
  }
  // Orthonormal directions: the first columns of a Gram–Schmidt of random vectors.
  const dirs: Float64Array[] = [];
  for (let c = 0; c < scales.length; c++) {
    const v = Float64Array.from(r.fillNormal(new Float32Array(d)));
    for (const u of dirs) {
      const dot = v.reduce((t, x, i) => t + x * u[i]!, 0);
      for (let i = 0; i < d; i++) v[i]! -= dot * u[i]!;
    }
    const norm = Math.sqrt(v.reduce((t, x) => t + x * x, 0));
    dirs.push(v.map((x) => x / norm));
  }
  const phi = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < scales.length; c++) for (let j = 0; j < d; j++) phi[i * d + j]! += scales[c]! * factors[c]![i]! * dirs[c]![j]!;
  return { phi, factors };
}

s('pcaFeatures recovers planted factors in order of variance, each column with its largest entry positive', () => {
  const n = 300, d = 12;
  const { phi, factors } = planted(1, n, d, [5, 3, 1]);
  const psi = pcaFeatures(phi, n, d, 3);
  for (let c = 0; c < 3; c++) {
    const col = Array.from({ length: n }, (_, i) => psi[i * 3 + c]!);
    assert.ok(Math.abs(Math.abs(pearson(col, factors[c]!)) - 1) < 1e-9, `component ${c} is factor ${c}: |corr| ${Math.abs(pearson(col, factors[c]!))}`);
    const big = col.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
    assert.ok(big > 0, 'sign rule');
  }
});

s('percentile, Pearson and Spearman by hand (ties get average ranks)', () => {
  assert.is(percentile([4, 1, 3, 2], 50), 2.5);
  assert.is(percentile([4, 1, 3, 2], 100), 4);
  assert.is(percentile([4, 1, 3, 2], 0), 1);
  assert.is(spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1);
  assert.is(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // x ranks 0, 1.5, 1.5, 3 against y ranks 0, 1, 2, 3: Pearson of those.
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - pearson([0, 1.5, 1.5, 3], [0, 1, 2, 3])) < 1e-15);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});

s('correlations and greedy clustering pair the features two models share (permuted and sign-flipped)', () => {
  const n = 200, k = 4;
  const r = new Rng(3);
  const base = Float64Array.from(r.fillNormal(new Float32Array(n * k)));
  // Model 1: columns permuted (2, 0, 3, 1) and column 1 negated; model 2: an unrelated set.
  const perm = [2, 0, 3, 1];
  const m1 = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let b = 0; b < k; b++) m1[i * k + b] = (b === 1 ? -1 : 1) * base[i * k + perm[b]!]!;
  const m2 = Float64Array.from(new Rng(9).fillNormal(new Float32Array(n * k)));
  const l = crossCorrelations([base, m1, m2], n, k);
  const at = (i: number, j: number, a: number, b: number) => l[((i * 3 + j) * k + a) * k + b]!;
  for (let b = 0; b < k; b++) assert.ok(Math.abs(at(0, 1, perm[b]!, b) - 1) < 1e-12 && Math.abs(at(1, 0, b, perm[b]!) - 1) < 1e-12);
  assert.is(at(0, 0, 1, 1), 0, 'same-model entries are not filled');
  const { cluster, count } = clusterFeatures(l, 3, k, 0.9);
  for (let b = 0; b < k; b++) assert.is(cluster[1 * k + b], cluster[0 * k + perm[b]!], `model 1 feature ${b} joins model 0 feature ${perm[b]}`);
  assert.is(count, 4 + 4, 'four shared features and the four of model 2');
  // Presence and statistics: Ω marks, per point, the features above the 90th percentile of each model.
  const omega = interactionTensor([base, m1, m2].map((psi) => presence(psi, n, k, 90)), n, k, cluster, count);
  const stats = tensorStatistics(omega, cluster, k);
  assert.equal(Array.from(stats.adoption).sort(), [1, 1, 1, 1, 2, 2, 2, 2]);
  assert.equal(Array.from(stats.sharedFeatures), [4, 0, 0], '|S_0 ∩ S_1| = 4, model 2 shares nothing');
  const total = omegaOnes(omega);
  assert.is(stats.featuresPerPoint.reduce((t, x) => t + x, 0), total);
  // 10 % of each model's n·k normalised values exceed its 90th percentile.
  assert.ok(Math.abs(total / 3 - 0.1 * n * k) <= 2, `present entries ${total}`);
});

// Plain implementations of the spec's steps, one value at a time: the module computes the same sums in the same
// order (four rows or columns per pass, selection instead of sorting), so the results must be the same bits.
function plainPca(phi: Float64Array, n: number, d: number, k: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += phi[i * d + j]! / n;
  const c = phi.map((x, idx) => x - mean[idx % d]!);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const x = c[i * d + a]!;
      if (x === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b]! += x * c[i * d + b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { cov[a * d + b]! /= n; cov[b * d + a] = cov[a * d + b]!; }
  const { vectors } = symmetricEigen(cov, d);
  const psi = new Float64Array(n * k);
  for (let col = 0; col < k; col++) {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += c[i * d + j]! * vectors[j * d + d - 1 - col]!;
      psi[i * k + col] = sum;
    }
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(psi[i * k + col]!) > Math.abs(big)) big = psi[i * k + col]!;
    if (big < 0) for (let i = 0; i < n; i++) psi[i * k + col] = -psi[i * k + col]!;
  }
  return psi;
}

function plainPercentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const at = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/** ReLU-like activations: about half the entries exactly 0, the rest uniform in (0, 3). */
function reluActivations(seed: number, n: number, d: number): Float64Array {
  const u = new Rng(seed).fillUniform(new Float32Array(n * d), -3, 3);
  return Float64Array.from(u, (x) => Math.max(0, x));
}

s('pcaFeatures, crossCorrelations and percentile give the same bits as plain one-at-a-time sums (odd shapes, exact zeros)', () => {
  for (const [n, d, k] of [[3, 2, 1], [37, 13, 5], [101, 7, 7], [258, 17, 6]] as const) {
    const phis = [0, 1, 2].map((m) => reluActivations(10 * n + m, n, d));
    const psis = phis.map((phi) => pcaFeatures(phi, n, d, k));
    psis.forEach((psi, m) => assert.equal(Array.from(psi), Array.from(plainPca(phis[m]!, n, d, k)), `pca ${n}×${d} k ${k} model ${m}`));
    const corr = crossCorrelations(psis, n, k);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) {
          for (let e = 0; e < k * k; e++) assert.is(corr[(i * 3 + j) * k * k + e], 0, `diagonal block ${i} entry ${e}`);
          continue;
        }
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            // Standardised columns, then the dot product in order.
            const col = (psi: Float64Array, c: number): number[] => {
              const x = Array.from({ length: n }, (_, t) => psi[t * k + c]!);
              const mean = x.reduce((acc, v) => acc + v / n, 0);
              const ss = x.reduce((acc, v) => acc + (v - mean) ** 2, 0);
              const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
              return x.map((v) => (v - mean) * inv);
            };
            const za = col(psis[i]!, a);
            const zb = col(psis[j]!, b);
            let dot = 0;
            for (let t = 0; t < n; t++) dot += za[t]! * zb[t]!;
            assert.is(corr[((i * 3 + j) * k + a) * k + b], Math.abs(dot), `corr ${n}×${d} (${i},${a})–(${j},${b})`);
          }
        }
      }
    }
    // The thresholds: percentiles of the off-diagonal entries, collected one by one (the diagonal blocks' zeros left out).
    const off: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== j) for (let e = 0; e < k * k; e++) off.push(corr[(i * 3 + j) * k * k + e]!);
    const qs = [0, 10, 37.5, 50, 90, 99, 100, 90];
    assert.equal(correlationThresholds(corr, 3, k, qs), qs.map((q) => plainPercentile(off, q)), `thresholds ${n}×${d} k ${k}`);
  }
  // Many models: the WASM memory holds the standardised Ψ and one model's panel, not the (M·k)² product.
  {
    const [m, n, k] = [40, 30, 50];
    const psis = Array.from({ length: m }, (_, i) => Float64Array.from(new Rng(100 + i).fillNormal(new Float32Array(n * k))));
    const corr = crossCorrelations(psis, n, k);
    const product = (m * k) ** 2 * 8;
    assert.ok(linalgLastCallBytes() < ((n + k) * m * k * 8) + 2 ** 20, `used ${linalgLastCallBytes()} bytes; the product is ${product}`);
    assert.ok(corr[(1 * m + 0) * k * k] === corr[(0 * m + 1) * k * k] && corr[(1 * m + 0) * k * k]! > 0, 'L[1][0][0][0] = L[0][1][0][0] > 0');
  }
  const r = new Rng(7);
  for (const len of [1, 2, 5, 64, 1001]) {
    // Many ties (values on a grid of 8), and distinct values.
    const tied = Float64Array.from(r.fillUniform(new Float32Array(len)), (x) => Math.floor(x * 8));
    const distinct = Float64Array.from(r.fillNormal(new Float32Array(len)));
    for (const values of [tied, distinct]) {
      for (const q of [0, 10, 37.5, 50, 90, 99, 100]) assert.is(percentile(values, q), plainPercentile(values, q), `percentile ${q} of ${len} values`);
    }
  }
  // Threshold arguments: one model has no off-diagonal correlations; percentiles lie in [0, 100].
  const l2 = crossCorrelations([Float64Array.from([1, 2, 4]), Float64Array.from([3, 1, 2])], 3, 1);
  assert.equal(correlationThresholds(l2, 2, 1, [0, 100]), [l2[1], l2[1]]);
  // An L that is not symmetric across (i, j) (not crossCorrelations' output) is read whole: every off-diagonal entry.
  const skew = Float64Array.from({ length: 3 * 3 * 4 }, (_, e) => ((e * 7919) % 97) / 97);
  const skewOff: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== j) for (let e = 0; e < 4; e++) skewOff.push(skew[(i * 3 + j) * 4 + e]!);
  const qsAll = [0, 5, 33, 50, 77.7, 90, 100];
  assert.equal(correlationThresholds(skew, 3, 2, qsAll), qsAll.map((q) => plainPercentile(skewOff, q)), 'thresholds of a non-symmetric L');
  for (const [args, pattern] of [
    [[l2.subarray(0, 1), 1, 1, [50]], /m must be an integer ≥ 2/],
    [[l2, 2, 1, []], /qs must be a non-empty array/],
    [[l2, 2, 1, [50, 101]], /qs\[1\] must be a number in \[0, 100\], got 101/],
    [[l2.subarray(0, 3), 2, 1, [50]], /l has length 3 but the M·M·k·k correlations/],
  ] as const) {
    assert.throws(() => correlationThresholds(...(args as unknown as Parameters<typeof correlationThresholds>)), (e: Error) => e instanceof FeaturelabError && e.message.startsWith('correlationThresholds: ') && pattern.test(e.message));
  }
  // A NaN or an infinity has no place among order statistics (NaN sorted last gave 2.5 for the median here; ±∞ gave NaN).
  for (const values of [[3, NaN, 1, 2], [1, NaN, 3], [-Infinity, Infinity]]) {
    assert.throws(() => percentile(values, 50), (e: Error) => e instanceof ArgumentError && /percentile: values\[\d\] is (NaN|-?Infinity); every entry must be a finite number/.test(e.message));
  }
});

s('presence by hand, and the diagnostics: Spearman(confidence, presence) per component and frequency by adoption', () => {
  // Two columns of 4 points: column 0 / max 2 = [0.5, 0.25, −1, 0.05], column 1 / max 3 = [1, 0, 0, 0]. The median
  // of the 8 normalised values (linear between order statistics 3 and 4 of −1 0 0 0 0.05 …) is 0.025.
  const psi = Float64Array.from([1, 3, 0.5, 0, -2, 0, 0.1, 0]);
  assert.equal(Array.from(presence(psi, 4, 2, 50)), [1, 1, 1, 0, 0, 0, 1, 0]);
  // One model: column 0 present on points 0, 1, 3 and column 1 on point 0; confidence falls from point 0 to 3.
  const confidence = [0.9, 0.7, 0.5, 0.3];
  const one = componentPresence([presence(psi, 4, 2, 50)], 4, 2, confidence);
  assert.ok(Math.abs(one.confidenceSpearman[0]! - spearman(confidence, [1, 1, 0, 1])) < 1e-15);
  assert.ok(Math.abs(one.confidenceSpearman[1]! - spearman(confidence, [1, 0, 0, 0])) < 1e-15);
  assert.equal(Array.from(one.presenceShare), [0.75, 0.25]);
  // Two models: the per-component Spearman is their mean (the second model has the columns swapped).
  const swapped = Float64Array.from([3, 1, 0, 0.5, 0, -2, 0, 0.1]);
  const two = componentPresence([psi, swapped].map((x) => presence(x, 4, 2, 50)), 4, 2, confidence);
  const mean = (spearman(confidence, [1, 1, 0, 1]) + spearman(confidence, [1, 0, 0, 0])) / 2;
  assert.ok(Math.abs(two.confidenceSpearman[0]! - mean) < 1e-15 && Math.abs(two.confidenceSpearman[1]! - mean) < 1e-15);
  assert.equal(Array.from(two.presenceShare), [0.5, 0.5]);
  assert.throws(() => componentPresence([presence(psi, 4, 2)], 4, 2, [1, 2, 3]), (e: Error) => e instanceof ShapeError && /one value per point \(4\)/.test(e.message));
  // Frequency by adoption: 2 models, 4 points, 3 features; feature 0 learned by model 0 only, 1 and 2 by both.
  // Ω entries of learned (model, feature) pairs present: 1 + 2 + 2 + 1 + 1 = 7 of 5 pairs × 4 points, p = 0.35.
  // Model 0's columns are features 0, 1, 2; model 1's columns 0, 1, 2 are features 1, 2, 2.
  const cluster = Int32Array.from([0, 1, 2, 1, 2, 2]); // k = 3 columns per model
  const d0 = Uint8Array.from([1, 1, 0, /* point 1 */ 0, 1, 0, /* point 2 */ 0, 0, 1, /* point 3 */ 0, 0, 0]);
  const d1 = Uint8Array.from([0, 0, 0, /* point 1 */ 0, 0, 0, /* point 2 */ 1, 1, 0, /* point 3 */ 1, 0, 0]);
  const omega = interactionTensor([d0, d1], 4, 3, cluster, 3);
  const stats = tensorStatistics(omega, cluster, 3);
  assert.equal(Array.from(stats.adoption), [1, 2, 2]);
  assert.equal(Array.from(stats.frequency), [1, 4, 1]);
  // Per point: Σ over models (Ω's ones) and each feature once (point 2 has feature 2 in both models: 3 vs 2).
  assert.equal(Array.from(stats.featuresPerPoint), [2, 1, 3, 1]);
  assert.equal(Array.from(stats.distinctFeaturesPerPoint), [2, 1, 2, 1]);
  const groups = frequencyByAdoption(stats, 4);
  assert.equal(groups.map((g) => [g.adoption, g.features, g.meanFrequency]), [[1, 1, 0.25], [2, 2, 0.625]]);
  assert.ok(Math.abs(groups[0]!.independentFrequency - 0.35) < 1e-15);
  assert.ok(Math.abs(groups[1]!.independentFrequency - (1 - 0.65 ** 2)) < 1e-15);
});

s('Ω as bits: every entry and statistic equals a plain byte tensor, at T = 1, 31, 32, 33, 65 and 127 features (1 to 4 words per row)', () => {
  const r = new Rng(21);
  for (const features of [1, 31, 32, 33, 65, 127]) {
    const [m, n, k] = [3, 17, 40];
    const presences = Array.from({ length: m }, () => Uint8Array.from({ length: n * k }, () => (r.uniform() < 0.3 ? 1 : 0)));
    const cluster = Int32Array.from({ length: m * k }, (_, e) => (e < features ? e : r.int(features))); // every feature used
    const omega = interactionTensor(presences, n, k, cluster, features);
    assert.is(omega.words, Math.ceil(features / 32));
    assert.is(omega.bits.length, m * n * omega.words);
    // The reference: Ω as M·N·T bytes, OR over each model's columns of a cluster, and the statistics by plain loops.
    const bytes = new Uint8Array(m * n * features);
    presences.forEach((d, mi) => { for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) if (d[i * k + a]) bytes[(mi * n + i) * features + cluster[mi * k + a]!] = 1; });
    for (let mi = 0; mi < m; mi++) for (let i = 0; i < n; i++) for (let t = 0; t < features; t++) {
      if (omegaEntry(omega, mi, i, t) !== bytes[(mi * n + i) * features + t]) assert.unreachable(`T = ${features}: Ω[${mi}][${i}][${t}] is ${omegaEntry(omega, mi, i, t)}, the bytes say ${bytes[(mi * n + i) * features + t]}`);
    }
    assert.is(omegaOnes(omega), bytes.reduce((a, b) => a + b, 0), `T = ${features}: ones`);
    const stats = tensorStatistics(omega, cluster, k);
    const frequency = new Int32Array(features);
    const perPoint = new Int32Array(n);
    const distinct = new Int32Array(n);
    for (let i = 0; i < n; i++) for (let t = 0; t < features; t++) {
      let any = 0;
      for (let mi = 0; mi < m; mi++) { perPoint[i]! += bytes[(mi * n + i) * features + t]!; any |= bytes[(mi * n + i) * features + t]!; }
      frequency[t]! += any;
      distinct[i]! += any;
    }
    assert.equal(Array.from(stats.frequency), Array.from(frequency), `T = ${features}: frequency`);
    assert.equal(Array.from(stats.featuresPerPoint), Array.from(perPoint), `T = ${features}: features per point`);
    assert.equal(Array.from(stats.distinctFeaturesPerPoint), Array.from(distinct), `T = ${features}: distinct features per point`);
  }
  // A tensor whose words do not fit its shape, or with bits beyond its features, is refused.
  const omega = interactionTensor([Uint8Array.from([1, 1])], 1, 2, Int32Array.from([0, 1]), 2);
  assert.throws(() => tensorStatistics({ ...omega, points: 2 }, Int32Array.from([0, 1]), 2), (e: Error) => e instanceof ShapeError && /do not fit M × N × ⌈T\/32⌉ = 1×2×1/.test(e.message));
  assert.throws(() => tensorStatistics({ ...omega, bits: Uint32Array.from([7]) }, Int32Array.from([0, 1]), 2), (e: Error) => e instanceof ArgumentError && /row 0 has bits set beyond its 2 features/.test(e.message));
  assert.throws(() => tensorStatistics(new Uint8Array(4) as never, Int32Array.from([0, 1]), 2), (e: Error) => e instanceof ArgumentError && /omega must be an interaction tensor/.test(e.message));
  assert.throws(() => omegaEntry(omega, 0, 1, 0), (e: Error) => e instanceof ArgumentError && /omegaEntry: n must be an integer in \[0, 1\), got 1/.test(e.message));
  assert.throws(() => omegaEntry(omega, 0, 0, 2.5), (e: Error) => e instanceof ArgumentError && /omegaEntry: t must be an integer in \[0, 2\), got 2.5/.test(e.message));
});

s('confidenceSpearmanByClass: Spearman among each class\'s points, NaN where a class has < 2 points or a constant side', () => {
  // Class 0: confidence rises with features (ρ = 1); class 1: falls (ρ = −1); class 2: one point; class 3: features
  // constant. Pooled, the two trends cancel to a value of neither class.
  const labels = [0, 0, 0, 1, 1, 1, 2, 3, 3];
  const confidence = [0.1, 0.5, 0.9, 0.2, 0.6, 0.8, 0.5, 0.3, 0.7];
  const features = [1, 2, 4, 9, 7, 3, 5, 6, 6];
  const byClass = confidenceSpearmanByClass(confidence, features, labels, 5);
  assert.is(byClass[0], 1);
  assert.is(byClass[1], -1);
  assert.ok(Number.isNaN(byClass[2]!) && Number.isNaN(byClass[3]!) && Number.isNaN(byClass[4]!));
  assert.ok(Math.abs(byClass[0]! - spearman([0.1, 0.5, 0.9], [1, 2, 4])) < 1e-15);
  assert.throws(() => confidenceSpearmanByClass([1, 2], [1, 2, 3], [0, 0, 0], 1), (e: Error) => e instanceof ShapeError && /one value per labelled point \(3\)/.test(e.message));
});

s('pcaFeatures refuses non-finite activations, naming the entry', () => {
  const phi = reluActivations(3, 5, 4);
  phi[2 * 4 + 1] = NaN;
  assert.throws(() => pcaFeatures(phi, 5, 4, 2), (e: Error) => e instanceof ArgumentError && /activation \[2, 1\] is NaN/.test(e.message));
});

s('residualCorrelation: x against what a line on z leaves of y; hand case where z hides x completely', () => {
  const x = [1, -1, -1, 1];
  const z = [1, 2, 3, 4];
  const y = z.map((v, i) => 10 * v + x[i]!); // x is orthogonal to the centred z and has mean 0: the residual is x
  assert.ok(Math.abs(pearson(x, y)) < 0.15, `plain correlation ${pearson(x, y)}`);
  assert.ok(Math.abs(residualCorrelation(x, y, z) - 1) < 1e-12, `${residualCorrelation(x, y, z)}`);
  assert.ok(Math.abs(residualCorrelation(x.map((v) => -v), y, z) + 1) < 1e-12);
  assert.ok(Number.isNaN(residualCorrelation(x, y, [2, 2, 2, 2])), 'a constant z explains nothing: NaN');
  assert.ok(Number.isNaN(residualCorrelation(x, z.map((v) => 2 * v - 1), z)), 'y on the line: nothing left');
});

s('pairCorrelationTest: the Mantel null relabels models; 3 models give the 6 orderings of 3 pairs (|r| = 1 in 2 of 6)', () => {
  // With 3 models every relabelling permutes the 3 pairs, and all 6 orders occur: r = 1, −1 (|r| ≥ 1: 2 of 6),
  // and ±0.5 for the rest. The p-value estimates (1 + P/3) / (1 + P).
  const t = pairCorrelationTest([1, 2, 3], [1, 2, 3], 3, 3000, new Rng(5));
  assert.ok(Math.abs(t.correlation - 1) < 1e-15);
  assert.ok(Math.abs(t.pValue - 1 / 3) < 0.03, `p ${t.pValue}`);
  // Same seed, same p; the x and y roles of a pair list follow the row-major order (0,1), (0,2), (1,2).
  assert.is(pairCorrelationTest([1, 2, 3], [1, 2, 3], 3, 3000, new Rng(5)).pValue, t.pValue);
  // 6 models, pair values from a per-model score: only relabellings that keep the scores give |r| = 1.
  const score = [0.1, 0.5, 0.2, 0.9, 0.3, 0.7];
  const byPair: number[] = [];
  for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) byPair.push(score[a]! + score[b]!);
  const strong = pairCorrelationTest(byPair, byPair.map((v) => 2 * v + 1), 6, 999, new Rng(6));
  assert.ok(strong.pValue < 0.02, `p ${strong.pValue}`);
  // A constant side: no correlation, no p-value.
  assert.ok(Number.isNaN(pairCorrelationTest([1, 1, 1], [1, 2, 3], 3, 10, new Rng(1)).pValue));
  assert.throws(() => pairCorrelationTest([1, 2], [1, 2], 3, 10, new Rng(1)), (e: unknown) => e instanceof ShapeError && /x has length 2 but one value per model pair \(3 for m = 3\) needs 3/.test((e as Error).message));
});

s('leaveOneModelOut: the pair correlation without each model by hand (4 models), a planted one-model effect, the jackknife', () => {
  // Pairs row-major: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3). Without model 0: x 4 5 6, y 2 4 6 (r = 1); without 1:
  // x 2 3 6, y 2 1 6 (r = 10/√(364/3)); without 2: x 1 3 5, y 3 1 4 (2/√(112/3)); without 3: x 1 2 4, y 3 2 2 (−4/√28).
  const hand = [1, 10 / Math.sqrt(364 / 3), 2 / Math.sqrt(112 / 3), -4 / Math.sqrt(28)];
  const r = leaveOneModelOut([1, 2, 3, 4, 5, 6], [3, 2, 1, 2, 4, 6], 4);
  hand.forEach((v, i) => assert.ok(Math.abs(r.correlations[i]! - v) < 1e-12, `without model ${i}: ${r.correlations[i]} vs ${v}`));
  const mean = hand.reduce((a, b) => a + b, 0) / 4;
  const se = Math.sqrt((3 / 4) * hand.reduce((a, v) => a + (v - mean) ** 2, 0));
  assert.ok(Math.abs(r.standardError - se) < 1e-12, `jackknife ${r.standardError} vs ${se}`);
  // 8 models: only model 0's pairs carry the correlation (both series high on them, independent noise elsewhere).
  const m = 8;
  const noise = new Rng(11).fillNormal(new Float32Array(2 * 28));
  const x: number[] = [], y: number[] = [];
  let e = 0;
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++, e++) { x.push((a === 0 ? 6 : 0) + noise[e]!); y.push((a === 0 ? 6 : 0) + noise[28 + e]!); }
  const planted = leaveOneModelOut(x, y, m);
  assert.ok(Math.abs(planted.correlations[0]!) < 0.5, `without the carrying model: ${planted.correlations[0]}`);
  for (let i = 1; i < m; i++) assert.ok(planted.correlations[i]! > 0.7, `without model ${i}: ${planted.correlations[i]}`);
  assert.ok(planted.standardError > 0.5, `one model carries it: a large jackknife error, ${planted.standardError}`);
  // Three models leave one pair: undefined.
  const three = leaveOneModelOut([1, 2, 3], [1, 3, 2], 3);
  assert.ok(Array.from(three.correlations).every(Number.isNaN) && Number.isNaN(three.standardError));
  assert.throws(() => leaveOneModelOut([1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], 4), (err: Error) => err instanceof ShapeError && /leaveOneModelOut: x has length 5/.test(err.message));
});

s('a model whose last hidden layer is 0 everywhere (all ReLUs dead) is named in one warning; live models give none', () => {
  const member = (hidden: number[]) => ({ predictions: new Int32Array(2), softmax: new Float64Array(20), trainAccuracy: 0.1, epochs: 1, hidden: Float32Array.from(hidden) });
  assert.is(deadModelsWarning([member([0, 1, 0, 0]), member([0, 0, 0, 2])]), null);
  assert.is(deadModelsWarning([member([0, 1, 0, 0]), member([0, 0, 0, 0]), member([0, 0, 0, 0])]),
    '2 of 3 models (2, 3) have a last hidden layer that is 0 on every test point (all ReLUs dead, as a too large lr or too small batchSize can cause): they have no PCA features, so the statistics they enter are undefined (null)');
});

s('crossCorrelationsAsync gives crossCorrelations\' bits, pausing after each model, and refuses bad Ψ by name', async () => {
  for (const [m, n, k] of [[2, 3, 1], [3, 37, 5], [5, 101, 7]] as const) {
    const psis = Array.from({ length: m }, (_, i) => Float64Array.from(new Rng(40 + i).fillNormal(new Float32Array(n * k))));
    let pauses = 0;
    const got = await crossCorrelationsAsync(psis, n, k, async () => { pauses++; });
    assert.is(pauses, m, `one pause per model (M = ${m})`);
    assert.equal(Array.from(got), Array.from(crossCorrelations(psis, n, k)), `M ${m}, n ${n}, k ${k}`);
  }
  let thrown: unknown = null;
  await crossCorrelationsAsync([new Float64Array(6), new Float64Array(5)], 3, 2, async () => {}).catch((e: unknown) => { thrown = e; });
  assert.ok(thrown instanceof ShapeError && /crossCorrelationsAsync: psis\[1\] has length 5/.test(thrown.message), String(thrown));
});

s.run();
