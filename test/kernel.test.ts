/**
 * src/kernel/ on host f64 matrices: Gauss–Hermite quadrature and Hermite coefficients of the spec's
 * activations (specs/spurious-memorization.md), random-feature and NTK-feature kernels (against explicit
 * features and the analytic arc-cosine limits), the arc-cosine NNGP / NTK recursion, and kernel regression
 * (interpolation, leave-one-out against explicit refits, gradient-flow time, ridge, jitter).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, NotPositiveDefiniteError, ShapeError } from '../src/errors.js';
import { symmetricEigen } from '../src/linalg/wasmLinalg.js';
import { Rng } from '../src/rng.js';
import { arccosKernels } from '../src/kernel/arccos.js';
import { gaussianWeights, gram, linearKernel, ntkFeatureKernel, ntkFeatures, randomFeatureKernel, randomFeatures, rbfKernel } from '../src/kernel/features.js';
import {
  ACTIVATIONS, gaussHermite, gaussianExpectation, hermiteCoefficients, normalizedHermite, phi2, phi2Prime, phi4, phi4Prime,
  relu, reluDerivative, tanh, tanhDerivative,
} from '../src/kernel/hermite.js';
import { kernelRegression } from '../src/kernel/regression.js';

const s = suite('kernel (features, arc-cosine, regression)');

// ---------------------------------------------------------------------------------------------------
// Helpers

/** rows×cols standard normal values (f64 copies of the library's f32 draws). */
function normal(seed: number, rows: number, cols: number): Float64Array {
  return Float64Array.from(new Rng(seed).fillNormal(new Float32Array(rows * cols)));
}

/** Rows rescaled to ‖z‖² = d (the spec's input normalisation). */
function normalizeRows(z: Float64Array, d: number): Float64Array {
  const out = z.slice();
  for (let i = 0; i < z.length / d; i++) {
    let s2 = 0;
    for (let t = 0; t < d; t++) s2 += z[i * d + t] ** 2;
    const f = Math.sqrt(d / s2);
    for (let t = 0; t < d; t++) out[i * d + t] *= f;
  }
  return out;
}

/** max |x − y| / max(|y|, tiny). */
function relErr(x: Float64Array, y: Float64Array): number {
  assert.is(x.length, y.length, 'lengths');
  let e = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    e = Math.max(e, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return e / Math.max(m, 1e-300);
}

/** Euclidean norm. */
function norm(x: Float64Array): number {
  return Math.sqrt(x.reduce((a, v) => a + v * v, 0));
}

/** (j − 1)!! for even j, 0 for odd j: E[g^j], g ~ N(0, 1). */
function gaussMoment(j: number): number {
  if (j % 2 === 1) return 0;
  let p = 1;
  for (let i = j - 1; i > 1; i -= 2) p *= i;
  return p;
}

/** The rows / columns `keep` of an n×n matrix. */
function sub(k: Float64Array, n: number, rows: number[], cols: number[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => { out[i * cols.length + j] = k[r * n + c]; }));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Gauss–Hermite and Hermite coefficients

s('gaussHermite: small rules by hand, weights sum to 1, nodes ascending and symmetric', () => {
  const r1 = gaussHermite(1);
  assert.equal(Array.from(r1.nodes), [0]);
  assert.ok(Math.abs(r1.weights[0] - 1) < 1e-15);
  const r2 = gaussHermite(2);
  assert.ok(Math.abs(r2.nodes[1] - 1) < 1e-14 && Math.abs(r2.nodes[0] + 1) < 1e-14, `n=2 nodes ±1: ${r2.nodes}`);
  assert.ok(Math.abs(r2.weights[0] - 0.5) < 1e-14 && Math.abs(r2.weights[1] - 0.5) < 1e-14);
  const r3 = gaussHermite(3);
  assert.ok(Math.abs(r3.nodes[2] - Math.sqrt(3)) < 1e-14 && r3.nodes[1] === 0, `n=3 nodes 0, ±√3: ${r3.nodes}`);
  assert.ok(Math.abs(r3.weights[1] - 2 / 3) < 1e-14 && Math.abs(r3.weights[2] - 1 / 6) < 1e-14, `n=3 weights: ${r3.weights}`);
  for (const n of [5, 16, 64, 200]) {
    const { nodes, weights } = gaussHermite(n);
    const sum = weights.reduce((a, w) => a + w, 0);
    assert.ok(Math.abs(sum - 1) < 1e-13, `n=${n}: Σw = ${sum}`);
    for (let i = 0; i < n; i++) {
      assert.ok(weights[i] >= 0, `n=${n}: w[${i}] ≥ 0`);
      assert.is(nodes[i], -nodes[n - 1 - i], `n=${n}: symmetric node ${i}`);
      if (i > 0) assert.ok(nodes[i] > nodes[i - 1], `n=${n}: ascending at ${i}`);
    }
  }
});

s('gaussHermite: an n-node rule integrates x^j exactly for j ≤ 2n − 1 and not x^{2n}', () => {
  for (let n = 1; n <= 12; n++) {
    const { nodes, weights } = gaussHermite(n);
    const moment = (j: number) => nodes.reduce((a, x, i) => a + weights[i] * x ** j, 0);
    for (let j = 0; j <= 2 * n - 1; j++) {
      const m = moment(j);
      const want = gaussMoment(j);
      // Odd moments cancel between ± nodes: the rounding is relative to Σ w|x|^j.
      const scale = nodes.reduce((a, x, i) => a + weights[i] * Math.abs(x) ** j, 0);
      assert.ok(Math.abs(m - want) <= 1e-13 * Math.max(1, scale), `n=${n}: E[x^${j}] = ${m}, want ${want}`);
    }
    const m2n = moment(2 * n);
    assert.ok(gaussMoment(2 * n) - m2n > 0.1, `n=${n}: x^${2 * n} is not integrated exactly (${m2n} vs ${gaussMoment(2 * n)})`);
  }
  // The default 64-node rule.
  assert.ok(Math.abs(gaussianExpectation((x) => x ** 4) - 3) < 1e-12, 'E[x^4] = 3');
  assert.ok(Math.abs(gaussianExpectation((x) => x ** 6) - 15) < 1e-11, 'E[x^6] = 15');
  assert.ok(Math.abs(gaussianExpectation((x) => x ** 5)) < 1e-12, 'E[x^5] = 0');
  assert.ok(Math.abs(gaussianExpectation((x) => Math.cos(x)) - Math.exp(-0.5)) < 1e-14, 'E[cos g] = e^{−1/2}');
});

s('normalizedHermite: h_l = He_l/√(l!) are orthonormal under N(0, 1)', () => {
  const h = normalizedHermite(2, 4);
  assert.ok(relErr(h, new Float64Array([1, 2, 3 / Math.SQRT2, 2 / Math.sqrt(6), -5 / Math.sqrt(24)])) < 1e-15, `h(2) = ${h}`);
  const { nodes, weights } = gaussHermite(64);
  const deg = 12;
  const gram12 = new Float64Array((deg + 1) ** 2);
  for (let i = 0; i < nodes.length; i++) {
    const v = normalizedHermite(nodes[i], deg);
    for (let a = 0; a <= deg; a++) for (let b = 0; b <= deg; b++) gram12[a * (deg + 1) + b] += weights[i] * v[a] * v[b];
  }
  for (let a = 0; a <= deg; a++) {
    for (let b = 0; b <= deg; b++) assert.ok(Math.abs(gram12[a * (deg + 1) + b] - (a === b ? 1 : 0)) < 1e-12, `E[h_${a} h_${b}]`);
  }
});

s('hermiteCoefficients: φ2, φ4 and the spec NTK derivatives have exactly their defining coefficients', () => {
  const cases: [string, (x: number) => number, number[]][] = [
    ['φ2 = h1 + h2', phi2, [0, 1, 1, 0, 0, 0, 0, 0]],
    ['φ4 = h1 + h4', phi4, [0, 1, 0, 0, 1, 0, 0, 0]],
    ["φ'2 = h0 + h1", phi2Prime, [1, 1, 0, 0, 0, 0, 0, 0]],
    ["φ'4 = h0 + h3", phi4Prime, [1, 0, 0, 1, 0, 0, 0, 0]],
  ];
  for (const [name, act, want] of cases) {
    for (const nodes of [8, 64]) {
      const mu = hermiteCoefficients(act, 7, nodes);
      for (let l = 0; l <= 7; l++) assert.ok(Math.abs(mu[l] - want[l]) < 1e-12, `${name} (${nodes} nodes): μ${l} = ${mu[l]}, want ${want[l]}`);
      // Beyond l = 1 (φ) or l = 0 (φ'), exactly one non-zero entry: the one the spec's γ depends on.
      const nonzeroHigh = Array.from(mu).slice(2).filter((m) => Math.abs(m) > 1e-12).length;
      assert.is(nonzeroHigh, want.slice(2).filter((m) => m !== 0).length, `${name}: non-zero coefficients beyond l = 1`);
    }
  }
  assert.ok(ACTIVATIONS.phi2.derivative === phi2Prime && ACTIVATIONS.relu.act === relu, 'ACTIVATIONS table');
  // An n-point rule cannot tell h_l from lower degrees for l ≥ n: the identity with 4 nodes would give μ7 = −0.34.
  assert.throws(() => hermiteCoefficients((x) => x, 10, 4), (e: Error) => e instanceof ArgumentError && /degree 10 needs more than 4 nodes/.test(e.message));
  assert.throws(() => hermiteCoefficients((x) => x, 1e10, 64), (e: Error) => e instanceof ArgumentError && /raise nodes/.test(e.message), 'a huge degree is refused, not allocated');
  assert.throws(() => hermiteCoefficients(relu, 3, 8, { kinks: 5 as unknown as number[] }), (e: Error) => e instanceof ArgumentError && /kinks must be an array/.test(e.message));
});

s('hermiteCoefficients: ReLU matches μ0 = 1/√(2π), μ1 = 1/2, μ2 = 1/√(4π), μ3 = 0; tanh by Stein and parity', () => {
  const mu = hermiteCoefficients(relu, 6, 64, { kinks: ACTIVATIONS.relu.kinks });
  // μ4 = E[relu·He4]/√24 = (E[x⁵] − 6E[x³] + 3E[x]; x > 0)/√24 = (8 − 12 + 3)/(√(2π)·√24).
  const want = [1 / Math.sqrt(2 * Math.PI), 0.5, 1 / Math.sqrt(4 * Math.PI), 0, -1 / Math.sqrt(48 * Math.PI), 0];
  for (let l = 0; l < want.length; l++) assert.ok(Math.abs(mu[l] - want[l]) < 1e-13, `ReLU μ${l} = ${mu[l]}, want ${want[l]}`);
  // Plain Gauss–Hermite converges only algebraically at the kink.
  const mu64 = hermiteCoefficients(relu, 2);
  for (let l = 0; l <= 2; l++) assert.ok(Math.abs(mu64[l] - want[l]) < 3e-3, `ReLU μ${l} at 64 Gauss–Hermite nodes = ${mu64[l]}`);
  // Parseval: Σ μ_l² ≤ E[relu²] = 1/2.
  const many = hermiteCoefficients(relu, 30, 64, { kinks: [0] });
  const energy = many.reduce((a, m) => a + m * m, 0);
  assert.ok(energy < 0.5 && energy > 0.499, `Σ μ² = ${energy}`);
  // tanh: odd, so even coefficients vanish; Stein's lemma μ1 = E[tanh'(g)], μ3 = E[tanh'''(g)]/√6 (checked via μ1 only).
  const mt = hermiteCoefficients(tanh, 5);
  for (const l of [0, 2, 4]) assert.ok(Math.abs(mt[l]) < 1e-15, `tanh μ${l} = ${mt[l]}`);
  // tanh's poles at ±iπ/2 slow Gauss–Hermite down (≈ 3e-9 at 64 nodes).
  assert.ok(Math.abs(mt[1] - gaussianExpectation(tanhDerivative)) < 1e-8, `tanh μ1 = ${mt[1]} = E[tanh'] = ${gaussianExpectation(tanhDerivative)}`);
  assert.ok(Math.abs(hermiteCoefficients(reluDerivative, 0, 64, { kinks: [0] })[0] - 0.5) < 1e-14, "E[relu'] = 1/2");
  // The piecewise rule also reproduces smooth activations' coefficients.
  const p4 = hermiteCoefficients(phi4, 6, 64, { kinks: [0, 1.5] });
  for (let l = 0; l <= 6; l++) assert.ok(Math.abs(p4[l] - (l === 1 || l === 4 ? 1 : 0)) < 1e-12, `φ4 piecewise μ${l} = ${p4[l]}`);
});

s('hermiteCoefficients / gaussHermite reject bad arguments', () => {
  assert.throws(() => gaussHermite(0), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => gaussHermite(2.5), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => hermiteCoefficients(relu, -1), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => hermiteCoefficients(() => NaN, 2), (e: unknown) => e instanceof ArgumentError && /finite/.test(e.message));
});

// ---------------------------------------------------------------------------------------------------
// Feature maps and kernels

s('randomFeatures is act(V z) entry by entry; gram is A Bᵀ', () => {
  const d = 4;
  const z = normal(1, 3, d);
  const v = gaussianWeights(new Rng(2), 5, d);
  const f = randomFeatures(z, v, d, phi4);
  assert.is(f.length, 3 * 5);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 5; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += v[j * d + t] * z[i * d + t];
      assert.ok(Math.abs(f[i * 5 + j] - phi4(dot)) < 1e-13, `φ(Vz)[${i}, ${j}]`);
    }
  }
  const g = gram(new Float64Array([1, 2, 3, 4]), new Float64Array([1, 0, 0, 1, 1, 1]), 2, 2);
  assert.equal(Array.from(g), [2, 4, 6, 6, 8, 14]);
  assert.throws(() => randomFeatures(new Float64Array(7), v, d, relu), (e: unknown) => e instanceof ShapeError);
  // An activation that is not finite where it is evaluated is named, not passed on as NaN features.
  const logShift = (x: number) => Math.log(x - 1);
  assert.throws(() => randomFeatures(z, v, d, logShift), (e: Error) => e instanceof ArgumentError && /randomFeatures: the activation gave (NaN|-Infinity) at/.test(e.message));
  assert.throws(() => randomFeatureKernel(z, z, v, d, logShift), (e: Error) => e instanceof ArgumentError && /the activation gave/.test(e.message));
});

s('gaussianWeights: entries ~ N(0, 1/d), deterministic per seed', () => {
  const d = 50;
  const w = gaussianWeights(new Rng(3), 400, d);
  const mean = w.reduce((a, x) => a + x, 0) / w.length;
  const variance = w.reduce((a, x) => a + x * x, 0) / w.length;
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(variance * d - 1) < 0.03, `mean ${mean}, d·var ${variance * d}`);
  assert.equal(Array.from(gaussianWeights(new Rng(3), 4, 3)), Array.from(gaussianWeights(new Rng(3), 4, 3)));
});

s('ntkFeatureKernel equals (1/k)·Gram of the materialised z ⊗ act′(Wz) features (d = 5, k = 7)', () => {
  const d = 5, k = 7;
  const z1 = normal(10, 4, d);
  const z2 = normal(11, 3, d);
  const w = gaussianWeights(new Rng(12), k, d);
  for (const der of [phi2Prime, phi4Prime, tanhDerivative, reluDerivative]) {
    const f1 = ntkFeatures(z1, w, d, der);
    const f2 = ntkFeatures(z2, w, d, der);
    assert.is(f1.length, 4 * d * k);
    const explicit = gram(f1, f2, d * k, 1 / k);
    const kernel = ntkFeatureKernel(z1, z2, w, d, der);
    assert.ok(relErr(kernel, explicit) < 1e-12, `${der.name}: ${relErr(kernel, explicit)}`);
    // Symmetric call (z1 === z2) takes the shared path.
    const sym = ntkFeatureKernel(z1, z1, w, d, der);
    assert.ok(relErr(sym, gram(f1, f1, d * k, 1 / k)) < 1e-12, `${der.name}: symmetric`);
  }
});

s('random-features ReLU kernel → arc-cosine NNGP (depth 1), NTK feature kernel → d·(Θ − Σ), at k = 20000', () => {
  const d = 10, n = 6, k = 20000;
  const z = normalizeRows(normal(20, n, d), d);
  const v = gaussianWeights(new Rng(21), k, d);
  const rf = randomFeatureKernel(z, z, v, d, relu);
  const { nngp, ntk } = arccosKernels(z, z, d, { depth: 1 });
  const errRf = relErr(rf, nngp);
  assert.ok(errRf < 0.04, `RF vs NNGP: max error / max entry = ${errRf.toFixed(4)}`);
  const nt = ntkFeatureKernel(z, z, v, d, reluDerivative);
  const target = ntk.map((x, i) => d * (x - nngp[i]));
  const errNt = relErr(nt, target);
  assert.ok(errNt < 0.04, `NTK features vs analytic: ${errNt.toFixed(4)}`);
  // Agreement improves with k (k = 200 is clearly worse).
  const errSmall = relErr(randomFeatureKernel(z, z, gaussianWeights(new Rng(22), 200, d), d, relu), nngp);
  assert.ok(errSmall > errRf, `k = 200: ${errSmall.toFixed(4)} > k = 20000: ${errRf.toFixed(4)}`);
});

s('linear and RBF kernels', () => {
  const x1 = new Float64Array([1, 0, 0, 2]);
  const x2 = new Float64Array([1, 1]);
  assert.equal(Array.from(linearKernel(x1, x2, 2)), [1, 2]);
  assert.equal(Array.from(linearKernel(x1, x2, 2, { scale: 2, bias: 1 })), [3, 5]);
  const r = rbfKernel(x1, x2, 2, { lengthscale: 1, variance: 2 });
  assert.ok(Math.abs(r[0] - 2 * Math.exp(-0.5)) < 1e-15 && Math.abs(r[1] - 2 * Math.exp(-1)) < 1e-15, `rbf ${r}`);
  const rr = rbfKernel(x1, x1, 2);
  assert.is(rr[0], 1);
  assert.ok(Math.abs(rr[1] - Math.exp(-5 / 4)) < 1e-15, 'default ℓ² = d');
  assert.throws(() => rbfKernel(x1, x2, 2, { lengthscale: 0 }), (e: unknown) => e instanceof ArgumentError);
});

// ---------------------------------------------------------------------------------------------------
// Arc-cosine kernels

s('arccosKernels: symmetric and PSD for depths 0–4 and several variances', () => {
  const d = 6, n = 14;
  const x = normal(30, n, d);
  for (const depth of [0, 1, 2, 4]) {
    for (const [sw, sb] of [[1, 0], [2, 0], [1.5, 0.3]]) {
      const { nngp, ntk } = arccosKernels(x, x, d, { depth, weightVariance: sw, biasVariance: sb });
      for (const [name, k] of [['nngp', nngp], ['ntk', ntk]] as const) {
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.is(k[i * n + j], k[j * n + i], `${name} symmetric`);
        const { values } = symmetricEigen(k, n);
        const scale = values[n - 1];
        assert.ok(values[0] >= -1e-10 * scale, `depth ${depth}, σ_w² ${sw}, σ_b² ${sb}: ${name} λ_min = ${values[0]}`);
      }
      // The NTK dominates the NNGP entry-wise on the diagonal.
      for (let i = 0; i < n; i++) assert.ok(ntk[i * n + i] >= nngp[i * n + i]);
    }
  }
});

s('arccosKernels: values by hand (depth 0, depth 1 diagonal, orthogonal and antipodal pairs, blocks)', () => {
  const d = 3;
  const x = new Float64Array([1, 2, 2, /* ‖x‖² = 9 */ 2, -1, 0, /* ⊥ x */ -1, -2, -2 /* −x */]);
  const sw = 1.7, sb = 0.4;
  const lin = arccosKernels(x, x, d, { depth: 0, weightVariance: sw, biasVariance: sb });
  assert.ok(Math.abs(lin.nngp[0] - (sb + (sw * 9) / 3)) < 1e-14 && lin.ntk[0] === lin.nngp[0], 'depth 0 is linear');
  const { nngp, ntk } = arccosKernels(x, x, d, { depth: 1, weightVariance: sw, biasVariance: sb });
  for (const [i, sq] of [[0, 9], [1, 5], [2, 9]]) {
    const s1 = sb + (sw * sq) / d;
    const s2 = sb + (sw * s1) / 2;
    const t2 = s2 + (s1 * sw) / 2;
    assert.ok(Math.abs(nngp[i * 3 + i] - s2) < 1e-13, `Σ²(x${i}, x${i}) = ${nngp[i * 3 + i]}, want ${s2}`);
    assert.ok(Math.abs(ntk[i * 3 + i] - t2) < 1e-13, `Θ²(x${i}, x${i}) = ${ntk[i * 3 + i]}, want ${t2}`);
  }
  // σ_b = 0: orthogonal inputs have θ = π/2, antipodal θ = π.
  const k0 = arccosKernels(x, x, d, { depth: 1, weightVariance: 2 });
  const s1x = (2 * 9) / 3, s1y = (2 * 5) / 3;
  const orth = (2 * Math.sqrt(s1x * s1y)) / (2 * Math.PI);
  assert.ok(Math.abs(k0.nngp[1] - orth) < 1e-13, `orthogonal Σ² = ${k0.nngp[1]}, want ${orth}`);
  assert.ok(Math.abs(k0.ntk[1] - orth) < 1e-13, 'orthogonal Θ² = Σ² (Σ¹ = 0)');
  assert.ok(Math.abs(k0.nngp[2]) < 1e-13 && Math.abs(k0.ntk[2]) < 1e-13, `antipodal: ${k0.nngp[2]}, ${k0.ntk[2]}`);
  // A cross block equals the block of the joint matrix.
  const a = normal(31, 4, 5), b = normal(32, 3, 5);
  const joint = arccosKernels(Float64Array.from([...a, ...b]), Float64Array.from([...a, ...b]), 5, { depth: 3, biasVariance: 0.1 });
  const cross = arccosKernels(a, b, 5, { depth: 3, biasVariance: 0.1 });
  const block = sub(joint.ntk, 7, [0, 1, 2, 3], [4, 5, 6]);
  assert.ok(relErr(cross.ntk, block) < 1e-14, 'cross block');
  assert.throws(() => arccosKernels(a, b, 5, { depth: -1 }), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => arccosKernels(a, b, 5, { weightVariance: 0 }), (e: unknown) => e instanceof ArgumentError);
});

// ---------------------------------------------------------------------------------------------------
// Regression

/** A well-posed regression problem: the depth-2 arc-cosine NTK on n distinct points, 2 outputs, m test points. */
function problem(n: number, m = 5) {
  const d = 8;
  const x = normalizeRows(normal(40, n, d), d);
  const xt = normalizeRows(normal(41, m, d), d);
  const opts = { depth: 2, biasVariance: 0.1 };
  const k = arccosKernels(x, x, d, opts).ntk;
  const kt = arccosKernels(xt, x, d, opts).ntk;
  const y = normal(42, n, 2);
  return { k, kt, y, n, m };
}

s('regression, ridge 0: min-norm interpolation reproduces yTrain at the training points', () => {
  const { k, kt, y, n } = problem(25);
  const fit = kernelRegression(k, y);
  assert.is(fit.n, n);
  assert.is(fit.outputs, 2);
  assert.is(fit.ridge, 0);
  assert.is(fit.jitter, 0);
  assert.ok(relErr(fit.predict(k), y) < 1e-8, `train residual ${relErr(fit.predict(k), y)}`);
  assert.ok(relErr(fit.predict(k, Infinity), y) < 1e-8);
  // Predictions are K*·α.
  const p = fit.predict(kt);
  let want = 0;
  for (let j = 0; j < n; j++) want += kt[j] * fit.alpha[j * 2];
  assert.ok(Math.abs(p[0] - want) < 1e-12 * Math.max(1, Math.abs(want)));
});

s('regression: leave-one-out predictions equal explicit refits without point i (ridge 0 and ridge 0.1)', () => {
  const { k, y, n } = problem(20);
  for (const ridge of [0, 0.1]) {
    const fit = kernelRegression(k, y, { ridge });
    const loo = fit.looPredictions();
    assert.is(loo.length, n * 2);
    for (let i = 0; i < n; i++) {
      const rest = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      const yRest = Float64Array.from(rest.flatMap((j) => [y[j * 2], y[j * 2 + 1]]));
      const refit = kernelRegression(sub(k, n, rest, rest), yRest, { ridge: fit.ridge + fit.jitter, relative: false });
      const pred = refit.predict(sub(k, n, [i], rest));
      for (let q = 0; q < 2; q++) {
        const e = Math.abs(loo[i * 2 + q] - pred[q]);
        assert.ok(e < 1e-8 * Math.max(1, Math.abs(pred[q])), `ridge ${ridge}, point ${i}, output ${q}: LOO ${loo[i * 2 + q]} vs refit ${pred[q]}`);
      }
    }
  }
});

s('regression, finite t: 0 at t = 0, ≈ t·K*Y for tiny t, → the t = ∞ predictions as t grows', () => {
  const { k, kt, y, m } = problem(15);
  for (const ridge of [0, 0.05]) {
    const fit = kernelRegression(k, y, { ridge });
    const inf = fit.predict(kt);
    const zero = fit.predict(kt, 0);
    assert.ok(zero.every((v) => v === 0), 't = 0 gives 0');
    // df/dt at t = 0 is K*·Y (unit learning rate on the summed loss).
    const t = 1e-7;
    const small = fit.predict(kt, t);
    const ky = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) for (let j = 0; j < 15; j++) for (let q = 0; q < 2; q++) ky[i * 2 + q] += t * kt[i * 15 + j] * y[j * 2 + q];
    assert.ok(relErr(small, ky) < 1e-5, `small t: ${relErr(small, ky)}`);
    let prev = Infinity;
    for (const time of [0.1, 1, 10, 100, 1000]) {
      const e = relErr(fit.predict(kt, time), inf);
      assert.ok(e < prev, `ridge ${ridge}: error decreases at t = ${time} (${e} < ${prev})`);
      prev = e;
    }
    assert.ok(relErr(fit.predict(kt, 1e7), inf) < 1e-8, `ridge ${ridge}: t = 1e7 ≈ t = ∞: ${relErr(fit.predict(kt, 1e7), inf)}`);
  }
});

s('regression: ridge shrinks ‖α‖; a relative ridge scales with trace(K)/n and makes predictions scale-free', () => {
  const { k, kt, y, n } = problem(20);
  let prev = Infinity;
  for (const ridge of [0, 1e-3, 1e-2, 0.1, 1]) {
    const a = norm(kernelRegression(k, y, { ridge }).alpha);
    assert.ok(a < prev, `ridge ${ridge}: ‖α‖ = ${a} < ${prev}`);
    prev = a;
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += k[i * n + i];
  const rel = kernelRegression(k, y, { ridge: 0.1 });
  assert.ok(Math.abs(rel.ridge - (0.1 * trace) / n) < 1e-15 * trace, `λ = ${rel.ridge}, want ${(0.1 * trace) / n}`);
  const k5 = k.map((v) => 5 * v);
  const rel5 = kernelRegression(k5, y, { ridge: 0.1 });
  assert.ok(Math.abs(rel5.ridge - 5 * rel.ridge) < 1e-12 * rel5.ridge, 'λ scales with trace');
  assert.ok(relErr(rel5.predict(kt.map((v) => 5 * v)), rel.predict(kt)) < 1e-12, 'relative ridge: scaling K and K* leaves predictions unchanged');
  const abs = kernelRegression(k, y, { ridge: 0.1, relative: false });
  assert.is(abs.ridge, 0.1);
  assert.ok(relErr(abs.predict(kt), kernelRegression(k, y, { ridge: 0.1 / (trace / n) }).predict(kt)) < 1e-12, 'absolute λ = relative λ·trace/n');
});

s('regression: a singular K gets the smallest working jitter, reported; indefinite K and bad shapes throw', () => {
  const ones = new Float64Array(9).fill(1);
  const fit = kernelRegression(ones, new Float64Array([1, 1, 1]));
  assert.ok(fit.jitter > 0 && fit.jitter <= 1e-11, `jitter ${fit.jitter}`);
  assert.ok(fit.alpha.every(Number.isFinite));
  assert.ok(relErr(fit.predict(ones), new Float64Array([1, 1, 1])) < 1e-6, 'consistent targets still interpolated');
  const neg = new Float64Array([-1, 0, 0, -1]);
  assert.throws(() => kernelRegression(neg, new Float64Array([1, 2])), (e: unknown) => e instanceof NotPositiveDefiniteError);
  assert.throws(() => kernelRegression(new Float64Array(6), new Float64Array(2)), (e: unknown) => e instanceof ShapeError);
  assert.throws(() => kernelRegression(new Float64Array([2, 0, 0, 2]), new Float64Array(3)), (e: unknown) => e instanceof ShapeError);
  assert.throws(() => kernelRegression(new Float64Array([2, 1, 0, 2]), new Float64Array(2)), (e: unknown) => e instanceof ArgumentError && /symmetric/.test(e.message));
  assert.throws(() => kernelRegression(new Float64Array([2, 0, 0, 2]), new Float64Array(2), { ridge: -1 }), (e: unknown) => e instanceof ArgumentError);
  const ok = kernelRegression(new Float64Array([2, 0, 0, 2]), new Float64Array([1, 2]));
  assert.throws(() => ok.predict(new Float64Array(3)), (e: unknown) => e instanceof ShapeError);
  assert.throws(() => ok.predict(new Float64Array(2), -1), (e: unknown) => e instanceof ArgumentError);
  assert.throws(() => ok.predict(new Float64Array(2), NaN), (e: unknown) => e instanceof ArgumentError);
});

s('finite-t predictions on an f32-built kernel (an eigenvalue of −1e-7, jitter added) tend to the t = ∞ ones; looPredictions works destructured', () => {
  const rng = new Rng(5);
  const [d, n] = [3, 40];
  const x = Float64Array.from(rng.fillNormal(new Float32Array(n * d), 0, 0.05));
  const k = Float64Array.from(new Float32Array(rbfKernel(x, x, d)));
  assert.ok(symmetricEigen(k, n).values[0]! < 0, 'rounding to f32 made K indefinite');
  const y = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1));
  const fit = kernelRegression(k, y);
  assert.ok(fit.jitter > 0);
  const atInfinity = fit.predict(k);
  for (const t of [1e8, 1e10]) {
    const p = fit.predict(k, t);
    // Before: e^{1.6e-7·t} made these 1.85e6 at t = 1e8 and NaN at 1e10.
    for (let i = 0; i < n; i++) assert.ok(Math.abs(p[i]! - atInfinity[i]!) < 1e-6, `t = ${t}: prediction ${i} is ${p[i]}, at t = ∞ ${atInfinity[i]}`);
  }
  const { looPredictions } = kernelRegression(Float64Array.from([2, 1, 1, 2]), Float64Array.from([1, 2]));
  // (K⁻¹)_ii = 2/3 and α = K⁻¹y = (0, 1): y_i − α_i/(K⁻¹)_ii.
  assert.equal(Array.from(looPredictions()).map((v) => Number(v.toFixed(12))), [1, 0.5]);
});

s('null options are refused by name (were raw TypeErrors)', () => {
  const F = (a: number[]) => Float64Array.from(a);
  const refused = (f: () => unknown, fn: string) => assert.throws(f, (e: unknown) => e instanceof ArgumentError && (e as Error).message.startsWith(`${fn}: the options must be an object`), fn);
  refused(() => kernelRegression(F([1, 0, 0, 1]), F([1, 2]), null as never), 'kernelRegression');
  refused(() => arccosKernels(F([1, 2]), F([3, 4]), 2, null as never), 'arccosKernels');
  refused(() => rbfKernel(F([1]), F([1]), 1, null as never), 'rbfKernel');
  refused(() => linearKernel(F([1]), F([1]), 1, null as never), 'linearKernel');
  // A lengthscale whose 1/(2ℓ²) overflows gave NaN on the diagonal; the smallest that does not still works.
  assert.throws(() => rbfKernel(F([1]), F([1]), 1, { lengthscale: 1e-200 }), (e: unknown) => e instanceof ArgumentError && /lengthscale 1e-200 is too small/.test((e as Error).message));
  assert.equal(Array.from(rbfKernel(F([1]), F([1]), 1, { lengthscale: 1e-150 })), [1]);
});

s.run();
