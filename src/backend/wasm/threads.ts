/**
 * A pool of persistent workers over one shared WebAssembly memory, driven synchronously from the main
 * thread. Each worker instantiates the same (threads-enabled) module on the shared memory and waits on a
 * control word: it polls it for SPIN_MS after each job, then sleeps in `Atomics.wait`. To run a job the main
 * thread writes the kernel id and arguments into a control block in shared memory, bumps the sequence word and
 * notifies, runs its own share, then waits for the completion counter (polling for SPIN_MS, then `Atomics.wait`
 * in Node, Deno and workers; polling only on a browser main thread, where waiting is forbidden).
 *
 * A job is one call per thread of the same kernel export with per-thread arguments (e.g. unaryF32 on
 * thread t's range of elements, or matmulF32Team with thread t's index); a thread with no share gets an
 * argument count of 0 and skips the call.
 *
 * Control block layout (Int32 words at `ctrlPtr`): 0 sequence, 1 done counter, 2 quit flag, 3 kernel index
 * (into KERNEL_NAMES), 4 error flag; then per thread t, at ctrlPtr + 64 + t·ARG_BYTES: an i32 argument count
 * (at offset 0) and ARG_SLOTS f64 arguments (from offset 8).
 *
 * The worker source is a string embedded in the bundle (no separate file, no import.meta.url): Node and Deno
 * run it with `new Worker(code, { eval: true })` from `node:worker_threads` (so the workers can be unref'd and
 * a forgotten dispose() does not keep the process alive), browsers from a Blob URL as a module worker.
 */
import { BackendUnavailableError, DeviceLostError, FeaturelabError } from '../../errors.js';

/** Kernel exports the workers may run (a job names one by its index here). */
export const KERNEL_NAMES = [
  'matmulF32Team', 'unaryF32', 'unaryGradF32', 'binaryF32', 'sgdStepF32', 'adamwStepF32', 'fillF32', 'copyF32',
] as const;
/** A kernel export the workers may run. */
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * How long (ms) a worker keeps polling for the next job before it sleeps in `Atomics.wait`, and the main thread
 * for the workers to finish. A training step issues its threaded products and element-wise ops a fraction of a
 * millisecond apart, and waking a sleeping thread took 0.1 ms and more on the 2-vCPU dev VM, where a product of
 * the MLP takes 1–2 ms on two threads. Measured on its training step (bench/measured/cpu-2026-11-27f/): 1 ms
 * beat 0.02 (the former 4000 polls), 0.25 and 3 ms in each of three rounds.
 */
const SPIN_MS = 1;
/**
 * Polls `ctrl[index]` until `done(value)` holds or SPIN_MS have passed; returns the last value read. The main
 * thread calls it, and the workers run its source text (WORKER_BODY), so it uses nothing outside but globals.
 */
const pollFor = (ctrl: Int32Array, index: number, done: (value: number) => boolean, spinMs: number): number => {
  let v = Atomics.load(ctrl, index);
  if (done(v)) return v;
  const until = performance.now() + spinMs;
  for (let spin = 1; !done(v); spin++) {
    v = Atomics.load(ctrl, index);
    if ((spin & 255) === 0 && performance.now() > until) break;
  }
  return v;
};
const SEQ = 0;
const DONE = 1;
const QUIT = 2;
const KERNEL = 3;
const ERROR = 4;
/** Most f64 arguments of one call. */
export const ARG_SLOTS = 23;
const ARG_BYTES = 8 + ARG_SLOTS * 8;
const ARGS_OFFSET = 64;
/** Most threads a pool may have. */
export const MAX_THREADS = 16;
/** Bytes of the control block. */
export const CONTROL_BYTES = ARGS_OFFSET + MAX_THREADS * ARG_BYTES;

/** Body shared by the Node and web workers; `onInit(handler)` and `post(msg)` are defined by the prelude. */
const WORKER_BODY = `
const SEQ = ${SEQ}, DONE = ${DONE}, QUIT = ${QUIT}, KERNEL = ${KERNEL}, ERROR = ${ERROR}, SPIN_MS = ${SPIN_MS};
const pollFor = ${pollFor.toString()};
onInit((init) => {
  const { module, memory, ctrlPtr, index } = init;
  let X;
  try {
    X = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  } catch (e) {
    post({ error: String(e && e.message || e) });
    return;
  }
  const buf = memory.buffer;
  const ctrl = new Int32Array(buf, ctrlPtr, 16);
  const mine = ctrlPtr + ${ARGS_OFFSET} + index * ${ARG_BYTES};
  const count = new Int32Array(buf, mine, 1);
  const args = new Float64Array(buf, mine + 8, ${ARG_SLOTS});
  const fns = ${JSON.stringify(KERNEL_NAMES)}.map((name) => X[name]);
  let seen = Atomics.load(ctrl, SEQ);
  post({ ready: true });
  for (;;) {
    let s = pollFor(ctrl, SEQ, (v) => v !== seen, SPIN_MS);
    while (s === seen) {
      Atomics.wait(ctrl, SEQ, seen);
      s = Atomics.load(ctrl, SEQ);
    }
    seen = s;
    if (Atomics.load(ctrl, QUIT) !== 0) break;
    try {
      const n = count[0];
      if (n > 0) fns[ctrl[KERNEL]](...args.subarray(0, n));
    } catch (e) {
      Atomics.store(ctrl, ERROR, 1);
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
  post({ quit: true });
});
`;

// Dynamic import works whether Node or Deno evaluates the worker source as a script or as a module.
const NODE_PRELUDE = `
let port = null;
const loaded = import('node:worker_threads').then((wt) => { port = wt.parentPort; });
const post = (m) => port.postMessage(m);
const onInit = (f) => loaded.then(() => port.once('message', (m) => {
  f(m);
  if (m && m.index >= 0) setTimeout(() => globalThis.process?.exit(0), 0);
}));
`;

const WEB_PRELUDE = `
const post = (m) => self.postMessage(m);
const onInit = (f) => { self.onmessage = (e) => { self.onmessage = null; f(e.data); self.close(); }; };
`;

/** Minimal common surface of a Node worker and a web worker. */
interface AnyWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

/** What the worker pool needs to start. */
export interface PoolInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Address of the CONTROL_BYTES control block. */
  ctrlPtr: number;
  /** Number of workers to start (threads − 1: the calling thread is thread 0). */
  workers: number;
}

/**
 * `node:worker_threads` in Node and Deno (whose workers can be unref'd, unlike Deno's web workers), or
 * null in browsers and wherever it cannot be loaded.
 */
async function nodeWorkerThreads(): Promise<typeof import('node:worker_threads') | null> {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  if (g.Deno === undefined && typeof g.process?.versions?.node !== 'string') return null;
  try {
    return await import('node:worker_threads');
  } catch {
    return null;
  }
}

/** Whether the current thread may block in Atomics.wait (not on a browser main thread). */
function canBlock(probe: Int32Array): boolean {
  try {
    Atomics.wait(probe, 0, 1, 0); // value differs: returns 'not-equal' at once where waiting is allowed
    return true;
  } catch {
    return false;
  }
}

/** A started pool of workers; `run` is synchronous. */
export class WorkerPool {
  private readonly ctrl: Int32Array;
  private readonly counts: Int32Array[];
  private readonly args: Float64Array[];
  private readonly blocking: boolean;
  private disposed = false;

  private constructor(private readonly workers: AnyWorker[], memory: WebAssembly.Memory, ctrlPtr: number) {
    const buf = memory.buffer;
    this.ctrl = new Int32Array(buf, ctrlPtr, 16);
    this.counts = [];
    this.args = [];
    for (let t = 0; t < MAX_THREADS; t++) {
      const at = ctrlPtr + ARGS_OFFSET + t * ARG_BYTES;
      this.counts.push(new Int32Array(buf, at, 1));
      this.args.push(new Float64Array(buf, at + 8, ARG_SLOTS));
    }
    this.blocking = canBlock(this.ctrl.subarray(15, 16));
  }

  /**
   * Address of the error word, non-zero once a thread has failed in the current job: a kernel whose threads
   * wait for each other (matmulF32Team) watches it, so that one failure does not leave the others waiting forever.
   */
  get errorWordPtr(): number {
    return this.ctrl.byteOffset + ERROR * 4;
  }

  /** Number of threads including the main thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `workers` workers (thread indices 1..) and resolves once every one has instantiated
   * the module. Rejects with BackendUnavailableError when workers cannot be created here.
   */
  static async start(init: PoolInit): Promise<WorkerPool> {
    const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, 16);
    ctrl.fill(0);
    const workers: AnyWorker[] = [];
    const ready: Promise<void>[] = [];
    try {
      const wt = await nodeWorkerThreads();
      if (wt) {
        for (let i = 0; i < init.workers; i++) {
          const w = new wt.Worker(NODE_PRELUDE + WORKER_BODY, { eval: true });
          workers.push(w);
          ready.push(new Promise<void>((resolve, reject) => {
            w.on('message', (m: { ready?: boolean; error?: string }) => {
              if (m.ready) resolve();
              else if (m.error) reject(new Error(m.error));
            });
            w.on('error', reject);
            w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
          }).finally(() => {
            // A 'message' listener refs the worker's port: drop it, then unref so that a forgotten
            // dispose() does not keep the process alive.
            w.removeAllListeners('message');
            w.removeAllListeners('exit');
            w.unref();
          }));
          w.unref();
        }
      } else {
        if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL === 'undefined') {
          throw new Error('Worker, Blob or URL is not available in this environment');
        }
        const url = URL.createObjectURL(new Blob([WEB_PRELUDE + WORKER_BODY], { type: 'text/javascript' }));
        try {
          for (let i = 0; i < init.workers; i++) {
            const w = new Worker(url, { type: 'module' });
            workers.push(w);
            ready.push(new Promise<void>((resolve, reject) => {
              w.onmessage = (e: MessageEvent<{ ready?: boolean; error?: string }>) => {
                if (e.data?.ready) resolve();
                else if (e.data?.error) reject(new Error(e.data.error));
              };
              w.onerror = (e: ErrorEvent) => reject(new Error(e.message || 'worker error'));
            }));
          }
        } finally {
          // Workers have fetched their script by the time they answer; revoke after startup.
          void Promise.allSettled(ready).then(() => URL.revokeObjectURL(url));
        }
      }
      workers.forEach((w, i) => w.postMessage({
        module: init.module, memory: init.memory, ctrlPtr: init.ctrlPtr, index: i + 1,
      }));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('workers did not start within 20 s')), 20000);
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw new BackendUnavailableError(`wasm backend: could not start ${init.workers} worker thread(s): ${e instanceof Error ? e.message : String(e)}; use threads: 1`);
    }
    return new WorkerPool(workers, init.memory, init.ctrlPtr);
  }

  /**
   * Runs `kernel` once per thread with that thread's arguments (`calls[t]`, empty or missing = no share):
   * the workers take calls[1..], `self(calls[0])` runs on the calling thread. Returns when all are done.
   */
  run(kernel: KernelName, calls: readonly (readonly number[])[], self: (args: readonly number[]) => void): void {
    if (this.disposed) throw new DeviceLostError('wasm backend: the worker pool was disposed; create a new backend with init() or createWasmBackend()');
    const { ctrl } = this;
    const others = this.workers.length;
    for (let t = 1; t <= others; t++) {
      const a = calls[t] ?? [];
      if (a.length > ARG_SLOTS) throw new FeaturelabError(`wasm backend: ${kernel} got ${a.length} arguments, at most ${ARG_SLOTS} fit the control block; this is a bug`);
      this.args[t].set(a);
      this.counts[t][0] = a.length;
    }
    const kernelIndex = KERNEL_NAMES.indexOf(kernel);
    ctrl[KERNEL] = kernelIndex;
    Atomics.store(ctrl, ERROR, 0);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    let failure: unknown = null;
    try {
      if (calls[0] && calls[0].length > 0) self(calls[0]);
    } catch (e) {
      failure = e;
      Atomics.store(ctrl, ERROR, 1); // releases workers waiting for this thread's share of a team product
    }
    let d = pollFor(ctrl, DONE, (v) => v === others, SPIN_MS);
    while (d !== others) {
      if (this.blocking) Atomics.wait(ctrl, DONE, d, 50);
      d = Atomics.load(ctrl, DONE);
    }
    if (failure) throw failure;
    if (Atomics.load(ctrl, ERROR) !== 0) {
      throw new FeaturelabError('wasm backend: a kernel failed in a worker thread (out-of-bounds access or trap); this is a bug, please report it with the op and shapes');
    }
  }

  /** Stops the workers (they leave their wait loop) and terminates them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) void w.terminate();
  }
}
