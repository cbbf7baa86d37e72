/** Pieces shared by the experiments: accuracy and a forward pass read back to the host. */
import { Tape, type Var } from '../autograd/tape.js';
import type { Backend, Mat } from '../backend/types.js';
import type { Model } from '../nn/model.js';
import type { ExperimentContext, ExperimentResult } from './types.js';

/** Index of the largest entry of each row of `logits` (count × classes; ties: the first). */
export function argmaxRows(logits: ArrayLike<number>, count: number, classes: number): Int32Array {
  const out = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction of rows of `logits` (count × classes) whose largest entry is at the label. */
export function accuracy(logits: Float32Array, labels: ArrayLike<number>, count: number, classes: number): number {
  const pred = argmaxRows(logits, count, classes);
  let right = 0;
  for (let r = 0; r < count; r++) if (pred[r] === labels[r]) right++;
  return right / count;
}

/** A forward computation of `model` on inputs x (default: its logits), read back. */
export async function forwardOf<M extends Model>(
  backend: Backend, model: M, x: Mat,
  build: (tape: Tape, p: Record<string, Var>, x: Var) => Var = (tape, p, xv) => model.forward(tape, p, xv),
): Promise<Float32Array> {
  const tape = new Tape(backend);
  try {
    return await backend.read(build(tape, model.params.onTape(tape), tape.input(x)).value);
  } finally {
    tape.dispose();
  }
}

/** The model's logits on inputs x, read back. */
export function logitsOf(backend: Backend, model: Model, x: Mat): Promise<Float32Array> {
  return forwardOf(backend, model, x);
}

/** Transposes a rows×cols row-major array. */
export function transposed(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** Passes the latest sample of every series except the x axis `xKey` to `ctx.series` (live plots), at x = its last value. */
export function emitLatest(ctx: ExperimentContext, series: Record<string, (number | null)[]>, xKey: string): void {
  if (!ctx.series) return;
  const x = series[xKey]?.at(-1);
  if (x === undefined || x === null) return;
  for (const [name, values] of Object.entries(series)) {
    const v = values.at(-1);
    if (name !== xKey && v !== undefined && v !== null) ctx.series(name, x, v);
  }
}

/** `ctx` whose live series names get `prefix` (camelCase: loss → reluLoss), for a second run whose series are renamed so in the result. */
export function prefixedSeries(ctx: ExperimentContext, prefix: string): ExperimentContext {
  const { series } = ctx;
  return series ? { ...ctx, series: (name, step, value) => series(`${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`, step, value) } : ctx;
}

/** `v`, or null where it is not a finite number: a value a measurement does not define, as result.json writes it (no NaN warning). */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * The result of an ensemble experiment stopped (Ctrl-C, Stop) before it had the `needed` models its statistics
 * take: the model count and a warning, so that the run still ends as a stopped run (a partial result.json, exit
 * 130) and the same command resumes it, instead of failing.
 */
export function stoppedTooEarly(experiment: string, models: number, needed: number, planned: number, seconds: number): ExperimentResult {
  return {
    summary: { models },
    series: {},
    timings: { seconds },
    warnings: [`${experiment}: stopped after ${models} of ${planned} models, before the ${needed} its statistics need; rerun the same command to resume`],
  };
}

/**
 * The warning for a margin analysis whose network (`what`) did not fit its training set — training accuracy below 1
 * or a normalized margin ≤ 0 — or none. Such a network is not near a max-margin solution: marginRatio and the
 * features measured say nothing about one.
 */
export function fitWarnings(what: string, trainAccuracy: number, margin: number): string[] {
  if (trainAccuracy >= 1 && margin > 0) return [];
  return [`${what} did not fit its training set (trainAccuracy ${trainAccuracy.toFixed(4)}, normalized margin ${margin.toPrecision(3)}${margin <= 0 ? ' ≤ 0' : ''}): `
    + 'it is not near a max-margin solution, so marginRatio and the features measured do not describe one; train longer (steps), or raise width or lr'];
}

/** The warning for a width below `needed`, the neurons the max-margin solution takes (`rule`, e.g. '4(p − 1)'), or none. */
export function widthWarnings(width: number, needed: number, rule: string): string[] {
  if (width >= needed) return [];
  return [`width ${width} is below ${rule} = ${needed}, the neurons the max-margin solution needs: marginRatio cannot reach 1 and the features need not be the predicted ones; raise width to at least ${needed}`];
}
