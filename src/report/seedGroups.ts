/**
 * Runs that differ only in the seed, grouped (same experiment, config and backend: backends agree only within
 * tolerance, so they are not mixed), with statistics over the seeds of each numeric summary value: what
 * `featurelab merge` writes and a report of many runs shows, to tell whether a number, and its sign, holds across seeds.
 */
import { canonicalJson } from '../canonicalJson.js';

/** Statistics over seeds of one summary value: mean, sample standard deviation, standard error of the mean, signs. */
export interface SeedStats {
  mean: number;
  std: number;
  /** Standard error of the mean, std / √n (0 with one seed). */
  sem: number;
  n: number;
  /** How many seeds gave a value above 0 and below 0: whether a sign holds across seeds. */
  positive: number;
  negative: number;
}

/** What grouping needs of a run. */
export interface SeedRun {
  experiment: string;
  config: Record<string, unknown>;
  seed: number;
  /** The backend's name ('' when the run recorded none). */
  backendName: string;
  summary: Record<string, unknown>;
}

/** One group: runs of one experiment, config and backend, and SeedStats per summary key. */
export interface SeedGroup {
  experiment: string;
  config: Record<string, unknown>;
  backend: string;
  seeds: number[];
  summary: Record<string, SeedStats>;
}

/**
 * `runs` without repeats of the same (experiment, config, seed, backend), which would count one measurement twice in
 * a mean: the first of each (in the given order) is kept; `repeats` pairs each left-out run with the one kept.
 */
export function withoutRepeats<T>(runs: readonly T[], asSeedRun: (run: T) => SeedRun): { kept: T[]; repeats: { run: T; first: T }[] } {
  const first = new Map<string, T>();
  const repeats: { run: T; first: T }[] = [];
  for (const run of runs) {
    const r = asSeedRun(run);
    const key = canonicalJson({ e: r.experiment, c: r.config, s: r.seed, b: r.backendName });
    const kept = first.get(key);
    if (kept !== undefined) repeats.push({ run, first: kept });
    else first.set(key, run);
  }
  return { kept: [...first.values()], repeats };
}

/** SeedStats of the finite numbers in `xs`, or null when there are none. */
export function seedStats(xs: unknown[]): SeedStats | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, sem: std / Math.sqrt(v.length), n: v.length, positive: v.filter((x) => x > 0).length, negative: v.filter((x) => x < 0).length };
}

/** A plain object (not an array, not null). */
function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The groups of `runs` that differ only in the seed, seeds ascending: SeedStats for each numeric summary key, and for
 * each numeric entry of a summary object one level down (`merged.gap`); strings and arrays (sweep rows) are left out.
 */
export function groupBySeed(runs: SeedRun[]): SeedGroup[] {
  const groups = new Map<string, SeedRun[]>();
  for (const r of runs) {
    const key = canonicalJson({ e: r.experiment, c: r.config, b: r.backendName });
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((unsorted) => {
    const members = [...unsorted].sort((x, y) => x.seed - y.seed);
    const summary: Record<string, SeedStats> = {};
    for (const [key, first] of Object.entries(members[0]!.summary)) {
      const paths = isRecord(first) ? Object.keys(first).map((sub) => [key, sub]) : [[key]];
      for (const path of paths) {
        const stats = seedStats(members.map((m) => path.reduce<unknown>((v, p) => (isRecord(v) ? v[p] : undefined), m.summary)));
        if (stats) summary[path.join('.')] = stats;
      }
    }
    return { experiment: members[0]!.experiment, config: members[0]!.config, backend: members[0]!.backendName, seeds: members.map((m) => m.seed), summary };
  });
}
