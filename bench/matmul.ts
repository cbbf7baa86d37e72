/**
 * Matmul benchmark: GFLOP/s of featurelab (wasm 1 thread, wasm all threads, webgpu) against TensorFlow.js
 * (wasm/XNNPACK, webgpu, cpu) and jax-js (wasm, webgpu), all in this process, on square products and on the
 * products of training an MLP 784-512-512-10 with batch 128 (forward X·W and backward Xᵀ·dY, dY·Wᵀ).
 *
 * Run: `npm run bench -- matmul [options]` (scripts/bench.mjs bundles and runs this file). Options:
 *   --engines=a,b,…   only these engines (ids below)       --sizes=128,256,…  square sizes
 *   --no-square / --no-training                            --target=S   timed seconds per cell (0.5)
 *   --max-rep=S       skip a cell whose one repetition is predicted to take longer (60)
 *   --cold-above=S    above this predicted time per repetition, time one repetition without warm-up (12)
 *   --ref             add featurelab's f64 reference backend as an engine
 *   --gpu-warmup=S    seconds of 512² products a WebGPU engine runs before a cell that no WebGPU cell
 *                     came just before (the first, or one after a CPU engine's) (1; 0: none)
 *   --rounds=R        time each shape R times on every engine, the engines' order rotated; median of the rounds (1)
 *   --out=DIR         results folder (bench/results)
 */
import os from 'node:os';
import { BenchUsageError, type MatmulCase, type MatmulEngine, type PreparedMatmul, errorMessage, median, runMain, setupNodeGpu, squareCases, trainingCases, writeReport } from './peers/common.js';
import { featurelabRef, featurelabWasm, featurelabWebGpu } from './peers/featurelab.js';
import { tfjsEngine } from './peers/tfjs.js';
import { jaxEngine } from './peers/jax.js';

// ---------------------------------------------------------------------------------------------- options

interface Options {
  engines: string[] | null;
  sizes: number[];
  square: boolean;
  training: boolean;
  target: number;
  maxRep: number;
  coldAbove: number;
  ref: boolean;
  gpuWarmup: number;
  rounds: number;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    engines: null, sizes: [128, 256, 512, 1024, 2048], square: true, training: true,
    target: 0.5, maxRep: 60, coldAbove: 12, ref: false, gpuWarmup: 1, rounds: 1, out: 'bench/results',
  };
  const num = (v: string, name: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new BenchUsageError(`--${name} needs a positive number, got ${v}`);
    return x;
  };
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    switch (key) {
      case 'engines': o.engines = value.split(',').filter(Boolean); break;
      case 'sizes': o.sizes = value.split(',').filter(Boolean).map((v) => num(v, key)); break;
      case 'no-square': o.square = false; break;
      case 'no-training': o.training = false; break;
      case 'target': o.target = num(value, key); break;
      case 'max-rep': o.maxRep = num(value, key); break;
      case 'cold-above': o.coldAbove = num(value, key); break;
      case 'ref': o.ref = true; break;
      case 'gpu-warmup': o.gpuWarmup = value === '0' ? 0 : num(value, key); break;
      case 'rounds': {
        o.rounds = num(value, key);
        if (!Number.isInteger(o.rounds)) throw new BenchUsageError(`--rounds must be a whole number, got ${value}`);
        break;
      }
      case 'out': o.out = value; break;
      default: throw new BenchUsageError(`unknown option ${arg} (see bench/README.md)`);
    }
  }
  return o;
}

// ------------------------------------------------------------------------------------------------ cases


// ------------------------------------------------------------------------------------------------- data

/** Deterministic uniform values in [-1, 1) (xorshift32). */
function randomData(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/**
 * Checks 64 sampled entries of the result against an f64 dot product. Tolerance: 1e-3 · Σ|a·b| (f32
 * accumulation error is far below; a wrong transpose or layout is far above).
 */
function checkResult(c: MatmulCase, a: Float32Array, b: Float32Array, r: Float32Array): string | null {
  if (r.length !== c.m * c.n) return `result has ${r.length} values, expected ${c.m}×${c.n}`;
  const aAt = (i: number, p: number): number => (c.transA ? a[p * c.m + i]! : a[i * c.k + p]!);
  const bAt = (p: number, j: number): number => (c.transB ? b[j * c.k + p]! : b[p * c.n + j]!);
  for (let s = 0; s < 64; s++) {
    const i = s === 0 ? 0 : s === 1 ? c.m - 1 : (s * 7919) % c.m;
    const j = s === 0 ? 0 : s === 1 ? c.n - 1 : (s * 104729) % c.n;
    let ref = 0;
    let mag = 0;
    for (let p = 0; p < c.k; p++) {
      const t = aAt(i, p) * bAt(p, j);
      ref += t;
      mag += Math.abs(t);
    }
    const got = r[i * c.n + j]!;
    if (!(Math.abs(got - ref) <= 1e-3 * mag + 1e-6)) return `wrong result at [${i},${j}]: ${got} vs ${ref.toPrecision(7)}`;
  }
  return null;
}

// -------------------------------------------------------------------------------------------- engines

interface EngineSpec {
  id: string;
  /** Column header. */
  header: string;
  create: () => Promise<MatmulEngine>;
  featurelab: boolean;
}

const ENGINES: EngineSpec[] = [
  { id: 'fl-wasm1', header: 'fl wasm1', create: () => featurelabWasm(1), featurelab: true },
  { id: 'fl-wasm1s', header: 'fl wasm1 strict', create: () => featurelabWasm(1, false), featurelab: true },
  { id: 'fl-wasmN', header: 'fl wasmN', create: () => featurelabWasm('auto'), featurelab: true },
  { id: 'fl-webgpu', header: 'fl webgpu', create: () => featurelabWebGpu(), featurelab: true },
  { id: 'tfjs-wasm', header: 'tfjs wasm', create: () => tfjsEngine('wasm'), featurelab: false },
  { id: 'tfjs-webgpu', header: 'tfjs webgpu', create: () => tfjsEngine('webgpu'), featurelab: false },
  { id: 'tfjs-cpu', header: 'tfjs cpu', create: () => tfjsEngine('cpu'), featurelab: false },
  { id: 'jax-wasm', header: 'jax wasm', create: () => jaxEngine('wasm'), featurelab: false },
  { id: 'jax-webgpu', header: 'jax webgpu', create: () => jaxEngine('webgpu'), featurelab: false },
];
const REF_ENGINE: EngineSpec = { id: 'fl-ref', header: 'fl ref', create: () => featurelabRef(), featurelab: true };

// ----------------------------------------------------------------------------------------- measuring

type CellStatus = 'ok' | 'cold' | 'skipped' | 'failed' | 'wrong' | 'n/a';

interface Cell {
  status: CellStatus;
  /** Median GFLOP/s over the timed samples (or of the one cold repetition). */
  gflops: number | null;
  /** Best sample's GFLOP/s. */
  bestGflops: number | null;
  /** Timed repetitions in all (excluding warm-up and calibration). */
  reps: number;
  samples: number;
  /** Seconds spent on this cell, warm-up included. */
  seconds: number;
  note: string | null;
}

interface EngineResult {
  id: string;
  header: string;
  description: string | null;
  error: string | null;
  cells: Cell[];
}

const now = (): number => performance.now() / 1000;
const flopsOf = (c: MatmulCase): number => 2 * c.m * c.n * c.k;

/**
 * Runs 512² products on `engine` one at a time for about `seconds`; returns how many and how long it took.
 * An idle GPU clocks down (an H100 idles at 345 of 1980 MHz), and engines run one after another: without
 * this the first engine's small shapes would be timed while the clocks ramp up and the next engine's on a
 * warm GPU.
 */
async function warmUpGpu(engine: MatmulEngine, seconds: number): Promise<{ products: number; seconds: number }> {
  const n = 512;
  const a = randomData(n * n, 97);
  const prep = await engine.prepare({ label: 'warm-up', group: 'square', m: n, n, k: n, transA: false, transB: false }, a, a);
  const start = now();
  let products = 0;
  try {
    while (now() - start < seconds) {
      await prep.run(1);
      products++;
    }
  } finally {
    prep.free();
  }
  return { products, seconds: now() - start };
}

/** One cell from its rounds: the median of the rounds' medians, the best sample of all; the first failure wins. */
function combineRounds(cells: Cell[]): Cell {
  const failed = cells.find((c) => c.gflops == null);
  if (failed || cells.length === 1) return failed ?? cells[0]!;
  return {
    status: cells.some((c) => c.status === 'cold') ? 'cold' : 'ok',
    gflops: median(cells.map((c) => c.gflops!)),
    bestGflops: Math.max(...cells.map((c) => c.bestGflops!)),
    reps: cells.reduce((sum, c) => sum + c.reps, 0),
    samples: cells.reduce((sum, c) => sum + c.samples, 0),
    seconds: cells.reduce((sum, c) => sum + c.seconds, 0),
    note: cells.map((c) => c.note).find((n) => n) ?? null,
  };
}

async function measure(engine: MatmulEngine, c: MatmulCase, a: Float32Array, b: Float32Array,
  o: Options, predicted: number | null): Promise<Cell> {
  const flops = flopsOf(c);
  const cell: Cell = { status: 'ok', gflops: null, bestGflops: null, reps: 0, samples: 0, seconds: 0, note: null };
  if (predicted !== null && predicted > o.maxRep) {
    cell.status = 'skipped';
    cell.note = `predicted ${predicted.toFixed(0)} s per repetition > --max-rep=${o.maxRep} s`;
    return cell;
  }
  const start = now();
  let prep: PreparedMatmul | null = null;
  try {
    prep = await engine.prepare(c, a, b);
    // Warm-up (compiles kernels, grows memory) and correctness check.
    const t0 = now();
    const r = await prep.result();
    const tWarm = now() - t0;
    const wrong = checkResult(c, a, b, r);
    if (wrong) {
      cell.status = 'wrong';
      cell.note = wrong;
      return cell;
    }
    if (predicted !== null && predicted > o.coldAbove) {
      // Too slow to repeat: the warm-up repetition (including the read-back) is the measurement.
      cell.status = 'cold';
      cell.gflops = cell.bestGflops = flops / tWarm / 1e9;
      cell.reps = cell.samples = 1;
      cell.note = `one repetition without warm-up (predicted ${predicted.toFixed(0)} s > --cold-above=${o.coldAbove} s)`;
      return cell;
    }
    // Timed samples of `reps` repetitions each: grow `reps` until a sample lasts ≥ target/5 (a calibration
    // sample that is long enough counts), then add samples until about `target` seconds are timed (≤ 5).
    const sampleTarget = o.target / 5;
    const perRep: number[] = [];
    let reps = 1;
    let timed = 0;
    let totalReps = 0;
    for (;;) {
      const t = now();
      await prep.run(reps);
      const dt = Math.max(now() - t, 1e-9);
      if (dt >= sampleTarget) {
        perRep.push(dt / reps);
        timed += dt;
        totalReps += reps;
        break;
      }
      reps = Math.max(reps + 1, Math.min(reps * 100, Math.ceil((reps * sampleTarget * 1.2) / dt)));
    }
    // At least 3 samples when they fit in 3 s (so a median exists for the large products), at most 5.
    const fits = (): boolean => {
      const next = timed + perRep[0]! * reps;
      return next <= o.target * 1.1 || (perRep.length < 3 && next <= 3);
    };
    while (perRep.length < 5 && fits()) {
      const t = now();
      await prep.run(reps);
      const dt = now() - t;
      perRep.push(dt / reps);
      timed += dt;
      totalReps += reps;
    }
    cell.gflops = flops / median(perRep) / 1e9;
    cell.bestGflops = flops / Math.min(...perRep) / 1e9;
    cell.reps = totalReps;
    cell.samples = perRep.length;
    return cell;
  } catch (e) {
    cell.status = 'failed';
    cell.note = errorMessage(e);
    return cell;
  } finally {
    try {
      prep?.free();
    } catch {
      // an engine that failed may not free cleanly; the next cell still runs
    }
    cell.seconds = now() - start;
  }
}

// ------------------------------------------------------------------------------------------- ratios

interface RatioDef {
  header: string;
  /** Numerator and denominator from the cells of one row (by engine id). */
  compute(row: Map<string, number | null>): number | null;
  /** Minimum the issue asks for where it applies to this row, else null. */
  target(c: MatmulCase): number | null;
  explain: string;
}

const div = (x: number | null | undefined, y: number | null | undefined): number | null =>
  x != null && y != null && y > 0 ? x / y : null;

function bestPeerWasm(row: Map<string, number | null>): number | null {
  const vals = [row.get('tfjs-wasm'), row.get('jax-wasm')].filter((v): v is number => v != null);
  return vals.length ? Math.max(...vals) : null;
}

const RATIOS: RatioDef[] = [
  {
    header: 'wasm1/bestPeerWasm', compute: (r) => div(r.get('fl-wasm1'), bestPeerWasm(r)),
    target: (c) => (c.group === 'training' || c.m >= 512 ? 1.3 : null),
    explain: 'fl wasm1 / max(tfjs wasm, jax wasm); target ≥ 1.3 at n ≥ 512 and on the training shapes',
  },
  {
    header: 'wasmN/wasm1', compute: (r) => div(r.get('fl-wasmN'), r.get('fl-wasm1')),
    target: (c) => (c.group === 'square' && c.m >= 1024 ? 1.8 : null),
    explain: 'fl wasmN / fl wasm1; target ≥ 1.8 at n ≥ 1024',
  },
  {
    header: 'webgpu/tfjsWebgpu', compute: (r) => div(r.get('fl-webgpu'), r.get('tfjs-webgpu')),
    target: () => 1.0, explain: 'fl webgpu / tfjs webgpu (same adapter); target ≥ 1.0',
  },
  {
    header: 'webgpu/jaxWebgpu', compute: (r) => div(r.get('fl-webgpu'), r.get('jax-webgpu')),
    target: () => 1.0, explain: 'fl webgpu / jax webgpu (same adapter); target ≥ 1.0',
  },
];

// -------------------------------------------------------------------------------------------- output

function pad(s: string, w: number, left = false): string {
  const len = [...s].length;
  return len >= w ? s : left ? s + ' '.repeat(w - len) : ' '.repeat(w - len) + s;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const cases = [...(o.square ? squareCases(o.sizes) : []), ...(o.training ? trainingCases() : [])];
  let specs = o.ref ? [...ENGINES, REF_ENGINE] : ENGINES;
  if (o.engines) {
    const unknown = o.engines.filter((id) => ![...ENGINES, REF_ENGINE].some((s) => s.id === id));
    if (unknown.length) throw new BenchUsageError(`unknown engine(s) ${unknown.join(', ')}; known: ${[...ENGINES, REF_ENGINE].map((s) => s.id).join(', ')}`);
    specs = [...ENGINES, REF_ENGINE].filter((s) => o.engines!.includes(s.id));
  }

  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, loadAvgAtStart: os.loadavg(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  };
  const usesGpu = specs.some((s) => s.id.endsWith('webgpu'));
  const gpuInfo = usesGpu ? await setupNodeGpu().then((g) => g.adapter, (e) => `WebGPU unavailable: ${errorMessage(e)}`) : null;
  console.log(`featurelab matmul benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  if (gpuInfo) console.log(`WebGPU adapter (Dawn): ${gpuInfo}`);
  const load = os.loadavg()[0]!;
  if (load > 0.5) console.log(`warning: load average ${load.toFixed(2)} before starting — other processes compete for the CPU`);
  console.log(`cases: ${cases.length}, engines: ${specs.map((s) => s.id).join(', ')}; ~${o.target} s timed per cell\n`);

  const operands = cases.map((c, i) => {
    const sa = c.transA ? [c.k, c.m] : [c.m, c.k];
    const sb = c.transB ? [c.n, c.k] : [c.k, c.n];
    return { a: randomData(sa[0]! * sa[1]!, 2 * i + 1), b: randomData(sb[0]! * sb[1]!, 2 * i + 2) };
  });

  // Every engine is created first; then each shape is timed on every engine in turn, `rounds` times with the
  // engines' order rotated, so that the engines a ratio compares are timed minutes apart at most, not a whole
  // engine's run apart (on a 2-vCPU VM the speed of a software adapter drifts by 2× over minutes).
  const results: EngineResult[] = [];
  const engines: (MatmulEngine | null)[] = [];
  const benchStart = now();
  for (const spec of specs) {
    const res: EngineResult = { id: spec.id, header: spec.header, description: null, error: null, cells: [] };
    results.push(res);
    let engine: MatmulEngine | null = null;
    try {
      engine = await spec.create();
      res.description = engine.description;
    } catch (e) {
      res.error = errorMessage(e);
    }
    engines.push(engine);
    console.log(`${spec.id}: ${res.description ?? `n/a (${res.error})`}`);
  }
  // Whether the GPU has just been busy (a WebGPU engine's cell came last): if not, it may be at idle clocks.
  let gpuBusy = false;
  // Per engine, the measured rates, to predict a cell's time from the largest smaller product it has done.
  const rates: { flops: number; gflops: number }[][] = specs.map(() => []);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const f = flopsOf(c);
    const rounds: Cell[][] = specs.map(() => []);
    for (let round = 0; round < o.rounds; round++) {
      for (let step = 0; step < specs.length; step++) {
        const e = (step + round) % specs.length;
        const engine = engines[e];
        if (!engine) continue;
        const onGpu = specs[e]!.id.endsWith('webgpu');
        if (onGpu && !gpuBusy && o.gpuWarmup > 0) {
          const warm = await warmUpGpu(engine, o.gpuWarmup).catch((err) => `failed: ${errorMessage(err)}`);
          console.log(`  GPU warm-up (${specs[e]!.id}): ${typeof warm === 'string' ? warm : `${warm.products} product${warm.products === 1 ? '' : 's'} of 512² in ${warm.seconds.toFixed(1)} s (not timed)`}`);
        }
        gpuBusy = onGpu;
        const prior = rates[e]!.filter((r) => r.flops <= f).sort((x, y) => y.flops - x.flops)[0];
        const predicted = prior ? f / (prior.gflops * 1e9) : null;
        rounds[e]!.push(await measure(engine, c, operands[i]!.a, operands[i]!.b, o, predicted));
      }
    }
    for (const [e, res] of results.entries()) {
      const cell = engines[e] ? combineRounds(rounds[e]!) : { status: 'n/a' as const, gflops: null, bestGflops: null, reps: 0, samples: 0, seconds: 0, note: res.error };
      res.cells.push(cell);
      if (cell.gflops != null) rates[e]!.push({ flops: f, gflops: cell.gflops });
      const shown = cell.gflops != null ? `${fmt(cell.gflops)} GFLOP/s (${cell.reps} rep${cell.reps === 1 ? '' : 's'}${cell.status === 'cold' ? ', cold' : ''})` : `${cell.status}${cell.note ? ` (${cell.note})` : ''}`;
      if (engines[e]) console.log(`  ${pad(c.label, 28, true)} ${pad(res.id, 12, true)} ${shown}  [${cell.seconds.toFixed(1)} s]`);
    }
  }
  for (const [e, engine] of engines.entries()) {
    try {
      await engine?.dispose();
    } catch (err) {
      console.log(`  ${specs[e]!.id}: dispose failed: ${errorMessage(err)}`);
    }
  }
  const totalSeconds = now() - benchStart;

  // Rows of GFLOP/s by engine id and the ratios.
  const rowValues = cases.map((_, i) => new Map(results.map((r) => [r.id, r.cells[i]!.gflops] as [string, number | null])));
  const ratioRows = cases.map((c, i) => RATIOS.map((d) => ({ value: d.compute(rowValues[i]!), target: d.target(c) })));

  // Footnotes: one per distinct reason.
  const notes: string[] = [];
  const noteRef = (text: string): string => {
    let idx = notes.indexOf(text);
    if (idx < 0) idx = notes.push(text) - 1;
    return `[${idx + 1}]`;
  };
  const cellText = (r: EngineResult, cell: Cell): string => {
    switch (cell.status) {
      case 'ok': return fmt(cell.gflops!);
      case 'cold': return `${fmt(cell.gflops!)}*`;
      case 'n/a': return `n/a${noteRef(`${r.header}: ${r.error}`)}`;
      case 'skipped': return `skip${noteRef(`${r.header}: ${cell.note}`)}`;
      default: return `${cell.status}${noteRef(`${r.header}: ${cell.note}`)}`;
    }
  };

  const header = ['shape (op(A)·op(B))', ...results.map((r) => r.header), ...RATIOS.map((d) => d.header)];
  const rows = cases.map((c, i) => [
    c.label,
    ...results.map((r) => cellText(r, r.cells[i]!)),
    ...ratioRows[i]!.map(({ value, target }) => (value == null ? '–' : `${value.toFixed(2)}${target == null ? '' : value >= target ? ' ✓' : ' ✗'}`)),
  ]);
  const widths = header.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...r[j]!].length)));
  const line = (cells: string[]): string => cells.map((s, j) => pad(s, widths[j]!, j === 0)).join('  ');

  console.log(`\nGFLOP/s = 2·m·n·k / time, median of up to 5 timed samples after one warm-up${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''} (* = one cold repetition)`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r, i) => {
    if (i > 0 && cases[i]!.group !== cases[i - 1]!.group) console.log('');
    console.log(line(r));
  });
  console.log('');
  console.log('ratios: ' + RATIOS.map((d) => `${d.header} = ${d.explain}`).join('\n        '));
  console.log('        ✓/✗ = target met/missed where the target applies; – = a side is missing');

  // Target summary.
  const summary = RATIOS.map((d, j) => {
    const applicable = cases.map((c, i) => ({ c, r: ratioRows[i]![j]! })).filter((x) => x.r.target != null);
    const measured = applicable.filter((x) => x.r.value != null);
    const met = measured.filter((x) => x.r.value! >= x.r.target!);
    const min = measured.length ? Math.min(...measured.map((x) => x.r.value!)) : null;
    return { ratio: d.header, explain: d.explain, cells: applicable.length, measured: measured.length, met: met.length, min };
  });
  console.log('\ntargets:');
  for (const s of summary) {
    console.log(`  ${pad(s.ratio, 20, true)} met in ${s.met}/${s.measured} measured cells (of ${s.cells} where it applies)${s.min != null ? `, lowest ${s.min.toFixed(2)}` : ''}`);
  }
  if (notes.length) {
    console.log('\nnotes:');
    notes.forEach((n, i) => console.log(`  [${i + 1}] ${n}`));
  }
  console.log('\nengines:');
  for (const r of results) console.log(`  ${pad(r.header, 16, true)} ${r.description ?? `n/a: ${r.error}`}`);

  // JSON.
  const stamp = new Date().toISOString();
  const report = {
    benchmark: 'matmul',
    timestamp: stamp,
    machine,
    webgpuAdapter: gpuInfo,
    loadAvgAtEnd: os.loadavg(),
    method: {
      gflops: '2·m·n·k / seconds per repetition; median (and best) over up to 5 timed samples after one warm-up repetition; with rounds > 1 the median of the rounds\' medians (best: of all samples)',
      order: 'each shape on every engine in turn (rotated each round), so compared engines are timed close together',
      completion: 'each sample ends by waiting for its last product (read-back / data() / blockUntilReady)',
      options: o,
      totalSeconds: +totalSeconds.toFixed(1),
    },
    engines: results.map((r) => ({ id: r.id, header: r.header, description: r.description, error: r.error })),
    cases: cases.map((c, i) => ({
      label: c.label, group: c.group, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB,
      gflop: flopsOf(c) / 1e9,
      results: Object.fromEntries(results.map((r) => {
        const cell = r.cells[i]!;
        return [r.id, {
          status: cell.status, gflops: cell.gflops, bestGflops: cell.bestGflops, reps: cell.reps, samples: cell.samples,
          seconds: +cell.seconds.toFixed(3), note: cell.note,
        }];
      })),
      ratios: Object.fromEntries(RATIOS.map((d, j) => [d.header, { value: ratioRows[i]![j]!.value, target: ratioRows[i]![j]!.target }])),
    })),
    targets: summary,
  };
  writeReport(o.out, 'matmul', stamp, report, totalSeconds);
}

runMain(main);
