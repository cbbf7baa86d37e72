/**
 * Backend selection: `init()` creates the backends a caller prefers, in order, falls back when one cannot
 * run (and says why), and `getBackend()` hands them out. WebGPU comes from the caller's `gpu`, from
 * `navigator.gpu` (browsers, Deno), or in Node from the npm package `webgpu` (Dawn) loaded lazily.
 */
import { BackendUnavailableError, ArgumentError } from '../errors.js';
import { checkOptions } from '../validate.js';
import { RefBackend } from './ref/refBackend.js';
import type { Backend, BackendName } from './types.js';
import { createWasmBackend } from './wasm/wasmBackend.js';
import { WebGpuBackend, createWebGpuBackend } from './webgpu/webgpuBackend.js';

/** Options of `init()`. */
export interface InitOptions {
  /** Backends to create, most preferred first (default: webgpu, wasm, ref). */
  prefer?: BackendName[];
  /** A WebGPU entry point (e.g. `navigator.gpu`); found automatically when omitted. */
  gpu?: GPU;
  /** WASM worker threads: a count, or 'auto' for one per core (default 'auto'). */
  wasmThreads?: number | 'auto';
  /** Use the WASM SIMD build where the engine supports it (default true); false forces the scalar build. */
  wasmSimd?: boolean;
  /** WASM: fused multiply-add in matmul where the engine has relaxed SIMD (default 'auto'; false = bit-identical on every machine). */
  wasmFma?: boolean | 'auto';
  /** Throw instead of falling back when WebGPU is preferred but unavailable (default: env FEATURELAB_REQUIRE_WEBGPU=1). */
  requireWebgpu?: boolean;
  /** Where fallback notices go (default console.warn); pass `() => {}` to silence them. */
  log?: (message: string) => void;
}

/** What `init()` found: the backends created, in preference order, and why any preferred one is missing. */
export interface InitReport {
  available: BackendName[];
  unavailable: { name: BackendName; reason: string }[];
}

/** Every backend name, most preferred first. */
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'ref'];

/** Reads an environment variable in Node or Deno; undefined in browsers. */
export function readEnv(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; Deno?: { env: { get(k: string): string | undefined } } };
  try {
    return g.Deno ? g.Deno.env.get(name) : g.process?.env?.[name];
  } catch {
    return undefined; // Deno without --allow-env
  }
}

// Dawn's entry point, created once per process: every init() (the suite runs one per experiment) would
// otherwise start another Dawn instance, enumerate the adapters again and repeat Dawn's driver warnings.
let dawnGpu: Promise<GPU> | undefined;

/** Finds a WebGPU entry point: navigator.gpu, else Dawn from the npm package `webgpu` in Node (created once). */
function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return Promise.resolve(nav.gpu);
  dawnGpu ??= loadDawn().catch((e: unknown) => {
    dawnGpu = undefined; // a later init may find the package installed
    throw e;
  });
  return dawnGpu;
}

/** Dawn's GPU from the npm package `webgpu` (Node only). */
async function loadDawn(): Promise<GPU> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
    && !(globalThis as { Deno?: unknown }).Deno;
  if (!isNode) throw new BackendUnavailableError('this runtime has no navigator.gpu; use a WebGPU-enabled browser or Deno, or pass init({ gpu })');
  let dawn: { create(options: string[]): GPU; globals: object };
  try {
    const specifier = 'webgpu'; // a variable keeps bundlers from resolving the Node-only package
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (e) {
    throw new BackendUnavailableError(`the npm package 'webgpu' (Dawn) could not be loaded (${(e as Error).message}); install it with 'npm install webgpu'`);
  }
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]);
}

/** Creates one backend; throws when it cannot run here. */
async function createBackend(name: BackendName, opts: InitOptions): Promise<Backend> {
  switch (name) {
    case 'webgpu': return createWebGpuBackend(opts.gpu ?? (await findGpu()));
    case 'wasm': return createWasmBackend({ threads: opts.wasmThreads ?? 'auto', simd: opts.wasmSimd, fma: opts.wasmFma });
    case 'ref': return new RefBackend();
    default: return name satisfies never;
  }
}

/** A set of initialised backends. The library keeps one (behind `init`/`getBackend`); tests may make their own. */
export class BackendRegistry {
  private backends = new Map<BackendName, Backend>();
  private report: InitReport = { available: [], unavailable: [] };

  /**
   * Creates the preferred backends and returns the names of those available, most preferred first.
   * A backend that cannot run is skipped with a notice; with `requireWebgpu` a missing WebGPU throws.
   * The backends of an earlier `init()` are disposed first, and their matrices with them.
   */
  async init(opts: InitOptions = {}): Promise<BackendName[]> {
    checkOptions('init', opts, { prefer: true, gpu: true, wasmThreads: true, wasmSimd: true, wasmFma: true, requireWebgpu: true, log: true });
    const prefer = opts.prefer ?? [...BACKEND_NAMES];
    if (!Array.isArray(prefer) || prefer.length === 0) {
      throw new ArgumentError(`init: prefer must be a non-empty array of backend names, e.g. ['webgpu', 'wasm']; got ${JSON.stringify(prefer)}`);
    }
    for (const name of prefer) {
      if (!BACKEND_NAMES.includes(name)) throw new ArgumentError(`init: unknown backend '${String(name)}'; choose from ${BACKEND_NAMES.join(', ')}`);
    }
    const log = opts.log ?? ((m: string) => console.warn(m));
    const requireWebgpu = opts.requireWebgpu ?? readEnv('FEATURELAB_REQUIRE_WEBGPU') === '1';
    this.disposeAll();
    for (const name of prefer) {
      try {
        this.backends.set(name, await createBackend(name, opts));
        this.report.available.push(name);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        if (name === 'webgpu' && requireWebgpu) {
          this.disposeAll();
          throw new BackendUnavailableError(`WebGPU is required (FEATURELAB_REQUIRE_WEBGPU=1) but unavailable: ${reason}`);
        }
        this.report.unavailable.push({ name, reason });
        const next = prefer.slice(prefer.indexOf(name) + 1).join(', ') || 'nothing';
        log(`featurelab: backend '${name}' unavailable (${reason}); falling back to ${next}`);
      }
    }
    if (this.report.available.length === 0) {
      throw new BackendUnavailableError(`no backend could be created: ${this.report.unavailable.map((u) => `${u.name}: ${u.reason}`).join('; ')}`);
    }
    return [...this.report.available];
  }

  /** The named backend, or the most preferred available one. */
  get(name?: BackendName): Backend {
    if (name !== undefined && !BACKEND_NAMES.includes(name)) throw new ArgumentError(`getBackend: unknown backend '${String(name)}'; choose from ${BACKEND_NAMES.join(', ')}`);
    if (this.report.available.length === 0) throw new BackendUnavailableError('getBackend: no backend is initialised; await init() first');
    const chosen = name ?? this.report.available[0];
    const b = this.backends.get(chosen);
    if (!b) {
      const why = this.report.unavailable.find((u) => u.name === chosen)?.reason ?? 'it was not in init({ prefer })';
      throw new BackendUnavailableError(`getBackend: backend '${chosen}' is not available (${why}); available: ${this.report.available.join(', ')}`);
    }
    return b;
  }

  /**
   * The backend to run on when none is named: the most preferred, except WebGPU on a software adapter (a CPU
   * implementation such as SwiftShader or lavapipe) when WASM is available, since on the CPU WASM is the fast
   * path. `note` says so when WebGPU was passed over (null otherwise).
   */
  forRuns(): { backend: Backend; note: string | null } {
    const first = this.get();
    if (first instanceof WebGpuBackend && first.adapterKind === 'software' && this.backends.has('wasm')) {
      return { backend: this.get('wasm'), note: `WebGPU runs on a software adapter here (${first.description}); using wasm, which is faster on the CPU` };
    }
    return { backend: first, note: null };
  }

  /** What the last `init()` created and what it could not, with reasons. */
  initReport(): InitReport {
    return { available: [...this.report.available], unavailable: this.report.unavailable.map((u) => ({ ...u })) };
  }

  /** Disposes every backend (GPU device, WASM workers), so the process can exit. */
  disposeAll(): void {
    for (const b of this.backends.values()) b.dispose();
    this.backends.clear();
    this.report = { available: [], unavailable: [] };
  }
}

const defaultRegistry = new BackendRegistry();

/**
 * Creates the preferred backends and returns the names of those available, most preferred first.
 * A backend that cannot run is skipped with a notice; with `requireWebgpu` a missing WebGPU throws.
 * The backends of an earlier `init()` are disposed first, and their matrices with them: read() what you
 * need before calling init() again.
 */
export function init(opts: InitOptions = {}): Promise<BackendName[]> {
  return defaultRegistry.init(opts);
}

/** The named backend, or the most preferred available one. Call `init()` first. */
export function getBackend(name?: BackendName): Backend {
  return defaultRegistry.get(name);
}

/** The backend for a run when none is named (WebGPU unless it runs on the CPU and WASM exists); see BackendRegistry.forRuns. */
export function getRunBackend(): { backend: Backend; note: string | null } {
  return defaultRegistry.forRuns();
}

/** What the last `init()` created and what it could not, with reasons. */
export function getInitReport(): InitReport {
  return defaultRegistry.initReport();
}

/** Disposes every backend created by `init()` (GPU device, WASM workers), so the process can exit. */
export function disposeAll(): void {
  defaultRegistry.disposeAll();
}
