/**
 * The reference backend: plain TypeScript in f64, written for obviousness, not speed. It is the oracle
 * that every other backend is tested against, and the executable definition of each op.
 */
import { MatrixTooLargeError } from '../../errors.js';
import { BaseBackend, MatBase } from '../base.js';
import type { AdamWPlan, BlockUpdate, MatmulPlan, SgdPlan } from '../base.js';
import type { Axis, BinaryOp, Broadcast, Mat, ReduceOp, UnaryOp } from '../types.js';
import { binaryF, unaryDf, unaryF } from './scalarMath.js';

/** A matrix of the ref backend: f64 storage on the host. */
export class RefMat extends MatBase {
  /** @param rows row count  @param cols column count */
  constructor(rows: number, cols: number, public data: Float64Array) {
    super(rows, cols, 'ref');
  }
}

/**
 * Most elements of one ref matrix: 2^28 (2 GiB of f64). The oracle is for small checks; without a limit of its
 * own, what it refuses would depend on the JS engine (Node 20 refuses 2^32 elements, Node 22 hands out 32 GiB).
 */
export const REF_MAX_ELEMENTS = 2 ** 28;

/** Index of `b`'s element that pairs with a[i][j] under a broadcast. */
function broadcastIndex(bcast: Broadcast, i: number, j: number, cols: number): number {
  switch (bcast) {
    case 'full': return i * cols + j;
    case 'row': return j;
    case 'col': return i;
    case 'scalar': return 0;
    default: return bcast satisfies never;
  }
}

/** Reads an integer-valued float as an index in [0, limit), or −1 when it is not one. */
export function asIndex(v: number, limit: number): number {
  return Number.isInteger(v) && v >= 0 && v < limit ? v : -1;
}

/** The f64 reference backend. */
export class RefBackend extends BaseBackend<RefMat> {
  readonly name = 'ref' as const;
  readonly description = 'reference (TypeScript, f64, single thread)';
  protected override readonly keepsF64 = true;

  /** Reads `m` at full f64 precision (synchronously): for finite-difference checks. */
  readF64(m: Mat): Float64Array {
    return this.own('readF64', m).data.slice();
  }

  protected allocMat(rows: number, cols: number): RefMat {
    if (rows * cols > REF_MAX_ELEMENTS) {
      throw new MatrixTooLargeError(`ref: a ${rows}×${cols} matrix has ${rows * cols} elements, more than the reference backend's ${REF_MAX_ELEMENTS} (2 GiB of f64); it is for small checks, use wasm or webgpu`);
    }
    try {
      return new RefMat(rows, cols, new Float64Array(rows * cols));
    } catch (e) {
      // The JS engine's own limit (typed-array length, memory): the oracle is for small checks.
      throw new MatrixTooLargeError(`ref: a ${rows}×${cols} matrix (${rows * cols * 8} bytes of f64) cannot be allocated here (${e instanceof Error ? e.message : String(e)}); the reference backend is for small checks, use wasm or webgpu`);
    }
  }
  protected writeMat(m: RefMat, data: Float32Array): void {
    m.data.set(data);
  }
  protected readMat(m: RefMat): Promise<Float32Array> {
    return Promise.resolve(Float32Array.from(m.data));
  }
  protected releaseMat(m: RefMat): void {
    m.data = new Float64Array(0);
  }
  protected isOwn(m: Mat): m is RefMat {
    return m instanceof RefMat;
  }
  /** Nothing to release: the reference backend holds no device or workers (its matrices are garbage-collected). */
  dispose(): void {}

  protected kFill(out: RefMat, value: number): void {
    out.data.fill(value);
  }
  protected kCopy(out: RefMat, x: RefMat): void {
    out.data.set(x.data);
  }

  protected kMatmul(out: RefMat, a: RefMat, b: RefMat, p: MatmulPlan<RefMat>): void {
    const { m, n, k } = p;
    // op(A)[i][q] of block `blk`, read straight from storage (A is stored m×k, or k×m when transposed).
    const at = (x: RefMat, off: number, trans: boolean, i: number, q: number): number => x.data[off + (trans ? q * x.cols + i : i * x.cols + q)]!;
    const acc = new Float64Array(n);
    for (let blk = 0; blk < p.batch; blk++) {
      const aOff = blk * p.strideA;
      const bOff = blk * p.strideB;
      const oOff = blk * m * n;
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let q = 0; q < k; q++) {
          const aiq = at(a, aOff, p.transA, i, q);
          for (let j = 0; j < n; j++) acc[j] += aiq * at(b, bOff, p.transB, q, j);
        }
        for (let j = 0; j < n; j++) {
          let v = p.alpha * acc[j]!;
          if (p.c) v += p.beta * p.c.data[oOff + i * n + j]!;
          if (p.bias) v += p.bias.data[blk * p.biasStride + j]!;
          out.data[oOff + i * n + j] = p.act === 'none' ? v : unaryF[p.act](v);
        }
      }
    }
  }

  protected kUnary(out: RefMat, op: UnaryOp, x: RefMat): void {
    const f = unaryF[op];
    for (let i = 0; i < x.size; i++) out.data[i] = f(x.data[i]);
  }

  protected kUnaryGrad(out: RefMat, op: UnaryOp, x: RefMat, dy: RefMat): void {
    const df = unaryDf[op];
    for (let i = 0; i < x.size; i++) out.data[i] = dy.data[i] * df(x.data[i]);
  }

  protected kBinary(out: RefMat, op: BinaryOp, a: RefMat, b: RefMat, bcast: Broadcast): void {
    const f = binaryF[op];
    for (let i = 0; i < a.rows; i++) {
      for (let j = 0; j < a.cols; j++) {
        out.data[i * a.cols + j] = f(a.data[i * a.cols + j], b.data[broadcastIndex(bcast, i, j, a.cols)]);
      }
    }
  }

  protected kReduce(out: RefMat, op: ReduceOp, x: RefMat, axis: Axis, batch: number): void {
    // Line l of block b (axis 0: column l of rows b·len…; axis 1: row l, batch = 1).
    const perBlock = axis === 0 ? x.cols : x.rows;
    const lines = perBlock * batch;
    const len = axis === 0 ? x.rows / batch : x.cols;
    const at = (line: number, t: number): number => {
      const b = Math.floor(line / perBlock);
      const l = line % perBlock;
      return axis === 0 ? x.data[(b * len + t) * x.cols + l]! : x.data[l * x.cols + t]!;
    };
    for (let l = 0; l < lines; l++) {
      let r: number;
      switch (op) {
        case 'sum':
        case 'mean': {
          let s = 0;
          for (let t = 0; t < len; t++) s += at(l, t);
          r = op === 'mean' ? s / len : s;
          break;
        }
        case 'sumSq': {
          let s = 0;
          for (let t = 0; t < len; t++) s += at(l, t) * at(l, t);
          r = s;
          break;
        }
        case 'max':
        case 'argmax': {
          let best = at(l, 0);
          let bestAt = 0;
          for (let t = 1; t < len && best === best; t++) {
            const v = at(l, t);
            if (v > best || v !== v) { best = v; bestAt = t; }
          }
          r = op === 'max' ? best : bestAt;
          break;
        }
        default: r = op satisfies never;
      }
      out.data[l] = r;
    }
  }

  protected kTranspose(out: RefMat, x: RefMat): void {
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.data[j * x.rows + i] = x.data[i * x.cols + j]!;
  }

  protected kGatherRows(out: RefMat, x: RefMat, indices: RefMat): void {
    for (let r = 0; r < indices.size; r++) {
      const src = asIndex(indices.data[r], x.rows);
      for (let j = 0; j < x.cols; j++) out.data[r * x.cols + j] = src < 0 ? NaN : x.data[src * x.cols + j];
    }
  }

  protected kGatherSumRows(out: RefMat, x: RefMat, offsets: RefMat, sources: RefMat): void {
    const cols = x.cols;
    for (let r = 0; r < out.rows; r++) {
      const lo = asIndex(offsets.data[r], sources.size + 1);
      const hi = asIndex(offsets.data[r + 1], sources.size + 1);
      const row = out.data.subarray(r * cols, (r + 1) * cols);
      row.fill(0);
      if (lo < 0 || hi < lo) {
        row.fill(NaN);
        continue;
      }
      for (let j = lo; j < hi; j++) {
        const src = asIndex(sources.data[j], x.rows);
        for (let c = 0; c < cols; c++) row[c] += src < 0 ? NaN : x.data[src * cols + c];
      }
    }
  }

  protected kSoftmaxCrossEntropy(loss: RefMat, grad: RefMat, logits: RefMat, labels: RefMat, meanOver: number): void {
    const { rows: m, cols: c } = logits;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const row = logits.data.subarray(i * c, (i + 1) * c);
      const label = asIndex(labels.data[i], c);
      let mx = -Infinity;
      for (const v of row) mx = v > mx || v !== v ? v : mx;
      let sum = 0;
      for (const v of row) sum += Math.exp(v - mx);
      // Never mx + log(sum): at |logits| ≥ 1e12 that sum rounds log(sum) away (three equal logits 1e20 gave loss 0).
      total += label < 0 ? NaN : (mx - row[label]) + Math.log(sum);
      for (let j = 0; j < c; j++) {
        grad.data[i * c + j] = label < 0 ? NaN : (Math.exp(row[j] - mx) / sum - (j === label ? 1 : 0)) / meanOver;
      }
    }
    loss.data[0] = total / meanOver;
  }

  protected kMse(loss: RefMat, grad: RefMat, pred: RefMat, target: RefMat): void {
    const n = pred.size;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = pred.data[i] - target.data[i];
      total += d * d;
      grad.data[i] = (2 * d) / n;
    }
    loss.data[0] = total / n;
  }

  protected kSgd(param: RefMat, grad: RefMat, velocity: RefMat | null, h: SgdPlan): void {
    for (let i = 0; i < param.size; i++) {
      const g = grad.data[i] + h.weightDecay * param.data[i];
      let step = g;
      if (velocity) {
        const v = h.momentum * velocity.data[i] + g;
        velocity.data[i] = v;
        step = h.nesterov ? g + h.momentum * v : v;
      }
      param.data[i] -= h.lr * step;
    }
  }

  protected kAdamw(param: RefMat, grad: RefMat, m: RefMat, v: RefMat, h: AdamWPlan): void {
    const { c1, c2 } = h;
    for (let i = 0; i < param.size; i++) {
      const g = grad.data[i];
      const mi = h.beta1 * m.data[i] + (1 - h.beta1) * g;
      const vi = h.beta2 * v.data[i] + (1 - h.beta2) * g * g;
      m.data[i] = mi;
      v.data[i] = vi;
      const p = param.data[i] * (1 - h.lr * h.weightDecay);
      param.data[i] = p - (h.lr * (mi / c1)) / (Math.sqrt(vi / c2) + h.eps);
    }
  }

  protected kCholeskyDiag(a: RefMat, k0: number, kb: number): number {
    const n = a.cols;
    const d = a.data;
    for (let j = k0; j < k0 + kb; j++) {
      let s = d[j * n + j]!;
      for (let p = k0; p < j; p++) s -= d[j * n + p]! ** 2;
      if (!(s > 0)) return j;
      const ljj = Math.sqrt(s);
      d[j * n + j] = ljj;
      for (let i = j + 1; i < k0 + kb; i++) {
        let t = d[i * n + j]!;
        for (let p = k0; p < j; p++) t -= d[i * n + p]! * d[j * n + p]!;
        d[i * n + j] = t / ljj;
      }
    }
    for (let i = k0; i < k0 + kb; i++) d.fill(0, i * n + i + 1, i * n + n);
    return -1;
  }
  protected kTriInverse(out: RefMat, l: RefMat, k0: number, kb: number): void {
    // Column c of the inverse solves L11·x = e_c by forward substitution.
    const n = l.cols;
    out.data.fill(0);
    for (let c = 0; c < kb; c++) {
      for (let i = c; i < kb; i++) {
        let s = i === c ? 1 : 0;
        for (let p = c; p < i; p++) s -= l.data[(k0 + i) * n + k0 + p]! * out.data[p * kb + c]!;
        out.data[i * kb + c] = s / l.data[(k0 + i) * n + k0 + i]!;
      }
    }
  }
  protected kCopyBlock(out: RefMat, src: RefMat, r0: number, c0: number): void {
    for (let i = 0; i < out.rows; i++) out.data.set(src.data.subarray((r0 + i) * src.cols + c0, (r0 + i) * src.cols + c0 + out.cols), i * out.cols);
  }
  protected kUpdateBlock(dst: RefMat, t: RefMat, r0: number, c0: number, mode: BlockUpdate): void {
    for (let i = 0; i < t.rows; i++) {
      for (let j = 0; j < t.cols; j++) {
        const at = (r0 + i) * dst.cols + c0 + j;
        if (mode === 'set') dst.data[at] = t.data[i * t.cols + j]!;
        else if (mode === 'sub' || c0 + j <= r0 + i) dst.data[at] = dst.data[at]! - t.data[i * t.cols + j]!;
      }
    }
  }
}
