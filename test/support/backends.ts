/**
 * Initialises every backend through the public bundle and tells the log which adapter each suite runs on.
 * `ref` is the oracle; `testBackends` are the f32 backends compared against it (webgpu, wasm).
 */
import { init, getBackend, getInitReport, RefBackend } from '../../dist/featurelab.js';
import type { Backend } from '../../src/index.js';

/** 'node' or 'deno': the runtime these tests run in. */
export const runtime: string = (globalThis as { Deno?: unknown }).Deno ? 'deno' : 'node';

/**
 * Registers `name` with `register` (a suite) in Node only, for tests that spawn dist/cli.js or use node:fs;
 * elsewhere it says so once and the test is not counted (a test returning early would count as passed).
 */
export function nodeOnly(register: (name: string, fn: () => Promise<void>) => void, name: string, fn: () => Promise<void>): void {
  if (runtime === 'node') register(name, fn);
  else console.log(`[${runtime}] not run here (Node only): ${name}`);
}

const names = await init({ prefer: ['webgpu', 'wasm', 'ref'], log: (m: string) => console.log(`[${runtime}] ${m}`) });
if (!names.includes('wasm')) {
  throw new Error(`[${runtime}] the wasm backend must always be available: ${JSON.stringify(getInitReport().unavailable)}`);
}

/** The f64 reference backend. */
export const ref = getBackend('ref') as unknown as RefBackend;
/** The f32 backends under test, most preferred first. */
export const testBackends: Backend[] = names.filter((n) => n !== 'ref').map((n) => getBackend(n));

for (const b of [...testBackends, getBackend('ref')]) console.log(`[${runtime}] backend ${b.name}: ${b.description}`);
for (const u of getInitReport().unavailable) console.log(`[${runtime}] backend ${u.name}: NOT AVAILABLE (${u.reason})`);
