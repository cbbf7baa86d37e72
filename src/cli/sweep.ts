/**
 * `featurelab sweep <sweep.json>` runs a sweep's runs (sweepPlan.ts) one after another, each in
 * OUT/[name/]<id>/ through `featurelab run … --config OUT/…/<id>/config.json`, skipping runs whose
 * result.json exists (a rerun finishes what is missing). `featurelab merge DIR… --out M` collects the runs
 * under the folders into M/merged.json: every run with its config, seed, summary and series, and a table per
 * group of runs that differ only in the seed (same backend; mean, standard deviation, standard error and sign
 * counts of each numeric summary value). A repeated (experiment, config, seed, backend) is left out with a warning: a seed counts once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigValue } from '../experiments/types.js';
import { VERSION } from '../version.js';
import { parseConfigText } from '../experiments/config.js';
import { insideOut } from './paths.js';
import { writeJsonAtomic } from './results.js';
import { interruptCause, interruptedExitCode, interruptRequested, withInterrupt } from './interrupt.js';
import { prepareOutputFolder } from './outputFolder.js';
import { findRunFolders } from './runFolders.js';
import { parseBackendFlag, runOrFailure } from './run.js';
import { canonicalJson } from '../canonicalJson.js';
import { groupBySeed, withoutRepeats, type SeedRun } from '../report/seedGroups.js';
import { autoShard, expandSweep, parseShard, parseSweepSpec, shardRuns, type SweepRun } from './sweepPlan.js';

const SWEEP_USAGE = `usage: featurelab sweep <sweep.json> [--shard i/n | --shard auto [--shards N]] [--out DIR] [--backend webgpu|wasm|ref] [--dry-run]
  runs the sweep's runs of this shard in DIR/[name/]<id>/ (default DIR: results/sweep); finished runs are skipped,
  runs stopped early (Ctrl-C) are resumed; Ctrl-C stops the run in progress and the sweep
  --shard auto reads SLURM_ARRAY_TASK_ID (Slurm job array) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with --shards N)`;
const MERGE_USAGE = `usage: featurelab merge <DIR>… --out M
  collects every result.json under the folders into M/merged.json, with mean ± std over seeds per config and backend,
  the standard error of each mean and how many seeds gave each sign
  (runs stopped early are listed but not averaged; a repeated config, seed and backend is left out)`;

/** What a sweep file looks like, for its not-JSON message. */
const SWEEP_FILE_HINT = 'a sweep file is one JSON object, e.g. {"experiment": "mlp", "preset": "quick", "seeds": [0, 1], "grid": {"hidden": [32, 64]}, "set": {"epochs": 1}}';
/** What merge expects of a run's result.json, for its not-JSON message. */
const RESULT_FILE_HINT = "a result.json is written by 'featurelab run'; rerun that run, or leave its folder out of the merge";

/** Reads and parses a JSON file (data only); ConfigError naming it when unreadable, or when not JSON (ending with `hint`). */
async function readJson(path: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseConfigText(text, path, hint);
}

/** Parsed flags of `sweep`. */
interface SweepFlags {
  shard: string;
  shards?: number;
  out: string;
  backend?: string;
  dryRun: boolean;
}

/** Parses the flags after `sweep <file>`. */
function parseSweepFlags(args: string[]): SweepFlags {
  const flags: SweepFlags = { shard: '0/1', out: 'results/sweep', dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`${arg} needs a value\n${SWEEP_USAGE}`);
      return v;
    };
    switch (arg) {
      case '--shard': flags.shard = value(); break;
      case '--shards': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--shards must be a positive integer, got '${args[i]}'`);
        flags.shards = n;
        break;
      }
      case '--out': flags.out = value(); break;
      case '--backend': flags.backend = parseBackendFlag(value()); break; // checked before any run starts
      case '--dry-run': flags.dryRun = true; break;
      default: throw new ConfigError(`unknown flag '${arg}'\n${SWEEP_USAGE}`);
    }
  }
  return flags;
}

/** Runs `featurelab sweep <file> …`; returns the exit code (1 when a run failed; the others still ran). */
export async function sweepCommand(file: string | undefined, args: string[]): Promise<number> {
  if (file === '--help' || file === '-h' || args.includes('--help') || args.includes('-h')) {
    console.log(SWEEP_USAGE);
    return 0;
  }
  if (!file || file.startsWith('--')) {
    console.error(`sweep: no sweep file given\n${SWEEP_USAGE}`);
    return 2;
  }
  const flags = parseSweepFlags(args);
  const spec = parseSweepSpec(await readJson(file, SWEEP_FILE_HINT), file);
  const runs = expandSweep(spec);
  const shard = flags.shard === 'auto' ? autoShard(process.env, flags.shards) : parseShard(flags.shard);
  const mine = shardRuns(runs, shard);
  if (!flags.dryRun) await prepareOutputFolder(flags.out);
  const root = spec.name ? await insideOut(flags.out, spec.name, `${file}: "name"`) : flags.out;
  console.error(`sweep ${file}: ${runs.length} runs; shard ${shard.index}/${shard.count} has ${mine.length}, in ${root}`);
  return withInterrupt(async () => {
    let failed = 0;
    let skipped = 0;
    let ran = 0;
    for (const run of mine) {
      const dir = await insideOut(root, run.id, 'run id');
      const label = `run ${run.index} (${run.id}, seed ${run.seed}${gridLabel(run, spec.grid)})`;
      const state = await runState(dir);
      if (state === 'finished') {
        skipped++;
        console.error(`${label}: done already, skipped`);
        continue;
      }
      if (flags.dryRun) {
        console.log(`${label}: would ${state === 'stopped' ? 'resume' : 'run'} in ${dir}`);
        continue;
      }
      const configPath = await writeJsonAtomic(dir, 'config.json', run.config);
      const runArgs = ['--preset', run.preset, '--seed', String(run.seed), '--out', dir, '--config', configPath];
      if (flags.backend) runArgs.push('--backend', flags.backend);
      console.error(`${label}: ${state === 'stopped' ? 'resuming (it was stopped early)' : 'running'}`);
      // One failed run must not stop the shard: report it, go on, and exit non-zero at the end.
      const error = await runOrFailure(run.experiment, runArgs);
      ran++;
      if (interruptRequested()) {
        console.error(`sweep: stopped by ${interruptCause()} during ${label}; its partial result is kept, and the same command resumes it and runs the rest`);
        return interruptedExitCode();
      }
      if (error !== undefined) {
        failed++;
        console.error(`${label}: FAILED: ${error}`);
      }
    }
    console.error(`sweep shard ${shard.index}/${shard.count}: ${flags.dryRun ? `${mine.length - skipped} to run (dry run)` : `${ran - failed} ran`}, ${skipped} skipped (done), ${failed} failed`);
    if (!flags.dryRun) console.error(`next: 'featurelab merge ${flags.out} --out M' (means over seeds), 'featurelab report ${flags.out}' (every run's plots in one page)`);
    return failed > 0 ? 1 : 0;
  });
}

/** Whether a run folder holds a finished run, one stopped early by the user (rerun to resume), or none. */
async function runState(dir: string): Promise<'finished' | 'stopped' | 'none'> {
  let text: string;
  try {
    text = await readFile(join(dir, 'result.json'), 'utf8');
  } catch {
    return 'none';
  }
  try {
    return (JSON.parse(text) as { stoppedBy?: unknown }).stoppedBy === undefined ? 'finished' : 'stopped';
  } catch {
    return 'none';  // written atomically, so unreadable only if edited by hand: run it again
  }
}

/** ", key=value…" for the grid keys of a run (for log lines). */
function gridLabel(run: SweepRun, grid: Record<string, ConfigValue[]>): string {
  return Object.keys(grid).sort().map((k) => `, ${k}=${String(run.config[k])}`).join('');
}

/** One run in a merged set. */
export interface MergedRun {
  /** The run's folder name (its id, for sweep runs). */
  id: string;
  path: string;
  experiment: string;
  seed: number;
  config: Record<string, ConfigValue>;
  backend: unknown;
  summary: Record<string, unknown>;
  series: Record<string, unknown>;
  details: Record<string, unknown>;
  /** Set when the run was stopped early (a partial result). */
  stoppedBy?: string;
}

/** Reads one run folder's result.json into a MergedRun; ConfigError naming the file when it is not a result file. */
async function readRun(dir: string): Promise<MergedRun> {
  const path = join(dir, 'result.json');
  const r = await readJson(path, RESULT_FILE_HINT) as Record<string, unknown>;
  if (r === null || typeof r !== 'object' || typeof r.experiment !== 'string' || typeof r.config !== 'object' || typeof r.summary !== 'object') {
    throw new ConfigError(`merge: ${path} is not a featurelab result file (expected experiment, config, summary); remove it or the folder`);
  }
  const id = dir.split(/[\\/]/).filter(Boolean).at(-1) ?? dir;
  return {
    id, path: dir, experiment: r.experiment, seed: Number(r.seed), config: r.config as Record<string, ConfigValue>, backend: r.backend,
    summary: r.summary as Record<string, unknown>, series: (r.series ?? {}) as Record<string, unknown>, details: (r.details ?? {}) as Record<string, unknown>,
    ...(typeof r.stoppedBy === 'string' ? { stoppedBy: r.stoppedBy } : {}),
  };
}

/** The name of the backend a run recorded (result.json's backend.name), or '' when it recorded none. */
function backendName(run: MergedRun): string {
  const b = run.backend as { name?: unknown } | null | undefined;
  return typeof b?.name === 'string' ? b.name : '';
}

/** What grouping by seed needs of a merged run (its backend's name read from result.json). */
function asSeedRun(r: MergedRun): SeedRun {
  return { experiment: r.experiment, config: r.config, seed: r.seed, backendName: backendName(r), summary: r.summary };
}

/** `runs` without repeats of the same (experiment, config, seed, backend); `dropped` says which folders were left out and why. */
export function withoutRepeatedRuns(runs: MergedRun[]): { runs: MergedRun[]; dropped: string[] } {
  const { kept, repeats } = withoutRepeats(runs, asSeedRun);
  const dropped = repeats.map(({ run: r, first }) => `${r.path} repeats ${first.path} (${r.experiment}, the same config, seed ${r.seed}, backend ${backendName(r) || 'not recorded'}): left out, so that the seed counts once`);
  return { runs: kept, dropped };
}

/** Runs `featurelab merge DIR… --out M`; returns the exit code. */
export async function mergeCommand(args: string[]): Promise<number> {
  const dirs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') {
      console.log(MERGE_USAGE);
      return 0;
    }
    if (args[i] === '--out') {
      out = args[++i];
      if (out === undefined || out.startsWith('--')) throw new ConfigError(`merge: --out needs a folder\n${MERGE_USAGE}`);
    } else if (args[i]!.startsWith('--')) throw new ConfigError(`merge: unknown flag '${args[i]}'\n${MERGE_USAGE}`);
    else dirs.push(args[i]!);
  }
  if (dirs.length === 0 || !out) {
    console.error(`merge: ${dirs.length === 0 ? 'no run or sweep folder given' : '--out M is missing (where merged.json goes)'}\n${MERGE_USAGE}`);
    return 2;
  }
  await prepareOutputFolder(out);
  const folders = [...new Set((await Promise.all(dirs.map((d) => findRunFolders(d, 'merge')))).flat())];
  if (folders.length === 0) throw new ConfigError(`merge: no result.json found in ${dirs.join(', ')} (nor one or two folders below); run 'featurelab sweep' or 'featurelab run' first`);
  // A folder given twice, or a copy of a run folder, would count its seed twice (in the means and in gde's fromMerged).
  const { runs, dropped } = withoutRepeatedRuns(await Promise.all(folders.map(readRun)));
  for (const d of dropped) console.error(`merge: ${d}`);
  // A run stopped early is a partial result: listed, but not averaged with finished runs.
  const stopped = runs.filter((r) => r.stoppedBy !== undefined);
  for (const r of stopped) console.error(`merge: ${r.path} was stopped early (${r.stoppedBy}); it is listed in merged.json but left out of the means. Rerun it to finish it`);
  const groups = groupBySeed(runs.filter((r) => r.stoppedBy === undefined).map(asSeedRun));
  const path = await writeJsonAtomic(out, 'merged.json', { version: VERSION, sources: dirs, runs, groups, ...(dropped.length ? { dropped } : {}) });
  for (const g of groups) {
    console.log(`${g.experiment} on ${g.backend || 'an unrecorded backend'} (${g.seeds.length} seed${g.seeds.length > 1 ? 's' : ''}: ${g.seeds.join(', ')}) ${canonicalJson(g.config)}`);
    for (const [k, s] of Object.entries(g.summary)) console.log(`  ${k.padEnd(26)} ${s.mean.toPrecision(5)} ± ${s.std.toPrecision(3)}${s.n > 1 ? ` (s.e. ${s.sem.toPrecision(2)}; > 0 in ${s.positive}, < 0 in ${s.negative} of ${s.n})` : ''}`);
  }
  console.log(`merged ${runs.length} runs into ${path}${stopped.length ? ` (${stopped.length} stopped early, not in the means)` : ''}${dropped.length ? ` (${dropped.length} repeated run${dropped.length > 1 ? 's' : ''} left out)` : ''}`);
  return 0;
}
