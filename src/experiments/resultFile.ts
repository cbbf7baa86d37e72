/**
 * The object written as result.json (DESIGN "Result files"), built the same way by the CLI and the web page:
 * experiment, version, config, seed, backend, timings, summary, series, warnings, details, and stoppedBy when
 * the user stopped the run (a sweep reruns such a run, merge leaves it out of its means). NaN and
 * infinities become null, noted in `warnings` (one line per number, or per array of them; JSON has no NaN). Pure: no file system, no DOM.
 */
import { describeValue } from '../validate.js';
import { ArgumentError } from '../errors.js';
import { VERSION } from '../version.js';
import type { ConfigValue, ExperimentResult } from './types.js';

/** A non-finite number jsonSafe replaced: where (e.g. 'series.loss[3]') and what it was. */
export interface ReplacedNumber {
  path: string;
  value: number;
}

/** Replaces non-finite numbers by null, recording each in `replaced`. */
export function jsonSafe(value: unknown, path = '', replaced: ReplacedNumber[] = []): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    replaced.push({ path: path || '(root)', value });
    return null;
  }
  if (Array.isArray(value)) return value.map((v, i) => jsonSafe(v, `${path}[${i}]`, replaced));
  // Every typed array (Int32Array predictions too) is a JSON array, not an object keyed by index.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v, i) => jsonSafe(typeof v === 'bigint' ? Number(v) : v, `${path}[${i}]`, replaced));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v, path ? `${path}.${k}` : k, replaced);
    return out;
  }
  return value;
}

/** The contents of result.json (JSON-safe: no NaN or infinities). */
export interface ResultFile {
  experiment: string;
  version: string;
  config: Record<string, ConfigValue>;
  seed: number;
  backend: { name: string; description: string };
  timings: Record<string, number | null>;
  summary: ExperimentResult['summary'];
  series: Record<string, (number | null)[]>;
  warnings: string[];
  details: Record<string, unknown>;
  /** Present only when the user stopped the run early (how: "Ctrl-C", "the Stop button"): a partial result. */
  stoppedBy?: string;
}

/** What a run of one experiment produced, and how it was run. */
export interface RunRecord {
  experiment: string;
  config: Record<string, ConfigValue>;
  seed: number;
  backend: { name: string; description: string };
  totalSeconds: number;
  result: ExperimentResult;
  /** Set when the user stopped the run: how (e.g. "Ctrl-C", "the Stop button"); adds a warning. */
  stoppedBy?: string;
}

/** Builds the result.json object of a run; non-finite numbers become null, with a warning per number or per array of them. */
export function resultFile(run: RunRecord): ResultFile {
  if (run === null || typeof run !== 'object' || run.result === null || typeof run.result !== 'object' || !Array.isArray(run.result.warnings)
    || run.backend === null || typeof run.backend !== 'object' || typeof run.experiment !== 'string') {
    throw new ArgumentError(`resultFile: pass { experiment, config, seed, backend, totalSeconds, result } with result the object an experiment's run() returned; got ${describeValue(run)}`);
  }
  const { result } = run;
  const warnings = [...result.warnings];
  if (run.stoppedBy) warnings.push(`stopped early by the user (${run.stoppedBy}): the series end where the run stopped`);
  const replaced: ReplacedNumber[] = [];
  const file = jsonSafe({
    experiment: run.experiment, version: VERSION, config: run.config, seed: run.seed,
    backend: { name: run.backend.name, description: run.backend.description },
    timings: { totalSeconds: run.totalSeconds, ...result.timings },
    summary: result.summary, series: result.series, warnings, details: result.details ?? {},
    ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
  }, '', replaced) as ResultFile;
  file.warnings.push(...nullWarnings(replaced));
  return file;
}

/**
 * One warning per replaced number, except that the entries of one array (or of one key across the items of an
 * array) share one warning: a collapsed model can leave dozens of NaN in a series, and a line for each buries the rest.
 */
function nullWarnings(replaced: ReplacedNumber[]): string[] {
  const groups = new Map<string, ReplacedNumber[]>();
  for (const r of replaced) {
    const key = r.path.replace(/\[\d+\]/g, '[i]');
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, g]) => {
    if (g.length === 1) return `non-finite number written as null: ${g[0]!.path} was ${String(g[0]!.value)}`;
    const indices = g.map((r) => (r.path.match(/\[\d+\]/g) ?? []).join(''));
    const shown = indices.slice(0, 6).join(', ') + (indices.length > 6 ? ', …' : '');
    return `non-finite numbers written as null: ${key} at ${g.length} indices (${shown}) were ${[...new Set(g.map((r) => String(r.value)))].join(' or ')}`;
  });
}
