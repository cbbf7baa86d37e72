/**
 * `featurelab run <experiment>`: builds the config (preset + --set), picks the backend, runs the experiment
 * with a progress bar, writes DIR/result.json atomically (DESIGN "Result files") and prints a summary table.
 * Ctrl-C (or SIGTERM) asks the experiment to stop after its current step; its checkpoint is saved, what it has
 * is still written, with a warning, and the command exits 130 (143). The output folder is created, checked and
 * locked (outputFolder.ts) first.
 * Checkpoints: DIR/checkpoint.json is saved every --checkpoint-every steps and at the end; a rerun with the
 * same DIR, experiment, config, seed and backend resumes from it. When the WebGPU device is lost mid-run, the
 * run continues on WASM from the last checkpoint and says so in the log and in result.json's warnings.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointPosition, listStages } from '../checkpoint/stages.js';
import { runWithDeviceFallback, type Fallback } from '../checkpoint/deviceFallback.js';
import { CheckpointError, ConfigError, FeaturelabError } from '../errors.js';
import { BACKEND_NAMES, getBackend, getInitReport, getRunBackend, init } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/types.js';
import { buildConfig, parseConfigText, parseWholeNumber } from '../experiments/config.js';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { resultFile } from '../experiments/resultFile.js';
import { trackedStop } from '../experiments/stopRequest.js';
import type { AnyExperiment, ConfigValue, ExperimentResult, Progress, SummaryValue } from '../experiments/types.js';
import { VERSION } from '../version.js';
import { nodeFileSource } from './nodeFiles.js';
import { ProgressBar, formatDuration } from './progress.js';
import { CHECKPOINT_FILE, CHECKPOINT_STAGES_DIR, backendArithmetic, fileCheckpointStore, type CheckpointHeader } from './checkpointFiles.js';
import { interruptCause, interruptedExitCode, interruptRequested, withInterrupt } from './interrupt.js';
import { lockOutputFolder, prepareOutputFolder } from './outputFolder.js';
import { removeStaleTemporaries, writeJsonAtomic } from './results.js';
import { wasmFmaOption } from './wasmFeatures.js';

/** Parsed flags of `run`. */
interface RunFlags {
  preset: string;
  backend?: BackendName;
  seed: number;
  out?: string;
  /** A JSON file of config values (applied after the preset, before --set). */
  config?: string;
  sets: string[];
  help: boolean;
  /** Steps between checkpoints (0: none). */
  checkpointEvery: number;
  /** Ignore and overwrite a checkpoint in --out. */
  fresh: boolean;
}

const FLAGS_HELP = `flags:
  --preset quick|paper   config preset (default quick; paper = the paper's settings)
  --backend webgpu|wasm|ref  backend (default: webgpu when an adapter exists, else wasm)
  --seed N               random seed (default 0)
  --out DIR              where result.json goes (default results/<experiment>-<time>)
  --config FILE.json     config values from a JSON object, e.g. {"lr": 0.01} (after the preset, before --set)
  --set key=value        change one config value (repeatable)
  --checkpoint-every N   save DIR/${CHECKPOINT_FILE} every N training steps and at the end (default 1000; 0: never).
                         Rerunning with the same --out resumes from it
  --fresh                start over even if --out holds a checkpoint (it is overwritten)`;

/** The value of a --backend flag, checked to name a backend (ConfigError otherwise). */
export function parseBackendFlag(text: string): BackendName {
  if (!BACKEND_NAMES.includes(text as BackendName)) throw new ConfigError(`--backend must be ${BACKEND_NAMES.join(', ')}, got '${text}'`);
  return text as BackendName;
}

/** Parses the flags after `run <experiment>`. */
export function parseRunFlags(args: string[]): RunFlags {
  const flags: RunFlags = { preset: 'quick', seed: 0, sets: [], help: false, checkpointEvery: 1000, fresh: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`${arg} needs a value\n${FLAGS_HELP}`);
      return v;
    };
    switch (arg) {
      case '--preset': flags.preset = value(); break;
      case '--backend': flags.backend = parseBackendFlag(value()); break;
      case '--seed': {
        const text = value();
        const s = parseWholeNumber(text);
        if (s === undefined) throw new ConfigError(`--seed must be a whole number from 0 to 2^53 − 1 written in decimal digits, got '${text}'`);
        flags.seed = s;
        break;
      }
      case '--out': flags.out = value(); break;
      case '--set': flags.sets.push(value()); break;
      case '--config': flags.config = value(); break;
      case '--checkpoint-every': {
        const n = parseWholeNumber(value());
        if (n === undefined) throw new ConfigError(`--checkpoint-every must be a non-negative integer (0: no checkpoints), got '${args[i]}'`);
        flags.checkpointEvery = n;
        break;
      }
      case '--fresh': flags.fresh = true; break;
      case '--help': case '-h': flags.help = true; break;
      default: throw new ConfigError(`unknown flag '${arg}'\n${FLAGS_HELP}`);
    }
  }
  return flags;
}

/** The help text of one experiment: description, presets and every config key with its default and preset values. */
export function experimentHelp(exp: AnyExperiment): string {
  const presets = Object.keys(exp.presets);
  const lines = [`featurelab run ${exp.name} [flags]`, '', exp.description, '', FLAGS_HELP, '', `presets: ${presets.join(', ')} (--preset; default quick)`, '',
    'config keys: the default, then each preset\'s value where it differs ([preset value; …]):'];
  const rows = Object.entries(exp.keys).map(([key, doc]) => {
    const overrides = presets.filter((p) => exp.presets[p]?.[key] !== undefined && exp.presets[p]![key] !== exp.defaults[key]).map((p) => `${p} ${String(exp.presets[p]![key])}`);
    const choices = doc.choices ? ` (${doc.choices.join('|')})` : '';
    const analysis = doc.analysisOnly ? ' [analysis only: a rerun into the same --out re-measures its checkpoint\'s models]' : '';
    return { key, value: String(exp.defaults[key]), presets: overrides.length ? `[${overrides.join('; ')}]` : '', text: `${doc.doc}${choices}${analysis}` };
  });
  // Columns as wide as their contents, up to a cap; a row whose cells pass the caps starts its text on the next line.
  const widths = [Math.max(...rows.map((r) => r.key.length)), Math.min(12, Math.max(...rows.map((r) => r.value.length))), Math.min(24, Math.max(...rows.map((r) => r.presets.length)))];
  const textColumn = 2 + widths.reduce((sum, w) => sum + w + 1, 0);
  for (const r of rows) {
    const head = `  ${r.key.padEnd(widths[0]!)} ${r.value.padEnd(widths[1]!)} ${r.presets.padEnd(widths[2]!)} `;
    lines.push(head.length > textColumn ? `${head.trimEnd()}\n${' '.repeat(textColumn)}${r.text}` : `${head}${r.text}`);
  }
  return lines.join('\n');
}

/** `featurelab list`: the experiments, one per line. */
export function listExperiments(): string {
  return EXPERIMENTS.map((e) => `  ${e.name.padEnd(NAME_COLUMN)} ${e.description}`).join('\n');
}

/** Width of the name column of `featurelab list` (the longest experiment name). */
export const NAME_COLUMN = Math.max(...EXPERIMENTS.map((e) => e.name.length));

/** Formats a summary value for the table. */
function show(v: SummaryValue): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(4) : v.toExponential(3);
  if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) return `${v.length} rows (printed above, and in result.json)`;
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'number' ? show(x) : String(x))).join(', ')}]`;
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k} ${typeof x === 'number' ? show(x) : String(x)}`).join(', ');
  return String(v);
}

/** The parsed JSON of a --config file (data only: JSON.parse, never evaluated); ConfigError when unreadable. */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--config ${path}: cannot read it (${e instanceof Error ? e.message : String(e)}); pass the path of a JSON file`);
  }
  return parseConfigText(text, path);
}

/**
 * Runs `featurelab run <name> …` for a suite or a sweep, where one failed run must not stop the others:
 * undefined when it succeeded, else what went wrong (the error, or the exit code).
 */
export async function runOrFailure(name: string, args: string[]): Promise<string | undefined> {
  try {
    const code = await runCommand(name, args);
    return code === 0 ? undefined : `exit code ${code}`;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** Runs `featurelab run <name> …`; returns the exit code. */
export async function runCommand(name: string | undefined, args: string[]): Promise<number> {
  const usage = `usage: featurelab run <experiment> [flags]   ('featurelab run <experiment> --help' lists its config keys)\nexperiments:\n${listExperiments()}`;
  if (name === '--help' || name === '-h') {
    console.log(usage);
    return 0;
  }
  if (!name || name.startsWith('-')) {
    console.error(usage);
    return 2;
  }
  const exp = findExperiment(name);
  const flags = parseRunFlags(args);
  if (flags.help) {
    console.log(experimentHelp(exp));
    return 0;
  }
  const config = buildConfig(exp, flags.preset, flags.sets, flags.config === undefined ? undefined : await readConfigFile(flags.config), flags.config);
  // WASM stays initialised beside WebGPU: it is where a run continues when the device is lost.
  await init({ prefer: flags.backend && flags.backend !== 'webgpu' ? [flags.backend] : ['webgpu', 'wasm'], wasmFma: wasmFmaOption(), log: (m) => console.error(m) });
  let backend: Backend = getBackend(flags.backend);
  if (!flags.backend) {
    // A CPU implementation of WebGPU is for correctness, not speed: on the CPU the WASM backend is the fast path.
    const chosen = getRunBackend();
    backend = chosen.backend;
    if (chosen.note) console.error(`${chosen.note}. Pass --backend webgpu to use WebGPU anyway.`);
  }
  const out = flags.out ?? `results/${exp.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  // The folder is checked and locked before any work, so a run cannot train and then fail to write.
  await prepareOutputFolder(out);
  const release = await lockOutputFolder(out);
  try {
    return await withInterrupt(() => runIn(out, exp, config, flags, backend));
  } finally {
    await release();
  }
}

/** The run itself, in the prepared and locked folder `out`; returns the exit code (130 when Ctrl-C stopped it, 143 when SIGTERM did). */
async function runIn(out: string, exp: AnyExperiment, config: Record<string, ConfigValue>, flags: RunFlags, chosen: Backend): Promise<number> {
  let backend = chosen;
  console.error(`featurelab ${VERSION}: ${exp.name} (preset ${flags.preset}, seed ${flags.seed}) on ${backend.name}: ${backend.description}`);
  await removeStaleTemporaries(out);
  await removeStaleTemporaries(join(out, CHECKPOINT_STAGES_DIR));
  const header: CheckpointHeader = { experiment: exp.name, config, seed: flags.seed, backend: backend.name, arithmetic: backendArithmetic(backend), version: VERSION };
  const every = flags.checkpointEvery;
  // Analysis-only keys may differ from the checkpoint's: its trained models are measured again.
  const analysis = {
    analysisKeys: Object.entries(exp.keys).filter(([, doc]) => doc.analysisOnly).map(([key]) => key),
    onAnalysisChange: (changes: string) => console.error(`re-measuring the checkpoint's trained models with other analysis keys (${changes})`),
  };
  const checkpoint = every > 0 ? fileCheckpointStore(out, header, every, { fresh: flags.fresh, ...analysis }) : undefined;
  const at = checkpointPosition(await checkpoint?.load());
  if (at) console.error(`resuming from ${at.current ? `step ${at.current.step} of '${at.current.label}'` : 'the finished stages'}${at.finished.length ? ` (finished: ${listStages(at.finished)})` : ''} (${out}/${CHECKPOINT_FILE}; --fresh starts over)`);
  const wasm = backend.name === 'webgpu' && getInitReport().available.includes('wasm') ? getBackend('wasm') : undefined;
  const fallback: Fallback | undefined = wasm ? {
    backend: wasm,
    checkpoint: every > 0 ? fileCheckpointStore(out, { ...header, backend: 'wasm', arithmetic: backendArithmetic(wasm) }, every, { acceptBackends: ['webgpu', 'wasm'], analysisKeys: analysis.analysisKeys }) : undefined,
  } : undefined;
  const bar = new ProgressBar(process.stderr, Boolean(process.stderr.isTTY));
  const stop = trackedStop(interruptRequested);
  const t0 = performance.now();
  const ctx = {
    backend, seed: flags.seed, files: nodeFileSource(), checkpoint,
    progress: (p: Progress) => bar.update(p),
    log: (m: string) => { bar.done(); console.error(m); },
    shouldStop: stop.shouldStop,
  };
  let done: { result: ExperimentResult; backend: Backend };
  try {
    done = fallback ? await runWithDeviceFallback(exp, config, ctx, fallback) : { result: await exp.run(config, ctx), backend };
  } catch (e) {
    // A resumed run that fails with a plain JS error (not one of ours) met a checkpoint it cannot use.
    if (at && !(e instanceof FeaturelabError)) {
      throw new CheckpointError(`the run failed while resuming from ${join(out, CHECKPOINT_FILE)} (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}): the checkpoint is damaged or was written by an incompatible version; pass --fresh to start over`);
    }
    throw e;
  }
  // A Ctrl-C after the run's last point where it could stop (its analysis) leaves a whole result.
  const stopped = stop.acted();
  const result = done.result;
  backend = done.backend;
  bar.done();
  const totalSeconds = (performance.now() - t0) / 1000;
  const file = resultFile({
    experiment: exp.name, config, seed: flags.seed, backend, totalSeconds, result, stoppedBy: stopped ? interruptCause() : undefined,
  });
  const path = await writeJsonAtomic(out, 'result.json', file);
  console.log(`\n${exp.name} summary (${formatDuration(totalSeconds)} on ${backend.name}):`);
  for (const [k, v] of Object.entries(result.summary)) console.log(`  ${k.padEnd(26)} ${show(v)}`);
  for (const w of file.warnings) console.log(`  warning: ${w}`);
  console.log(`wrote ${path}`);
  if (interruptRequested() && !stopped) console.error(`${interruptCause()} came after the run's last point where it could stop: it finished, and ${path} holds the whole result`);
  if (!stopped) return 0;
  // --fresh again would start over: the advice to resume leaves it out.
  const resume = flags.fresh ? 'rerun without --fresh to resume from the checkpoint' : 'rerun the same command to resume from the checkpoint';
  console.error(`stopped by ${interruptCause()}: ${path} holds what was measured until then${every > 0 ? `; ${resume}` : ' (no checkpoints: --checkpoint-every 0)'}`);
  return interruptedExitCode();
}
