/**
 * The WASM backend: AssemblyScript kernels (assembly/*.ts) compiled to three modules that are embedded in
 * the bundle as bytes — SIMD (f32x4), SIMD + threads (shared memory) and scalar — and picked at start-up
 * with `WebAssembly.validate`. Matrices live in the module's linear memory, managed by WasmHeap; a WasmMat
 * is a pointer into it. Large matrix products run on all threads of a pool of persistent workers
 * (WorkerPool), which claim blocks of the output as they go (matmulF32Team); every output element is computed
 * by the same sequence of f32 operations whichever thread takes it, so results are bit-identical for any
 * thread count.
 */
import scalarBytes from '../../../build/wasm/featurelab-scalar.wasm';
import simdBytes from '../../../build/wasm/featurelab-simd.wasm';
import simdThreadsBytes from '../../../build/wasm/featurelab-simd-threads.wasm';
import simdFmaBytes from '../../../build/wasm/featurelab-simd-fma.wasm';
import simdFmaThreadsBytes from '../../../build/wasm/featurelab-simd-fma-threads.wasm';
import { ArgumentError, BackendUnavailableError, DeviceLostError, FeaturelabError } from '../../errors.js';
import { BLOCK_UPDATES, BaseBackend, MatBase } from '../base.js';
import { checkOptions, describeValue } from '../../validate.js';
import type { AdamWPlan, BlockUpdate, MatmulPlan, SgdPlan } from '../base.js';
import type { Axis, BinaryOp, Broadcast, Mat, ReduceOp, UnaryOp } from '../types.js';
import { BINARY_OPS, BROADCASTS, REDUCE_OPS, UNARY_OPS } from '../types.js';
import { WasmHeap } from './heap.js';
import { CONTROL_BYTES, MAX_THREADS, WorkerPool } from './threads.js';
import type { KernelName } from './threads.js';

/** The arguments that describe one product, first in both GEMM exports. */
type ProductArgs = [
  aPtr: number, bPtr: number, outPtr: number, cPtr: number, biasPtr: number,
  m: number, n: number, k: number, transA: number, transB: number, alpha: number, beta: number, act: number,
];

/** The exports of the kernel module (see assembly/index.ts); pointers and counts are plain numbers. */
interface Kernels {
  heapBaseF32(): number;
  matmulScratchBytes(): number;
  matmulF32(...args: [...ProductArgs, r0: number, r1: number, c0: number, c1: number, scratchPtr: number]): void;
  matmulTeamSharedBytes(): number;
  matmulTeamSyncBytes(): number;
  matmulF32Team(...args: [...ProductArgs, thread: number, threads: number, sharedPtr: number, errorPtr: number, scratchPtr: number]): void;
  fillF32(outPtr: number, n: number, value: number): void;
  copyF32(outPtr: number, xPtr: number, n: number): void;
  unaryF32(op: number, xPtr: number, outPtr: number, n: number): void;
  unaryGradF32(op: number, xPtr: number, dyPtr: number, outPtr: number, n: number): void;
  binaryF32(op: number, bcast: number, aPtr: number, bPtr: number, outPtr: number, m: number, n: number): void;
  reduceF32(op: number, axis: number, xPtr: number, outPtr: number, m: number, n: number, scratchPtr: number): void;
  transposeF32(xPtr: number, outPtr: number, m: number, n: number): void;
  gatherRowsF32(xPtr: number, idxPtr: number, outPtr: number, rows: number, cols: number, count: number): void;
  gatherSumRowsF32(xPtr: number, offPtr: number, srcPtr: number, outPtr: number, rows: number, cols: number, outRows: number, nSources: number): void;
  softmaxCrossEntropyF32(logitsPtr: number, labelsPtr: number, lossPtr: number, gradPtr: number, m: number, c: number, meanOver: number): void;
  mseF32(predPtr: number, targetPtr: number, lossPtr: number, gradPtr: number, n: number): void;
  sgdStepF32(pPtr: number, gPtr: number, vPtr: number, n: number, lr: number, momentum: number, weightDecay: number, nesterov: number): void;
  adamwStepF32(
    pPtr: number, gPtr: number, mPtr: number, vPtr: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, c1: number, c2: number,
  ): void;
  choleskyDiagF32(aPtr: number, n: number, k0: number, kb: number): number;
  triInverseF32(outPtr: number, lPtr: number, n: number, k0: number, kb: number): void;
  copyBlockF32(outPtr: number, srcPtr: number, srcCols: number, r0: number, c0: number, rows: number, cols: number): void;
  updateBlockF32(dstPtr: number, dstCols: number, tPtr: number, rows: number, cols: number, r0: number, c0: number, mode: number): void;
}

/** A matrix of the wasm backend: a block of the backend's linear memory. */
export class WasmMat extends MatBase {
  /** @param rows row count  @param cols column count  @param ptr byte address  @param owner the backend */
  constructor(rows: number, cols: number, public ptr: number, readonly owner: WasmBackend) {
    super(rows, cols, 'wasm');
  }
}

/** Options of createWasmBackend. */
export interface WasmBackendOptions {
  /** Threads including the calling one: 1 = no workers; 'auto' (default) = the core count, capped at 8. */
  threads?: number | 'auto';
  /** Use the f32x4 SIMD build when the engine supports it (default true); false forces the scalar build. */
  simd?: boolean;
  /**
   * Fused multiply-add in the matmul micro-kernel (the relaxed-SIMD build). 'auto' (default) uses it where the
   * engine supports relaxed SIMD (Chrome ≥ 114, Node ≥ 22, Deno; Node 20 with --experimental-wasm-relaxed-simd).
   * Results stay bit-identical run to run and across thread counts on one machine, but differ in the last bits
   * from the strict build, and from a CPU without FMA; false keeps the strict build, bit-identical everywhere.
   */
  fma?: boolean | 'auto';
}

/** Most threads 'auto' picks. */
const AUTO_THREAD_CAP = 8;
/**
 * Smallest product (m·n·k multiply-adds) that is split over the workers; smaller ones run on one thread. Waking
 * a worker costs about 40 µs on the 2-vCPU dev box, about what half of a 2^20-MAC product takes: below that,
 * threads lose (modadd --preset quick, whose output layer 289×128·128×17 and its gradients are 0.63 M MACs each,
 * ran in 6.2 s with this at 2^20 against 7.9 s at 2^19).
 */
const THREADED_MIN_MACS = 1 << 20;
/** Unary ops that evaluate a transcendental function (tens of ns per element): worth threading sooner. */
const COSTLY_UNARY = new Set<UnaryOp>(['gelu', 'tanh', 'sigmoid', 'exp', 'log', 'sin', 'cos', 'acos']);
/** Smallest element counts split over the workers, by cost per element. */
const THREADED_MIN_COSTLY = 1 << 14;
const THREADED_MIN_MEDIUM = 1 << 16;
const THREADED_MIN_CHEAP = 1 << 19;
/** Element ranges given to threads are multiples of this (a 64-byte cache line of f32). */
const CHUNK = 16;
const PAGE = 65536;

/** Splits [0, count) into `parts` contiguous ranges, multiples of `align` except the last. */
function splitRange(count: number, parts: number, align: number): [number, number][] {
  const units = Math.ceil(count / align);
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    out.push([Math.min(count, Math.floor((units * t) / parts) * align), Math.min(count, Math.floor((units * (t + 1)) / parts) * align)]);
  }
  return out;
}

/** Whether shared memory and workers can possibly be used here (before trying). */
function threadsBlocker(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available (a page needs cross-origin isolation: COOP/COEP headers)';
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) return 'the page is not cross-origin isolated (serve it with COOP/COEP headers)';
  if (typeof Atomics === 'undefined') return 'Atomics is not available';
  return null;
}

/** Number of logical cores, or 1 when unknown. */
async function coreCount(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof nav?.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  if (g.Deno === undefined && typeof g.process?.versions?.node === 'string') {
    try {
      const os = await import('node:os');
      return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    } catch {
      return 1;
    }
  }
  return 1;
}

/** Creates a WebAssembly memory of `initial` pages with the largest maximum (≤ 4 GiB) the host accepts. */
function createMemory(initial: number, shared: boolean): { memory: WebAssembly.Memory; maxPages: number } {
  let last: unknown = null;
  for (const maximum of [65536, 32768, 16384, 8192]) {
    if (initial > maximum) break;
    try {
      return { memory: new WebAssembly.Memory({ initial, maximum, shared }), maxPages: maximum };
    } catch (e) {
      last = e;
    }
  }
  throw new BackendUnavailableError(`wasm backend: cannot create a ${shared ? 'shared ' : ''}WebAssembly memory of ${initial} pages: ${last instanceof Error ? last.message : String(last)}`);
}

/** Everything a WasmBackend runs on, prepared by createWasmBackend. */
interface WasmRuntime {
  kernels: Kernels;
  heap: WasmHeap;
  pool: WorkerPool | null;
  /** Scratch block of each thread (index 0 = calling thread). */
  scratchPtrs: number[];
  scratchBytes: number;
  /** The team GEMM's shared area (0 with one thread): sync words, zeroed before each product, and two B panels. */
  teamSharedPtr: number;
  description: string;
}

/** The WASM backend (use createWasmBackend to make one). */
export class WasmBackend extends BaseBackend<WasmMat> {
  readonly name = 'wasm' as const;
  readonly description: string;
  private readonly X: Kernels;
  private readonly heap: WasmHeap;
  private pool: WorkerPool | null;
  private readonly scratchPtrs: number[];
  private readonly scratchBytes: number;
  private readonly teamSharedPtr: number;
  private disposed = false;

  /** @param rt the prepared runtime (from createWasmBackend) */
  constructor(rt: WasmRuntime) {
    super();
    this.X = rt.kernels;
    this.heap = rt.heap;
    this.pool = rt.pool;
    this.scratchPtrs = rt.scratchPtrs;
    this.scratchBytes = rt.scratchBytes;
    this.teamSharedPtr = rt.teamSharedPtr;
    this.description = rt.description;
  }

  /** Threads used for large matrix products (1 = no workers). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Throws DeviceLostError once disposed: the class WebGPU throws for a disposed backend, so callers handle both alike. */
  private checkUsable(): void {
    if (this.disposed) throw new DeviceLostError('wasm backend: this backend was disposed (by dispose(), disposeAll() or a later init()); create a new one with init() or createWasmBackend() and upload the data again');
  }

  protected allocMat(rows: number, cols: number): WasmMat {
    this.checkUsable();
    const bytes = rows * cols * 4;
    return new WasmMat(rows, cols, this.heap.alloc(bytes, `a ${rows}×${cols} matrix`), this);
  }
  protected writeMat(m: WasmMat, data: Float32Array): void {
    this.heap.f32().set(data, m.ptr >>> 2);
  }
  protected readMat(m: WasmMat): Promise<Float32Array> {
    this.checkUsable();
    const at = m.ptr >>> 2;
    return Promise.resolve(this.heap.f32().slice(at, at + m.size));
  }
  protected releaseMat(m: WasmMat): void {
    this.heap.free(m.ptr);
    m.ptr = 0;
  }
  protected isOwn(m: Mat): m is WasmMat {
    return m instanceof WasmMat && m.owner === this;
  }

  /** Stops the worker threads and drops the memory; the backend cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
    this.pool = null;
  }

  /**
   * Runs an element-wise kernel over `count` elements, split over the workers when `count ≥ minCount`:
   * `args(lo, hi)` gives the kernel's arguments for elements [lo, hi).
   */
  private elementwise(kernel: KernelName, count: number, minCount: number, args: (lo: number, hi: number) => number[]): void {
    this.checkUsable(); // in-place steps allocate nothing, so they would not meet allocMat's check
    const fn = this.X[kernel] as (...a: number[]) => void;
    const pool = this.pool;
    if (!pool || count < minCount) {
      fn(...args(0, count));
      return;
    }
    const calls = splitRange(count, pool.threads, CHUNK).map(([lo, hi]) => (lo < hi ? args(lo, hi) : []));
    pool.run(kernel, calls, (a) => fn(...a));
  }

  protected kFill(out: WasmMat, value: number): void {
    this.elementwise('fillF32', out.size, THREADED_MIN_CHEAP * 2, (lo, hi) => [out.ptr + lo * 4, hi - lo, value]);
  }
  protected kCopy(out: WasmMat, x: WasmMat): void {
    this.elementwise('copyF32', x.size, THREADED_MIN_CHEAP * 2, (lo, hi) => [out.ptr + lo * 4, x.ptr + lo * 4, hi - lo]);
  }

  protected kMatmul(out: WasmMat, a: WasmMat, b: WasmMat, p: MatmulPlan<WasmMat>): void {
    const { m, n, k } = p;
    const act = p.act === 'none' ? -1 : UNARY_OPS.indexOf(p.act);
    const X = this.X;
    const pool = this.pool;
    // A batch runs block after block, each one the plain kernel on offset pointers (same bits as B calls).
    for (let blk = 0; blk < p.batch; blk++) {
      const outPtr = out.ptr + blk * m * n * 4;
      const args: ProductArgs = [
        a.ptr + blk * p.strideA * 4, b.ptr + blk * p.strideB * 4, outPtr, p.c ? p.c.ptr + blk * m * n * 4 : 0,
        p.bias ? p.bias.ptr + blk * p.biasStride * 4 : 0, m, n, k, p.transA ? 1 : 0, p.transB ? 1 : 0, p.alpha, p.beta, act,
      ];
      if (pool && m * n * k >= THREADED_MIN_MACS) {
        // All threads on the whole product, claiming blocks of it as they go (assembly/gemm.ts, matmulF32Team).
        this.heap.f32().fill(0, this.teamSharedPtr >>> 2, (this.teamSharedPtr + X.matmulTeamSyncBytes()) >>> 2);
        const calls = this.scratchPtrs.map((scratch, t) => [...args, t, pool.threads, this.teamSharedPtr, pool.errorWordPtr, scratch]);
        pool.run('matmulF32Team', calls, (c) => (X.matmulF32Team as (...a: number[]) => void)(...c));
      } else {
        X.matmulF32(...args, 0, m, 0, n, this.scratchPtrs[0]);
      }
    }
  }

  protected kUnary(out: WasmMat, op: UnaryOp, x: WasmMat): void {
    const code = UNARY_OPS.indexOf(op);
    this.elementwise('unaryF32', x.size, COSTLY_UNARY.has(op) ? THREADED_MIN_COSTLY : THREADED_MIN_CHEAP,
      (lo, hi) => [code, x.ptr + lo * 4, out.ptr + lo * 4, hi - lo]);
  }
  protected kUnaryGrad(out: WasmMat, op: UnaryOp, x: WasmMat, dy: WasmMat): void {
    const code = UNARY_OPS.indexOf(op);
    this.elementwise('unaryGradF32', x.size, COSTLY_UNARY.has(op) ? THREADED_MIN_COSTLY : THREADED_MIN_MEDIUM,
      (lo, hi) => [code, x.ptr + lo * 4, dy.ptr + lo * 4, out.ptr + lo * 4, hi - lo]);
  }
  protected kBinary(out: WasmMat, op: BinaryOp, a: WasmMat, b: WasmMat, bcast: Broadcast): void {
    const code = BINARY_OPS.indexOf(op);
    const kind = BROADCASTS.indexOf(bcast);
    const cols = a.cols;
    if (bcast === 'full' || bcast === 'scalar') {
      // Element ranges of a 1×count view.
      this.elementwise('binaryF32', a.size, THREADED_MIN_CHEAP, (lo, hi) => [
        code, kind, a.ptr + lo * 4, bcast === 'full' ? b.ptr + lo * 4 : b.ptr, out.ptr + lo * 4, 1, hi - lo]);
    } else {
      // Row ranges (count = rows, threshold scaled by the row length).
      this.elementwise('binaryF32', a.rows, Math.ceil(THREADED_MIN_CHEAP / cols), (lo, hi) => [
        code, kind, a.ptr + lo * cols * 4, bcast === 'row' ? b.ptr : b.ptr + lo * 4, out.ptr + lo * cols * 4, hi - lo, cols]);
    }
  }
  protected kReduce(out: WasmMat, op: ReduceOp, x: WasmMat, axis: Axis, batch: number): void {
    const need = axis === 0 ? x.cols * 8 : 0;
    let scratch = this.scratchPtrs[0];
    const temp = need > this.scratchBytes ? this.heap.alloc(need, 'reduction accumulators') : 0;
    if (temp) scratch = temp;
    try {
      // A batch: each row block reduced on its own (the same arithmetic as reducing that block alone).
      const rows = x.rows / batch;
      for (let b = 0; b < batch; b++) {
        this.X.reduceF32(REDUCE_OPS.indexOf(op), axis, x.ptr + b * rows * x.cols * 4, out.ptr + b * out.cols * 4, rows, x.cols, scratch);
      }
    } finally {
      if (temp) this.heap.free(temp);
    }
  }
  protected kCholeskyDiag(a: WasmMat, k0: number, kb: number): number {
    return this.X.choleskyDiagF32(a.ptr, a.cols, k0, kb);
  }
  protected kTriInverse(out: WasmMat, l: WasmMat, k0: number, kb: number): void {
    this.X.triInverseF32(out.ptr, l.ptr, l.cols, k0, kb);
  }
  protected kCopyBlock(out: WasmMat, src: WasmMat, r0: number, c0: number): void {
    this.X.copyBlockF32(out.ptr, src.ptr, src.cols, r0, c0, out.rows, out.cols);
  }
  protected kUpdateBlock(dst: WasmMat, t: WasmMat, r0: number, c0: number, mode: BlockUpdate): void {
    this.X.updateBlockF32(dst.ptr, dst.cols, t.ptr, t.rows, t.cols, r0, c0, BLOCK_UPDATES.indexOf(mode));
  }
  protected kTranspose(out: WasmMat, x: WasmMat): void {
    this.X.transposeF32(x.ptr, out.ptr, x.rows, x.cols);
  }
  protected kGatherRows(out: WasmMat, x: WasmMat, indices: WasmMat): void {
    this.X.gatherRowsF32(x.ptr, indices.ptr, out.ptr, x.rows, x.cols, indices.size);
  }
  protected kGatherSumRows(out: WasmMat, x: WasmMat, offsets: WasmMat, sources: WasmMat): void {
    this.X.gatherSumRowsF32(x.ptr, offsets.ptr, sources.ptr, out.ptr, x.rows, x.cols, out.rows, sources.size);
  }
  protected kSoftmaxCrossEntropy(loss: WasmMat, grad: WasmMat, logits: WasmMat, labels: WasmMat, meanOver: number): void {
    this.X.softmaxCrossEntropyF32(logits.ptr, labels.ptr, loss.ptr, grad.ptr, logits.rows, logits.cols, meanOver);
  }
  protected kMse(loss: WasmMat, grad: WasmMat, pred: WasmMat, target: WasmMat): void {
    this.X.mseF32(pred.ptr, target.ptr, loss.ptr, grad.ptr, pred.size);
  }
  protected kSgd(param: WasmMat, grad: WasmMat, velocity: WasmMat | null, h: SgdPlan): void {
    this.elementwise('sgdStepF32', param.size, THREADED_MIN_MEDIUM * 2, (lo, hi) => [
      param.ptr + lo * 4, grad.ptr + lo * 4, velocity ? velocity.ptr + lo * 4 : 0, hi - lo,
      h.lr, h.momentum, h.weightDecay, h.nesterov ? 1 : 0]);
  }
  protected kAdamw(param: WasmMat, grad: WasmMat, m: WasmMat, v: WasmMat, h: AdamWPlan): void {
    const { c1, c2 } = h;
    this.elementwise('adamwStepF32', param.size, THREADED_MIN_COSTLY, (lo, hi) => [
      param.ptr + lo * 4, grad.ptr + lo * 4, m.ptr + lo * 4, v.ptr + lo * 4, hi - lo,
      h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, c1, c2]);
  }
}

/** Instantiates a kernel module on `memory`. */
async function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Kernels> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new FeaturelabError('wasm backend: a kernel aborted; this is a bug, please report it with the op and shapes');
      },
    },
  });
  return instance.exports as unknown as Kernels;
}

/**
 * Creates the WASM backend: picks the SIMD or scalar build, creates the memory, and with threads > 1
 * starts the worker pool over shared memory. Falls back to one thread (and says why in `description`)
 * where shared memory or workers are unavailable.
 */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  checkOptions('createWasmBackend', opts, { threads: true, simd: true, fma: true });
  if (typeof WebAssembly !== 'object') throw new BackendUnavailableError('wasm backend: WebAssembly is not available in this runtime; use the ref backend');
  const req = opts.threads ?? 'auto';
  if (req !== 'auto' && (!Number.isInteger(req) || req < 1 || req > MAX_THREADS)) {
    throw new ArgumentError(`createWasmBackend: threads must be 'auto' or an integer in [1, ${MAX_THREADS}], got ${describeValue(req)}`);
  }
  const wantThreads = req === 'auto' ? Math.max(1, Math.min(AUTO_THREAD_CAP, await coreCount())) : req;
  const simdOk = WebAssembly.validate(simdBytes as Uint8Array<ArrayBuffer>);
  const useSimd = opts.simd !== false && simdOk;
  const notes: string[] = [];
  if (opts.simd !== false && !simdOk) notes.push('SIMD unavailable in this engine');

  let threads = 1;
  let shared = false;
  if (wantThreads > 1) {
    const blocker = !useSimd ? 'threads need the SIMD build' : threadsBlocker()
      ?? (WebAssembly.validate(simdThreadsBytes as Uint8Array<ArrayBuffer>) ? null : 'WebAssembly threads are not supported by this engine');
    if (blocker) notes.push(`threads unavailable: ${blocker}`);
    else {
      threads = wantThreads;
      shared = true;
    }
  }

  // The relaxed-SIMD build: only with SIMD, and only where the engine validates it.
  const fmaReq = opts.fma ?? 'auto';
  const fmaOk = useSimd && WebAssembly.validate((shared ? simdFmaThreadsBytes : simdFmaBytes) as Uint8Array<ArrayBuffer>);
  const fma = fmaReq !== false && fmaOk;
  if (fmaReq === true && !fma) notes.push(useSimd ? 'FMA unavailable: this engine lacks relaxed SIMD' : 'FMA needs the SIMD build');
  const bytes = (shared ? (fma ? simdFmaThreadsBytes : simdThreadsBytes)
    : fma ? simdFmaBytes : useSimd ? simdBytes : scalarBytes) as Uint8Array<ArrayBuffer>;
  const module = await WebAssembly.compile(bytes);
  try {
    return await start(module, shared, threads, useSimd, fma, notes);
  } catch (e) {
    if (threads === 1 || !(e instanceof BackendUnavailableError)) throw e;
    notes.push(`threads unavailable: ${e.message}`);
    // Shared memory works but workers do not: one thread on the non-shared SIMD build.
    const single = (fma ? simdFmaBytes : simdBytes) as Uint8Array<ArrayBuffer>;
    return start(await WebAssembly.compile(single), false, 1, useSimd, fma, notes);
  }
}

/** Builds memory, heap, scratch and (for threads > 1) the pool for one compiled module. */
async function start(module: WebAssembly.Module, shared: boolean, threads: number, simd: boolean, fma: boolean, notes: string[]): Promise<WasmBackend> {
  // 64 pages (4 MiB) to start with; the heap grows the memory on demand up to its maximum.
  const { memory, maxPages } = createMemory(64, shared);
  const kernels = await instantiate(module, memory);
  const heap = new WasmHeap(memory, kernels.heapBaseF32() >>> 0, maxPages * PAGE);
  const scratchBytes = kernels.matmulScratchBytes();
  const scratchPtrs: number[] = [];
  for (let t = 0; t < threads; t++) scratchPtrs.push(heap.alloc(scratchBytes, 'GEMM packing scratch'));
  let pool: WorkerPool | null = null;
  const teamSharedPtr = threads > 1 ? heap.alloc(kernels.matmulTeamSharedBytes(), 'the shared GEMM packing buffers') : 0;
  if (threads > 1) {
    const ctrlPtr = heap.alloc(CONTROL_BYTES, 'the thread control block');
    pool = await WorkerPool.start({ module, memory, ctrlPtr, workers: threads - 1 });
  }
  const parts = [simd ? (fma ? 'SIMD f32x4 + relaxed FMA' : 'SIMD f32x4') : 'scalar', `${threads} thread${threads === 1 ? '' : 's'}`, ...notes];
  return new WasmBackend({ kernels, heap, pool, scratchPtrs, scratchBytes, teamSharedPtr, description: `wasm (${parts.join(', ')})` });
}
