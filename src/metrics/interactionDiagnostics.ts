/**
 * Diagnostics of ours around the interaction tensor (interactionTensor.ts), none of them in the spec: which
 * principal components carry Spearman(confidence, features per point) and the same within each class, mean
 * frequency by adoption against independent presences, a Mantel permutation test for correlations over model
 * pairs and the same correlation without each model in turn (a jackknife), a correlation with what one series
 * leaves of another, and the skewness that says whether the frequency histogram is long-tailed.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { Rng } from '../rng.js';
import { checkPresences, pearson, ranks, spearman, type TensorStatistics } from './interactionTensor.js';
import { checkClassLabels, checkFiniteArray, checkFiniteEntries, checkInt } from '../validate.js';

/**
 * Sample skewness g1 = m3 / m2^(3/2) of finite values (central moments over n; NaN for n < 2 or all equal).
 * Positive: a long right tail, e.g. most features rare and a few frequent.
 */
export function skewness(values: ArrayLike<number>): number {
  checkFiniteEntries('skewness', 'values', values);
  const n = values.length;
  if (n < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]! / n;
  let m2 = 0, m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    m2 += (d * d) / n;
    m3 += (d * d * d) / n;
  }
  // m2^1.5 as m2·√m2: ** rounds differently in different JS engines (the page's Chromium against Node by an ulp), √ does not.
  return m2 > 0 ? m3 / (m2 * Math.sqrt(m2)) : NaN;
}

/** A correlation over model pairs and its permutation p-value. */
export interface PairCorrelationTest {
  correlation: number;
  /** Two-sided: (1 + #{|r_perm| ≥ |r|}) / (1 + permutations), r_perm with the models of y relabelled at random. */
  pValue: number;
}

/**
 * Diagnostic (ours): Pearson correlation of two per-pair series (m < m′, row-major over pairs, as sharedFeatures)
 * with a Mantel permutation test. Pairs share models, so they are not independent draws: the null relabels the
 * models of y (every pair value moves with its two models) instead of shuffling pairs.
 */
export function pairCorrelationTest(x: ArrayLike<number>, y: ArrayLike<number>, m: number, permutations: number, rng: Rng): PairCorrelationTest {
  const fn = 'pairCorrelationTest';
  checkInt(fn, 'm', m, 2, 'pass the number of models');
  checkInt(fn, 'permutations', permutations, 1, 'e.g. 999');
  if (!(rng instanceof Rng)) throw new ArgumentError(`${fn}: rng must be an Rng (e.g. new Rng(seed)), got ${String(rng)}`);
  const pairs = (m * (m - 1)) / 2;
  checkFiniteArray(fn, 'x', x, pairs, `one value per model pair (${pairs} for m = ${m})`);
  checkFiniteArray(fn, 'y', y, pairs, `one value per model pair (${pairs} for m = ${m})`);
  const correlation = pearson(x, y);
  if (!Number.isFinite(correlation)) return { correlation, pValue: NaN };
  // Index of pair (a, b), a < b, in the row-major list.
  const pairIndex = (a: number, b: number) => (a < b ? a * m - (a * (a + 1)) / 2 + b - a - 1 : b * m - (b * (b + 1)) / 2 + a - b - 1);
  const relabelled = new Float64Array(pairs);
  let extreme = 0;
  for (let r = 0; r < permutations; r++) {
    const p = rng.permutation(m);
    let e = 0;
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) relabelled[e++] = y[pairIndex(p[a]!, p[b]!)]!;
    // A relative tolerance: the identity relabelling must count as at least as extreme as the observed value.
    if (Math.abs(pearson(x, relabelled)) >= Math.abs(correlation) * (1 - 1e-12)) extreme++;
  }
  return { correlation, pValue: (1 + extreme) / (1 + permutations) };
}

/** A correlation over model pairs recomputed without each model's pairs in turn. */
export interface LeaveOneModelOut {
  /** correlations[i]: the correlation over the pairs that do not involve model i (NaN when constant or m < 4). */
  correlations: Float64Array;
  /** Delete-a-model jackknife standard error √((m − 1)/m · Σ (r_(i) − mean r_(·))²); NaN if any r_(i) is NaN. */
  standardError: number;
}

/**
 * Diagnostic (ours): the Pearson correlation of two per-pair series (m < m′, row-major over pairs) without each
 * model's pairs in turn, and the jackknife standard error over models. A correlation that one model's pairs
 * carry shows up as one value far from the rest (e.g. Algorithm 1's first model, which shares more with all).
 */
export function leaveOneModelOut(x: ArrayLike<number>, y: ArrayLike<number>, m: number): LeaveOneModelOut {
  const fn = 'leaveOneModelOut';
  checkInt(fn, 'm', m, 2, 'pass the number of models');
  const pairs = (m * (m - 1)) / 2;
  checkFiniteArray(fn, 'x', x, pairs, `one value per model pair (${pairs} for m = ${m})`);
  checkFiniteArray(fn, 'y', y, pairs, `one value per model pair (${pairs} for m = ${m})`);
  const kept = ((m - 1) * (m - 2)) / 2;
  const xs = new Float64Array(kept);
  const ys = new Float64Array(kept);
  const correlations = new Float64Array(m);
  for (let left = 0; left < m; left++) {
    let e = 0;
    let at = 0;
    for (let a = 0; a < m; a++) {
      for (let b = a + 1; b < m; b++, e++) {
        if (a === left || b === left) continue;
        xs[at] = x[e]!;
        ys[at++] = y[e]!;
      }
    }
    // Three models leave one pair: no correlation.
    correlations[left] = kept >= 2 ? pearson(xs, ys) : NaN;
  }
  let mean = 0;
  for (const r of correlations) mean += r / m;
  let ss = 0;
  for (const r of correlations) ss += (r - mean) ** 2;
  return { correlations, standardError: Math.sqrt(((m - 1) / m) * ss) };
}

/**
 * Diagnostic (ours): Pearson correlation of x with what is left of y after a least-squares line on z, e.g. shared
 * features against the agreement that the two models' accuracies do not explain. NaN when z or the residual is
 * constant.
 */
export function residualCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): number {
  const fn = 'residualCorrelation';
  checkFiniteEntries(fn, 'x', x);
  checkFiniteArray(fn, 'y', y, x.length, `one value per entry of x (${x.length})`);
  checkFiniteArray(fn, 'z', z, x.length, `one value per entry of x (${x.length})`);
  const n = x.length;
  let my = 0, mz = 0;
  for (let i = 0; i < n; i++) { my += y[i]! / n; mz += z[i]! / n; }
  let szy = 0, szz = 0;
  for (let i = 0; i < n; i++) { szy += (z[i]! - mz) * (y[i]! - my); szz += (z[i]! - mz) ** 2; }
  if (!(szz > 0)) return NaN;
  const slope = szy / szz;
  const residual = Array.from({ length: n }, (_, i) => y[i]! - my - slope * (z[i]! - mz));
  return pearson(x, residual);
}

/** How each principal component index takes part in Spearman(confidence, features per point). */
export interface ComponentPresence {
  /** Per component index a: the mean over models of Spearman(confidence, D_m[:, a]) (NaN where a column is constant). */
  confidenceSpearman: Float64Array;
  /** Per component index a: its share of all presences (Σ_m Σ_n D_m[n][a] over Σ D). */
  presenceShare: Float64Array;
}

/**
 * Diagnostic (ours): which components make confident points have more or fewer features, from each model's
 * presence D_m (`presence`). Features per point is nearly Σ_m Σ_a D_m[n][a], so its correlation with confidence
 * is the sum of these per-component parts.
 */
export function componentPresence(presences: Uint8Array[], n: number, k: number, confidence: ArrayLike<number>): ComponentPresence {
  const fn = 'componentPresence';
  checkPresences(fn, presences, n, k);
  checkFiniteArray(fn, 'confidence', confidence, n, `one value per point (${n})`);
  const confidenceSpearman = new Float64Array(k);
  const presenceShare = new Float64Array(k);
  // A 0/1 column's average ranks are an affine map of the column, so Spearman(confidence, column) is
  // Pearson(ranks of confidence, column): the confidence is ranked once.
  const confidenceRanks = ranks(confidence);
  const column = new Float64Array(n);
  let total = 0;
  for (const d of presences) {
    for (let a = 0; a < k; a++) {
      let count = 0;
      for (let i = 0; i < n; i++) count += column[i] = d[i * k + a]!;
      presenceShare[a]! += count;
      total += count;
      confidenceSpearman[a]! += pearson(confidenceRanks, column) / presences.length;
    }
  }
  for (let a = 0; a < k; a++) presenceShare[a]! /= total || 1;
  return { confidenceSpearman, presenceShare };
}

/** Features grouped by adoption: their mean frequency, and what presences independent across models would give. */
export interface AdoptionFrequency {
  adoption: number;
  features: number;
  /** Mean frequency(t) / N of the features adopted by `adoption` models. */
  meanFrequency: number;
  /** 1 − (1 − p)^adoption, p = the mean presence rate of a learned (model, feature t) pair (the OR of its columns): the OR of independent presences. */
  independentFrequency: number;
}

/**
 * Diagnostic (ours): mean frequency by adoption against the OR of independent presences. Where they match, a
 * cluster's members are present on nearly unrelated points, so frequency follows adoption, not the data.
 */
export function frequencyByAdoption(stats: TensorStatistics, n: number): AdoptionFrequency[] {
  const fn = 'frequencyByAdoption';
  checkInt(fn, 'n', n, 1, 'pass the number of points');
  const ok = stats != null && stats.adoption instanceof Int32Array && stats.frequency instanceof Int32Array && stats.featuresPerPoint instanceof Int32Array &&
    stats.adoption.length === stats.frequency.length;
  if (!ok) throw new ArgumentError(`${fn}: stats must be the result of tensorStatistics`);
  if (stats.featuresPerPoint.length !== n) throw new ShapeError(`${fn}: n is ${n} but stats describe ${stats.featuresPerPoint.length} points; pass the n the statistics were computed for`);
  for (let t = 0; t < stats.frequency.length; t++) {
    if (!(stats.frequency[t]! >= 0 && stats.frequency[t]! <= n && stats.adoption[t]! >= 0)) throw new ArgumentError(`${fn}: feature ${t} has frequency ${stats.frequency[t]} and adoption ${stats.adoption[t]}; frequencies lie in [0, n = ${n}], adoptions ≥ 0`);
  }
  // Ω's ones (Σ of features per point) over its entries of learned (model, feature) pairs: their presence rate.
  let present = 0;
  for (const f of stats.featuresPerPoint) present += f;
  let learned = 0;
  for (const a of stats.adoption) learned += a;
  const p = learned > 0 ? present / (learned * n) : 0;
  const groups = new Map<number, number[]>();
  stats.adoption.forEach((a, t) => {
    if (!groups.has(a)) groups.set(a, []);
    groups.get(a)!.push(stats.frequency[t]! / n);
  });
  return [...groups.entries()].sort((x, y) => x[0] - y[0]).map(([adoption, f]) => ({
    adoption, features: f.length, meanFrequency: f.reduce((s, v) => s + v, 0) / f.length, independentFrequency: 1 - (1 - p) ** adoption,
  }));
}

/**
 * Diagnostic (ours): Spearman(confidence, features per point) among the points of each class (NaN for a class
 * with fewer than 2 points or a constant side). Where they share the pooled value's sign, that sign is not only
 * a between-class effect (easier classes having more features): it holds within the classes.
 */
export function confidenceSpearmanByClass(confidence: ArrayLike<number>, featuresPerPoint: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float64Array {
  const fn = 'confidenceSpearmanByClass';
  checkInt(fn, 'classes', classes, 1, 'pass the number of classes');
  checkClassLabels(fn, labels, classes);
  const n = labels.length;
  checkFiniteArray(fn, 'confidence', confidence, n, `one value per labelled point (${n})`);
  checkFiniteArray(fn, 'featuresPerPoint', featuresPerPoint, n, `one value per labelled point (${n})`);
  const out = new Float64Array(classes).fill(NaN);
  for (let c = 0; c < classes; c++) {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) if (labels[i] === c) { x.push(confidence[i]!); y.push(featuresPerPoint[i]!); }
    if (x.length >= 2) out[c] = spearman(x, y);
  }
  return out;
}
