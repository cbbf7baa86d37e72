/**
 * Agreement, GDE and calibration (specs/agreement-gde.md): test errors, the disagreement matrix and the
 * hard-vote ensemble on a hand-worked table; the exact identity mean_pairs dis = M/(M−1)·mean Σ h̄(1 − h̄) on
 * random ensembles; the theorem |E[dis] − E[err]| ≤ CACE on random ensembles (with E[dis] over pairs drawn
 * with replacement, where it is exact for the spec's bins up to 10 models, and beyond with a bin per vote
 * level); CACE and ECE by hand; the bootstrap interval against numpy's percentile convention.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError } from '../src/errors.js';
import { bootstrapDisagreement, disagreementFromVotes, disagreementMatrix, gde, hardVote, testErrors } from '../src/metrics/agreement.js';
import { cace, caceAtVoteLevels, topLabelEce } from '../src/metrics/calibration.js';
import { softmaxRows } from '../src/experiments/ensemble.js';
import { Rng } from '../src/rng.js';

const s = suite('agreement, GDE, calibration');

// M = 3 models, N = 4 points, K = 3 classes.
const PRED = Int32Array.from([0, 1, 2, 0, /* model 1 */ 0, 1, 1, 0, /* model 2 */ 2, 1, 2, 1]);
const Y = [0, 1, 2, 2];

s('errors, disagreement matrix, hard votes and the identity on a hand-worked table', () => {
  assert.equal(Array.from(testErrors(PRED, Y, 3, 4, 3)), [0.25, 0.5, 0.5]);
  const dis = disagreementMatrix(PRED, 3, 4, 3);
  assert.equal(Array.from(dis), [0, 0.25, 0.5, 0.25, 0, 0.75, 0.5, 0.75, 0]);
  const h = hardVote(PRED, 3, 4, 3);
  const want = [2 / 3, 0, 1 / 3, 0, 1, 0, 0, 1 / 3, 2 / 3, 2 / 3, 1 / 3, 0];
  want.forEach((v, i) => assert.ok(Math.abs(h[i]! - v) < 1e-15, `h̄[${i}]`));
  // Σ_k h̄(1 − h̄) = 4/9, 0, 4/9, 4/9 → mean 1/3, times M/(M − 1) = 3/2: 1/2 = the mean of 0.25, 0.5, 0.75.
  assert.ok(Math.abs(disagreementFromVotes(h, 3, 4, 3) - 0.5) < 1e-15);
  const g = gde(PRED, Y, 3, 4, 3);
  assert.ok(Math.abs(g.meanDisagreement - 0.5) < 1e-15 && Math.abs(g.meanTestError - 5 / 12) < 1e-15);
  assert.ok(Math.abs(g.gap - 1 / 12) < 1e-15 && g.identityError < 1e-15);
  assert.equal(g.pairs.map((p) => p.meanError), [0.375, 0.375, 0.5]);
  assert.throws(() => testErrors(Int32Array.from([0, 3]), [0, 0], 1, 2, 3), (e: Error) => e instanceof ArgumentError && /not a class/.test(e.message));
  assert.throws(() => gde(PRED.subarray(0, 4), Y, 1, 4, 3), (e: Error) => e instanceof ArgumentError && /at least 2 models/.test(e.message));
});

/** M models of a K-class problem on N points: each model is right with probability p_n (a per-point difficulty). */
function randomEnsemble(rng: Rng, m: number, n: number, k: number): { pred: Int32Array; y: Int32Array } {
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  const difficulty = Float64Array.from({ length: n }, () => rng.uniform());
  const pred = new Int32Array(m * n);
  for (let a = 0; a < m; a++) for (let i = 0; i < n; i++) pred[a * n + i] = rng.uniform() < difficulty[i]! ? y[i]! : rng.int(k);
  return { pred, y };
}

s('the identity holds to rounding and |E[dis] − E[err]| ≤ CACE on 200 random ensembles (M = 2 … 10)', () => {
  const rng = new Rng(42);
  for (let t = 0; t < 200; t++) {
    const m = 2 + (t % 9);
    const n = 5 + rng.int(60);
    const k = 2 + rng.int(9);
    const { pred, y } = randomEnsemble(rng, m, n, k);
    const g = gde(pred, y, m, n, k);
    assert.ok(g.identityError < 1e-12, `identity residual ${g.identityError}`);
    // E over pairs with replacement (the theorem's ensemble): (M − 1)/M of the distinct-pair mean.
    const eDis = (g.meanDisagreement * (m - 1)) / m;
    assert.ok(Math.abs(g.gapWithReplacement - (eDis - g.meanTestError)) < 1e-15);
    const bound = cace(hardVote(pred, m, n, k), y, n, k).error;
    assert.ok(Math.abs(eDis - g.meanTestError) <= bound + 1e-12, `M = ${m}, N = ${n}, K = ${k}: |${eDis} − ${g.meanTestError}| > CACE ${bound}`);
  }
});

s('beyond 10 models the theorem needs a bin per vote level: caceAtVoteLevels bounds every ensemble, 10 bins do not', () => {
  const rng = new Rng(7);
  let tenBinFailures = 0;
  for (let t = 0; t < 2000; t++) {
    const m = 11 + (t % 15);
    const n = 2 + rng.int(6);
    const k = 2 + rng.int(3);
    const { pred, y } = randomEnsemble(rng, m, n, k);
    const g = gde(pred, y, m, n, k);
    const votes = hardVote(pred, m, n, k);
    const levels = caceAtVoteLevels(votes, y, n, k, m).error;
    assert.ok(Math.abs(g.gapWithReplacement) <= levels + 1e-12, `M = ${m}, N = ${n}, K = ${k}: |${g.gapWithReplacement}| > CACE at the vote levels ${levels}`);
    if (Math.abs(g.gapWithReplacement) > cace(votes, y, n, k, 10).error + 1e-12) tenBinFailures++;
  }
  // Two vote levels sharing a bin can cancel their miscalibration: the reason for one bin per level.
  assert.ok(tenBinFailures > 0, 'some ensemble of more than 10 models breaks the bound with 10 bins');
});

s('a calibrated ensemble: the distinct-pair gap exceeds CACE = 0, the theorem\'s gap (h, h′ independent) is 0', () => {
  // 10 models, 2 points: five predict 0 and five predict 1 on both; labels 0, 1. h̄ = ½ everywhere, right half the time.
  const m = 10;
  const pred = Int32Array.from({ length: 2 * m }, (_, i) => (Math.floor(i / 2) < 5 ? 0 : 1));
  const g = gde(pred, [0, 1], m, 2, 2);
  const votes = hardVote(pred, m, 2, 2);
  assert.ok(Math.abs(g.gap - (25 / 45 - 0.5)) < 1e-15, `distinct pairs: dis 25/45 against error ½, gap ${g.gap}`);
  assert.ok(Math.abs(g.gapWithReplacement) < 1e-15, `with replacement: dis ½ = error, gap ${g.gapWithReplacement}`);
  assert.ok(caceAtVoteLevels(votes, [0, 1], 2, 2, m).error < 1e-15 && cace(votes, [0, 1], 2, 2).error < 1e-15);
});

s('CACE and top-label ECE by hand; probabilities outside [0, 1] are refused', () => {
  // One point, h̄ = (0.8, 0.2), label 1: entries q = 0.8 (miss, bin 8) and q = 0.2 (hit, bin 2).
  const c = cace(Float64Array.from([0.8, 0.2]), [1], 1, 2);
  assert.ok(Math.abs(c.error - 1.6) < 1e-12, `CACE ${c.error}`);
  assert.is(c.bins[8]!.count, 1);
  assert.is(c.bins[2]!.accuracy, 1);
  assert.ok(Math.abs(topLabelEce(Float64Array.from([0.8, 0.2]), [1], 1, 2).error - 0.8) < 1e-12);
  // A perfectly calibrated table: two points with h̄ = (½, ½), one labelled each way → CACE 0.
  assert.ok(cace(Float64Array.from([0.5, 0.5, 0.5, 0.5]), [0, 1], 2, 2).error < 1e-15);
  // q = 1 falls in the last bin.
  assert.is(cace(Float64Array.from([1, 0]), [0], 1, 2).bins[9]!.count, 1);
  assert.throws(() => cace(Float64Array.from([1.2, -0.2]), [0], 1, 2), (e: Error) => e instanceof ArgumentError && /outside \[0, 1\]/.test(e.message));
  // A label that is not a class would count as a silent miss; absurd bin counts would exhaust memory.
  for (const bad of [5, -1, 0.5, Number.NaN]) {
    assert.throws(() => cace(Float64Array.from([0.8, 0.2]), [bad], 1, 2), (e: Error) => e instanceof ArgumentError && /labels\[0\] is .*not a class in \[0, 2\)/.test(e.message), `cace label ${bad}`);
    assert.throws(() => topLabelEce(Float64Array.from([0.8, 0.2]), [bad], 1, 2), (e: Error) => e instanceof ArgumentError && /not a class/.test(e.message), `ece label ${bad}`);
    assert.throws(() => testErrors(Int32Array.from([0, 1]), [bad], 2, 1, 2), (e: Error) => e instanceof ArgumentError && /testErrors: labels\[0\] is/.test(e.message), `testErrors label ${bad}`);
  }
  assert.throws(() => cace(Float64Array.from([0.8, 0.2]), [0], 1, 2, 2 ** 31), (e: Error) => e instanceof ArgumentError && /bins must be an integer in \[1, 100000\]/.test(e.message));
});

s('hard votes on a bin edge fall in the bin above it, as with exact arithmetic (29/50 with 50 bins: bin 29)', () => {
  // One point, M models: c vote class 0 and M − c class 1, so h̄ = (c/M, (M − c)/M); their bins are
  // floor(c·B/M) and floor((M − c)·B/M) in integers (the last bin takes q = 1). q·B in floating point can
  // land just below an integer (0.58·50 = 28.999…), which must not move q down a bin.
  for (const bins of [10, 20, 50, 100]) {
    for (let m = 2; m <= 120; m++) {
      for (let c = 0; c <= m; c++) {
        const pred = Int32Array.from({ length: m }, (_, a) => (a < c ? 0 : 1));
        const want = new Array<number>(bins).fill(0);
        for (const votes of [c, m - c]) want[Math.min(bins - 1, Math.floor((votes * bins) / m))]!++;
        const got = cace(hardVote(pred, m, 1, 2), [0], 1, 2, bins).bins.map((b) => b.count);
        assert.equal(got, want, `M = ${m}, c = ${c}, ${bins} bins`);
      }
    }
  }
  // 50 models, 2 points labelled 0 and 1; 29 and 28 models vote class 0. Exact bins hold one entry each: q = 0.58
  // (hit) in bin 29, 0.42 (miss) in 21, 0.56 (miss) in 28, 0.44 (hit) in 22, so CACE = (0.42 + 0.42 + 0.56 +
  // 0.56) / 2 = 0.98. With 0.58 moved down into bin 28 beside 0.56 it would be 0.56.
  const pred = new Int32Array(50 * 2);
  for (let a = 0; a < 50; a++) { pred[a * 2] = a < 29 ? 0 : 1; pred[a * 2 + 1] = a < 28 ? 0 : 1; }
  const c = cace(hardVote(pred, 50, 2, 2), [0, 1], 2, 2, 50);
  assert.ok(Math.abs(c.error - 0.98) < 1e-12, `CACE ${c.error}`);
});

s('GDE ratio is null when every model is right everywhere (0 / 0), not NaN', () => {
  const g = gde(Int32Array.from([0, 1, 0, 1]), [0, 1], 2, 2, 2);
  assert.is(g.meanTestError, 0);
  assert.is(g.meanDisagreement, 0);
  assert.is(g.ratio, null);
  assert.ok(Math.abs(gde(PRED, Y, 3, 4, 3).ratio! - 0.5 / (5 / 12)) < 1e-15);
});

s('bootstrap interval of the mean disagreement brackets it, narrows with more pairs, and is seeded', () => {
  const rng = new Rng(5);
  const pairsOf = (count: number) => Array.from({ length: count }, () => ({ disagreement: 0.2 + 0.1 * rng.uniform(), meanError: 0.2 }));
  const few = pairsOf(10);
  const many = pairsOf(1000);
  const mean = (p: { disagreement: number }[]) => p.reduce((t, x) => t + x.disagreement, 0) / p.length;
  const a = bootstrapDisagreement(few, { seed: 1 });
  const b = bootstrapDisagreement(many, { seed: 1 });
  assert.ok(a.low <= mean(few) && mean(few) <= a.high);
  assert.ok(b.low <= mean(many) && mean(many) <= b.high);
  assert.ok(b.high - b.low < (a.high - a.low) / 3, `interval widths ${a.high - a.low} vs ${b.high - b.low}`);
  assert.equal(bootstrapDisagreement(few, { seed: 1 }), a);
});

s('bootstrap interval: linearly interpolated percentiles of the resampled means, symmetric ranks (as numpy)', () => {
  const pairs = [0.1, 0.3, 0.2, 0.6, 0.25, 0.4].map((d) => ({ disagreement: d, meanError: 0.3 }));
  const got = bootstrapDisagreement(pairs, { resamples: 20, level: 0.9, seed: 3 });
  // The same resamples by hand (the generator draws pair indices in order), then numpy's default percentile.
  const rng = new Rng(3);
  const means = Array.from({ length: 20 }, () => pairs.reduce((t) => t + pairs[rng.int(pairs.length)]!.disagreement, 0) / pairs.length).sort((x, y) => x - y);
  const linear = (q: number) => {
    const at = (q / 100) * (means.length - 1);
    const lo = Math.floor(at);
    return means[lo]! + (at - lo) * (means[Math.min(lo + 1, means.length - 1)]! - means[lo]!);
  };
  assert.ok(Math.abs(got.low - linear(5)) < 1e-15 && Math.abs(got.high - linear(95)) < 1e-15, `${JSON.stringify(got)} vs ${linear(5)}, ${linear(95)}`);
  assert.ok(got.low > means[0]! && got.high < means[19]!, 'a 90 % interval of 20 resamples is not their whole range');
});

s('softmaxRows: rows sum to 1, max-shifted (no overflow at ±1e4)', () => {
  const p = softmaxRows(Float32Array.from([0, Math.log(3), 1e4, 1e4 - Math.log(3)]), 2, 2);
  assert.ok(Math.abs(p[0]! - 0.25) < 1e-7 && Math.abs(p[1]! - 0.75) < 1e-7);
  // f32 spacing at 1e4 is ~1e-3, so the second row's logit gap is ln 3 only to ~3e-5.
  assert.ok(Math.abs(p[2]! - 0.75) < 1e-4 && Math.abs(p[3]! - 0.25) < 1e-4 && Math.abs(p[2]! + p[3]! - 1) < 1e-15);
});

s.run();
