/**
 * Synthetic data with a planted spurious part (specs/spurious-memorization.md, "Setting"):
 * z = [x, y] ∈ R^d with a core part x ∈ R^{d_x} (columns 0 … d_x − 1) and a spurious part y ∈ R^{d_y}
 * (columns d_x … d − 1), α = d_y / d; x, y ~ N(0, I) independent, label g = sign(u·x) ∈ {±1} for a random
 * teacher u, so y is independent of x and of g. The spurious query of training sample i is
 * z_i^s = [x̃, y_i]: the same spurious part with a fresh core x̃ ~ N(0, I) (spec, "Spurious query").
 *
 * Choices where the spec is loose (each is an option or documented default):
 * - d_y = round(α·d), d_x = d − d_y; both must be ≥ 1 (α strictly inside (0, 1) after rounding). The
 *   task's `alpha` is the realised d_y/d.
 * - Teacher u ~ N(0, I_{d_x}) drawn once per task (rng.fork('teacher')), shared by train, test and queries.
 * - sign(0) = +1 (an event of probability zero; f32 draws make it possible in principle).
 * - "Inputs are normalised so that ||z||² ≈ d": default `normalize: 'parts'` rescales the core and the
 *   spurious part separately to ||x||² = d_x and ||y||² = d_y (so ||z||² = d exactly). Normalising the
 *   parts, not the whole row, keeps y_i bit-identical in z_i and in its query z_i^s (a whole-row rescale
 *   would change the spurious part with the fresh core). The label is unchanged by it (sign(u·x) is
 *   scale-free). `'none'` keeps the raw N(0, I) draws (||z||² ≈ d only on average).
 * - Labels are not balanced by construction: P(g = +1) = 1/2 and the counts are binomial.
 * - Draws: normal values come from rng.fillNormal on f32 (as everywhere in featurelab), stored as f64.
 *   sampleSpurious draws x then y, each n×d_part row-major, from rng.fork('core') / rng.fork('spurious');
 *   spuriousQueries draws the fresh cores from the rng it is given (pass a fork, e.g. rng.fork('queries')).
 */
import { ArgumentError, ShapeError } from '../errors.js';
import type { Rng } from '../rng.js';

/** How inputs are normalised (module header). */
export type SpuriousNormalization = 'parts' | 'none';

/** Options of spuriousTask. */
export interface SpuriousTaskOptions {
  /** Input dimension d ≥ 2. */
  d: number;
  /** Spurious fraction α = d_y / d in (0, 1) (default 1/2, as the spec's official setting d_y = d/2). */
  alpha?: number;
  /** Input normalisation (default 'parts': ||x||² = d_x, ||y||² = d_y). */
  normalize?: SpuriousNormalization;
}

/** A synthetic task: dimensions and the teacher u of the label rule g = sign(u·x). */
export interface SpuriousTask {
  readonly d: number;
  /** Core dimension d_x = d − d_y. */
  readonly dCore: number;
  /** Spurious dimension d_y = round(α·d). */
  readonly dSpurious: number;
  /** Realised α = d_y / d. */
  readonly alpha: number;
  readonly normalize: SpuriousNormalization;
  /** Teacher u ∈ R^{d_x} (unnormalised N(0, I) draw). */
  readonly teacher: Float64Array;
}

/** A sample of the task: inputs z = [x, y] and labels g. */
export interface SpuriousSample {
  /** Number of samples n. */
  readonly n: number;
  /** n×d row-major inputs, core columns first, spurious columns last. */
  readonly z: Float64Array;
  /** Labels g_i = sign(u·x_i) ∈ {±1} (sign(0) = +1). */
  readonly g: Float64Array;
}

/** Creates the task: d_y = round(α·d), d_x = d − d_y, teacher u ~ N(0, I_{d_x}) from rng.fork('teacher') (module header). */
export function spuriousTask(rng: Rng, opts: SpuriousTaskOptions): SpuriousTask {
  const fn = 'spuriousTask';
  const d = opts.d;
  const alpha = opts.alpha ?? 0.5;
  const normalize = opts.normalize ?? 'parts';
  if (!Number.isInteger(d) || d < 2) throw new ArgumentError(`${fn}: d must be an integer ≥ 2, got ${d}`);
  if (!(alpha > 0 && alpha < 1)) throw new ArgumentError(`${fn}: alpha must be in (0, 1), got ${alpha}`);
  if (normalize !== 'parts' && normalize !== 'none') throw new ArgumentError(`${fn}: normalize must be 'parts' or 'none', got ${String(normalize)}`);
  const dSpurious = Math.round(alpha * d);
  const dCore = d - dSpurious;
  if (dSpurious < 1 || dCore < 1) {
    throw new ArgumentError(`${fn}: alpha = ${alpha} with d = ${d} gives d_y = ${dSpurious}, d_x = ${dCore}; both parts need at least one coordinate, so raise d or move alpha away from 0 and 1`);
  }
  const teacher = Float64Array.from(rng.fork('teacher').fillNormal(new Float32Array(dCore)));
  return { d, dCore, dSpurious, alpha: dSpurious / d, normalize, teacher };
}

/** n×cols standard normal values from rng (f32 draws stored as f64), rows rescaled to squared norm `cols` when normalize is 'parts'. */
function normalRows(rng: Rng, n: number, cols: number, normalize: SpuriousNormalization): Float64Array {
  const out = Float64Array.from(rng.fillNormal(new Float32Array(n * cols)));
  if (normalize === 'parts') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < cols; t++) s += out[i * cols + t] ** 2;
      // s = 0 has probability zero; keep the row (all zeros) rather than divide by zero.
      const f = s > 0 ? Math.sqrt(cols / s) : 1;
      for (let t = 0; t < cols; t++) out[i * cols + t] *= f;
    }
  }
  return out;
}

/** Checks n. */
function checkCount(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n must be a positive integer, got ${n}`);
}

/** Writes cores (n×d_x) and spurious parts (n×d_y) into z = [x, y] and returns z. */
function concat(task: SpuriousTask, n: number, core: Float64Array, spur: Float64Array): Float64Array {
  const { d, dCore, dSpurious } = task;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    z.set(core.subarray(i * dCore, (i + 1) * dCore), i * d);
    z.set(spur.subarray(i * dSpurious, (i + 1) * dSpurious), i * d + dCore);
  }
  return z;
}

/** Draws n samples z_i = [x_i, y_i] (x from rng.fork('core'), y from rng.fork('spurious')) with g_i = sign(u·x_i) (spec, "Setting"). */
export function sampleSpurious(task: SpuriousTask, rng: Rng, n: number): SpuriousSample {
  checkCount('sampleSpurious', n);
  const { dCore, dSpurious, teacher } = task;
  const core = normalRows(rng.fork('core'), n, dCore, task.normalize);
  const spur = normalRows(rng.fork('spurious'), n, dSpurious, task.normalize);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dCore; t++) s += teacher[t] * core[i * dCore + t];
    g[i] = s >= 0 ? 1 : -1;
  }
  return { n, z: concat(task, n, core, spur), g };
}

/** Spurious queries z_i^s = [x̃_i, y_i] of a sample: its spurious parts with fresh cores x̃_i ~ N(0, I) drawn from rng (n×d; spec, "Spurious query"). */
export function spuriousQueries(task: SpuriousTask, sample: SpuriousSample, rng: Rng): Float64Array {
  const fn = 'spuriousQueries';
  const { d, dCore, dSpurious } = task;
  if (!(sample.z instanceof Float64Array) || sample.z.length !== sample.n * d) {
    throw new ShapeError(`${fn}: sample.z must hold n×d = ${sample.n}×${d} values, got ${sample.z?.length}; pass a sample of this task`);
  }
  const n = sample.n;
  const core = normalRows(rng, n, dCore, task.normalize);
  const spur = new Float64Array(n * dSpurious);
  for (let i = 0; i < n; i++) spur.set(sample.z.subarray(i * d + dCore, (i + 1) * d), i * dSpurious);
  return concat(task, n, core, spur);
}
