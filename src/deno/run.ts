/**
 * Deno entry, bundled as dist/deno-run.js: runs one experiment at a preset (default quick) on
 * `navigator.gpu` (WASM when Deno finds no adapter, or only a software one: it says so; `--backend` picks) and
 * prints `{ experiment, config, seed, backend, summary }` as one line of JSON.
 * Usage: `deno run dist/deno-run.js modadd [--preset quick] [--seed N] [--backend webgpu|wasm] [--set key=value …]`.
 * Only experiments that need no data files run here (modadd, parity, group, memorization on synthetic data,
 * interactions on the tabular task).
 */
import { disposeAll, getBackend, getRunBackend, init } from '../backend/registry.js';
import type { BackendName } from '../backend/types.js';
import { ConfigError, FeaturelabError } from '../errors.js';
import { buildConfig } from '../experiments/config.js';
import { findExperiment } from '../experiments/index.js';

/** The part of Deno's global this entry uses. */
interface DenoGlobal {
  args: string[];
  exit(code: number): never;
}

/** Parses `<experiment> [--preset P] [--seed N] [--backend B] [--set key=value …]`. */
function parseArgs(args: string[]): { name: string; preset: string; seed: number; backend: BackendName | null; sets: string[] } {
  const [name, ...rest] = args;
  if (!name || name.startsWith('--')) throw new ConfigError('usage: deno run dist/deno-run.js <experiment> [--preset quick] [--seed N] [--backend webgpu|wasm] [--set key=value …]');
  const out = { name, preset: 'quick', seed: 0, backend: null as BackendName | null, sets: [] as string[] };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i]!, rest[i + 1]];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    if (flag === '--preset') out.preset = value;
    else if (flag === '--set') out.sets.push(value);
    else if (flag === '--seed' && Number.isInteger(Number(value)) && Number(value) >= 0) out.seed = Number(value);
    else if (flag === '--backend' && (value === 'webgpu' || value === 'wasm')) out.backend = value;
    else throw new ConfigError(`unknown flag or bad value '${flag} ${value}'; flags: --preset NAME, --seed N (≥ 0), --backend webgpu|wasm, --set key=value`);
  }
  return out;
}

/** Runs the experiment and prints its summary; returns the exit code. */
async function main(deno: DenoGlobal): Promise<number> {
  const { name, preset, seed, backend: named, sets } = parseArgs(deno.args);
  const exp = findExperiment(name);
  const config = buildConfig(exp, preset, sets);
  await init({ prefer: ['webgpu', 'wasm'], log: (m) => console.error(m) });
  const { backend, note } = named ? { backend: getBackend(named), note: null } : getRunBackend();
  if (note) console.error(`featurelab: ${note} (pass --backend webgpu to use it anyway)`);
  const result = await exp.run(config, { backend, seed, log: (m) => console.error(m) });
  // JSON.stringify writes NaN and ±Infinity as null, as result.json does.
  console.log(JSON.stringify({ experiment: name, config, seed, backend: { name: backend.name, description: backend.description }, summary: result.summary }));
  return 0;
}

const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
if (!deno) throw new FeaturelabError('dist/deno-run.js runs in Deno: deno run dist/deno-run.js <experiment>');
main(deno).then(
  (code) => { disposeAll(); deno.exit(code); },
  (e: unknown) => {
    disposeAll();
    console.error(e instanceof FeaturelabError ? `featurelab: ${e.name}: ${e.message}` : e);
    deno.exit(1);
  },
);
