/**
 * Models from a merged set of runs (`featurelab merge` → merged.json) as ensemble members: each `mlp` run
 * made with keepPredictions = true carries its test-set softmax and labels in details, which is all GDE
 * needs, so models trained by a sweep on many machines form one ensemble. The file is read through the
 * FileSource and parsed with JSON.parse (data, never evaluated); every fault is a DataFormatError naming it.
 */
import type { FileSource } from '../data/files.js';
import { DataFormatError } from '../errors.js';
import { argmaxRows } from './common.js';
import type { EnsembleMember } from './ensemble.js';

/** The members and the test labels they were evaluated on. */
export interface MergedEnsemble {
  members: EnsembleMember[];
  labels: Int32Array;
  /** Run ids (folder names), in member order. */
  ids: string[];
}

/** Reads `path` (merged.json) and returns the models that kept their test-set predictions. */
export async function loadMergedEnsemble(files: FileSource, path: string, classes: number): Promise<MergedEnsemble> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await files.read(path)));
  } catch (e) {
    throw new DataFormatError(`${path}: cannot read it as JSON (${e instanceof Error ? e.message : String(e)}); pass the merged.json written by 'featurelab merge'`);
  }
  const runs = (json as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) throw new DataFormatError(`${path}: no "runs" list; pass the merged.json written by 'featurelab merge'`);
  const members: EnsembleMember[] = [];
  const ids: string[] = [];
  let labels: Int32Array | null = null;
  for (const run of runs as { id?: unknown; summary?: Record<string, unknown>; details?: Record<string, unknown> }[]) {
    const softmax = run?.details?.testSoftmax;
    const y = run?.details?.testLabels;
    if (!Array.isArray(softmax) || !Array.isArray(y)) continue; // not a model that kept its predictions
    const n = y.length;
    if (n === 0 || softmax.length !== n * classes || !softmax.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new DataFormatError(`${path}: run ${String(run.id)} has ${softmax.length} softmax values for ${n} test labels; expected ${n} × ${classes} probabilities`);
    }
    if (!y.every((c) => Number.isInteger(c) && c >= 0 && c < classes)) throw new DataFormatError(`${path}: run ${String(run.id)} has test labels outside 0 … ${classes - 1}`);
    const runLabels = Int32Array.from(y as number[]);
    if (labels && (labels.length !== n || labels.some((c, i) => c !== runLabels[i]))) {
      throw new DataFormatError(`${path}: run ${String(run.id)} was evaluated on other test points than the first model; merge runs of the same dataset and limit`);
    }
    labels = runLabels;
    const probs = Float64Array.from(softmax as number[]);
    const numberOr = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
    members.push({
      predictions: argmaxRows(Float32Array.from(probs), n, classes), softmax: probs,
      trainAccuracy: numberOr(run.summary?.trainAccuracy, NaN), epochs: numberOr(run.summary?.epochs, NaN),
    });
    ids.push(String(run.id));
  }
  if (members.length < 2 || !labels) {
    throw new DataFormatError(`${path}: ${members.length} run(s) kept their test predictions; GDE needs at least 2 — run the mlp experiment with keepPredictions=true (e.g. a sweep over seeds) and merge the runs`);
  }
  return { members, labels, ids };
}
