/**
 * Fuzzing the parsers (seeded, bounded): thousands of mutated IDX files (bit flips, truncation, appended
 * bytes, wrong magic, type and dimension bytes, huge dimensions, random bytes; raw and gzip-wrapped, and
 * corrupted gzip streams), Fashion-MNIST folders of mutated files, and experiment configs (random keys —
 * inherited names like __proto__ included — values of every JSON type, JSON text mutants, --set strings)
 * and sweep files. Every input must either give a valid result or throw a FeaturelabError; any other
 * exception, or an input that takes longer than the per-input bound (a hang), fails the test. The number of
 * inputs tried is printed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FeaturelabError } from '../src/errors.js';
import { decodeIdx, parseIdx, type IdxArray } from '../src/data/idx.js';
import { loadFashionMnist } from '../src/data/fashionMnist.js';
import { buildConfig, parseConfigText } from '../src/experiments/config.js';
import { EXPERIMENTS } from '../src/experiments/index.js';
import type { AnyExperiment } from '../src/experiments/types.js';
import { expandSweep, parseSweepSpec } from '../src/cli/sweepPlan.js';
import { Rng } from '../src/rng.js';
import { gzip, idxBytes, memoryFiles } from './support/idxFiles.js';

const s = suite('fuzz');

/** Per-input bound (ms): far above any honest parse of these small inputs, far below a hang. */
const PER_INPUT_MS = 2000;

/** Outcome counts of one fuzz campaign. */
interface Tally { inputs: number; ok: number; rejected: number; slowest: number }

/** Runs one input: a result passes `valid`, a FeaturelabError counts as a rejection, anything else fails. */
async function attempt<T>(tally: Tally, what: () => T | Promise<T>, valid: (r: T) => string | null, describe: () => string): Promise<void> {
  tally.inputs++;
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${PER_INPUT_MS} ms (hang?)`)), PER_INPUT_MS); });
  try {
    const r = await Promise.race([Promise.resolve().then(what), hang]);
    const fault = valid(r);
    if (fault) assert.unreachable(`${describe()}: parsed but invalid: ${fault}`);
    tally.ok++;
  } catch (e) {
    if (!(e instanceof FeaturelabError)) assert.unreachable(`${describe()}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} instead of a FeaturelabError`);
    if (!/\S/.test((e as Error).message)) assert.unreachable(`${describe()}: empty error message`);
    tally.rejected++;
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - t0;
  tally.slowest = Math.max(tally.slowest, ms);
  if (ms > PER_INPUT_MS) assert.unreachable(`${describe()}: took ${ms.toFixed(0)} ms (bound ${PER_INPUT_MS})`);
}

/** A parsed IDX array is valid when its element count is the product of its dimensions. */
function validIdx(a: IdxArray): string | null {
  const count = a.dims.reduce((p, d) => p * d, 1);
  if (a.dims.length < 1 || a.dims.some((d) => !(Number.isInteger(d) && d >= 1))) return `dims ${a.dims}`;
  return a.data.length === count ? null : `${a.data.length} elements for dims ${a.dims.join('×')}`;
}

/** Seed IDX files of every type and a few shapes. */
function seedFiles(): Uint8Array[] {
  return [
    idxBytes('u8', [2, 3], [0, 1, 2, 3, 254, 255]),
    idxBytes('u8', [4, 28, 28], Array.from({ length: 4 * 784 }, (_, i) => i % 256)),
    idxBytes('u8', [5], [1, 9, 0, 3, 7]),
    idxBytes('i8', [3], [-128, 0, 127]),
    idxBytes('i16', [2, 2], [-32768, 1, 2, 32767]),
    idxBytes('i32', [1, 3], [-1, 0, 2 ** 31 - 1]),
    idxBytes('f32', [2, 1, 2], [0.5, -1, 3e-8, 1e30]),
    idxBytes('f64', [2], [Math.PI, -0]),
  ];
}

/** One mutation of `b`, chosen by `rng`, with a short description. */
function mutate(b: Uint8Array, rng: Rng): { bytes: Uint8Array; how: string } {
  const out = b.slice();
  const view = new DataView(out.buffer);
  switch (out.length < 4 ? 8 : rng.int(9)) { // too short to edit in place: random bytes instead
    case 0: { // bit flips anywhere
      const n = 1 + rng.int(4);
      for (let i = 0; i < n; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return { bytes: out, how: `${n} bit flips` };
    }
    case 1: { // bit flips in the header
      const at = rng.int(Math.min(out.length, 16));
      out[at] ^= 1 << rng.int(8);
      return { bytes: out, how: `header bit flip at ${at}` };
    }
    case 2: { const n = rng.int(out.length); return { bytes: out.subarray(0, n), how: `truncated to ${n}` }; }
    case 3: { // appended bytes
      const extra = new Uint8Array(out.length + 1 + rng.int(9));
      extra.set(out);
      return { bytes: extra, how: `${extra.length - out.length} appended bytes` };
    }
    case 4: out[rng.int(2)] = 1 + rng.int(255); return { bytes: out, how: 'wrong magic' };
    case 5: out[2] = rng.int(256); return { bytes: out, how: `type byte ${out[2]}` };
    case 6: out[3] = rng.int(256); return { bytes: out, how: `dimension count ${out[3]}` };
    case 7: { // a huge (or zero) dimension
      const nd = out[3]!;
      const d = rng.int(Math.max(1, nd));
      const v = [0, 1, 0xffffffff, 0x7fffffff, 65536, rng.nextU32()][rng.int(6)]!;
      if (4 + 4 * d + 4 <= out.length) view.setUint32(4 + 4 * d, v, false);
      return { bytes: out, how: `dimension ${d} = ${v}` };
    }
    default: { // random bytes
      const r = new Uint8Array(rng.int(40));
      for (let i = 0; i < r.length; i++) r[i] = rng.int(256);
      if (rng.int(2) === 0 && r.length >= 2) r[0] = r[1] = 0;
      return { bytes: r, how: `${r.length} random bytes` };
    }
  }
}

/** A random value of a random JSON-ish type (including ones JSON cannot hold), for config fuzzing. */
function randomValue(rng: Rng, exp: AnyExperiment): unknown {
  const keys = Object.keys(exp.defaults);
  switch (rng.int(12)) {
    case 0: return rng.int(2000) - 1000;
    case 1: return rng.uniform() * 10 - 5;
    case 2: return [NaN, Infinity, -Infinity, -0, 1e308, 2 ** 53 + 1, Number.MIN_VALUE][rng.int(7)];
    case 3: return rng.int(2) === 0;
    case 4: return ['', 'square', 'relu', 'DiffInit', 'cosine', 'S4', 'D7', '0,1', 'rf,ntk', 'phi2', '../../etc', 'x'.repeat(300)][rng.int(12)];
    case 5: return null;
    case 6: return [1, 2];
    case 7: return { a: 1 };
    case 8: return undefined;
    default: { // a plausible value: another key's default or this experiment's default scaled
      const other = exp.defaults[keys[rng.int(keys.length)]!];
      return typeof other === 'number' ? other * [0, 1, 2, 0.5, -1, 1000][rng.int(6)]! : other;
    }
  }
}

/** A random key: usually one of the experiment's, sometimes unknown or an inherited name. */
function randomKey(rng: Rng, exp: AnyExperiment): string {
  const keys = Object.keys(exp.defaults);
  if (rng.int(4) > 0) return keys[rng.int(keys.length)]!;
  return ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nope', '', 'P', 'width '][rng.int(9)]!;
}

/** A returned config is valid when it holds exactly the experiment's keys, each with its default's type, numbers finite. */
function validConfig(exp: AnyExperiment): (c: Record<string, unknown>) => string | null {
  return (c) => {
    const keys = Object.keys(c).sort().join(',');
    if (keys !== Object.keys(exp.defaults).sort().join(',')) return `keys ${keys}`;
    if (Object.getPrototypeOf(c) !== Object.prototype) return 'prototype changed';
    for (const [k, v] of Object.entries(c)) {
      if (typeof v !== typeof exp.defaults[k]) return `${k} has type ${typeof v}`;
      if (typeof v === 'number' && !Number.isFinite(v)) return `${k} = ${v}`;
    }
    return null;
  };
}

s('IDX files: thousands of mutants (raw and gzip-wrapped) parse to valid arrays or throw a FeaturelabError', async () => {
  const rng = new Rng(20240607);
  const tally: Tally = { inputs: 0, ok: 0, rejected: 0, slowest: 0 };
  const seeds = seedFiles();
  for (let i = 0; i < 6000; i++) {
    const base = seeds[rng.int(seeds.length)]!;
    let { bytes, how } = mutate(base, rng);
    if (rng.int(3) === 0) ({ bytes, how } = mutate(bytes, rng)); // sometimes two mutations
    await attempt(tally, () => parseIdx(bytes, 'fuzz.idx'), validIdx, () => `raw mutant ${i} (${how})`);
    if (i % 8 === 0) {
      const gz = await gzip(bytes);
      await attempt(tally, () => decodeIdx(gz, 'fuzz.idx.gz'), validIdx, () => `gzip-wrapped mutant ${i} (${how})`);
    }
  }
  // Corrupted gzip streams around valid files.
  const gzSeeds = await Promise.all(seeds.map((b) => gzip(b)));
  for (let i = 0; i < 1500; i++) {
    const { bytes, how } = mutate(gzSeeds[rng.int(gzSeeds.length)]!, rng);
    await attempt(tally, () => decodeIdx(bytes, 'fuzz.gz'), validIdx, () => `gzip mutant ${i} (${how})`);
  }
  console.log(`[fuzz] IDX: ${tally.inputs} inputs, ${tally.ok} parsed, ${tally.rejected} refused with a FeaturelabError, slowest ${tally.slowest.toFixed(1)} ms`);
  assert.ok(tally.inputs >= 8000, `${tally.inputs} inputs`);
  assert.ok(tally.ok > 100 && tally.rejected > 1000, 'both outcomes occur (the mutants are neither all fatal nor all harmless)');
});

s('Fashion-MNIST folders of mutated files: a dataset or a FeaturelabError', async () => {
  const rng = new Rng(7);
  const tally: Tally = { inputs: 0, ok: 0, rejected: 0, slowest: 0 };
  const images = idxBytes('u8', [3, 28, 28], Array.from({ length: 3 * 784 }, (_, i) => (i * 13) % 256));
  const labels = idxBytes('u8', [3], [0, 9, 4]);
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  for (let i = 0; i < 400; i++) {
    const files = new Map<string, Uint8Array>();
    for (const name of names) {
      const good = name.includes('images') ? images : labels;
      if (rng.int(12) === 0) continue; // a missing file
      const bytes = rng.int(2) === 0 ? mutate(good, rng).bytes : good;
      files.set(`/d/${name}${rng.int(2) === 0 ? '.gz' : ''}`, name.endsWith('.gz') || rng.int(3) === 0 ? await gzip(bytes) : bytes);
    }
    await attempt(tally, () => loadFashionMnist(memoryFiles(files), '/d', { limitTrain: rng.int(4) }), (d) => {
      if (d.train.images.length !== d.train.count * 784 || d.train.labels.some((y) => y < 0 || y > 9)) return 'bad train set';
      return d.test.images.length === d.test.count * 784 ? null : 'bad test set';
    }, () => `folder ${i} (${[...files.keys()].join(', ')})`);
  }
  console.log(`[fuzz] Fashion-MNIST folders: ${tally.inputs} inputs, ${tally.ok} loaded, ${tally.rejected} refused`);
  assert.ok(tally.ok > 10 && tally.rejected > 50);
});

s('configs: random keys, values and JSON text mutants give a valid config or a FeaturelabError', async () => {
  const rng = new Rng(11);
  const tally: Tally = { inputs: 0, ok: 0, rejected: 0, slowest: 0 };
  for (let i = 0; i < 10000; i++) {
    const exp = EXPERIMENTS[rng.int(EXPERIMENTS.length)]!;
    const file: Record<string, unknown> = {};
    const n = rng.int(4);
    for (let j = 0; j < n; j++) Object.defineProperty(file, randomKey(rng, exp), { value: randomValue(rng, exp), enumerable: true, configurable: true, writable: true });
    const presets = [...Object.keys(exp.presets), 'fast', '__proto__', 'constructor'];
    const preset = rng.int(8) === 0 ? presets[rng.int(presets.length)]! : 'quick';
    const sets = rng.int(3) === 0 ? [`${randomKey(rng, exp)}=${String(randomValue(rng, exp))}`] : [];
    const kind = rng.int(4);
    if (kind === 0) {
      // The file as JSON text, with one character mutated: parseConfigText, then buildConfig.
      let text = JSON.stringify(file) ?? '{}';
      const at = rng.int(text.length + 1);
      text = text.slice(0, at) + '{}[]",:0-e.tn\\ '[rng.int(15)] + text.slice(at + rng.int(2));
      await attempt(tally, () => buildConfig(exp, preset, sets, parseConfigText(text, 'fuzz.json'), 'fuzz.json'), validConfig(exp), () => `${exp.name} JSON mutant ${text}`);
    } else {
      const whole = kind === 1 ? [null, 3, 'x', [1], true][rng.int(5)] : file;
      await attempt(tally, () => buildConfig(exp, preset, sets, whole, 'fuzz.json'), validConfig(exp), () => `${exp.name} preset ${preset} file ${JSON.stringify(whole)} sets ${sets}`);
    }
  }
  console.log(`[fuzz] configs: ${tally.inputs} inputs, ${tally.ok} accepted, ${tally.rejected} refused with a FeaturelabError, slowest ${tally.slowest.toFixed(1)} ms`);
  assert.ok(tally.ok > 200 && tally.rejected > 1000);
});

s('sweep files: random fields, grids and seeds expand to validated runs or throw a FeaturelabError', async () => {
  const rng = new Rng(13);
  const tally: Tally = { inputs: 0, ok: 0, rejected: 0, slowest: 0 };
  for (let i = 0; i < 3000; i++) {
    const exp = EXPERIMENTS[rng.int(EXPERIMENTS.length)]!;
    const spec: Record<string, unknown> = { experiment: rng.int(10) === 0 ? 'nope' : exp.name };
    if (rng.int(2)) spec.seeds = [[0, 1], [], [-1], [1.5], 'x', [2 ** 60]][rng.int(6)];
    if (rng.int(2)) spec.grid = { [randomKey(rng, exp)]: rng.int(4) === 0 ? randomValue(rng, exp) : [randomValue(rng, exp), randomValue(rng, exp)] };
    if (rng.int(2)) spec.set = { [randomKey(rng, exp)]: randomValue(rng, exp) };
    if (rng.int(4) === 0) spec.name = ['ok', 'a/b', '../up', '/abs', 'a/../b', '', 'c:\\x', 'fine-name.1'][rng.int(8)];
    if (rng.int(10) === 0) spec.extra = 1;
    await attempt(tally, () => expandSweep(parseSweepSpec(spec, 'fuzz-sweep.json')), (runs) => {
      if (runs.length === 0) return 'no runs';
      if (spec.name !== undefined && (String(spec.name).includes('..') || String(spec.name).startsWith('/'))) return `unsafe name ${String(spec.name)} accepted`;
      return new Set(runs.map((r) => r.id)).size === runs.length ? null : 'duplicate ids';
    }, () => `sweep ${JSON.stringify(spec)}`);
  }
  console.log(`[fuzz] sweep files: ${tally.inputs} inputs, ${tally.ok} expanded, ${tally.rejected} refused`);
  assert.ok(tally.ok > 50 && tally.rejected > 200);
});

s.run();
