/**
 * Nanda et al.'s progress measures for modular addition — specs/margin-algebra.md, "Feature measurements"
 * (Nanda's key frequencies; restricted and excluded loss). Works for any network on modular addition: the
 * inputs are activations or logits over all p² pairs (a, b), row/column index a·p + b.
 *
 * Key frequencies. For each neuron, its activation table A[a, b] is centred (its mean over the p² inputs is
 * subtracted) and expanded in the 2-D real Fourier basis e_j(a)·e_k(b) of Z_p × Z_p (the orthonormal basis of
 * ./fourier.ts: e_0, c_ζ, s_ζ). The fraction of variance of frequency ζ is the squared coefficients in the 3×3
 * block {e_0, c_ζ, s_ζ}² divided by their sum over all p² coefficients (= the centred sum of squares). Blocks
 * of different ζ share only the (e_0, e_0) coefficient, which centring makes 0, so the fractions sum to ≤ 1.
 * A neuron's key frequency is its best ζ; the set of key frequencies is the union of the best ζ over neurons
 * whose best fraction exceeds a threshold (default 0.5: the frequency explains most of the neuron's variance;
 * the spec names no number). Constant neurons have variance 0, best ζ 0 and fraction 0, and never count.
 *
 * Restricted and excluded loss. Following Nanda et al.'s reference implementation (it projects neuron
 * activations over the batch of all p² inputs onto the mean and cos/sin(2πζ(a+b)/p), then maps them to logits
 * linearly, which is the same as projecting the logits), for each output class c the column L[·, c] (a vector
 * over the p² inputs) is split as
 *   L[·, c] = μ_c + Σ_{ζ∈keys} (α_{ζ,c} cos(2πζ(a+b)/p) + β_{ζ,c} sin(2πζ(a+b)/p)) + rest,
 * an orthogonal projection (these functions are orthogonal over the p² grid for distinct ζ in 1..(p−1)/2).
 * - restricted logits = μ_c + the key components ("keep only logit components along cos/sin of ζ(a+b)");
 * - excluded logits = L − the key components (the mean stays; "remove them").
 * Each component is an arbitrary function of c times cos/sin of ζ(a+b), so the whole family
 * cos(2πζ(a+b−c)/p), sin(2πζ(a+b−c)/p) that the trained network uses lies in the restricted space. This is
 * broader than projecting each row over c onto cos/sin(2πζ(a+b−c)/p): that per-row projection keeps exactly
 * the frequency-ζ part over c whatever its dependence on (a, b), so it would not test "along ζ(a+b)".
 * The loss is the mean cross-entropy with labels y = (a+b) mod p, over all p² rows or over `opts.indices`
 * (e.g. the training pairs of a grokking split; the projection always uses all p² rows, as Nanda et al. do).
 */
import { ArgumentError } from '../errors.js';
import { checkFiniteArray, checkOddModulus, checkOptions } from '../validate.js';
import { fourierBasis } from './fourier.js';

/** Key-frequency analysis of one neuron. */
export interface NeuronKeyFrequency {
  /** Fraction of the centred variance in the block {e_0, c_ζ, s_ζ}², index ζ = 0..(p−1)/2 (index 0 is always 0). */
  fractions: Float64Array;
  /** argmax_ζ fractions[ζ] (0 for a constant neuron). */
  bestZeta: number;
  /** fractions[bestZeta]. */
  bestFraction: number;
  /** Mean square of the centred activation (variance over the p² inputs). */
  variance: number;
}

/** Result of {@link keyFrequencies}. */
export interface KeyFrequencyReport {
  neurons: NeuronKeyFrequency[];
  /** Union of bestZeta over neurons with bestFraction > threshold, ascending. */
  keyFrequencies: number[];
  /** Index ζ: number of neurons whose bestZeta is ζ and bestFraction > threshold. Length (p+1)/2. */
  neuronsPerFrequency: number[];
  /** The threshold used. */
  threshold: number;
}

/** Options of {@link keyFrequencies}. */
export interface KeyFrequencyOptions {
  /** A neuron contributes its best ζ when its best fraction exceeds this; in [0, 1); default 0.5. */
  threshold?: number;
}

/** Nanda's key frequencies: per neuron, the fraction of the centred activation's variance in the 2-D Fourier block {0, cos ζ, sin ζ}² over (a, b), the best ζ, and the union of best ζ over neurons above threshold (spec "Nanda's key frequencies"); acts is m × p², column a·p + b. */
export function keyFrequencies(acts: ArrayLike<number>, m: number, p: number, opts: KeyFrequencyOptions = {}): KeyFrequencyReport {
  const fn = 'keyFrequencies';
  checkOptions(fn, opts, { threshold: true });
  checkOddModulus(fn, p);
  if (!Number.isInteger(m) || m < 1) throw new ArgumentError(`${fn}: m (the number of neurons) must be a positive integer, got ${String(m)}`);
  const p2 = p * p;
  checkFiniteArray(fn, 'acts', acts, m * p2, `an m×p² matrix (${m}×${p2}: one row per neuron, column a·p + b)`);
  const threshold = opts.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold < 1)) throw new ArgumentError(`${fn}: opts.threshold must be in [0, 1), got ${String(threshold)}; the default is 0.5`);
  const h = (p - 1) / 2;
  const B = fourierBasis(p);
  const A = new Float64Array(p2);
  const T = new Float64Array(p2);
  const neurons: NeuronKeyFrequency[] = [];
  const perFrequency = new Array<number>(h + 1).fill(0);
  for (let i = 0; i < m; i++) {
    let mean = 0;
    for (let r = 0; r < p2; r++) mean += acts[i * p2 + r];
    mean /= p2;
    for (let r = 0; r < p2; r++) A[r] = acts[i * p2 + r] - mean;
    // T = A Bᵀ (transform over b); the coefficients C[j, k] = Σ_a B[j, a] T[a, k] are needed only inside the
    // 3×3 blocks, and their total over all p² coefficients is ‖A‖² by Parseval (B is orthonormal).
    for (let a = 0; a < p; a++) {
      for (let k = 0; k < p; k++) {
        let s = 0;
        for (let b = 0; b < p; b++) s += A[a * p + b] * B[k * p + b];
        T[k * p + a] = s; // stored transposed, so the sums over a below run over contiguous memory
      }
    }
    let total = 0;
    for (let r = 0; r < p2; r++) total += A[r] * A[r];
    const coef = (j: number, k: number): number => {
      let s = 0;
      for (let a = 0; a < p; a++) s += B[j * p + a] * T[k * p + a];
      return s;
    };
    const fractions = new Float64Array(h + 1);
    let best = 0;
    if (total > 0) {
      for (let z = 1; z <= h; z++) {
        const idx = [0, 2 * z - 1, 2 * z];
        let s = 0;
        for (const j of idx) {
          for (const k of idx) {
            const c = coef(j, k);
            s += c * c;
          }
        }
        fractions[z] = s / total;
        if (best === 0 || fractions[z] > fractions[best]) best = z;
      }
    }
    const bestFraction = fractions[best];
    neurons.push({ fractions, bestZeta: best, bestFraction, variance: total / p2 });
    if (best >= 1 && bestFraction > threshold) perFrequency[best]++;
  }
  const keys: number[] = [];
  for (let z = 1; z <= h; z++) if (perFrequency[z] > 0) keys.push(z);
  return { neurons, keyFrequencies: keys, neuronsPerFrequency: perFrequency, threshold };
}

/** Options of the losses: which rows (a·p + b) the mean cross-entropy averages over (default all p²). */
export interface ModularLossOptions {
  indices?: ArrayLike<number>;
}

function checkLogits(fn: string, logits: ArrayLike<number>, p: number): void {
  checkOddModulus(fn, p);
  checkFiniteArray(fn, 'logits', logits, p * p * p, `a p²×p matrix (${p * p}×${p}: row a·p + b, one column per class c)`);
}

function checkKeys(fn: string, keyFreqs: number[], p: number): void {
  if (!Array.isArray(keyFreqs)) throw new ArgumentError(`${fn}: keyFreqs must be an array of frequencies in 1..${(p - 1) / 2}`);
  const seen = new Set<number>();
  for (const z of keyFreqs) {
    if (!Number.isInteger(z) || z < 1 || z > (p - 1) / 2) throw new ArgumentError(`${fn}: keyFreqs contains ${String(z)}; frequencies must be integers in 1..${(p - 1) / 2} (= (p−1)/2 for p = ${p})`);
    if (seen.has(z)) throw new ArgumentError(`${fn}: keyFreqs lists ${z} twice; list each key frequency once`);
    seen.add(z);
  }
}

/** Restricted and excluded logit tables: restricted = μ_c + Σ_{ζ∈keys} projections of L[·, c] on cos/sin(2πζ(a+b)/p) over the p² inputs; excluded = L − those projections (spec "Restricted loss … excluded loss"). */
export function keyFrequencyLogits(logits: ArrayLike<number>, p: number, keyFreqs: number[]): { restricted: Float64Array; excluded: Float64Array } {
  const fn = 'keyFrequencyLogits';
  checkLogits(fn, logits, p);
  checkKeys(fn, keyFreqs, p);
  return splitUnchecked(logits, p, keyFreqs);
}

function splitUnchecked(logits: ArrayLike<number>, p: number, keyFreqs: number[]): { restricted: Float64Array; excluded: Float64Array } {
  const p2 = p * p;
  // S[s, c] = Σ_{(a,b): a+b ≡ s} L[a·p + b, c]: every key direction depends on (a, b) only through s.
  const S = new Float64Array(p * p);
  const mu = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const s = (a + b) % p;
      const row = (a * p + b) * p;
      for (let c = 0; c < p; c++) {
        S[s * p + c] += logits[row + c];
        mu[c] += logits[row + c];
      }
    }
  }
  for (let c = 0; c < p; c++) mu[c] /= p2;
  const cosT = new Float64Array(p);
  const sinT = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    cosT[k] = Math.cos((2 * Math.PI * k) / p);
    sinT[k] = Math.sin((2 * Math.PI * k) / p);
  }
  // K[s, c] = Σ_ζ α_{ζ,c} cos(2πζs/p) + β_{ζ,c} sin(2πζs/p), with α = ⟨L[·,c], cos⟩ / (p²/2) (‖cos(2πζ(a+b)/p)‖² = p²/2).
  const K = new Float64Array(p * p);
  for (const z of keyFreqs) {
    for (let c = 0; c < p; c++) {
      let al = 0;
      let be = 0;
      for (let s = 0; s < p; s++) {
        const k = (z * s) % p;
        al += S[s * p + c] * cosT[k];
        be += S[s * p + c] * sinT[k];
      }
      al *= 2 / p2;
      be *= 2 / p2;
      for (let s = 0; s < p; s++) {
        const k = (z * s) % p;
        K[s * p + c] += al * cosT[k] + be * sinT[k];
      }
    }
  }
  const restricted = new Float64Array(p2 * p);
  const excluded = new Float64Array(p2 * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const s = (a + b) % p;
      const row = (a * p + b) * p;
      for (let c = 0; c < p; c++) {
        restricted[row + c] = mu[c] + K[s * p + c];
        excluded[row + c] = logits[row + c] - K[s * p + c];
      }
    }
  }
  return { restricted, excluded };
}

/** Rows to average over: opts.indices (validated) or all p². */
function rowsOf(fn: string, p: number, opts: ModularLossOptions): ArrayLike<number> | null {
  if (opts.indices === undefined) return null;
  const idx = opts.indices;
  if (idx == null || typeof idx.length !== 'number' || idx.length === 0) throw new ArgumentError(`${fn}: opts.indices must be a non-empty array of row indices a·p + b`);
  for (let i = 0; i < idx.length; i++) {
    if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= p * p) throw new ArgumentError(`${fn}: opts.indices[${i}] is ${String(idx[i])}; row indices must be integers in [0, ${p * p}) (a·p + b)`);
  }
  return idx;
}

/** Mean cross-entropy −log softmax(L[r])[y_r] with y = (a+b) mod p over the given rows (all p² when null). */
function crossEntropyUnchecked(logits: ArrayLike<number>, p: number, rows: ArrayLike<number> | null): number {
  const n = rows ? rows.length : p * p;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    const y = (Math.floor(r / p) + (r % p)) % p;
    const base = r * p;
    let mx = -Infinity;
    for (let c = 0; c < p; c++) if (logits[base + c] > mx) mx = logits[base + c];
    let se = 0;
    for (let c = 0; c < p; c++) se += Math.exp(logits[base + c] - mx);
    total += mx + Math.log(se) - logits[base + y];
  }
  return total / n;
}

/** Mean cross-entropy of a modular-addition logit table (p²×p, row a·p + b) with labels y = (a+b) mod p (the full loss that restricted/excluded loss are compared with). */
export function modularAdditionLoss(logits: ArrayLike<number>, p: number, opts: ModularLossOptions = {}): number {
  const fn = 'modularAdditionLoss';
  checkOptions(fn, opts, { indices: true });
  checkLogits(fn, logits, p);
  return crossEntropyUnchecked(logits, p, rowsOf(fn, p, opts));
}

/** Restricted loss: cross-entropy (y = (a+b) mod p) of the logits keeping only μ_c and the components along cos/sin(2πζ(a+b)/p), ζ ∈ keyFreqs (spec "Restricted loss"; Nanda et al.). */
export function restrictedLoss(logits: ArrayLike<number>, p: number, keyFreqs: number[], opts: ModularLossOptions = {}): number {
  const fn = 'restrictedLoss';
  checkOptions(fn, opts, { indices: true });
  checkLogits(fn, logits, p);
  checkKeys(fn, keyFreqs, p);
  const rows = rowsOf(fn, p, opts);
  return crossEntropyUnchecked(splitUnchecked(logits, p, keyFreqs).restricted, p, rows);
}

/** Excluded loss: cross-entropy (y = (a+b) mod p) of the logits with the components along cos/sin(2πζ(a+b)/p), ζ ∈ keyFreqs, removed (spec "excluded loss (remove them)"; Nanda et al.). */
export function excludedLoss(logits: ArrayLike<number>, p: number, keyFreqs: number[], opts: ModularLossOptions = {}): number {
  const fn = 'excludedLoss';
  checkOptions(fn, opts, { indices: true });
  checkLogits(fn, logits, p);
  checkKeys(fn, keyFreqs, p);
  const rows = rowsOf(fn, p, opts);
  return crossEntropyUnchecked(splitUnchecked(logits, p, keyFreqs).excluded, p, rows);
}
