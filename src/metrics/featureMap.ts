/**
 * Diagonalizing the forward feature map — specs/feature-map.md (Nam, Mingard, Lee, Hayou, Louis,
 * arXiv 2410.04264). Pure functions over host arrays; all arithmetic in f64, eigendecompositions through
 * the f64 WASM `symmetricEigen` (src/linalg/wasmLinalg.ts).
 *
 * Notation: Phi is the n×p feature matrix (penultimate post-activations, row-major, one row per sample),
 * labels are integers in [0, C), W is the C×p last-layer weight matrix (rows w_c, f = W·Phi + b).
 *
 * - Operator: S = Phiᵀ Phi / n (uncentred, p×p), S v_k = ρ_k v_k, ρ descending. When n < p the n×n
 *   Gram G = Phi Phiᵀ / n is diagonalized instead (G u_k = ρ_k u_k) and v_k = Phiᵀ u_k / sqrt(n ρ_k).
 * - Eigenfunctions: e_k(x) = v_k · Phi(x) / sqrt(ρ_k), orthonormal under <u, w> = mean over the sample.
 * - Spectrum: ρ_k / ρ_1 for k = 1..min(p, 4C).
 * - Π*(k) = Σ_{j≤k} Σ_c <e_j, y_c>² / Σ_c ‖y_c‖²  (y_c one-hot column of class c, mean inner product).
 * - Π̂(k) = Σ_{j≤k} Σ_c ρ_j (w_c·v_j)² / Σ_{j,c} ρ_j (w_c·v_j)².
 * - Regime: MF when Π̂(C) ≥ 0.95 and ρ_{C+1}/ρ_C ≤ 0.1 (thresholds are options), else EF.
 * - Principal angles between the top-C eigenvector subspaces of two checkpoints.
 * - NC1 = tr(Σ_W Σ_B⁺) / C.
 * - D_LR = 1 − CKA, CKA = ‖Qᵀ Phi_c‖_F² / (‖Phi_cᵀ Phi_c‖_F · sqrt(r)), Q an orthonormal basis of the
 *   centred logits (rank r), Phi_c the centred features.
 *
 * Choices where the spec is loose (ours):
 * 1. Route: `method: 'auto'` (default) forms S (p×p) when p ≤ n and G (n×n) when n < p — the smaller matrix;
 *    both give the same non-zero spectrum. `rho` has min(n, p) entries; ρ_k for k > min(n, p) is 0 (S has
 *    p − n zero eigenvalues when n < p) and every function that indexes ρ beyond that treats it as 0.
 * 2. Null eigenvalues: ρ_k ≤ nullTolerance·ρ_1 (default max(n, p)·ε_f64, the round-off of forming S) and
 *    negative round-off are set to exactly 0 and count as null; `rank` counts the others. A null direction
 *    has no eigenfunction (e_k = v_k·Phi/sqrt(0) is undefined): e_k is taken as 0 there, so it adds nothing
 *    to Π*; in the Gram route its v_k is also returned as 0 (in the covariance route it is the orthonormal
 *    vector symmetricEigen returns, an arbitrary basis of the null space). Its weight ρ_j (w_c·v_j)² in Π̂
 *    is 0 either way. All-zero features (ρ_1 = 0) are rejected.
 * 3. Π*: ‖y_c‖² uses the same mean inner product as <e_j, y_c> (so Σ_c ‖y_c‖² = 1 for one-hot labels and
 *    Π*(k) ∈ [0, 1] by Bessel's inequality). Π*(k) ≤ 1, and = 1 at k = rank iff the labels lie in the span.
 * 4. Π̂: the denominator Σ_{j,c} over all p eigenpairs equals Σ_c w_cᵀ S w_c (null directions weigh 0), so
 *    it is computed over the non-null ones. If it is 0 (the learned function vanishes on the sample, e.g. a
 *    zero-initialised last layer) Π̂ is undefined and every entry is NaN (a valid input, not an error).
 *    Arrays Π*(k), Π̂(k) are returned for k = 1..count (default min(n, p)); Π(k) for k beyond is the last value.
 * 5. Regime gap ρ_{C+1}/ρ_C: ρ_{C+1} is 0 when C + 1 > min(n, p); when ρ_C = 0 (features of rank < C, e.g.
 *    collapse onto a centred simplex) ρ_{C+1} = 0 too and the gap is 0 (nothing left after the top C).
 *    Π̂(C) with C > rank is Π̂(rank) = 1 (or NaN as in 4). NaN Π̂ makes the regime EF.
 * 6. Principal angles: θ_i ∈ [0, π/2], ascending, from the singular values σ_i of U1ᵀU2 (cos θ_i = σ_i,
 *    via symmetricEigen of (U1ᵀU2)ᵀ(U1ᵀU2)); for small angles sin θ_i is taken from the eigenvalues of
 *    RᵀR, R = U2 − U1 (U1ᵀU2) (same eigenvectors, eigenvalues 1 − σ_i²), which keeps θ ≈ 1e-8 accurate where
 *    acos(σ) would not. Bases must be orthonormal (checked to 1e-6). The top-k subspace of a checkpoint is
 *    rejected when ρ_k is null (it is not determined by the features).
 * 7. NC1 follows Papyan, Han & Donoho (2020): μ_c class means, μ_G the mean over all n samples,
 *    Σ_W = (1/n) Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ, Σ_B = (1/C) Σ_c (μ_c − μ_G)(μ_c − μ_G)ᵀ; Σ_B⁺ keeps
 *    eigenvalues > rcond·λ_max (default rcond 1e-10). Every class must have a sample (else μ_c is undefined:
 *    an error). Σ_B is handled through its C×C Gram, never formed as p×p. Σ_B = 0 (all class means equal)
 *    makes NC1 undefined: NaN.
 * 8. D_LR: "centred" means each column minus its mean over the sample. r is the numerical rank of the centred
 *    logits (singular values² > rcond·σ_max², default rcond 1e-10). Logits are passed in (n×q, e.g.
 *    Phi·Wᵀ + b; the bias drops out in centring). When the centred logits or the centred features are 0,
 *    CKA is undefined and D_LR is NaN.
 * 9. Inputs: features Float32Array or Float64Array, labels Int32Array (or any array of integers in [0, C)),
 *    C ≥ 2; every entry must be finite (ArgumentError), lengths must fit (ShapeError).
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { checkClassLabels, checkInt, checkOptions, naming } from '../validate.js';
import { productInOrder, symmetricEigen } from '../linalg/wasmLinalg.js';

/** A row-major host matrix of features, weights or logits. */
export type HostMatrix = Float32Array | Float64Array;

/** Which matrix was diagonalized: S = PhiᵀPhi/n (p×p) or G = Phi Phiᵀ/n (n×n) (spec "Definitions"). */
export type DiagonalizationRoute = 'covariance' | 'gram';

/** Options of diagonalizeFeatureMap. */
export interface DiagonalizeOptions {
  /** 'auto' (default): the smaller of S (p×p) and G (n×n); or force one route. */
  method?: 'auto' | DiagonalizationRoute;
  /** Eigenvalues ≤ nullTolerance·ρ_1 are set to 0 (default max(n, p)·2.2e-16). */
  nullTolerance?: number;
  /**
   * The route's matrix already formed elsewhere (e.g. by a matmul on the active backend): S = PhiᵀPhi/n
   * (p×p) for the covariance route, G = Phi Phiᵀ/n (n×n) for the Gram route; symmetrised here.
   */
  product?: Float64Array;
}

/** opts.product checked, symmetrised from its lower triangle, or null when absent. */
function givenProduct(fn: string, product: Float64Array | undefined, size: number, what: string): Float64Array | null {
  if (product === undefined) return null;
  if (!(product instanceof Float64Array) || product.length !== size * size) {
    throw new ArgumentError(`${fn}: product must be the ${size}×${size} ${what} as a Float64Array, got ${product instanceof Float64Array ? `${product.length} values` : typeof product}`);
  }
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const v = product[i * size + j]!;
      if (!Number.isFinite(v)) throw new ArgumentError(`${fn}: product[${i}, ${j}] is ${v}; every entry must be finite`);
      out[i * size + j] = out[j * size + i] = v;
    }
  }
  return out;
}

/** The eigendecomposition S v_k = ρ_k v_k of the uncentred feature covariance (spec "Definitions"). */
export interface FeatureMapDiagonalization {
  /** Samples. */
  n: number;
  /** Features. */
  p: number;
  /** Which matrix was diagonalized. */
  route: DiagonalizationRoute;
  /** ρ_1 ≥ ρ_2 ≥ … ≥ 0, min(n, p) entries (null ones exactly 0). */
  rho: Float64Array;
  /** Number of non-null ρ_k. */
  rank: number;
  /** p × min(n, p) row-major; column k is v_k (orthonormal; 0 for null ρ_k in the Gram route). */
  vectors: Float64Array;
}

/** Options of piHat / featureRegime. */
export interface RegimeOptions {
  /** MF needs Π̂(C) ≥ this (default 0.95). */
  piHatThreshold?: number;
  /** MF needs ρ_{C+1}/ρ_C ≤ this (default 0.1). */
  gapThreshold?: number;
}

/** The MF / EF decision with the two numbers it rests on (spec "Regime"). */
export interface RegimeResult {
  /** 'MF' (minimal-feature) or 'EF' (extended-feature). */
  regime: 'MF' | 'EF';
  /** Π̂(C). */
  piHatC: number;
  /** ρ_{C+1}/ρ_C. */
  rhoGap: number;
}

/** Options of nc1 and dLR. */
export interface RcondOptions {
  /** Relative cut-off on eigenvalues of the C×C Grams (Σ_B⁺ in NC1, the rank of the logits in D_LR); default 1e-10. */
  rcond?: number;
}

/** Everything the spec measures at one checkpoint (see analyzeFeatureMap). */
export interface FeatureMapSummary {
  /** The diagonalization itself (pass it as `previous` at the next checkpoint). */
  diagonalization: FeatureMapDiagonalization;
  /** ρ_k/ρ_1 for k = 1..min(p, 4C) (0 beyond min(n, p)). */
  rhoRatios: Float64Array;
  /** Π*(k) for k = 1..min(n, p, 4C). */
  piStar: Float64Array;
  /** Π̂(k) for k = 1..min(n, p, 4C) (only with weights). */
  piHat?: Float64Array;
  /** Regime (only with weights). */
  regime?: 'MF' | 'EF';
  /** Π̂(C) (only with weights). */
  piHatC?: number;
  /** ρ_{C+1}/ρ_C. */
  rhoGap: number;
  /** Principal angles (radians, ascending) to the previous checkpoint's top-C subspace (only with previous). */
  principalAngles?: Float64Array;
  /** NC1 = tr(Σ_W Σ_B⁺)/C. */
  nc1: number;
  /** D_LR = 1 − CKA(Phi, logits) (only with logits). */
  dLR?: number;
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** Throws unless x is a Float32Array/Float64Array of rows·cols finite values. */
function checkMatrix(fn: string, name: string, x: HostMatrix, rows: number, cols: number, what: string): void {
  if (!(x instanceof Float32Array || x instanceof Float64Array)) {
    throw new ArgumentError(`${fn}: ${name} must be a Float32Array or Float64Array (${what}, row-major), got ${Object.prototype.toString.call(x)}`);
  }
  if (x.length !== rows * cols) throw new ShapeError(`${fn}: ${name} must hold ${rows}×${cols} = ${rows * cols} values (${what}, row-major), got ${x.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new ArgumentError(`${fn}: ${name}[${Math.floor(i / cols)}, ${i % cols}] is ${x[i]}; every entry must be finite (check the run for divergence)`);
    }
  }
}

/** Throws unless labels holds n integers in [0, classes) (classes ≥ 2). */
function checkLabels(fn: string, labels: ArrayLike<number>, n: number, classes: number): void {
  checkInt(fn, 'classes', classes, 2, 'the measurements need at least two classes');
  checkClassLabels(fn, labels, classes, n, 'row of the features');
}

/** Throws unless d looks like a FeatureMapDiagonalization. */
function checkDiag(fn: string, d: FeatureMapDiagonalization): void {
  const ok = d != null && Number.isInteger(d.n) && d.n >= 1 && Number.isInteger(d.p) && d.p >= 1 && d.rho instanceof Float64Array &&
    d.rho.length === Math.min(d.n, d.p) && Number.isInteger(d.rank) && d.rank >= 0 && d.rank <= d.rho.length &&
    d.vectors instanceof Float64Array && d.vectors.length === d.p * d.rho.length;
  if (!ok) throw new ArgumentError(`${fn}: d must be the object returned by diagonalizeFeatureMap(), got ${d === null ? 'null' : typeof d}`);
  for (let k = 0; k < d.rho.length; k++) {
    if (!(d.rho[k]! >= 0 && Number.isFinite(d.rho[k]!)) || (k > 0 && d.rho[k]! > d.rho[k - 1]!)) throw new ArgumentError(`${fn}: d.rho[${k}] is ${d.rho[k]}; pass the object returned by diagonalizeFeatureMap() (ρ finite, ≥ 0, descending)`);
  }
}

/** Throws unless count is an integer in [1, max]. */
function checkCount(fn: string, count: number, max: number): void {
  checkInt(fn, 'count', count, 1, `ask for 1..${max} values`);
  if (count > max) throw new ArgumentError(`${fn}: count is ${count} but at most ${max} values exist; pass count ≤ ${max}`);
}

// ---------------------------------------------------------------------------------------------------
// Diagonalization

/** Diagonalizes S = PhiᵀPhi/n (or the Gram PhiPhiᵀ/n when n < p), spec "Definitions": S v_k = ρ_k v_k, ρ descending. */
export function diagonalizeFeatureMap(features: HostMatrix, n: number, p: number, opts: DiagonalizeOptions = {}): FeatureMapDiagonalization {
  const fn = 'diagonalizeFeatureMap';
  checkOptions(fn, opts, { method: true, nullTolerance: true, product: true });
  checkInt(fn, 'n', n, 1, 'pass the number of samples (rows of the features)');
  checkInt(fn, 'p', p, 1, 'pass the number of features (columns)');
  checkMatrix(fn, 'features', features, n, p, 'n samples × p features');
  const method = opts.method ?? 'auto';
  if (method !== 'auto' && method !== 'covariance' && method !== 'gram') throw new ArgumentError(`${fn}: method must be 'auto', 'covariance' or 'gram', got ${String(method)}`);
  const tol = opts.nullTolerance ?? Math.max(n, p) * Number.EPSILON;
  if (!(tol >= 0 && tol < 1)) throw new ArgumentError(`${fn}: nullTolerance must be in [0, 1), got ${String(tol)}`);
  const route: DiagonalizationRoute = method === 'auto' ? (p <= n ? 'covariance' : 'gram') : method;
  const m = Math.min(n, p);
  const rho = new Float64Array(m);
  const vectors = new Float64Array(p * m);
  if (route === 'covariance') {
    const given = givenProduct(fn, opts.product, p, 'covariance S = PhiᵀPhi/n');
    const s = given ?? new Float64Array(p * p);
    const row = new Float64Array(p);
    for (let i = 0; i < (given ? 0 : n); i++) {
      for (let a = 0; a < p; a++) row[a] = features[i * p + a];
      for (let a = 0; a < p; a++) {
        const xa = row[a];
        if (xa === 0) continue;
        const base = a * p;
        for (let b = a; b < p; b++) s[base + b] += xa * row[b];
      }
    }
    for (let a = 0; a < (given ? 0 : p); a++) {
      for (let b = a; b < p; b++) s[b * p + a] = s[a * p + b] /= n;
    }
    const { values, vectors: v } = symmetricEigen(s, p);
    const rho1 = Math.max(values[p - 1], 0);
    if (rho1 === 0) throw new ArgumentError(`${fn}: the features are all zero, so S = PhiᵀPhi/n has no spectrum; pass the penultimate-layer features`);
    for (let k = 0; k < m; k++) {
      const src = p - 1 - k;
      const val = values[src];
      rho[k] = val > tol * rho1 ? val : 0;
      for (let a = 0; a < p; a++) vectors[a * m + k] = v[a * p + src];
    }
  } else {
    const given = givenProduct(fn, opts.product, n, 'Gram G = Phi Phiᵀ/n');
    const g = given ?? new Float64Array(n * n);
    for (let i = 0; i < (given ? 0 : n); i++) {
      for (let j = i; j < n; j++) {
        let acc = 0;
        const oi = i * p, oj = j * p;
        for (let a = 0; a < p; a++) acc += features[oi + a] * features[oj + a];
        g[i * n + j] = g[j * n + i] = acc / n;
      }
    }
    const { values, vectors: u } = symmetricEigen(g, n);
    const rho1 = Math.max(values[n - 1], 0);
    if (rho1 === 0) throw new ArgumentError(`${fn}: the features are all zero, so PhiPhiᵀ/n has no spectrum; pass the penultimate-layer features`);
    for (let k = 0; k < m; k++) {
      const src = n - 1 - k;
      const val = values[src];
      rho[k] = val > tol * rho1 ? val : 0;
      if (rho[k] === 0) continue;
      // v_k = Phiᵀ u_k / sqrt(n ρ_k)
      const scale = 1 / Math.sqrt(n * rho[k]);
      for (let i = 0; i < n; i++) {
        const ui = u[i * n + src] * scale;
        if (ui === 0) continue;
        for (let a = 0; a < p; a++) vectors[a * m + k] += ui * features[i * p + a];
      }
    }
  }
  let rank = 0;
  while (rank < m && rho[rank] > 0) rank++;
  return { n, p, route, rho, rank, vectors };
}

/** ρ_k (spec "Definitions"), 1-based, 0 beyond min(n, p) (choice 1). */
function rhoAt(d: FeatureMapDiagonalization, k: number): number {
  return k <= d.rho.length ? d.rho[k - 1] : 0;
}

/** Spectrum ρ_k/ρ_1 for k = 1..count (spec "Spectrum"); count ≤ p, default min(n, p); ρ_k = 0 beyond min(n, p). */
export function spectrumRatios(d: FeatureMapDiagonalization, count?: number): Float64Array {
  const fn = 'spectrumRatios';
  checkDiag(fn, d);
  if (count === undefined) count = d.rho.length;
  checkCount(fn, count, d.p);
  const out = new Float64Array(count);
  for (let k = 1; k <= count; k++) out[k - 1] = rhoAt(d, k) / d.rho[0];
  return out;
}

/** The spec's number of spectrum entries to report, min(p, 4C) (spec "Spectrum"). */
export function spectrumCount(p: number, classes: number): number {
  checkInt('spectrumCount', 'p', p, 1, 'pass the number of features');
  checkInt('spectrumCount', 'classes', classes, 2, 'the measurements need at least two classes');
  return Math.min(p, 4 * classes);
}

/** Eigenfunctions e_k(x) = v_k·Phi(x)/sqrt(ρ_k), k = 1..count, at `rows` feature vectors (spec "Definitions"); rows×count row-major, 0 for null ρ_k. */
export function eigenfunctions(d: FeatureMapDiagonalization, features: HostMatrix, rows: number, count?: number): Float64Array {
  const fn = 'eigenfunctions';
  checkDiag(fn, d);
  if (count === undefined) count = d.rank;
  checkInt(fn, 'rows', rows, 1, 'pass the number of feature vectors to evaluate at');
  checkMatrix(fn, 'features', features, rows, d.p, `rows × p (p = ${d.p}, as diagonalized)`);
  checkCount(fn, count, d.rho.length);
  const m = d.rho.length, p = d.p;
  const out = new Float64Array(rows * count);
  for (let k = 0; k < count; k++) {
    if (d.rho[k] === 0) continue;
    const inv = 1 / Math.sqrt(d.rho[k]);
    for (let i = 0; i < rows; i++) {
      let acc = 0;
      for (let a = 0; a < p; a++) acc += d.vectors[a * m + k] * features[i * p + a];
      out[i * count + k] = acc * inv;
    }
  }
  return out;
}

/** Target quality Π*(k) = Σ_{j≤k} Σ_c <e_j, y_c>² / Σ_c ‖y_c‖² (mean inner product), k = 1..count (spec "Target quality"). */
export function piStar(d: FeatureMapDiagonalization, features: HostMatrix, labels: ArrayLike<number>, classes: number, count?: number): Float64Array {
  const fn = 'piStar';
  checkDiag(fn, d);
  if (count === undefined) count = d.rho.length;
  const { n, p } = d;
  checkMatrix(fn, 'features', features, n, p, `the n×p training features that were diagonalized (${n}×${p})`);
  checkLabels(fn, labels, n, classes);
  checkCount(fn, count, d.rho.length);
  // Class sums M_c = Σ_{i: y_i = c} Phi_i, so <e_j, y_c> = v_j·M_c / (n sqrt(ρ_j)).
  const sums = new Float64Array(classes * p);
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let a = 0; a < p; a++) sums[c * p + a] += features[i * p + a];
  }
  let denom = 0;
  for (let c = 0; c < classes; c++) denom += counts[c] / n; // ‖y_c‖² = n_c / n
  const m = d.rho.length;
  const out = new Float64Array(count);
  let acc = 0;
  for (let k = 0; k < count; k++) {
    if (d.rho[k] > 0) {
      const inv = 1 / (n * Math.sqrt(d.rho[k]));
      for (let c = 0; c < classes; c++) {
        let dot = 0;
        for (let a = 0; a < p; a++) dot += d.vectors[a * m + k] * sums[c * p + a];
        acc += (dot * inv) ** 2;
      }
    }
    out[k] = acc / denom;
  }
  return out;
}

/** Utilisation Π̂(k) = Σ_{j≤k} Σ_c ρ_j (w_c·v_j)² / Σ_{j,c} ρ_j (w_c·v_j)², k = 1..count, W C×p row-major (spec "Utilisation"); NaN if W·Phi ≡ 0. */
export function piHat(d: FeatureMapDiagonalization, weights: HostMatrix, classes: number, count?: number): Float64Array {
  const fn = 'piHat';
  checkDiag(fn, d);
  if (count === undefined) count = d.rho.length;
  checkInt(fn, 'classes', classes, 2, 'the measurements need at least two classes');
  checkMatrix(fn, 'weights', weights, classes, d.p, `the last-layer weights W, classes × p (${classes}×${d.p}), rows w_c`);
  checkCount(fn, count, d.rho.length);
  const m = d.rho.length, p = d.p;
  const terms = new Float64Array(m);
  let total = 0;
  for (let j = 0; j < m; j++) {
    if (d.rho[j] === 0) continue;
    let t = 0;
    for (let c = 0; c < classes; c++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += weights[c * p + a] * d.vectors[a * m + j];
      t += dot * dot;
    }
    terms[j] = d.rho[j] * t;
    total += terms[j];
  }
  const out = new Float64Array(count);
  if (!(total > 0)) return out.fill(NaN);
  let acc = 0;
  for (let k = 0; k < count; k++) {
    acc += terms[k];
    out[k] = acc / total;
  }
  return out;
}

/** The spectral gap ρ_{C+1}/ρ_C of the regime rule (spec "Regime"; 0 when ρ_C = 0, choice 5). */
export function rhoGap(d: FeatureMapDiagonalization, classes: number): number {
  checkDiag('rhoGap', d);
  checkInt('rhoGap', 'classes', classes, 2, 'the measurements need at least two classes');
  const rc = rhoAt(d, classes);
  return rc > 0 ? rhoAt(d, classes + 1) / rc : 0;
}

/** Regime from its two numbers: MF iff Π̂(C) ≥ piHatThreshold and ρ_{C+1}/ρ_C ≤ gapThreshold, else EF (spec "Regime"). */
export function classifyRegime(piHatC: number, gap: number, opts: RegimeOptions = {}): RegimeResult {
  checkOptions('classifyRegime', opts, { piHatThreshold: true, gapThreshold: true });
  if (typeof piHatC !== 'number' || !(Number.isNaN(piHatC) || (piHatC >= 0 && piHatC <= 1.000001))) throw new ArgumentError(`classifyRegime: piHatC must be Π̂(C) in [0, 1] (or NaN when Π̂ is undefined), got ${String(piHatC)}`);
  if (!(typeof gap === 'number' && gap >= 0 && Number.isFinite(gap))) throw new ArgumentError(`classifyRegime: gap must be ρ_{C+1}/ρ_C, a finite number ≥ 0, got ${String(gap)}`);
  const pt = opts.piHatThreshold ?? 0.95, gt = opts.gapThreshold ?? 0.1;
  if (!Number.isFinite(pt) || !Number.isFinite(gt)) throw new ArgumentError(`classifyRegime: piHatThreshold and gapThreshold must be finite numbers, got ${pt} and ${gt}`);
  return { regime: piHatC >= pt && gap <= gt ? 'MF' : 'EF', piHatC, rhoGap: gap };
}

/** MF / EF regime with Π̂(C) and ρ_{C+1}/ρ_C (spec "Regime": MF when Π̂(C) ≥ 0.95 and ρ_{C+1}/ρ_C ≤ 0.1). */
export function featureRegime(d: FeatureMapDiagonalization, weights: HostMatrix, classes: number, opts: RegimeOptions = {}): RegimeResult {
  return naming('featureRegime', () => {
    const hat = piHat(d, weights, classes);
    const piHatC = hat[Math.min(classes, hat.length) - 1];
    return classifyRegime(piHatC, rhoGap(d, classes), opts);
  });
}

// ---------------------------------------------------------------------------------------------------
// Subspace tracking

/** The top-k eigenvectors v_1..v_k as a p×k row-major orthonormal basis (spec "Subspace tracking"); ρ_k must be non-null. */
export function topSubspace(d: FeatureMapDiagonalization, k: number): Float64Array {
  const fn = 'topSubspace';
  checkDiag(fn, d);
  checkCount(fn, k, d.rho.length);
  if (d.rho[k - 1] === 0) {
    throw new ArgumentError(`${fn}: ρ_${k} is 0 (the features have rank ${d.rank}), so the top-${k} subspace is not determined; use k ≤ ${d.rank}`);
  }
  const m = d.rho.length, p = d.p;
  const out = new Float64Array(p * k);
  for (let a = 0; a < p; a++) for (let j = 0; j < k; j++) out[a * k + j] = d.vectors[a * m + j];
  return out;
}

/** Throws unless u (p×k) has orthonormal columns to 1e-6. */
function checkOrthonormal(fn: string, name: string, u: Float64Array, p: number, k: number): void {
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += u[a * k + i] * u[a * k + j];
      if (Math.abs(dot - (i === j ? 1 : 0)) > 1e-6) {
        throw new ArgumentError(`${fn}: the columns of ${name} are not orthonormal (column ${i}·column ${j} = ${dot}); pass an orthonormal basis such as topSubspace()`);
      }
    }
  }
}

/** Principal angles θ_i (radians, ascending) between span(U1) and span(U2), p×k orthonormal bases: cos θ_i = σ_i(U1ᵀU2) (spec "Subspace tracking"). */
export function principalAngles(u1: Float64Array, u2: Float64Array, p: number, k: number): Float64Array {
  const fn = 'principalAngles';
  checkInt(fn, 'p', p, 1, 'pass the dimension of the feature space');
  checkInt(fn, 'k', k, 1, 'pass the subspace dimension (columns of the bases)');
  if (k > p) throw new ArgumentError(`${fn}: k = ${k} exceeds p = ${p}; a k-dimensional subspace of R^p needs k ≤ p`);
  for (const [name, u] of [['u1', u1], ['u2', u2]] as const) {
    if (!(u instanceof Float64Array)) throw new ArgumentError(`${fn}: ${name} must be a Float64Array (p×k row-major), got ${Object.prototype.toString.call(u)}`);
    checkMatrix(fn, name, u, p, k, 'p×k orthonormal basis');
    checkOrthonormal(fn, name, u, p, k);
  }
  // M = U1ᵀU2 (k×k) and R = U2 − U1 M (p×k).
  const mm = new Float64Array(k * k);
  for (let a = 0; a < p; a++) {
    for (let i = 0; i < k; i++) {
      const x = u1[a * k + i];
      if (x === 0) continue;
      for (let j = 0; j < k; j++) mm[i * k + j] += x * u2[a * k + j];
    }
  }
  const r = Float64Array.from(u2);
  for (let a = 0; a < p; a++) {
    for (let i = 0; i < k; i++) {
      const x = u1[a * k + i];
      if (x === 0) continue;
      for (let j = 0; j < k; j++) r[a * k + j] -= x * mm[i * k + j];
    }
  }
  const gram = (x: Float64Array, rows: number): Float64Array => {
    const g = new Float64Array(k * k);
    for (let a = 0; a < rows; a++) {
      for (let i = 0; i < k; i++) {
        const xi = x[a * k + i];
        if (xi === 0) continue;
        for (let j = i; j < k; j++) g[i * k + j] += xi * x[a * k + j];
      }
    }
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) g[j * k + i] = g[i * k + j];
    return g;
  };
  const cos2 = symmetricEigen(gram(mm, k), k).values; // ascending: cos² descending when reversed
  const sin2 = symmetricEigen(gram(r, p), k).values; // ascending sin² ↔ descending cos²
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const c2 = Math.min(Math.max(cos2[k - 1 - i], 0), 1);
    const s2 = Math.min(Math.max(sin2[i], 0), 1);
    out[i] = c2 >= 0.5 ? Math.asin(Math.sqrt(s2)) : Math.acos(Math.sqrt(c2));
  }
  return out;
}

/** Principal angles between the top-k eigenvector subspaces of two checkpoints (spec "Subspace tracking"; k = C there). */
export function topSubspaceAngles(previous: FeatureMapDiagonalization, current: FeatureMapDiagonalization, k: number): Float64Array {
  const fn = 'topSubspaceAngles';
  checkDiag(fn, previous);
  checkDiag(fn, current);
  if (previous.p !== current.p) throw new ShapeError(`${fn}: the checkpoints have ${previous.p} and ${current.p} features; compare feature maps of the same width`);
  return naming(fn, () => principalAngles(topSubspace(previous, k), topSubspace(current, k), current.p, k));
}

// ---------------------------------------------------------------------------------------------------
// Neural collapse and richness

/** NC1 = tr(Σ_W Σ_B⁺)/C with Papyan et al.'s within- and between-class covariances (spec "Neural-collapse link", choice 7). */
export function nc1(features: HostMatrix, n: number, p: number, labels: ArrayLike<number>, classes: number, opts: RcondOptions = {}): number {
  const fn = 'nc1';
  checkOptions(fn, opts, { rcond: true });
  checkInt(fn, 'n', n, 1, 'pass the number of samples');
  checkInt(fn, 'p', p, 1, 'pass the number of features');
  checkMatrix(fn, 'features', features, n, p, 'n samples × p features');
  checkLabels(fn, labels, n, classes);
  const rcond = opts.rcond ?? 1e-10;
  if (!(rcond >= 0 && rcond < 1)) throw new ArgumentError(`${fn}: rcond must be in [0, 1), got ${String(rcond)}`);
  const C = classes;
  const means = new Float64Array(C * p);
  const counts = new Float64Array(C);
  const global = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let a = 0; a < p; a++) {
      means[c * p + a] += features[i * p + a];
      global[a] += features[i * p + a];
    }
  }
  for (let c = 0; c < C; c++) {
    if (counts[c] === 0) throw new ArgumentError(`${fn}: class ${c} has no sample, so its mean is undefined; pass features covering all ${C} classes`);
    for (let a = 0; a < p; a++) means[c * p + a] /= counts[c];
  }
  for (let a = 0; a < p; a++) global[a] /= n;
  // Centred means M (C rows of length p); Σ_B = MᵀM/C (p×p) shares its non-zero spectrum with MMᵀ/C (C×C).
  const mc = new Float64Array(C * p);
  for (let c = 0; c < C; c++) for (let a = 0; a < p; a++) mc[c * p + a] = means[c * p + a] - global[a];
  const g = new Float64Array(C * C);
  for (let c = 0; c < C; c++) {
    for (let e = c; e < C; e++) {
      let acc = 0;
      for (let a = 0; a < p; a++) acc += mc[c * p + a] * mc[e * p + a];
      g[c * C + e] = g[e * C + c] = acc / C;
    }
  }
  const { values, vectors: q } = symmetricEigen(g, C);
  const lmax = values[C - 1];
  if (!(lmax > 0)) return NaN;
  // Eigenvectors of Σ_B: u = Mᵀ q / sqrt(C λ); tr(Σ_W Σ_B⁺) = Σ_λ uᵀΣ_W u / λ.
  const dirs: { u: Float64Array; lambda: number }[] = [];
  for (let t = 0; t < C; t++) {
    const lambda = values[t];
    if (!(lambda > rcond * lmax)) continue;
    const u = new Float64Array(p);
    const scale = 1 / Math.sqrt(C * lambda);
    for (let c = 0; c < C; c++) {
      const qc = q[c * C + t] * scale;
      for (let a = 0; a < p; a++) u[a] += qc * mc[c * p + a];
    }
    dirs.push({ u, lambda });
  }
  const quad = new Float64Array(dirs.length);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    for (let t = 0; t < dirs.length; t++) {
      const u = dirs[t].u;
      let dot = 0;
      for (let a = 0; a < p; a++) dot += u[a] * (features[i * p + a] - means[c * p + a]);
      quad[t] += dot * dot;
    }
  }
  let tr = 0;
  for (let t = 0; t < dirs.length; t++) tr += quad[t] / n / dirs[t].lambda;
  return tr / C;
}

/** Centred linear CKA as the spec writes it: ‖QᵀPhi_c‖_F² / (‖Phi_cᵀPhi_c‖_F·sqrt(r)), Q an orthonormal basis of the centred logits (spec "Richness"); NaN if either side centres to 0. */
export function centredKernelAlignment(features: HostMatrix, logits: HostMatrix, n: number, p: number, q: number, opts: RcondOptions = {}): number {
  const fn = 'centredKernelAlignment';
  checkOptions(fn, opts, { rcond: true });
  checkInt(fn, 'n', n, 2, 'centring needs at least two samples');
  checkInt(fn, 'p', p, 1, 'pass the number of features');
  checkInt(fn, 'q', q, 1, 'pass the number of logits per sample (classes)');
  checkMatrix(fn, 'features', features, n, p, 'n samples × p features');
  checkMatrix(fn, 'logits', logits, n, q, 'n samples × q logits');
  const rcond = opts.rcond ?? 1e-10;
  if (!(rcond >= 0 && rcond < 1)) throw new ArgumentError(`${fn}: rcond must be in [0, 1), got ${String(rcond)}`);
  const centre = (x: HostMatrix, cols: number): Float64Array => {
    const out = Float64Array.from(x);
    for (let a = 0; a < cols; a++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += out[i * cols + a];
      mean /= n;
      for (let i = 0; i < n; i++) out[i * cols + a] -= mean;
    }
    return out;
  };
  const phi = centre(features, p);
  const z = centre(logits, q);
  // ‖Phi_cᵀPhi_c‖_F through the smaller of the p×p and n×n Grams (equal Frobenius norms). The Grams and ZᵀZ, ZᵀPhi_c
  // are in-order products (WASM): the bits of plain loops over the samples (or features).
  const small = Math.min(n, p);
  let fro2 = 0;
  if (p <= n) {
    const s = productInOrder(phi, phi, p, p, n, { transA: true, upper: true });
    for (let a = 0; a < small; a++) for (let b = a; b < small; b++) fro2 += (a === b ? 1 : 2) * s[a * p + b] ** 2;
  } else {
    const phiT = new Float64Array(p * n);
    for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) phiT[a * n + i] = phi[i * p + a];
    const g = productInOrder(phi, phiT, n, n, p, { upper: true });
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) fro2 += (i === j ? 1 : 2) * g[i * n + j] * g[i * n + j];
  }
  const kNorm = Math.sqrt(fro2);
  // Zᵀ Z = V Σ² Vᵀ; Q = Z V_r Σ_r⁻¹, so QᵀPhi_c = Σ_r⁻¹ V_rᵀ (ZᵀPhi_c).
  const zz = productInOrder(z, z, q, q, n, { transA: true, upper: true });
  const zphi = productInOrder(z, phi, q, p, n, { transA: true });
  for (let c = 0; c < q; c++) for (let e = c + 1; e < q; e++) zz[e * q + c] = zz[c * q + e];
  const { values, vectors: v } = symmetricEigen(zz, q);
  const smax = values[q - 1];
  if (!(smax > 0) || !(kNorm > 0)) return NaN;
  let r = 0, num = 0;
  for (let t = 0; t < q; t++) {
    const s2 = values[t];
    if (!(s2 > rcond * smax)) continue;
    r++;
    let row2 = 0;
    for (let a = 0; a < p; a++) {
      let dot = 0;
      for (let c = 0; c < q; c++) dot += v[c * q + t] * zphi[c * p + a];
      row2 += dot * dot;
    }
    num += row2 / s2;
  }
  return num / (kNorm * Math.sqrt(r));
}

/** Richness D_LR = 1 − CKA(Phi, logits), centred linear CKA as in the spec (spec "Richness"); near 0 rich, near 1 lazy; NaN if undefined. */
export function dLR(features: HostMatrix, logits: HostMatrix, n: number, p: number, q: number, opts: RcondOptions = {}): number {
  return 1 - naming('dLR', () => centredKernelAlignment(features, logits, n, p, q, opts));
}

// ---------------------------------------------------------------------------------------------------
// Everything at one checkpoint

/** Options of analyzeFeatureMap. */
export interface AnalyzeOptions extends DiagonalizeOptions, RegimeOptions, RcondOptions {
  /** Last-layer weights W (C×p row-major): enables Π̂ and the regime. */
  weights?: HostMatrix;
  /** Logits (n×q row-major, q = C unless logitCount says otherwise): enables D_LR. */
  logits?: HostMatrix;
  /** Columns of `logits` (default C). */
  logitCount?: number;
  /** The previous checkpoint's diagonalization: enables the top-C principal angles. */
  previous?: FeatureMapDiagonalization;
}

/** All of the spec's measurements at one checkpoint: ρ_k/ρ_1, Π*, Π̂, regime, top-C angles, NC1, D_LR (spec "Measurements"). */
export function analyzeFeatureMap(features: HostMatrix, n: number, p: number, labels: ArrayLike<number>, classes: number, opts: AnalyzeOptions = {}): FeatureMapSummary {
  return naming('analyzeFeatureMap', () => {
    checkOptions('analyzeFeatureMap', opts, {
      method: true, nullTolerance: true, product: true, piHatThreshold: true, gapThreshold: true, rcond: true,
      weights: true, logits: true, logitCount: true, previous: true,
    });
    const rcond = { rcond: opts.rcond };
    const d = diagonalizeFeatureMap(features, n, p, { method: opts.method, nullTolerance: opts.nullTolerance, product: opts.product });
    checkLabels('analyzeFeatureMap', labels, n, classes);
    const count = Math.min(spectrumCount(p, classes), d.rho.length);
    const summary: FeatureMapSummary = {
      diagonalization: d,
      rhoRatios: spectrumRatios(d, spectrumCount(p, classes)),
      piStar: piStar(d, features, labels, classes, count),
      rhoGap: rhoGap(d, classes),
      nc1: nc1(features, n, p, labels, classes, rcond),
    };
    if (opts.weights !== undefined) {
      const hat = piHat(d, opts.weights, classes, count);
      const r = classifyRegime(hat[Math.min(classes, count) - 1], summary.rhoGap, { piHatThreshold: opts.piHatThreshold, gapThreshold: opts.gapThreshold });
      summary.piHat = hat;
      summary.piHatC = r.piHatC;
      summary.regime = r.regime;
    }
    if (opts.previous !== undefined) summary.principalAngles = topSubspaceAngles(opts.previous, d, classes);
    if (opts.logits !== undefined) summary.dLR = dLR(features, opts.logits, n, p, opts.logitCount ?? classes, rcond);
    return summary;
  });
}
