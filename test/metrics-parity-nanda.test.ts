/**
 * Sparse-parity support mass (src/metrics/parity.ts) and Nanda et al.'s key frequencies and restricted /
 * excluded losses (src/metrics/nanda.ts), specs/margin-algebra.md "Feature measurements": hand-worked masses,
 * planted frequencies found with fraction ≈ 1, and the losses of logit tables built from known components.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { supportMass } from '../src/metrics/parity.js';
import { excludedLoss, keyFrequencies, keyFrequencyLogits, modularAdditionLoss, restrictedLoss } from '../src/metrics/nanda.js';
import { rng } from './support/random.js';

const s = suite('metrics: parity and Nanda');

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} expected ${b}, got ${a} (tol ${tol})`);
const isErr = (cls: typeof ArgumentError, re: RegExp) => (e: Error) => e instanceof cls && re.test(e.message);

s('supportMass: hand-worked per-neuron masses and the mean over active neurons', () => {
  // n = 4 bits, S = {0, 2}.
  const U = new Float32Array([
    1, 0, -1, 0, // all mass on S: 1
    1, 1, 1, 1, // half: 0.5
    0, 0, 0, 0, // zero: NaN, inactive
    0.5, -2, 0.5, 0, // 1 / 3
  ]);
  const r = supportMass(U, 4, 4, [0, 2]);
  close(r.perNeuron[0], 1, 1e-15);
  close(r.perNeuron[1], 0.5, 1e-15);
  assert.ok(Number.isNaN(r.perNeuron[2]));
  close(r.perNeuron[3], 1 / 3, 1e-15);
  assert.equal(r.active, [true, true, false, true]);
  close(r.mean, (1 + 0.5 + 1 / 3) / 3, 1e-15);
  // Active rule: a neuron 1e-4 the size of the largest (norm² ratio 1e-8) is left out of the mean.
  const U2 = new Float64Array([1, 0, 1, 0, 1e-4, 1e-4, 0, 0]);
  const r2 = supportMass(U2, 2, 4, [0, 2]);
  assert.equal(r2.active, [true, false]);
  close(r2.mean, 1, 1e-15);
  // With W included, the small neuron's large output weights make it active.
  const r3 = supportMass(U2, 2, 4, [0, 2], { W: [0, 0, 1, -1] });
  assert.equal(r3.active, [true, true]);
  close(r3.mean, 0.75, 1e-15);
  assert.throws(() => supportMass(U2, 2, 4, [0, 4]), isErr(ArgumentError, /relevant contains 4/));
  assert.throws(() => supportMass(U2, 2, 4, [1, 1]), isErr(ArgumentError, /twice/));
  assert.throws(() => supportMass(U2, 3, 4, [0]), isErr(ShapeError, /U has length 8/));
  assert.throws(() => supportMass(U2, 2, 4, [0], { W: [0, 1] }), isErr(ShapeError, /opts\.W has length 2/));
});

/** m×p² activation table from per-neuron functions of (a, b). */
function table(p: number, fns: ((a: number, b: number) => number)[]): Float32Array {
  const out = new Float32Array(fns.length * p * p);
  fns.forEach((f, i) => {
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) out[i * p * p + a * p + b] = f(a, b);
  });
  return out;
}

s('keyFrequencies finds planted frequencies with fraction ≈ 1', () => {
  const p = 11;
  const w = (z: number) => (2 * Math.PI * z) / p;
  const r = rng(5);
  const acts = table(p, [
    (a, b) => Math.cos(w(2) * (a + b)), // ζ = 2, in the block {cos, sin}²
    (a, b) => 3 * Math.sin(w(4) * (a + b) + 0.7) + 5, // ζ = 4, offset removed by centring
    (a) => Math.cos(w(3) * a), // ζ = 3 in a only: block (cos_3, e_0)
    () => r() * 2 - 1, // noise: no frequency dominates
    () => 2, // constant: variance 0
  ]);
  const rep = keyFrequencies(acts, 5, p);
  assert.equal(rep.neurons.map((n) => n.bestZeta), [2, 4, 3, rep.neurons[3].bestZeta, 0]);
  close(rep.neurons[0].bestFraction, 1, 1e-6);
  close(rep.neurons[1].bestFraction, 1, 1e-6);
  close(rep.neurons[2].bestFraction, 1, 1e-6);
  assert.ok(rep.neurons[3].bestFraction < 0.5, `noise fraction ${rep.neurons[3].bestFraction}`);
  assert.is(rep.neurons[4].bestFraction, 0);
  assert.is(rep.neurons[4].variance, 0);
  close(rep.neurons[0].variance, 0.5, 1e-6);
  // Fractions of all frequencies sum to ≤ 1.
  for (const n of rep.neurons) assert.ok(n.fractions.reduce((x, y) => x + y, 0) <= 1 + 1e-9);
  assert.equal(rep.keyFrequencies, [2, 3, 4]);
  assert.equal(rep.neuronsPerFrequency, [0, 0, 1, 1, 1, 0]);
  assert.is(rep.threshold, 0.5);
  // A mixture of two frequencies in equal parts has best fraction 0.5: not above the default threshold.
  const mix = keyFrequencies(table(p, [(a, b) => Math.cos(w(1) * (a + b)) + Math.cos(w(5) * (a - b))]), 1, p);
  close(mix.neurons[0].bestFraction, 0.5, 1e-6);
  assert.equal(mix.keyFrequencies, []);
  assert.equal(keyFrequencies(table(p, [(a, b) => Math.cos(w(1) * (a + b)) + Math.cos(w(5) * (a - b))]), 1, p, { threshold: 0.4 }).keyFrequencies.length, 1);
});

/** p²×p logits L[a·p + b, c] = f(a, b, c). */
function logitTable(p: number, f: (a: number, b: number, c: number) => number): Float64Array {
  const out = new Float64Array(p * p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let c = 0; c < p; c++) out[(a * p + b) * p + c] = f(a, b, c);
  return out;
}

s('restricted and excluded loss of key-frequency logits: full loss and log p', () => {
  const p = 7;
  const keys = [1, 3];
  const w = (z: number) => (2 * Math.PI * z) / p;
  const pure = logitTable(p, (a, b, c) => 2 * Math.cos(w(1) * (a + b - c)) + 1.5 * Math.cos(w(3) * (a + b - c)) + 0.5 * Math.sin(w(3) * (a + b - c)));
  const full = modularAdditionLoss(pure, p);
  assert.ok(full < Math.log(p) - 0.5, 'the pure table predicts the labels');
  close(restrictedLoss(pure, p, keys), full, 1e-9);
  close(excludedLoss(pure, p, keys), Math.log(p), 1e-9);
  // Add components outside the key directions: a function of a alone, a non-key frequency of a+b, and a
  // per-class bias. Restricted loss drops the first two (keeps the bias, a constant over inputs); excluded keeps them.
  const extra = (a: number, b: number, c: number) => 0.8 * Math.cos(w(2) * a) * Math.sin(w(1) * c) + 0.6 * Math.cos(w(2) * (a + b - c)) + 0.3 * c;
  const mixed = logitTable(p, (a, b, c) => pure[(a * p + b) * p + c] + extra(a, b, c));
  const withBias = logitTable(p, (a, b, c) => pure[(a * p + b) * p + c] + 0.3 * c);
  close(restrictedLoss(mixed, p, keys), modularAdditionLoss(withBias, p), 1e-9);
  close(excludedLoss(mixed, p, keys), modularAdditionLoss(logitTable(p, extra), p), 1e-9);
  const { restricted, excluded } = keyFrequencyLogits(mixed, p, keys);
  for (let i = 0; i < mixed.length; i++) close(restricted[i] + excluded[i] - 0.3 * (i % p), mixed[i], 1e-9);
  // Restricting to every frequency keeps the whole (a+b)-dependence; no keys keeps only the per-class mean.
  close(restrictedLoss(pure, p, [1, 2, 3]), full, 1e-9);
  close(restrictedLoss(pure, p, []), Math.log(p), 1e-9);
  // A training subset of rows.
  const rows = [0, 5, 17, 33, 48];
  const sub = rows.reduce((acc, r) => acc + ceRow(pure, p, r), 0) / rows.length;
  close(modularAdditionLoss(pure, p, { indices: rows }), sub, 1e-12);
  close(restrictedLoss(pure, p, keys, { indices: rows }), sub, 1e-9);
});

/** Cross-entropy of one row with label (a+b) mod p. */
function ceRow(L: Float64Array, p: number, r: number): number {
  const y = (Math.floor(r / p) + (r % p)) % p;
  let se = 0;
  for (let c = 0; c < p; c++) se += Math.exp(L[r * p + c]);
  return Math.log(se) - L[r * p + y];
}

s('Nanda metrics: bad input throws ArgumentError / ShapeError naming the argument', () => {
  const p = 5;
  const L = new Float64Array(p * p * p);
  assert.throws(() => keyFrequencies(new Float32Array(36), 1, 6), isErr(ArgumentError, /p must be an odd integer/));
  assert.throws(() => keyFrequencies(new Float32Array(24), 1, 5), isErr(ShapeError, /acts has length 24/));
  assert.throws(() => keyFrequencies(new Float32Array(25).fill(NaN), 1, 5), isErr(ArgumentError, /acts\[0\] is NaN/));
  assert.throws(() => restrictedLoss(L, p, [3]), isErr(ArgumentError, /keyFreqs contains 3/));
  assert.throws(() => excludedLoss(L, p, [1, 1]), isErr(ArgumentError, /twice/));
  assert.throws(() => excludedLoss(L.subarray(1), p, [1]), isErr(ShapeError, /logits has length 124/));
  assert.throws(() => modularAdditionLoss(L, p, { indices: [25] }), isErr(ArgumentError, /indices\[0\] is 25/));
});

s.run();
