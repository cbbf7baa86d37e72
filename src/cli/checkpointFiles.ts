/**
 * The CLI's checkpoint store: DIR/checkpoint.json, written atomically (results.ts) with a header naming the
 * experiment, config, seed and backend (with its arithmetic: the WASM FMA build gives other bits than the
 * strict one) it belongs to. A run resumes only from a checkpoint of the same run; any other, or one whose
 * header is incomplete, is refused with a CheckpointError that says how to start afresh.
 *
 * Finished stages (stages.ts: { stages: { label: result }, current? }) never change, so each is written once
 * to its own file in DIR/checkpoint-stages/, named by a hash of its text (checked when read back: a damaged
 * file is refused, never resumed), and checkpoint.json refers to it.
 * Without that split every save rewrote every finished ensemble member's kept activations: disk writes grew
 * with the square of the member count. A stage file is written before the checkpoint that names it, so a
 * kill between the two leaves an unreferenced file, which the next run's first save deletes.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointValue } from '../checkpoint/codec.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { CheckpointError } from '../errors.js';
import type { ConfigValue } from '../experiments/types.js';
import { writeTextAtomic } from './results.js';
import { fnv1a64 } from './sweepPlan.js';

/** The checkpoint file's name inside the output folder. */
export const CHECKPOINT_FILE = 'checkpoint.json';
/** The folder (inside the output folder) of the finished stages' files. */
export const CHECKPOINT_STAGES_DIR = 'checkpoint-stages';
// The key of a finished stage's reference in checkpoint.json: { [STAGE_FILE]: name }.
const STAGE_FILE = '$stageFile';

/** The file name of stage `label` with text `text`: the label made safe for file names, and the text's hash. */
function stageFileName(label: string, text: string): string {
  return `${label.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}-${fnv1a64(text)}.json`;
}

/** The hash part of a stage file's name (stageFileName), or undefined when the name has none. */
function stageFileHash(name: string): string | undefined {
  return /-([0-9a-f]{16})\.json$/.exec(name)?.[1];
}

/**
 * What a checkpoint belongs to. `arithmetic` is what fixes the bits the backend computes beyond its name
 * (backendArithmetic); a header without it, from before it was recorded, is resumed only by a run without it.
 */
export type CheckpointHeader = { experiment: string; config: Record<string, ConfigValue>; seed: number; backend: string; version: string; arithmetic?: string };

/**
 * What fixes the bits `backend` computes beyond its name: for WASM the kernel build its description starts
 * with ('SIMD f32x4 + relaxed FMA', 'SIMD f32x4' or 'scalar'), not the thread count, which changes no bits;
 * '' for the others (ref computes in f64 everywhere; WebGPU promises agreement within tolerance, not bits).
 */
export function backendArithmetic(backend: { name: string; description: string }): string {
  if (backend.name !== 'wasm') return '';
  return /^wasm \(([^,)]*)/.exec(backend.description)?.[1]?.trim() ?? backend.description;
}

/** How to get back the arithmetic `saved` from a run whose arithmetic is `want` (the WASM FMA switch), for a message. */
function arithmeticHint(saved: string, want: string): string {
  if (saved.includes('FMA') && !want.includes('FMA')) return 'rerun without FEATURELAB_WASM_FMA=0, on a Node with relaxed SIMD (≥ 22), to resume it';
  if (!saved.includes('FMA') && want.includes('FMA')) return 'rerun with FEATURELAB_WASM_FMA=0 to resume it';
  return 'rerun where the backend matches to resume it';
}

/** The field of a checkpoint header that is missing or of the wrong type, or null when the header is whole. */
function badHeaderField(h: unknown): string | null {
  if (h === null || typeof h !== 'object' || Array.isArray(h)) return 'header (an object)';
  const o = h as Record<string, unknown>;
  for (const k of ['experiment', 'backend', 'version'] as const) if (typeof o[k] !== 'string') return `header.${k} (a string)`;
  if (!Number.isSafeInteger(o.seed)) return 'header.seed (a whole number)';
  if (o.arithmetic !== undefined && typeof o.arithmetic !== 'string') return 'header.arithmetic (a string)';
  const c = o.config;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return 'header.config (an object)';
  for (const [k, v] of Object.entries(c)) if (!['number', 'boolean', 'string'].includes(typeof v)) return `header.config.${k} (a number, boolean or string)`;
  return null;
}

/** The config as text with sorted keys, for comparing configs. */
function configKey(config: Record<string, ConfigValue>): string {
  return JSON.stringify(Object.keys(config).sort().map((k) => [k, config[k]]));
}

/** The keys whose values differ between two configs, as 'key: a there, b here'. */
function differences(saved: Record<string, ConfigValue>, want: Record<string, ConfigValue>, keys: string[]): string {
  return keys.map((k) => `${k}: ${String(saved[k])} there, ${String(want[k])} here`).join('; ');
}

/** `config` without the keys in `drop`. */
function without(config: Record<string, ConfigValue>, drop: readonly string[]): Record<string, ConfigValue> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !drop.includes(k)));
}

/**
 * Why `saved` does not belong to the run `want` (accepting checkpoints of the backends `backends`), or null.
 * Keys in `analysisKeys` may differ: they change only what is measured on the trained models.
 */
function mismatch(saved: CheckpointHeader, want: CheckpointHeader, backends: string[], analysisKeys: readonly string[]): string | null {
  if (saved.experiment !== want.experiment) return `experiment '${saved.experiment}', not '${want.experiment}'`;
  const savedTraining = without(saved.config, analysisKeys);
  const wantTraining = without(want.config, analysisKeys);
  if (configKey(savedTraining) !== configKey(wantTraining)) {
    const keys = Object.keys({ ...savedTraining, ...wantTraining }).filter((k) => savedTraining[k] !== wantTraining[k]);
    return `another config (${differences(saved.config, want.config, keys)})`;
  }
  if (saved.seed !== want.seed) return `seed ${saved.seed}, not ${want.seed}`;
  if (!backends.includes(saved.backend)) return `backend ${saved.backend}, not ${want.backend}`;
  return null;
}

/** Why `saved` was computed with other arithmetic than the run `want` on the same backend (the bits would match neither run), or null. */
function arithmeticMismatch(saved: CheckpointHeader, want: CheckpointHeader): string | null {
  if (saved.backend !== want.backend || (saved.arithmetic ?? '') === (want.arithmetic ?? '')) return null;
  const there = saved.arithmetic === undefined ? 'not recorded (an older featurelab)' : `'${saved.arithmetic}'`;
  return `it was made by the ${saved.backend} backend with arithmetic ${there}, and this run's is '${want.arithmetic ?? ''}': resuming would give numbers that match neither. `
    + `${saved.arithmetic === undefined ? 'Rerun with the featurelab version that made it to resume it' : arithmeticHint(saved.arithmetic, want.arithmetic ?? '')}, or pass --fresh to start over and overwrite it`;
}

/** Options of fileCheckpointStore. */
export interface FileStoreOptions {
  /** Ignore (and later overwrite) whatever checkpoint is there. */
  fresh?: boolean;
  /** The backends whose checkpoints this run continues (default: the header's). */
  acceptBackends?: string[];
  /** Config keys that change only the measurement (ConfigKeyDoc.analysisOnly): a checkpoint with other values is resumed. */
  analysisKeys?: readonly string[];
  /** Told which analysis keys differ when such a checkpoint is resumed. */
  onAnalysisChange?: (changes: string) => void;
}

/**
 * The store for run `header` in folder `dir`, saving every `every` steps (options: FileStoreOptions; the
 * device-loss fallback accepts WebGPU's checkpoints on WASM, and a change of analysis keys only re-measures).
 */
export function fileCheckpointStore(dir: string, header: CheckpointHeader, every: number, opts: FileStoreOptions = {}): CheckpointStore {
  const path = join(dir, CHECKPOINT_FILE);
  const stagesDir = join(dir, CHECKPOINT_STAGES_DIR);
  let fresh = opts.fresh ?? false;
  // Stage label → the file holding it, for stages already on disk (written or loaded by this store).
  const stageFiles = new Map<string, string>();
  // Unreferenced stage files can only predate this store (a kill, an earlier run, --fresh): one sweep suffices.
  let swept = false;
  // Whether onAnalysisChange was called (or had nothing to tell) already.
  let told = false;

  /** The finished stage in `name`, decoded; a missing or damaged file is a CheckpointError. */
  async function readStage(label: string, name: unknown): Promise<CheckpointValue> {
    if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) throw new CheckpointError(`${path}: stage '${label}' has a bad file reference; pass --fresh to start over`);
    const hash = stageFileHash(name);
    if (hash === undefined) throw new CheckpointError(`${path}: stage '${label}' refers to '${name}', which is not a stage file name (label-<16 hex digits>.json); pass --fresh to start over`);
    let text: string;
    try {
      text = await readFile(join(stagesDir, name), 'utf8');
    } catch (e) {
      throw new CheckpointError(`${path}: the finished stage '${label}' is missing (${join(stagesDir, name)}: ${(e as Error).message}); pass --fresh to start over`);
    }
    // The name carries the hash of the text written: any other text is a damaged file, never results.
    if (fnv1a64(text) !== hash) throw new CheckpointError(`${join(stagesDir, name)}: the finished stage '${label}' is damaged (its contents do not match the hash in its name); pass --fresh to start over`);
    stageFiles.set(label, name);
    return decodeCheckpoint(text, join(stagesDir, name));
  }

  /** Deletes the stage files that `keep` does not name (left by a kill, an earlier run or --fresh). */
  async function removeUnreferenced(keep: Set<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(stagesDir);
    } catch {
      return;
    }
    for (const n of names) if (n.endsWith('.json') && !keep.has(n)) await unlink(join(stagesDir, n)).catch(() => {});
  }

  return {
    every,
    // save() writes a stage's file when it first meets the stage and refers to the file ever after.
    writesStagesOnce: true,
    async load(): Promise<CheckpointValue | undefined> {
      if (fresh) return undefined;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw e;
      }
      const file = decodeCheckpoint(text, path) as { header?: CheckpointHeader; state?: CheckpointValue };
      if (!file || typeof file !== 'object' || !file.header || file.state === undefined) throw new CheckpointError(`${path} is not a featurelab checkpoint; pick another --out or pass --fresh to overwrite it`);
      const bad = badHeaderField(file.header);
      if (bad) throw new CheckpointError(`${path}: its header lacks a valid ${bad}, so it cannot be matched to this run; it is damaged or not a featurelab checkpoint: pass --fresh to start over and overwrite it`);
      const analysisKeys = opts.analysisKeys ?? [];
      const why = mismatch(file.header, header, opts.acceptBackends ?? [header.backend], analysisKeys);
      if (why) throw new CheckpointError(`${path} belongs to another run (${why}); pick another --out, or pass --fresh to start over and overwrite it`);
      const arithmetic = arithmeticMismatch(file.header, header);
      if (arithmetic) throw new CheckpointError(`${path}: ${arithmetic}`);
      const changed = analysisKeys.filter((k) => file.header!.config[k] !== header.config[k]);
      // A run loads its checkpoint more than once: the change is told once.
      if (changed.length > 0 && !told) opts.onAnalysisChange?.(differences(file.header.config, header.config, changed));
      told = true;
      const state = file.state as { stages?: Record<string, CheckpointValue> } | null;
      if (state && typeof state === 'object' && state.stages && typeof state.stages === 'object') {
        const stages: Record<string, CheckpointValue> = {};
        for (const [label, ref] of Object.entries(state.stages)) {
          const name = ref && typeof ref === 'object' && STAGE_FILE in ref ? (ref as Record<string, unknown>)[STAGE_FILE] : undefined;
          stages[label] = name === undefined ? ref : await readStage(label, name);
        }
        return { ...state, stages } as CheckpointValue;
      }
      return file.state;
    },
    async save(state: CheckpointValue): Promise<void> {
      const s = state as { stages?: Record<string, CheckpointValue> } | null;
      let saved = state;
      if (s && typeof s === 'object' && s.stages && typeof s.stages === 'object') {
        const refs: Record<string, CheckpointValue> = {};
        for (const [label, result] of Object.entries(s.stages)) {
          let name = stageFiles.get(label);
          if (name === undefined) {
            const text = encodeCheckpoint(result);
            name = stageFileName(label, text);
            await writeTextAtomic(stagesDir, name, text);
            stageFiles.set(label, name);
          }
          refs[label] = { [STAGE_FILE]: name };
        }
        saved = { ...s, stages: refs } as CheckpointValue;
      }
      await writeTextAtomic(dir, CHECKPOINT_FILE, encodeCheckpoint({ header, state: saved }));
      if (!swept) {
        await removeUnreferenced(new Set(stageFiles.values()));
        swept = true;
      }
      fresh = false;
    },
  };
}
