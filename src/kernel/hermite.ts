/**
 * Gauss–Hermite quadrature for the standard normal N(0, 1), normalised Hermite polynomials, Hermite
 * coefficients of activations, and the activations of specs/spurious-memorization.md ("Activations").
 *
 * Conventions (one choice, used everywhere in src/kernel/):
 * - **Probabilists'** Hermite polynomials He_l (He_0 = 1, He_1 = x, He_{l+1} = x·He_l − l·He_{l−1}),
 *   orthogonal under the weight e^{−x²/2}, and the spec's **normalised** basis h_l = He_l / √(l!), which is
 *   orthonormal under N(0, 1): E[h_l(g) h_m(g)] = δ_lm.
 * - The quadrature is for the probability measure N(0, 1): Σ_i w_i f(x_i) ≈ E[f(g)], g ~ N(0, 1), so the
 *   weights sum to 1 (not √(2π) or √π, as the physicists' e^{−x²} rules do). An n-node rule is exact for
 *   polynomials of degree ≤ 2n − 1.
 * - Nodes by the Golub–Welsch method: the eigenvalues of the symmetric Jacobi matrix of the orthonormal
 *   recurrence x·h_l = √(l+1)·h_{l+1} + √l·h_{l−1} (zero diagonal, off-diagonal √1 … √(n−1)), computed by
 *   the f64 WASM symmetricEigen. The weights are Golub–Welsch's (first eigenvector components squared),
 *   evaluated in the equivalent Christoffel form w_i = 1 / Σ_{l<n} h_l(x_i)², which keeps the tiny weights of
 *   the outer nodes accurate to a few ulps *relative* (the eigenvector components are only accurate in
 *   absolute terms). The nodes are symmetrised (x_{n−1−i} = −x_i), so odd moments vanish exactly.
 *
 * The spec's NTK derivatives φ'2 = h0 + h1 and φ'4 = h0 + h3 are given directly by the spec and are NOT the
 * derivatives of φ2 and φ4 (d/dx φ2 = 1 + √2·x); they are exported as `phi2Prime` / `phi4Prime`
 * with that caveat (spec, "Activations": "for NTK the derivative is given directly").
 */
import { ArgumentError } from '../errors.js';
import { symmetricEigen } from '../linalg/wasmLinalg.js';
import { checkOptions } from '../validate.js';

/** A scalar activation (or activation derivative) x ↦ act(x). */
export type Activation = (x: number) => number;

/** Nodes (ascending) and weights of a quadrature rule (Gauss–Hermite for N(0, 1): weights sum to 1; Gauss–Legendre on [−1, 1]: to 2). */
export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const ruleCache = new Map<number, QuadratureRule>();

/** Largest number of nodes accepted (64 is plenty for smooth activations; a few hundred for ReLU-like kinks). */
export const MAX_GAUSS_HERMITE_NODES = 512;

/** Values h_0(x) … h_degree(x) of the normalised probabilists' Hermite polynomials h_l = He_l / √(l!) (spec, "Activations"). */
export function normalizedHermite(x: number, degree: number, out: Float64Array = new Float64Array(degree + 1)): Float64Array {
  if (!Number.isInteger(degree) || degree < 0) throw new ArgumentError(`normalizedHermite: degree must be an integer ≥ 0, got ${degree}`);
  if (out.length < degree + 1) throw new ArgumentError(`normalizedHermite: out must hold degree + 1 = ${degree + 1} values, got ${out.length}`);
  out[0] = 1;
  if (degree >= 1) out[1] = x;
  // h_{l+1} = (x·h_l − √l·h_{l−1}) / √(l+1)
  for (let l = 1; l < degree; l++) out[l + 1] = (x * out[l] - Math.sqrt(l) * out[l - 1]) / Math.sqrt(l + 1);
  return out;
}

/** The n-point Gauss–Hermite rule for E[f(g)], g ~ N(0, 1) (probabilists', weights sum to 1), by Golub–Welsch; exact up to degree 2n − 1. */
export function gaussHermite(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GAUSS_HERMITE_NODES) {
    throw new ArgumentError(`gaussHermite: the number of nodes must be an integer in [1, ${MAX_GAUSS_HERMITE_NODES}], got ${n}`);
  }
  let rule = ruleCache.get(n);
  if (!rule) {
    const jacobi = new Float64Array(n * n);
    for (let l = 1; l < n; l++) jacobi[(l - 1) * n + l] = jacobi[l * n + l - 1] = Math.sqrt(l);
    const raw = symmetricEigen(jacobi, n).values;
    const nodes = new Float64Array(n);
    for (let i = 0; i < n; i++) nodes[i] = 0.5 * (raw[i] - raw[n - 1 - i]);
    if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
    const weights = new Float64Array(n);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      normalizedHermite(nodes[i], n - 1, h);
      let s = 0;
      for (let l = 0; l < n; l++) s += h[l] * h[l];
      // Beyond ~350 nodes the outer h_l overflow; their weights are then below 1e-308 anyway.
      weights[i] = Number.isFinite(s) ? 1 / s : 0;
    }
    for (let i = 0; i < n; i++) weights[i] = weights[n - 1 - i] = 0.5 * (weights[i] + weights[n - 1 - i]);
    rule = { nodes, weights };
    ruleCache.set(n, rule);
  }
  return { nodes: rule.nodes.slice(), weights: rule.weights.slice() };
}

/** E[f(g)], g ~ N(0, 1), by the n-point Gauss–Hermite rule (default 64 nodes). */
export function gaussianExpectation(f: Activation, nodes = 64): number {
  const { nodes: x, weights: w } = gaussHermite(nodes);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += w[i] * f(x[i]);
  return s;
}

/** Nodes (ascending) and weights of the n-point Gauss–Legendre rule on [−1, 1] (Golub–Welsch: off-diagonal l/√(4l² − 1), weights 2·v_0²). */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GAUSS_HERMITE_NODES) {
    throw new ArgumentError(`gaussLegendre: the number of nodes must be an integer in [1, ${MAX_GAUSS_HERMITE_NODES}], got ${n}`);
  }
  const jacobi = new Float64Array(n * n);
  for (let l = 1; l < n; l++) jacobi[(l - 1) * n + l] = jacobi[l * n + l - 1] = l / Math.sqrt(4 * l * l - 1);
  const { values, vectors } = symmetricEigen(jacobi, n);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nodes[i] = 0.5 * (values[i] - values[n - 1 - i]);
    weights[i] = 2 * vectors[i] * vectors[i];
  }
  for (let i = 0; i < n; i++) weights[i] = weights[n - 1 - i] = 0.5 * (weights[i] + weights[n - 1 - i]);
  return { nodes, weights };
}

/** Half-width of the range integrated by the piecewise rule: the N(0, 1) mass beyond ±12 is ≈ 4e-33. */
const PIECEWISE_RANGE = 12;

/** Options of hermiteCoefficients. */
export interface HermiteCoefficientOptions {
  /**
   * Points where act (or a derivative) is not smooth, e.g. [0] for ReLU. When given, E[·] is computed by
   * Gauss–Legendre with `nodes` points on each piece of [−12, 12] split at the kinks, times the N(0, 1)
   * density (exponential convergence again); without it, Gauss–Hermite (algebraic convergence at kinks).
   */
  kinks?: readonly number[];
}

/** Quadrature nodes and weights for E[f(g)], g ~ N(0, 1): Gauss–Hermite, or piecewise Gauss–Legendre split at the kinks. */
function expectationRule(nodes: number, kinks: readonly number[] | undefined): QuadratureRule {
  if (!kinks || kinks.length === 0) return gaussHermite(nodes);
  for (const k of kinks) if (!Number.isFinite(k)) throw new ArgumentError(`hermiteCoefficients: kinks must be finite numbers, got ${k}`);
  const cuts = [-PIECEWISE_RANGE, ...[...kinks].filter((k) => Math.abs(k) < PIECEWISE_RANGE).sort((a, b) => a - b), PIECEWISE_RANGE];
  const base = gaussLegendre(nodes);
  const x: number[] = [];
  const w: number[] = [];
  const density = 1 / Math.sqrt(2 * Math.PI);
  for (let p = 0; p + 1 < cuts.length; p++) {
    const half = 0.5 * (cuts[p + 1] - cuts[p]);
    const mid = 0.5 * (cuts[p + 1] + cuts[p]);
    if (half <= 0) continue;
    for (let i = 0; i < nodes; i++) {
      const xi = mid + half * base.nodes[i];
      x.push(xi);
      w.push(half * base.weights[i] * density * Math.exp(-0.5 * xi * xi));
    }
  }
  return { nodes: Float64Array.from(x), weights: Float64Array.from(w) };
}

/**
 * Normalised Hermite coefficients μ_l = E[act(g)·h_l(g)], g ~ N(0, 1), h_l = He_l/√(l!), for l = 0 … degree
 * (spec, "Activations"), by Gauss–Hermite quadrature with `nodes` points: exact for polynomial activations
 * of degree ≤ 2·nodes − 1 − l. For a non-smooth act (ReLU) pass its kinks (`{ kinks: [0] }`): plain
 * Gauss–Hermite converges only algebraically there (μ0 of ReLU is off by ≈ 6e-4 at 256 nodes).
 * act = Σ_l μ_l h_l in L²(N(0, 1)) and E[act²] = Σ_l μ_l².
 */
export function hermiteCoefficients(act: Activation, degree: number, nodes = 64, opts: HermiteCoefficientOptions = {}): Float64Array {
  checkOptions('hermiteCoefficients', opts, { kinks: true }); // null would pass the default and fail on a property read
  if (!Number.isInteger(degree) || degree < 0) throw new ArgumentError(`hermiteCoefficients: degree must be an integer ≥ 0, got ${degree}`);
  if (typeof act !== 'function') throw new ArgumentError(`hermiteCoefficients: act must be a function (x: number) => number, got ${typeof act}`);
  // An n-point rule keeps h_0 … h_{n−1} orthogonal; from degree n on the coefficients are aliases of lower ones.
  if (Number.isInteger(nodes) && degree >= nodes) throw new ArgumentError(`hermiteCoefficients: degree ${degree} needs more than ${nodes} nodes (an n-point rule resolves degrees < n); raise nodes or lower degree`);
  if (opts.kinks !== undefined && !Array.isArray(opts.kinks)) throw new ArgumentError(`hermiteCoefficients: kinks must be an array of numbers, got ${typeof opts.kinks}`);
  const { nodes: x, weights: w } = expectationRule(nodes, opts.kinks);
  const mu = new Float64Array(degree + 1);
  const h = new Float64Array(degree + 1);
  for (let i = 0; i < x.length; i++) {
    const a = act(x[i]);
    if (!Number.isFinite(a)) throw new ArgumentError(`hermiteCoefficients: act(${x[i]}) = ${a}; the activation must be finite at every quadrature node`);
    normalizedHermite(x[i], degree, h);
    const wa = w[i] * a;
    for (let l = 0; l <= degree; l++) mu[l] += wa * h[l];
  }
  return mu;
}

const SQRT2 = Math.SQRT2;
const SQRT6 = Math.sqrt(6);
const SQRT24 = Math.sqrt(24);

/** The spec's φ2 = h1 + h2 = x + (x² − 1)/√2 (Hermite coefficients μ1 = μ2 = 1, all others 0). */
export function phi2(x: number): number {
  return x + (x * x - 1) / SQRT2;
}

/** The spec's φ4 = h1 + h4 = x + (x⁴ − 6x² + 3)/√24 (μ1 = μ4 = 1, all others 0). */
export function phi4(x: number): number {
  const x2 = x * x;
  return x + (x2 * x2 - 6 * x2 + 3) / SQRT24;
}

/** The spec's NTK derivative for φ2, given directly: φ'2 = h0 + h1 = 1 + x (not d/dx φ2 = 1 + √2·x). */
export function phi2Prime(x: number): number {
  return 1 + x;
}

/** The spec's NTK derivative for φ4, given directly: φ'4 = h0 + h3 = 1 + (x³ − 3x)/√6 (not d/dx φ4). */
export function phi4Prime(x: number): number {
  return 1 + (x * x * x - 3 * x) / SQRT6;
}

/** ReLU: max(x, 0) (μ0 = 1/√(2π), μ1 = 1/2, μ2 = 1/√(4π), odd l ≥ 3 vanish). */
export function relu(x: number): number {
  return x > 0 ? x : 0;
}

/** ReLU's derivative, the step 1[x > 0] (0 at x = 0). */
export function reluDerivative(x: number): number {
  return x > 0 ? 1 : 0;
}

/** tanh(x). */
export function tanh(x: number): number {
  return Math.tanh(x);
}

/** tanh'(x) = 1 − tanh²(x). */
export function tanhDerivative(x: number): number {
  const t = Math.tanh(x);
  return 1 - t * t;
}

/** The spec's activations by name, each with its NTK derivative (φ'2, φ'4 as the spec gives them) and its kinks (for hermiteCoefficients). */
export const ACTIVATIONS = {
  phi2: { act: phi2, derivative: phi2Prime, kinks: [] },
  phi4: { act: phi4, derivative: phi4Prime, kinks: [] },
  relu: { act: relu, derivative: reluDerivative, kinks: [0] },
  tanh: { act: tanh, derivative: tanhDerivative, kinks: [] },
} as const satisfies Record<string, { act: Activation; derivative: Activation; kinks: readonly number[] }>;

/** Name of one of the spec's activations. */
export type ActivationName = keyof typeof ACTIVATIONS;
