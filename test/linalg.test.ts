/**
 * The f64 WASM linear-algebra path (src/linalg/wasmLinalg.ts, assembly/linalg/): Cholesky residuals on
 * random SPD matrices across panel boundaries, solves (well and badly conditioned), the pivot index of a
 * non-positive-definite matrix, triangular solves against plain substitution, and symmetric
 * eigendecomposition by residual, orthogonality and known spectra (eigenvectors are compared through
 * residuals and projectors, never by sign); products with every sum in order against plain loops, bit for bit;
 * the inverse from a Cholesky factor against solving A·X = I.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, FeaturelabError, NotPositiveDefiniteError, ShapeError } from '../src/errors.js';
import {
  cholesky, gramInOrderPanels, gramInOrderPanelsAsync, initLinalg, inverseFromCholesky, linalgLastCallBytes, productInOrder, solveCholesky, solveTriangular, symmetricEigen,
} from '../src/linalg/wasmLinalg.js';
import { rng } from './support/random.js';
import { LINALG_TOL } from './tolerances.js';



const s = suite('linalg (f64 wasm)');

// ---------------------------------------------------------------------------------------------------
// Helpers (plain f64, row-major)

/** Uniform values in [−1, 1). */
function randn(seed: number, count: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: count }, () => 2 * r() - 1);
}

/** C = op(A)·op(B) with A m×k and B k×n after the transposes. */
function mm(a: Float64Array, b: Float64Array, m: number, k: number, n: number, ta = false, tb = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = ta ? a[p * m + i] : a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * (tb ? b[j * k + p] : b[p * n + j]);
    }
  }
  return c;
}

/** Frobenius norm of x − y (y omitted: of x). */
function fro(x: Float64Array, y?: Float64Array): number {
  let s2 = 0;
  for (let i = 0; i < x.length; i++) s2 += (x[i] - (y ? y[i] : 0)) ** 2;
  return Math.sqrt(s2);
}

/** A = MᵀM/n + εI: symmetric positive definite. */
function spd(n: number, seed: number, eps = 0.1): Float64Array {
  const m = randn(seed, n * n);
  const a = mm(m, m, n, n, n, true, false);
  for (let i = 0; i < n * n; i++) a[i] /= n;
  for (let i = 0; i < n; i++) a[i * n + i] += eps;
  return a;
}

/** An orthogonal n×n Q = I − 2uuᵀ/‖u‖² (a Householder reflection of a random u). */
function householder(n: number, seed: number): Float64Array {
  const u = randn(seed, n);
  const uu = u.reduce((s, x) => s + x * x, 0);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[i * n + j] = (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
  return q;
}

/** Q·diag(d)·Qᵀ, symmetrised exactly. */
function withSpectrum(q: Float64Array, d: number[]): Float64Array {
  const n = d.length;
  const qd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qd[i * n + j] = q[i * n + j] * d[j];
  const a = mm(qd, q, n, n, n, false, true);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
  return a;
}

/** Checks ‖AV − VΛ‖/‖A‖, ‖VᵀV − I‖ and ascending order. */
function checkEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array, what: string): void {
  assert.is(values.length, n);
  assert.is(vectors.length, n * n);
  for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i], `${what}: values ascending at ${i}`);
  const av = mm(a, vectors, n, n, n);
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors[i * n + j] * values[j];
  const res = fro(av, vl) / Math.max(fro(a), Number.MIN_VALUE);
  assert.ok(res < LINALG_TOL.eigen, `${what}: ‖AV − VΛ‖/‖A‖ = ${res.toExponential(2)}`);
  const vtv = mm(vectors, vectors, n, n, n, true, false);
  for (let i = 0; i < n; i++) vtv[i * n + i] -= 1;
  const orth = fro(vtv);
  assert.ok(orth < LINALG_TOL.eigen, `${what}: ‖VᵀV − I‖ = ${orth.toExponential(2)}`);
}

/** Projector V_S·V_Sᵀ onto the span of the given columns of V. */
function projector(v: Float64Array, n: number, cols: number[]): Float64Array {
  const p = new Float64Array(n * n);
  for (const c of cols) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] += v[i * n + c] * v[j * n + c];
  return p;
}

// ---------------------------------------------------------------------------------------------------
// Cholesky and solves

s('initLinalg resolves and is idempotent (the functions also instantiate lazily)', async () => {
  await initLinalg();
  await initLinalg();
  assert.equal(Array.from(cholesky(new Float64Array([4]), 1)), [2]);
});

for (const n of [1, 3, 17, 65, 127, 257, 520]) {
  s(`cholesky n=${n}: ‖A − LLᵀ‖/‖A‖ and solve residuals`, () => {
    const a = spd(n, 1000 + n);
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.is(l[i * n + j], 0, 'zeros above the diagonal');
    for (let i = 0; i < n; i++) assert.ok(l[i * n + i] > 0, 'positive diagonal');
    const rec = fro(a, mm(l, l, n, n, n, false, true)) / fro(a);
    assert.ok(rec < LINALG_TOL.cholesky, `‖A − LLᵀ‖/‖A‖ = ${rec.toExponential(2)}`);
    const nrhs = n > 300 ? 3 : 7; // 7: a full 4-column block plus leftovers in the blocked solve
    const b = randn(2000 + n, n * nrhs);
    const x = solveCholesky(l, n, b, nrhs);
    const r = fro(mm(a, x, n, n, nrhs), b);
    assert.ok(r / fro(b) < LINALG_TOL.solve, `‖AX − B‖/‖B‖ = ${(r / fro(b)).toExponential(2)}`);
    assert.ok(r / (fro(a) * fro(x)) < LINALG_TOL.solveBackward, `backward residual ${(r / (fro(a) * fro(x))).toExponential(2)}`);
  });
}

s('cholesky of a matrix with condition number 1e12: residuals within the documented tolerance', () => {
  const n = 80;
  const d = Array.from({ length: n }, (_, i) => 10 ** (-12 * i / (n - 1)));
  const a = withSpectrum(householder(n, 7), d);
  const l = cholesky(a, n);
  const rec = fro(a, mm(l, l, n, n, n, false, true)) / fro(a);
  assert.ok(rec < LINALG_TOL.cholesky, `‖A − LLᵀ‖/‖A‖ = ${rec.toExponential(2)}`);
  const b = randn(8, n * 2);
  const x = solveCholesky(l, n, b, 2);
  const r = fro(mm(a, x, n, n, 2), b);
  assert.ok(r / (fro(a) * fro(x)) < LINALG_TOL.solveBackward, `backward residual ${(r / (fro(a) * fro(x))).toExponential(2)}`);
  assert.ok(r / fro(b) < LINALG_TOL.solveIllConditioned, `‖AX − B‖/‖B‖ = ${(r / fro(b)).toExponential(2)}`);
});

s('a non-positive-definite matrix raises NotPositiveDefiniteError with the pivot index and a hint', () => {
  // A = LLᵀ with A[k, k] lowered by L[k, k]² + 1: pivots before k are untouched and pivot k is exactly −1.
  const n = 100;
  for (const k of [0, 63, 64, 70, 99]) {
    const l = randn(31 + k, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) l[i * n + j] = 0;
      l[i * n + i] = 1 + Math.abs(l[i * n + i]);
    }
    const a = mm(l, l, n, n, n, false, true);
    a[k * n + k] -= l[k * n + k] ** 2 + 1;
    let caught: unknown = null;
    try {
      cholesky(a, n);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof NotPositiveDefiniteError, `k=${k}: NotPositiveDefiniteError`);
    const msg = (caught as Error).message;
    assert.match(msg, new RegExp(`pivot ${k} `), `k=${k}: message names the pivot: ${msg}`);
    assert.match(msg, /add a ridge \(e\.g\. 1e-6·trace\/n\) to the diagonal/);
  }
  assert.throws(() => cholesky(new Float64Array([0]), 1), (e: Error) => e instanceof NotPositiveDefiniteError && /pivot 0 /.test(e.message));
});

/** Plain forward (L·X = B) or backward (Lᵀ·X = B) substitution. */
function substitute(l: Float64Array, n: number, b: Float64Array, nrhs: number, transpose: boolean): Float64Array {
  const x = b.slice();
  const order = Array.from({ length: n }, (_, i) => (transpose ? n - 1 - i : i));
  for (const i of order) {
    for (let c = 0; c < nrhs; c++) {
      let v = x[i * nrhs + c];
      if (!transpose) for (let p = 0; p < i; p++) v -= l[i * n + p] * x[p * nrhs + c];
      else for (let p = i + 1; p < n; p++) v -= l[p * n + i] * x[p * nrhs + c];
      x[i * nrhs + c] = v / l[i * n + i];
    }
  }
  return x;
}

s('solveTriangular with and without transpose matches plain substitution', () => {
  for (const [n, nrhs] of [[1, 1], [5, 3], [130, 1], [130, 9], [200, 16]]) {
    // Well-conditioned L: unit-ish diagonal, small off-diagonal entries; the upper triangle holds junk that must be ignored.
    const l = randn(50 + n + nrhs, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) l[i * n + j] /= n;
      l[i * n + i] = 1 + Math.abs(l[i * n + i]);
    }
    const b = randn(60 + n, n * nrhs);
    for (const transpose of [false, true]) {
      const x = solveTriangular(l, n, b, nrhs, { transpose });
      const ref = substitute(l, n, b, nrhs, transpose);
      const scale = Math.max(...ref.map(Math.abs));
      let err = 0;
      for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - ref[i]));
      assert.ok(err <= LINALG_TOL.triangular * scale, `n=${n} nrhs=${nrhs} transpose=${transpose}: max error ${err.toExponential(2)}`);
    }
  }
});

s('inverseFromCholesky: symmetric, A·A⁻¹ = I and equal to solving A·X = I (odd orders, across the 64-wide panels)', () => {
  for (const n of [1, 2, 3, 17, 65, 127, 130]) {
    const a = spd(n, 700 + n);
    const l = cholesky(a, n);
    const inv = inverseFromCholesky(l, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.is(inv[i * n + j], inv[j * n + i], `n=${n}: symmetric at (${i}, ${j})`);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const solved = solveCholesky(l, n, eye, n);
    assert.ok(fro(inv, solved) <= LINALG_TOL.solve * fro(solved), `n=${n}: ‖inv − solve(A, I)‖ = ${fro(inv, solved).toExponential(2)}`);
    assert.ok(fro(mm(a, inv, n, n, n), eye) <= LINALG_TOL.solveBackward * fro(a) * fro(inv), `n=${n}: ‖A·A⁻¹ − I‖ = ${fro(mm(a, inv, n, n, n), eye).toExponential(2)}`);
  }
  // By hand: A = [[4, 2], [2, 2]] = LLᵀ with L = [[2, 0], [1, 1]]; A⁻¹ = [[1, −1], [−1, 2]]/2.
  assert.equal(Array.from(inverseFromCholesky(Float64Array.from([2, 0, 1, 1]), 2)), [0.5, -0.5, -0.5, 1]);
  assert.throws(() => inverseFromCholesky(Float64Array.from([2, 0, 1, 0]), 2), (e: Error) => e instanceof ArgumentError && /l\[1, 1\] is 0/.test(e.message));
  assert.throws(() => inverseFromCholesky(Float64Array.from([1, 2, 3]), 2), (e: Error) => e instanceof ShapeError);
});

s('invalid inputs raise ArgumentError / ShapeError with clear messages', () => {
  const a = spd(4, 3);
  assert.throws(() => cholesky(a, 0), (e: Error) => e instanceof ArgumentError && /n must be a positive integer/.test(e.message));
  assert.throws(() => cholesky(a, 3), (e: Error) => e instanceof ShapeError && /3×3 = 9 values/.test(e.message));
  const bad = a.slice();
  bad[6] = NaN;
  assert.throws(() => cholesky(bad, 4), (e: Error) => e instanceof ArgumentError && /a\[1, 2\] is NaN/.test(e.message));
  const l = cholesky(a, 4);
  assert.throws(() => solveCholesky(l, 4, new Float64Array(7), 2), (e: Error) => e instanceof ShapeError && /b must hold 4×2/.test(e.message));
  assert.throws(() => solveTriangular(l, 4, new Float64Array(4), 0), (e: Error) => e instanceof ArgumentError && /nrhs/.test(e.message));
  const sing = l.slice();
  sing[2 * 4 + 2] = 0;
  assert.throws(() => solveTriangular(sing, 4, new Float64Array(4), 1), (e: Error) => e instanceof ArgumentError && /l\[2, 2\] is 0/.test(e.message));
  const asym = a.slice();
  asym[1 * 4 + 3] += 1e-3;
  assert.throws(() => symmetricEigen(asym, 4), (e: Error) => e instanceof ArgumentError && /a\[1, 3\] − a\[3, 1\]/.test(e.message));
  assert.throws(() => symmetricEigen(new Float64Array([1, Infinity, Infinity, 1]), 2), (e: Error) => e instanceof ArgumentError && /Infinity/.test(e.message));
});

// ---------------------------------------------------------------------------------------------------
// Symmetric eigendecomposition

for (const n of [1, 2, 17, 65, 200]) {
  s(`symmetricEigen n=${n}: residual, orthogonality, ascending`, () => {
    const m = randn(300 + n, n * n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = m[i * n + j];
    const { values, vectors } = symmetricEigen(a, n);
    checkEigen(a, n, values, vectors, `n=${n}`);
    // Trace is the sum of the eigenvalues.
    let tr = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i];
    const sum = values.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum - tr) < 1e-12 * n * Math.max(1, Math.abs(values[0]), Math.abs(values[n - 1])), `trace ${tr} vs Σλ ${sum}`);
  });
}

s('symmetricEigen of a diagonal matrix returns its sorted diagonal', () => {
  const d = [3, -1, 0, 7, 2.5, -4, 1e-3];
  const n = d.length;
  const a = new Float64Array(n * n);
  d.forEach((x, i) => (a[i * n + i] = x));
  const { values, vectors } = symmetricEigen(a, n);
  assert.equal(Array.from(values), [...d].sort((x, y) => x - y));
  checkEigen(a, n, values, vectors, 'diagonal');
});

s('symmetricEigen recovers the spectrum of Q·diag·Qᵀ (Householder Q)', () => {
  const n = 40;
  const d = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 10 + i * 0.01);
  const q = householder(n, 11);
  const a = withSpectrum(q, d);
  const { values, vectors } = symmetricEigen(a, n);
  checkEigen(a, n, values, vectors, 'Q·diag·Qᵀ');
  const sorted = [...d].sort((x, y) => x - y);
  const scale = Math.max(...d.map(Math.abs));
  for (let i = 0; i < n; i++) assert.ok(Math.abs(values[i] - sorted[i]) < LINALG_TOL.eigen * scale, `λ${i}: ${values[i]} vs ${sorted[i]}`);
  // Each eigenvector (up to sign) is the matching column of Q: compare rank-1 projectors.
  const order = d.map((x, i) => [x, i]).sort((x, y) => x[0] - y[0]).map((p) => p[1]);
  for (const i of [0, 17, n - 1]) {
    const err = fro(projector(vectors, n, [i]), projector(q, n, [order[i]]));
    assert.ok(err < 1e-10, `projector ${i}: ${err.toExponential(2)}`);
  }
});

s('symmetricEigen at any scale: 1e-300 … 1e300 times a matrix gives its eigenvalues times the same factor (and vectors)', () => {
  const base = [2, 1, 0, 1, 2, 1, 0, 1, 2];
  const want = [2 - Math.SQRT2, 2, 2 + Math.SQRT2];
  const ref = symmetricEigen(new Float64Array(base), 3);
  for (const f of [1e-300, 1e-200, 1e-160, 1e-100, 1, 1e100, 1e160, 1e200, 1e300]) {
    const { values, vectors } = symmetricEigen(new Float64Array(base.map((v) => v * f)), 3);
    values.forEach((v, i) => assert.ok(Math.abs(v / f - want[i]!) < 1e-12, `scale ${f}: eigenvalue ${i} is ${v}, want ${want[i]! * f}`));
    vectors.forEach((v, i) => assert.ok(Math.abs(Math.abs(v) - Math.abs(ref.vectors[i]!)) < 1e-12, `scale ${f}: vector entry ${i}`));
  }
  assert.throws(() => symmetricEigen(new Float64Array(base), 3, { symmetryTolerance: Number.NaN }), (e: Error) => e instanceof ArgumentError && /symmetryTolerance/.test(e.message));
});

s('symmetricEigen with repeated eigenvalues: values and eigenspace projectors', () => {
  const d = [2, 5, 2, -1, 2, 5, 0.5, -1, 2, 9, 3, 3];
  const n = d.length;
  const q = householder(n, 23);
  const a = withSpectrum(q, d);
  const { values, vectors } = symmetricEigen(a, n);
  checkEigen(a, n, values, vectors, 'repeated');
  const sorted = [...d].sort((x, y) => x - y);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(values[i] - sorted[i]) < LINALG_TOL.eigen * 9, `λ${i}: ${values[i]} vs ${sorted[i]}`);
  // A basis of a repeated eigenspace is arbitrary; its projector is not.
  for (const lambda of [2, 5, -1, 3]) {
    const mine = [...values.keys()].filter((i) => Math.abs(values[i] - lambda) < 1e-8);
    const theirs = d.map((x, i) => [x, i]).filter((p) => p[0] === lambda).map((p) => p[1]);
    assert.is(mine.length, theirs.length, `multiplicity of ${lambda}`);
    const err = fro(projector(vectors, n, mine), projector(q, n, theirs));
    assert.ok(err < 1e-10, `eigenspace of ${lambda}: projector error ${err.toExponential(2)}`);
  }
  // A multiple of the identity: every vector is an eigenvector, V must still be orthonormal.
  const eye = new Float64Array(9);
  for (let i = 0; i < 3; i++) eye[i * 3 + i] = 4;
  const r = symmetricEigen(eye, 3);
  assert.equal(Array.from(r.values), [4, 4, 4]);
  checkEigen(eye, 3, r.values, r.vectors, '4·I');
});

// ---------------------------------------------------------------------------------------------------
// Products with every sum in order

/** op(A)·B by plain loops: s starts at 0 and adds op(A)[r, p]·B[p, c] for p in order. */
function plainProduct(a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (transA ? a[p * m + r]! : a[r * k + p]!) * b[p * n + c]!;
      out[r * n + c] = sum;
    }
  }
  return out;
}

/** Values with exact zeros (a third), mixed signs and magnitudes over 12 decades. */
function mixed(len: number, seed: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: len }, () => (u() < 0.33 ? 0 : (u() - 0.5) * 10 ** Math.floor(u() * 12 - 6)));
}

s('productInOrder gives the bits of plain in-order loops (odd shapes, transposed A, the upper triangle, one array as both sides, NaN)', () => {
  for (const [m, n, k] of [[1, 1, 1], [3, 17, 2], [17, 9, 65], [2, 8, 127], [65, 33, 3], [9, 257, 17]] as const) {
    for (const transA of [false, true]) {
      const a = mixed(m * k, m + 7 * n + k);
      const b = mixed(k * n, 3 * m + n + 11 * k);
      assert.equal(Array.from(productInOrder(a, b, m, n, k, { transA })), Array.from(plainProduct(a, b, m, n, k, transA)), `${m}×${k}·${k}×${n} transA=${transA}`);
    }
  }
  // Gram matrices XᵀX of X (k×n) with X passed once; the upper triangle, with zeros below. k > 64 resumes
  // each sum across K blocks (as do k = 65 and 127 above).
  for (const [n, k] of [[1, 5], [7, 3], [19, 40], [33, 2], [10, 150]] as const) {
    const x = mixed(k * n, n * k);
    const full = plainProduct(x, x, n, n, k, true);
    assert.equal(Array.from(productInOrder(x, x, n, n, k, { transA: true })), Array.from(full), `XᵀX ${n}`);
    const upper = productInOrder(x, x, n, n, k, { transA: true, upper: true });
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) assert.is(upper[r * n + c], c >= r ? full[r * n + c] : 0, `upper ${n} [${r}, ${c}]`);
    }
  }
  const a = Float64Array.from([1, NaN, 2, 3]);
  const c = productInOrder(a, Float64Array.from([1, 1]), 2, 1, 2);
  assert.ok(Number.isNaN(c[0]) && c[1] === 5, `NaN stays in its row: ${Array.from(c)}`);
  assert.throws(() => productInOrder(a, a, 3, 1, 2), (e: Error) => e instanceof ShapeError && /a must hold 3×2 = 6/.test(e.message));
  assert.throws(() => productInOrder(a, a, 2, 2, 1.5), (e: Error) => e instanceof ArgumentError && /k must be a positive integer/.test(e.message));
});

s('gramInOrderPanels gives ZᵀZ panel by panel with the bits of plain in-order loops, holding only Z and one panel', () => {
  // Panels that divide w and that do not (the last one shorter), one row, all rows at once; n > 64 resumes sums.
  for (const [n, w, rows] of [[1, 1, 1], [3, 17, 4], [17, 9, 9], [65, 33, 7], [127, 20, 50], [2, 257, 64]] as const) {
    const z = mixed(n * w, 5 * n + w + rows);
    const full = plainProduct(z, z, w, w, n, true);
    const seen: number[] = [];
    gramInOrderPanels(z, n, w, rows, (r0, panel, cols) => {
      seen.push(r0);
      assert.is(cols, w - r0, `cols of the panel at ${r0}`);
      const height = Math.min(rows, w - r0);
      assert.is(panel.length, height * cols, `panel size at ${r0}`);
      for (let i = 0; i < height; i++) {
        for (let c = 0; c < cols; c++) assert.is(panel[i * cols + c], full[(r0 + i) * w + r0 + c], `${n}×${w} rows ${rows}: [${r0 + i}, ${r0 + c}]`);
      }
    });
    assert.equal(seen, Array.from({ length: Math.ceil(w / rows) }, (_, i) => i * rows), `panels of ${n}×${w} by ${rows}`);
  }
  // The memory: Z (2×3000) and one panel of 8 rows, about 0.2 MB; the product would be 72 MB.
  const z = mixed(2 * 3000, 9);
  gramInOrderPanels(z, 2, 3000, 8, () => {});
  assert.ok(linalgLastCallBytes() < 2 ** 20, `used ${linalgLastCallBytes()} bytes`);
  // Bad input, and a callback that calls the module (it would overwrite Z) are refused by name.
  assert.throws(() => gramInOrderPanels(z, 2, 3001, 8, () => {}), (e: Error) => e instanceof ShapeError && /z must hold 2×3001 = 6002 values, got 6000/.test(e.message));
  assert.throws(() => gramInOrderPanels(z, 2, 3000, 0, () => {}), (e: Error) => e instanceof ArgumentError && /rows must be a positive integer, got 0/.test(e.message));
  assert.throws(() => gramInOrderPanels(z, 2, 3000, 8, null as never), (e: Error) => e instanceof ArgumentError && /visit must be a function/.test(e.message));
  assert.throws(() => gramInOrderPanels(z, 2, 3000, 8, () => productInOrder(Float64Array.from([1]), Float64Array.from([1]), 1, 1, 1)),
    (e: Error) => e instanceof FeaturelabError && /inside gramInOrderPanels's callback/.test(e.message));
  // After the refusal the module works again.
  assert.equal(Array.from(productInOrder(Float64Array.from([2]), Float64Array.from([3]), 1, 1, 1)), [6]);
});

s('null options and arrays that are not Float64Array are refused by name (were raw TypeErrors, or NaN from strings)', () => {
  const F = (a: number[]) => Float64Array.from(a);
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof ArgumentError && re.test((e as Error).message), String(re));
  refused(() => symmetricEigen(F([1, 0, 0, 1]), 2, null as never), /^symmetricEigen: the options must be an object/);
  refused(() => solveTriangular(F([1, 0, 1, 1]), 2, F([1, 1]), 1, null as never), /^solveTriangular: the options must be an object/);
  refused(() => productInOrder(F([1, 2]), F([1, 1]), 1, 1, 2, null as never), /^productInOrder: the options must be an object/);
  refused(() => productInOrder(F([1, 2]), undefined as never, 1, 1, 2), /^productInOrder: b must be a Float64Array, got \[object Undefined\]/);
  refused(() => productInOrder(['a', 'b'] as never, F([1, 1]), 1, 1, 2), /^productInOrder: a must be a Float64Array, got \[object Array\]/);
});

s('gramInOrderPanelsAsync gives gramInOrderPanels\' panels, pausing after each, and lays Z out again when a call comes during a pause', async () => {
  for (const [n, w, rows] of [[3, 17, 4], [65, 33, 7], [2, 257, 64]] as const) {
    const z = mixed(n * w, 7 * n + w);
    const expected: number[][] = [];
    gramInOrderPanels(z, n, w, rows, (r0, panel) => expected.push([r0, ...panel]));
    for (const interfere of [false, true]) {
      const got: number[][] = [];
      let pauses = 0;
      await gramInOrderPanelsAsync(z, n, w, rows, (r0, panel) => got.push([r0, ...panel]), async () => {
        pauses++;
        // Another call lays out its own data over Z's place in the memory.
        if (interfere) assert.equal(Array.from(productInOrder(mixed(64 * 64, 1), mixed(64 * 64, 2), 64, 64, 64)).length, 4096);
        await new Promise((r) => setTimeout(r, 0));
      });
      assert.is(pauses, Math.ceil(w / rows), `a pause after each panel of ${n}×${w} by ${rows}`);
      assert.equal(got, expected, `${n}×${w} by ${rows}${interfere ? ', with a call in each pause' : ''}`);
    }
  }
  const z = mixed(6, 1);
  for (const [args, re] of [[[z, 2, 4, 1, () => {}, async () => {}], /z must hold 2×4 = 8 values/], [[z, 2, 3, 1, () => {}, null], /pause must be a function/]] as const) {
    let thrown: unknown = null;
    await (gramInOrderPanelsAsync as (...a: unknown[]) => Promise<void>)(...args).catch((e: unknown) => { thrown = e; });
    assert.ok(thrown instanceof FeaturelabError && /gramInOrderPanelsAsync/.test(thrown.message) && re.test(thrown.message), `refused: ${String(thrown)}`);
  }
});

s.run();
