/**
 * Finite groups (src/groups/): group axioms and orders of Z_n, D_n, S_n; the composition conventions; typed
 * errors for invalid sizes; and the real irreps: homomorphism, orthogonal matrices, Σ d² = |G|, Schur
 * orthogonality, one irrep per conjugacy class. Also the group composition dataset (src/data/groupTask.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
// Sources throw the sources' error classes.
import { ArgumentError } from '../src/errors.js';
import { cyclic, dihedral, groupFromElements, permutations, permutationIndex, realIrreps, symmetric } from '../src/groups/index.js';
import type { FiniteGroup, Irrep } from '../src/groups/index.js';
import { groupComposition } from '../src/data/groupTask.js';

const s = suite('groups');

const GROUPS: [FiniteGroup, number][] = [
  [cyclic(1), 1], [cyclic(7), 7], [cyclic(8), 8], [dihedral(3), 6], [dihedral(5), 10], [dihedral(6), 12],
  [symmetric(1), 1], [symmetric(2), 2], [symmetric(3), 6], [symmetric(4), 24], [symmetric(5), 120],
];

function matmul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) c[i * d + j] += a[i * d + k] * b[k * d + j];
  return c;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Number of conjugacy classes {h x h⁻¹ : h ∈ G}, from the table. */
function conjugacyClassCount(g: FiniteGroup): number {
  const seen = new Uint8Array(g.order);
  let count = 0;
  for (let x = 0; x < g.order; x++) {
    if (seen[x]) continue;
    count++;
    for (let h = 0; h < g.order; h++) seen[g.multiply(g.multiply(h, x), g.inverse(h))] = 1;
  }
  return count;
}

function throwsArgumentError(fn: () => unknown, mentions: string, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ArgumentError, `${what}: error class`);
    assert.ok((e as Error).message.includes(mentions), `${what}: message "${(e as Error).message}" should mention "${mentions}"`);
    return;
  }
  assert.unreachable(`${what} should throw`);
}

s('orders and names: Z_7 7, D_5 10, D_6 12, S_3 6, S_4 24, S_5 120', () => {
  for (const [g, order] of GROUPS) {
    assert.is(g.order, order, g.name);
    assert.is(g.table.length, order * order, `${g.name} table size`);
  }
  assert.equal([cyclic(7).name, dihedral(5).name, symmetric(4).name], ['Z_7', 'D_5', 'S_4']);
  assert.equal(symmetric(3).kind, { type: 'symmetric', n: 3 });
});

s('group axioms: associativity on all triples, two-sided identity, two-sided inverses', () => {
  for (const [g] of GROUPS) {
    const n = g.order;
    const t = g.table;
    let bad = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const ab = t[a * n + b];
        for (let c = 0; c < n; c++) if (t[ab * n + c] !== t[a * n + t[b * n + c]]) bad++;
      }
    }
    assert.is(bad, 0, `${g.name}: non-associative triples`);
    for (let a = 0; a < n; a++) {
      assert.is(g.multiply(g.identity, a), a, `${g.name}: e∘${a}`);
      assert.is(g.multiply(a, g.identity), a, `${g.name}: ${a}∘e`);
      assert.is(g.multiply(a, g.inverse(a)), g.identity, `${g.name}: a∘a⁻¹`);
      assert.is(g.multiply(g.inverse(a), a), g.identity, `${g.name}: a⁻¹∘a`);
    }
  }
});

s('cyclic: a∘b = (a + b) mod n', () => {
  const z = cyclic(7);
  assert.is(z.identity, 0);
  assert.is(z.multiply(3, 5), 1);
  assert.is(z.inverse(3), 4);
  assert.is(z.label(6), '6');
});

s('dihedral: index k is r^k, n + k is s·r^k; r^n = e, s² = e, s r s = r⁻¹', () => {
  for (const n of [3, 5, 6]) {
    const g = dihedral(n);
    const r = 1;
    const sIdx = n;
    assert.is(g.identity, 0);
    let x = g.identity;
    for (let k = 0; k < n; k++) {
      assert.is(x, k, `D_${n}: r^${k}`);
      assert.is(g.multiply(sIdx, x), n + k, `D_${n}: s·r^${k}`);
      x = g.multiply(x, r);
    }
    assert.is(x, g.identity, `D_${n}: r^n`);
    assert.is(g.multiply(sIdx, sIdx), g.identity, `D_${n}: s²`);
    assert.is(g.multiply(g.multiply(sIdx, r), sIdx), g.inverse(r), `D_${n}: s r s`);
    assert.is(g.inverse(r), n - 1);
    // Every reflection is an involution, and there are n of them.
    for (let k = 0; k < n; k++) assert.is(g.multiply(n + k, n + k), g.identity, `D_${n}: (s r^${k})²`);
  }
  const d5 = dihedral(5);
  assert.equal([0, 1, 2, 5, 6, 7].map((i) => d5.label(i)), ['e', 'r', 'r^2', 's', 'sr', 'sr^2']);
});

s('symmetric: lexicographic permutations, identity 0, (a∘b)(i) = a(b(i)), cycle labels', () => {
  assert.equal(permutations(3), [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]);
  for (const n of [1, 3, 4, 5]) {
    const g = symmetric(n);
    const perms = permutations(n);
    assert.is(g.identity, 0, `S_${n} identity`);
    perms.forEach((p, i) => assert.is(permutationIndex(p), i, `S_${n}: rank of ${p}`));
    for (let a = 0; a < g.order; a++) {
      for (let b = 0; b < g.order; b++) {
        const composed = perms[b].map((bi) => perms[a][bi]);
        assert.equal(perms[g.multiply(a, b)], composed, `S_${n}: ${g.label(a)} ∘ ${g.label(b)}`);
      }
    }
  }
  const s5 = symmetric(5);
  assert.is(s5.label(0), 'e');
  assert.is(s5.label(permutationIndex([1, 2, 0, 4, 3])), '(0 1 2)(3 4)');
  // (0 1)∘(1 2): apply (1 2) first: 0→0→1, 1→2→2, 2→1→0, i.e. the 3-cycle (0 1 2).
  const s3 = symmetric(3);
  assert.is(s3.label(s3.multiply(permutationIndex([1, 0, 2]), permutationIndex([0, 2, 1]))), '(0 1 2)');
});

s('invalid sizes and element indices throw ArgumentError saying what is allowed', () => {
  throwsArgumentError(() => symmetric(6), 'from 1 to 5', 'symmetric(6)');
  throwsArgumentError(() => symmetric(0), 'from 1 to 5', 'symmetric(0)');
  throwsArgumentError(() => symmetric(2.5), 'integer', 'symmetric(2.5)');
  throwsArgumentError(() => dihedral(2), 'from 3', 'dihedral(2)');
  throwsArgumentError(() => dihedral(4.5), 'integer', 'dihedral(4.5)');
  throwsArgumentError(() => cyclic(0), 'from 1', 'cyclic(0)');
  throwsArgumentError(() => cyclic(NaN), 'integer', 'cyclic(NaN)');
  throwsArgumentError(() => cyclic(5).multiply(5, 0), 'from 0 to 4', 'Z_5 element 5');
  throwsArgumentError(() => cyclic(5).inverse(-1), 'from 0 to 4', 'Z_5 element -1');
});

s('groupFromElements: builds a table, checks closure, identity and inverses', () => {
  const klein = groupFromElements({ name: 'V4', elements: [0, 1, 2, 3], compose: (a, b) => a ^ b });
  assert.is(klein.order, 4);
  assert.is(klein.identity, 0);
  assert.equal(Array.from(klein.table), [0, 1, 2, 3, 1, 0, 3, 2, 2, 3, 0, 1, 3, 2, 1, 0]);
  assert.equal(klein.kind, { type: 'custom' });
  throwsArgumentError(() => groupFromElements({ name: 'open', elements: [0, 1, 2], compose: (a, b) => (a + b) % 4 }), 'not closed', 'not closed');
  throwsArgumentError(() => groupFromElements({ name: 'left', elements: [1, 2], compose: (a) => a }), 'identity', 'no identity');
  throwsArgumentError(() => groupFromElements({ name: 'monoid', elements: [0, 1], compose: (a, b) => a * b }), 'inverse', 'no inverse');
  throwsArgumentError(() => groupFromElements({ name: 'dup', elements: [0, 0], compose: (a) => a }), 'distinct', 'duplicates');
  throwsArgumentError(() => realIrreps(klein), 'cyclic', 'realIrreps of a custom group');
});

s('permutationIndex refuses what is not a permutation of 0..n−1 (it would rank it as some other one)', () => {
  throwsArgumentError(() => permutationIndex([0, 0, 1]), '0 appears twice in p (again at p[1])', 'a repeated entry');
  throwsArgumentError(() => permutationIndex([5, 6, 7]), 'p[0] is 5, not an integer from 0 to 2', 'entries out of range');
  throwsArgumentError(() => permutationIndex([0.5, 1]), 'p[0] is 0.5', 'a fractional entry');
  throwsArgumentError(() => permutationIndex(null as unknown as number[]), 'p must be an array in one-line notation', 'null');
  throwsArgumentError(() => permutationIndex(Array.from({ length: 9 }, (_, i) => i)), 'at most 8', 'n past the permutations(n) limit');
  // The edges that are permutations still rank: S_0's and S_8's last one.
  assert.is(permutationIndex([]), 0);
  assert.is(permutationIndex([7, 6, 5, 4, 3, 2, 1, 0]), 40319);
});

s('groupFromElements and realIrreps refuse a missing spec, elements, compose or group with ArgumentError', () => {
  throwsArgumentError(() => groupFromElements(undefined as unknown as Parameters<typeof groupFromElements>[0]), 'pass a spec object { name, elements, compose }', 'no spec');
  throwsArgumentError(() => groupFromElements({ name: 'x', elements: null as unknown as number[], compose: (a: number) => a }), "groupFromElements('x'): elements must be an array", 'elements null');
  throwsArgumentError(() => groupFromElements({ name: 'x', elements: [0], compose: 'add' as unknown as (a: number, b: number) => number }), 'compose must be a function', 'compose a string');
  throwsArgumentError(() => groupFromElements({ name: 'x', elements: [0], compose: (a: number) => a, key: 3 as unknown as (x: number) => string }), 'key must be a function', 'key a number');
  throwsArgumentError(() => realIrreps(null as unknown as FiniteGroup), 'realIrreps: g must be a group made by cyclic(), dihedral() or symmetric(), got null', 'realIrreps(null)');
});

/** Irreps of every test group, built once. */
const IRREPS = new Map<FiniteGroup, Irrep[]>(GROUPS.map(([g]) => [g, realIrreps(g)]));

s('every irrep is a homomorphism ρ(a∘b) = ρ(a)ρ(b) (max error < 1e-12) with orthogonal matrices', () => {
  for (const [g, irreps] of IRREPS) {
    for (const rho of irreps) {
      const d = rho.dim;
      assert.is(rho.matrices.length, g.order, `${g.name} ${rho.label}: one matrix per element`);
      const id = new Float64Array(d * d);
      for (let i = 0; i < d; i++) id[i * d + i] = 1;
      let homError = 0;
      let orthError = 0;
      for (let a = 0; a < g.order; a++) {
        const m = rho.matrices[a];
        assert.is(m.length, d * d);
        const mt = Float64Array.from(m, (_, k) => m[(k % d) * d + Math.floor(k / d)]);
        orthError = Math.max(orthError, maxAbsDiff(matmul(m, mt, d), id));
        for (let b = 0; b < g.order; b++) homError = Math.max(homError, maxAbsDiff(rho.matrices[g.multiply(a, b)], matmul(m, rho.matrices[b], d)));
      }
      assert.ok(homError < 1e-12, `${g.name} ${rho.label}: homomorphism error ${homError}`);
      assert.ok(orthError < 1e-12, `${g.name} ${rho.label}: ρρᵀ − I = ${orthError}`);
      assert.ok(maxAbsDiff(rho.matrices[g.identity], id) < 1e-12, `${g.name} ${rho.label}: ρ(e) = I`);
    }
  }
});

s('Σ d² = |G| (Z_n: complex-type reps count d²/2); trivial first, then by dimension', () => {
  for (const [g, irreps] of IRREPS) {
    const sum = irreps.reduce((acc, r) => acc + (r.complexType ? (r.dim * r.dim) / 2 : r.dim * r.dim), 0);
    assert.is(sum, g.order, `${g.name}: Σ d²`);
    assert.ok(irreps[0].trivial, `${g.name}: trivial first`);
    assert.is(irreps.filter((r) => r.trivial).length, 1, `${g.name}: one trivial irrep`);
    assert.ok(irreps[0].matrices.every((m) => m[0] === 1), `${g.name}: trivial is 1 everywhere`);
    for (let k = 2; k < irreps.length; k++) assert.ok(irreps[k - 1].dim <= irreps[k].dim, `${g.name}: sorted by dimension`);
  }
  const z7 = realIrreps(cyclic(7));
  assert.equal(z7.map((r) => r.label), ['trivial', 'freq1', 'freq2', 'freq3']);
  assert.equal(z7.map((r) => r.complexType), [false, true, true, true]);
  assert.equal(realIrreps(cyclic(8)).map((r) => r.label), ['trivial', 'sign', 'freq1', 'freq2', 'freq3']);
  assert.equal(realIrreps(dihedral(5)).map((r) => r.label), ['trivial', 's-', 'rho1', 'rho2']);
  assert.equal(realIrreps(dihedral(6)).map((r) => r.label), ['trivial', 's-', 'r-', 'r-s-', 'rho1', 'rho2']);
  assert.ok(realIrreps(dihedral(6)).every((r) => !r.complexType));
});

s('S_n irreps: one per partition, S_4 dims [1,1,2,3,3], S_5 dims [1,1,4,4,5,5,6]; [1,…,1] is the sign', () => {
  assert.equal(realIrreps(symmetric(3)).map((r) => r.label), ['[3]', '[1,1,1]', '[2,1]']);
  assert.equal(realIrreps(symmetric(4)).map((r) => r.dim), [1, 1, 2, 3, 3]);
  assert.equal(realIrreps(symmetric(4)).map((r) => r.label), ['[4]', '[1,1,1,1]', '[2,2]', '[3,1]', '[2,1,1]']);
  assert.equal(realIrreps(symmetric(5)).map((r) => r.dim), [1, 1, 4, 4, 5, 5, 6]);
  for (const n of [3, 4, 5]) {
    const sign = realIrreps(symmetric(n))[1];
    permutations(n).forEach((p, i) => {
      let inversions = 0;
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (p[a] > p[b]) inversions++;
      assert.is(sign.matrices[i][0], inversions % 2 ? -1 : 1, `S_${n} sign of ${p}`);
    });
  }
});

s('number of irreps = number of conjugacy classes (S_n, D_n, Z_n counted over C)', () => {
  for (const [g, irreps] of IRREPS) {
    // Over C each complex-type real irrep splits into two conjugate 1-d irreps.
    const complexCount = irreps.reduce((acc, r) => acc + (r.complexType ? 2 : 1), 0);
    assert.is(complexCount, conjugacyClassCount(g), g.name);
  }
  assert.is(conjugacyClassCount(symmetric(5)), 7);
  assert.is(conjugacyClassCount(dihedral(5)), 4);
  assert.is(conjugacyClassCount(dihedral(6)), 6);
});

s('Schur orthogonality Σ_g ρ_ij(g) σ_kl(g) = (|G|/d) δ_ρσ δ_ik δ_jl (S_3, S_4, S_5, D_5, D_6)', () => {
  for (const g of [symmetric(3), symmetric(4), symmetric(5), dihedral(5), dihedral(6)]) {
    const irreps = realIrreps(g);
    let worst = 0;
    irreps.forEach((rho, r) => {
      irreps.forEach((sigma, q) => {
        for (let i = 0; i < rho.dim; i++) for (let j = 0; j < rho.dim; j++) {
          for (let k = 0; k < sigma.dim; k++) for (let l = 0; l < sigma.dim; l++) {
            let sum = 0;
            for (let x = 0; x < g.order; x++) sum += rho.matrices[x][i * rho.dim + j] * sigma.matrices[x][k * sigma.dim + l];
            const want = r === q && i === k && j === l ? g.order / rho.dim : 0;
            worst = Math.max(worst, Math.abs(sum - want));
          }
        }
      });
    });
    assert.ok(worst < 1e-10, `${g.name}: Schur relation error ${worst}`);
  }
});

s('groupComposition: all |G|² pairs in row-major order with y = a∘b', () => {
  for (const g of [cyclic(7), dihedral(5), symmetric(4)]) {
    const data = groupComposition(g);
    assert.is(data.order, g.order);
    assert.is(data.count, g.order * g.order);
    for (const arr of [data.a, data.b, data.y]) assert.is(arr.length, data.count);
    for (let a = 0; a < g.order; a++) {
      for (let b = 0; b < g.order; b++) {
        const row = a * g.order + b;
        assert.ok(data.a[row] === a && data.b[row] === b, `${g.name}: row ${row} holds (${data.a[row]}, ${data.b[row]})`);
        assert.is(data.y[row], g.multiply(a, b), `${g.name}: label of (${a}, ${b})`);
      }
    }
  }
  assert.equal(Array.from(groupComposition(cyclic(3)).y), [0, 1, 2, 1, 2, 0, 2, 0, 1]);
});

s.run();
