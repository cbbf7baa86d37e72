/**
 * Harsanyi AND / OR interactions (specs/interactions.md): the fast subset transform against the O(3ⁿ)
 * definition for n ≤ 8 and its adjoint; a planted v = x1·x2·x3 has a single interaction at {1, 2, 3};
 * universal matching of the AND-OR decomposition for every T (exactly v with p = q = 0, v + q after learning);
 * the learned split is sparser; salient orders and the mean salient order by hand.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { andOrInteractions, andOrSplit, matchingResidual, meanSalientOrder, mobius, mobiusTranspose, popcount, salientOrders } from '../src/metrics/harsanyi.js';
import { Rng } from '../src/rng.js';

const s = suite('Harsanyi interactions');

const randomTable = (seed: number, n: number) => {
  const r = new Rng(seed);
  return Float64Array.from({ length: 1 << n }, () => 2 * r.uniform() - 1);
};

s('mobius equals Σ_{T ⊆ S} (−1)^{|S|−|T|} v(T) by brute force (n = 1 … 8), and mobiusTranspose is its adjoint', () => {
  for (let n = 1; n <= 8; n++) {
    const v = randomTable(n, n);
    const fast = mobius(v, n);
    for (let sMask = 0; sMask < 1 << n; sMask++) {
      let sum = 0;
      // Every subset T of S, enumerated directly (O(3ⁿ) over all S).
      for (let t = sMask; ; t = (t - 1) & sMask) {
        sum += (popcount(sMask) - popcount(t)) % 2 ? -v[t]! : v[t]!;
        if (t === 0) break;
      }
      assert.ok(Math.abs(fast[sMask]! - sum) < 1e-12, `n = ${n}, S = ${sMask}`);
    }
    const a = randomTable(100 + n, n);
    const b = randomTable(200 + n, n);
    const lhs = mobius(a, n).reduce((t, x, i) => t + x * b[i]!, 0);
    const rhs = mobiusTranspose(b, n).reduce((t, x, i) => t + x * a[i]!, 0);
    assert.ok(Math.abs(lhs - rhs) < 1e-12, `adjoint n = ${n}: ${lhs} vs ${rhs}`);
  }
  assert.throws(() => mobius([1, 2, 3], 2), (e: Error) => e instanceof ShapeError && /2ⁿ = 4/.test(e.message));
  assert.throws(() => mobius([1], 0), (e: Error) => e instanceof ArgumentError);
});

s('a planted v = x1·x2·x3 (binary inputs, baseline 0, all kept = 1) has one interaction, at {1, 2, 3}', () => {
  const n = 6;
  const v = Float64Array.from({ length: 1 << n }, (_, t) => ((t & 0b111) === 0b111 ? 1 : 0));
  const i = mobius(v, n);
  for (let sMask = 0; sMask < 1 << n; sMask++) assert.is(i[sMask], sMask === 0b111 ? 1 : 0, `I(${sMask})`);
  const d = salientOrders(i, n);
  assert.equal(Array.from(d.counts), [0, 0, 0, 1, 0, 0, 0]);
  assert.is(meanSalientOrder(d), 3);
});

s('universal matching: v = Σ_{S ⊆ T} I_and + Σ_{S ∩ T ≠ ∅ or S = ∅} I_or for every T (n = 5, 6)', () => {
  for (const n of [5, 6]) {
    const v = randomTable(7 * n, n);
    // Any split of v into two parts matches v exactly.
    const r = new Rng(n);
    const vAnd = v.map((x) => x * r.uniform());
    const vOr = v.map((x, t) => x - vAnd[t]!);
    const { and, or } = andOrInteractions(vAnd, vOr, n);
    assert.ok(matchingResidual(v, and, or, n) < 1e-12, 'split by hand');
    // The learned split matches v + q, with |q| within its bound, and is sparser than plain Harsanyi.
    const split = andOrSplit(v, n, { steps: 400 });
    const target = v.map((x, t) => x + split.q[t]!);
    assert.ok(matchingResidual(target, split.and, split.or, n) < 1e-10, 'learned split');
    const bound = 0.04 * Math.abs(v[(1 << n) - 1]! - v[0]!);
    assert.ok(split.q.every((x) => Math.abs(x) <= bound + 1e-15));
    assert.ok(split.sparsityAfter < split.sparsityBefore, `sparsity ${split.sparsityBefore} → ${split.sparsityAfter}`);
    for (let i = 0; i < n; i++) assert.is(split.or[1 << i], 0, 'singletons folded into AND');
    assert.is(split.or[0], 0, '∅ folded into AND');
  }
});

/**
 * The split's descent written the plain way (a fresh table for every transform, the gradient of Σ|I_or| built
 * through w(U) = v_or(N \\ U) as the spec reads): the oracle for andOrSplit's allocation-free loop.
 */
function plainSplit(v: Float64Array, n: number, steps: number, qBound = 0.04) {
  const size = 1 << n;
  const full = size - 1;
  const bound = qBound * Math.abs(v[full]! - v[0]!);
  const l1 = (x: Float64Array) => x.reduce((sum, val) => sum + Math.abs(val), 0);
  const p = v.map((x) => 0.5 * x);
  const q = new Float64Array(size);
  const mp = new Float64Array(size);
  const mq = new Float64Array(size);
  const parts = () => andOrInteractions(v.map((x, t) => 0.5 * (x + q[t]!) + p[t]!), v.map((x, t) => 0.5 * (x + q[t]!) - p[t]!), n);
  const scale = Math.abs(v[full]!) / size || 1 / size;
  let bestP = p.slice();
  let bestQ = q.slice();
  let best = Infinity;
  for (let step = 0; step <= steps; step++) {
    const { and, or } = parts();
    const loss = l1(and) + l1(or);
    if (loss < best) [best, bestP, bestQ] = [loss, p.slice(), q.slice()];
    if (step === steps) break;
    const gAnd = mobiusTranspose(and.map(Math.sign), n);
    const gW = mobiusTranspose(or.map((x, sMask) => (sMask === 0 ? 0 : -Math.sign(x))), n);
    const gOr = new Float64Array(size);
    for (let u = 0; u < size; u++) gOr[full ^ u] = gW[u]!;
    gOr[0]! += Math.sign(or[0]!);
    const lr = 0.01 * scale * 10 ** (-step / Math.max(1, steps - 1));
    for (let t = 0; t < size; t++) {
      mp[t] = 0.9 * mp[t]! + (gAnd[t]! - gOr[t]!);
      mq[t] = 0.9 * mq[t]! + 0.5 * (gAnd[t]! + gOr[t]!);
      p[t]! -= lr * mp[t]!;
      q[t] = Math.max(-bound, Math.min(bound, q[t]! - lr * mq[t]!));
    }
  }
  p.set(bestP);
  q.set(bestQ);
  const { and, or } = parts();
  and[0]! += or[0]!;
  or[0] = 0;
  for (let i = 0; i < n; i++) {
    and[1 << i]! += or[1 << i]!;
    or[1 << i] = 0;
  }
  return { p, q, and, or };
}

s('andOrSplit has the bits of the plain descent (n = 1, 3, 6, 10; 0, 1 and 40 steps)', () => {
  for (const n of [1, 3, 6, 10]) {
    for (const steps of [0, 1, 40]) {
      const v = randomTable(100 + n, n);
      const fast = andOrSplit(v, n, { steps });
      const plain = plainSplit(v, n, steps);
      for (const key of ['p', 'q', 'and', 'or'] as const) {
        const diff = fast[key].findIndex((x, i) => !Object.is(x, plain[key][i]));
        assert.is(diff, -1, `n = ${n}, ${steps} steps: ${key}[${diff}] is ${fast[key][diff]}, the plain descent gives ${plain[key][diff]}`);
      }
    }
  }
});

s('order distribution and mean salient order by hand (τ = 0.05 of the largest |I|)', () => {
  const n = 3;
  // I({1}) = 2, I({1,2}) = −1, I({1,2,3}) = 1, I({3}) = 0.05 (≤ 0.05·2: not salient).
  const i = new Float64Array(8);
  i[0b001] = 2;
  i[0b011] = -1;
  i[0b111] = 1;
  i[0b100] = 0.05;
  const d = salientOrders(i, n);
  assert.equal(Array.from(d.positive), [0, 2, 0, 1]);
  assert.equal(Array.from(d.negative), [0, 0, -1, 0]);
  assert.equal(Array.from(d.counts), [0, 1, 1, 1]);
  // (1·2 + 2·1 + 3·1) / (2 + 1 + 1) = 7/4.
  assert.is(meanSalientOrder(d), 7 / 4);
  // Accumulating a second sample into the same distribution.
  salientOrders(i, n, 0.05, d);
  assert.equal(Array.from(d.counts), [0, 2, 2, 2]);
  assert.ok(Number.isNaN(meanSalientOrder(salientOrders(new Float64Array(8), n))));
});

s.run();
