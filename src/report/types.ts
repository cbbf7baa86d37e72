/**
 * The files a report reads (DESIGN "Result files"): one run's result.json and a suite's suite.json, with
 * checks that turn a malformed file into a ResultFileError naming the file and the bad field.
 */
import { ResultFileError } from '../errors.js';

/** One run's result.json as written by `featurelab run` (NaN written as null). */
export interface ResultFile {
  experiment: string;
  version: string;
  config: Record<string, unknown>;
  seed: number;
  backend: { name: string; description: string };
  timings: Record<string, number | null>;
  summary: Record<string, unknown>;
  series: Record<string, (number | null)[]>;
  warnings: string[];
  details?: Record<string, unknown>;
  /** Present when the user stopped the run early (how): its numbers are partial. */
  stoppedBy?: string;
}

/** One entry of a suite: the experiment, its folder (relative to the suite's), its time and status. */
export interface SuiteRun {
  experiment: string;
  dir: string;
  seconds: number;
  /** stopped: Ctrl-C ended it early (its result.json is partial); the suite started nothing after it. */
  status: 'ok' | 'failed' | 'skipped' | 'stopped';
  error?: string;
  /** Why the run differs from the suite's plan (e.g. synthetic data for want of Fashion-MNIST, or why it was skipped). */
  note?: string;
}

/** A suite's suite.json: the runs of one preset and seed on one backend. */
export interface SuiteFile {
  suite: true;
  version: string;
  preset: string;
  seed: number;
  backend: { name: string; description: string };
  runs: SuiteRun[];
}

/** Is v a plain object (not an array, not null)? */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks parsed JSON against the result.json contract; `source` names the file in errors. */
export function parseResultFile(json: unknown, source: string): ResultFile {
  const bad = (what: string): never => {
    throw new ResultFileError(`${source}: ${what}; a result.json written by 'featurelab run' has experiment, version, config, seed, backend, timings, summary, series and warnings (rerun the experiment to rewrite it)`);
  };
  if (!isObject(json)) return bad('the file is not a JSON object');
  if (typeof json.experiment !== 'string' || json.experiment === '') bad('"experiment" must be a non-empty string');
  for (const key of ['config', 'timings', 'summary', 'series'] as const) if (!isObject(json[key])) bad(`"${key}" must be an object`);
  // Absent in a hand-made file is fine; another type would be dropped silently (a string of warnings went unseen).
  if (json.warnings !== undefined && !Array.isArray(json.warnings)) bad('"warnings" must be an array of strings');
  if (!isObject(json.backend) || typeof json.backend.name !== 'string') bad('"backend" must be an object with a name');
  if (json.details !== undefined && !isObject(json.details)) bad('"details" must be an object when present');
  for (const [name, values] of Object.entries(json.series as Record<string, unknown>)) {
    if (!Array.isArray(values) || values.some((v) => v !== null && typeof v !== 'number')) bad(`series "${name}" must be an array of numbers (null for NaN)`);
  }
  const backend = json.backend as Record<string, unknown>;
  return {
    experiment: json.experiment as string,
    version: typeof json.version === 'string' ? json.version : '?',
    config: json.config as Record<string, unknown>,
    seed: typeof json.seed === 'number' ? json.seed : NaN,
    backend: { name: backend.name as string, description: typeof backend.description === 'string' ? backend.description : '' },
    timings: json.timings as Record<string, number | null>,
    summary: json.summary as Record<string, unknown>,
    series: json.series as Record<string, (number | null)[]>,
    warnings: Array.isArray(json.warnings) ? json.warnings.map(String) : [],
    ...(json.details !== undefined ? { details: json.details as Record<string, unknown> } : {}),
    ...(typeof json.stoppedBy === 'string' ? { stoppedBy: json.stoppedBy } : {}),
  };
}

/** Checks parsed JSON against the suite.json contract; `source` names the file in errors. */
export function parseSuiteFile(json: unknown, source: string): SuiteFile {
  const bad = (what: string): never => {
    throw new ResultFileError(`${source}: ${what}; suite.json must be { "suite": true, version, preset, seed, backend: { name, description }, runs: [{ experiment, dir, seconds, status: "ok" | "failed" | "skipped" | "stopped", error?, note? }] }`);
  };
  if (!isObject(json) || json.suite !== true) return bad('"suite" must be true');
  if (!Array.isArray(json.runs)) return bad('"runs" must be an array');
  const runs = json.runs.map((r: unknown, i): SuiteRun => {
    if (!isObject(r) || typeof r.experiment !== 'string' || typeof r.dir !== 'string') return bad(`runs[${i}] needs the strings "experiment" and "dir"`);
    if (r.status !== 'ok' && r.status !== 'failed' && r.status !== 'skipped' && r.status !== 'stopped') return bad(`runs[${i}].status must be "ok", "failed", "skipped" or "stopped", got ${JSON.stringify(r.status)}`);
    return { experiment: r.experiment, dir: r.dir, seconds: typeof r.seconds === 'number' ? r.seconds : NaN, status: r.status, ...(typeof r.error === 'string' ? { error: r.error } : {}), ...(typeof r.note === 'string' ? { note: r.note } : {}) };
  });
  const backend = isObject(json.backend) ? json.backend : {};
  return {
    suite: true,
    version: typeof json.version === 'string' ? json.version : '?',
    preset: typeof json.preset === 'string' ? json.preset : '?',
    seed: typeof json.seed === 'number' ? json.seed : NaN,
    backend: { name: String(backend.name ?? '?'), description: String(backend.description ?? '') },
    runs,
  };
}
