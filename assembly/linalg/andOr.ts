// The AND-OR split's descent (src/metrics/harsanyi.ts, andOrSplit) over tables of 2ⁿ f64: the same operations in
// the same order as the TypeScript loop it replaced, so the bits are equal (test/harsanyi.test.ts compares them
// with a plain descent). Subset transforms are linear maps over 2ⁿ values, hence their place in this module.

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 3);
}

/** Math.sign as JavaScript defines it: ±1, or the value itself for ±0 (and NaN). */
@inline function sign(x: f64): f64 {
  return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
}

/** The Möbius transform in place (I(S) = Σ_{T ⊆ S} (−1)^{|S|−|T|} a(T)), passes over bits 0 … n−1. */
function mobius(a: usize, n: i32): void {
  const size = 1 << n;
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    for (let base = 0; base < size; base += bit << 1) {
      for (let s = base | bit, end = base + (bit << 1); s < end; s++) store<f64>(at(a, s), load<f64>(at(a, s)) - load<f64>(at(a, s ^ bit)));
    }
  }
}

/** The adjoint of mobius in place, passes over bits n−1 … 0. */
function mobiusTranspose(a: usize, n: i32): void {
  const size = 1 << n;
  for (let i = n - 1; i >= 0; i--) {
    const bit = 1 << i;
    for (let base = 0; base < size; base += bit << 1) {
      for (let s = base | bit, end = base + (bit << 1); s < end; s++) store<f64>(at(a, s ^ bit), load<f64>(at(a, s ^ bit)) - load<f64>(at(a, s)));
    }
  }
}

/** Σ|x|, from the first entry on. */
function l1(x: usize, size: i32): f64 {
  let sum = 0.0;
  for (let i = 0; i < size; i++) sum += Math.abs(load<f64>(at(x, i)));
  return sum;
}

/** v_and, v_or of the split (p, q) and their AND and OR interactions. */
function parts(v: usize, p: usize, q: usize, vAnd: usize, vOr: usize, and: usize, or: usize, n: i32): void {
  const size = 1 << n;
  const full = size - 1;
  for (let t = 0; t < size; t++) {
    store<f64>(at(vAnd, t), 0.5 * (load<f64>(at(v, t)) + load<f64>(at(q, t))) + load<f64>(at(p, t)));
    store<f64>(at(vOr, t), 0.5 * (load<f64>(at(v, t)) + load<f64>(at(q, t))) - load<f64>(at(p, t)));
  }
  for (let u = 0; u < size; u++) store<f64>(at(or, u), load<f64>(at(vOr, full ^ u)));
  mobius(or, n);
  for (let s = 1; s < size; s++) store<f64>(at(or, s), -load<f64>(at(or, s)));
  store<f64>(or, load<f64>(vOr));
  for (let t = 0; t < size; t++) store<f64>(at(and, t), load<f64>(at(vAnd, t)));
  mobius(and, n);
}

/**
 * The descent of andOrSplit: `steps` SGD steps with momentum 0.9 from p = v/2, q = 0 at learning rates lrPtr[step],
 * q clamped to ±bound, keeping the sparsest iterate. `work` holds 12 tables of 2ⁿ f64: p, q, and, or (the results:
 * the best split and its interactions, before the fold of ∅ and singletons), then mp, mq, vAnd, vOr, gAnd, gW,
 * bestP, bestQ.
 */
export function andOrDescentF64(vPtr: usize, n: i32, steps: i32, lrPtr: usize, bound: f64, work: usize): void {
  const size = 1 << n;
  const full = size - 1;
  const bytes = <usize>size << 3;
  const p = work, q = p + bytes, and = q + bytes, or = and + bytes;
  const mp = or + bytes, mq = mp + bytes, vAnd = mq + bytes, vOr = vAnd + bytes;
  const gAnd = vOr + bytes, gW = gAnd + bytes, bestP = gW + bytes, bestQ = bestP + bytes;
  for (let t = 0; t < size; t++) {
    store<f64>(at(p, t), 0.5 * load<f64>(at(vPtr, t)));
    store<f64>(at(q, t), 0.0);
    store<f64>(at(mp, t), 0.0);
    store<f64>(at(mq, t), 0.0);
    store<f64>(at(bestP, t), load<f64>(at(p, t)));
    store<f64>(at(bestQ, t), 0.0);
  }
  let best = Infinity;
  for (let step = 0; step <= steps; step++) {
    parts(vPtr, p, q, vAnd, vOr, and, or, n);
    const loss = l1(and, size) + l1(or, size);
    if (loss < best) {
      best = loss;
      memory.copy(bestP, p, bytes);
      memory.copy(bestQ, q, bytes);
    }
    if (step == steps) break;
    for (let t = 0; t < size; t++) store<f64>(at(gAnd, t), sign(load<f64>(at(and, t))));
    mobiusTranspose(gAnd, n);
    store<f64>(gW, 0.0);
    for (let t = 1; t < size; t++) store<f64>(at(gW, t), -sign(load<f64>(at(or, t))));
    mobiusTranspose(gW, n);
    const signOrEmpty = sign(load<f64>(or));
    const lr = load<f64>(at(lrPtr, step));
    for (let t = 0; t < size; t++) {
      const gOr = t == 0 ? load<f64>(at(gW, full)) + signOrEmpty : load<f64>(at(gW, full ^ t));
      const ga = load<f64>(at(gAnd, t));
      const m1 = 0.9 * load<f64>(at(mp, t)) + (ga - gOr);
      const m2 = 0.9 * load<f64>(at(mq, t)) + 0.5 * (ga + gOr);
      store<f64>(at(mp, t), m1);
      store<f64>(at(mq, t), m2);
      store<f64>(at(p, t), load<f64>(at(p, t)) - lr * m1);
      store<f64>(at(q, t), Math.max(-bound, Math.min(bound, load<f64>(at(q, t)) - lr * m2)));
    }
  }
  memory.copy(p, bestP, bytes);
  memory.copy(q, bestQ, bytes);
  parts(vPtr, p, q, vAnd, vOr, and, or, n);
}
