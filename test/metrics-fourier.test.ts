/**
 * Fourier metrics of specs/margin-algebra.md ("Feature measurements", src/metrics/fourier.ts): the real basis is
 * orthonormal, a pure cosine of any phase has normalized power 1 at its frequency (not the 0.5 of a raw complex
 * FFT), mixtures split their power by squared amplitude, phases are recovered, and the per-neuron report and its
 * summary are right on a hand-built set of neurons.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { fourierBasis, fourierCoefficients, fourierPhase, fourierPower, neuronFrequencies, normalizedPower, wrapAngle } from '../src/metrics/fourier.js';
import { rng } from './support/random.js';

const s = suite('metrics: fourier');

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} expected ${b}, got ${a} (tol ${tol})`);

/** amp·cos(θ + 2πζa/p) for a = 0..p−1. */
const cosine = (p: number, zeta: number, theta: number, amp = 1) =>
  Float64Array.from({ length: p }, (_, a) => amp * Math.cos(theta + (2 * Math.PI * zeta * a) / p));

s('the basis is orthonormal (BBᵀ = I) for several odd p', () => {
  for (const p of [3, 5, 7, 17, 71]) {
    const B = fourierBasis(p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let d = 0;
        for (let a = 0; a < p; a++) d += B[i * p + a] * B[j * p + a];
        close(d, i === j ? 1 : 0, 1e-12, `p=${p} ⟨${i},${j}⟩`);
      }
    }
  }
});

s('the basis handed out is the caller\'s own copy: editing it changes no later result', () => {
  const e0 = Float64Array.from({ length: 7 }, (_, a) => (a === 0 ? 1 : 0));
  const before = Array.from(fourierPower(e0, 7));
  fourierBasis(7).fill(0);
  assert.equal(Array.from(fourierPower(e0, 7)), before);
  close(before.reduce((t, v) => t + v, 0), 1, 1e-12, 'Σ power = ‖e0‖²');
});

s('a pure cosine of any phase has normalized power 1 at its ζ', () => {
  const p = 17;
  for (const zeta of [1, 4, 8]) {
    for (const theta of [0, 0.3, -2, Math.PI / 2, 3]) {
      const np = normalizedPower(cosine(p, zeta, theta, 2.5), p);
      assert.is(np.length, (p + 1) / 2);
      close(np[zeta], 1, 1e-12, `ζ=${zeta} θ=${theta}`);
      for (let z = 0; z < np.length; z++) if (z !== zeta) close(np[z], 0, 1e-12);
    }
  }
});

s('0.6·cos ζ1 + 0.8·sin ζ2 splits 0.36 / 0.64; powers sum to ‖x‖² and normalized powers to 1', () => {
  const p = 13;
  const x = Float64Array.from({ length: p }, (_, a) => 0.6 * Math.cos((2 * Math.PI * 2 * a) / p) + 0.8 * Math.sin((2 * Math.PI * 5 * a) / p));
  const np = normalizedPower(x, p);
  close(np[2], 0.36, 1e-12);
  close(np[5], 0.64, 1e-12);
  const r = rng(7);
  const y = Float64Array.from({ length: p }, () => r() * 2 - 1);
  const pw = fourierPower(y, p);
  let norm2 = 0;
  for (const v of y) norm2 += v * v;
  close(pw.reduce((a, b) => a + b, 0), norm2, 1e-12);
  close(normalizedPower(y, p).reduce((a, b) => a + b, 0), 1, 1e-12);
  // The constant's power: p·mean² (its projection on 1/√p).
  const mean = y.reduce((a, b) => a + b, 0) / p;
  close(pw[0], p * mean * mean, 1e-12);
  const c = fourierCoefficients(y, p);
  close(c.reduce((a, b) => a + b * b, 0), norm2, 1e-12);
  // Zero vector: normalized powers are all 0 (nothing to normalise by).
  assert.equal([...normalizedPower(new Float64Array(p), p)], new Array((p + 1) / 2).fill(0));
});

s('fourierPhase recovers θ of A·cos(θ + 2πζa/p), also in a mixture', () => {
  const p = 11;
  for (const theta of [0, 1, -1, 2.9, -2.9, Math.PI]) {
    for (const zeta of [1, 3, 5]) {
      const x = cosine(p, zeta, theta, 0.7);
      const other = zeta === 1 ? 2 : 1;
      for (let a = 0; a < p; a++) x[a] += 0.4 * Math.sin((2 * Math.PI * other * a) / p) + 0.1;
      close(wrapAngle(fourierPhase(x, p, zeta) - theta), 0, 1e-12, `θ=${theta} ζ=${zeta}`);
    }
  }
  close(wrapAngle(-Math.PI), Math.PI, 0);
  close(wrapAngle(3 * Math.PI), Math.PI, 1e-12);
  close(wrapAngle(6.2), 6.2 - 2 * Math.PI, 1e-12);
});

s('neuronFrequencies on hand-built neurons: report and summary', () => {
  const p = 7;
  const m = 5;
  const U = new Float64Array(m * p);
  const V = new Float64Array(m * p);
  const W = new Float64Array(m * p);
  const set = (M: Float64Array, i: number, x: Float64Array) => M.set(x, i * p);
  // 0: single frequency ζ = 1, θ_u + θ_v = θ_w exactly.
  set(U, 0, cosine(p, 1, 0.4)); set(V, 0, cosine(p, 1, -1.1)); set(W, 0, cosine(p, 1, 0.4 - 1.1));
  // 1: single frequency ζ = 3, phase error +0.2.
  set(U, 1, cosine(p, 3, 0.3, 2)); set(V, 1, cosine(p, 3, -1, 2)); set(W, 1, cosine(p, 3, 0.3 - 1 - 0.2, 2));
  // 2: inactive (norm² ~ 1e-12 of the largest), though single-frequency in shape.
  set(U, 2, cosine(p, 2, 0, 1e-6)); set(V, 2, cosine(p, 2, 0, 1e-6)); set(W, 2, cosine(p, 2, 0, 1e-6));
  // 3: u mixes two frequencies (0.36 at ζ=1, 0.64 at ζ=2), v and w single at ζ = 2: not single-frequency.
  set(U, 3, Float64Array.from({ length: p }, (_, a) => 0.6 * Math.cos((2 * Math.PI * a) / p) + 0.8 * Math.sin((2 * Math.PI * 2 * a) / p)));
  set(V, 3, cosine(p, 2, 0.5)); set(W, 3, cosine(p, 2, 1));
  // 4: single frequency ζ = 2, θ_u + θ_v − θ_w = 6.2 wraps to 6.2 − 2π.
  set(U, 4, cosine(p, 2, 3)); set(V, 4, cosine(p, 2, 3)); set(W, 4, cosine(p, 2, -0.2));

  const { neurons, summary } = neuronFrequencies(U, V, W, m, p);
  assert.equal(neurons.map((n) => n.active), [true, true, false, true, true]);
  assert.equal(neurons.map((n) => n.singleFrequency), [true, true, false, false, true]);
  assert.equal(neurons.map((n) => n.frequency), [1, 3, -1, -1, 2]);
  assert.equal(neurons[3].zeta, { u: 2, v: 2, w: 2 });
  close(neurons[3].maxPower.u, 0.64, 1e-12);
  close(neurons[3].maxPower.v, 1, 1e-12);
  close(neurons[1].maxPower.w, 1, 1e-12);
  close(neurons[0].phaseError, 0, 1e-12);
  close(neurons[1].phaseError, 0.2, 1e-12);
  close(neurons[4].phaseError, 6.2 - 2 * Math.PI, 1e-12);
  assert.ok(Number.isNaN(neurons[3].phaseError) && Number.isNaN(neurons[2].phaseError));
  // Inactive neurons still get their powers.
  close(neurons[2].maxPower.u, 1, 1e-9);

  assert.is(summary.activeNeurons, 4);
  close(summary.singleFrequencyFraction, 0.75, 0);
  assert.equal(summary.neuronsPerFrequency, [0, 1, 1, 1]);
  assert.equal(summary.frequenciesUsed, [1, 2, 3]);
  assert.is(summary.allFrequenciesUsed, true);
  assert.equal(summary.maxPowerHistogram, [0, 0, 0, 0, 0, 0, 1, 0, 0, 3]);
  close(summary.meanAbsPhaseError, (0 + 0.2 + Math.abs(6.2 - 2 * Math.PI)) / 3, 1e-12);

  // Dropping neuron 1 (the only ζ = 3 neuron) leaves a frequency unused.
  const keep = [0, 2, 3, 4];
  const pick = (M: Float64Array) => Float64Array.from(keep.flatMap((i) => [...M.subarray(i * p, (i + 1) * p)]));
  const r2 = neuronFrequencies(pick(U), pick(V), pick(W), keep.length, p);
  assert.equal(r2.summary.frequenciesUsed, [1, 2]);
  assert.is(r2.summary.allFrequenciesUsed, false);
  // A stricter active rule: activeFraction 0 makes neuron 2 active and single-frequency at ζ = 2.
  const r3 = neuronFrequencies(U, V, W, m, p, { activeFraction: 0 });
  assert.is(r3.summary.activeNeurons, 5);
  assert.equal(r3.summary.neuronsPerFrequency, [0, 1, 2, 1]);
});

s('constant neurons: ζ = 0 counts for maxPower but not as a used frequency', () => {
  const p = 5;
  const ones = new Float64Array(p).fill(1);
  const { neurons, summary } = neuronFrequencies(ones, ones, ones, 1, p);
  assert.equal(neurons[0].zeta, { u: 0, v: 0, w: 0 });
  close(neurons[0].maxPower.u, 1, 1e-12);
  assert.is(neurons[0].singleFrequency, false);
  assert.equal(summary.neuronsPerFrequency, [1, 0, 0]);
  assert.equal(summary.frequenciesUsed, []);
  close(summary.singleFrequencyFraction, 0, 0);
  assert.ok(Number.isNaN(summary.meanAbsPhaseError));
});

s('random neurons are not single-frequency', () => {
  const p = 17;
  const m = 40;
  const r = rng(3);
  const mk = () => Float32Array.from({ length: m * p }, () => r() * 2 - 1);
  const { summary } = neuronFrequencies(mk(), mk(), mk(), m, p);
  assert.is(summary.activeNeurons, m);
  assert.is(summary.singleFrequencyFraction, 0);
  assert.is(summary.maxPowerHistogram.reduce((a, b) => a + b, 0), m);
  assert.is(summary.maxPowerHistogram[9], 0);
});

s('bad input throws ArgumentError / ShapeError naming the argument', () => {
  const isErr = (cls: typeof ArgumentError, re: RegExp) => (e: Error) => e instanceof cls && re.test(e.message);
  assert.throws(() => fourierPower(new Float64Array(4), 4), isErr(ArgumentError, /p must be an odd integer/));
  assert.throws(() => fourierPower(new Float64Array(6), 7), isErr(ShapeError, /x has length 6/));
  assert.throws(() => normalizedPower([1, NaN, 0], 3), isErr(ArgumentError, /x\[1\] is NaN/));
  assert.throws(() => fourierPhase(new Float64Array(7), 7, 0), isErr(ArgumentError, /zeta must be an integer in 1\.\.3/));
  const z = new Float64Array(14);
  assert.throws(() => neuronFrequencies(z, z, new Float64Array(13), 2, 7), isErr(ShapeError, /W has length 13/));
  assert.throws(() => neuronFrequencies(z, z, z, 2, 7, { threshold: 0.5 }), isErr(ArgumentError, /threshold/));
  assert.throws(() => neuronFrequencies(z, z, z, 0, 7), isErr(ArgumentError, /m \(the number of neurons\)/));
});

s('fourierPhase explains frequency 0 only when zeta is 0', () => {
  const isErr = (re: RegExp) => (e: Error) => e instanceof ArgumentError && re.test(e.message);
  assert.throws(() => fourierPhase(new Float64Array(7), 7, 0), isErr(/zeta must be an integer in 1\.\.3 .*got 0; the phase of frequency 0 is not defined$/));
  // Past (p−1)/2 the frequency is simply out of range: no word about frequency 0.
  assert.throws(() => fourierPhase([1, 2, 3, 4, 5], 5, 3), isErr(/zeta must be an integer in 1\.\.2 \(= \(p−1\)\/2 for p = 5\), got 3$/));
  assert.throws(() => fourierPhase([1, 2, 3, 4, 5], 5, -1), isErr(/got -1$/));
});

s.run();
