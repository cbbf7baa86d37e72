/**
 * The interaction tensor Ω ∈ {0,1}^{M×N×T} of models × data × features (spec interaction-tensor.md):
 * PCA features per model, cross-model |Pearson| correlations, the percentile threshold, the greedy clustering
 * of (model, feature) pairs into shared features, presence per point, Ω as a bit tensor, and the statistics and
 * observation checks of the spec.
 *
 * Our resolutions (the spec marks them as ours or leaves them open):
 * - PCA sign: each column of Ψ_m is flipped so that its entry of largest magnitude is positive.
 * - Greedy clustering visits (i, a) in model-major order (i = 0 … M−1, a = 0 … k−1); a pair already assigned
 *   moves to a later cluster only with a strictly larger correlation (Algorithm 1's "larger than the best").
 * - Presence: the normalised value Ψ/max|Ψ| (signed) must exceed the q_data percentile of model m's N·k
 *   normalised values.
 * - Percentiles: linear interpolation between order statistics.
 * - Spearman correlations use average ranks for ties.
 * - The diagnostics that are not in the spec live in interactionDiagnostics.ts.
 * - An option that is not in the spec: unit-norm activations (unitRows) before the PCA, which removes the
 *   per-point activation scale that confidence and every projection share.
 *
 * The covariances, projections and correlations are f64 products from the WASM linear-algebra module whose
 * every sum runs in order (productInOrder), so they have the bits of plain loops, on every runtime.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { gramInOrderPanels, gramInOrderPanelsAsync, productInOrder, symmetricEigen } from '../linalg/wasmLinalg.js';
import { popcount } from './harsanyi.js';
import { checkArrayLike, checkFiniteArray, checkFiniteEntries, checkInt, isNumberIn } from '../validate.js';

/** Top-k PCA features Ψ = (Φ − mean)·V (N×k) of one model's activations Φ (N×d), with the module's sign rule. */
export function pcaFeatures(phi: ArrayLike<number>, n: number, d: number, k: number): Float64Array {
  const fn = 'pcaFeatures';
  if (!Number.isInteger(n) || n < 2 || !Number.isInteger(d) || d < 1) throw new ArgumentError(`${fn}: need n ≥ 2 points and d ≥ 1 dimensions, got ${n}, ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > d) throw new ArgumentError(`${fn}: k must be an integer in [1, d = ${d}], got ${k}`);
  checkActivations(fn, phi, n, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += phi[i * d + j]! / n;
  const c = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[i * d + j] = phi[i * d + j]! - mean[j]!;
  // Covariance Σ_i C[i,a]·C[i,b] / n, each sum over i in order (as a plain loop, in the WASM f64 module).
  const cov = productInOrder(c, c, d, d, n, { transA: true, upper: true });
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b]! /= n;
      cov[b * d + a] = cov[a * d + b]!;
    }
  }
  const { vectors } = symmetricEigen(cov, d); // ascending eigenvalues; column j of the row-major vectors
  // Ψ = C·V_k with the top k eigenvectors as a d×k block, each entry summed over j in order.
  const top = new Float64Array(d * k);
  for (let j = 0; j < d; j++) for (let col = 0; col < k; col++) top[j * k + col] = vectors[j * d + d - 1 - col]!;
  const psi = productInOrder(c, top, n, k, d);
  for (let col = 0; col < k; col++) {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(psi[i * k + col]!) > Math.abs(big)) big = psi[i * k + col]!;
    if (big < 0) for (let i = 0; i < n; i++) psi[i * k + col] = -psi[i * k + col]!;
  }
  return psi;
}

/** Checks Φ (n × d) of `fn`: integer sizes, one finite value per entry. */
function checkActivations(fn: string, phi: ArrayLike<number>, n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw new ArgumentError(`${fn}: need n ≥ 1 points and d ≥ 1 dimensions, got ${n}, ${d}`);
  checkArrayLike(fn, 'activations', phi);
  if (phi.length !== n * d) throw new ShapeError(`${fn}: activations must be n × d = ${n * d}, got ${phi.length}`);
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(phi[i]!)) throw new ArgumentError(`${fn}: activation [${Math.floor(i / d)}, ${i % d}] is ${phi[i]}; the model's activations must be finite (did its training diverge? lower the learning rate)`);
  }
}

/** The L2 norm of each row of Φ (n × d), summed in order in f64; Φ already checked. */
function normsOf(phi: ArrayLike<number>, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += phi[i * d + j]! * phi[i * d + j]!;
    norms[i] = Math.sqrt(sum);
  }
  return norms;
}

/** The L2 norm of each point's activation vector (each row of Φ, n × d), summed in order in f64. */
export function rowNorms(phi: ArrayLike<number>, n: number, d: number): Float64Array {
  checkActivations('rowNorms', phi, n, d);
  return normsOf(phi, n, d);
}

/**
 * Option of ours, not in the spec: each point's activation vector divided by its L2 norm (an all-zero row stays
 * zero). In a ReLU network the norm scales the logits, so confidence, and every projection of the PCA alike;
 * dividing it out leaves presence to the direction of the activations.
 */
export function unitRows(phi: ArrayLike<number>, n: number, d: number): Float64Array {
  checkActivations('unitRows', phi, n, d);
  const norms = normsOf(phi, n, d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    // A dead point (every unit at 0) has no direction: it stays at the origin. Division, not a reciprocal
    // product, so that each entry is the correctly rounded quotient.
    if (norms[i]! > 0) for (let j = 0; j < d; j++) out[i * d + j] = phi[i * d + j]! / norms[i]!;
  }
  return out;
}

/** The q-th percentile (0 … 100) of finite values, linear between order statistics. */
export function percentile(values: ArrayLike<number>, q: number): number {
  checkFiniteEntries('percentile', 'values', values);
  if (values.length === 0) throw new ArgumentError('percentile: no values; pass at least one');
  if (!isNumberIn(q, 0, 100)) throw new ArgumentError(`percentile: q must be a number in [0, 100], got ${q}`);
  return percentileInPlace(Float64Array.from(values), q);
}

/**
 * The q-th percentile of the finite values in `s`, each counted `times` times, which it reorders (so several
 * percentiles can share one copy: each is an order statistic, whatever order an earlier call left). Rank r of the
 * repeated values is rank ⌊r / times⌋ of s, so repeats need no copy and give the bits of a repeated array.
 */
function percentileInPlace(s: Float64Array, q: number, times = 1): number {
  const size = times * s.length;
  const at = (q / 100) * (size - 1);
  const lo = Math.floor(at);
  const hi = Math.min(size - 1, lo + 1);
  const rankLo = Math.floor(lo / times);
  const rankHi = Math.floor(hi / times);
  // Order statistic rankLo by selection (linear time; a full sort took ~40 ms per million values), and the
  // next one as the smallest value after it.
  const vlo = selectInPlace(s, rankLo);
  let vhi = vlo;
  if (rankHi > rankLo) {
    vhi = Infinity;
    for (let i = rankHi; i < s.length; i++) if (s[i]! < vhi) vhi = s[i]!;
  }
  return vlo + (at - lo) * (vhi - vlo);
}

/** Rearranges `s` (no NaN) so that s[r] holds the value of rank r, smaller ones before it and larger after; returns s[r]. */
function selectInPlace(s: Float64Array, r: number): number {
  let left = 0;
  let right = s.length - 1;
  while (right > left) {
    // Median of three as the pivot, then a Hoare partition.
    const mid = left + ((right - left) >> 1);
    const a = s[left]!, b = s[mid]!, c = s[right]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (s[i]! < pivot) i++;
      while (s[j]! > pivot) j--;
      if (i <= j) {
        const t = s[i]!;
        s[i] = s[j]!;
        s[j] = t;
        i++;
        j--;
      }
    }
    if (r <= j) right = j;
    else if (r >= i) left = i;
    else break;
  }
  return s[r]!;
}

/** Throws unless psis is a non-empty list of N×k finite feature matrices (pcaFeatures of each model). */
function checkPsis(fn: string, psis: ArrayLike<number>[], n: number, k: number): void {
  checkInt(fn, 'n', n, 2, 'correlations need at least 2 points');
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features per model');
  if (!Array.isArray(psis) || psis.length === 0) throw new ArgumentError(`${fn}: psis must be a non-empty array of each model's features Ψ (pcaFeatures), got ${String(psis)}`);
  psis.forEach((psi, i) => checkFiniteArray(fn, `psis[${i}]`, psi, n * k, `model ${i}'s features Ψ, N × k = ${n}×${k}`));
}

/**
 * The models' Ψ (each N×k) side by side as one N×(M·k) matrix, each column standardised to zero mean and
 * unit norm, so that correlations are dot products.
 */
function standardisedColumns(psis: Float64Array[], n: number, k: number): Float64Array {
  const width = psis.length * k;
  const z = new Float64Array(n * width);
  psis.forEach((psi, mi) => {
    for (let a = 0; a < k; a++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += psi[i * k + a]! / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (psi[i * k + a]! - mean) ** 2;
      const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
      for (let i = 0; i < n; i++) z[i * width + mi * k + a] = (psi[i * k + a]! - mean) * inv;
    }
  });
  return z;
}

/** L[i][j][a][b] = |corr(Ψ_i[:, a], Ψ_j[:, b])| for i ≠ j, as a flat M·M·k·k array (i = j entries 0). */
export function crossCorrelations(psis: Float64Array[], n: number, k: number): Float64Array {
  const { z, width, out, visit } = correlationPanels('crossCorrelations', psis, n, k);
  gramInOrderPanels(z, n, width, k, visit);
  return out;
}

/** crossCorrelations that awaits `pause` after each model's panel (so that a page can paint); the same numbers. */
export async function crossCorrelationsAsync(psis: Float64Array[], n: number, k: number, pause: () => Promise<void>): Promise<Float64Array> {
  const { z, width, out, visit } = correlationPanels('crossCorrelationsAsync', psis, n, k);
  await gramInOrderPanelsAsync(z, n, width, k, visit, pause);
  return out;
}

/**
 * The standardised columns Z of every model (n × M·k), L's array and the panel visitor that fills it. Every pair of
 * columns: ZᵀZ, each dot product summed over the points in order, one model's k rows at a time from its own columns
 * on, so the WASM memory never holds the (M·k)² product. Panel i's entry (a, (j − i)·k + b) is
 * L[i][j][a][b] = L[j][i][b][a].
 */
function correlationPanels(fn: string, psis: Float64Array[], n: number, k: number) {
  checkPsis(fn, psis, n, k);
  const m = psis.length;
  const z = standardisedColumns(psis, n, k);
  const out = new Float64Array(m * m * k * k);
  const visit = (r0: number, panel: Float64Array, cols: number) => {
    const i = r0 / k;
    for (let a = 0; a < k; a++) {
      for (let j = i + 1; j < m; j++) {
        for (let b = 0; b < k; b++) {
          const v = Math.abs(panel[a * cols + (j - i) * k + b]!);
          out[((i * m + j) * k + a) * k + b] = v;
          out[((j * m + i) * k + b) * k + a] = v;
        }
      }
    }
  };
  return { z, width: m * k, out, visit };
}

/**
 * The clustering thresholds γ_corr: for each q of `qs`, the q-th percentile of the correlations L (crossCorrelations'
 * M·M·k·k output) with i ≠ j, the same numbers as `percentile` of those entries. L from crossCorrelations is symmetric
 * (L[j][i][b][a] = L[i][j][a][b]), so the entries with i < j, each counted twice, are all of them: one copy of those
 * serves every q (100 MB with 100 models and k = 50). Any other L is copied whole.
 */
export function correlationThresholds(l: Float64Array, m: number, k: number, qs: readonly number[]): number[] {
  const fn = 'correlationThresholds';
  checkInt(fn, 'm', m, 2, 'the off-diagonal correlations need two models');
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features per model');
  checkFiniteArray(fn, 'l', l, m * m * k * k, `the M·M·k·k correlations of crossCorrelations (M = ${m}, k = ${k})`);
  if (!Array.isArray(qs) || qs.length === 0) throw new ArgumentError(`${fn}: qs must be a non-empty array of percentiles, got ${String(qs)}`);
  qs.forEach((q, i) => { if (!isNumberIn(q, 0, 100)) throw new ArgumentError(`${fn}: qs[${i}] must be a number in [0, 100], got ${q}`); });
  const block = k * k;
  const symmetric = isBlockSymmetric(l, m, k);
  const off = new Float64Array((symmetric ? (m * (m - 1)) / 2 : m * (m - 1)) * block);
  let at = 0;
  for (let i = 0; i < m; i++) {
    for (let j = symmetric ? i + 1 : 0; j < m; j++) {
      if (i === j) continue;
      off.set(l.subarray((i * m + j) * block, (i * m + j + 1) * block), at);
      at += block;
    }
  }
  return qs.map((q) => percentileInPlace(off, q, symmetric ? 2 : 1));
}

/** Whether L[j][i][b][a] = L[i][j][a][b] for every i < j (as crossCorrelations builds it). */
function isBlockSymmetric(l: Float64Array, m: number, k: number): boolean {
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) if (l[((i * m + j) * k + a) * k + b] !== l[((j * m + i) * k + b) * k + a]) return false;
      }
    }
  }
  return true;
}

/** Greedy clustering (spec Algorithm 1) of the (model, feature) pairs: cluster id per pair (M·k, ids 0 … T−1). */
export function clusterFeatures(l: Float64Array, m: number, k: number, threshold: number): { cluster: Int32Array; count: number } {
  const fn = 'clusterFeatures';
  checkInt(fn, 'm', m, 1, 'pass the number of models');
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features per model');
  checkFiniteArray(fn, 'l', l, m * m * k * k, `the M·M·k·k correlations of crossCorrelations (M = ${m}, k = ${k})`);
  // |corr| can exceed 1 by a few ulps of rounding.
  for (let i = 0; i < l.length; i++) if (!(l[i]! >= 0 && l[i]! <= 1 + 1e-9)) throw new ArgumentError(`${fn}: l[${i}] is ${l[i]}; |correlations| lie in [0, 1] (pass crossCorrelations' output)`);
  if (!Number.isFinite(threshold)) throw new ArgumentError(`${fn}: threshold must be a finite number (e.g. a percentile of the correlations), got ${threshold}`);
  const cluster = new Int32Array(m * k).fill(-1);
  const bestCorr = new Float64Array(m * k).fill(-Infinity);
  let next = 0;
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < k; a++) {
      if (cluster[i * k + a]! >= 0) continue;
      const t = next++;
      cluster[i * k + a] = t;
      bestCorr[i * k + a] = Infinity;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        for (let b = 0; b < k; b++) {
          const v = l[((i * m + j) * k + a) * k + b]!;
          if (v > threshold && v > bestCorr[j * k + b]!) {
            cluster[j * k + b] = t;
            bestCorr[j * k + b] = v;
          }
        }
      }
    }
  }
  // Relabel to contiguous ids, dropping clusters that lost every member.
  const remap = new Map<number, number>();
  for (const c of cluster) if (!remap.has(c)) remap.set(c, remap.size);
  return { cluster: cluster.map((c) => remap.get(c)!), count: remap.size };
}

/** D[n][a] (N·k bytes) of one model: feature a is present in point n (presence rule of the module header). */
export function presence(psi: Float64Array, n: number, k: number, qData = 90): Uint8Array {
  const fn = 'presence';
  checkInt(fn, 'n', n, 1, 'pass the number of points');
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features');
  checkFiniteArray(fn, 'psi', psi, n * k, `the model's features Ψ, N × k = ${n}×${k}`);
  if (!isNumberIn(qData, 0, 100)) throw new ArgumentError(`${fn}: qData must be a percentile in [0, 100], got ${qData}`);
  const norm = new Float64Array(n * k);
  for (let a = 0; a < k; a++) {
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(psi[i * k + a]!));
    for (let i = 0; i < n; i++) norm[i * k + a] = max > 0 ? psi[i * k + a]! / max : 0;
  }
  const gamma = percentile(norm, qData);
  const d = new Uint8Array(n * k);
  for (let e = 0; e < n * k; e++) d[e] = norm[e]! > gamma ? 1 : 0;
  return d;
}

/** Throws unless presences is a non-empty list of N×k 0/1 tables (presence of each model). */
export function checkPresences(fn: string, presences: Uint8Array[], n: number, k: number): void {
  checkInt(fn, 'n', n, 1, 'pass the number of points');
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features per model');
  if (!Array.isArray(presences) || presences.length === 0) throw new ArgumentError(`${fn}: presences must be a non-empty array of each model's presence table (presence), got ${String(presences)}`);
  presences.forEach((d, mi) => {
    if (!(d instanceof Uint8Array)) throw new ArgumentError(`${fn}: presences[${mi}] must be a Uint8Array (from presence), got ${Object.prototype.toString.call(d)}`);
    if (d.length !== n * k) throw new ShapeError(`${fn}: presences[${mi}] has length ${d.length} but N × k = ${n}×${k} needs ${n * k}`);
    for (let e = 0; e < d.length; e++) if (d[e]! > 1) throw new ArgumentError(`${fn}: presences[${mi}][${e}] is ${d[e]}; presence entries are 0 or 1`);
  });
}

/** Throws unless cluster holds M·k feature ids in [0, features) (clusterFeatures' cluster and count). */
function checkClusters(fn: string, cluster: Int32Array, m: number, k: number, features: number): void {
  checkInt(fn, 'features', features, 1, "pass clusterFeatures' count");
  if (!(cluster instanceof Int32Array)) throw new ArgumentError(`${fn}: cluster must be an Int32Array (clusterFeatures' cluster), got ${Object.prototype.toString.call(cluster)}`);
  if (cluster.length !== m * k) throw new ShapeError(`${fn}: cluster has length ${cluster.length} but M × k = ${m}×${k} (model, feature) pairs need ${m * k}`);
  for (let i = 0; i < cluster.length; i++) {
    if (!(cluster[i]! >= 0 && cluster[i]! < features)) throw new ArgumentError(`${fn}: cluster[${i}] is ${cluster[i]}; feature ids must lie in [0, features = ${features})`);
  }
}

/**
 * Ω ∈ {0,1}^{M×N×T} as a bit tensor: row (m, n) holds its T entries in `words` 32-bit words, entry t in bit t % 32
 * of word t / 32 (M·N·⌈T/32⌉·4 bytes; as bytes, 100 models × 2000 points at T = 2509 took 0.5 GB).
 */
export interface InteractionTensor {
  models: number;
  points: number;
  features: number;
  /** Words per (model, point) row: ⌈features / 32⌉. */
  words: number;
  bits: Uint32Array;
}

/** Ω from each model's presence D_m (`presence`): model m learned feature t and t is present in point n. */
export function interactionTensor(presences: Uint8Array[], n: number, k: number, cluster: Int32Array, features: number): InteractionTensor {
  const fn = 'interactionTensor';
  checkPresences(fn, presences, n, k);
  const m = presences.length;
  checkClusters(fn, cluster, m, k, features);
  const words = Math.ceil(features / 32);
  const bits = new Uint32Array(m * n * words);
  presences.forEach((d, mi) => {
    for (let i = 0; i < n; i++) {
      const row = (mi * n + i) * words;
      for (let a = 0; a < k; a++) {
        if (d[i * k + a]) {
          const t = cluster[mi * k + a]!;
          bits[row + (t >>> 5)]! |= 1 << (t & 31);
        }
      }
    }
  });
  return { models: m, points: n, features, words, bits };
}

/**
 * Throws unless omega is an interaction tensor whose words fit its shape (as `interactionTensor` returns) and, with
 * `wholeTensor`, no row has bits beyond its T features (a pass over every row, for the functions that read them all).
 */
function checkOmega(fn: string, omega: InteractionTensor, wholeTensor = true): void {
  const ok = omega !== null && typeof omega === 'object' && omega.bits instanceof Uint32Array;
  if (!ok) throw new ArgumentError(`${fn}: omega must be an interaction tensor (from interactionTensor), got ${Object.prototype.toString.call(omega)}`);
  const { models, points, features, words, bits } = omega;
  for (const [name, v] of [['models', models], ['points', points], ['features', features]] as const) checkInt(fn, `omega.${name}`, v, 1, 'pass the tensor interactionTensor returned');
  if (words !== Math.ceil(features / 32) || bits.length !== models * points * words) {
    throw new ShapeError(`${fn}: omega's ${bits.length} words with words = ${words} do not fit M × N × ⌈T/32⌉ = ${models}×${points}×${Math.ceil(features / 32)}; pass the tensor interactionTensor returned`);
  }
  const spare = features & 31;
  if (wholeTensor && spare !== 0) {
    const mask = ~((1 << spare) - 1);
    for (let r = words - 1; r < bits.length; r += words) if ((bits[r]! & mask) !== 0) throw new ArgumentError(`${fn}: omega's row ${(r - words + 1) / words} has bits set beyond its ${features} features`);
  }
}

/** Ω[m][n][t] (0 or 1). */
export function omegaEntry(omega: InteractionTensor, m: number, n: number, t: number): number {
  const fn = 'omegaEntry';
  checkOmega(fn, omega, false); // one entry read: not a pass over every row
  for (const [name, v, size] of [['m', m, omega.models], ['n', n, omega.points], ['t', t, omega.features]] as const) {
    if (!(Number.isInteger(v) && v >= 0 && v < size)) throw new ArgumentError(`${fn}: ${name} must be an integer in [0, ${size}), got ${v}`);
  }
  return (omega.bits[(m * omega.points + n) * omega.words + (t >>> 5)]! >>> (t & 31)) & 1;
}

/** The number of ones of Ω. */
export function omegaOnes(omega: InteractionTensor): number {
  checkOmega('omegaOnes', omega);
  let ones = 0;
  for (const w of omega.bits) ones += popcount(w);
  return ones;
}

/** Average ranks (ties share the mean rank). */
export function ranks(x: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(x.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && x[idx[e + 1]!] === x[idx[s]!]) e++;
    for (let t = s; t <= e; t++) r[idx[t]!] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

/** Throws unless x and y are finite series of the same length ≥ 2. */
function checkSeries(fn: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  checkFiniteEntries(fn, 'x', x);
  checkFiniteEntries(fn, 'y', y);
  if (x.length !== y.length || x.length < 2) throw new ShapeError(`${fn}: needs two series of the same length ≥ 2, got ${x.length} and ${y.length}`);
}

/** Pearson correlation (NaN when a side is constant). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSeries('pearson', x, y);
  let mx = 0, my = 0;
  for (let i = 0; i < x.length; i++) { mx += x[i]!; my += y[i]!; }
  mx /= x.length;
  my /= y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSeries('spearman', x, y);
  return pearson(ranks(x), ranks(y));
}

/** The spec's statistics of Ω. */
export interface TensorStatistics {
  features: number;
  /** #models that learned feature t (feature t has a (model, column) in its cluster). */
  adoption: Int32Array;
  /** #points where some model sees t. */
  frequency: Int32Array;
  /** Σ_{m,t} Ω[m][n][t] per point. */
  featuresPerPoint: Int32Array;
  /** Diagnostic (ours): #{t : some model sees t at n} per point, each shared feature counted once. */
  distinctFeaturesPerPoint: Int32Array;
  /** |S_m ∩ S_m′| per model pair (m < m′, row-major over pairs). */
  sharedFeatures: Int32Array;
}

/** Adoption, frequency, features per point, shared features per pair, from Ω and the clustering (k columns per model). */
export function tensorStatistics(omega: InteractionTensor, cluster: Int32Array, k: number): TensorStatistics {
  const fn = 'tensorStatistics';
  checkOmega(fn, omega);
  checkInt(fn, 'k', k, 1, 'pass the number of PCA features per model');
  const { models: m, points: n, features, words, bits } = omega;
  checkClusters(fn, cluster, m, k, features);
  const learned = new Uint8Array(m * features);
  for (let mi = 0; mi < m; mi++) for (let a = 0; a < k; a++) learned[mi * features + cluster[mi * k + a]!] = 1;
  const adoption = new Int32Array(features);
  for (let mi = 0; mi < m; mi++) for (let t = 0; t < features; t++) adoption[t]! += learned[mi * features + t]!;
  const frequency = new Int32Array(features);
  const featuresPerPoint = new Int32Array(n);
  const distinctFeaturesPerPoint = new Int32Array(n);
  const any = new Uint32Array(words);
  for (let i = 0; i < n; i++) {
    any.fill(0);
    for (let mi = 0; mi < m; mi++) {
      const row = (mi * n + i) * words;
      for (let w = 0; w < words; w++) {
        featuresPerPoint[i]! += popcount(bits[row + w]!);
        any[w]! |= bits[row + w]!;
      }
    }
    for (let w = 0; w < words; w++) {
      distinctFeaturesPerPoint[i]! += popcount(any[w]!);
      // Each set bit of the OR over the models: some model sees feature 32w + b at point i.
      for (let rest = any[w]!; rest !== 0; rest &= rest - 1) frequency[32 * w + 31 - Math.clz32(rest & -rest)]!++;
    }
  }
  const shared: number[] = [];
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      let c = 0;
      for (let t = 0; t < features; t++) c += learned[a * features + t]! & learned[b * features + t]!;
      shared.push(c);
    }
  }
  return { features, adoption, frequency, featuresPerPoint, distinctFeaturesPerPoint, sharedFeatures: Int32Array.from(shared) };
}
