/** The command line of dist/deno-run.js (src/deno/run.ts), parsed apart from Deno so that it can be tested anywhere. */
import type { BackendName } from '../backend/types.js';
import { ConfigError } from '../errors.js';
import { parseWholeNumber } from '../experiments/config.js';

/** Parses `<experiment> [--preset P] [--seed N] [--backend B] [--set key=value …]`. */
export function parseDenoArgs(args: string[]): { name: string; preset: string; seed: number; backend: BackendName | null; sets: string[] } {
  const [name, ...rest] = args;
  if (!name || name.startsWith('--')) throw new ConfigError('usage: deno run dist/deno-run.js <experiment> [--preset quick] [--seed N] [--backend webgpu|wasm] [--set key=value …]');
  const out = { name, preset: 'quick', seed: 0, backend: null as BackendName | null, sets: [] as string[] };
  const flags = '--preset NAME, --seed N (decimal digits), --backend webgpu|wasm, --set key=value';
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i]!, rest[i + 1]];
    if (!['--preset', '--set', '--seed', '--backend'].includes(flag)) throw new ConfigError(`unknown flag '${flag}'; flags: ${flags}`);
    if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value; flags: ${flags}`);
    const seed = flag === '--seed' ? parseWholeNumber(value) : undefined;
    if (flag === '--preset') out.preset = value;
    else if (flag === '--set') out.sets.push(value);
    else if (seed !== undefined) out.seed = seed;
    else if (flag === '--backend' && (value === 'webgpu' || value === 'wasm')) out.backend = value;
    else throw new ConfigError(`bad value '${flag} ${value}'; flags: ${flags}`);
  }
  return out;
}
