/**
 * Feature-map diagonalization (src/metrics/featureMap.ts, specs/feature-map.md) on hand-built feature
 * matrices with known spectra: exact collapse onto scaled class indicators (ρ_{C+1} = 0, Π̂(C) = 1,
 * Π*(C) = 1, NC1 = 0, MF), class means plus isotropic noise of known variance (NC1 by hand), random Gaussian
 * features (EF, Π̂(C) ≈ C/p), principal angles of known subspaces, the D_LR closed form, invariance under an
 * orthogonal rotation of the features, agreement of the covariance and Gram routes, input validation, and the
 * experiments' path (S formed in f32 on each backend) keeping the rank of rank-deficient and of ReLU features.
 * Eigenvectors are compared through residuals and projectors, never by sign.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { symmetricEigen } from '../src/linalg/wasmLinalg.js';
import {
  analyzeFeatureMap, centredKernelAlignment, classifyRegime, diagonalizeFeatureMap, dLR, eigenfunctions, featureRegime, nc1, piHat, piStar,
  principalAngles, rhoGap, spectrumCount, spectrumRatios, topSubspace, topSubspaceAngles,
} from '../src/metrics/featureMap.js';
import { rng } from './support/random.js';
import { ref, testBackends } from './support/backends.js';
import { probeFeatureMap } from '../src/experiments/featureMapProbe.js';

const s = suite('metrics: feature-map diagonalization');

// ---------------------------------------------------------------------------------------------------
// Helpers (plain f64, row-major)

/** Standard normal values (Box–Muller over the seeded test PRNG). */
function gaussian(seed: number, count: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = Math.max(r(), 1e-300), v = r();
    const rad = Math.sqrt(-2 * Math.log(u));
    out[i] = rad * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = rad * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** C = A·B with A m×k, B k×n (B transposed when tb: B is n×k). */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, tb = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * (tb ? b[j * k + p] : b[p * n + j]);
    }
  }
  return c;
}

/** Transpose of an m×n matrix. */
function tr(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** An orthogonal n×n Q = I − 2uuᵀ/‖u‖² (a Householder reflection of a random u) times another, so Q ≠ Qᵀ. */
function orthogonal(n: number, seed: number): Float64Array {
  const h = (sd: number): Float64Array => {
    const u = gaussian(sd, n);
    const uu = u.reduce((acc, x) => acc + x * x, 0);
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[i * n + j] = (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
    return q;
  };
  return mm(h(seed), h(seed + 1), n, n, n);
}

/** max |x − y|. */
function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  assert.is(x.length, y.length, 'lengths');
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/** Asserts |actual − expected| ≤ tol. */
function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

/** The projector U_k U_kᵀ (p×p) onto the span of the first k columns of a p×m matrix. */
function projector(u: Float64Array, p: number, m: number, k: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let j = 0; j < k; j++) out[a * p + b] += u[a * m + j] * u[b * m + j];
  return out;
}

/**
 * Collapse: every sample's features are s_c·e_c (the one-hot class indicator scaled per class) in p > C
 * dimensions. S = diag(s_c² n_c/n, 0, …) exactly.
 */
function collapse(): { phi: Float64Array; labels: Int32Array; n: number; p: number; C: number; counts: number[]; scales: number[] } {
  const C = 3, p = 6;
  const counts = [4, 7, 5], scales = [1.5, 1, 0.5];
  const n = counts.reduce((a, b) => a + b, 0);
  const labels = new Int32Array(n);
  const phi = new Float64Array(n * p);
  let i = 0;
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < counts[c]; t++, i++) {
      labels[i] = c;
      phi[i * p + c] = scales[c];
    }
  }
  // Shuffle rows deterministically so the classes are interleaved.
  const r = rng(5);
  for (let a = n - 1; a > 0; a--) {
    const b = Math.floor(r() * (a + 1));
    [labels[a], labels[b]] = [labels[b], labels[a]];
    for (let f = 0; f < p; f++) [phi[a * p + f], phi[b * p + f]] = [phi[b * p + f], phi[a * p + f]];
  }
  return { phi, labels, n, p, C, counts, scales };
}

/** Random weights W (C×p). */
function weights(C: number, p: number, seed: number): Float64Array {
  return gaussian(seed, C * p);
}

// ---------------------------------------------------------------------------------------------------
// Spectrum and eigenfunctions

s('collapse onto scaled class indicators: ρ, ρ_{C+1} = 0, eigenfunctions, Π*(C) = Π̂(C) = 1, NC1 = 0, MF', () => {
  const { phi, labels, n, p, C, counts, scales } = collapse();
  const expected = scales.map((sc, c) => (sc * sc * counts[c]) / n).sort((a, b) => b - a);
  for (const method of ['covariance', 'gram'] as const) {
    const d = diagonalizeFeatureMap(phi, n, p, { method });
    assert.is(d.route, method);
    assert.is(d.rho.length, Math.min(n, p));
    assert.is(d.rank, C, `${method}: rank`);
    for (let k = 0; k < C; k++) close(d.rho[k], expected[k], 1e-14, `${method}: ρ_${k + 1}`);
    assert.is(d.rho[C], 0, `${method}: ρ_{C+1} is exactly 0`);
    assert.is(rhoGap(d, C), 0);
    const ps = piStar(d, phi, labels, C);
    close(ps[C - 1], 1, 1e-12, `${method}: Π*(C)`);
    for (let k = 1; k < ps.length; k++) assert.ok(ps[k] >= ps[k - 1] - 1e-15 && ps[k] <= 1 + 1e-12, 'Π* is non-decreasing and ≤ 1');
    const ph = piHat(d, weights(C, p, 11), C);
    close(ph[C - 1], 1, 1e-12, `${method}: Π̂(C)`);
    const reg = featureRegime(d, weights(C, p, 11), C);
    assert.is(reg.regime, 'MF');
    close(reg.piHatC, 1, 1e-12, 'piHatC');
    assert.is(reg.rhoGap, 0);
    // e_k(x_i) = sqrt(n / n_c) · 1[y_i = c] (up to sign) for the class c of the k-th largest ρ.
    const e = eigenfunctions(d, phi, n, C);
    for (let k = 0; k < C; k++) {
      const c = scales.findIndex((sc, cc) => Math.abs((sc * sc * counts[cc]) / n - expected[k]) < 1e-14);
      for (let i = 0; i < n; i++) {
        close(Math.abs(e[i * C + k]), labels[i] === c ? Math.sqrt(n / counts[c]) : 0, 1e-12, `${method}: |e_${k + 1}(x_${i})|`);
      }
    }
  }
  close(nc1(phi, n, p, labels, C), 0, 1e-15, 'NC1');
});

s('known spectrum Phi = U·diag(sqrt(nρ))·Rᵀ: ρ, residuals S v = ρ v, orthonormal eigenfunctions, both routes agree', () => {
  const n = 30, p = 8;
  const rho = [5, 3, 2, 1, 0.5, 0.25, 0.1, 0.01];
  const un = orthogonal(n, 3); // first p columns: orthonormal n-vectors
  const rp = orthogonal(p, 7);
  const phi = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) for (let k = 0; k < p; k++) phi[i * p + a] += un[i * n + k] * Math.sqrt(n * rho[k]) * rp[a * p + k];
  const s2 = mm(tr(phi, n, p), phi, p, n, p).map((x) => x / n);
  const cov = diagonalizeFeatureMap(phi, n, p);
  assert.is(cov.route, 'covariance');
  const gram = diagonalizeFeatureMap(phi, n, p, { method: 'gram' });
  for (const d of [cov, gram]) {
    assert.ok(maxDiff(d.rho, rho) < 1e-12, `${d.route}: ρ ${Array.from(d.rho)}`);
    assert.is(d.rank, p);
    // Residual ‖S v_k − ρ_k v_k‖ and orthonormality of the v_k.
    const sv = mm(s2, d.vectors, p, p, p);
    for (let k = 0; k < p; k++) for (let a = 0; a < p; a++) close(sv[a * p + k], d.rho[k] * d.vectors[a * p + k], 1e-12, `${d.route}: (S v_${k + 1})[${a}]`);
    const vtv = mm(tr(d.vectors, p, p), d.vectors, p, p, p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) close(vtv[a * p + b], a === b ? 1 : 0, 1e-10, `${d.route}: VᵀV`);
    // Eigenfunctions are orthonormal under the mean inner product.
    const e = eigenfunctions(d, phi, n, p);
    const ete = mm(tr(e, n, p), e, p, n, p).map((x) => x / n);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) close(ete[a * p + b], a === b ? 1 : 0, 1e-10, `${d.route}: <e_${a + 1}, e_${b + 1}>`);
    // Spectrum ratios ρ_k/ρ_1.
    const ratios = spectrumRatios(d);
    assert.ok(maxDiff(ratios, rho.map((x) => x / rho[0])) < 1e-12, 'ρ_k/ρ_1');
  }
  // Same projectors onto the top-3 eigenvectors from both routes.
  assert.ok(maxDiff(projector(cov.vectors, p, p, 3), projector(gram.vectors, p, p, 3)) < 1e-10, 'top-3 projectors agree');
  // The route's matrix formed elsewhere (as the experiment forms S on a backend) gives the same result;
  // only its lower triangle is read; a wrong size is refused.
  const given = Float64Array.from(s2);
  for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) given[a * p + b] = NaN;
  const fromS = diagonalizeFeatureMap(phi, n, p, { product: given });
  assert.ok(maxDiff(fromS.rho, rho) < 1e-12, 'ρ from a given S');
  assert.ok(maxDiff(projector(fromS.vectors, p, p, 3), projector(cov.vectors, p, p, 3)) < 1e-10, 'projectors from a given S');
  const g2 = mm(phi, tr(phi, n, p), n, p, n).map((x) => x / n);
  assert.ok(maxDiff(diagonalizeFeatureMap(phi, n, p, { method: 'gram', product: g2 }).rho, rho) < 1e-12, 'ρ from a given G');
  assert.throws(() => diagonalizeFeatureMap(phi, n, p, { product: new Float64Array(3) }), (e: Error) => e instanceof ArgumentError && /8×8/.test(e.message));
});

s('n < p: the Gram route has the covariance spectrum, zero-padded beyond n; Π* and Π̂ agree with the p×p route', () => {
  const n = 7, p = 12, C = 3;
  const phi = gaussian(21, n * p);
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  const d = diagonalizeFeatureMap(phi, n, p);
  assert.is(d.route, 'gram');
  assert.is(d.rho.length, n);
  const full = diagonalizeFeatureMap(phi, n, p, { method: 'covariance' });
  assert.is(full.rho.length, n, 'min(n, p) eigenvalues either way');
  assert.ok(maxDiff(d.rho, full.rho) < 1e-12, 'same non-zero spectrum');
  // Brute force: eigenvalues of the p×p S, of which p − n are 0.
  const sMat = mm(tr(phi, n, p), phi, p, n, p).map((x) => x / n);
  const all = Array.from(symmetricEigen(sMat, p).values).reverse();
  for (let k = 0; k < n; k++) close(d.rho[k], all[k], 1e-12, `ρ_${k + 1}`);
  for (let k = n; k < p; k++) close(all[k], 0, 1e-12, 'the rest of S is null');
  const ratios = spectrumRatios(d, p);
  assert.is(ratios.length, p);
  for (let k = n; k < p; k++) assert.is(ratios[k], 0, `ρ_${k + 1}/ρ_1 = 0 beyond n`);
  assert.ok(maxDiff(piStar(d, phi, labels, C), piStar(full, phi, labels, C)) < 1e-10, 'Π* agrees');
  const w = weights(C, p, 5);
  assert.ok(maxDiff(piHat(d, w, C), piHat(full, w, C)) < 1e-10, 'Π̂ agrees');
  close(piStar(d, phi, labels, C)[n - 1], 1, 1e-10, 'Π*(n) = 1: n ≥ rank features span every label vector');
  close(piHat(d, w, C)[n - 1], 1, 1e-12, 'Π̂(rank) = 1');
});

s('Π* and Π̂ against a direct evaluation of the spec formulas (Float32 features)', () => {
  const n = 40, p = 6, C = 4;
  const phi = Float32Array.from(gaussian(31, n * p), (x, i) => x + (i % p === 0 ? 2 : 0));
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % C);
  const w = weights(C, p, 33);
  const d = diagonalizeFeatureMap(phi, n, p);
  const e = eigenfunctions(d, phi, n, p);
  // Π*(k) = Σ_{j≤k} Σ_c <e_j, y_c>² / Σ_c ‖y_c‖² with means over the sample.
  const ps = piStar(d, phi, labels, C);
  let acc = 0;
  for (let k = 0; k < p; k++) {
    for (let c = 0; c < C; c++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += labels[i] === c ? e[i * p + k] : 0;
      acc += (dot / n) ** 2;
    }
    close(ps[k], acc / 1, 1e-12, `Π*(${k + 1})`); // Σ_c ‖y_c‖² = Σ_c n_c/n = 1
  }
  assert.ok(ps[p - 1] < 1, 'Π*(p) < 1: one-hot labels are not in the span of 6 generic features');
  // Π̂(k) = Σ_{j≤k} Σ_c ρ_j (w_c·v_j)² / Σ_{j,c}: the denominator is Σ_c w_cᵀ S w_c.
  const sMat = mm(tr(phi, n, p), phi, p, n, p).map((x) => x / n);
  let total = 0;
  for (let c = 0; c < C; c++) {
    const sw = mm(sMat, w.subarray(c * p, (c + 1) * p), p, p, 1);
    for (let a = 0; a < p; a++) total += w[c * p + a] * sw[a];
  }
  const ph = piHat(d, w, C);
  let num = 0;
  for (let k = 0; k < p; k++) {
    for (let c = 0; c < C; c++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += w[c * p + a] * d.vectors[a * p + k];
      num += d.rho[k] * dot * dot;
    }
    close(ph[k], num / total, 1e-12, `Π̂(${k + 1})`);
  }
  close(ph[p - 1], 1, 1e-12, 'Π̂(p) = 1');
  // A zero last layer: Π̂ undefined (NaN), regime EF.
  const zero = piHat(d, new Float64Array(C * p), C);
  assert.ok(zero.every(Number.isNaN), 'Π̂ is NaN when W·Phi ≡ 0');
  assert.is(featureRegime(d, new Float64Array(C * p), C).regime, 'EF');
});

s('random Gaussian features: flat spectrum, EF regime, Π̂(C) ≈ C/p, Π*(C) small', () => {
  const n = 4000, p = 40, C = 4;
  const phi = gaussian(41, n * p);
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  const d = diagonalizeFeatureMap(phi, n, p);
  // Marchenko–Pastur with p/n = 0.01: eigenvalues in about [(1 − 0.1)², (1 + 0.1)²].
  assert.ok(d.rho[0] < 1.3 && d.rho[p - 1] > 0.7, `flat spectrum: ρ_1 = ${d.rho[0]}, ρ_p = ${d.rho[p - 1]}`);
  const gap = rhoGap(d, C);
  assert.ok(gap > 0.9 && gap <= 1, `ρ_{C+1}/ρ_C = ${gap}`);
  // Π̂(C) with a last layer independent of the features: E ≈ Σ_{j≤C} ρ_j / Σ_j ρ_j ≈ C/p; average over 20 draws of W.
  let mean = 0;
  const draws = 20;
  for (let t = 0; t < draws; t++) mean += piHat(d, weights(C, p, 100 + t), C)[C - 1] / draws;
  const share = d.rho.subarray(0, C).reduce((a, b) => a + b, 0) / d.rho.reduce((a, b) => a + b, 0);
  close(share, C / p, 0.25 * (C / p), 'Σ_{j≤C} ρ_j / Σ_j ρ_j (the top ρ are MP-inflated by ≈ (1 + sqrt(p/n))²)');
  close(mean, share, 0.2 * share, 'mean Π̂(C) vs the spectral share');
  close(mean, C / p, 0.5 * (C / p), 'mean Π̂(C) ≈ C/p');
  const reg = featureRegime(d, weights(C, p, 100), C);
  assert.is(reg.regime, 'EF');
  assert.ok(reg.piHatC < 0.95 && reg.rhoGap > 0.1, 'both numbers are on the EF side');
  const ps = piStar(d, phi, labels, C);
  assert.ok(ps[C - 1] < 0.02, `labels independent of features: Π*(C) = ${ps[C - 1]}`);
  assert.ok(ps[p - 1] < 1, 'Π*(p) < 1: the labels are not in the span of 40 random features');
});

s('regime rule: the two numbers and the thresholds as options', () => {
  assert.equal(classifyRegime(0.96, 0.05), { regime: 'MF', piHatC: 0.96, rhoGap: 0.05 });
  assert.is(classifyRegime(0.95, 0.1).regime, 'MF', 'thresholds are inclusive');
  assert.is(classifyRegime(0.94, 0.05).regime, 'EF', 'Π̂(C) too small');
  assert.is(classifyRegime(0.99, 0.2).regime, 'EF', 'no gap');
  assert.is(classifyRegime(0.9, 0.2, { piHatThreshold: 0.9, gapThreshold: 0.25 }).regime, 'MF', 'custom thresholds');
  assert.is(classifyRegime(NaN, 0).regime, 'EF', 'NaN Π̂ is EF');
  // A spectrum with a gap after C but a last layer that uses the tail: EF because of Π̂.
  const n = 50, p = 5, C = 2;
  const phi = new Float64Array(n * p);
  const g = gaussian(9, n * p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) phi[i * p + a] = g[i * p + a] * (a < C ? 10 : 0.1);
  const d = diagonalizeFeatureMap(phi, n, p);
  assert.ok(rhoGap(d, C) < 0.01, 'gap after C');
  const wTail = new Float64Array(C * p);
  wTail[0 * p + 3] = 1;
  wTail[1 * p + 4] = 1; // reads only the small directions
  const wTop = new Float64Array(C * p);
  wTop[0 * p + 0] = 1;
  wTop[1 * p + 1] = 1;
  const tail = featureRegime(d, wTail, C);
  const top = featureRegime(d, wTop, C);
  assert.ok(tail.piHatC < 0.95, `Π̂(C) with the tail: ${tail.piHatC}`);
  assert.is(tail.regime, 'EF');
  assert.ok(top.piHatC > 0.99, `Π̂(C) with the top: ${top.piHatC}`);
  assert.is(top.regime, 'MF');
});

// ---------------------------------------------------------------------------------------------------
// Principal angles

s('principal angles: identical subspaces 0, orthogonal π/2, known angles, small angles accurately', () => {
  const p = 6;
  const q = orthogonal(p, 13); // columns orthonormal
  const cols = (idx: number[]): Float64Array => {
    const out = new Float64Array(p * idx.length);
    for (let a = 0; a < p; a++) idx.forEach((j, t) => (out[a * idx.length + t] = q[a * p + j]));
    return out;
  };
  const same = principalAngles(cols([0, 1, 2]), cols([0, 1, 2]), p, 3);
  assert.ok(maxDiff(same, [0, 0, 0]) < 1e-7, `identical: ${Array.from(same)}`);
  // Same subspace, different (rotated, reordered) basis.
  const rot = mm(cols([0, 1, 2]), orthogonal(3, 17), p, 3, 3);
  assert.ok(maxDiff(principalAngles(cols([0, 1, 2]), rot, p, 3), [0, 0, 0]) < 1e-7, 'same span, other basis');
  const orth = principalAngles(cols([0, 1, 2]), cols([3, 4, 5]), p, 3);
  assert.ok(maxDiff(orth, [Math.PI / 2, Math.PI / 2, Math.PI / 2]) < 1e-12, `orthogonal: ${Array.from(orth)}`);
  // U1 = [q0, q1], U2 = [cos a q0 + sin a q2, cos b q1 + sin b q3]: angles {a, b}.
  for (const [a, b] of [[0.3, 1.1], [1e-9, 0.7], [Math.PI / 2 - 1e-9, 1e-6]]) {
    const u2 = new Float64Array(p * 2);
    for (let r = 0; r < p; r++) {
      u2[r * 2] = Math.cos(a) * q[r * p + 0] + Math.sin(a) * q[r * p + 2];
      u2[r * 2 + 1] = Math.cos(b) * q[r * p + 1] + Math.sin(b) * q[r * p + 3];
    }
    const ang = principalAngles(cols([0, 1]), u2, p, 2);
    const want = [a, b].sort((x, y) => x - y);
    for (let i = 0; i < 2; i++) close(ang[i], want[i], 1e-12 + 1e-6 * want[i], `angle ${i} of (${a}, ${b})`);
  }
  // Partial overlap: one shared direction, one orthogonal.
  const mixed = principalAngles(cols([0, 1]), cols([1, 2]), p, 2);
  assert.ok(maxDiff(mixed, [0, Math.PI / 2]) < 1e-7, `one shared direction: ${Array.from(mixed)}`);
});

s('top-C subspace angles between checkpoints: 0 for the same or rescaled features, rejected beyond the rank', () => {
  const { phi, n, p, C } = collapse();
  const d1 = diagonalizeFeatureMap(phi, n, p);
  const d2 = diagonalizeFeatureMap(phi.map((x) => 3 * x), n, p, { method: 'gram' });
  assert.ok(maxDiff(topSubspaceAngles(d1, d2, C), new Float64Array(C)) < 1e-7, 'rescaled features, other route: same subspace');
  // Rotate features by Q: the top-C subspace becomes Qᵀ·old; its angles to the old one equal those of the subspaces directly.
  const q = orthogonal(p, 19);
  const rotated = mm(phi, q, n, p, p);
  const d3 = diagonalizeFeatureMap(rotated, n, p);
  const u1 = topSubspace(d1, C);
  const expected = principalAngles(u1, mm(tr(q, p, p), u1, p, p, C), p, C);
  assert.ok(maxDiff(topSubspaceAngles(d1, d3, C), expected) < 1e-7, 'rotated features');
  assert.throws(() => topSubspace(d1, C + 1), (e: unknown) => e instanceof ArgumentError && /rank 3/.test((e as Error).message));
  assert.throws(() => principalAngles(new Float64Array([1, 1, 0, 0]), new Float64Array([1, 0, 0, 1]), 2, 2), (e: unknown) => e instanceof ArgumentError, 'non-orthonormal basis');
});

// ---------------------------------------------------------------------------------------------------
// NC1

s('NC1 of class means ± σ·sqrt(p)·e_j (Σ_W = σ²I exactly) equals σ²(C − 1)/a²', () => {
  const C = 3, p = 5, a = 2, sigma = 0.5;
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < p; j++) {
      for (const sign of [1, -1]) {
        const h = new Array(p).fill(0);
        h[c] = a;
        h[j] += sign * sigma * Math.sqrt(p);
        rows.push(h);
        labels.push(c);
      }
    }
  }
  const n = rows.length;
  const phi = Float64Array.from(rows.flat());
  // Σ_B = (a²/C)(I_C − 11ᵀ/C) on the first C coordinates: C − 1 eigenvalues a²/C, so tr(Σ_W Σ_B⁺) = σ² (C − 1) C / a².
  close(nc1(phi, n, p, Int32Array.from(labels), C), (sigma ** 2 * (C - 1)) / a ** 2, 1e-13, 'NC1');
  // Random isotropic noise of variance σ² per coordinate: close to the same value for many samples.
  const per = 3000;
  const noisy = new Float64Array(C * per * p);
  const g = gaussian(77, noisy.length);
  const lab = new Int32Array(C * per);
  for (let i = 0; i < C * per; i++) {
    lab[i] = i % C;
    for (let f = 0; f < p; f++) noisy[i * p + f] = (f === lab[i] ? a : 0) + sigma * g[i * p + f];
  }
  close(nc1(noisy, C * per, p, lab, C), (sigma ** 2 * (C - 1)) / a ** 2, 0.05 * (sigma ** 2 * (C - 1)) / a ** 2, 'NC1 with Gaussian noise');
});

s('NC1 against a brute-force p×p evaluation (unbalanced classes, pseudo-inverse of a rank-deficient Σ_B)', () => {
  const n = 60, p = 7, C = 4;
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 30 ? 0 : i < 40 ? 1 : i < 52 ? 2 : 3));
  const g = gaussian(55, n * p);
  const centres = gaussian(56, C * p);
  const phi = Float64Array.from(g, (x, k) => x + 2 * centres[labels[Math.floor(k / p)] * p + (k % p)]);
  const counts = new Array(C).fill(0);
  const mu = new Float64Array(C * p), muG = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    counts[labels[i]]++;
    for (let a = 0; a < p; a++) {
      mu[labels[i] * p + a] += phi[i * p + a];
      muG[a] += phi[i * p + a] / n;
    }
  }
  for (let c = 0; c < C; c++) for (let a = 0; a < p; a++) mu[c * p + a] /= counts[c];
  const sw = new Float64Array(p * p), sb = new Float64Array(p * p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sw[a * p + b] += ((phi[i * p + a] - mu[labels[i] * p + a]) * (phi[i * p + b] - mu[labels[i] * p + b])) / n;
  for (let c = 0; c < C; c++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sb[a * p + b] += ((mu[c * p + a] - muG[a]) * (mu[c * p + b] - muG[b])) / C;
  const { values, vectors } = symmetricEigen(sb, p);
  const pinv = new Float64Array(p * p);
  const lmax = values[p - 1];
  for (let t = 0; t < p; t++) {
    if (values[t] <= 1e-10 * lmax) continue;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) pinv[a * p + b] += (vectors[a * p + t] * vectors[b * p + t]) / values[t];
  }
  const prod = mm(sw, pinv, p, p, p);
  let trace = 0;
  for (let a = 0; a < p; a++) trace += prod[a * p + a];
  close(nc1(phi, n, p, labels, C), trace / C, 1e-10 * (trace / C), 'NC1');
  // Collapse onto a centred simplex: Σ_B has rank C − 1 and Σ_W = 0.
  const simplex = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) simplex[i * p + c] = (c === labels[i] ? 1 : 0) - 1 / C;
  close(nc1(simplex, n, p, labels, C), 0, 1e-15, 'NC1 of a collapsed simplex');
  assert.ok(Number.isNaN(nc1(new Float64Array(n * p).fill(1), n, p, labels, C)), 'equal class means: NC1 undefined');
});

// ---------------------------------------------------------------------------------------------------
// D_LR

s('D_LR: closed form for orthogonal centred columns, 0 for features = whitened logits, invariances, NaN when undefined', () => {
  // Phi_c has orthogonal columns a (norm α) and b (norm β); logits = a: CKA = α² / sqrt(α⁴ + β⁴).
  const n = 4;
  const alpha = 2, beta = 3;
  const colA = [1, -1, 1, -1].map((x) => (x * alpha) / 2);
  const colB = [1, 1, -1, -1].map((x) => (x * beta) / 2);
  const phi = Float64Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? colA[k >> 1] : colB[k >> 1]) + 5); // + 5: centring removes it
  const logits = Float64Array.from(colA, (x) => 3 * x - 1);
  const cka = alpha ** 2 / Math.sqrt(alpha ** 4 + beta ** 4);
  close(centredKernelAlignment(phi, logits, n, 2, 1), cka, 1e-14, 'CKA');
  close(dLR(phi, logits, n, 2, 1), 1 - cka, 1e-14, 'D_LR');
  // Features equal to an orthonormal basis of the centred logits: CKA = 1, D_LR = 0.
  const m = 20, q = 3;
  const z = gaussian(61, m * q);
  // Q by whitening the centred logits: Q = Z_c (Z_cᵀZ_c)^{-1/2}.
  const zc = Float64Array.from(z);
  for (let c = 0; c < q; c++) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += zc[i * q + c] / m;
    for (let i = 0; i < m; i++) zc[i * q + c] -= mean;
  }
  const ztz = mm(tr(zc, m, q), zc, q, m, q);
  const eig = symmetricEigen(ztz, q);
  const white = new Float64Array(q * q);
  for (let t = 0; t < q; t++) for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) white[a * q + b] += (eig.vectors[a * q + t] * eig.vectors[b * q + t]) / Math.sqrt(eig.values[t]);
  const qBasis = mm(zc, white, m, q, q);
  close(dLR(qBasis, z, m, q, q), 0, 1e-12, 'D_LR of whitened logits');
  // Features = the raw logits with unequal singular values: CKA < 1.
  assert.ok(dLR(z, z, m, q, q) > 1e-3, 'raw logits as features are not whitened');
  // Invariance: orthogonal rotation and scaling of the features, invertible map of the logits.
  const p = 5;
  const feats = gaussian(62, m * p);
  const base = dLR(feats, z, m, p, q);
  const rot = mm(feats, orthogonal(p, 63), m, p, p).map((x) => 2.5 * x);
  close(dLR(rot, z, m, p, q), base, 1e-12, 'rotated and scaled features');
  const mix = mm(z, Float64Array.from([1, 2, 0, 0, 1, 3, 1, 0, 1]), m, q, q);
  close(dLR(feats, mix, m, p, q), base, 1e-10, 'invertible map of the logits');
  assert.ok(base > 0 && base < 1, `D_LR in (0, 1): ${base}`);
  // Logits carrying the features' top direction vs random logits.
  const big = gaussian(64, 400 * p).map((x, k) => (k % p === 0 ? 10 * x : x));
  const rich = Float64Array.from({ length: 400 }, (_, i) => big[i * p]);
  const lazy = gaussian(65, 400);
  assert.ok(dLR(big, rich, 400, p, 1) < 0.05, 'logits along the dominant feature direction: rich');
  assert.ok(dLR(big, lazy, 400, p, 1) > 0.9, 'unrelated logits: lazy');
  // Wide features (n < p): the n×n route of ‖Phi_cᵀPhi_c‖_F.
  const wide = gaussian(66, 6 * 10);
  const lw = gaussian(67, 6 * 2);
  const narrowRoute = dLR(wide, lw, 6, 10, 2);
  const wideT = mm(wide, orthogonal(10, 68), 6, 10, 10);
  close(dLR(wideT, lw, 6, 10, 2), narrowRoute, 1e-12, 'n < p, rotated');
  assert.ok(Number.isNaN(dLR(feats, new Float64Array(m * q).fill(4), m, p, q)), 'constant logits: NaN');
  assert.ok(Number.isNaN(dLR(new Float64Array(m * p).fill(1), z, m, p, q)), 'constant features: NaN');
});

// ---------------------------------------------------------------------------------------------------
// Invariance and the summary

s('invariance under an orthogonal rotation Phi → Phi Q, W → W Q: ρ, Π*, Π̂, regime numbers, NC1, D_LR', () => {
  const n = 80, p = 9, C = 3;
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  const centres = gaussian(71, C * p);
  const phi = Float64Array.from(gaussian(72, n * p), (x, k) => 0.5 * x + 2 * centres[labels[Math.floor(k / p)] * p + (k % p)]);
  const w = weights(C, p, 73);
  const logits = mm(phi, w, n, p, C, true);
  const q = orthogonal(p, 74);
  const phiQ = mm(phi, q, n, p, p);
  const wQ = mm(w, q, C, p, p);
  const a = analyzeFeatureMap(phi, n, p, labels, C, { weights: w, logits });
  const b = analyzeFeatureMap(phiQ, n, p, labels, C, { weights: wQ, logits: mm(phiQ, wQ, n, p, C, true) });
  assert.ok(maxDiff(a.diagonalization.rho, b.diagonalization.rho) < 1e-12, 'ρ');
  assert.ok(maxDiff(a.rhoRatios, b.rhoRatios) < 1e-12, 'ρ_k/ρ_1');
  assert.ok(maxDiff(a.piStar, b.piStar) < 1e-10, 'Π*');
  assert.ok(maxDiff(a.piHat!, b.piHat!) < 1e-10, 'Π̂');
  close(a.rhoGap, b.rhoGap, 1e-12, 'ρ gap');
  close(a.nc1, b.nc1, 1e-10 * a.nc1, 'NC1');
  close(a.dLR!, b.dLR!, 1e-10, 'D_LR');
  assert.is(a.regime, b.regime);
  // Eigenfunctions are invariant up to sign.
  const ea = eigenfunctions(a.diagonalization, phi, n, 3), eb = eigenfunctions(b.diagonalization, phiQ, n, 3);
  assert.ok(maxDiff(ea.map(Math.abs), eb.map(Math.abs)) < 1e-9, '|e_k|');
});

s('analyzeFeatureMap: collapse is MF with Π̂(C) = 1, gap 0, NC1 = 0; random features are EF', () => {
  const { phi, labels, n, p, C } = collapse();
  const w = weights(C, p, 81);
  const first = analyzeFeatureMap(phi, n, p, labels, C, { weights: w, logits: mm(phi, w, n, p, C, true) });
  assert.is(first.rhoRatios.length, spectrumCount(p, C));
  assert.is(spectrumCount(p, C), Math.min(p, 4 * C));
  assert.is(first.regime, 'MF');
  close(first.piHatC!, 1, 1e-12, 'Π̂(C)');
  assert.is(first.rhoGap, 0);
  close(first.nc1, 0, 1e-15, 'NC1');
  close(first.piStar[C - 1], 1, 1e-12, 'Π*(C)');
  assert.ok(first.dLR! >= -1e-12 && first.dLR! < 1, `D_LR ${first.dLR}`);
  const again = analyzeFeatureMap(phi, n, p, labels, C, { weights: w, previous: first.diagonalization });
  assert.ok(maxDiff(again.principalAngles!, new Float64Array(C)) < 1e-7, 'same checkpoint: angles 0');
  assert.is(again.dLR, undefined);
  const rn = 500, rp = 20;
  const rlab = Int32Array.from({ length: rn }, (_, i) => i % C);
  const rand = analyzeFeatureMap(gaussian(82, rn * rp), rn, rp, rlab, C, { weights: weights(C, rp, 83) });
  assert.is(rand.regime, 'EF');
  assert.ok(rand.rhoGap > 0.5, `random gap ${rand.rhoGap}`);
  assert.ok(rand.nc1 > 10, `random features: no collapse, NC1 = ${rand.nc1}`);
});

// ---------------------------------------------------------------------------------------------------
// Validation

s('input validation: shapes, non-finite values, classes ≥ 2, labels, empty classes, all-zero features, counts', () => {
  const { phi, labels, n, p, C } = collapse();
  const isArg = (e: unknown): boolean => e instanceof ArgumentError;
  const isShape = (e: unknown): boolean => e instanceof ShapeError;
  assert.throws(() => diagonalizeFeatureMap(phi, n, p + 1), isShape, 'wrong length');
  assert.throws(() => diagonalizeFeatureMap(Array.from(phi) as unknown as Float64Array, n, p), isArg, 'plain array');
  const bad = Float64Array.from(phi);
  bad[7] = NaN;
  assert.throws(() => diagonalizeFeatureMap(bad, n, p), (e: unknown) => isArg(e) && /\[1, 1\] is NaN/.test((e as Error).message), 'NaN named by index');
  bad[7] = Infinity;
  assert.throws(() => nc1(bad, n, p, labels, C), isArg, 'Infinity');
  assert.throws(() => diagonalizeFeatureMap(new Float64Array(n * p), n, p), (e: unknown) => isArg(e) && /all zero/.test((e as Error).message), 'all-zero features');
  assert.throws(() => diagonalizeFeatureMap(phi, n, p, { method: 'svd' as 'gram' }), isArg, 'method');
  assert.throws(() => diagonalizeFeatureMap(phi, 0, p), isArg, 'n = 0');
  const d = diagonalizeFeatureMap(phi, n, p);
  assert.throws(() => piStar(d, phi, labels, 1), (e: unknown) => isArg(e) && /classes/.test((e as Error).message), 'C = 1');
  assert.throws(() => nc1(phi, n, p, labels, 1), isArg, 'NC1 with C = 1');
  assert.throws(() => piStar(d, phi, labels.subarray(1), C), isShape, 'labels length');
  assert.throws(() => piStar(d, phi, Int32Array.from(labels, (y) => (y === 2 ? 3 : y)), C), isArg, 'label out of range');
  assert.throws(() => piStar(d, phi, Float64Array.from(labels, (y) => y + 0.5), C), isArg, 'non-integer label');
  assert.throws(() => nc1(phi, n, p, Int32Array.from(labels, (y) => (y === 2 ? 1 : y)), C), (e: unknown) => isArg(e) && /class 2 has no sample/.test((e as Error).message), 'empty class');
  assert.throws(() => piHat(d, new Float64Array(C * (p - 1)), C), isShape, 'weights shape');
  assert.throws(() => piHat(d, weights(C, p, 1), C, p + 1), isArg, 'count beyond min(n, p)');
  assert.throws(() => spectrumRatios(d, p + 1), isArg, 'ratios beyond p');
  assert.throws(() => eigenfunctions(d, phi, n + 1, 2), isShape, 'eigenfunction rows');
  assert.throws(() => dLR(phi, new Float64Array(n * C), n, p, C + 1), isShape, 'logits shape');
  assert.throws(() => piHat({ rho: new Float64Array(2) } as never, weights(C, p, 1), C), isArg, 'not a diagonalization');
  const other = diagonalizeFeatureMap(gaussian(3, n * (p + 1)), n, p + 1);
  assert.throws(() => topSubspaceAngles(d, other, C), isShape, 'different widths');
  assert.throws(() => principalAngles(new Float64Array(4), new Float64Array(4), 2, 3), isArg, 'k > p');
  assert.throws(() => classifyRegime(0.5, 0.5, { piHatThreshold: NaN }), isArg, 'threshold');
  // Float32 features are accepted and give the same spectrum.
  const d32 = diagonalizeFeatureMap(Float32Array.from(phi), n, p);
  assert.ok(maxDiff(d32.rho, d.rho) < 1e-7, 'Float32 input');
});


s('S formed in f32 on each backend (the experiments\' probe): exact rank-9 features keep rank 9, ReLU features all their eigenvalues', async () => {
  // Φ = Z·B (n×p, rank r), labels and last-layer weights at random; ReLU(Φ) has full rank with small but real
  // eigenvalues. The f32 round-off of S must neither raise the first rank nor drop the second's smallest eigenvalues.
  const n = 2000, p = 128, r = 9, C = 10;
  const z = gaussian(41, n * r), b = gaussian(42, r * p);
  const linear = Float32Array.from(mm(z, b, n, r, p));
  const relu = linear.map((x) => Math.max(0, x));
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  const w = Float32Array.from(weights(C, p, 43));
  for (const [name, phi, rank] of [['rank 9', linear, r], ['ReLU', relu, p]] as const) {
    const logits = Float32Array.from(mm(phi, w, n, p, C, true));
    const exact = analyzeFeatureMap(phi, n, p, labels, C, { weights: w, logits });
    assert.is(exact.diagonalization.rank, rank, `${name}: rank with S in f64`);
    for (const backend of [...testBackends, ref]) {
      const probed = await probeFeatureMap(backend, { features: phi, n, p, labels, classes: C, weights: w, logits, where: 'test', remedy: '' });
      assert.is(probed.diagonalization.rank, rank, `${name} on ${backend.name}: rank`);
      if (rank < C) assert.is(probed.rhoGap, 0, `${name} on ${backend.name}: ρ_{C+1}/ρ_C = 0 (rank < C)`);
      else close(probed.rhoGap, exact.rhoGap, 1e-5, `${name} on ${backend.name}: ρ_{C+1}/ρ_C`);
      const rho = probed.diagonalization.rho, rhoExact = exact.diagonalization.rho;
      for (let k = 0; k < rank; k++) close(rho[k]!, rhoExact[k]!, 1e-5 * rhoExact[0]!, `${name} on ${backend.name}: ρ_${k + 1}`);
    }
  }
});

s.run();
