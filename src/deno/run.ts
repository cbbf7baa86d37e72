/**
 * Deno entry, bundled as dist/deno-run.js: runs one experiment at a preset (default quick) on
 * `navigator.gpu` (WASM when Deno finds no adapter, or only a software one: it says so; `--backend` picks) and
 * prints `{ experiment, config, seed, backend, summary }` as one line of JSON.
 * Usage: `deno run dist/deno-run.js modadd [--preset quick] [--seed N] [--backend webgpu|wasm] [--set key=value …]`.
 * Only experiments that need no data files run here (modadd, parity, group, memorization on synthetic data,
 * interactions on the tabular task).
 */
import { disposeAll, getBackend, getRunBackend, init } from '../backend/registry.js';
import { FeaturelabError } from '../errors.js';
import { buildConfig } from '../experiments/config.js';
import { findExperiment } from '../experiments/index.js';
import { parseDenoArgs } from './args.js';

/** The part of Deno's global this entry uses. */
interface DenoGlobal {
  args: string[];
  exit(code: number): never;
}

/** Runs the experiment and prints its summary; returns the exit code. */
async function main(deno: DenoGlobal): Promise<number> {
  const { name, preset, seed, backend: named, sets } = parseDenoArgs(deno.args);
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
