/**
 * Calibration of an ensemble (spec agreement-gde.md): the class-aggregated calibration error CACE of the
 * hard-vote probabilities h̄ — every (point, class) entry binned by q = h̄[n][k] into B equal-width bins on
 * [0, 1] (the last bin includes 1), CACE = Σ_b (|b|/N)·|acc_b − conf_b| — and the top-label ECE of any
 * probability table (h̄, or a model's softmax). The theorem |mean dis − mean err| ≤ CACE is tested on random
 * ensembles (test/agreement.test.ts).
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { checkArrayLike, checkClassLabels, checkInt, naming } from '../validate.js';

/** One calibration bin: its entries, mean confidence and accuracy. */
export interface CalibrationBin {
  count: number;
  confidence: number;
  accuracy: number;
}

/** A calibration error and its bins. */
export interface Calibration {
  error: number;
  bins: CalibrationBin[];
}

/** Most calibration bins (each bin costs three counters; far more bins than points measure nothing). */
export const MAX_BINS = 100_000;

/** How far a row of probabilities may sum from 1 (f32 softmax rows are off by ~1e-7). */
const ROW_SUM_TOLERANCE = 1e-4;

/** Bin index of q ∈ [0, 1] among B equal-width bins (q = 1 in the last). */
function binOf(q: number, bins: number): number {
  // q·B can round across an edge (29/50 · 50 = 28.999…). A vote c/M on an edge j/B is the same double as j/B
  // (both are the rounded value of one real), so comparing q with the edge itself bins it exactly.
  let b = Math.min(bins - 1, Math.floor(q * bins));
  if (b + 1 < bins && q >= (b + 1) / bins) b++;
  else if (b > 0 && q < b / bins) b--;
  return b;
}

function checkTable(fn: string, probs: Float64Array, labels: ArrayLike<number>, points: number, classes: number, bins: number): void {
  if (!Number.isInteger(points) || points < 1 || !Number.isInteger(classes) || classes < 2) throw new ArgumentError(`${fn}: points ≥ 1 and classes ≥ 2 must be integers, got ${points}, ${classes}`);
  checkArrayLike(fn, 'probabilities', probs);
  if (probs.length !== points * classes) throw new ShapeError(`${fn}: probabilities must be points × classes = ${points * classes}, got ${probs.length}`);
  checkClassLabels(fn, labels, classes, points, 'point');
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) throw new ArgumentError(`${fn}: bins must be an integer in [1, ${MAX_BINS}], got ${bins}`);
  for (let n = 0; n < points; n++) {
    let row = 0;
    for (let k = 0; k < classes; k++) {
      const q = probs[n * classes + k]!;
      if (!(q >= 0 && q <= 1)) throw new ArgumentError(`${fn}: probability ${n * classes + k} (point ${n}, class ${k}) is ${q}, outside [0, 1]`);
      row += q;
    }
    if (!(Math.abs(row - 1) <= ROW_SUM_TOLERANCE)) throw new ArgumentError(`${fn}: the probabilities of point ${n} sum to ${row}; each row must sum to 1 (±${ROW_SUM_TOLERANCE}): pass a softmax or vote table`);
  }
}

/** Turns per-bin sums into bins and the weighted error Σ_b (|b|/total)·|acc_b − conf_b|. */
function finish(count: Float64Array, conf: Float64Array, hits: Float64Array, total: number): Calibration {
  const bins: CalibrationBin[] = [];
  let error = 0;
  for (let b = 0; b < count.length; b++) {
    const c = count[b]!;
    const bin = { count: c, confidence: c > 0 ? conf[b]! / c : NaN, accuracy: c > 0 ? hits[b]! / c : NaN };
    bins.push(bin);
    if (c > 0) error += (c / total) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { error, bins };
}

/** CACE of class probabilities (N×K, e.g. the hard-vote h̄) against the labels, B bins (default 10). */
export function cace(probs: Float64Array, labels: ArrayLike<number>, points: number, classes: number, bins = 10): Calibration {
  checkTable('cace', probs, labels, points, classes, bins);
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let n = 0; n < points; n++) {
    for (let k = 0; k < classes; k++) {
      const q = probs[n * classes + k]!;
      const b = binOf(q, bins);
      count[b]++;
      conf[b] += q;
      if (labels[n] === k) hits[b]++;
    }
  }
  // Weights |b|/N (not /(N·K)): the spec's normalisation, range [0, K].
  return finish(count, conf, hits, points);
}

/**
 * CACE of an M-model hard-vote ensemble with one bin per vote level c/M (M + 1 equal-width bins): the CACE of the
 * theorem |E[dis] − E[err]| ≤ CACE (agreement.ts's gapWithReplacement), which then holds exactly. With fewer
 * bins than M + 1, levels share a bin and the bound can fail: M = 13 models in 10 bins gave CACE 0 against a gap
 * of 0.0197.
 */
export function caceAtVoteLevels(votes: Float64Array, labels: ArrayLike<number>, points: number, classes: number, models: number): Calibration {
  checkInt('caceAtVoteLevels', 'models', models, 1, 'pass the number of models that voted');
  return naming('caceAtVoteLevels', () => cace(votes, labels, points, classes, models + 1));
}

/** Top-label ECE: each point binned by max_k p[n][k], accuracy 1[y_n = argmax_k p[n][k]] (ties: the first). */
export function topLabelEce(probs: Float64Array, labels: ArrayLike<number>, points: number, classes: number, bins = 10): Calibration {
  checkTable('topLabelEce', probs, labels, points, classes, bins);
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let n = 0; n < points; n++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[n * classes + k]! > probs[n * classes + best]!) best = k;
    const q = probs[n * classes + best]!;
    const b = binOf(q, bins);
    count[b]++;
    conf[b] += q;
    if (labels[n] === best) hits[b]++;
  }
  return finish(count, conf, hits, points);
}
