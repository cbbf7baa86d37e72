/**
 * f64 dense linear algebra on the host, through its own WASM module (assembly/linalg/, f64x2 SIMD):
 * Cholesky, triangular and Cholesky solves, the inverse from a Cholesky factor, products with every sum in
 * order, symmetric eigendecomposition, and the AND-OR split's descent (a loop of subset transforms). Used where
 * f32 is not enough (ill-conditioned kernel systems) and for spectra of matrices up to a few thousand.
 *
 * The functions take and return plain Float64Arrays (row-major); the module's memory is private and grows
 * on demand. Every call is synchronous and lays its buffers out from the heap base afresh, so nothing is
 * kept between calls. The module (15 KiB) is instantiated lazily and synchronously on first use, which Node,
 * Deno, workers and Chromium's main thread allow (the web page's browser test runs it there); a browser that
 * limits synchronous compilation on its main thread can call `initLinalg()` (async) once before the first use.
 */
import linalgBytes from '../../build/wasm/featurelab-linalg.wasm';
import { ArgumentError, BackendUnavailableError, FeaturelabError, MatrixTooLargeError, NotPositiveDefiniteError, ShapeError } from '../errors.js';
import { checkOptions } from '../validate.js';

/** The exports of assembly/linalg/index.ts; pointers and counts are plain numbers. */
interface LinalgKernels {
  heapBaseF64(): number;
  choleskyF64(aPtr: number, n: number): number;
  trsmLowerF64(lPtr: number, bPtr: number, n: number, nrhs: number, transpose: number): void;
  gemmInOrderF64(aPtr: number, bPtr: number, cPtr: number, m: number, n: number, k: number, transA: number, fromRow: number, lda: number, ldb: number): void;
  symEigF64(aPtr: number, n: number, wPtr: number, vPtr: number, workPtr: number): number;
  andOrDescentF64(vPtr: number, n: number, steps: number, lrPtr: number, bound: number, workPtr: number): void;
}

const PAGE = 65536;
/** Buffers are 64-byte aligned (cache lines; SIMD needs 16). */
const ALIGN = 64;

/** The instantiated module with its memory. */
interface Instance {
  kernels: LinalgKernels;
  memory: WebAssembly.Memory;
  maxBytes: number;
  base: number;
  /** Bytes from address 0 to the end of the last call's buffers (what that call needed of the memory). */
  lastTop: number;
  /** The name of a call still using the memory (gramInOrderPanels during visit), or null. */
  busy: string | null;
  /** How many layouts have been made: a call that pauses lays its data out again when another call came between. */
  layouts: number;
}

let instance: Instance | null = null;

/** Creates the memory with the largest maximum (≤ 4 GiB) the host accepts. */
function createMemory(): { memory: WebAssembly.Memory; maxBytes: number } {
  let last: unknown = null;
  for (const maximum of [65536, 32768, 16384, 8192]) {
    try {
      return { memory: new WebAssembly.Memory({ initial: 16, maximum }), maxBytes: maximum * PAGE };
    } catch (e) {
      last = e;
    }
  }
  throw new BackendUnavailableError(`linalg: cannot create a WebAssembly memory: ${last instanceof Error ? last.message : String(last)}`);
}

/** Wraps an instance's exports and memory. */
function wrap(inst: WebAssembly.Instance, memory: WebAssembly.Memory, maxBytes: number): Instance {
  const kernels = inst.exports as unknown as LinalgKernels;
  const base = Math.ceil((kernels.heapBaseF64() >>> 0) / ALIGN) * ALIGN;
  return { kernels, memory, maxBytes, base, lastTop: base, busy: null, layouts: 0 };
}

/** The import object of the module. */
function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: () => {
        throw new FeaturelabError('linalg: a kernel aborted; this is a bug, please report it with the op and sizes');
      },
    },
  };
}

/** Throws BackendUnavailableError when the engine lacks WebAssembly SIMD (the module needs it). */
function checkSimd(): void {
  if (!WebAssembly.validate(linalgBytes as Uint8Array<ArrayBuffer>)) {
    throw new BackendUnavailableError('linalg: this JavaScript engine does not support WebAssembly SIMD, which the f64 linear-algebra module needs; use Node ≥ 16, Deno or a current browser');
  }
}

/** Instantiates the module ahead of use (required on a browser's main thread; optional elsewhere). */
export async function initLinalg(): Promise<void> {
  if (instance) return;
  checkSimd();
  const { memory, maxBytes } = createMemory();
  const { instance: inst } = await WebAssembly.instantiate(linalgBytes as Uint8Array<ArrayBuffer>, imports(memory));
  instance ??= wrap(inst, memory, maxBytes);
}

/** The module, instantiated synchronously on first use. */
function get(): Instance {
  if (instance) return instance;
  checkSimd();
  const { memory, maxBytes } = createMemory();
  const module = new WebAssembly.Module(linalgBytes as Uint8Array<ArrayBuffer>);
  instance = wrap(new WebAssembly.Instance(module, imports(memory)), memory, maxBytes);
  return instance;
}

/**
 * Lays out buffers of the given f64 counts from the heap base, growing the memory to fit, and returns
 * their byte addresses. Valid until the next call (every public function starts afresh).
 */
function layout(inst: Instance, counts: number[], what: string): number[] {
  if (inst.busy) throw new FeaturelabError(`linalg: ${what} was called inside ${inst.busy}'s callback, whose data it would overwrite; finish the callback first (copy what it needs)`);
  const ptrs: number[] = [];
  let top = inst.base;
  for (const c of counts) {
    ptrs.push(top);
    top += Math.ceil((c * 8) / ALIGN) * ALIGN;
  }
  if (top > inst.maxBytes) {
    throw new MatrixTooLargeError(`linalg: ${what} needs ${(top / 2 ** 20).toFixed(1)} MiB of WebAssembly memory, more than its limit of ${(inst.maxBytes / 2 ** 20).toFixed(0)} MiB; use a smaller matrix`);
  }
  const have = inst.memory.buffer.byteLength;
  if (top > have) inst.memory.grow(Math.ceil((top - have) / PAGE));
  inst.lastTop = top;
  inst.layouts++;
  return ptrs;
}

/** A Float64Array view of `count` f64 at `ptr` (re-created after any growth). */
function view(inst: Instance, ptr: number, count: number): Float64Array {
  return new Float64Array(inst.memory.buffer, ptr, count);
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** Checks that n is a positive integer. */
function checkOrder(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n must be a positive integer, got ${n}`);
}

/** Checks that `x` is a Float64Array (a plain array or undefined would fail later, or give NaN). */
function checkF64Array(fn: string, name: string, x: Float64Array): void {
  if (!(x instanceof Float64Array)) throw new ArgumentError(`${fn}: ${name} must be a Float64Array, got ${Object.prototype.toString.call(x)}`);
}

/** Checks that `x` holds rows·cols finite values. */
function checkMatrix(fn: string, name: string, x: Float64Array, rows: number, cols: number): void {
  checkF64Array(fn, name, x);
  if (x.length !== rows * cols) {
    throw new ShapeError(`${fn}: ${name} must hold ${rows}×${cols} = ${rows * cols} values (row-major), got ${x.length}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new ArgumentError(`${fn}: ${name}[${Math.floor(i / cols)}, ${i % cols}] is ${x[i]}; every entry must be finite`);
    }
  }
}

/** Checks nrhs and B. */
function checkRhs(fn: string, b: Float64Array, n: number, nrhs: number): void {
  if (!Number.isInteger(nrhs) || nrhs < 1) throw new ArgumentError(`${fn}: nrhs must be a positive integer, got ${nrhs}`);
  checkMatrix(fn, 'b', b, n, nrhs);
}

/** Checks that the diagonal of a triangular factor has no zero (the solve would divide by it). */
function checkDiagonal(fn: string, l: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    if (l[i * n + i] === 0) throw new ArgumentError(`${fn}: l[${i}, ${i}] is 0, so L is singular; pass the factor returned by cholesky()`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Public API

/** Cholesky factor L (n×n row-major, zeros above the diagonal) of a symmetric positive-definite A; reads A's lower triangle. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  checkOrder('cholesky', n);
  checkMatrix('cholesky', 'a', a, n, n);
  const inst = get();
  const [aPtr] = layout(inst, [n * n], `cholesky of ${n}×${n}`);
  view(inst, aPtr, n * n).set(a);
  const pivot = inst.kernels.choleskyF64(aPtr, n);
  if (pivot >= 0) {
    throw new NotPositiveDefiniteError(
      `cholesky: the ${n}×${n} matrix is not positive definite: pivot ${pivot} (0-based) is not positive; ` +
      `add a ridge (e.g. 1e-6·trace/n) to the diagonal`,
    );
  }
  const l = view(inst, aPtr, n * n).slice();
  for (let i = 0; i < n; i++) l.fill(0, i * n + i + 1, (i + 1) * n);
  return l;
}

/** Runs triangular solves with L (n×n) over B (n×nrhs) in WASM, one per entry of `transposes`, and returns X. */
function triangularSolves(fn: string, l: Float64Array, n: number, b: Float64Array, nrhs: number, transposes: boolean[]): Float64Array {
  checkOrder(fn, n);
  checkMatrix(fn, 'l', l, n, n);
  checkDiagonal(fn, l, n);
  checkRhs(fn, b, n, nrhs);
  const inst = get();
  const [lPtr, bPtr] = layout(inst, [n * n, n * nrhs], `${fn} of ${n}×${n} with ${nrhs} right-hand sides`);
  view(inst, lPtr, n * n).set(l);
  view(inst, bPtr, n * nrhs).set(b);
  for (const t of transposes) inst.kernels.trsmLowerF64(lPtr, bPtr, n, nrhs, t ? 1 : 0);
  return view(inst, bPtr, n * nrhs).slice();
}

/** Solves L·X = B, or Lᵀ·X = B with `transpose`, for lower-triangular L (n×n) and B (n×nrhs); returns X. */
export function solveTriangular(l: Float64Array, n: number, b: Float64Array, nrhs: number, opts: { transpose?: boolean } = {}): Float64Array {
  checkOptions('solveTriangular', opts, { transpose: true }); // null would pass the default and fail on a property read
  return triangularSolves('solveTriangular', l, n, b, nrhs, [opts.transpose ?? false]);
}

/** Solves A·X = B given A's Cholesky factor L (A = L·Lᵀ): X = L⁻ᵀ·(L⁻¹·B); B is n×nrhs. */
export function solveCholesky(l: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  return triangularSolves('solveCholesky', l, n, b, nrhs, [false, true]);
}

/**
 * A⁻¹ (n×n, symmetric) from A's Cholesky factor L (A = L·Lᵀ), as W = L⁻¹ (a triangular solve of the identity)
 * and A⁻¹ = Wᵀ·W (the upper triangle by the in-order product, mirrored): about 2n³ flops where solving A·X = B
 * for B = I takes 2n³ and a general n×n right-hand side as much again.
 */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const fn = 'inverseFromCholesky';
  checkOrder(fn, n);
  checkMatrix(fn, 'l', l, n, n);
  checkDiagonal(fn, l, n);
  const inst = get();
  const [lPtr, wPtr, cPtr] = layout(inst, [n * n, n * n, n * n], `${fn} of ${n}×${n}`);
  view(inst, lPtr!, n * n).set(l);
  const w = view(inst, wPtr!, n * n);
  w.fill(0);
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  inst.kernels.trsmLowerF64(lPtr!, wPtr!, n, n, 0);
  inst.kernels.gemmInOrderF64(wPtr!, wPtr!, cPtr!, n, n, n, 1, 1, n, n);
  const out = view(inst, cPtr!, n * n).slice();
  for (let r = 1; r < n; r++) for (let c = 0; c < r; c++) out[r * n + c] = out[c * n + r]!;
  return out;
}

/**
 * The descent of the AND-OR split (metrics/harsanyi.ts, andOrSplit) on a table v of 2ⁿ values: SGD with momentum
 * 0.9 from p = v/2, q = 0, one step per learning rate of `lrs`, q clamped to ±bound, the sparsest iterate kept.
 * Returns that split and its AND and OR interactions (∅ and singletons not yet folded). Inputs are unchecked
 * here; andOrSplit checks them.
 */
export function andOrDescent(v: ArrayLike<number>, n: number, lrs: Float64Array, bound: number): { p: Float64Array; q: Float64Array; and: Float64Array; or: Float64Array } {
  const size = 1 << n;
  const inst = get();
  const [vPtr, lrPtr, workPtr] = layout(inst, [size, Math.max(1, lrs.length), 12 * size], `andOrDescent of 2^${n} values`);
  view(inst, vPtr!, size).set(v);
  view(inst, lrPtr!, lrs.length).set(lrs);
  inst.kernels.andOrDescentF64(vPtr!, n, lrs.length, lrPtr!, bound, workPtr!);
  const table = (i: number) => view(inst, workPtr! + i * size * 8, size).slice();
  return { p: table(0), q: table(1), and: table(2), or: table(3) };
}

/** Options of productInOrder. */
export interface ProductInOrderOptions {
  /** op(A) = Aᵀ, with A stored k×m (default: A, stored m×k). */
  transA?: boolean;
  /** A square product of which only the upper triangle (column ≥ row) is computed; the entries below are 0. */
  upper?: boolean;
}

/**
 * C = op(A)·B (m×n) where every C[r, c] is Σ_p op(A)[r, p]·B[p, c] summed in order p = 0 … k−1, so the bits
 * are those of a plain `s += a·b` loop (NaN and ±Infinity included); B is k×n, all row-major f64. Passing the
 * same array as A and B reads it once.
 */
export function productInOrder(a: Float64Array, b: Float64Array, m: number, n: number, k: number, opts: ProductInOrderOptions = {}): Float64Array {
  checkOptions('productInOrder', opts, { transA: true, upper: true }); // null would pass the default and fail on a property read
  const fn = 'productInOrder';
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  // NaN and ±Infinity are allowed here (the bits of a plain loop), so no checkMatrix; but the type is checked.
  checkF64Array(fn, 'a', a);
  checkF64Array(fn, 'b', b);
  if (a.length !== m * k) throw new ShapeError(`${fn}: a must hold ${opts.transA ? `${k}×${m}` : `${m}×${k}`} = ${m * k} values, got ${a.length}`);
  if (b.length !== k * n) throw new ShapeError(`${fn}: b must hold ${k}×${n} = ${k * n} values, got ${b.length}`);
  if (opts.upper && m !== n) throw new ArgumentError(`${fn}: upper needs a square product, got ${m}×${n}`);
  const inst = get();
  const same = a === b;
  const [aPtr, cPtr, bPtr] = layout(inst, same ? [a.length, m * n] : [a.length, m * n, b.length], `${fn} of ${m}×${k}·${k}×${n}`);
  view(inst, aPtr, a.length).set(a);
  if (!same) view(inst, bPtr!, b.length).set(b);
  inst.kernels.gemmInOrderF64(aPtr!, same ? aPtr! : bPtr!, cPtr!, m, n, k, opts.transA ? 1 : 0, opts.upper ? 1 : 0, opts.transA ? m : k, n);
  const out = view(inst, cPtr!, m * n).slice();
  // Entries the kernel skipped below the diagonal hold whatever the memory held: clear them.
  if (opts.upper) for (let r = 1; r < m; r++) out.fill(0, r * n, r * n + Math.min(r, n));
  return out;
}

/**
 * ZᵀZ of an n×w matrix Z (row-major f64) a panel of `rows` rows at a time, each from its first row's column on, each
 * entry summed over Z's rows in order (the bits of productInOrder's). visit(r0, panel, cols) receives rows r0 … r0 + h − 1
 * (h = rows, less for the last panel): panel[i·cols + c] = (ZᵀZ)[r0 + i, r0 + c], cols = w − r0. The panel is a view
 * into the module's memory, valid until visit returns; visit must not call this module. The memory holds Z and one
 * panel, never the w×w product (200 MB for the interaction tensor's 100 models × 50 features; WASM memory never shrinks).
 */
export function gramInOrderPanels(z: Float64Array, n: number, w: number, rows: number, visit: PanelVisit): void {
  for (const _ of gramPanels('gramInOrderPanels', z, n, w, rows, visit));
}

/**
 * gramInOrderPanels that awaits `pause` after each panel (so that a page can paint during a long product); the same
 * panels and bits. Another call to this module during a pause is allowed: Z is then copied in again, so `z` must not
 * change until the promise settles.
 */
export async function gramInOrderPanelsAsync(z: Float64Array, n: number, w: number, rows: number, visit: PanelVisit, pause: () => Promise<void>): Promise<void> {
  if (typeof pause !== 'function') throw new ArgumentError(`gramInOrderPanelsAsync: pause must be a function () => Promise<void>, got ${String(pause)}`);
  for (const _ of gramPanels('gramInOrderPanelsAsync', z, n, w, rows, visit)) await pause();
}

/** What gramInOrderPanels hands each panel to: its first row r0, the panel (h × cols, row-major) and cols = w − r0. */
export type PanelVisit = (r0: number, panel: Float64Array, cols: number) => void;

/** The panels of ZᵀZ, one per step of the generator; Z is laid out again when another call used the memory between steps. */
function* gramPanels(fn: string, z: Float64Array, n: number, w: number, rows: number, visit: PanelVisit): Generator<void, void, void> {
  for (const [name, v] of [['n', n], ['w', w], ['rows', rows]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  checkF64Array(fn, 'z', z);
  if (z.length !== n * w) throw new ShapeError(`${fn}: z must hold ${n}×${w} = ${n * w} values, got ${z.length}`);
  if (typeof visit !== 'function') throw new ArgumentError(`${fn}: visit must be a function (r0, panel, cols) => void, got ${String(visit)}`);
  const inst = get();
  const h = Math.min(rows, w);
  let zPtr = 0;
  let panelPtr = 0;
  let laidOutAs = -1;
  for (let r0 = 0; r0 < w; r0 += h) {
    if (inst.layouts !== laidOutAs) {
      [zPtr, panelPtr] = layout(inst, [n * w, h * w], `${fn} of a ${n}×${w} matrix in panels of ${h} rows`) as [number, number];
      view(inst, zPtr, n * w).set(z);
      laidOutAs = inst.layouts;
    }
    const height = Math.min(h, w - r0);
    const cols = w - r0;
    inst.busy = fn;
    try {
      // op(A) = Zᵀ's rows r0…: the columns r0… of Z, stride w; B = Z's columns r0…, stride w.
      const from = zPtr + r0 * 8;
      inst.kernels.gemmInOrderF64(from, from, panelPtr, height, cols, n, 1, 0, w, w);
      visit(r0, view(inst, panelPtr, height * cols), cols);
    } finally {
      inst.busy = null;
    }
    yield;
  }
}

/** Bytes of the f64 module's memory that its last call laid out (Z and one panel for gramInOrderPanels). */
export function linalgLastCallBytes(): number {
  return get().lastTop;
}

/** Options of symmetricEigen. */
export interface SymmetricEigenOptions {
  /** Largest |a[i,j] − a[j,i]| accepted, relative to max |a| (default 1e-10); A is symmetrised within it. */
  symmetryTolerance?: number;
}

/** Eigendecomposition A = V·diag(values)·Vᵀ of a symmetric n×n A: values ascending, eigenvectors as columns of `vectors` (n×n row-major). */
export function symmetricEigen(a: Float64Array, n: number, opts: SymmetricEigenOptions = {}): { values: Float64Array; vectors: Float64Array } {
  checkOptions('symmetricEigen', opts, { symmetryTolerance: true }); // null would pass the default and fail on a property read
  const fn = 'symmetricEigen';
  checkOrder(fn, n);
  checkMatrix(fn, 'a', a, n, n);
  const tol = opts.symmetryTolerance ?? 1e-10;
  if (!(tol >= 0)) throw new ArgumentError(`${fn}: symmetryTolerance must be a number ≥ 0, got ${tol}`);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  let worst = 0, wi = 0, wj = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(a[i * n + j] - a[j * n + i]);
      if (d > worst) [worst, wi, wj] = [d, i, j];
    }
  }
  if (worst > tol * scale) {
    throw new ArgumentError(
      `${fn}: a is not symmetric: |a[${wi}, ${wj}] − a[${wj}, ${wi}]| = ${worst.toExponential(3)} (a[${wi}, ${wj}] = ${a[wi * n + wj]}, a[${wj}, ${wi}] = ${a[wj * n + wi]}), ` +
      `more than ${tol}·max|a|; pass a symmetric matrix, symmetrise it as (A + Aᵀ)/2, or raise symmetryTolerance`,
    );
  }
  const inst = get();
  const [aPtr, wPtr, vPtr, workPtr] = layout(inst, [n * n, n, n * n, n], `${fn} of ${n}×${n}`);
  const av = view(inst, aPtr, n * n);
  // The QL iteration multiplies pairs of entries, which overflow near 1e160 and underflow near 1e-160: it runs
  // on a / 2^e with max|a / 2^e| in [0.5, 1) (a power of two, so exact) and the eigenvalues are scaled back.
  // (2^shift and 2^−shift both finite: shift in [−1022, 1023].)
  const shift = scale > 0 ? Math.min(1023, Math.max(-1022, Math.floor(Math.log2(scale)) + 1)) : 0;
  const down = 2 ** -shift;
  // Symmetrise exactly: the kernel reads both triangles.
  for (let i = 0; i < n; i++) {
    av[i * n + i] = a[i * n + i] * down;
    for (let j = i + 1; j < n; j++) av[i * n + j] = av[j * n + i] = 0.5 * (a[i * n + j] * down + a[j * n + i] * down);
  }
  const iters = inst.kernels.symEigF64(aPtr, n, wPtr, vPtr, workPtr);
  if (iters < 0) {
    throw new FeaturelabError(`${fn}: the QL iteration did not converge for the ${n}×${n} matrix; check it for extreme dynamic range (rescale it) and report the matrix if it persists`);
  }
  const values = view(inst, wPtr, n).slice();
  const up = 2 ** shift;
  for (let i = 0; i < n; i++) values[i]! *= up;
  return { values, vectors: view(inst, vPtr, n * n).slice() };
}
