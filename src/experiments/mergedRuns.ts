/**
 * Models from a merged set of runs (`featurelab merge` → merged.json) as ensemble members: each `mlp` run
 * made with keepPredictions = true carries its test-set softmax and labels in details, which is all GDE
 * needs, so models trained by a sweep on many machines form one ensemble. Runs made with keepActivations = true
 * also carry their last hidden layer's activations on the first test images (exact f32 bytes), which is what
 * the interaction tensor needs. The file is read through the FileSource and parsed with JSON.parse (data, never
 * evaluated); a malformed file is a DataFormatError naming it, runs that cannot form one tensor a ConfigError.
 */
import { unpackExact } from '../checkpoint/codec.js';
import type { FileSource } from '../data/files.js';
import { ConfigError, DataFormatError } from '../errors.js';
import { argmaxRows } from './common.js';
import type { EnsembleMember } from './ensemble.js';

/** The members and the test labels they were evaluated on. */
export interface MergedEnsemble {
  members: EnsembleMember[];
  labels: Int32Array;
  /** Run ids (folder names), in member order. */
  ids: string[];
}

/** A run as merged.json holds it (only the parts read here). */
type MergedRun = { id?: unknown; summary?: Record<string, unknown>; details?: Record<string, unknown> };

/** The runs of merged.json at `path`. */
async function readMergedRuns(files: FileSource, path: string): Promise<MergedRun[]> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await files.read(path)));
  } catch (e) {
    throw new DataFormatError(`${path}: cannot read it as JSON (${e instanceof Error ? e.message : String(e)}); pass the merged.json written by 'featurelab merge'`);
  }
  const runs = (json as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) throw new DataFormatError(`${path}: no "runs" list; pass the merged.json written by 'featurelab merge'`);
  return runs as MergedRun[];
}

/** The run's member (softmax, predictions) and test labels, or null when it did not keep its predictions. */
function memberOf(run: MergedRun, path: string, classes: number): { member: EnsembleMember; labels: Int32Array } | null {
  const softmax = run?.details?.testSoftmax;
  const y = run?.details?.testLabels;
  if (!Array.isArray(softmax) || !Array.isArray(y)) return null;
  const n = y.length;
  if (n === 0 || softmax.length !== n * classes || !softmax.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
    throw new DataFormatError(`${path}: run ${String(run.id)} has ${softmax.length} softmax values for ${n} test labels; expected ${n} × ${classes} probabilities`);
  }
  if (!y.every((c) => Number.isInteger(c) && c >= 0 && c < classes)) throw new DataFormatError(`${path}: run ${String(run.id)} has test labels outside 0 … ${classes - 1}`);
  const probs = Float64Array.from(softmax as number[]);
  const numberOr = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  return {
    // argmax of the f64 softmax: the logits' argmax (exp keeps every f32 order), without rounding to f32 first.
    member: { predictions: argmaxRows(probs, n, classes), softmax: probs, trainAccuracy: numberOr(run.summary?.trainAccuracy, NaN), epochs: numberOr(run.summary?.epochs, NaN) },
    labels: Int32Array.from(y as number[]),
  };
}

/** True when a and b hold the same labels. */
function sameLabels(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Reads `path` (merged.json) and returns the models that kept their test-set predictions. */
export async function loadMergedEnsemble(files: FileSource, path: string, classes: number): Promise<MergedEnsemble> {
  const members: EnsembleMember[] = [];
  const ids: string[] = [];
  let labels: Int32Array | null = null;
  for (const run of await readMergedRuns(files, path)) {
    const got = memberOf(run, path, classes);
    if (!got) continue; // not a model that kept its predictions
    if (labels && !sameLabels(labels, got.labels)) {
      throw new DataFormatError(`${path}: run ${String(run.id)} was evaluated on other test points than the first model; merge runs of the same dataset and limit`);
    }
    labels = got.labels;
    members.push(got.member);
    ids.push(String(run.id));
  }
  if (members.length < 2 || !labels) {
    throw new DataFormatError(`${path}: ${members.length} run(s) kept their test predictions; GDE needs at least 2 — run the mlp experiment with keepPredictions=true (e.g. a sweep over seeds) and merge the runs`);
  }
  return { members, labels, ids };
}

/** Models of a merged set with their activations on the same test points. */
export interface MergedActivations extends MergedEnsemble {
  /** Hidden width d of every model (members' `hidden` is points × d). */
  width: number;
}

/**
 * Reads `path` (merged.json) and returns the models that kept their activations (mlp keepActivations=true),
 * each with softmax, predictions and activations on the same first test points; ConfigError naming the run
 * when a run's test points or hidden width differ from the first such run's.
 */
export async function loadMergedActivations(files: FileSource, path: string, classes: number): Promise<MergedActivations> {
  const members: EnsembleMember[] = [];
  const ids: string[] = [];
  let first: { id: string; n: number; width: number; points: unknown; labels: Int32Array } | null = null;
  for (const run of await readMergedRuns(files, path)) {
    const d = run?.details;
    if (d?.testActivations === undefined) continue; // not a run that kept its activations
    const id = String(run.id);
    const got = memberOf(run, path, classes);
    const { activationsTestSize: n, hiddenWidth: width } = d;
    if (!got || !Number.isInteger(n) || !Number.isInteger(width) || (n as number) < 1 || (n as number) > got.labels.length || (width as number) < 1) {
      throw new DataFormatError(`${path}: run ${id} has testActivations without its test softmax and labels, activationsTestSize and hiddenWidth; rerun it with the mlp experiment's keepActivations=true`);
    }
    let hidden: unknown;
    try {
      hidden = unpackExact(d.testActivations);
    } catch (e) {
      throw new DataFormatError(`${path}: run ${id} has unreadable testActivations (${e instanceof Error ? e.message : String(e)}); rerun it with keepActivations=true`);
    }
    if (!(hidden instanceof Float32Array) || hidden.length !== (n as number) * (width as number)) {
      throw new DataFormatError(`${path}: run ${id} has testActivations that are not ${String(n)} × ${String(width)} f32 values; rerun it with keepActivations=true`);
    }
    const labels = got.labels.subarray(0, n as number);
    if (first && (first.n !== n || first.points !== d.activationsTestPoints || !sameLabels(first.labels, labels))) {
      throw new ConfigError(`${path}: run ${id} kept its activations on other test points (${String(n)} images, fingerprint ${String(d.activationsTestPoints)}) than run ${first.id} (${first.n}, ${String(first.points)}); merge runs of the same dataset and activationsTestSize`);
    }
    if (first && first.width !== width) {
      throw new ConfigError(`${path}: run ${id} has hidden width ${String(width)} but run ${first.id} has ${first.width}; the tensor needs one width — merge runs of the same hidden size`);
    }
    first ??= { id, n: n as number, width: width as number, points: d.activationsTestPoints, labels };
    const k = classes * (n as number);
    members.push({ ...got.member, predictions: got.member.predictions.slice(0, n as number), softmax: got.member.softmax.slice(0, k), hidden });
    ids.push(id);
  }
  // Three models at least: the correlation of shared features with agreement needs two pairs.
  if (members.length < 3 || !first) {
    throw new DataFormatError(`${path}: ${members.length} run(s) kept their activations; the interaction tensor needs at least 3 — run the mlp experiment with keepActivations=true (e.g. a sweep over seeds) and merge the runs`);
  }
  return { members, labels: first.labels, ids, width: first.width };
}
