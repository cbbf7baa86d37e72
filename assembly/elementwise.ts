// Element-wise ops, reductions, transpose, gather, losses and optimiser steps (f32 storage). Sums are
// accumulated in f64 and transcendentals evaluated in f64, so results round the f64 oracle's values.
// Every kernel is a plain function over pointers and element counts; none allocates.
import { madd } from './madd';
import { asIndex, binaryOp, unaryDeriv, unaryOp } from './scalar';

/** out[0..n) = value. */
export function fillF32(outPtr: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(outPtr + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(outPtr + (<usize>i << 2), value);
}

/** out[0..n) = x[0..n). */
export function copyF32(outPtr: usize, xPtr: usize, n: i32): void {
  memory.copy(outPtr, xPtr, <usize>n << 2);
}

/** out = f(x) element-wise over n elements; op is the index in UNARY_OPS. */
export function unaryF32(op: i32, xPtr: usize, outPtr: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Exact SIMD forms of the ops that need no libm (same rounding as the scalar path).
    const zero = f32x4.splat(0);
    if (op == 0) { // relu: x < 0 ? 0 : x (NaN stays NaN)
      for (; i + 4 <= n; i += 4) {
        const x = v128.load(xPtr + (<usize>i << 2));
        v128.store(outPtr + (<usize>i << 2), v128.bitselect(zero, x, f32x4.lt(x, zero)));
      }
    } else if (op == 4) { // square
      for (; i + 4 <= n; i += 4) {
        const x = v128.load(xPtr + (<usize>i << 2));
        v128.store(outPtr + (<usize>i << 2), f32x4.mul(x, x));
      }
    } else if (op == 9) { // neg
      for (; i + 4 <= n; i += 4) v128.store(outPtr + (<usize>i << 2), f32x4.neg(v128.load(xPtr + (<usize>i << 2))));
    } else if (op == 10) { // abs
      for (; i + 4 <= n; i += 4) v128.store(outPtr + (<usize>i << 2), f32x4.abs(v128.load(xPtr + (<usize>i << 2))));
    } else if (op == 8) { // sqrt (correctly rounded in both)
      for (; i + 4 <= n; i += 4) v128.store(outPtr + (<usize>i << 2), f32x4.sqrt(v128.load(xPtr + (<usize>i << 2))));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(outPtr + at, <f32>unaryOp(op, <f64>load<f32>(xPtr + at)));
  }
}

/** out = dy · f′(x) element-wise over n elements. */
export function unaryGradF32(op: i32, xPtr: usize, dyPtr: usize, outPtr: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Exact SIMD forms (the f64 product of two f32 values rounds to the same f32 as an f32 product):
    // relu′ = 1, 0 or NaN (for NaN x); dy·square′ = (dy·x)·2 (×2 is exact; 2x first would overflow past 1.7e38).
    if (op == 0) {
      const one = f32x4.splat(1);
      const zero = f32x4.splat(0);
      const nan = f32x4.splat(NaN);
      for (; i + 4 <= n; i += 4) {
        const at = <usize>i << 2;
        const x = v128.load(xPtr + at);
        const d = v128.bitselect(one, v128.bitselect(zero, nan, f32x4.le(x, zero)), f32x4.gt(x, zero));
        v128.store(outPtr + at, f32x4.mul(v128.load(dyPtr + at), d));
      }
    } else if (op == 4) {
      for (; i + 4 <= n; i += 4) {
        const at = <usize>i << 2;
        const x = v128.load(xPtr + at);
        const p = f32x4.mul(v128.load(dyPtr + at), x);
        v128.store(outPtr + at, f32x4.add(p, p));
      }
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(outPtr + at, <f32>(<f64>load<f32>(dyPtr + at) * unaryDeriv(op, <f64>load<f32>(xPtr + at))));
  }
}

// @ts-ignore: decorator
@inline
function binaryVec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    case 4: return f32x4.max(a, b);
    default: return f32x4.min(a, b);
  }
}

/** Applies op on a row segment: out[j] = a[j] ∘ (bStep ? b[j] : b[0]) for j in [0, len). */
function binaryRow(op: i32, aPtr: usize, bPtr: usize, bScalar: bool, outPtr: usize, len: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const bs = v128.load32_splat(bPtr);
    switch (op) { // one loop per op keeps the switch out of the inner loop
      case 0: for (; j + 4 <= len; j += 4) { const o = <usize>j << 2; v128.store(outPtr + o, f32x4.add(v128.load(aPtr + o), bScalar ? bs : v128.load(bPtr + o))); } break;
      case 1: for (; j + 4 <= len; j += 4) { const o = <usize>j << 2; v128.store(outPtr + o, f32x4.sub(v128.load(aPtr + o), bScalar ? bs : v128.load(bPtr + o))); } break;
      case 2: for (; j + 4 <= len; j += 4) { const o = <usize>j << 2; v128.store(outPtr + o, f32x4.mul(v128.load(aPtr + o), bScalar ? bs : v128.load(bPtr + o))); } break;
      case 3: for (; j + 4 <= len; j += 4) { const o = <usize>j << 2; v128.store(outPtr + o, f32x4.div(v128.load(aPtr + o), bScalar ? bs : v128.load(bPtr + o))); } break;
      default: for (; j + 4 <= len; j += 4) { const o = <usize>j << 2; v128.store(outPtr + o, binaryVec(op, v128.load(aPtr + o), bScalar ? bs : v128.load(bPtr + o))); } break;
    }
  }
  for (; j < len; j++) {
    const o = <usize>j << 2;
    store<f32>(outPtr + o, binaryOp(op, load<f32>(aPtr + o), load<f32>(bScalar ? bPtr : bPtr + o)));
  }
}

/**
 * out (m×n) = a ∘ b with b broadcast: bcast 0 full (m×n), 1 row (1×n), 2 col (m×1), 3 scalar (1×1).
 * op is the index in BINARY_OPS.
 */
export function binaryF32(op: i32, bcast: i32, aPtr: usize, bPtr: usize, outPtr: usize, m: i32, n: i32): void {
  if (bcast == 0) {
    binaryRow(op, aPtr, bPtr, false, outPtr, m * n);
  } else if (bcast == 3) {
    binaryRow(op, aPtr, bPtr, true, outPtr, m * n);
  } else {
    const rowBytes = <usize>n << 2;
    for (let i = 0; i < m; i++) {
      const off = <usize>i * rowBytes;
      if (bcast == 1) binaryRow(op, aPtr + off, bPtr, false, outPtr + off, n);
      else binaryRow(op, aPtr + off, bPtr + (<usize>i << 2), true, outPtr + off, n);
    }
  }
}

/**
 * Reduction of x (m×n) over an axis: axis 0 → out 1×n, axis 1 → out m×1. op is the index in REDUCE_OPS
 * (sum, mean, max, argmax, sumSq). For axis 0 with sum/mean/sumSq, scratchPtr holds n f64 accumulators.
 */
export function reduceF32(op: i32, axis: i32, xPtr: usize, outPtr: usize, m: i32, n: i32, scratchPtr: usize): void {
  const lines = axis == 0 ? n : m;
  const len = axis == 0 ? m : n;
  const lineStep: usize = axis == 0 ? 4 : <usize>n << 2; // bytes between the starts of two lines
  const step: usize = axis == 0 ? <usize>n << 2 : 4; // bytes between two elements of a line
  if (op == 2 || op == 3) {
    // max / argmax: the first maximum; the first NaN wins and stops the scan.
    for (let l = 0; l < lines; l++) {
      let p = xPtr + <usize>l * lineStep;
      let best = load<f32>(p);
      let bestAt = 0;
      for (let t = 1; t < len && best == best; t++) {
        p += step;
        const v = load<f32>(p);
        if (v > best || v != v) { best = v; bestAt = t; }
      }
      store<f32>(outPtr + (<usize>l << 2), op == 2 ? best : <f32>bestAt);
    }
    return;
  }
  const sq = op == 4;
  if (axis == 1) {
    for (let i = 0; i < m; i++) {
      const row = xPtr + <usize>i * lineStep;
      let s: f64 = 0;
      for (let j = 0; j < n; j++) {
        const v = <f64>load<f32>(row + (<usize>j << 2));
        s += sq ? v * v : v;
      }
      store<f32>(outPtr + (<usize>i << 2), <f32>(op == 1 ? s / <f64>n : s));
    }
    return;
  }
  // axis 0: walk rows in memory order, one f64 accumulator per column (same order as the oracle).
  for (let j = 0; j < n; j++) store<f64>(scratchPtr + (<usize>j << 3), 0);
  for (let i = 0; i < m; i++) {
    const row = xPtr + <usize>i * (<usize>n << 2);
    for (let j = 0; j < n; j++) {
      const v = <f64>load<f32>(row + (<usize>j << 2));
      const a = scratchPtr + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + (sq ? v * v : v));
    }
  }
  for (let j = 0; j < n; j++) {
    const s = load<f64>(scratchPtr + (<usize>j << 3));
    store<f32>(outPtr + (<usize>j << 2), <f32>(op == 1 ? s / <f64>m : s));
  }
}

/** out (n×m) = xᵀ for x (m×n), in cache blocks. */
export function transposeF32(xPtr: usize, outPtr: usize, m: i32, n: i32): void {
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = min(n, j0 + B);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(outPtr + ((<usize>j * <usize>m + <usize>i) << 2), load<f32>(xPtr + ((<usize>i * <usize>n + <usize>j) << 2)));
        }
      }
    }
  }
}

/** out (count×cols) = rows of x (rows×cols) picked by the f32 indices; an invalid index gives a NaN row. */
export function gatherRowsF32(xPtr: usize, idxPtr: usize, outPtr: usize, rows: i32, cols: i32, count: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < count; r++) {
    const src = asIndex(load<f32>(idxPtr + (<usize>r << 2)), rows);
    const dst = outPtr + <usize>r * rowBytes;
    if (src < 0) fillF32(dst, cols, NaN);
    else memory.copy(dst, xPtr + <usize>src * rowBytes, rowBytes);
  }
}

/**
 * out (outRows×cols): row r = Σ_{j=off[r]}^{off[r+1]−1} x[src[j]] in f32, added in order of j (SIMD across
 * columns: the same additions as the scalar loop). A bad offset or source gives a NaN row.
 */
export function gatherSumRowsF32(xPtr: usize, offPtr: usize, srcPtr: usize, outPtr: usize, rows: i32, cols: i32, outRows: i32, nSources: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < outRows; r++) {
    const dst = outPtr + <usize>r * rowBytes;
    const lo = asIndex(load<f32>(offPtr + (<usize>r << 2)), nSources + 1);
    const hi = asIndex(load<f32>(offPtr + (<usize>(r + 1) << 2)), nSources + 1);
    fillF32(dst, cols, 0);
    if (lo < 0 || hi < lo) {
      fillF32(dst, cols, NaN);
      continue;
    }
    for (let j = lo; j < hi; j++) {
      const s = asIndex(load<f32>(srcPtr + (<usize>j << 2)), rows);
      if (s < 0) {
        fillF32(dst, cols, NaN);
        continue;
      }
      binaryRow(0, dst, xPtr + <usize>s * rowBytes, false, dst, cols);
    }
  }
}

/**
 * Mean softmax cross-entropy of logits (m×c) against labels (m×1 class indices as f32), max-shifted, in
 * f64: loss (1×1) = Σ((max − logit[label]) + log Σ exp(logit − max)) / meanOver, grad (m×c) = (softmax − onehot)/meanOver (meanOver = m:
 * the mean; m/B: the sum of B row blocks' means). An invalid label makes that row's gradient and the loss NaN.
 */
export function softmaxCrossEntropyF32(logitsPtr: usize, labelsPtr: usize, lossPtr: usize, gradPtr: usize, m: i32, c: i32, meanOver: i32): void {
  let total: f64 = 0;
  const rowBytes = <usize>c << 2;
  for (let i = 0; i < m; i++) {
    const row = logitsPtr + <usize>i * rowBytes;
    const g = gradPtr + <usize>i * rowBytes;
    const label = asIndex(load<f32>(labelsPtr + (<usize>i << 2)), c);
    let mx: f64 = -Infinity;
    for (let j = 0; j < c; j++) {
      const v = <f64>load<f32>(row + (<usize>j << 2));
      mx = v > mx || v != v ? v : mx;
    }
    let sum: f64 = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - mx);
    if (label < 0) {
      total += NaN;
      fillF32(g, c, NaN);
      continue;
    }
    // (mx − logit) + log(sum), not (mx + log(sum)) − logit: at |logits| ≥ 1e12 the latter rounds log(sum) away.
    total += (mx - <f64>load<f32>(row + (<usize>label << 2))) + Math.log(sum);
    for (let j = 0; j < c; j++) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - mx) / sum;
      store<f32>(g + (<usize>j << 2), <f32>((p - (j == label ? 1 : 0)) / <f64>meanOver));
    }
  }
  store<f32>(lossPtr, <f32>(total / <f64>meanOver));
}

/** Mean squared error over n elements: loss (1×1) = mean((pred − target)²), grad = 2(pred − target)/n. */
export function mseF32(predPtr: usize, targetPtr: usize, lossPtr: usize, gradPtr: usize, n: i32): void {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const d = <f64>load<f32>(predPtr + at) - <f64>load<f32>(targetPtr + at);
    total += d * d;
    store<f32>(gradPtr + at, <f32>((2 * d) / <f64>n));
  }
  store<f32>(lossPtr, <f32>(total / <f64>n));
}

/**
 * In-place SGD over n elements (PyTorch semantics): g = grad + wd·p; with momentum (vPtr ≠ 0)
 * v = momentum·v + g and step = nesterov ? g + momentum·v : v; p −= lr·step. In f64, except plain SGD (no
 * momentum, no weight decay), which is memory-bound and runs in f32.
 */
export function sgdStepF32(pPtr: usize, gPtr: usize, vPtr: usize, n: i32, lr: f64, momentum: f64, weightDecay: f64, nesterov: i32): void {
  if (vPtr == 0 && weightDecay == 0) {
    plainSgdF32(pPtr, gPtr, n, <f32>-lr);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // The same f64 arithmetic two lanes at a time (f32 → f64x2 → f32): bit-identical to the scalar loop.
    const lrs = f64x2.splat(lr);
    const mom = f64x2.splat(momentum);
    const wd = f64x2.splat(weightDecay);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const p4 = v128.load(pPtr + at);
      const g4 = v128.load(gPtr + at);
      const v4 = vPtr != 0 ? v128.load(vPtr + at) : f32x4.splat(0);
      const pLo = sgdLanes(f64x2.promote_low_f32x4(p4), f64x2.promote_low_f32x4(g4), f64x2.promote_low_f32x4(v4), lrs, mom, wd, vPtr != 0, nesterov != 0);
      const pHi = sgdLanes(f64x2.promote_low_f32x4(v128.shuffle<f32>(p4, p4, 2, 3, 0, 1)), f64x2.promote_low_f32x4(v128.shuffle<f32>(g4, g4, 2, 3, 0, 1)),
        f64x2.promote_low_f32x4(v128.shuffle<f32>(v4, v4, 2, 3, 0, 1)), lrs, mom, wd, vPtr != 0, nesterov != 0);
      // sgdLanes returns (new p, new v) demoted into lanes 0–1 and 2–3 of one f32x4.
      v128.store(pPtr + at, v128.shuffle<f32>(pLo, pHi, 0, 1, 4, 5));
      if (vPtr != 0) v128.store(vPtr + at, v128.shuffle<f32>(pLo, pHi, 2, 3, 6, 7));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const p = <f64>load<f32>(pPtr + at);
    const g = <f64>load<f32>(gPtr + at) + weightDecay * p;
    let step = g;
    if (vPtr != 0) {
      const v = momentum * <f64>load<f32>(vPtr + at) + g;
      store<f32>(vPtr + at, <f32>v);
      step = nesterov != 0 ? g + momentum * v : v;
    }
    store<f32>(pPtr + at, <f32>(p - lr * step));
  }
}

/**
 * Plain SGD p ← p + (−lr)·g in f32: memory-bound at the speed of a copy, where the f64 path is not. Every
 * element, including a tail shorter than a vector, goes through the same f32x4 multiply-add, so the result
 * does not depend on how the range is split over threads (in the FMA build the multiply-add is fused).
 */
function plainSgdF32(pPtr: usize, gPtr: usize, n: i32, negLr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(negLr);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(pPtr + at, madd(a, v128.load(gPtr + at), v128.load(pPtr + at)));
    }
    for (; i < n; i++) {
      const at = <usize>i << 2;
      const r = madd(a, f32x4.splat(load<f32>(gPtr + at)), f32x4.splat(load<f32>(pPtr + at)));
      store<f32>(pPtr + at, f32x4.extract_lane(r, 0));
    }
    return;
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(pPtr + at, load<f32>(pPtr + at) + negLr * load<f32>(gPtr + at));
  }
}

/** Two lanes of the SGD step in f64; returns f32x4(p0, p1, v0, v1) of the new parameter and velocity. */
// @ts-ignore: decorator
@inline
function sgdLanes(p: v128, g0: v128, v: v128, lr: v128, mom: v128, wd: v128, hasV: bool, nesterov: bool): v128 {
  const g = f64x2.add(g0, f64x2.mul(wd, p));
  let step = g;
  let vNew = v;
  if (hasV) {
    vNew = f64x2.add(f64x2.mul(mom, v), g);
    // The scalar loop stores v rounded to f32 but steps with the unrounded f64 value: so do we.
    step = nesterov ? f64x2.add(g, f64x2.mul(mom, vNew)) : vNew;
  }
  const pNew = f64x2.sub(p, f64x2.mul(lr, step));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(pNew), f32x4.demote_f64x2_zero(vNew), 0, 1, 4, 5);
}

/**
 * In-place AdamW over n elements (decoupled weight decay): c1 = 1 − β1^t and c2 = 1 − β2^t are the bias
 * corrections computed by the caller.
 */
export function adamwStepF32(
  pPtr: usize, gPtr: usize, mPtr: usize, vPtr: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, c1: f64, c2: f64,
): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const g = <f64>load<f32>(gPtr + at);
    const mi = beta1 * <f64>load<f32>(mPtr + at) + (1 - beta1) * g;
    const vi = beta2 * <f64>load<f32>(vPtr + at) + (1 - beta2) * g * g;
    store<f32>(mPtr + at, <f32>mi);
    store<f32>(vPtr + at, <f32>vi);
    const p = <f64>load<f32>(pPtr + at) * (1 - lr * weightDecay);
    store<f32>(pPtr + at, <f32>(p - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps)));
  }
}
