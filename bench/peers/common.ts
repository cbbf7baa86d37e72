/**
 * What every engine adapter of the benchmarks implements, plus the Node set-up they share (WebGPU through
 * Dawn, `navigator`, package versions).
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import os from 'node:os';

/**
 * One product: result (m×n) = op(A) · op(B) with op(A) m×k and op(B) k×n.
 * A is stored k×m when transA (the product uses Aᵀ), else m×k; B is stored n×k when transB, else k×n.
 */
export interface MatmulCase {
  /** Row label of the table. */
  label: string;
  /** 'square' (n×n · n×n) or 'training' (an MLP layer's forward or backward product). */
  group: 'square' | 'training';
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** n×n · n×n for each size. */
export function squareCases(sizes: number[]): MatmulCase[] {
  return sizes.map((n) => ({ label: `${n}×${n}·${n}×${n}`, group: 'square', m: n, n, k: n, transA: false, transB: false }));
}

/**
 * The three layers of an MLP 784-512-512-10 at batch 128: forward Y = X·W (X b×i, W i×o), and backward
 * dW = Xᵀ·dY (A = X stored b×i, transA) and dX = dY·Wᵀ (B = W stored i×o, transB).
 */
export function trainingCases(): MatmulCase[] {
  const batch = 128;
  const layers: [number, number][] = [[784, 512], [512, 512], [512, 10]];
  const cases: MatmulCase[] = [];
  for (const [i, o] of layers) {
    cases.push({ label: `X·W ${batch}×${i}·${i}×${o}`, group: 'training', m: batch, k: i, n: o, transA: false, transB: false });
    cases.push({ label: `dW=Xᵀ·dY ${i}×${batch}·${batch}×${o}`, group: 'training', m: i, k: batch, n: o, transA: true, transB: false });
    cases.push({ label: `dX=dY·Wᵀ ${batch}×${o}·${o}×${i}`, group: 'training', m: batch, k: o, n: i, transA: false, transB: true });
  }
  return cases;
}

/** `len` seeded operands in [-1, 1) (a linear congruential sequence: the same for a seed on every run). */
export function seededOperand(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Largest error of `got` against an f64 product, relative to Σ|a·b|, on about 4096 sampled entries (all for small products). */
export function sampledRelativeError(c: MatmulCase, a: Float32Array, b: Float32Array, got: Float32Array): number {
  const { m, n, k, transA, transB } = c;
  let worst = 0;
  const step = Math.max(1, Math.floor((m * n) / 4096));
  for (let idx = 0; idx < m * n; idx += step) {
    const i = Math.floor(idx / n);
    const j = idx % n;
    let sum = 0;
    let mag = 0;
    for (let p = 0; p < k; p++) {
      const x = transA ? a[p * m + i]! : a[i * k + p]!;
      const y = transB ? b[j * k + p]! : b[p * n + j]!;
      sum += x * y;
      mag += Math.abs(x * y);
    }
    worst = Math.max(worst, Math.abs(got[idx]! - sum) / Math.max(mag, 1e-30));
  }
  return worst;
}

/** Rows and columns of A and B as stored (before the transposes). */
export function storedShapes(c: MatmulCase): { a: [number, number]; b: [number, number] } {
  return {
    a: c.transA ? [c.k, c.m] : [c.m, c.k],
    b: c.transB ? [c.n, c.k] : [c.k, c.n],
  };
}

/** A product whose operands are already on the engine. */
export interface PreparedMatmul {
  /** Computes the product once and reads it back (row-major m×n). */
  result(): Promise<Float32Array>;
  /**
   * Computes the product `reps` times and returns once all of them have completed (for asynchronous
   * engines: after waiting on the last result, as a training step would), freeing the results.
   */
  run(reps: number): Promise<void>;
  /** Releases the operands. */
  free(): void;
}

/** One engine (library + device) under test. */
export interface MatmulEngine {
  /** What runs: library, version, device, adapter, threads. */
  readonly description: string;
  /** Uploads A and B (stored shapes per `storedShapes`). */
  prepare(c: MatmulCase, a: Float32Array, b: Float32Array): Promise<PreparedMatmul>;
  /** Releases everything the engine holds. */
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Version of an installed package (walks up from its main file to its package.json). */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      }
      const up = dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

/** Directory of an installed package's main file (with a trailing slash). */
export function packageMainDir(name: string): string {
  return dirname(require.resolve(name)) + '/';
}

/** The Node WebGPU set-up shared by every WebGPU engine in the process. */
export interface NodeGpu {
  gpu: GPU;
  /** The adapter every engine gets here (vendor, architecture, device, description), or why there is none. */
  adapter: string;
  /** False when requestAdapter() returned null (no Vulkan driver). */
  ok: boolean;
}

let nodeGpu: Promise<NodeGpu> | null = null;

/** Human-readable adapter info. */
export function describeAdapterInfo(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  return parts.length ? [...new Set(parts)].join(' / ') : 'unknown adapter';
}

/**
 * Creates Dawn's GPU once, installs its globals (GPUBufferUsage, …) and a `navigator` with `gpu`,
 * `userAgent` and `hardwareConcurrency` (Node 20 has no `navigator`; TensorFlow.js and jax-js read it).
 * `FEATURELAB_BENCH_DAWN_FLAGS` (Dawn flags separated by ";", e.g. `enable-dawn-features=disable_robustness`) is
 * for diagnosing a GPU's kernels only: every engine of the run then gets that device.
 */
export function setupNodeGpu(): Promise<NodeGpu> {
  nodeGpu ??= (async () => {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const flags = process.env.FEATURELAB_BENCH_DAWN_FLAGS?.split(';').filter(Boolean) ?? [];
    if (flags.length) console.log(`Dawn flags (FEATURELAB_BENCH_DAWN_FLAGS): ${JSON.stringify(flags)}`);
    const gpu = create(flags);
    const g = globalThis as unknown as { navigator?: Record<string, unknown> };
    const existing = g.navigator ?? {};
    const nav: Record<string, unknown> = {
      userAgent: `Node.js/${process.versions.node}`,
      hardwareConcurrency: os.cpus().length,
      language: 'en-US',
    };
    for (const key of ['userAgent', 'hardwareConcurrency', 'language', 'platform']) {
      if (existing[key] !== undefined) nav[key] = existing[key];
    }
    nav.gpu = gpu;
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return { gpu, ok: false, adapter: 'no WebGPU adapter (requestAdapter() returned null; is VK_ICD_FILENAMES set?)' };
    }
    return { gpu, ok: true, adapter: describeAdapterInfo(adapter.info) };
  })();
  return nodeGpu;
}

/** The adapter info of a GPUDevice where the implementation exposes it (GPUDevice.adapterInfo). */
export function deviceAdapter(device: GPUDevice | undefined): string | null {
  const info = (device as { adapterInfo?: GPUAdapterInfo } | undefined)?.adapterInfo;
  return info ? describeAdapterInfo(info) : null;
}

/** Message of an unknown thrown value, on one line. */
export function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return msg.replace(/\s+/g, ' ').trim();
}

/** Writes a benchmark report as DIR/<name>-<timestamp>.json and says where. */
export function writeReport(dir: string, name: string, stamp: string, report: unknown, totalSeconds: number): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${stamp.replace(/:/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${file} (${totalSeconds.toFixed(0)} s)`);
}

/** Runs a benchmark's main and exits with 0, or 1 after printing the error. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      // A bad option is the caller's to fix: its message alone (exit 2); anything else is a failure, with its stack.
      if (e instanceof BenchUsageError) {
        console.error(`bench: ${e.message}`);
        process.exit(2);
      }
      console.error(e instanceof Error ? e.stack ?? e.message : e);
      process.exit(1);
    },
  );
}

/**
 * The `--name=value` arguments of a benchmark that takes the options `names`, as a lookup with a fallback. Any
 * other argument (a misspelt option, --help) is a BenchUsageError that lists them: the run would otherwise go
 * ahead with the defaults. Call it inside main, so that runMain reports the error.
 */
export function benchOptions(names: readonly string[]): (name: string, fallback: string) => string {
  const values = new Map<string, string>();
  for (const arg of process.argv.slice(2)) {
    const m = /^--([a-zA-Z][a-zA-Z-]*)=(.*)$/.exec(arg);
    if (!m || !names.includes(m[1]!)) throw new BenchUsageError(`unknown option ${arg}; this benchmark takes ${names.map((n) => `--${n}=…`).join(', ')} (see bench/README.md)`);
    values.set(m[1]!, m[2]!);
  }
  return (name, fallback) => values.get(name) ?? fallback;
}

/** A whole number ≥ min from an option's text; BenchUsageError naming the option otherwise. */
export function wholeOption(name: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new BenchUsageError(`--${name} needs a whole number ≥ ${min}, got '${text}'`);
  return v;
}

/** The median of `xs` (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A bad benchmark option (unknown name, a value out of range): runMain prints its message without a stack. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}
