/**
 * The metrics as the public library exports them (imported from the bundle, so a missing export fails here).
 * One table lists a valid call of every exported metric and the kind of each argument; from it every argument
 * is replaced by null and by a string, count arguments by a non-integer and by −1, number arguments by NaN,
 * fixed-length arrays by one element short and by a NaN entry, and options by a number. Each bad call must
 * throw a FeaturelabError whose message names the function; each valid call must not. Below the table, the
 * defects of the audit, one by one, and the hand-worked values of the README example.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fl from '../dist/featurelab.js';
import { ArgumentError, FeaturelabError, Rng, ShapeError } from '../dist/featurelab.js';

const s = suite('metrics API');

/**
 * Argument kinds: 'n' integer count (non-integer and −1 refused), 'x' number (NaN refused), 'a' array of fixed
 * length (one short and a NaN entry refused), 'i' integer typed array of fixed length (one short refused),
 * 'f' array of any length (a NaN entry refused), 'o' options (a number refused), '-' anything else.
 */
type Kind = 'n' | 'x' | 'a' | 'i' | 'f' | 'o' | '-';
interface Case { name: string; args: unknown[]; kinds: Kind[]; call?: (...a: unknown[]) => unknown }

// Fixtures: 3 models × 3 points, 2 classes.
const pred = Int32Array.from([0, 1, 1, 0, 1, 0, 1, 1, 1]);
const labels = [0, 1, 1];
const hbar = fl.hardVote(pred, 3, 3, 2);
const pairs = fl.gde(pred, labels, 3, 3, 2).pairs;
// Interaction tensor: two models' activations (6 points × 3 dimensions), 2 PCA features each.
const phi = Float64Array.from({ length: 18 }, (_, i) => Math.sin(1.7 * i + 0.3) + (i % 3) * 0.5);
const phi2 = Float64Array.from({ length: 18 }, (_, i) => Math.cos(0.9 * i) - (i % 3) * 0.25);
const psiA = fl.pcaFeatures(phi, 6, 3, 2);
const psiB = fl.pcaFeatures(phi2, 6, 3, 2);
const corr = fl.crossCorrelations([psiA, psiB], 6, 2);
const clusters = fl.clusterFeatures(corr, 2, 2, 0.5);
const presences = [fl.presence(psiA, 6, 2, 50), fl.presence(psiB, 6, 2, 50)];
const omega = fl.interactionTensor(presences, 6, 2, clusters.cluster, clusters.count);
const stats = fl.tensorStatistics(omega, clusters.cluster, 2);
const confidence = [0.9, 0.4, 0.7, 0.2, 0.8, 0.5];
const labels6 = [0, 1, 0, 1, 0, 1];
// Harsanyi: n = 2 variables, v on the 4 subsets.
const v = [0, 1, 2, 5];
const split = fl.andOrInteractions(v, [0, 0, 0, 0], 2);
const dist = fl.salientOrders(fl.mobius(v, 2), 2);
// Feature map: 6 samples × 3 features, 2 classes.
const feats = Float64Array.from(phi);
const weights = Float64Array.from([1, 0, 0.5, 0, 1, -0.5]);
const logits2 = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i) * 2);
const diag = fl.diagonalizeFeatureMap(feats, 6, 3);
const diag2 = fl.diagonalizeFeatureMap(Float64Array.from(phi2), 6, 3);
const u1 = fl.topSubspace(diag, 2);
const u2 = fl.topSubspace(diag2, 2);
// Fourier (p = 5), margins, memorization, parity, Nanda (p = 3).
const x5 = [1, 0.5, -0.2, 0.3, -1];
const U = Float64Array.from({ length: 10 }, (_, i) => Math.cos((2 * Math.PI * i) / 5));
const logits32 = Float64Array.from([2, 1, 0, 3, 1, 1]);
const f4 = Float64Array.from([0.5, -0.2, 0.9, -1]);
const g4 = Float64Array.from([1, -1, 1, -1]);
const kernel = Float64Array.from([2, 0.5, 0.1, 0.5, 2, 0.3, 0.1, 0.3, 2]);
const fit = fl.kernelRegression(kernel, Float64Array.from([1, -1, 1]), { ridge: 0 });
const acts = Float64Array.from({ length: 9 }, (_, r) => Math.cos((2 * Math.PI * (Math.floor(r / 3) + (r % 3))) / 3));
const modLogits = Float64Array.from({ length: 27 }, (_, i) => Math.sin(i * 0.7));

const cases: Case[] = [
  { name: 'testErrors', args: [pred, labels, 3, 3, 2], kinds: ['i', 'a', 'n', 'n', 'n'] },
  { name: 'disagreementMatrix', args: [pred, 3, 3, 2], kinds: ['i', 'n', 'n', 'n'] },
  { name: 'hardVote', args: [pred, 3, 3, 2], kinds: ['i', 'n', 'n', 'n'] },
  { name: 'disagreementFromVotes', args: [hbar, 3, 3, 2], kinds: ['a', 'n', 'n', 'n'] },
  { name: 'gde', args: [pred, labels, 3, 3, 2], kinds: ['i', 'a', 'n', 'n', 'n'] },
  { name: 'bootstrapDisagreement', args: [pairs, { resamples: 50, seed: 1 }], kinds: ['-', 'o'] },
  { name: 'cace', args: [hbar, labels, 3, 2, 4], kinds: ['a', 'a', 'n', 'n', 'n'] },
  { name: 'caceAtVoteLevels', args: [hbar, labels, 3, 2, 3], kinds: ['a', 'a', 'n', 'n', 'n'] },
  { name: 'topLabelEce', args: [hbar, labels, 3, 2, 4], kinds: ['a', 'a', 'n', 'n', 'n'] },
  { name: 'pcaFeatures', args: [phi, 6, 3, 2], kinds: ['a', 'n', 'n', 'n'] },
  { name: 'percentile', args: [[4, 1, 3, 2], 50], kinds: ['f', 'x'] },
  { name: 'pearson', args: [[1, 2, 3], [2, 1, 4]], kinds: ['f', 'f'] },
  { name: 'spearman', args: [[1, 2, 3], [2, 1, 4]], kinds: ['f', 'f'] },
  { name: 'crossCorrelations', args: [[psiA, psiB], 6, 2], kinds: ['-', 'n', 'n'] },
  { name: 'clusterFeatures', args: [corr, 2, 2, 0.5], kinds: ['a', 'n', 'n', 'x'] },
  { name: 'correlationThresholds', args: [corr, 2, 2, [50, 90]], kinds: ['a', 'n', 'n', 'f'] },
  { name: 'presence', args: [psiA, 6, 2, 50], kinds: ['a', 'n', 'n', 'x'] },
  { name: 'interactionTensor', args: [presences, 6, 2, clusters.cluster, clusters.count], kinds: ['-', 'n', 'n', 'i', 'n'] },
  { name: 'tensorStatistics', args: [omega, clusters.cluster, 2], kinds: ['-', 'i', 'n'] },
  { name: 'componentPresence', args: [presences, 6, 2, confidence], kinds: ['-', 'n', 'n', 'a'] },
  { name: 'frequencyByAdoption', args: [stats, 6], kinds: ['-', 'n'] },
  { name: 'pairCorrelationTest', args: [[1, 2, 3], [2, 1, 3], 3, 20, new Rng(2)], kinds: ['a', 'a', 'n', 'n', '-'] },
  { name: 'leaveOneModelOut', args: [[1, 2, 3, 4, 5, 6], [1, 3, 2, 5, 4, 6], 4], kinds: ['a', 'a', 'n'] },
  { name: 'residualCorrelation', args: [[1, -1, -1, 1], [4, 5, 8, 13], [1, 2, 3, 4]], kinds: ['f', 'a', 'a'] },
  { name: 'rowNorms', args: [phi, 6, 3], kinds: ['a', 'n', 'n'] },
  { name: 'unitRows', args: [phi, 6, 3], kinds: ['a', 'n', 'n'] },
  { name: 'skewness', args: [[1, 2, 5]], kinds: ['f'] },
  { name: 'confidenceSpearmanByClass', args: [confidence, stats.featuresPerPoint, labels6, 2], kinds: ['a', 'i', 'f', 'n'] },
  { name: 'mobius', args: [v, 2], kinds: ['a', 'n'] },
  { name: 'andOrInteractions', args: [v, [0, 0, 0, 0], 2], kinds: ['a', 'a', 'n'] },
  { name: 'matchingResidual', args: [v, split.and, split.or, 2], kinds: ['a', 'a', 'a', 'n'] },
  { name: 'andOrSplit', args: [v, 2, { steps: 20 }], kinds: ['a', 'n', 'o'] },
  { name: 'salientOrders', args: [fl.mobius(v, 2), 2, 0.05], kinds: ['a', 'n', 'x'] },
  { name: 'meanSalientOrder', args: [dist], kinds: ['-'] },
  { name: 'diagonalizeFeatureMap', args: [feats, 6, 3, {}], kinds: ['a', 'n', 'n', 'o'] },
  { name: 'spectrumRatios', args: [diag, 3], kinds: ['-', 'n'] },
  { name: 'spectrumCount', args: [3, 2], kinds: ['n', 'n'] },
  { name: 'eigenfunctions', args: [diag, feats, 6, 2], kinds: ['-', 'a', 'n', 'n'] },
  { name: 'piStar', args: [diag, feats, labels6, 2, 2], kinds: ['-', 'a', 'a', 'n', 'n'] },
  { name: 'piHat', args: [diag, weights, 2, 2], kinds: ['-', 'a', 'n', 'n'] },
  { name: 'rhoGap', args: [diag, 2], kinds: ['-', 'n'] },
  { name: 'classifyRegime', args: [0.97, 0.05, {}], kinds: ['-', 'x', 'o'] },
  { name: 'featureRegime', args: [diag, weights, 2, {}], kinds: ['-', 'a', 'n', 'o'] },
  { name: 'topSubspace', args: [diag, 2], kinds: ['-', 'n'] },
  { name: 'principalAngles', args: [u1, u2, 3, 2], kinds: ['a', 'a', 'n', 'n'] },
  { name: 'topSubspaceAngles', args: [diag, diag2, 2], kinds: ['-', '-', 'n'] },
  { name: 'nc1', args: [feats, 6, 3, labels6, 2, {}], kinds: ['a', 'n', 'n', 'a', 'n', 'o'] },
  { name: 'centredKernelAlignment', args: [feats, logits2, 6, 3, 2, {}], kinds: ['a', 'a', 'n', 'n', 'n', 'o'] },
  { name: 'dLR', args: [feats, logits2, 6, 3, 2, {}], kinds: ['a', 'a', 'n', 'n', 'n', 'o'] },
  { name: 'analyzeFeatureMap', args: [feats, 6, 3, labels6, 2, { weights }], kinds: ['a', 'n', 'n', 'a', 'n', 'o'] },
  { name: 'fourierBasis', args: [5], kinds: ['n'] },
  { name: 'fourierCoefficients', args: [x5, 5], kinds: ['a', 'n'] },
  { name: 'fourierPower', args: [x5, 5], kinds: ['a', 'n'] },
  { name: 'normalizedPower', args: [x5, 5], kinds: ['a', 'n'] },
  { name: 'fourierPhase', args: [x5, 5, 1], kinds: ['a', 'n', 'n'] },
  { name: 'neuronFrequencies', args: [U, U, U, 2, 5, {}], kinds: ['a', 'a', 'a', 'n', 'n', 'o'] },
  { name: 'exampleMargins', args: [logits32, labels, 3, 2], kinds: ['a', 'a', 'n', 'n'] },
  { name: 'normNu', args: [[{ data: U, cols: 5 }], 2, 3], kinds: ['-', 'n', 'x'] },
  { name: 'normalizedMargin', args: [logits32, labels, 3, 2, 1.5], kinds: ['a', 'a', 'n', 'n', 'x'] },
  { name: 'gammaStarModularAddition', args: [17], kinds: ['n'] },
  { name: 'gammaStarParity', args: [4], kinds: ['n'] },
  { name: 'gammaStarGroup', args: [6, [1, 2]], kinds: ['n', 'f'] },
  { name: 'testAccuracy', args: [f4, g4], kinds: ['a', 'a'] },
  { name: 'spuriousAccuracy', args: [f4, g4], kinds: ['a', 'a'] },
  { name: 'memorizationCov', args: [f4, g4], kinds: ['a', 'a'] },
  { name: 'memorizationCovStdError', args: [f4, g4], kinds: ['a', 'a'] },
  { name: 'featureAlignment', args: [fit, kernel], kinds: ['-', 'a'] },
  { name: 'leaveOneOutPredictions', args: [fit], kinds: ['-'] },
  { name: 'leaveOneOutErrors', args: [fit, Float64Array.from([1, -1, 1])], kinds: ['-', 'a'] },
  { name: 'predictedMemorization', args: [f4, f4, g4], kinds: ['a', 'a', 'a'] },
  { name: 'meanAlignment', args: [f4], kinds: ['f'] },
  { name: 'gammaRegime', args: [10, 5], kinds: ['n', 'n'] },
  { name: 'gammaFromCoefficients', args: [Float64Array.from([0.5, 0.4, 0.3, 0.2]), 0.5, 'rf', 'small-n', 0], kinds: ['f', 'x', '-', '-', 'x'] },
  { name: 'gammaTheory', args: ['relu', 0.5, { features: 'rf', regime: 'small-n', degree: 8, nodes: 32 }], kinds: ['-', 'x', 'o'] },
  { name: 'supportMass', args: [U, 2, 5, [0, 1], {}], kinds: ['a', 'n', 'n', '-', 'o'] },
  { name: 'keyFrequencies', args: [acts, 1, 3, {}], kinds: ['a', 'n', 'n', 'o'] },
  { name: 'keyFrequencyLogits', args: [modLogits, 3, [1]], kinds: ['a', 'n', '-'] },
  { name: 'modularAdditionLoss', args: [modLogits, 3, {}], kinds: ['a', 'n', 'o'] },
  { name: 'restrictedLoss', args: [modLogits, 3, [1], {}], kinds: ['a', 'n', '-', 'o'] },
  { name: 'excludedLoss', args: [modLogits, 3, [1], {}], kinds: ['a', 'n', '-', 'o'] },
  { name: 'gaussianWeights', args: [new Rng(1), 2, 3], kinds: ['-', 'n', 'n'] },
];

/** The bad variants of a case: [description, arguments]. */
function badVariants(c: Case): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  const withArg = (i: number, value: unknown): unknown[] => c.args.map((a, j) => (j === i ? value : a));
  c.args.forEach((arg, i) => {
    const put = (what: string, value: unknown) => out.push([`argument ${i} ${what}`, withArg(i, value)]);
    put('null', null);
    put("'x'", 'x');
    const kind = c.kinds[i];
    if (kind === 'n') {
      put('+ 0.5', (arg as number) + 0.5);
      put('−1', -1);
    } else if (kind === 'x') {
      put('NaN', NaN);
    } else if (kind === 'a' || kind === 'i' || kind === 'f') {
      const arr = arg as ArrayLike<number>;
      if (kind !== 'f') put('one short', Array.isArray(arr) ? arr.slice(0, -1) : (arr as Float64Array).slice(0, -1));
      if (kind !== 'i') {
        const nan = Array.isArray(arr) ? [...arr] : (arr as Float64Array).slice();
        nan[0] = NaN;
        put('with a NaN entry', nan);
      }
    } else if (kind === 'o') {
      put('a number', 5);
    }
  });
  return out;
}

/** The exported function of a case. */
function fnOf(c: Case): (...a: unknown[]) => unknown {
  const f = (fl as unknown as Record<string, unknown>)[c.name];
  assert.type(f, 'function', `${c.name} is exported`);
  return f as (...a: unknown[]) => unknown;
}

s('every exported metric takes its valid call and refuses each bad argument with a FeaturelabError naming it', () => {
  let refused = 0;
  const faults: string[] = [];
  for (const c of cases) {
    assert.is(c.kinds.length, c.args.length, `${c.name}: a kind per argument`);
    const f = fnOf(c);
    f(...c.args);
    for (const [what, args] of badVariants(c)) {
      let thrown: unknown = null;
      try {
        f(...args);
      } catch (e) {
        thrown = e;
      }
      if (!(thrown instanceof FeaturelabError)) faults.push(`${c.name} with ${what}: ${thrown === null ? 'no error' : `threw ${String(thrown)}`} instead of a FeaturelabError`);
      else if (!thrown.message.includes(c.name)) faults.push(`${c.name} with ${what}: the message does not name the function: ${thrown.message}`);
      else refused++;
    }
  }
  assert.is(faults.length, 0, faults.join('\n'));
  assert.ok(refused > 500, `${refused} bad calls refused`);
});

/** Asserts that `f` throws an error of class `type` whose message matches `pattern`. */
function refuses(f: () => unknown, type: typeof FeaturelabError, pattern: RegExp, what: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof type)) assert.unreachable(`${what}: threw ${String(e)}, not a ${type.name}`);
    if (!pattern.test((e as Error).message)) assert.unreachable(`${what}: message ${(e as Error).message} does not match ${pattern}`);
    return;
  }
  assert.unreachable(`${what}: returned instead of throwing`);
}

s('audit, interaction tensor: NaN, short or out-of-range inputs are refused instead of giving made-up numbers', () => {
  refuses(() => fl.spearman([1, NaN, 3, 0], [2, 4, 7, 1]), ArgumentError, /spearman: x\[1\] is NaN/, 'spearman with NaN (was 0.4)');
  refuses(() => fl.percentile([1, NaN, 3], 50), ArgumentError, /percentile: values\[1\] is NaN/, 'percentile with NaN');
  refuses(() => fl.percentile([-Infinity, Infinity], 50), ArgumentError, /percentile: values\[0\] is -Infinity/, 'percentile with ±∞');
  refuses(() => fl.crossCorrelations([psiA, psiB.slice(0, 10)], 6, 2), ShapeError, /crossCorrelations: psis\[1\] has length 10 but .* needs 12/, 'short Ψ');
  refuses(() => fl.clusterFeatures(corr.slice(0, 8), 2, 2, 0.5), ShapeError, /clusterFeatures: l has length 8 .* needs 16/, 'short L');
  refuses(() => fl.clusterFeatures(corr, 2, 2, NaN), ArgumentError, /clusterFeatures: threshold must be a finite number/, 'NaN threshold');
  refuses(() => fl.presence(psiA.slice(0, 5), 6, 2), ShapeError, /presence: psi has length 5/, 'short Ψ');
  refuses(() => fl.presence(Float64Array.from(psiA, (x, i) => (i === 3 ? NaN : x)), 6, 2), ArgumentError, /presence: psi\[3\] is NaN/, 'NaN Ψ');
  refuses(() => fl.interactionTensor(presences, 6, 2, Int32Array.from([0, 1, 2, 9]), 3), ArgumentError, /interactionTensor: cluster\[3\] is 9; feature ids must lie in \[0, features = 3\)/, 'cluster id ≥ features');
  refuses(() => fl.tensorStatistics(omega, Int32Array.from([0, 0, 0, clusters.count]), 2), ArgumentError, /tensorStatistics: cluster\[3\]/, 'cluster id ≥ features');
  refuses(() => fl.componentPresence([presences[0]!.slice(0, 4)], 6, 2, confidence), ShapeError, /componentPresence: presences\[0\] has length 4/, 'short presence');
  refuses(() => fl.frequencyByAdoption(stats, 0), ArgumentError, /frequencyByAdoption: n must be an integer ≥ 1/, 'n = 0 (was NaN)');
  refuses(() => fl.confidenceSpearmanByClass(confidence, stats.featuresPerPoint, labels6, -1), ArgumentError, /confidenceSpearmanByClass: classes must be an integer ≥ 1/, 'classes −1 (was a RangeError)');
  refuses(() => fl.confidenceSpearmanByClass(confidence, stats.featuresPerPoint, [0, 1, 0, 1, 0, 2], 2), ArgumentError, /labels\[5\] is 2, not a class in \[0, 2\)/, 'label ≥ classes (was ignored)');
});

s('audit, Harsanyi: NaN tables, short AND/OR tables and bad split options are refused', () => {
  refuses(() => fl.salientOrders([0, NaN, 2, 5], 2), ArgumentError, /salientOrders: interactions\[1\] is NaN/, 'NaN interaction (was "nothing salient")');
  refuses(() => fl.salientOrders([0, 1, 2, 5], 2, 0.05, undefined, NaN), ArgumentError, /salientOrders: maxAbs is NaN/, 'NaN maxAbs');
  refuses(() => fl.salientOrders([0, 1, 2, 5], 2, 0.05, undefined, 3), ArgumentError, /largest \|I\| = 5/, 'maxAbs below the table\'s own max');
  refuses(() => fl.salientOrders([0, 1, 2, 5], 2, 0.05, { positive: new Float64Array(2), negative: new Float64Array(2), counts: new Int32Array(2) }), ArgumentError, /salientOrders: into must be an OrderDistribution with n \+ 1 = 3 orders/, 'short into');
  refuses(() => fl.mobius([0, 1, NaN, 3], 2), ArgumentError, /mobius: v\[2\] is NaN/, 'NaN in mobius (was passed through)');
  refuses(() => fl.matchingResidual(v, split.and.slice(0, 3), split.or, 2), ShapeError, /matchingResidual: and must hold 2ⁿ = 4 values/, 'short and');
  refuses(() => fl.matchingResidual(v, split.and, [0, 0], 2), ShapeError, /matchingResidual: or must hold 2ⁿ = 4 values/, 'short or');
  for (const lr of [NaN, Infinity, -1]) refuses(() => fl.andOrSplit(v, 2, { lr }), ArgumentError, /andOrSplit: lr must be a positive finite number/, `lr ${lr} (was the unlearned split)`);
  for (const qBound of [NaN, -1]) refuses(() => fl.andOrSplit(v, 2, { qBound }), ArgumentError, /andOrSplit: qBound must be a finite number ≥ 0/, `qBound ${qBound}`);
  refuses(() => fl.andOrSplit(v, 2, { steps: 1e12 }), ArgumentError, /andOrSplit: steps must be an integer in \[0, 10000000\]/, 'steps 1e12 (was a RangeError)');
});

s('audit, agreement and calibration: vote tables, pairs and null arguments are checked', () => {
  refuses(() => fl.disagreementFromVotes(new Float64Array(0), 3, 0, 2), ArgumentError, /disagreementFromVotes: points must be an integer ≥ 1/, '0 points (was NaN)');
  refuses(() => fl.disagreementFromVotes(Float64Array.from([NaN, 1, 0.5, 0.5, 1, 0]), 3, 3, 2), ArgumentError, /h̄\[0\]\[0\] is NaN; a vote share must be in \[0, 1\]/, 'NaN vote');
  refuses(() => fl.disagreementFromVotes(Float64Array.from([-2, 3, 0.5, 0.5, 1, 0]), 3, 3, 2), ArgumentError, /h̄\[0\]\[0\] is -2/, 'vote outside [0, 1] (was −18)');
  refuses(() => fl.disagreementFromVotes(Float64Array.from([0.2, 0.2, 0.5, 0.5, 1, 0]), 3, 3, 2), ArgumentError, /row 0 of h̄ sums to 0.4/, 'votes not summing to 1');
  refuses(() => fl.disagreementFromVotes(hbar, 2.5, 3, 2), ArgumentError, /models must be an integer ≥ 2, got 2.5/, 'models 2.5');
  refuses(() => fl.bootstrapDisagreement([...pairs, { disagreement: NaN, meanError: 0 }]), ArgumentError, /bootstrapDisagreement: pairs\[3\].disagreement is NaN/, 'a NaN pair (was NaN)');
  refuses(() => fl.cace(Float64Array.from([0.5, 0.2, 1, 0, 0, 1]), labels, 3, 2), ArgumentError, /cace: the probabilities of point 0 sum to 0.7/, 'rows not summing to 1');
  refuses(() => fl.testErrors(pred, null as unknown as number[], 3, 3, 2), ArgumentError, /testErrors: labels must be an array/, 'null labels (was a TypeError)');
});

s('audit, feature map, margin, parity, Fourier and Rng: defaults after the checks, no overflow to NaN', () => {
  refuses(() => fl.spectrumRatios({} as never), ArgumentError, /spectrumRatios: d must be the object returned by diagonalizeFeatureMap/, 'spectrumRatios({}) (was a TypeError)');
  refuses(() => fl.piStar({} as never, feats, labels6, 2), ArgumentError, /piStar: d must be/, 'piStar({})');
  refuses(() => fl.piHat({} as never, weights, 2), ArgumentError, /piHat: d must be/, 'piHat({})');
  refuses(() => fl.eigenfunctions({} as never, feats, 6), ArgumentError, /eigenfunctions: d must be/, 'eigenfunctions({})');
  // γ* = k!·√(2(k+1)^{−(k+1)}) was NaN from k = 171 (and 0 from k = 149): against a sum of logarithms.
  const logGamma = (k: number) => { let l = 0.5 * Math.log(2) - ((k + 1) / 2) * Math.log(k + 1); for (let j = 2; j <= k; j++) l += Math.log(j); return l; };
  for (const k of [100, 141, 142, 149, 171, 250, 363]) {
    const g = fl.gammaStarParity(k);
    assert.ok(Number.isFinite(g) && Math.abs(Math.log(g) - logGamma(k)) < 1e-10, `γ*(${k}) = ${g}`);
  }
  refuses(() => fl.gammaStarParity(364), ArgumentError, /gammaStarParity: γ\* for k = 364 exceeds the largest double .* at most 363/, 'k = 364');
  for (const nu of [NaN, -1]) refuses(() => fl.supportMass(U, 2, 5, [0], { nu }), ArgumentError, /supportMass: opts.nu must be a positive finite number/, `nu ${nu}`);
  const heavy = fl.supportMass(U, 2, 5, [0], { nu: 400 });
  assert.ok(Math.abs(heavy.weightedMean - fl.supportMass(U, 2, 5, [0]).weightedMean) < 1e-12, `ν = 400 weighs the two equal neurons equally (was NaN): ${heavy.weightedMean}`);
  const big = Float64Array.from(U, (x) => x * 1e200);
  refuses(() => fl.neuronFrequencies(big, big, big, 2, 5), ArgumentError, /neuronFrequencies: ‖\(u_0, v_0, w_0\)‖² overflows .* divide U, V and W by a common factor/, 'weights ~1e200 (was maxPower NaN)');
  refuses(() => fl.normalizedPower([1e200, 0, 0, 0, 0], 5), ArgumentError, /normalizedPower: the power of x overflows/, 'x ~1e200');
  const r = new Rng(3);
  refuses(() => r.restore({} as never), ArgumentError, /Rng.restore: expected a state/, 'Rng.restore({}) (was a TypeError)');
  refuses(() => r.fillNormal(null as never), ArgumentError, /Rng.fillNormal: out must be a Float32Array/, 'fillNormal(null)');
  refuses(() => fl.gaussianWeights({} as never, 2, 3), ArgumentError, /gaussianWeights: rng must be an Rng/, 'not an Rng');
});

s('Rng and gaussianWeights from the package draw the same V for the same seed, and restore resumes a sequence', () => {
  const a = fl.gaussianWeights(new Rng(42), 4, 3);
  const b = fl.gaussianWeights(new Rng(42), 4, 3);
  assert.equal(Array.from(a), Array.from(b));
  assert.is.not(Array.from(a).join(), Array.from(fl.gaussianWeights(new Rng(43), 4, 3)).join());
  const r = new Rng(9);
  r.uniform();
  const state = r.state();
  const next = r.uniform();
  r.restore(state);
  assert.is(r.uniform(), next);
});

s('hand-worked values through the package: GDE, CACE, ECE (the README example), Möbius, γ*, a pure Fourier mode', () => {
  // Three models (rows), four points, two classes, labels 0 1 1 1: errors 1/4, 3/4, 2/4; disagreements
  // (m0, m1) 2/4, (m0, m2) 1/4, (m1, m2) 3/4 — both means 1/2, so the gap is 0 and the ratio 1.
  const p = Int32Array.from([0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0]);
  const y = [0, 1, 1, 1];
  const g = fl.gde(p, y, 3, 4, 2);
  assert.equal(Array.from(g.errors), [0.25, 0.75, 0.5]);
  assert.equal(g.pairs.map((q) => q.disagreement), [0.5, 0.25, 0.75]);
  assert.ok(Math.abs(g.meanTestError - 0.5) < 1e-15 && Math.abs(g.meanDisagreement - 0.5) < 1e-15 && Math.abs(g.ratio! - 1) < 1e-15 && g.identityError < 1e-15);
  // h̄ rows (2/3, 1/3), (1/3, 2/3), (1/3, 2/3), (1, 0). In 10 bins: the entry 0 (bin 0) is right (acc 1, conf 0),
  // the three 1/3 (bin 3) are all wrong, the three 2/3 (bin 6) all right, the 1 (bin 9) wrong:
  // CACE = (1·1 + 3·1/3 + 3·1/3 + 1·1)/4 = 1. Top label: confidences 2/3 (three, right) and 1 (wrong): ECE = (3·1/3 + 1)/4 = 1/2.
  const votes = fl.hardVote(p, 3, 4, 2);
  const c = fl.cace(votes, y, 4, 2);
  assert.ok(Math.abs(c.error - 1) < 1e-15, `CACE ${c.error}`);
  assert.equal(c.bins.map((b) => b.count), [1, 0, 0, 3, 0, 0, 3, 0, 0, 1]);
  const e = fl.topLabelEce(votes, y, 4, 2);
  assert.ok(Math.abs(e.error - 0.5) < 1e-15, `ECE ${e.error}`);
  assert.equal(Array.from(fl.mobius([0, 1, 2, 5], 2)), [0, 1, 2, 2]);
  assert.ok(Math.abs(fl.gammaStarParity(4) - 0.60716) < 1e-5);
  const pure = Array.from({ length: 7 }, (_, a) => Math.cos((2 * Math.PI * 2 * a) / 7 + 0.4));
  const np = fl.normalizedPower(pure, 7);
  assert.ok(Math.abs(np[2]! - 1) < 1e-12, `a pure ζ = 2 mode has normalized power 1 at ζ = 2: ${np[2]}`);
});

s.run();
