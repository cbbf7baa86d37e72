/**
 * A small reverse-mode autodiff tape over backend matrices (micrograd's design, for 2-D matrices): every op
 * records its forward result and, next to it, its vector-Jacobian rule; `backward(root)` walks the nodes in
 * reverse creation order (a topological order) and accumulates gradients. Only nodes that depend on a
 * parameter get gradients. Matmul's backward uses the transpose flags and never builds a transposed copy.
 *
 * Every matrix the tape creates (forward values, gradients, constants) is freed by `dispose()`; parameters
 * and inputs belong to the caller. One tape per training step: build, backward, step the optimizer, dispose.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import type { Axis, Backend, BinaryOp, Broadcast, Mat, UnaryOp } from '../backend/types.js';
import { checkOptions, describeValue, isBackend } from '../validate.js';

/** A value on the tape: a matrix and whether a gradient flows to it. */
export interface Var {
  /** The forward value. */
  readonly value: Mat;
  /** True when some parameter influences this value (so it gets a gradient). */
  readonly needsGrad: boolean;
  /** Position on the tape. */
  readonly id: number;
}

/** A recorded op: its output and the rule that maps the output's gradient to its inputs' gradients. */
interface Node {
  out: Var;
  backward: ((dy: Mat) => void) | null;
}

/** Options of `Tape.matmul`: result = act(alpha · op(A) · op(B) + bias). */
export interface TapeMatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  bias?: Var;
  /** Only ReLU is fused: its derivative is read from the output, so no pre-activation is kept. */
  act?: 'none' | 'relu';
  /**
   * `batch` independent products (see MatmulOptions.batch): B stacked models in one dispatch; the bias is
   * 1×n or batch×n. A shared operand (`shareA` / `shareB`) must be data: it gets no gradient.
   */
  batch?: number;
  shareA?: boolean;
  shareB?: boolean;
}

/**
 * A selection of rows in CSR form on the backend (see Backend.gatherSumRows), with its transpose — for each
 * source row, the output rows that read it — which gives the gradient as another gathered sum.
 */
export interface RowSelection {
  offsets: Mat;
  sources: Mat;
  transposed: { offsets: Mat; sources: Mat };
}

/** Reductions the tape can differentiate. */
export type TapeReduceOp = 'sum' | 'mean' | 'sumSq';

/** The reverse-mode tape. */
export class Tape {
  private nodes: Node[] = [];
  private created: Mat[] = [];
  private grads = new Map<number, Mat>();
  private constants = new Map<number, Mat>();
  private done = false;

  /** @param backend the backend every value lives on */
  constructor(readonly backend: Backend) {
    if (!isBackend(backend)) {
      throw new ArgumentError(`Tape: pass the backend the values live on, e.g. new Tape(getBackend()); got ${describeValue(backend)}`);
    }
  }

  // ------------------------------------------------------------------------------------------- leaves

  /** A parameter: a leaf whose gradient `backward` computes. The tape does not free it. */
  param(m: Mat): Var {
    return this.leaf(m, true);
  }

  /** Data: a leaf without gradient. The tape does not free it. */
  input(m: Mat): Var {
    return this.leaf(m, false);
  }

  /** A 1×1 constant owned by the tape (cached per value). */
  constant(value: number): Mat {
    let c = this.constants.get(value);
    if (!c) {
      c = this.own(this.backend.upload([value], 1, 1));
      this.constants.set(value, c);
    }
    return c;
  }

  private leaf(m: Mat, needsGrad: boolean): Var {
    this.checkOpen();
    if (m === null || typeof m !== 'object' || typeof (m as Partial<Mat>).rows !== 'number') {
      throw new ArgumentError(`Tape.${needsGrad ? 'param' : 'input'}: pass a matrix of the tape's backend (backend.upload(data, rows, cols)), got ${describeValue(m)}`);
    }
    const out: Var = { value: m, needsGrad, id: this.nodes.length };
    this.nodes.push({ out, backward: null });
    return out;
  }

  private own<M extends Mat>(m: M): M {
    this.created.push(m);
    return m;
  }

  private checkOpen(): void {
    if (this.done) throw new ArgumentError('Tape: this tape was disposed; record a new one for each step');
  }

  /**
   * Throws unless each of `vars` was made by this tape: a Var of another tape would take this tape's node at
   * its id and receive the wrong gradient, without an error.
   */
  private checkVars(fn: string, ...vars: Var[]): void {
    this.checkOpen();
    for (const v of vars) {
      if (v === null || typeof v !== 'object' || this.nodes[v.id]?.out !== v) {
        const what = v !== null && typeof v === 'object' && 'rows' in v ? 'a matrix, not a tape variable: wrap it with tape.param(m) or tape.input(m)' : `${describeValue(v)}, not a variable of this tape (one from another tape, or a value); make it on this tape with param(), input() or an op`;
        throw new ArgumentError(`Tape.${fn}: got ${what}`);
      }
    }
  }

  /** Records an op: `backward` is called with the output's gradient when the output needs one. */
  private record(value: Mat, inputs: Var[], backward: (dy: Mat) => void): Var {
    this.checkOpen();
    this.own(value);
    const needsGrad = inputs.some((v) => v.needsGrad);
    const out: Var = { value, needsGrad, id: this.nodes.length };
    this.nodes.push({ out, backward: needsGrad ? backward : null });
    return out;
  }

  /** Adds `g` to the gradient of `v` (when it needs one). */
  private accumulate(v: Var, g: Mat): void {
    if (!v.needsGrad) return;
    const prev = this.grads.get(v.id);
    this.grads.set(v.id, prev ? this.own(this.backend.binary('add', prev, g, 'full')) : g);
  }

  // ---------------------------------------------------------------------------------------------- ops

  /**
   * act(alpha · op(A) · op(B) + bias), or `batch` such products; dA and dB through the transpose flags (per
   * block), dbias = column sums (per block for a batch×n bias).
   */
  matmul(a: Var, b: Var, opts: TapeMatmulOptions = {}): Var {
    checkOptions('Tape.matmul', opts, { transA: true, transB: true, alpha: true, bias: true, act: true, batch: true, shareA: true, shareB: true });
    this.checkVars('matmul', a, b, ...(opts.bias === undefined ? [] : [opts.bias]));
    if (opts.act !== undefined && opts.act !== 'none' && opts.act !== 'relu') {
      throw new ArgumentError(`Tape.matmul: only act 'relu' (or 'none') is fused here, got ${describeValue(opts.act)}; apply other activations with tape.unary(op, x)`);
    }
    const { transA = false, transB = false, alpha = 1, bias, act = 'none', batch = 1 } = opts;
    const shareA = batch > 1 && !!opts.shareA;
    const shareB = batch > 1 && !!opts.shareB;
    if ((shareA && a.needsGrad) || (shareB && b.needsGrad)) {
      throw new ArgumentError('Tape.matmul: a shared operand of a batched product gets no gradient; share data (inputs), not parameters');
    }
    const be = this.backend;
    const out = be.matmul(a.value, b.value, { transA, transB, alpha, bias: bias?.value, act, batch, shareA, shareB });
    const inputs = bias ? [a, b, bias] : [a, b];
    return this.record(out, inputs, (dy) => {
      const dz = act === 'relu' ? this.own(be.unaryGrad('relu', out, dy)) : dy;
      if (a.needsGrad) {
        // op(A) = A: dA = α·dZ·op(B)ᵀ;  op(A) = Aᵀ: dA = α·op(B)·dZᵀ.
        const g = transA
          ? be.matmul(b.value, dz, { transA: transB, transB: true, alpha, batch, shareA: shareB })
          : be.matmul(dz, b.value, { transB: !transB, alpha, batch, shareB });
        this.accumulate(a, this.own(g));
      }
      if (b.needsGrad) {
        // op(B) = B: dB = α·op(A)ᵀ·dZ;  op(B) = Bᵀ: dB = α·dZᵀ·op(A).
        const g = transB
          ? be.matmul(dz, a.value, { transA: true, transB: transA, alpha, batch, shareB: shareA })
          : be.matmul(a.value, dz, { transA: !transA, alpha, batch, shareA });
        this.accumulate(b, this.own(g));
      }
      // A batch×n bias: each block's column sums.
      if (bias?.needsGrad) this.accumulate(bias, this.own(be.reduce('sum', dz, 0, { batch: bias.value.rows === batch ? batch : 1 })));
    });
  }

  /** Sums of selected rows of x (e.g. summed embeddings); the gradient sums dy over the transposed selection. */
  gatherSum(x: Var, sel: RowSelection): Var {
    this.checkVars('gatherSum', x);
    const be = this.backend;
    return this.record(be.gatherSumRows(x.value, sel.offsets, sel.sources), [x],
      (dy) => this.accumulate(x, this.own(be.gatherSumRows(dy, sel.transposed.offsets, sel.transposed.sources))));
  }

  /** Element-wise f(x); the gradient is dy · f′(x). */
  unary(op: UnaryOp, x: Var): Var {
    this.checkVars(`unary(${op})`, x);
    const be = this.backend;
    return this.record(be.unary(op, x.value), [x], (dy) => this.accumulate(x, this.own(be.unaryGrad(op, x.value, dy))));
  }

  /** a ∘ b with b broadcast (add, sub, mul, div); b's gradient is summed over the broadcast axes. */
  binary(op: BinaryOp, a: Var, b: Var, bcast?: Broadcast): Var {
    this.checkVars(`binary(${op})`, a, b);
    const be = this.backend;
    const out = be.binary(op, a.value, b.value, bcast);
    const kind = bcast ?? inferBroadcast(a.value, b.value);
    if (op === 'max' || op === 'min') {
      return this.record(out, [a, b], () => {
        throw new ArgumentError(`Tape: binary(${op}) has no gradient here; use relu or a smooth function instead`);
      });
    }
    return this.record(out, [a, b], (dy) => {
      const dA = (): Mat => {
        if (op === 'add' || op === 'sub') return dy;
        return this.own(be.binary(op === 'mul' ? 'mul' : 'div', dy, b.value, kind)); // dy·b or dy/b
      };
      const dBFull = (): Mat => {
        if (op === 'add') return dy;
        if (op === 'sub') return this.own(be.unary('neg', dy));
        if (op === 'mul') return this.own(be.binary('mul', dy, a.value, 'full'));
        // div: −dy·(a/b)/b = −dy·out/b
        const t = this.own(be.binary('mul', dy, out, 'full'));
        return this.own(be.unary('neg', this.own(be.binary('div', t, b.value, kind))));
      };
      if (a.needsGrad) this.accumulate(a, dA());
      if (b.needsGrad) this.accumulate(b, this.sumToShape(dBFull(), kind));
    });
  }

  /** Sums a full-shape gradient over the axes along which b was broadcast. */
  private sumToShape(g: Mat, kind: Broadcast): Mat {
    const be = this.backend;
    switch (kind) {
      case 'full': return g;
      case 'row': return this.own(be.reduce('sum', g, 0));
      case 'col': return this.own(be.reduce('sum', g, 1));
      case 'scalar': return this.own(be.reduce('sum', this.own(be.reduce('sum', g, 0)), 1));
      default: return kind satisfies never;
    }
  }

  /** dy (1×n, m×1 or 1×1) repeated to rows×cols. */
  private broadcastTo(dy: Mat, rows: number, cols: number): Mat {
    const be = this.backend;
    return this.own(be.binary('add', this.own(be.zeros(rows, cols)), dy, inferBroadcast({ rows, cols } as Mat, dy)));
  }

  /** Reduction over an axis (sum, mean, sumSq): 0 → 1×n, 1 → m×1. */
  reduce(op: TapeReduceOp, x: Var, axis: Axis): Var {
    if (op !== 'sum' && op !== 'mean' && op !== 'sumSq') throw new ArgumentError(`Tape.reduce: op must be sum, mean or sumSq (the ones with a gradient here), got ${describeValue(op)}`);
    this.checkVars(`reduce(${op})`, x);
    const be = this.backend;
    const { rows, cols } = x.value;
    return this.record(be.reduce(op, x.value, axis), [x], (dy) => {
      const spread = this.broadcastTo(dy, rows, cols);
      let g: Mat;
      if (op === 'sum') g = spread;
      else if (op === 'mean') g = this.own(be.binary('mul', spread, this.constant(1 / (axis === 0 ? rows : cols)), 'scalar'));
      else g = this.own(be.binary('mul', this.own(be.binary('mul', spread, x.value, 'full')), this.constant(2), 'scalar'));
      this.accumulate(x, g);
    });
  }

  /** The sum of every element (1×1). */
  sumAll(x: Var): Var {
    return this.reduce('sum', this.reduce('sum', x, 0), 1);
  }

  /** xᵀ. */
  transpose(x: Var): Var {
    this.checkVars('transpose', x);
    const be = this.backend;
    return this.record(be.transpose(x.value), [x], (dy) => this.accumulate(x, this.own(be.transpose(dy))));
  }

  /** x · s for a number s. */
  scale(x: Var, s: number): Var {
    this.checkVars('scale', x);
    if (typeof s !== 'number' || !Number.isFinite(s)) throw new ArgumentError(`Tape.scale: s must be a finite number, got ${describeValue(s)}`);
    const be = this.backend;
    const c = this.constant(s);
    return this.record(be.binary('mul', x.value, c, 'scalar'), [x], (dy) => this.accumulate(x, this.own(be.binary('mul', dy, c, 'scalar'))));
  }

  /**
   * x^e element-wise for e a positive multiple of 1/2: any x for whole e (x⁴ of the parity network), x ≥ 0
   * for half-integer e (‖θ_i‖^ν = s^{ν/2} with s = ‖θ_i‖²). Built from products and one square root; the
   * derivative e·x^{e−1} is formed the same way, so it stays finite at x = 0 for e ≥ 1.
   */
  power(x: Var, e: number): Var {
    if (!(e > 0) || !Number.isInteger(2 * e)) throw new ArgumentError(`Tape.power: the exponent must be a positive multiple of 1/2, got ${e}`);
    this.checkVars('power', x);
    const be = this.backend;
    return this.record(this.powerOf(x.value, e), [x], (dy) => {
      // e = 1/2 is the one exponent whose derivative has a negative power: x^{−1/2} = 1/√x (+∞ at 0, as it is).
      const d = e === 1 ? null : e < 1 ? this.reciprocalSqrt(x.value) : this.powerOf(x.value, e - 1);
      const scaled = this.own(be.binary('mul', dy, this.constant(e), 'scalar'));
      this.accumulate(x, d ? this.own(be.binary('mul', scaled, d, 'full')) : scaled);
    });
  }

  /** 1/√x element-wise (owned). */
  private reciprocalSqrt(x: Mat): Mat {
    const be = this.backend;
    return this.own(be.binary('div', this.broadcastTo(this.constant(1), x.rows, x.cols), this.own(be.unary('sqrt', x)), 'full'));
  }

  /** x^e for e a non-negative multiple of 1/2, by repeated products and one square root (owned). */
  private powerOf(x: Mat, e: number): Mat {
    const be = this.backend;
    if (e === 0) return this.broadcastTo(this.constant(1), x.rows, x.cols);
    let acc: Mat | null = Number.isInteger(e) ? null : this.own(be.unary('sqrt', x));
    for (let i = 0; i < Math.floor(e); i++) acc = acc ? this.own(be.binary('mul', acc, x, 'full')) : x;
    return acc === x ? this.own(be.copy(x)) : acc!;
  }

  /**
   * Mean softmax cross-entropy against integer labels (m×1); the fused kernel gives the gradient. With `batch`
   * B: the sum of the B row blocks' means (B stacked models, each with its own loss's gradient).
   */
  softmaxCrossEntropy(logits: Var, labels: Mat, batch = 1): Var {
    this.checkVars('softmaxCrossEntropy', logits);
    const { loss, grad } = this.backend.softmaxCrossEntropy(logits.value, labels, { batch });
    this.own(grad);
    return this.record(loss, [logits], (dy) => this.accumulate(logits, this.scaledBy(grad, dy)));
  }

  /** Mean squared error against a target of the same shape. */
  mse(pred: Var, target: Mat): Var {
    this.checkVars('mse', pred);
    const { loss, grad } = this.backend.mse(pred.value, target);
    this.own(grad);
    return this.record(loss, [pred], (dy) => this.accumulate(pred, this.scaledBy(grad, dy)));
  }

  /** g · dy for a 1×1 dy, skipping the product when dy is the seed 1. */
  private scaledBy(g: Mat, dy: Mat): Mat {
    return dy === this.constants.get(1) ? g : this.own(this.backend.binary('mul', g, dy, 'scalar'));
  }

  /** a + b (b broadcast). */
  add(a: Var, b: Var): Var {
    return this.binary('add', a, b);
  }

  /** a · b element-wise (b broadcast). */
  mul(a: Var, b: Var): Var {
    return this.binary('mul', a, b);
  }

  // ----------------------------------------------------------------------------------------- backward

  /** Back-propagates from a 1×1 root; afterwards `grad(v)` holds d root / d v for every parameter. */
  backward(root: Var): void {
    this.checkVars('backward', root);
    if (root.value.rows !== 1 || root.value.cols !== 1) {
      throw new ShapeError(`Tape.backward: the root must be 1×1 (a scalar loss), got ${root.value.rows}×${root.value.cols}`);
    }
    if (!root.needsGrad) throw new ArgumentError('Tape.backward: the root does not depend on any parameter');
    this.grads.set(root.id, this.constant(1));
    for (let i = root.id; i >= 0; i--) {
      const node = this.nodes[i]!;
      const g = this.grads.get(i);
      if (g && node.backward) node.backward(g);
    }
  }

  /** The gradient of a parameter after `backward` (owned by the tape), or null when none reached it. */
  grad(v: Var): Mat | null {
    this.checkVars('grad', v);
    return this.grads.get(v.id) ?? null;
  }

  /** Frees every matrix the tape created (values, gradients, constants). Parameters and inputs stay. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.backend.free(...new Set(this.created));
    this.nodes = [];
    this.created = [];
    this.grads.clear();
    this.constants.clear();
  }
}

/** The broadcast of b against a, from their shapes (as the backends infer it). */
function inferBroadcast(a: Pick<Mat, 'rows' | 'cols'>, b: Pick<Mat, 'rows' | 'cols'>): Broadcast {
  if (b.rows === a.rows && b.cols === a.cols) return 'full';
  if (b.rows === 1 && b.cols === 1) return 'scalar';
  if (b.rows === 1 && b.cols === a.cols) return 'row';
  if (b.cols === 1 && b.rows === a.rows) return 'col';
  throw new ShapeError(`Tape: cannot broadcast ${b.rows}×${b.cols} against ${a.rows}×${a.cols}`);
}
