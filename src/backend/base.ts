/**
 * BaseBackend: everything the three backends share — argument and shape validation, ownership checks,
 * result allocation and `scope()` — so each backend only writes its kernels (the `k*` methods), which
 * receive validated inputs and a freshly allocated output.
 */
import { ArgumentError, InvalidMatrixError, NotPositiveDefiniteError, ShapeError } from '../errors.js';
import type {
  Activation, AdamWHyper, Axis, Backend, BackendName, BatchOptions, BinaryOp, Broadcast, LossResult, Mat,
  MatmulOptions, ReduceOp, ReduceOptions, SgdHyper, SolveTriangularOptions, UnaryOp,
} from './types.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from './types.js';
import { checkOptions, describeValue, type OptionKeys } from '../validate.js';

/** Storage-independent part of a backend's matrix handle. */
export class MatBase implements Mat {
  freed = false;
  /** The backend instance that allocated it (set by BaseBackend.result): another instance of the same kind refuses it. */
  owner: object | null = null;
  /** @param rows row count  @param cols column count  @param backend owner's name */
  constructor(readonly rows: number, readonly cols: number, readonly backend: BackendName) {}
  /** Number of elements. */
  get size(): number {
    return this.rows * this.cols;
  }
}

/** Validated matmul parameters handed to a backend's kernel. */
export interface MatmulPlan<M> {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  alpha: number; beta: number;
  c: M | null; bias: M | null; act: Activation;
  /**
   * Number of products (1: a plain matmul). Block b reads A from element b·strideA, B from b·strideB, the
   * bias from b·biasStride (0: shared), and writes (and reads C) from element b·m·n.
   */
  batch: number; strideA: number; strideB: number; biasStride: number;
}

/** How kUpdateBlock writes a block into a matrix (the index is the kernels' mode code). */
export const BLOCK_UPDATES = ['set', 'sub', 'subLower'] as const;
/** How kUpdateBlock writes a block into a matrix. */
export type BlockUpdate = (typeof BLOCK_UPDATES)[number];

/** SGD hyper-parameters with every default filled in. */
export type SgdPlan = Required<SgdHyper>;
/** AdamW hyper-parameters with every default filled in, and the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t. */
export type AdamWPlan = Required<AdamWHyper> & { c1: number; c2: number };

/** A `batch` option (default 1), checked: a positive integer. */
function batchCount(op: string, batch = 1): number {
  if (!Number.isInteger(batch) || batch < 1) throw new ArgumentError(`${op}: batch must be a positive integer, got ${batch}`);
  return batch;
}

/** The `batch` of an op's options, checked: a positive integer that divides x's rows. */
function batchOf(op: string, opts: BatchOptions, x: Mat): number {
  checkOptions(op, opts, { batch: true });
  const batch = batchCount(op, opts.batch);
  if (x.rows % batch !== 0) throw new ShapeError(`${op}: ${shapeOf(x)} does not split into batch = ${batch} row blocks of equal size`);
  return batch;
}

/** Formats a shape as `3×4` for error messages. */
export function shapeOf(m: Mat): string {
  return `${m.rows}×${m.cols}`;
}

function requireFinite(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ArgumentError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  }
  return v;
}

/** `v` checked to be a finite number ≥ 0; `why` says what a negative value would do. */
function requireNonNegative(op: string, name: string, v: number, why = 'a negative step climbs the loss'): number {
  if (requireFinite(op, name, v) < 0) throw new ArgumentError(`${op}: ${name} must be ≥ 0, got ${v} (${why})`);
  return v;
}

/** Why a negative weight decay is refused (both optimizers). */
const NEGATIVE_DECAY = 'a negative decay grows the weights instead of shrinking them';

/** The hyper-parameter object of an optimizer step, checked to be one with only the given keys (a misspelt one would be ignored). */
function requireHyper<T extends object>(op: string, hyper: T, keys: NoInfer<OptionKeys<T>>): T {
  if (hyper === null || typeof hyper !== 'object') throw new ArgumentError(`${op}: pass the hyper-parameters as an object, e.g. { lr: 0.01 }; got ${describeValue(hyper)}`);
  checkOptions(op, hyper, keys);
  return hyper;
}

/** An optional boolean option: undefined is false; anything but a boolean is refused ('false' as a string would be true). */
function optionalFlag(op: string, name: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw new ArgumentError(`${op}: ${name} must be true or false (or left out), got ${describeValue(v)}`);
  return v === true;
}

/** Throws unless the in-place operands are distinct matrices (an aliased step computes something else on each backend). */
function requireDistinct(op: string, named: [string, Mat | null][]): void {
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (named[i]![1] && named[i]![1] === named[j]![1]) throw new ArgumentError(`${op}: ${named[i]![0]} and ${named[j]![0]} are the same matrix; each must be its own (e.g. zeros of the param's shape for the optimizer state)`);
    }
  }
}

/** Checks that rows and cols are positive integers (zero-size matrices are refused). */
export function checkDims(op: string, rows: number, cols: number): void {
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ShapeError(`${op}: ${name} must be a positive integer, got ${describeValue(v)}; featurelab has no zero-size matrices`);
    }
  }
}

/** Infers the broadcast of `b` against `a` from the shapes, or checks the given one. */
export function resolveBroadcast(op: string, a: Mat, b: Mat, bcast?: Broadcast): Broadcast {
  const fits: Record<Broadcast, boolean> = {
    full: b.rows === a.rows && b.cols === a.cols,
    row: b.rows === 1 && b.cols === a.cols,
    col: b.rows === a.rows && b.cols === 1,
    scalar: b.rows === 1 && b.cols === 1,
  };
  if (bcast !== undefined) {
    if (!(bcast in fits)) throw new ArgumentError(`${op}: unknown broadcast '${String(bcast)}'; use full, row, col or scalar`);
    if (!fits[bcast]) {
      throw new ShapeError(`${op}: broadcast '${bcast}' needs b of shape ${
        { full: shapeOf(a), row: `1×${a.cols}`, col: `${a.rows}×1`, scalar: '1×1' }[bcast]} for a ${shapeOf(a)}, got b ${shapeOf(b)}`);
    }
    return bcast;
  }
  for (const kind of ['full', 'row', 'col', 'scalar'] as const) if (fits[kind]) return kind;
  // Only b is broadcast: when a is the smaller one, swapping them (for a symmetric op) is the fix.
  const swapped = (a.rows === 1 || a.rows === b.rows) && (a.cols === 1 || a.cols === b.cols);
  const allowed = [...new Set([shapeOf(a), `1×${a.cols}`, `${a.rows}×1`, '1×1'])];
  throw new ShapeError(`${op}: b ${shapeOf(b)} cannot be broadcast against a ${shapeOf(a)}; b must be ${allowed.slice(0, -1).join(', ')}${allowed.length > 1 ? ' or ' : ''}${allowed.at(-1)}`
    + (swapped ? ` (only b is broadcast: pass the ${shapeOf(b)} matrix as a)` : ''));
}

function checkOneOf<T extends string>(op: string, what: string, v: T, allowed: readonly T[]): void {
  if (!allowed.includes(v)) throw new ArgumentError(`${op}: unknown ${what} '${String(v)}'; allowed: ${allowed.join(', ')}`);
}

/** Shared implementation of the Backend contract over a small set of kernels. */
export abstract class BaseBackend<M extends MatBase> implements Backend {
  abstract readonly name: BackendName;
  abstract readonly description: string;
  private scopes: Set<M>[] = [];

  /** Allocates an uninitialised rows×cols matrix (contents are overwritten by the caller's kernel). */
  protected abstract allocMat(rows: number, cols: number): M;
  /** Writes host data of length rows·cols into `m` (a Float32Array unless `keepsF64`). */
  protected abstract writeMat(m: M, data: Float32Array): void;
  /** True for a backend that stores f64 (ref): upload() then keeps f64 input exact instead of rounding to f32. */
  protected readonly keepsF64: boolean = false;
  /** Reads `m` back to the host. */
  protected abstract readMat(m: M): Promise<Float32Array>;
  /** Releases `m`'s storage. */
  protected abstract releaseMat(m: M): void;
  /** Narrows a Mat to this backend's type; the caller has already checked ownership. */
  protected abstract isOwn(m: Mat): m is M;

  protected abstract kFill(out: M, value: number): void;
  protected abstract kCopy(out: M, x: M): void;
  protected abstract kMatmul(out: M, a: M, b: M, plan: MatmulPlan<M>): void;
  protected abstract kUnary(out: M, op: UnaryOp, x: M): void;
  protected abstract kUnaryGrad(out: M, op: UnaryOp, x: M, dy: M): void;
  protected abstract kBinary(out: M, op: BinaryOp, a: M, b: M, bcast: Broadcast): void;
  /** `batch` row blocks (axis 0 only; 1 otherwise): out is batch×n. */
  protected abstract kReduce(out: M, op: ReduceOp, x: M, axis: Axis, batch: number): void;
  protected abstract kTranspose(out: M, x: M): void;
  protected abstract kGatherRows(out: M, x: M, indices: M): void;
  protected abstract kGatherSumRows(out: M, x: M, offsets: M, sources: M): void;
  /** `meanOver`: the rows each mean is over (the row count, or rows / batch: the sum of the blocks' means). */
  protected abstract kSoftmaxCrossEntropy(loss: M, grad: M, logits: M, labels: M, meanOver: number): void;
  protected abstract kMse(loss: M, grad: M, pred: M, target: M): void;
  protected abstract kSgd(param: M, grad: M, velocity: M | null, hyper: SgdPlan): void;
  protected abstract kAdamw(param: M, grad: M, m: M, v: M, hyper: AdamWPlan): void;
  /**
   * Cholesky of the diagonal block a[k0:k0+kb, k0:k0+kb] in place (lower triangle, already updated by the
   * earlier panels), zeroing rows k0…k0+kb−1 right of the diagonal up to column n−1. Returns the index of
   * the first pivot that is not positive, or −1 (a backend that cannot tell synchronously writes NaN from
   * that pivot on and returns −1).
   */
  protected abstract kCholeskyDiag(a: M, k0: number, kb: number): number;
  /** out (kb×kb) = the inverse of the lower-triangular block l[k0:k0+kb, k0:k0+kb]. */
  protected abstract kTriInverse(out: M, l: M, k0: number, kb: number): void;
  /** out (r×c) = src[r0:r0+r, c0:c0+c]. */
  protected abstract kCopyBlock(out: M, src: M, r0: number, c0: number): void;
  /**
   * dst[r0+i, c0+j] = t[i, j] ('set'), −= t[i, j] ('sub'), or −= t[i, j] only where c0+j ≤ r0+i
   * ('subLower', the lower triangle).
   */
  protected abstract kUpdateBlock(dst: M, t: M, r0: number, c0: number, mode: BlockUpdate): void;
  /** Releases device, workers and memory. */
  abstract dispose(): void;

  /** Checks that `m` is a live matrix of this backend and returns it typed. */
  protected own(op: string, m: Mat, what = 'matrix'): M {
    if (m === null || typeof m !== 'object' || !('rows' in m)) {
      throw new ArgumentError(`${op}: ${what} is not a matrix (got ${String(m)}); create one with backend.upload() or zeros()`);
    }
    if (m.backend !== this.name) {
      throw new InvalidMatrixError(`${op}: ${what} belongs to the '${m.backend}' backend, not '${this.name}'; read() it and upload() it here`);
    }
    if (!this.isOwn(m) || m.owner !== this) {
      throw new InvalidMatrixError(`${op}: ${what} (${shapeOf(m)}) was made by another ${this.name} backend instance: one that a later init() or disposeAll() disposed `
        + `(with its matrices), or one created separately; upload the data again here (read() it first from its own backend while that one is not disposed)`);
    }
    if (m.freed) throw new InvalidMatrixError(`${op}: ${what} (${shapeOf(m)}) was already freed; keep it alive or return it from scope()`);
    return m;
  }

  /** Allocates a result matrix and registers it with the innermost scope. */
  protected result(op: string, rows: number, cols: number): M {
    checkDims(op, rows, cols);
    const m = this.allocMat(rows, cols);
    m.owner = this;
    this.scopes[this.scopes.length - 1]?.add(m);
    return m;
  }

  /** Copies `data` (row-major, length rows·cols) into a new matrix. */
  upload(data: Float32Array | ArrayLike<number>, rows: number, cols: number): Mat {
    checkDims('upload', rows, cols);
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number' || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new ArgumentError(`upload: data must be a Float32Array or an array of numbers, got ${describeValue(data)}`);
    }
    if (data.length !== rows * cols) {
      throw new ShapeError(`upload: data has ${data.length} elements but ${rows}×${cols} needs ${rows * cols}`);
    }
    // Typed arrays hold numbers by construction; a plain array's strings or holes would become NaN silently.
    if (!ArrayBuffer.isView(data)) {
      for (let i = 0; i < data.length; i++) {
        if (typeof data[i] !== 'number') throw new ArgumentError(`upload: data[${i}] is ${describeValue(data[i])}, not a number; pass numbers only (NaN and ±Infinity are kept as they are)`);
      }
    }
    const m = this.result('upload', rows, cols);
    this.writeMat(m, data instanceof Float32Array || this.keepsF64 ? (data as Float32Array) : Float32Array.from(data));
    return m;
  }

  /** A new rows×cols matrix of zeros. */
  zeros(rows: number, cols: number): Mat {
    const m = this.result('zeros', rows, cols);
    this.kFill(m, 0);
    return m;
  }

  /** A new matrix with the contents of `x`. */
  copy(x: Mat): Mat {
    const xx = this.own('copy', x);
    const out = this.result('copy', xx.rows, xx.cols);
    this.kCopy(out, xx);
    return out;
  }

  /** Reads `m` to the host. */
  read(m: Mat): Promise<Float32Array> {
    return this.readMat(this.own('read', m));
  }

  /** Releases matrices; freeing twice is harmless. */
  free(...ms: Mat[]): void {
    for (const m of ms) {
      if (!m || m.freed || m.backend !== this.name || !this.isOwn(m) || m.owner !== this) continue;
      m.freed = true;
      for (const s of this.scopes) s.delete(m);
      this.releaseMat(m);
    }
  }

  /**
   * Runs `fn` and frees every matrix it created that is not part of its result. For an async `fn`, "created" is
   * what its synchronous part (up to its first await) allocated: after that, other code runs too, and its
   * matrices must not be taken for this scope's (free what is created after an await, or open a scope there).
   */
  scope<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new ArgumentError(`scope: pass a function, e.g. backend.scope(() => backend.matmul(a, b)); got ${describeValue(fn)}`);
    const created = new Set<M>();
    // Kept matrices go to the scope that was open around this one (still collecting, or still to finish).
    const parent = this.scopes[this.scopes.length - 1];
    this.scopes.push(created);
    const close = (): void => {
      const i = this.scopes.lastIndexOf(created);
      if (i >= 0) this.scopes.splice(i, 1);
    };
    const finish = (value: unknown): void => {
      const keep = new Set<unknown>();
      collectMats(value, keep, new Set());
      for (const m of created) {
        if (keep.has(m)) parent?.add(m);
        else this.free(m);
      }
    };
    let out: T;
    try {
      out = fn();
    } catch (e) {
      close();
      finish(undefined);
      throw e;
    }
    close();
    if (out instanceof Promise) {
      return out.then((v) => { finish(v); return v; }, (e) => { finish(undefined); throw e; }) as T;
    }
    finish(out);
    return out;
  }

  /** act(alpha · op(A) · op(B) + beta · C + bias), or `batch` such products at once (see MatmulOptions). */
  matmul(a: Mat, b: Mat, opts: MatmulOptions = {}): Mat {
    const op = 'matmul';
    checkOptions(op, opts, { transA: true, transB: true, alpha: true, beta: true, c: true, bias: true, act: true, batch: true, shareA: true, shareB: true });
    const aa = this.own(op, a, 'A');
    const bb = this.own(op, b, 'B');
    const batch = batchCount(op, opts.batch);
    const shareA = optionalFlag(op, 'shareA', opts.shareA) && batch > 1;
    const shareB = optionalFlag(op, 'shareB', opts.shareB) && batch > 1;
    /** Rows of one stored block of an operand with `rows` rows in all. */
    const blockRows = (x: M, name: string, shared: boolean): number => {
      if (shared || batch === 1) return x.rows;
      if (x.rows % batch !== 0) throw new ShapeError(`matmul: ${name} is ${shapeOf(x)}, which does not split into batch = ${batch} blocks of equal rows (pass share${name} when one ${name} serves every product)`);
      return x.rows / batch;
    };
    const ra = blockRows(aa, 'A', shareA);
    const rb = blockRows(bb, 'B', shareB);
    const transA = optionalFlag(op, 'transA', opts.transA);
    const transB = optionalFlag(op, 'transB', opts.transB);
    const m = transA ? aa.cols : ra;
    const k = transA ? ra : aa.cols;
    const kb = transB ? bb.cols : rb;
    const n = transB ? rb : bb.cols;
    const per = batch > 1 ? ` (per block of batch ${batch})` : '';
    if (k !== kb) {
      throw new ShapeError(`matmul: inner dimensions differ: A is ${shapeOf(aa)}${transA ? ' (transposed)' : ''}, B is ${shapeOf(bb)}${transB ? ' (transposed)' : ''}; op(A) is ${m}×${k} and op(B) is ${kb}×${n}${per}`);
    }
    const c = opts.c === undefined ? null : this.own(op, opts.c, 'C');
    if (c && (c.rows !== batch * m || c.cols !== n)) throw new ShapeError(`matmul: C is ${shapeOf(c)} but the product is ${batch * m}×${n}`);
    const bias = opts.bias === undefined ? null : this.own(op, opts.bias, 'bias');
    if (bias && (bias.cols !== n || (bias.rows !== 1 && bias.rows !== batch))) {
      throw new ShapeError(`matmul: bias is ${shapeOf(bias)} but must be 1×${n} (one value per output column)${batch > 1 ? ` or ${batch}×${n} (one row per block)` : ''}`);
    }
    const act = opts.act ?? 'none';
    if (act !== 'none') checkOneOf(op, 'activation', act, UNARY_OPS);
    const alpha = requireFinite(op, 'alpha', opts.alpha ?? 1);
    if (!c && opts.beta !== undefined && opts.beta !== 0) throw new ArgumentError(`${op}: beta ${describeValue(opts.beta)} scales C, but no c was given; pass { beta, c } or leave beta out`);
    const beta = c ? requireFinite(op, 'beta', opts.beta ?? 1) : 0;
    const out = this.result(op, batch * m, n);
    this.kMatmul(out, aa, bb, {
      m, n, k, transA, transB, alpha, beta, c, bias, act, batch,
      strideA: shareA ? 0 : ra * aa.cols, strideB: shareB ? 0 : rb * bb.cols, biasStride: bias && bias.rows > 1 ? n : 0,
    });
    return out;
  }

  /** Element-wise f(x). */
  unary(op: UnaryOp, x: Mat): Mat {
    checkOneOf('unary', 'op', op, UNARY_OPS);
    const xx = this.own(`unary(${op})`, x);
    const out = this.result('unary', xx.rows, xx.cols);
    this.kUnary(out, op, xx);
    return out;
  }

  /** dy · f′(x). */
  unaryGrad(op: UnaryOp, x: Mat, dy: Mat): Mat {
    checkOneOf('unaryGrad', 'op', op, UNARY_OPS);
    const name = `unaryGrad(${op})`;
    const xx = this.own(name, x, 'x');
    const dd = this.own(name, dy, 'dy');
    if (xx.rows !== dd.rows || xx.cols !== dd.cols) throw new ShapeError(`${name}: x is ${shapeOf(xx)} but dy is ${shapeOf(dd)}; they must match`);
    const out = this.result(name, xx.rows, xx.cols);
    this.kUnaryGrad(out, op, xx, dd);
    return out;
  }

  /** a ∘ b with broadcasting. */
  binary(op: BinaryOp, a: Mat, b: Mat, bcast?: Broadcast): Mat {
    checkOneOf('binary', 'op', op, BINARY_OPS);
    const name = `binary(${op})`;
    const aa = this.own(name, a, 'a');
    const bb = this.own(name, b, 'b');
    const kind = resolveBroadcast(name, aa, bb, bcast);
    const out = this.result(name, aa.rows, aa.cols);
    this.kBinary(out, op, aa, bb, kind);
    return out;
  }

  /** Reduction over an axis. */
  reduce(op: ReduceOp, x: Mat, axis: Axis, opts: ReduceOptions = {}): Mat {
    checkOneOf('reduce', 'op', op, REDUCE_OPS);
    if (axis !== 0 && axis !== 1) throw new ArgumentError(`reduce(${op}): axis must be 0 (over rows) or 1 (over columns), got ${String(axis)}`);
    const xx = this.own(`reduce(${op})`, x);
    const batch = batchOf(`reduce(${op})`, opts, xx);
    if (batch > 1 && axis !== 0) throw new ArgumentError(`reduce(${op}): batch reduces each row block over axis 0; over axis 1 every row is already its own line (drop batch)`);
    const out = axis === 0 ? this.result('reduce', batch, xx.cols) : this.result('reduce', xx.rows, 1);
    this.kReduce(out, op, xx, axis, batch);
    return out;
  }

  /** xᵀ as a new matrix. */
  transpose(x: Mat): Mat {
    const xx = this.own('transpose', x);
    const out = this.result('transpose', xx.cols, xx.rows);
    this.kTranspose(out, xx);
    return out;
  }

  /** Rows of x picked by indices. */
  gatherRows(x: Mat, indices: Mat): Mat {
    const xx = this.own('gatherRows', x, 'x');
    const ii = this.own('gatherRows', indices, 'indices');
    if (ii.rows !== 1 && ii.cols !== 1) throw new ShapeError(`gatherRows: indices must be k×1 or 1×k, got ${shapeOf(ii)}`);
    const out = this.result('gatherRows', ii.rows * ii.cols, xx.cols);
    this.kGatherRows(out, xx, ii);
    return out;
  }

  /** Sums of rows of x selected by a CSR (offsets, sources). */
  gatherSumRows(x: Mat, offsets: Mat, sources: Mat): Mat {
    const op = 'gatherSumRows';
    const xx = this.own(op, x, 'x');
    const oo = this.own(op, offsets, 'offsets');
    const ss = this.own(op, sources, 'sources');
    for (const [m, what] of [[oo, 'offsets'], [ss, 'sources']] as const) {
      if (m.rows !== 1 && m.cols !== 1) throw new ShapeError(`${op}: ${what} must be k×1 or 1×k, got ${shapeOf(m)}`);
    }
    if (oo.rows * oo.cols < 2) throw new ShapeError(`${op}: offsets must hold at least 2 entries (one more than the output rows), got ${shapeOf(oo)}`);
    const out = this.result(op, oo.rows * oo.cols - 1, xx.cols);
    this.kGatherSumRows(out, xx, oo, ss);
    return out;
  }

  /** Stable mean softmax cross-entropy and its gradient. */
  softmaxCrossEntropy(logits: Mat, labels: Mat, opts: BatchOptions = {}): LossResult {
    const op = 'softmaxCrossEntropy';
    const ll = this.own(op, logits, 'logits');
    const yy = this.own(op, labels, 'labels');
    if (yy.rows !== ll.rows || yy.cols !== 1) throw new ShapeError(`${op}: labels must be ${ll.rows}×1 (one class index per row of logits ${shapeOf(ll)}), got ${shapeOf(yy)}`);
    const batch = batchOf(op, opts, ll);
    const loss = this.result(op, 1, 1);
    const grad = this.result(op, ll.rows, ll.cols);
    this.kSoftmaxCrossEntropy(loss, grad, ll, yy, ll.rows / batch);
    return { loss, grad };
  }

  /** Mean squared error and its gradient. */
  mse(pred: Mat, target: Mat): LossResult {
    const pp = this.own('mse', pred, 'pred');
    const tt = this.own('mse', target, 'target');
    if (pp.rows !== tt.rows || pp.cols !== tt.cols) throw new ShapeError(`mse: pred is ${shapeOf(pp)} but target is ${shapeOf(tt)}; they must match`);
    const loss = this.result('mse', 1, 1);
    const grad = this.result('mse', pp.rows, pp.cols);
    this.kMse(loss, grad, pp, tt);
    return { loss, grad };
  }

  private sameShape(op: string, ref: M, others: [string, Mat | null][]): void {
    for (const [what, m] of others) {
      if (m && (m.rows !== ref.rows || m.cols !== ref.cols)) throw new ShapeError(`${op}: ${what} is ${shapeOf(m)} but param is ${shapeOf(ref)}; they must match`);
    }
  }

  /** In-place SGD step. */
  sgdStep(param: Mat, grad: Mat, velocity: Mat | null, hyper: SgdHyper): void {
    const op = 'sgdStep';
    const p = this.own(op, param, 'param');
    const g = this.own(op, grad, 'grad');
    const v = velocity ? this.own(op, velocity, 'velocity') : null;
    this.sameShape(op, p, [['grad', g], ['velocity', v]]);
    requireDistinct(op, [['param', p], ['grad', g], ['velocity', v]]);
    requireHyper(op, hyper, { lr: true, momentum: true, weightDecay: true, nesterov: true });
    const plan: SgdPlan = {
      lr: requireNonNegative(op, 'lr', hyper.lr),
      momentum: requireFinite(op, 'momentum', hyper.momentum ?? 0),
      weightDecay: requireNonNegative(op, 'weightDecay', hyper.weightDecay ?? 0, NEGATIVE_DECAY),
      nesterov: optionalFlag(op, 'nesterov', hyper.nesterov),
    };
    if (plan.momentum < 0 || plan.momentum >= 1) {
      throw new ArgumentError(`${op}: momentum must be in [0, 1), got ${plan.momentum} (from 1 up the velocity never decays and the steps grow without bound; below 0 it flips sign every step)`);
    }
    if (plan.momentum !== 0 && !v) throw new ArgumentError(`${op}: momentum ${plan.momentum} needs a velocity matrix (zeros of the param's shape)`);
    if (plan.nesterov && plan.momentum === 0) throw new ArgumentError(`${op}: nesterov needs momentum > 0`);
    this.kSgd(p, g, plan.momentum !== 0 ? v : null, plan);
  }

  /** In-place AdamW step. */
  adamwStep(param: Mat, grad: Mat, m: Mat, v: Mat, hyper: AdamWHyper): void {
    const op = 'adamwStep';
    const p = this.own(op, param, 'param');
    const g = this.own(op, grad, 'grad');
    const mm = this.own(op, m, 'm');
    const vv = this.own(op, v, 'v');
    this.sameShape(op, p, [['grad', g], ['m', mm], ['v', vv]]);
    requireDistinct(op, [['param', p], ['grad', g], ['m', mm], ['v', vv]]);
    requireHyper(op, hyper, { lr: true, step: true, beta1: true, beta2: true, eps: true, weightDecay: true });
    const step = hyper.step;
    if (!Number.isInteger(step) || step < 1) throw new ArgumentError(`${op}: step must be an integer ≥ 1 (the count of steps taken including this one), got ${String(step)}`);
    const plan: AdamWPlan = {
      lr: requireNonNegative(op, 'lr', hyper.lr),
      step,
      beta1: requireFinite(op, 'beta1', hyper.beta1 ?? 0.9),
      beta2: requireFinite(op, 'beta2', hyper.beta2 ?? 0.999),
      eps: requireFinite(op, 'eps', hyper.eps ?? 1e-8),
      weightDecay: requireNonNegative(op, 'weightDecay', hyper.weightDecay ?? 0.01, NEGATIVE_DECAY),
      c1: 0,
      c2: 0,
    };
    for (const key of ['beta1', 'beta2'] as const) {
      if (plan[key] < 0 || plan[key] >= 1) throw new ArgumentError(`${op}: ${key} must be in [0, 1), got ${plan[key]}`);
    }
    // eps keeps the update finite where the second moment is 0 (a parameter with no gradient yet).
    if (!(plan.eps > 0)) throw new ArgumentError(`${op}: eps must be > 0 (it keeps m/(√v + eps) finite where v = 0), got ${plan.eps}`);
    plan.c1 = 1 - Math.pow(plan.beta1, step);
    plan.c2 = 1 - Math.pow(plan.beta2, step);
    this.kAdamw(p, g, mm, vv, plan);
  }

  // ------------------------------------------------------------------ linear algebra (blocked, via matmul)

  /** Column block of the blocked Cholesky and triangular solves (the diagonal-block kernels' size). */
  protected linalgBlock = 64;
  /** Rows per band of the Cholesky trailing update (the lower triangle is updated band by band). */
  protected linalgBand = 256;

  /** Lower Cholesky factor (right-looking, blocked; trailing updates and panel solves are matmuls). */
  cholesky(a: Mat): Mat {
    const op = 'cholesky';
    const aa = this.own(op, a, 'a');
    if (aa.rows !== aa.cols) throw new ShapeError(`${op}: a must be square, got ${shapeOf(aa)}`);
    const n = aa.rows;
    const l = this.result(op, n, n);
    this.kCopy(l, aa);
    try {
      this.scope(() => {
        for (let k0 = 0; k0 < n; k0 += this.linalgBlock) {
          const kb = Math.min(this.linalgBlock, n - k0);
          const k1 = k0 + kb;
          const pivot = this.kCholeskyDiag(l, k0, kb);
          if (pivot >= 0) {
            throw new NotPositiveDefiniteError(`${op}: the matrix is not positive definite: pivot ${pivot} (of ${n}) is not positive. `
              + 'Add a ridge (a multiple of the identity, e.g. 1e-6·trace/n) or use a positive semi-definite kernel');
          }
          if (k1 === n) break;
          // Panel: L21 = A21 · L11⁻ᵀ, as a matmul with the explicit inverse of the small diagonal block.
          const inv = this.result(op, kb, kb);
          this.kTriInverse(inv, l, k0, kb);
          const a21 = this.result(op, n - k1, kb);
          this.kCopyBlock(a21, l, k1, k0);
          const panel = this.matmul(a21, inv, { transB: true }) as M;
          this.kUpdateBlock(l, panel, k1, k0, 'set');
          this.free(inv, a21);
          // Trailing update A22 −= L21·L21ᵀ on the lower triangle, one band of rows at a time.
          const m2 = n - k1;
          for (let r = 0; r < m2; r += this.linalgBand) {
            const rb = Math.min(this.linalgBand, m2 - r);
            const band = r === 0 && rb === m2 ? panel : this.result(op, rb, kb);
            if (band !== panel) this.kCopyBlock(band, panel, r, 0);
            const upTo = r + rb === m2 ? panel : this.result(op, r + rb, kb);
            if (upTo !== panel) this.kCopyBlock(upTo, panel, 0, 0);
            const t = this.matmul(band, upTo, { transB: true }) as M;
            this.kUpdateBlock(l, t, k1 + r, k1, 'subLower');
            this.free(t, ...[band, upTo].filter((x) => x !== panel));
          }
          this.free(panel);
        }
      });
    } catch (e) {
      this.free(l);
      throw e;
    }
    return l;
  }

  /** Solves L·X = B or Lᵀ·X = B, block by block (each block through the inverse of L's diagonal block). */
  solveTriangular(l: Mat, b: Mat, opts: SolveTriangularOptions = {}): Mat {
    const op = 'solveTriangular';
    const ll = this.own(op, l, 'l');
    const bb = this.own(op, b, 'b');
    if (ll.rows !== ll.cols) throw new ShapeError(`${op}: l must be square, got ${shapeOf(ll)}`);
    if (bb.rows !== ll.rows) throw new ShapeError(`${op}: b has ${bb.rows} rows but l is ${shapeOf(ll)}; they must match`);
    const n = ll.rows;
    const r = bb.cols;
    checkOptions('solveTriangular', opts, { transpose: true });
    const transpose = optionalFlag('solveTriangular', 'transpose', opts.transpose);
    const x = this.result(op, n, r);
    this.kCopy(x, bb);
    this.scope(() => {
      const starts: number[] = [];
      for (let k0 = 0; k0 < n; k0 += this.linalgBlock) starts.push(k0);
      if (transpose) starts.reverse();
      for (const k0 of starts) {
        const kb = Math.min(this.linalgBlock, n - k0);
        const k1 = k0 + kb;
        const inv = this.result(op, kb, kb);
        this.kTriInverse(inv, ll, k0, kb);
        const xb = this.result(op, kb, r);
        this.kCopyBlock(xb, x, k0, 0);
        const solved = this.matmul(inv, xb, { transA: transpose }) as M;
        this.kUpdateBlock(x, solved, k0, 0, 'set');
        // Eliminate the solved block from the rows still to solve: below (L) or above (Lᵀ).
        if (!transpose && k1 < n) {
          const lp = this.result(op, n - k1, kb);
          this.kCopyBlock(lp, ll, k1, k0);
          this.kUpdateBlock(x, this.matmul(lp, solved) as M, k1, 0, 'sub');
        } else if (transpose && k0 > 0) {
          const lb = this.result(op, kb, k0);
          this.kCopyBlock(lb, ll, k0, 0);
          this.kUpdateBlock(x, this.matmul(lb, solved, { transA: true }) as M, 0, 0, 'sub');
        }
        this.free(...this.scopes[this.scopes.length - 1]!);
      }
    });
    return x;
  }
}

/** Collects every matrix reachable from a scope's result: through arrays, Sets, Maps and plain objects, at any depth. */
function collectMats(value: unknown, into: Set<unknown>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof MatBase) {
    into.add(value);
    return;
  }
  // Typed arrays and other binary data hold no matrices: skip them rather than walk their elements.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  const items = Array.isArray(value) ? value : value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
  for (const item of items) collectMats(item, into, seen);
}
