/**
 * Agreement between models and the Generalization Disagreement Equality (spec agreement-gde.md): per-model
 * test error, pairwise disagreement, their means, gap and ratio, the hard-vote ensemble h̄, the exact
 * identity mean_pairs dis = M/(M−1)·mean_n Σ_k h̄[n][k](1 − h̄[n][k]), and a bootstrap interval of the
 * mean disagreement over pairs. Predictions are M×N row-major class indices (model m's row m).
 *
 * Two gaps: `gap` is the spec's, over the M(M−1)/2 distinct pairs. The theorem |E[dis] − E[err]| ≤ CACE draws
 * h and h′ independently from the ensemble, so a model meets itself (dis 0) with probability 1/M: that is
 * `gapWithReplacement` = mean dis·(M−1)/M − mean err, the quantity to hold against CACE (calibration.ts's
 * caceAtVoteLevels). The distinct-pair gap exceeds it by mean dis/M, as large as a typical CACE at M = 10.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { Rng } from '../rng.js';
import { checkClassLabels, checkInt, checkOptions, naming } from '../validate.js';
import { percentile } from './interactionTensor.js';

/** Checks an M×N prediction table of class indices in [0, K). */
function checkPredictions(fn: string, pred: Int32Array, m: number, n: number, k: number): void {
  if (!Number.isInteger(m) || m < 1 || !Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: models and points must be positive integers, got ${m} and ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new ArgumentError(`${fn}: classes must be an integer ≥ 2, got ${k}`);
  if (!(pred instanceof Int32Array)) throw new ArgumentError(`${fn}: predictions must be an Int32Array of models × points class indices, got ${Object.prototype.toString.call(pred)}`);
  if (pred.length !== m * n) throw new ShapeError(`${fn}: predictions must be an Int32Array of models × points = ${m * n} class indices, got ${pred.length}`);
  for (let i = 0; i < pred.length; i++) {
    if (!(pred[i]! >= 0 && pred[i]! < k)) throw new ArgumentError(`${fn}: prediction ${i % n} of model ${Math.floor(i / n)} is ${pred[i]}, not a class in [0, ${k})`);
  }
}

/** err_m = mean_n 1[pred[m][n] ≠ y_n] for each model. */
export function testErrors(pred: Int32Array, labels: ArrayLike<number>, models: number, points: number, classes: number): Float64Array {
  checkPredictions('testErrors', pred, models, points, classes);
  checkClassLabels('testErrors', labels, classes, points, 'test point');
  const out = new Float64Array(models);
  for (let m = 0; m < models; m++) {
    let wrong = 0;
    for (let i = 0; i < points; i++) if (pred[m * points + i] !== labels[i]) wrong++;
    out[m] = wrong / points;
  }
  return out;
}

/** dis(m, m′) = mean_n 1[pred[m][n] ≠ pred[m′][n]] as a symmetric M×M matrix (zero diagonal). */
export function disagreementMatrix(pred: Int32Array, models: number, points: number, classes: number): Float64Array {
  checkPredictions('disagreementMatrix', pred, models, points, classes);
  const out = new Float64Array(models * models);
  for (let a = 0; a < models; a++) {
    for (let b = a + 1; b < models; b++) {
      let diff = 0;
      for (let i = 0; i < points; i++) if (pred[a * points + i] !== pred[b * points + i]) diff++;
      out[a * models + b] = out[b * models + a] = diff / points;
    }
  }
  return out;
}

/** h̄[n][k] = (1/M)·#{m : pred[m][n] = k}: the hard-vote ensemble (N×K). */
export function hardVote(pred: Int32Array, models: number, points: number, classes: number): Float64Array {
  checkPredictions('hardVote', pred, models, points, classes);
  // Integer counts, divided once: a unanimous vote is exactly 1.
  const out = new Float64Array(points * classes);
  for (let m = 0; m < models; m++) for (let i = 0; i < points; i++) out[i * classes + pred[m * points + i]!]++;
  for (let i = 0; i < out.length; i++) out[i]! /= models;
  return out;
}

/** The identity's right side M/(M−1)·mean_n Σ_k h̄(1 − h̄) (needs M ≥ 2); h̄ is a hard-vote table (`hardVote`): rows of votes in [0, 1] summing to 1. */
export function disagreementFromVotes(hbar: Float64Array, models: number, points: number, classes: number): number {
  const fn = 'disagreementFromVotes';
  checkInt(fn, 'models', models, 2, 'the identity compares at least 2 models');
  checkInt(fn, 'points', points, 1, 'pass the number of test points (rows of h̄)');
  checkInt(fn, 'classes', classes, 2, 'pass the number of classes (columns of h̄)');
  if (!(hbar instanceof Float64Array)) throw new ArgumentError(`${fn}: h̄ must be a Float64Array (points × classes, from hardVote), got ${Object.prototype.toString.call(hbar)}`);
  if (hbar.length !== points * classes) throw new ShapeError(`${fn}: h̄ must be points × classes = ${points * classes}, got ${hbar.length}`);
  let s = 0;
  for (let i = 0; i < points; i++) {
    let row = 0;
    for (let k = 0; k < classes; k++) {
      const h = hbar[i * classes + k]!;
      if (!(h >= 0 && h <= 1)) throw new ArgumentError(`${fn}: h̄[${i}][${k}] is ${h}; a vote share must be in [0, 1] (pass the table from hardVote)`);
      row += h;
      s += h * (1 - h);
    }
    if (Math.abs(row - 1) > 1e-9) throw new ArgumentError(`${fn}: row ${i} of h̄ sums to ${row}; the vote shares of a point must sum to 1 (pass the table from hardVote)`);
  }
  return (models / (models - 1)) * (s / points);
}

/** GDE summary of an ensemble (spec "Definitions"). */
export interface GdeSummary {
  models: number;
  errors: Float64Array;
  meanTestError: number;
  meanDisagreement: number;
  /** mean disagreement − mean test error (the spec's gap, over distinct pairs). */
  gap: number;
  /** E[dis] − E[err] with h, h′ drawn independently (a model may meet itself): the gap the CACE theorem bounds. */
  gapWithReplacement: number;
  /** mean disagreement / mean test error; null when every model is right on every point (0 / 0). */
  ratio: number | null;
  /** Per pair (m < m′): its disagreement and the mean error of its two models. */
  pairs: { disagreement: number; meanError: number }[];
  /** |mean_pairs dis − the h̄ identity's value|: zero up to rounding. */
  identityError: number;
}

/** Test errors, pairwise disagreement, their means, gap, ratio, pairs, and the identity's residual. */
export function gde(pred: Int32Array, labels: ArrayLike<number>, models: number, points: number, classes: number): GdeSummary {
  checkInt('gde', 'models', models, 2, 'the GDE compares at least 2 models');
  const errors = naming('gde', () => testErrors(pred, labels, models, points, classes));
  const dis = disagreementMatrix(pred, models, points, classes);
  const pairs: GdeSummary['pairs'] = [];
  for (let a = 0; a < models; a++) for (let b = a + 1; b < models; b++) pairs.push({ disagreement: dis[a * models + b]!, meanError: (errors[a]! + errors[b]!) / 2 });
  const meanDisagreement = pairs.reduce((s, p) => s + p.disagreement, 0) / pairs.length;
  const meanTestError = errors.reduce((s, e) => s + e, 0) / models;
  const identity = disagreementFromVotes(hardVote(pred, models, points, classes), models, points, classes);
  return {
    models, errors, meanTestError, meanDisagreement, gap: meanDisagreement - meanTestError,
    gapWithReplacement: (meanDisagreement * (models - 1)) / models - meanTestError,
    ratio: meanTestError > 0 ? meanDisagreement / meanTestError : null, pairs, identityError: Math.abs(meanDisagreement - identity),
  };
}

/** Most bootstrap resamples (one f64 each). */
const MAX_RESAMPLES = 10_000_000;

/** Options of bootstrapDisagreement. */
export interface BootstrapOptions {
  /** Resamples of the pairs (default 2000). */
  resamples?: number;
  /** Confidence level of the interval, in (0, 1) (default 0.95). */
  level?: number;
  /** Seed of the resampling generator (default 0). */
  seed?: number;
}

/**
 * Percentile bootstrap interval of the mean disagreement over pairs (resampling pairs with replacement; the
 * percentiles interpolate linearly, as numpy's default). Pairs that share a model are not independent, so the
 * interval is optimistic: read it as a lower bound on the spread between ensembles.
 */
export function bootstrapDisagreement(pairs: GdeSummary['pairs'], opts: BootstrapOptions = {}): { low: number; high: number } {
  const fn = 'bootstrapDisagreement';
  checkOptions(fn, opts, { resamples: true, level: true, seed: true });
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Array.isArray(pairs) || pairs.length === 0) throw new ArgumentError(`${fn}: pairs must be a non-empty array of { disagreement } (gde(...).pairs), got ${String(pairs)}`);
  pairs.forEach((p, i) => {
    const d = p?.disagreement;
    if (!(typeof d === 'number' && d >= 0 && d <= 1)) throw new ArgumentError(`${fn}: pairs[${i}].disagreement is ${String(d)}; a disagreement is a fraction in [0, 1]`);
  });
  if (!Number.isInteger(resamples) || resamples < 10 || resamples > MAX_RESAMPLES) throw new ArgumentError(`${fn}: resamples must be an integer in [10, ${MAX_RESAMPLES}], got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new ArgumentError(`${fn}: level must be in (0, 1), got ${level}`);
  if (opts.seed !== undefined && !(Number.isSafeInteger(opts.seed) && opts.seed >= 0)) throw new ArgumentError(`${fn}: seed must be an integer in [0, 2^53), got ${opts.seed}`);
  const rng = new Rng(opts.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < pairs.length; i++) s += pairs[rng.int(pairs.length)]!.disagreement;
    means[r] = s / pairs.length;
  }
  // Symmetric ranks: floor(q·R) gave ranks 51 and 1951 of 2000, and rounding could widen a 90 % interval to the extremes.
  return { low: percentile(means, 50 * (1 - level)), high: percentile(means, 100 - 50 * (1 - level)) };
}
