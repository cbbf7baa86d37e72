/**
 * Training benchmark: featurelab's whole training step (forward, softmax cross-entropy, backward, SGD update
 * through `train()` in src/nn/train.ts) against TensorFlow.js wasm, on two workloads:
 *   mlp     MLP 784-512-512-10, batch 128, plain SGD (lr 0.05), on Fashion-MNIST — samples/s, against
 *           tfjs wasm (1 thread) with its autodiff and with a hand-written backward pass;
 *   modadd  the quadratic pair network for modular addition p = 71, m = 500, full batch (5041 pairs),
 *           cross-entropy + λ‖θ‖_{2,3}^3 (λ = 1e-4) — steps/s, featurelab only.
 *
 * Run: `npm run bench -- train [options]` (scripts/bench.mjs bundles and runs this file). Options:
 *   --engines=a,b,…  only these engines (ids below)     --target=S  timed seconds per cell (3)
 *   --epoch          time one epoch of the MLP (468 steps = 59 904 samples) instead of ~target seconds
 *   --no-mlp / --no-modadd                               --out=DIR   results folder (bench/results)
 */
import os from 'node:os';
import type { Backend, Mat } from '../src/backend/types.js';
import { Tape } from '../src/autograd/tape.js';
import { Mlp } from '../src/nn/mlp.js';
import type { Model } from '../src/nn/model.js';
import { PairNet } from '../src/nn/pairNet.js';
import { type TrainConfig, train } from '../src/nn/train.js';
import { modularAddition } from '../src/data/modularAddition.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/fashionMnist.js';
import { nodeFileSource } from '../src/cli/nodeFiles.js';
import { Rng } from '../src/rng.js';
import { BenchUsageError, errorMessage, runMain, setupNodeGpu, writeReport } from './peers/common.js';
import { type TfjsGradMode, tfjsMlpTrainer } from './peers/tfjsTrain.js';

// ------------------------------------------------------------------------------------------ contracts

/** One engine training one workload, set up with its model, data and optimizer. */
export interface Trainer {
  /** What runs: library, version, device, threads, how gradients are computed. */
  readonly description: string;
  /** Runs `steps` training steps and returns once they have completed, with the last step's loss. */
  run(steps: number): Promise<number>;
  /** Mean cross-entropy on the fixed evaluation rows (the first `evalCount` training examples). */
  evalLoss(): Promise<number>;
  /** Releases everything the trainer holds. */
  dispose(): void;
}

/** Initial parameters of one dense layer (weights fanIn×fanOut row-major, bias fanOut). */
export interface LayerInit {
  weights: Float32Array;
  bias: Float32Array;
}

/** Everything an engine needs to train the MLP workload. */
export interface MlpSetup {
  sizes: number[];
  init: LayerInit[];
  /** Training data: count×sizes[0] f32 in [0, 1] and labels 0 … classes−1. */
  data: { x: Float32Array; labels: Int32Array; count: number };
  evalCount: number;
  batchSize: number;
  lr: number;
  seed: number;
}

// ---------------------------------------------------------------------------------------------- options

interface Options {
  engines: string[] | null;
  target: number;
  epoch: boolean;
  mlp: boolean;
  modadd: boolean;
  out: string;
}

/** Parses the command-line options (see the header). */
function parseOptions(argv: string[]): Options {
  const o: Options = { engines: null, target: 3, epoch: false, mlp: true, modadd: true, out: 'bench/results' };
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    switch (key) {
      case 'engines': o.engines = value.split(',').filter(Boolean); break;
      case 'target': {
        o.target = Number(value);
        if (!Number.isFinite(o.target) || o.target <= 0) throw new BenchUsageError(`--target needs a positive number, got ${value}`);
        break;
      }
      case 'epoch': o.epoch = true; break;
      case 'no-mlp': o.mlp = false; break;
      case 'no-modadd': o.modadd = false; break;
      case 'out': o.out = value; break;
      default: throw new BenchUsageError(`unknown option ${arg} (see bench/README.md)`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------- workloads

const SEED = 1;
const MLP_SIZES = [784, 512, 512, 10];
const MLP_BATCH = 128;
const MLP_LR = 0.05;
const EVAL_COUNT = 1024;
/** Whole minibatches in one epoch of 60 000 examples. */
const EPOCH_STEPS = Math.floor(60000 / MLP_BATCH);
const MODADD = { p: 71, width: 500, lr: 0.05, lambda: 1e-4, nu: 3, initStd: 0.1 };

/** The MLP's training data: Fashion-MNIST's training set, or seeded random data of its shape when missing. */
async function mlpData(): Promise<{ data: MlpSetup['data']; source: string }> {
  try {
    const fm = await loadFashionMnist(nodeFileSource(), FASHION_MNIST_DIR, { limitTest: 0 });
    return { data: { x: fm.train.images, labels: fm.train.labels, count: fm.train.count }, source: `Fashion-MNIST training set (${FASHION_MNIST_DIR})` };
  } catch (e) {
    const count = 60000;
    const rng = new Rng(SEED).fork('random data');
    const x = rng.fillUniform(new Float32Array(count * 784));
    const labels = Int32Array.from({ length: count }, () => rng.int(10));
    return { data: { x, labels, count }, source: `seeded random data 60000×784 in [0, 1), random labels (Fashion-MNIST unavailable: ${errorMessage(e)})` };
  }
}

/** The MLP's initial parameters, bit for bit what `new Mlp(backend, sizes, new Rng(seed).fork('init'))` draws. */
function mlpInit(sizes: number[], seed: number): LayerInit[] {
  const rng = new Rng(seed).fork('init');
  return sizes.slice(1).map((fanOut, l) => ({
    weights: rng.fork(`W${l}`).fillNormal(new Float32Array(sizes[l]! * fanOut), 0, Math.sqrt(2 / sizes[l]!)),
    bias: new Float32Array(fanOut),
  }));
}

/** Mean cross-entropy of `model` on (x, labels), forward only. */
async function featurelabLoss(backend: Backend, model: Model, x: Mat, labels: Mat): Promise<number> {
  const tape = new Tape(backend);
  try {
    const logits = model.forward(tape, model.params.onTape(tape), tape.input(x));
    return (await backend.read(tape.softmaxCrossEntropy(logits, labels).value))[0]!;
  } finally {
    tape.dispose();
  }
}

/** A featurelab trainer: `train()` on data already on the backend, a fresh shuffle stream per call. */
function featurelabTrainer(backend: Backend, model: Model, x: Mat, labels: Mat, count: number, evalData: [Mat, Mat],
  cfg: Omit<TrainConfig, 'steps'>): Trainer {
  const rng = new Rng(SEED).fork('minibatch');
  let calls = 0;
  return {
    description: backend.description,
    async run(steps) {
      return (await train(backend, model, { x, labels, count }, { ...cfg, steps }, rng.fork(calls++))).finalLoss;
    },
    evalLoss: () => featurelabLoss(backend, model, ...evalData),
    dispose() {
      model.params.free();
      backend.free(x, labels, ...evalData);
      backend.dispose();
    },
  };
}

/** featurelab's MLP workload on `backend`. */
function featurelabMlp(backend: Backend, s: MlpSetup): Trainer {
  const x = backend.upload(s.data.x, s.data.count, s.sizes[0]!);
  const labels = backend.upload(Float32Array.from(s.data.labels), s.data.count, 1);
  const evalX = backend.upload(s.data.x.subarray(0, s.evalCount * s.sizes[0]!), s.evalCount, s.sizes[0]!);
  const evalLabels = backend.upload(Float32Array.from(s.data.labels.subarray(0, s.evalCount)), s.evalCount, 1);
  const model = new Mlp(backend, s.sizes, new Rng(s.seed).fork('init'));
  return featurelabTrainer(backend, model, x, labels, s.data.count, [evalX, evalLabels], {
    lr: s.lr, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: s.batchSize,
  });
}

/** featurelab's modular-addition workload on `backend` (the evaluation set is the whole table). */
function featurelabModadd(backend: Backend): Trainer {
  const { p, width, lr, lambda, nu, initStd } = MODADD;
  const table = modularAddition(p);
  const labels = backend.upload(Float32Array.from(table.y), table.count, 1);
  const model = new PairNet(backend, { tokens: p, classes: p, width, act: 'square', initStd }, new Rng(SEED).fork('init'));
  // As the experiment does: the pairs' token ids stand for the inputs, and the embedding is a row gather.
  const x = model.uploadPairs(table.a, table.b);
  return featurelabTrainer(backend, model, x, labels, table.count, [x, labels], {
    lr, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd' }, batchSize: 'full', regularizer: { lambda, nu },
  });
}

// -------------------------------------------------------------------------------------------- engines

interface EngineSpec {
  id: string;
  header: string;
  /** Seconds one cell may take (WebGPU on a software adapter is slow), else null. */
  capSeconds: number | null;
  /** Creates the engine's backend, or null for a peer that brings its own. */
  backend: (() => Promise<Backend>) | null;
}

/** Seconds a capped cell may take. */
const CAP_SECONDS = 30;

const ENGINES: EngineSpec[] = [
  { id: 'fl-wasm1', header: 'fl wasm1', capSeconds: null, backend: () => wasmBackend(1) },
  { id: 'fl-wasmN', header: 'fl wasmN', capSeconds: null, backend: () => wasmBackend('auto') },
  { id: 'fl-webgpu', header: 'fl webgpu', capSeconds: CAP_SECONDS, backend: webgpuBackend },
  { id: 'tfjs-autodiff', header: 'tfjs autodiff', capSeconds: null, backend: null },
  { id: 'tfjs-manual', header: 'tfjs manual', capSeconds: null, backend: null },
  { id: 'tfjs-manualT', header: 'tfjs manual·T', capSeconds: null, backend: null },
];
/** The TensorFlow.js engines and how each computes its gradients. */
const TFJS_MODES: Record<string, TfjsGradMode> = { 'tfjs-autodiff': 'autodiff', 'tfjs-manual': 'manual', 'tfjs-manualT': 'manualTransposed' };

/** featurelab's wasm backend with 1 or all threads. */
async function wasmBackend(threads: 1 | 'auto'): Promise<Backend> {
  const { createWasmBackend } = await import('../src/backend/wasm/wasmBackend.js');
  return createWasmBackend({ threads });
}

/** featurelab's WebGPU backend on Dawn's adapter. */
async function webgpuBackend(): Promise<Backend> {
  const { gpu, ok, adapter } = await setupNodeGpu();
  if (!ok) throw new Error(adapter);
  const { createWebGpuBackend } = await import('../src/backend/webgpu/webgpuBackend.js');
  return createWebGpuBackend(gpu);
}

/** Sets up a trainer on `backend`, disposing the backend when that fails. */
function onBackend(backend: Backend, make: (backend: Backend) => Trainer): Trainer {
  try {
    return make(backend);
  } catch (e) {
    backend.dispose();
    throw e;
  }
}

interface Workload {
  id: 'mlp' | 'modadd';
  label: string;
  unit: 'samples/s' | 'steps/s';
  samplesPerStep: number;
  /** Engines that run this workload. */
  engines: string[];
  /** Creates `engine`'s trainer. */
  create(engine: EngineSpec): Promise<Trainer>;
}

// ----------------------------------------------------------------------------------------- measuring

type CellStatus = 'ok' | 'loss-not-falling' | 'failed' | 'n/a';

interface Cell {
  engine: string;
  status: CellStatus;
  description: string | null;
  samplesPerSecond: number | null;
  stepsPerSecond: number | null;
  /** Timed steps, and warm-up + calibration steps before them. */
  steps: number;
  warmupSteps: number;
  /** Timed seconds. */
  seconds: number;
  /** Seconds spent on the cell in all (set-up, warm-up, evaluation included). */
  cellSeconds: number;
  /** True when the steps were cut to keep the cell within its cap. */
  capped: boolean;
  /** Cross-entropy on the evaluation rows before training and after the timed steps. */
  lossBefore: number | null;
  lossAfter: number | null;
  /** Loss of the last timed step's batch (with the regulariser where there is one). */
  lastStepLoss: number | null;
  note: string | null;
}

/** Seconds on the monotonic clock. */
const now = (): number => performance.now() / 1000;
/** Warm-up and calibration steps before the timed ones (a slow capped cell: one of each). */
const WARMUP_STEPS = 2;
const CALIBRATION_STEPS = 3;
const MIN_STEPS = 20;
const MIN_CAPPED_STEPS = 3;

/** Trains with one engine: warm-up, calibration, then a fixed number of timed steps; checks the loss fell. */
async function measure(w: Workload, spec: EngineSpec, o: Options): Promise<Cell> {
  const cell: Cell = {
    engine: spec.id, status: 'ok', description: null, samplesPerSecond: null, stepsPerSecond: null, steps: 0,
    warmupSteps: 0, seconds: 0, cellSeconds: 0, capped: false, lossBefore: null, lossAfter: null, lastStepLoss: null, note: null,
  };
  const start = now();
  let trainer: Trainer | null = null;
  try {
    trainer = await w.create(spec);
    cell.description = trainer.description;
  } catch (e) {
    cell.status = 'n/a';
    cell.note = errorMessage(e);
    return cell;
  }
  try {
    cell.lossBefore = await trainer.evalLoss();
    const tFirst = now();
    await trainer.run(1);
    // A capped engine whose first step takes over a tenth of the cap (WebGPU on a software adapter) skips the
    // second warm-up step and calibrates on one step.
    const slow = spec.capSeconds !== null && now() - tFirst > spec.capSeconds / 10;
    if (!slow) await trainer.run(WARMUP_STEPS - 1);
    const warmup = slow ? 1 : WARMUP_STEPS;
    const calibration = slow ? 1 : CALIBRATION_STEPS;
    const t0 = now();
    await trainer.run(calibration);
    const perStep = (now() - t0) / calibration;
    cell.warmupSteps = warmup + calibration;
    let steps = w.id === 'mlp' && o.epoch ? EPOCH_STEPS : Math.max(MIN_STEPS, Math.ceil(o.target / perStep));
    if (spec.capSeconds !== null) {
      // Leave room for the final evaluation (about one step's time).
      const fit = Math.max(MIN_CAPPED_STEPS, Math.floor((spec.capSeconds - (now() - start)) / perStep) - 1);
      if (fit < steps) {
        steps = fit;
        cell.capped = true;
      }
    }
    const t1 = now();
    cell.lastStepLoss = await trainer.run(steps);
    cell.seconds = now() - t1;
    cell.steps = steps;
    cell.stepsPerSecond = steps / cell.seconds;
    cell.samplesPerSecond = cell.stepsPerSecond * w.samplesPerStep;
    cell.lossAfter = await trainer.evalLoss();
    if (!(cell.lossAfter < cell.lossBefore)) {
      cell.status = 'loss-not-falling';
      cell.note = `loss did not fall: ${cell.lossBefore} → ${cell.lossAfter} after ${cell.warmupSteps + steps} steps`;
    }
  } catch (e) {
    cell.status = 'failed';
    cell.note = errorMessage(e);
  } finally {
    try {
      trainer.dispose();
    } catch {
      // a failed engine may not dispose cleanly; the next cell still runs
    }
    cell.cellSeconds = now() - start;
  }
  return cell;
}

// -------------------------------------------------------------------------------------------- ratios

interface RatioDef {
  header: string;
  compute(rate: (id: string) => number | null): number | null;
  /** Minimum the issue asks for on the MLP row, else null. */
  target: number | null;
  explain: string;
}

/** x / y when both exist. */
const div = (x: number | null, y: number | null): number | null => (x != null && y != null && y > 0 ? x / y : null);

/** The fastest tfjs engine. */
function bestTfjs(rate: (id: string) => number | null): number | null {
  const vals = Object.keys(TFJS_MODES).map(rate).filter((v): v is number => v != null);
  return vals.length ? Math.max(...vals) : null;
}

const RATIOS: RatioDef[] = [
  {
    header: 'wasm1/tfjs', compute: (r) => div(r('fl-wasm1'), bestTfjs(r)), target: 2,
    explain: 'fl wasm1 / max(tfjs autodiff, tfjs manual, tfjs manual·T), all 1 thread; target ≥ 2 on the MLP',
  },
  { header: 'wasmN/wasm1', compute: (r) => div(r('fl-wasmN'), r('fl-wasm1')), target: null, explain: 'fl wasmN / fl wasm1' },
  { header: 'webgpu/wasm1', compute: (r) => div(r('fl-webgpu'), r('fl-wasm1')), target: null, explain: 'fl webgpu / fl wasm1' },
];
/** The issue's absolute target for featurelab wasm1 on the MLP (samples/s). */
const MLP_WASM1_TARGET = 13000;

// -------------------------------------------------------------------------------------------- output

/** Pads to width `w` (right-aligned unless `left`). */
function pad(s: string, w: number, left = false): string {
  const len = [...s].length;
  return len >= w ? s : left ? s + ' '.repeat(w - len) : ' '.repeat(w - len) + s;
}

/** A rate: whole numbers with thousands separators from 100 up, else three significant digits. */
function fmtRate(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}

/** A loss with four significant digits. */
const fmtLoss = (x: number | null): string => (x == null ? '?' : x.toPrecision(4));

/** A cell's evaluation loss before → after, with the change (small on modadd, whose loss falls slowly at first). */
function fmtLossChange(c: Cell): string {
  const delta = c.lossBefore != null && c.lossAfter != null ? ` (Δ ${(c.lossAfter - c.lossBefore).toPrecision(2)})` : '';
  return `${fmtLoss(c.lossBefore)} → ${fmtLoss(c.lossAfter)}${delta}`;
}

/** Runs the benchmark, prints the table and writes the JSON. */
async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.engines) {
    const unknown = o.engines.filter((id) => !ENGINES.some((s) => s.id === id));
    if (unknown.length) throw new BenchUsageError(`unknown engine(s) ${unknown.join(', ')}; known: ${ENGINES.map((s) => s.id).join(', ')}`);
  }
  const specs = ENGINES.filter((s) => !o.engines || o.engines.includes(s.id));

  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, loadAvgAtStart: os.loadavg(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  };
  const gpuInfo = specs.some((s) => s.id === 'fl-webgpu') ? await setupNodeGpu().then((g) => g.adapter, (e) => `WebGPU unavailable: ${errorMessage(e)}`) : null;
  console.log(`featurelab training benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  if (gpuInfo) console.log(`WebGPU adapter (Dawn): ${gpuInfo}`);
  const load = os.loadavg()[0]!;
  if (load > 0.5) console.log(`warning: load average ${load.toFixed(2)} before starting — other processes compete for the CPU`);

  const workloads: Workload[] = [];
  let dataSource: string | null = null;
  if (o.mlp) {
    const { data, source } = await mlpData();
    dataSource = source;
    console.log(`MLP data: ${source}`);
    const setup: MlpSetup = { sizes: MLP_SIZES, init: mlpInit(MLP_SIZES, SEED), data, evalCount: EVAL_COUNT, batchSize: MLP_BATCH, lr: MLP_LR, seed: SEED };
    workloads.push({
      id: 'mlp', label: `MLP ${MLP_SIZES.join('-')} b${MLP_BATCH} SGD`, unit: 'samples/s', samplesPerStep: MLP_BATCH,
      engines: ENGINES.map((s) => s.id),
      async create(spec) {
        if (spec.backend) return onBackend(await spec.backend(), (be) => featurelabMlp(be, setup));
        return tfjsMlpTrainer(TFJS_MODES[spec.id]!, setup);
      },
    });
  }
  if (o.modadd) {
    const count = MODADD.p * MODADD.p;
    workloads.push({
      id: 'modadd', label: `modadd p${MODADD.p} m${MODADD.width} full batch`, unit: 'steps/s', samplesPerStep: count,
      engines: ['fl-wasm1', 'fl-wasmN', 'fl-webgpu'],
      async create(spec) {
        return onBackend(await spec.backend!(), featurelabModadd);
      },
    });
  }
  const timing = o.epoch ? `MLP: one epoch (${EPOCH_STEPS} steps); modadd: ~${o.target} s` : `~${o.target} s (≥ ${MIN_STEPS} steps)`;
  console.log(`engines: ${specs.map((s) => s.id).join(', ')}; timed per cell: ${timing} after ${WARMUP_STEPS + CALIBRATION_STEPS} warm-up steps (slow capped cells 2); webgpu capped at ~${CAP_SECONDS} s per cell\n`);

  const benchStart = now();
  const results = new Map<string, Map<string, Cell>>();
  for (const w of workloads) {
    const row = new Map<string, Cell>();
    results.set(w.id, row);
    console.log(`${w.label}:`);
    for (const spec of specs.filter((s) => w.engines.includes(s.id))) {
      const cell = await measure(w, spec, o);
      row.set(spec.id, cell);
      const rate = w.unit === 'samples/s' ? cell.samplesPerSecond : cell.stepsPerSecond;
      const shown = rate != null
        ? `${fmtRate(rate)} ${w.unit} (${cell.steps} steps in ${cell.seconds.toFixed(2)} s${cell.capped ? ', capped' : ''}), loss ${fmtLossChange(cell)}`
        : '';
      console.log(`  ${pad(spec.id, 14, true)} ${cell.status === 'ok' ? shown : `${cell.status}: ${cell.note}${shown ? `; ${shown}` : ''}`}  [${cell.cellSeconds.toFixed(1)} s]`);
    }
  }
  const totalSeconds = now() - benchStart;

  // Table: one row per workload, one column per engine, then the ratios.
  const notes: string[] = [];
  /** The footnote mark of `text`, adding it to the notes on first use. */
  const noteRef = (text: string): string => {
    let idx = notes.indexOf(text);
    if (idx < 0) idx = notes.push(text) - 1;
    return `[${idx + 1}]`;
  };
  /** A cell's rate in its workload's unit, or null when it has none that counts. */
  const rateOf = (w: Workload, c: Cell | undefined): number | null => {
    if (!c || c.status !== 'ok') return null;
    return w.unit === 'samples/s' ? c.samplesPerSecond : c.stepsPerSecond;
  };
  const ratioValues = workloads.map((w) => RATIOS.map((d) => d.compute((id) => rateOf(w, results.get(w.id)!.get(id)))));
  const header = ['workload', 'unit', ...specs.map((s) => s.header), ...RATIOS.map((d) => d.header)];
  const rows = workloads.map((w, i) => [
    w.label, w.unit,
    ...specs.map((s) => {
      const c = results.get(w.id)!.get(s.id);
      if (!c) return '–';
      if (c.status === 'ok') return `${fmtRate(rateOf(w, c)!)}${c.capped ? '*' : ''}`;
      const label = c.status === 'loss-not-falling' ? 'bad loss' : c.status;
      return `${label}${noteRef(`${s.header}: ${c.note}`)}`;
    }),
    ...RATIOS.map((d, j) => {
      const v = ratioValues[i]![j]!;
      if (v == null) return '–';
      const target = w.id === 'mlp' ? d.target : null;
      return `${v.toFixed(2)}${target == null ? '' : v >= target ? ' ✓' : ' ✗'}`;
    }),
  ]);
  const widths = header.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...r[j]!].length)));
  /** One table line, the first two columns left-aligned. */
  const line = (cells: string[]): string => cells.map((s, j) => pad(s, widths[j]!, j < 2)).join('  ');
  console.log(`\nrates over the timed steps after ${WARMUP_STEPS + CALIBRATION_STEPS} warm-up steps (* = timed steps cut to fit ~${CAP_SECONDS} s)`);
  console.log(line(header));
  console.log(widths.map((wd) => '-'.repeat(wd)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  console.log('\nratios: ' + RATIOS.map((d) => `${d.header} = ${d.explain}`).join('\n        '));

  // Losses (the check that every engine trains).
  console.log('\nloss: cross-entropy on the evaluation rows before training → after the timed steps; the last timed step\'s batch loss');
  for (const w of workloads) {
    for (const [id, c] of results.get(w.id)!) {
      if (c.lossBefore == null) continue;
      console.log(`  ${pad(w.id, 7, true)} ${pad(id, 14, true)} ${fmtLossChange(c)}, last batch ${fmtLoss(c.lastStepLoss)}, after ${c.warmupSteps + c.steps} steps${c.status === 'loss-not-falling' ? '  ✗ did not fall' : ''}`);
    }
  }

  // Targets.
  const mlpIndex = workloads.findIndex((w) => w.id === 'mlp');
  const targets: { name: string; value: number | null; target: number; met: boolean | null }[] = [];
  if (mlpIndex >= 0) {
    const wasm1 = rateOf(workloads[mlpIndex]!, results.get('mlp')!.get('fl-wasm1'));
    const ratio = ratioValues[mlpIndex]![0]!;
    targets.push({ name: 'MLP fl wasm1 / best tfjs wasm', value: ratio, target: 2, met: ratio == null ? null : ratio >= 2 });
    targets.push({ name: 'MLP fl wasm1 samples/s', value: wasm1, target: MLP_WASM1_TARGET, met: wasm1 == null ? null : wasm1 >= MLP_WASM1_TARGET });
    console.log('\ntargets:');
    for (const t of targets) {
      const shown = t.value == null ? 'not measured' : t.value >= 100 ? fmtRate(t.value) : t.value.toFixed(2);
      console.log(`  ${pad(t.name, 32, true)} ${shown} (target ≥ ${fmtRate(t.target)}) ${t.met == null ? '–' : t.met ? '✓' : '✗'}`);
    }
  }
  if (notes.length) {
    console.log('\nnotes:');
    notes.forEach((n, i) => console.log(`  [${i + 1}] ${n}`));
  }
  console.log('\nengines:');
  for (const s of specs) {
    const c = [...results.values()].map((r) => r.get(s.id)).find((x) => x?.description);
    console.log(`  ${pad(s.header, 14, true)} ${c?.description ?? 'n/a'}`);
  }
  if (dataSource) console.log(`\nMLP data: ${dataSource}`);

  // JSON.
  const stamp = new Date().toISOString();
  const report = {
    benchmark: 'train',
    timestamp: stamp,
    machine,
    webgpuAdapter: gpuInfo,
    loadAvgAtEnd: os.loadavg(),
    method: {
      timing: `per cell: loss on the evaluation rows, ${WARMUP_STEPS} warm-up steps, ${CALIBRATION_STEPS} calibration steps (1 and 1 in a capped cell whose first step takes over a tenth of the cap), then the timed steps (MLP: ${o.epoch ? `${EPOCH_STEPS} (one epoch)` : `≥ ${MIN_STEPS}, enough for ~target seconds`}; modadd: ≥ ${MIN_STEPS}, ~target seconds), ending with the read-back of the last loss; webgpu cells capped at ~${CAP_SECONDS} s`,
      lossCheck: `cross-entropy on the first ${EVAL_COUNT} training rows (MLP) or the whole table (modadd) must fall from before training to after the timed steps`,
      mlp: { sizes: MLP_SIZES, batchSize: MLP_BATCH, lr: MLP_LR, optimizer: 'sgd', init: 'He normal (featurelab Rng, same bits for every engine), zero biases', data: dataSource },
      modadd: { ...MODADD, count: MODADD.p * MODADD.p, act: 'square', batch: 'full', optimizer: 'sgd' },
      options: o,
      totalSeconds: +totalSeconds.toFixed(1),
    },
    engines: specs.map((s) => {
      const c = [...results.values()].map((r) => r.get(s.id)).find((x) => x);
      return { id: s.id, header: s.header, description: c?.description ?? null, capSeconds: s.capSeconds };
    }),
    workloads: workloads.map((w, i) => ({
      id: w.id, label: w.label, unit: w.unit, samplesPerStep: w.samplesPerStep,
      results: Object.fromEntries([...results.get(w.id)!].map(([id, c]) => [id, { ...c, seconds: +c.seconds.toFixed(3), cellSeconds: +c.cellSeconds.toFixed(1) }])),
      ratios: Object.fromEntries(RATIOS.map((d, j) => [d.header, { value: ratioValues[i]![j]!, target: w.id === 'mlp' ? d.target : null }])),
    })),
    targets,
  };
  writeReport(o.out, 'train', stamp, report, totalSeconds);
}

runMain(main);
