/**
 * The Backend contract: every backend (webgpu, wasm, ref) implements exactly these ops with the same
 * semantics. The `ref` backend (plain TypeScript, f64) is the executable definition of each op; the
 * comments here are the written one.
 *
 * Matrices are 2-D, row-major, f32 (the ref backend stores f64 and rounds on upload/read).
 */

/** Names of the three backends. */
export type BackendName = 'webgpu' | 'wasm' | 'ref';

/** Element-wise ops with a gradient. */
export type UnaryOp =
  | 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'square' | 'cube' | 'exp' | 'log' | 'sqrt'
  | 'neg' | 'abs' | 'sin' | 'cos' | 'acos';

/** All unary ops, in a fixed order (also the op code used by the WASM and WGSL kernels). */
export const UNARY_OPS: readonly UnaryOp[] = [
  'relu', 'gelu', 'tanh', 'sigmoid', 'square', 'cube', 'exp', 'log', 'sqrt', 'neg', 'abs', 'sin', 'cos', 'acos',
];

/** Element-wise binary ops. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

/** All binary ops, in a fixed order (also the op code used by the kernels). */
export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];

/**
 * How the second operand `b` of a binary op is broadcast against `a` (m×n):
 * full: b is m×n; row: b is 1×n (one row, repeated down); col: b is m×1 (one column, repeated across);
 * scalar: b is 1×1.
 */
export type Broadcast = 'full' | 'row' | 'col' | 'scalar';

/** All broadcasts, in a fixed order (also the code used by the kernels). */
export const BROADCASTS: readonly Broadcast[] = ['full', 'row', 'col', 'scalar'];

/** Reductions. argmax returns the index (as f32) of the first maximum; NaN counts as the maximum. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'argmax' | 'sumSq';

/** All reductions, in a fixed order (also the op code used by the kernels). */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'argmax', 'sumSq'];

/** Reduction axis: 0 reduces over rows (result 1×n), 1 reduces over columns (result m×1). */
export type Axis = 0 | 1;

/** Activation of the fused matmul epilogue: any unary op, or none. */
export type Activation = UnaryOp | 'none';

/**
 * A matrix owned by one backend. Callers never see its storage (GPUBuffer, WASM pointer, array).
 * `free()` it, or create it inside `backend.scope()`, to release the memory.
 */
export interface Mat {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The backend that owns this matrix. */
  readonly backend: BackendName;
  /** True once freed; any further use raises InvalidMatrixError. */
  readonly freed: boolean;
}

/**
 * Options of `matmul`: result = act(alpha · op(A) · op(B) + beta · C + bias), where op(X) is X or Xᵀ.
 * `bias` is 1×n (added to every row). `beta` defaults to 1 when `c` is given.
 *
 * Batched (`batch` = B > 1): A and B each hold B blocks stacked by rows (block b is rows b·r…(b+1)·r − 1 of
 * the stored matrix), and block b of the result ((B·m)×n) is the product of block b of each; op() applies per
 * block. `shareA` / `shareB` use one block for all (A or B is then a single block); `bias` is 1×n (shared) or
 * B×n (row b for block b); C is (B·m)×n. One dispatch computes every block (many small models at once).
 */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  c?: Mat;
  bias?: Mat;
  act?: Activation;
  /** Number of independent products computed together (default 1). */
  batch?: number;
  /** With `batch`: A is one block used by every product. */
  shareA?: boolean;
  /** With `batch`: B is one block used by every product. */
  shareB?: boolean;
}

/** A batch of B blocks stacked by rows (B independent models' rows). */
export interface BatchOptions {
  /** Number of row blocks (default 1); the row count must be a multiple of it. */
  batch?: number;
}

/** Options of `reduce`: with `batch` = B over axis 0, each of the B row blocks is reduced (result B×n). */
export type ReduceOptions = BatchOptions;

/** Result of a fused loss kernel: the mean loss (1×1) and its gradient w.r.t. the prediction. */
export interface LossResult {
  loss: Mat;
  grad: Mat;
}

/**
 * SGD hyper-parameters (PyTorch semantics): g = grad + weightDecay·p; v = momentum·v + g;
 * p −= lr · (nesterov ? g + momentum·v : v). With momentum 0 no velocity is needed.
 */
export interface SgdHyper {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * AdamW hyper-parameters (decoupled weight decay, PyTorch semantics): p ← p·(1 − lr·weightDecay);
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr · (m/(1−β1^t)) / (√(v/(1−β2^t)) + eps).
 * `step` is t, counted from 1.
 */
export interface AdamWHyper {
  lr: number;
  step: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** One compute backend. All ops allocate their result unless documented as in-place. */
export interface Backend {
  /** Which backend this is. */
  readonly name: BackendName;
  /** Human-readable description: adapter, SIMD, threads. */
  readonly description: string;

  /** Copies `data` (row-major, length rows·cols) into a new matrix. */
  upload(data: Float32Array | ArrayLike<number>, rows: number, cols: number): Mat;
  /** A new rows×cols matrix of zeros. */
  zeros(rows: number, cols: number): Mat;
  /** A new matrix with the same contents as `x`. */
  copy(x: Mat): Mat;
  /** Reads a matrix back to the host (row-major). The only synchronisation point. */
  read(m: Mat): Promise<Float32Array>;
  /** Releases matrices; freeing twice is harmless. */
  free(...ms: Mat[]): void;
  /**
   * Runs `fn`; every matrix created inside and not returned (directly, or anywhere in arrays, objects, Sets or
   * Maps) is freed. An async `fn` owns what it creates before its first await (other code may run after that).
   */
  scope<T>(fn: () => T): T;

  /** General matrix product with transposes, scaling, accumulation and a fused bias + activation. */
  matmul(a: Mat, b: Mat, opts?: MatmulOptions): Mat;
  /** Element-wise f(x). */
  unary(op: UnaryOp, x: Mat): Mat;
  /** Element-wise dy · f′(x): the vector-Jacobian product of `unary(op, x)`. */
  unaryGrad(op: UnaryOp, x: Mat, dy: Mat): Mat;
  /** Element-wise a ∘ b with b broadcast; the broadcast is inferred from b's shape when not given. */
  binary(op: BinaryOp, a: Mat, b: Mat, bcast?: Broadcast): Mat;
  /** Reduction over an axis: 0 → 1×n, 1 → m×1; over axis 0 of B row blocks (`batch`) → B×n. */
  reduce(op: ReduceOp, x: Mat, axis: Axis, opts?: ReduceOptions): Mat;
  /** A new matrix xᵀ. */
  transpose(x: Mat): Mat;
  /** Rows of `x` picked by `indices` (a k×1 or 1×k matrix of integer-valued floats) → k×n. Out-of-range rows are NaN. */
  gatherRows(x: Mat, indices: Mat): Mat;
  /**
   * Sums of selected rows (a CSR selection): out[r] = Σ_{j = offsets[r]}^{offsets[r+1]−1} x[sources[j]], added
   * in order of j, for r < offsets.size − 1. offsets and sources are k×1 or 1×k integer-valued floats; an
   * empty range gives a zero row, a bad offset or source a NaN row. With one source per row it is gatherRows;
   * with the transposed selection it is gatherRows' gradient (scatter-add without atomics).
   */
  gatherSumRows(x: Mat, offsets: Mat, sources: Mat): Mat;
  /**
   * Mean softmax cross-entropy of `logits` (m×c) against `labels` (m×1, class indices as floats),
   * computed stably (max-shifted), with its gradient (softmax − onehot)/m in the same kernel.
   * A label outside [0, c) gives NaN for that row. With `batch` = B: the sum of the B row blocks' own
   * mean losses, gradient (softmax − onehot)/(m/B) (B models' losses, each with its own gradient).
   */
  softmaxCrossEntropy(logits: Mat, labels: Mat, opts?: BatchOptions): LossResult;
  /** Mean squared error mean((pred − target)²) over all elements, with its gradient 2(pred − target)/(m·n). */
  mse(pred: Mat, target: Mat): LossResult;
  /** In-place SGD step on `param` (and `velocity` when momentum ≠ 0). */
  sgdStep(param: Mat, grad: Mat, velocity: Mat | null, hyper: SgdHyper): void;
  /** In-place AdamW step on `param`, `m` and `v`. */
  adamwStep(param: Mat, grad: Mat, m: Mat, v: Mat, hyper: AdamWHyper): void;

  /**
   * Lower Cholesky factor L of a symmetric positive-definite `a` (n×n; only its lower triangle is read):
   * a = L·Lᵀ, with L's upper triangle zero. Blocked: small diagonal-block kernels, everything else matmul.
   * A non-positive pivot raises NotPositiveDefiniteError naming it on the synchronous backends (wasm,
   * ref); on webgpu the factor reads NaN from that pivot on — `factorCholesky` in src/linalg checks it.
   */
  cholesky(a: Mat): Mat;
  /** Solves L·X = B (or Lᵀ·X = B with `transpose`) for a lower-triangular L (n×n) and B (n×r). */
  solveTriangular(l: Mat, b: Mat, opts?: SolveTriangularOptions): Mat;

  /** Releases everything the backend holds (device, workers, memory). */
  dispose(): void;
}

/** Options of `solveTriangular`. */
export interface SolveTriangularOptions {
  /** Solve Lᵀ·X = B instead of L·X = B. */
  transpose?: boolean;
}
