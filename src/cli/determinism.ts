/**
 * `featurelab info --determinism`: runs a short seeded training (modular addition, p = 7, 16 neurons, 200
 * full-batch steps, probes every 10) twice on every available backend, and reports whether the two runs are
 * bit-identical on each backend and the largest difference of each backend from the first one. Every number
 * of the result (summary and series: loss, margin, accuracy, Fourier measures) is compared. WASM must be
 * bit-identical (DESIGN "Invariants"); the command exits non-zero when it is not.
 */
import type { Backend } from '../backend/types.js';
import { buildConfig } from '../experiments/config.js';
import { findExperiment } from '../experiments/index.js';
import type { ExperimentResult } from '../experiments/types.js';

/** The tiny training every backend runs. */
const SETTINGS = ['p=7', 'width=16', 'steps=200', 'probeEvery=10', 'doubleEvery=1000', 'compareRelu=false'];

/** Every number of a result's summary and series, keyed by path, in a fixed order. */
export function resultNumbers(r: Pick<ExperimentResult, 'summary' | 'series'>): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') out.set(path, v);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v).sort()) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(r.summary, 'summary');
  walk(r.series, 'series');
  return out;
}

/** Largest absolute and relative difference over the paths both maps hold; `identical` when every number has the same bits. */
export function compareNumbers(a: Map<string, number>, b: Map<string, number>): { identical: boolean; maxAbs: number; maxRel: number; compared: number } {
  let identical = a.size === b.size;
  let maxAbs = 0;
  let maxRel = 0;
  let compared = 0;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y === undefined) {
      identical = false;
      continue;
    }
    compared++;
    if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
    identical = false;
    const d = Math.abs(x - y);
    if (!Number.isFinite(d)) {
      maxAbs = maxRel = Infinity; // one side NaN or infinite: as different as it gets
      continue;
    }
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(x), Math.abs(y), 1e-30));
  }
  return { identical, maxAbs, maxRel, compared };
}

/** One line per backend and a verdict; `ok` is false when WASM's two runs are not bit-identical. */
export async function determinismReport(backends: Backend[], print: (line: string) => void): Promise<boolean> {
  const exp = findExperiment('modadd');
  const config = buildConfig(exp, 'quick', SETTINGS);
  print(`determinism: modadd ${SETTINGS.join(' ')}, seed 1, twice per backend`);
  let ok = true;
  let first: { name: string; numbers: Map<string, number> } | null = null;
  for (const backend of backends) {
    const once = async (): Promise<Map<string, number>> => resultNumbers(await exp.run(config, { backend, seed: 1 }));
    const a = await once();
    const b = await once();
    const same = compareNumbers(a, b);
    let across = '';
    if (first) {
      const d = compareNumbers(first.numbers, a);
      across = `; vs ${first.name}: max abs ${d.maxAbs.toExponential(2)}, max rel ${d.maxRel.toExponential(2)} over ${d.compared} numbers`;
    } else {
      first = { name: backend.name, numbers: a };
    }
    const verdict = same.identical ? 'bit-identical' : `NOT bit-identical (max abs ${same.maxAbs.toExponential(2)}, max rel ${same.maxRel.toExponential(2)})`;
    print(`  ${backend.name.padEnd(7)} run twice: ${verdict}${across}`);
    if (backend.name === 'wasm' && !same.identical) ok = false;
  }
  print(ok ? 'WASM is bit-identical, as required' : 'FAIL: WASM must be bit-identical run to run');
  return ok;
}
