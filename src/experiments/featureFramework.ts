/**
 * A Monte-Carlo simulation of the feature framework of "On the Joint Interaction of Models, Data, and
 * Features" (spec interaction-tensor.md, "The framework (simulation, ours)") — a simulation of the framework,
 * not the paper's closed form. Binary task; each class has tD dominant and tR rare features; a point is
 * dominant with probability pD and carries nD of its class's dominant features, else nR rare ones; a model
 * learns c features of each class sampled in proportion to their frequency (without replacement); a model is
 * right when it learned a feature of the point, else it guesses; two guessing models agree with probability
 * ζ(k) + (1 − ζ(k))/2 with k = the features of the point's class that both learned (ours: a guessing model has no
 * feature of the point, so "shared" can only mean shared learned features; counted over both classes, k > 0 for
 * nearly every pair, ζ is a constant and no parameter change acts through it — then tripling tR and tD together
 * moves the gap as far as tripling tR alone), ζ(k) = 0.9·1[k > 0]; a right and a guessing model agree when the
 * guess is right (probability ½).
 * Each run also gives the framework's version of the observation check over model pairs: the Pearson correlation
 * between the features two models both learned (both classes) and their agreement rate.
 */
import { ArgumentError } from '../errors.js';
import { pearson } from '../metrics/interactionTensor.js';
import { Rng } from '../rng.js';

/** Parameters of the framework. */
export interface FrameworkParams {
  tD: number;
  tR: number;
  nD: number;
  nR: number;
  pD: number;
  /** Features a model learns per class. */
  c: number;
}

/** What one simulation gives: the framework's accuracy, pairwise agreement and the pairs' shared-features check. */
export interface FrameworkResult {
  accuracy: number;
  agreement: number;
  /** Pearson correlation over model pairs of |S_a ∩ S_b| and the pair's agreement rate; NaN when either is constant. */
  sharedAgreementCorrelation: number;
}

/** Expected accuracy and pairwise agreement, estimated over `models` models and `points` points. */
export function simulateFramework(params: FrameworkParams, seed: number, models = 20, points = 4000): FrameworkResult {
  const { tD, tR, nD, nR, pD, c } = params;
  for (const [k, v] of Object.entries(params)) if (!(v >= 0) || !Number.isFinite(v)) throw new ArgumentError(`simulateFramework: ${k} must be finite and ≥ 0, got ${v}`);
  if (nD > tD || nR > tR) throw new ArgumentError(`simulateFramework: a point cannot carry more features than its class has (nD ≤ tD, nR ≤ tR)`);
  if (c > tD + tR) throw new ArgumentError(`simulateFramework: c = ${c} exceeds the ${tD + tR} features of a class`);
  const rng = new Rng(seed);
  const perClass = tD + tR;
  // Frequency of each feature of a class: a dominant one is in nD/tD of the pD dominant points, a rare one in nR/tR of the rest.
  const weight = Array.from({ length: perClass }, (_, f) => (f < tD ? (pD * nD) / tD : ((1 - pD) * nR) / tR));
  const learn = (r: Rng): Uint8Array => {
    const learned = new Uint8Array(2 * perClass);
    for (let cls = 0; cls < 2; cls++) {
      const w = weight.slice();
      for (let pick = 0; pick < c; pick++) {
        const total = w.reduce((a, b) => a + b, 0);
        if (total <= 0) break;
        let u = r.uniform() * total;
        let f = 0;
        while (f < perClass - 1 && u >= w[f]!) u -= w[f++]!;
        learned[cls * perClass + f] = 1;
        w[f] = 0;
      }
    }
    return learned;
  };
  const sets = Array.from({ length: models }, (_, m) => learn(rng.fork(`model/${m}`)));
  // shared[cls][a·M + b]: features of class cls that models a and b both learned.
  const shared = [0, 1].map((cls) => {
    const counts = new Int32Array(models * models);
    for (let a = 0; a < models; a++) for (let b = 0; b < models; b++) for (let f = cls * perClass; f < (cls + 1) * perClass; f++) counts[a * models + b]! += sets[a]![f]! & sets[b]![f]!;
    return counts;
  });
  const data = rng.fork('points');
  let right = 0;
  let agree = 0;
  let pairs = 0;
  // Agreements of each pair a < b (index a·M + b), for the pairs' shared-features check.
  const pairAgree = new Float64Array(models * models);
  const pointFeatures = new Uint8Array(perClass);
  for (let n = 0; n < points; n++) {
    const cls = data.int(2);
    pointFeatures.fill(0);
    const dominant = data.uniform() < pD;
    const [lo, count, size] = dominant ? [0, nD, tD] : [tD, nR, tR];
    const perm = data.permutation(size);
    for (let i = 0; i < count; i++) pointFeatures[lo + perm[i]!] = 1;
    // Each model: sees a feature (right) or guesses; keep which features it shares with the point.
    const sees = sets.map((set) => pointFeatures.some((x, f) => x && set[cls * perClass + f]));
    const guess = sets.map(() => data.int(2));
    for (let m = 0; m < models; m++) right += sees[m] ? 1 : guess[m] === cls ? 1 : 0;
    for (let a = 0; a < models; a++) {
      for (let b = a + 1; b < models; b++) {
        pairs++;
        let p: number;
        if (sees[a] && sees[b]) p = 1;
        else if (sees[a] !== sees[b]) p = 0.5; // one right, the other guesses: agree half the time
        else {
          const zeta = shared[cls]![a * models + b]! > 0 ? 0.9 : 0;
          p = zeta + (1 - zeta) / 2;
        }
        agree += p;
        pairAgree[a * models + b]! += p;
      }
    }
  }
  const sharedOfPair: number[] = [];
  const agreementOfPair: number[] = [];
  for (let a = 0; a < models; a++) {
    for (let b = a + 1; b < models; b++) {
      sharedOfPair.push(shared[0]![a * models + b]! + shared[1]![a * models + b]!);
      agreementOfPair.push(pairAgree[a * models + b]! / points);
    }
  }
  const sharedAgreementCorrelation = sharedOfPair.length >= 2 && points > 0 ? pearson(sharedOfPair, agreementOfPair) : Number.NaN;
  return { accuracy: right / (models * points), agreement: agree / pairs, sharedAgreementCorrelation };
}

/** The base setting of the framework sweep (ours): GDE holds there, within the Monte-Carlo spread. */
export const FRAMEWORK_BASE: Readonly<FrameworkParams> = { tD: 6, tR: 8, nD: 3, nR: 2, pD: 0.65, c: 4 };

/** One row of the sweep: a parameter change and the framework's accuracy and agreement under it. */
export interface FrameworkRow {
  change: string;
  /** What the spec says the change does to GDE (the base: GDE holds there). */
  expected: 'keeps GDE' | 'breaks GDE';
  accuracy: number;
  agreement: number;
  /** corr(|S_a ∩ S_b|, agreement) over the simulated model pairs (NaN when undefined). */
  sharedAgreementCorrelation: number;
}

/**
 * The spec's four changes of the base: tR or nR alone (break GDE), (tR, tD) or (nR, nD) together (keep it).
 * `afterRow(done, 5)` is awaited after each row (a page paints there: a row takes about 0.1 s).
 */
export async function frameworkSweep(seed: number, afterRow: (done: number, total: number) => Promise<void> = async () => {}, models = 40, points = 4000, base: Readonly<FrameworkParams> = FRAMEWORK_BASE): Promise<FrameworkRow[]> {
  const changes: [string, FrameworkRow['expected'], FrameworkParams][] = [
    ['base', 'keeps GDE', { ...base }],
    ['tR ×3', 'breaks GDE', { ...base, tR: 3 * base.tR }],
    ['nR ×2', 'breaks GDE', { ...base, nR: 2 * base.nR }],
    ['tR, tD ×3', 'keeps GDE', { ...base, tR: 3 * base.tR, tD: 3 * base.tD }],
    ['nR, nD ×2', 'keeps GDE', { ...base, nR: 2 * base.nR, nD: 2 * base.nD }],
  ];
  const rows: FrameworkRow[] = [];
  for (const [change, expected, p] of changes) {
    rows.push({ change, expected, ...simulateFramework(p, seed, models, points) });
    await afterRow(rows.length, changes.length);
  }
  return rows;
}
