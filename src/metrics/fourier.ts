/**
 * Fourier features of neurons on the cyclic group Z_p — specs/margin-algebra.md, "Feature measurements"
 * (Fourier power of a neuron; Report; Theory).
 *
 * Basis. For odd p the real orthonormal Fourier basis of R^p (functions of a ∈ Z_p) is
 *   e_0(a) = 1/√p,   c_ζ(a) = √(2/p)·cos(2πζa/p),   s_ζ(a) = √(2/p)·sin(2πζa/p),   ζ = 1..(p−1)/2,
 * stored in that order (row 0 = e_0, row 2ζ−1 = c_ζ, row 2ζ = s_ζ). Frequencies ζ and p−ζ are the same real
 * frequency, so the cos/sin pair already combines the ±ζ bins of a complex FFT: a pure cosine of any phase has
 * normalized power 1 at its ζ (a raw complex FFT would cap it at 0.5, which the spec warns against).
 *
 * Power. power(0) = ⟨x, e_0⟩², power(ζ) = ⟨x, c_ζ⟩² + ⟨x, s_ζ⟩² (the squared projection on the pair), so
 * Σ_ζ power(ζ) = ‖x‖² (Parseval) and the normalized powers power(ζ)/‖x‖² sum to 1. The zero vector has all
 * normalized powers 0 (its total power is 0; nothing to normalise by).
 *
 * Phase. The ζ component of x is A·cos(θ + 2πζa/p) with θ = atan2(−⟨x, s_ζ⟩, ⟨x, c_ζ⟩) (cos(θ+φ) =
 * cosθ·cosφ − sinθ·sinφ). The theory's max-margin neuron has θ_u + θ_v = θ_w (mod 2π).
 *
 * Choices where the spec is open (documented here and in the issue note):
 * - "max normalized power = max over ζ" includes ζ = 0: the spec lists frequency 0 among the basis
 *   frequencies, and a constant vector is perfectly concentrated. `maxPower`/`zeta` are therefore the max and
 *   argmax over ζ = 0..(p−1)/2 (ties go to the smaller ζ). A neuron is *single-frequency* ("uses frequency ζ")
 *   only for ζ ≥ 1: u, v and w each have normalized power ≥ threshold at the same ζ ≥ 1, and the neuron is
 *   active. Active neurons concentrated on ζ = 0 in all three are counted in `neuronsPerFrequency[0]` but are
 *   not single-frequency and never count as a used frequency.
 * - threshold must lie in (0.5, 1] (default 0.9), so at most one ζ can pass for a vector and "the same ζ" is
 *   unambiguous.
 * - Active ("non-negligible norm"): ‖(u_i, v_i, w_i)‖² > 0 and ≥ activeFraction × max_j ‖(u_j, v_j, w_j)‖²
 *   (default activeFraction 1e-3). Summary statistics (histogram, fractions, counts, phase error) are over
 *   active neurons only; per-neuron powers are reported for every neuron.
 * - The histogram is of min(maxPower_u, maxPower_v, maxPower_w) per active neuron, 10 equal bins of [0, 1]
 *   (bin k holds [k/10, (k+1)/10); the value 1 goes into the last bin).
 */
import { ArgumentError } from '../errors.js';
import { checkFiniteArray, checkOddModulus, checkOptions } from '../validate.js';

const TWO_PI = 2 * Math.PI;

const basisCache = new Map<number, Float64Array>();

/** The cached basis of Z_p (shared: callers here only read it). */
function sharedBasis(p: number): Float64Array {
  checkOddModulus('fourierBasis', p);
  const cached = basisCache.get(p);
  if (cached) return cached;
  const b = new Float64Array(p * p);
  const c0 = 1 / Math.sqrt(p);
  const c1 = Math.sqrt(2 / p);
  // cos/sin of 2πk/p for k = 0..p−1, indexed by (ζ·a) mod p so large arguments never lose precision.
  const cosT = new Float64Array(p);
  const sinT = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    cosT[k] = Math.cos((TWO_PI * k) / p);
    sinT[k] = Math.sin((TWO_PI * k) / p);
  }
  for (let a = 0; a < p; a++) b[a] = c0;
  for (let z = 1; z <= (p - 1) / 2; z++) {
    const rc = (2 * z - 1) * p;
    const rs = 2 * z * p;
    for (let a = 0; a < p; a++) {
      const k = (z * a) % p;
      b[rc + a] = c1 * cosT[k];
      b[rs + a] = c1 * sinT[k];
    }
  }
  basisCache.set(p, b);
  return b;
}

/** Real orthonormal Fourier basis of Z_p as a p×p row-major matrix: rows e_0 = 1/√p, then c_ζ = √(2/p)cos(2πζa/p), s_ζ = √(2/p)sin(2πζa/p) for ζ = 1..(p−1)/2 (spec: "real Fourier basis"). */
export function fourierBasis(p: number): Float64Array {
  // A copy: a caller's edits must not reach the cache that the metrics read.
  return sharedBasis(p).slice();
}

/** Coefficients of x in the real orthonormal Fourier basis of Z_p (order e_0, c_1, s_1, …, c_{(p−1)/2}, s_{(p−1)/2}); Σ coefficient² = ‖x‖². */
export function fourierCoefficients(x: ArrayLike<number>, p: number): Float64Array {
  checkOddModulus('fourierCoefficients', p);
  checkFiniteArray('fourierCoefficients', 'x', x, p, 'one value per element of Z_p');
  return coefficientsUnchecked(x, 0, p);
}

/** Coefficients of x[offset .. offset+p) (inputs already validated). */
function coefficientsUnchecked(x: ArrayLike<number>, offset: number, p: number): Float64Array {
  const b = sharedBasis(p);
  const out = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    let s = 0;
    const row = r * p;
    for (let a = 0; a < p; a++) s += b[row + a] * x[offset + a];
    out[r] = s;
  }
  return out;
}

/** Powers per frequency from basis coefficients: [c_0², c_{c1}² + c_{s1}², …]; throws when the total power overflows. */
function powersFromCoefficients(fn: string, name: string, c: Float64Array, p: number): Float64Array {
  const h = (p - 1) / 2;
  const out = new Float64Array(h + 1);
  out[0] = c[0] * c[0];
  let total = out[0];
  for (let z = 1; z <= h; z++) total += out[z] = c[2 * z - 1] * c[2 * z - 1] + c[2 * z] * c[2 * z];
  if (!Number.isFinite(total)) {
    throw new ArgumentError(`${fn}: the power of ${name} overflows (‖${name}‖² > ${Number.MAX_VALUE}); divide it by a common factor first (normalized powers and phases do not depend on the scale)`);
  }
  return out;
}

/** Fourier power of x ∈ R^p per frequency: power(0) = ⟨x, e_0⟩², power(ζ) = ⟨x, c_ζ⟩² + ⟨x, s_ζ⟩² for ζ = 1..(p−1)/2 (spec "Fourier power of a neuron"); Σ_ζ power(ζ) = ‖x‖². */
export function fourierPower(x: ArrayLike<number>, p: number): Float64Array {
  checkOddModulus('fourierPower', p);
  checkFiniteArray('fourierPower', 'x', x, p, 'one value per element of Z_p');
  return powersFromCoefficients('fourierPower', 'x', coefficientsUnchecked(x, 0, p), p);
}

/** Normalized power per frequency: power(ζ) / ‖x‖² (spec "Normalized power of ζ = power(ζ) / total power"); sums to 1 (all zeros for x = 0). */
export function normalizedPower(x: ArrayLike<number>, p: number): Float64Array {
  checkOddModulus('normalizedPower', p);
  checkFiniteArray('normalizedPower', 'x', x, p, 'one value per element of Z_p');
  return normalize(powersFromCoefficients('normalizedPower', 'x', coefficientsUnchecked(x, 0, p), p));
}

/** Divides powers by their sum in place (left at 0 when the sum is 0). */
function normalize(pw: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < pw.length; i++) total += pw[i];
  if (total > 0) for (let i = 0; i < pw.length; i++) pw[i] /= total;
  return pw;
}

/** Phase θ ∈ (−π, π] of the ζ component of x, written A·cos(θ + 2πζa/p): θ = atan2(−⟨x, s_ζ⟩, ⟨x, c_ζ⟩) (spec "phase relation θ_u + θ_v ≈ θ_w"); 0 when the component is zero. */
export function fourierPhase(x: ArrayLike<number>, p: number, zeta: number): number {
  checkOddModulus('fourierPhase', p);
  checkFiniteArray('fourierPhase', 'x', x, p, 'one value per element of Z_p');
  checkZeta('fourierPhase', zeta, p);
  return phaseUnchecked(coefficientsUnchecked(x, 0, p), zeta);
}

function checkZeta(fn: string, zeta: number, p: number): void {
  if (!Number.isInteger(zeta) || zeta < 1 || zeta > (p - 1) / 2) {
    throw new ArgumentError(`${fn}: zeta must be an integer in 1..${(p - 1) / 2} (= (p−1)/2 for p = ${p}), got ${String(zeta)}${zeta === 0 ? '; the phase of frequency 0 is not defined' : ''}`);
  }
}

function phaseUnchecked(c: Float64Array, zeta: number): number {
  const cs = c[2 * zeta - 1];
  const sn = c[2 * zeta];
  if (cs === 0 && sn === 0) return 0;
  return wrapAngle(Math.atan2(-sn, cs));
}

/** Wraps an angle into (−π, π] (used for the spec's phase relation: phaseError = wrap(θ_u + θ_v − θ_w)). */
export function wrapAngle(x: number): number {
  let r = (x + Math.PI) % TWO_PI;
  if (r < 0) r += TWO_PI;
  r -= Math.PI; // now in [−π, π)
  return r === -Math.PI ? Math.PI : r;
}

/** Per-neuron result of {@link neuronFrequencies}. */
export interface NeuronFrequencyInfo {
  /** ‖(u_i, v_i, w_i)‖² > 0 and ≥ activeFraction × the largest neuron's. */
  active: boolean;
  /** ‖(u_i, v_i, w_i)‖². */
  normSquared: number;
  /** Max over ζ = 0..(p−1)/2 of the normalized power of u_i, v_i, w_i. */
  maxPower: { u: number; v: number; w: number };
  /** The argmax ζ of each (ties to the smaller ζ; 0 for a zero vector). */
  zeta: { u: number; v: number; w: number };
  /** Active, and u, v, w each have normalized power ≥ threshold at the same ζ ≥ 1. */
  singleFrequency: boolean;
  /** That shared ζ when singleFrequency, else −1. */
  frequency: number;
  /** wrap(θ_u + θ_v − θ_w) into (−π, π] at `frequency` when singleFrequency, else NaN. */
  phaseError: number;
}

/** Summary over active neurons of {@link neuronFrequencies} (spec "Report"). */
export interface FrequencySummary {
  /** Number of active neurons. */
  activeNeurons: number;
  /** Single-frequency neurons / active neurons (NaN when no neuron is active). */
  singleFrequencyFraction: number;
  /** Index ζ ≥ 1: single-frequency neurons at ζ; index 0: active neurons whose u, v, w are all ≥ threshold on the constant. Length (p+1)/2. */
  neuronsPerFrequency: number[];
  /** The ζ ≥ 1 with at least one single-frequency neuron, ascending. */
  frequenciesUsed: number[];
  /** Every ζ = 1..(p−1)/2 is used. */
  allFrequenciesUsed: boolean;
  /** Counts over 10 equal bins of [0, 1] of min(maxPower u, v, w) per active neuron. */
  maxPowerHistogram: number[];
  /** Mean |phaseError| over single-frequency neurons (NaN when there are none). */
  meanAbsPhaseError: number;
}

/** Options of {@link neuronFrequencies}. */
export interface NeuronFrequencyOptions {
  /** Normalized power each of u, v, w must reach at the same ζ; in (0.5, 1]; default 0.9 (spec). */
  threshold?: number;
  /** A neuron is active when its ‖(u,v,w)‖² ≥ activeFraction × the largest; in [0, 1]; default 1e-3. */
  activeFraction?: number;
}

/** Result of {@link neuronFrequencies}. */
export interface NeuronFrequencyReport {
  neurons: NeuronFrequencyInfo[];
  summary: FrequencySummary;
}

/** Fourier features of the m neurons of a modular-addition network (U, V, W: m×p row-major, row i = u_i, v_i, w_i): max normalized power over ζ of u, v, w, "uses frequency ζ" when all three ≥ threshold at the same ζ, phase error θ_u + θ_v − θ_w (spec "Feature measurements", "Report", "Theory"). */
export function neuronFrequencies(
  U: ArrayLike<number>,
  V: ArrayLike<number>,
  W: ArrayLike<number>,
  m: number,
  p: number,
  opts: NeuronFrequencyOptions = {},
): NeuronFrequencyReport {
  const fn = 'neuronFrequencies';
  checkOptions(fn, opts, { threshold: true, activeFraction: true });
  checkOddModulus(fn, p);
  if (!Number.isInteger(m) || m < 1) throw new ArgumentError(`${fn}: m (the number of neurons) must be a positive integer, got ${String(m)}`);
  checkFiniteArray(fn, 'U', U, m * p, `an m×p matrix (m = ${m} rows, one per neuron; p = ${p} columns)`);
  checkFiniteArray(fn, 'V', V, m * p, `an m×p matrix (m = ${m} rows, one per neuron; p = ${p} columns)`);
  checkFiniteArray(fn, 'W', W, m * p, `an m×p matrix (m = ${m} rows, one per neuron; p = ${p} columns)`);
  const threshold = opts.threshold ?? 0.9;
  if (!(threshold > 0.5 && threshold <= 1)) {
    throw new ArgumentError(`${fn}: opts.threshold must be in (0.5, 1] so that at most one frequency can pass, got ${String(threshold)}; the spec uses 0.9`);
  }
  const activeFraction = opts.activeFraction ?? 1e-3;
  if (!(activeFraction >= 0 && activeFraction <= 1)) {
    throw new ArgumentError(`${fn}: opts.activeFraction must be in [0, 1], got ${String(activeFraction)}; the default is 1e-3`);
  }
  const h = (p - 1) / 2;

  const norms = new Float64Array(m);
  let maxNorm = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let a = 0; a < p; a++) {
      const k = i * p + a;
      s += U[k] * U[k] + V[k] * V[k] + W[k] * W[k];
    }
    if (!Number.isFinite(s)) {
      throw new ArgumentError(`${fn}: ‖(u_${i}, v_${i}, w_${i})‖² overflows (> ${Number.MAX_VALUE}); divide U, V and W by a common factor first (the frequency measurements do not depend on the scale)`);
    }
    norms[i] = s;
    if (s > maxNorm) maxNorm = s;
  }

  const neurons: NeuronFrequencyInfo[] = [];
  const perFrequency = new Array<number>(h + 1).fill(0);
  const histogram = new Array<number>(10).fill(0);
  let activeCount = 0;
  let singleCount = 0;
  let phaseSum = 0;
  for (let i = 0; i < m; i++) {
    const cu = coefficientsUnchecked(U, i * p, p);
    const cv = coefficientsUnchecked(V, i * p, p);
    const cw = coefficientsUnchecked(W, i * p, p);
    const pu = normalize(powersFromCoefficients(fn, `u_${i}`, cu, p));
    const pv = normalize(powersFromCoefficients(fn, `v_${i}`, cv, p));
    const pw = normalize(powersFromCoefficients(fn, `w_${i}`, cw, p));
    const zu = argmax(pu);
    const zv = argmax(pv);
    const zw = argmax(pw);
    const active = norms[i] > 0 && norms[i] >= activeFraction * maxNorm;
    const concentrated = zu === zv && zv === zw && pu[zu] >= threshold && pv[zu] >= threshold && pw[zu] >= threshold;
    const single = active && concentrated && zu >= 1;
    const phaseError = single ? wrapAngle(phaseUnchecked(cu, zu) + phaseUnchecked(cv, zu) - phaseUnchecked(cw, zu)) : NaN;
    neurons.push({
      active,
      normSquared: norms[i],
      maxPower: { u: pu[zu], v: pv[zv], w: pw[zw] },
      zeta: { u: zu, v: zv, w: zw },
      singleFrequency: single,
      frequency: single ? zu : -1,
      phaseError,
    });
    if (!active) continue;
    activeCount++;
    const minPower = Math.min(pu[zu], pv[zv], pw[zw]);
    histogram[Math.min(9, Math.max(0, Math.floor(minPower * 10)))]++;
    if (concentrated) perFrequency[zu]++;
    if (single) {
      singleCount++;
      phaseSum += Math.abs(phaseError);
    }
  }
  const used: number[] = [];
  for (let z = 1; z <= h; z++) if (perFrequency[z] > 0) used.push(z);
  return {
    neurons,
    summary: {
      activeNeurons: activeCount,
      singleFrequencyFraction: activeCount > 0 ? singleCount / activeCount : NaN,
      neuronsPerFrequency: perFrequency,
      frequenciesUsed: used,
      allFrequenciesUsed: used.length === h,
      maxPowerHistogram: histogram,
      meanAbsPhaseError: singleCount > 0 ? phaseSum / singleCount : NaN,
    },
  };
}

/** Index of the largest entry (first on ties). */
function argmax(x: Float64Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
