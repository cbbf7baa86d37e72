/**
 * Irrep energy of neurons (src/metrics/irreps.ts): the coefficient bases are orthonormal and together span
 * R^{|G|}; a neuron built from one irrep's matrix coefficients is concentrated on it; fractions sum to 1;
 * on Z_p the energies are the normalized real Fourier power; and the summary over a hand-built set of neurons.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { cyclic, dihedral, realIrreps, symmetric } from '../src/groups/index.js';
import type { FiniteGroup, Irrep } from '../src/groups/index.js';
import { irrepBases, irrepEnergy, irrepSummary } from '../src/metrics/irreps.js';
import { rng } from './support/random.js';

const s = suite('metrics: irrep energy');

const GROUPS = [cyclic(7), cyclic(8), dihedral(5), dihedral(6), symmetric(3), symmetric(4), symmetric(5)];

/** Σ_ij c_ij ρ_ij(g) with random c: a random function in the span of one irrep's coefficients. */
function inIrrep(rho: Irrep, random: () => number, scale = 1): Float64Array {
  const c = Array.from({ length: rho.dim * rho.dim }, () => random() * 2 - 1);
  return Float64Array.from(rho.matrices, (m) => scale * m.reduce((acc, x, ij) => acc + c[ij] * x, 0));
}

function randomVector(n: number, random: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => random() * 2 - 1);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((acc, x, i) => acc + x * b[i], 0);

s('bases: ranks d² (d²/2 for complex type), orthonormal, and all together a basis of R^{|G|}', () => {
  for (const g of GROUPS) {
    const irreps = realIrreps(g);
    const bases = irrepBases(g, irreps);
    assert.equal(bases.map((b) => b.rank), irreps.map((r) => (r.complexType ? (r.dim * r.dim) / 2 : r.dim * r.dim)), `${g.name} ranks`);
    assert.equal(bases.map((b) => b.label), irreps.map((r) => r.label));
    const rows: Float64Array[] = bases.flatMap((b) => Array.from({ length: b.rank }, (_, k) => b.vectors.subarray(k * g.order, (k + 1) * g.order)));
    assert.is(rows.length, g.order, `${g.name}: total rank`);
    let worst = 0;
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < rows.length; j++) worst = Math.max(worst, Math.abs(dot(rows[i], rows[j]) - (i === j ? 1 : 0)));
    assert.ok(worst < 1e-12, `${g.name}: ‖BBᵀ − I‖∞ = ${worst}`);
  }
  assert.equal(irrepBases(cyclic(7), realIrreps(cyclic(7))).map((b) => b.rank), [1, 2, 2, 2]);
  assert.equal(irrepBases(symmetric(3), realIrreps(symmetric(3))).map((b) => b.rank), [1, 1, 4]);
});

s('a neuron made of one irrep\'s matrix coefficients has concentration 1 (to 1e-12) on it', () => {
  const random = rng(7);
  for (const g of GROUPS) {
    const irreps = realIrreps(g);
    const bases = irrepBases(g, irreps);
    irreps.forEach((rho, k) => {
      const e = irrepEnergy(inIrrep(rho, random), inIrrep(rho, random, 3), inIrrep(rho, random, 0.5), g.order, bases);
      assert.ok(Math.abs(e[k] - 1) < 1e-12, `${g.name} ${rho.label}: energy ${e[k]}`);
      e.forEach((x, q) => { if (q !== k) assert.ok(Math.abs(x) < 1e-12, `${g.name} ${rho.label}: leak ${x} into ${irreps[q].label}`); });
    });
  }
});

s('a random neuron\'s fractions are in [0, 1] and sum to 1; a zero neuron gets zeros', () => {
  const random = rng(11);
  for (const g of GROUPS) {
    const bases = irrepBases(g, realIrreps(g));
    for (let trial = 0; trial < 5; trial++) {
      const e = irrepEnergy(randomVector(g.order, random), randomVector(g.order, random), randomVector(g.order, random), g.order, bases);
      const sum = e.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12, `${g.name}: fractions sum to ${sum}`);
      assert.ok(e.every((x) => x >= 0 && x <= 1 + 1e-12), `${g.name}: fractions in [0, 1]`);
    }
    const zero = new Float64Array(g.order);
    assert.equal(Array.from(irrepEnergy(zero, zero, zero, g.order, bases)), bases.map(() => 0));
  }
});

s('on Z_p the irrep energies equal the normalized real Fourier power of u, v, w together', () => {
  const random = rng(3);
  for (const p of [11, 13]) {
    const g = cyclic(p);
    const irreps = realIrreps(g);
    const bases = irrepBases(g, irreps);
    for (let trial = 0; trial < 3; trial++) {
      const uvw = [0, 1, 2].map(() => randomVector(p, random));
      const total = uvw.reduce((acc, x) => acc + dot(x, x), 0);
      const power = (zeta: number) => {
        if (zeta === 0) return uvw.reduce((acc, x) => acc + x.reduce((a, b) => a + b, 0) ** 2 / p, 0);
        const cos = Array.from({ length: p }, (_, a) => Math.cos((2 * Math.PI * zeta * a) / p));
        const sin = Array.from({ length: p }, (_, a) => Math.sin((2 * Math.PI * zeta * a) / p));
        // Both have squared norm p/2 for 0 < ζ < p/2.
        return uvw.reduce((acc, x) => acc + (dot(cos, x) ** 2 + dot(sin, x) ** 2) / (p / 2), 0);
      };
      const e = irrepEnergy(uvw[0], uvw[1], uvw[2], p, bases);
      assert.is(irreps[0].label, 'trivial');
      for (let zeta = 0; zeta <= (p - 1) / 2; zeta++) {
        if (zeta > 0) assert.is(irreps[zeta].label, `freq${zeta}`);
        assert.ok(Math.abs(e[zeta] - power(zeta) / total) < 1e-12, `Z_${p} ζ=${zeta}: ${e[zeta]} vs ${power(zeta) / total}`);
      }
    }
  }
});

/** Writes three length-|G| vectors as row i of U, V, W (f32). */
function setNeuron(U: Float32Array, V: Float32Array, W: Float32Array, i: number, order: number, u: Float64Array, v: Float64Array, w: Float64Array): void {
  U.set(u, i * order);
  V.set(v, i * order);
  W.set(w, i * order);
}

const normalized = (x: Float64Array) => x.map((a) => a / Math.sqrt(dot(x, x)));

s('summary of 3 hand-built S_3 neurons: pure [2,1]; sign-heavy mix; a tiny inactive one', () => {
  const g: FiniteGroup = symmetric(3);
  const irreps = realIrreps(g); // [3], [1,1,1], [2,1]
  const random = rng(5);
  const n = g.order;
  const U = new Float32Array(3 * n);
  const V = new Float32Array(3 * n);
  const W = new Float32Array(3 * n);
  // Neuron 0: everything in [2,1].
  setNeuron(U, V, W, 0, n, inIrrep(irreps[2], random), inIrrep(irreps[2], random), inIrrep(irreps[2], random));
  // Neuron 1: unit u, v in the sign irrep and unit w in [2,1]: fractions 2/3 sign, 1/3 [2,1].
  setNeuron(U, V, W, 1, n, normalized(inIrrep(irreps[1], random)), normalized(inIrrep(irreps[1], random)), normalized(inIrrep(irreps[2], random)));
  // Neuron 2: trivial, with norm² ~1e-6 of the others: inactive.
  const tiny = Float64Array.from({ length: n }, () => 1e-3 / Math.sqrt(n));
  setNeuron(U, V, W, 2, n, tiny, tiny, tiny);

  const summary = irrepSummary(U, V, W, 3, n, irreps);
  const [n0, n1, n2] = summary.neurons;
  assert.equal([n0.best, n1.best, n2.best], [2, 1, 0]);
  assert.equal([n0.active, n1.active, n2.active], [true, true, false]);
  assert.ok(Math.abs(n0.concentration - 1) < 1e-6, `neuron 0 concentration ${n0.concentration}`);
  assert.ok(Math.abs(n1.concentration - 2 / 3) < 1e-6, `neuron 1 concentration ${n1.concentration}`);
  assert.ok(Math.abs(n1.energies[2] - 1 / 3) < 1e-6, `neuron 1 [2,1] fraction ${n1.energies[2]}`);
  assert.ok(Math.abs(n2.concentration - 1) < 1e-6, `neuron 2 concentration ${n2.concentration}`);
  assert.ok(Math.abs(summary.irrepConcentration - 5 / 6) < 1e-6, `irrepConcentration ${summary.irrepConcentration}`);
  assert.equal(summary.irrepsUsed, ['[1,1,1]', '[2,1]']);
  assert.equal(summary.neuronsPerIrrep, [0, 1, 1]);

  // With activeFraction 0 the tiny trivial neuron counts too, but the trivial irrep is never "used".
  const all = irrepSummary(U, V, W, 3, n, irreps, { activeFraction: 0, bases: irrepBases(g, irreps) });
  assert.equal(all.neuronsPerIrrep, [1, 1, 1]);
  assert.equal(all.irrepsUsed, ['[1,1,1]', '[2,1]']);
  assert.ok(Math.abs(all.irrepConcentration - (1 + 2 / 3 + 1) / 3) < 1e-6);
});

s('summary: every neuron of a random S_4 network sums to 1; no active neuron gives NaN', () => {
  const g = symmetric(4);
  const irreps = realIrreps(g);
  const random = rng(9);
  const m = 16;
  const mk = () => Float32Array.from({ length: m * g.order }, () => random() * 2 - 1);
  const summary = irrepSummary(mk(), mk(), mk(), m, g.order, irreps);
  assert.is(summary.neurons.length, m);
  for (const neuron of summary.neurons) {
    assert.ok(Math.abs(neuron.energies.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.is(neuron.concentration, Math.max(...neuron.energies));
  }
  assert.is(summary.neuronsPerIrrep.reduce((a, b) => a + b, 0), m);
  const zeros = new Float32Array(2 * g.order);
  const empty = irrepSummary(zeros, zeros, zeros, 2, g.order, irreps);
  assert.ok(Number.isNaN(empty.irrepConcentration));
  assert.equal(empty.irrepsUsed, []);
});

s('shape and option errors are typed', () => {
  const g = dihedral(5);
  const irreps = realIrreps(g);
  const bases = irrepBases(g, irreps);
  const ok = new Float64Array(10);
  assert.throws(() => irrepEnergy(ok, new Float64Array(9), ok, 10, bases), (e: unknown) => e instanceof ShapeError && /v has length 9/.test((e as Error).message));
  const U = new Float32Array(20);
  assert.throws(() => irrepSummary(U, U, new Float32Array(19), 2, 10, irreps), (e: unknown) => e instanceof ShapeError);
  assert.throws(() => irrepSummary(U, U, U, 2, 10, irreps, { activeFraction: 1 }), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => irrepBases(cyclic(7), irreps), (e: unknown) => e instanceof ShapeError);
  // NaN, a count that is not a whole number, and bases of another group are named, never read past.
  const nan = new Float32Array(20);
  nan[13] = NaN;
  assert.throws(() => irrepSummary(U, nan, U, 2, 10, irreps), (e: unknown) => e instanceof ArgumentError && /irrepSummary: V\[13\] is NaN/.test((e as Error).message));
  assert.throws(() => irrepSummary(U, U, U, 2.5, 8, irreps), (e: unknown) => e instanceof ArgumentError && /irrepSummary: m/.test((e as Error).message));
  const z7 = cyclic(7);
  const otherBases = irrepBases(z7, realIrreps(z7));
  assert.throws(() => irrepEnergy(ok, ok, ok, 10, otherBases), (e: unknown) => e instanceof ShapeError && /build the bases with irrepBases for this group/.test((e as Error).message));
});

s('irrepBases refuses the irreps of another group of the same order, and malformed arguments, with ArgumentError', () => {
  const refused = (f: () => unknown, pattern: RegExp, what: string) => assert.throws(f, (e: unknown) => e instanceof ArgumentError && pattern.test((e as Error).message), what);
  // Z_6 and S_3 both have 6 elements: Z_6's sign rep k ↦ (−1)^k is no representation of S_3's table.
  refused(() => irrepBases(symmetric(3), realIrreps(cyclic(6))), /irrepBases: irrep sign is not a representation of S_3 \(ρ\(a∘b\) ≠ ρ\(a\)·ρ\(b\).*pass realIrreps\(g\) of the same group/, 'Z_6 irreps on S_3');
  refused(() => irrepBases(dihedral(3), realIrreps(symmetric(3))), /not a representation of D_3/, 'S_3 irreps on D_3 (isomorphic, other element order)');
  const perturbed = realIrreps(cyclic(5)).map((rho) => ({ ...rho, matrices: rho.matrices.map((m) => m.slice()) }));
  perturbed[1].matrices[3][0] += 1e-6;
  refused(() => irrepBases(cyclic(5), perturbed), /irrep freq1 is not a representation of Z_5/, 'one entry off by 1e-6');
  // A group's own irreps pass, the largest ones included (the check multiplies by a few generators only).
  for (const g of [symmetric(5), dihedral(12), cyclic(256)]) assert.is(irrepBases(g, realIrreps(g)).length, realIrreps(g).length, g.name);
  refused(() => irrepBases(null as unknown as FiniteGroup, []), /irrepBases: g must be a group/, 'g null');
  refused(() => irrepBases(cyclic(3), {} as unknown as Irrep[]), /irrepBases: irreps must be an array of irreps; pass realIrreps\(g\)/, 'irreps {}');
  refused(() => irrepBases(cyclic(3), [null as unknown as Irrep]), /irrepBases: irreps\[0\] is not an irrep/, 'irreps [null]');
  const U = new Float32Array(6);
  refused(() => irrepSummary(U, U, U, 2, 3, null as unknown as Irrep[]), /irrepSummary: irreps must be an array of irreps/, 'irrepSummary irreps null');
  refused(() => irrepSummary(U, U, U, 2, 3, realIrreps(cyclic(3)), null as unknown as object), /irrepSummary: the options must be an object/, 'irrepSummary opts null');
  const short = realIrreps(cyclic(3)).map((rho) => ({ ...rho, matrices: rho.matrices.map((m) => m.subarray(1)) }));
  assert.throws(() => irrepSummary(U, U, U, 2, 3, short), (e: unknown) => e instanceof ShapeError && /matrix 0 has 0 entries, not dim² = 1/.test((e as Error).message));
});

s.run();
