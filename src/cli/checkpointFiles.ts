/**
 * The CLI's checkpoint store: DIR/checkpoint.json, written atomically (results.ts) with a header naming the
 * experiment, config, seed and backend it belongs to. A run resumes only from a checkpoint of the same run;
 * any other is refused with a CheckpointError that says how to start afresh.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointValue } from '../checkpoint/codec.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { CheckpointError } from '../errors.js';
import type { ConfigValue } from '../experiments/types.js';
import { writeTextAtomic } from './results.js';

/** The checkpoint file's name inside the output folder. */
export const CHECKPOINT_FILE = 'checkpoint.json';

/** What a checkpoint belongs to. */
export type CheckpointHeader = { experiment: string; config: Record<string, ConfigValue>; seed: number; backend: string; version: string };

/** The config as text with sorted keys, for comparing configs. */
function configKey(config: Record<string, ConfigValue>): string {
  return JSON.stringify(Object.keys(config).sort().map((k) => [k, config[k]]));
}

/** Why `saved` does not belong to the run `want` (accepting checkpoints of the backends `backends`), or null. */
function mismatch(saved: CheckpointHeader, want: CheckpointHeader, backends: string[]): string | null {
  if (saved.experiment !== want.experiment) return `experiment '${saved.experiment}', not '${want.experiment}'`;
  if (configKey(saved.config) !== configKey(want.config)) {
    const keys = Object.keys({ ...saved.config, ...want.config }).filter((k) => saved.config[k] !== want.config[k]);
    return `another config (${keys.map((k) => `${k}: ${String(saved.config[k])} there, ${String(want.config[k])} here`).join('; ')})`;
  }
  if (saved.seed !== want.seed) return `seed ${saved.seed}, not ${want.seed}`;
  if (!backends.includes(saved.backend)) return `backend ${saved.backend}, not ${want.backend}`;
  return null;
}

/**
 * The store for run `header` in folder `dir`, saving every `every` steps. `fresh` ignores (and later
 * overwrites) whatever checkpoint is there; `acceptBackends` (default: the header's) lists the backends
 * whose checkpoints this run continues (the device-loss fallback continues WebGPU's on WASM).
 */
export function fileCheckpointStore(dir: string, header: CheckpointHeader, every: number, opts: { fresh?: boolean; acceptBackends?: string[] } = {}): CheckpointStore {
  const path = join(dir, CHECKPOINT_FILE);
  let fresh = opts.fresh ?? false;
  return {
    every,
    async load(): Promise<CheckpointValue | undefined> {
      if (fresh) return undefined;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw e;
      }
      const file = decodeCheckpoint(text) as { header?: CheckpointHeader; state?: CheckpointValue };
      if (!file || !file.header || file.state === undefined) throw new CheckpointError(`${path} is not a featurelab checkpoint; pick another --out or pass --fresh to overwrite it`);
      const why = mismatch(file.header, header, opts.acceptBackends ?? [header.backend]);
      if (why) throw new CheckpointError(`${path} belongs to another run (${why}); pick another --out, or pass --fresh to start over and overwrite it`);
      return file.state;
    },
    async save(state: CheckpointValue): Promise<void> {
      await writeTextAtomic(dir, CHECKPOINT_FILE, encodeCheckpoint({ header, state }));
      fresh = false;
    },
  };
}
