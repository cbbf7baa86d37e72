// f64 dense linear algebra on the host (built alone into build/wasm/featurelab-linalg.wasm, f64x2 SIMD):
// blocked Cholesky, triangular solves with many right-hand sides, products with every sum in order,
// the AND-OR split's descent over subset transforms (andOr.ts), and symmetric eigendecomposition
// (Householder tridiagonalisation + implicit QL, after EISPACK tred2/tql2). Kept apart from the f32 engine
// module so that the engine's three builds stay small and this one can always assume SIMD.
// Matrices are row-major f64; memory is imported (`env.memory`) and owned by the host
// (src/linalg/wasmLinalg.ts), which places every buffer above `heapBaseF64()`; nothing here allocates.

/** Panel width of the blocked Cholesky and of the blocked triangular solves. */
const NB: i32 = 64;

/** First byte the host may use: everything below belongs to the module's static data. */
export function heapBaseF64(): usize {
  return __heap_base;
}

@inline function ld(p: usize): f64 {
  return load<f64>(p);
}

/** Σ_{p<len} x[p]·y[p] over contiguous f64s (two f64x2 accumulators). */
function dot(xPtr: usize, yPtr: usize, len: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let p = 0;
  for (; p + 4 <= len; p += 4) {
    const o = <usize>p << 3;
    a0 = f64x2.add(a0, f64x2.mul(v128.load(xPtr + o), v128.load(yPtr + o)));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(xPtr + o, 16), v128.load(yPtr + o, 16)));
  }
  a0 = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  for (; p < len; p++) s += ld(xPtr + (<usize>p << 3)) * ld(yPtr + (<usize>p << 3));
  return s;
}

/** y[p] += alpha·x[p] for p < len, contiguous. */
function axpy(yPtr: usize, xPtr: usize, alpha: f64, len: i32): void {
  const av = f64x2.splat(alpha);
  let p = 0;
  for (; p + 2 <= len; p += 2) {
    const o = <usize>p << 3;
    v128.store(yPtr + o, f64x2.add(v128.load(yPtr + o), f64x2.mul(av, v128.load(xPtr + o))));
  }
  for (; p < len; p++) {
    const o = <usize>p << 3;
    store<f64>(yPtr + o, ld(yPtr + o) + alpha * ld(xPtr + o));
  }
}

// ---------------------------------------------------------------------------------------------------
// Cholesky

/**
 * Trailing update of the blocked Cholesky: A[i, j] −= Σ_{p<kb} P[i, p]·P[j, p] for r0 ≤ j ≤ i < n, where
 * P[i, p] = A[i, k0 + p] (the factored panel). Rows of P are contiguous, so every output is a dot
 * product; a 4×2 block of outputs keeps 8 f64x2 accumulators plus 6 loaded vectors in the 16 xmm registers.
 */
function syrkUpdate(aPtr: usize, n: i32, k0: i32, kb: i32, r0: i32): void {
  const stride = <usize>n << 3;
  const col = <usize>k0 << 3;
  const kv = kb & ~1;
  let i = r0;
  for (; i + 4 <= n; i += 4) {
    const pi0 = aPtr + <usize>i * stride + col;
    const pi1 = pi0 + stride;
    const pi2 = pi1 + stride;
    const pi3 = pi2 + stride;
    // Columns j ≤ i + 3; pairs (j, j+1) entirely left of the 4×4 diagonal corner go through the kernel.
    let j = r0;
    for (; j + 2 <= i; j += 2) {
      const pj0 = aPtr + <usize>j * stride + col;
      const pj1 = pj0 + stride;
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      for (let p = 0; p < kv; p += 2) {
        const o = <usize>p << 3;
        const b0 = v128.load(pj0 + o);
        const b1 = v128.load(pj1 + o);
        const a0 = v128.load(pi0 + o);
        c00 = f64x2.add(c00, f64x2.mul(a0, b0));
        c01 = f64x2.add(c01, f64x2.mul(a0, b1));
        const a1 = v128.load(pi1 + o);
        c10 = f64x2.add(c10, f64x2.mul(a1, b0));
        c11 = f64x2.add(c11, f64x2.mul(a1, b1));
        const a2 = v128.load(pi2 + o);
        c20 = f64x2.add(c20, f64x2.mul(a2, b0));
        c21 = f64x2.add(c21, f64x2.mul(a2, b1));
        const a3 = v128.load(pi3 + o);
        c30 = f64x2.add(c30, f64x2.mul(a3, b0));
        c31 = f64x2.add(c31, f64x2.mul(a3, b1));
      }
      let s00 = f64x2.extract_lane(c00, 0) + f64x2.extract_lane(c00, 1);
      let s01 = f64x2.extract_lane(c01, 0) + f64x2.extract_lane(c01, 1);
      let s10 = f64x2.extract_lane(c10, 0) + f64x2.extract_lane(c10, 1);
      let s11 = f64x2.extract_lane(c11, 0) + f64x2.extract_lane(c11, 1);
      let s20 = f64x2.extract_lane(c20, 0) + f64x2.extract_lane(c20, 1);
      let s21 = f64x2.extract_lane(c21, 0) + f64x2.extract_lane(c21, 1);
      let s30 = f64x2.extract_lane(c30, 0) + f64x2.extract_lane(c30, 1);
      let s31 = f64x2.extract_lane(c31, 0) + f64x2.extract_lane(c31, 1);
      if (kv < kb) {
        const o = <usize>kv << 3;
        const b0 = ld(pj0 + o), b1 = ld(pj1 + o);
        const a0 = ld(pi0 + o), a1 = ld(pi1 + o), a2 = ld(pi2 + o), a3 = ld(pi3 + o);
        s00 += a0 * b0; s01 += a0 * b1; s10 += a1 * b0; s11 += a1 * b1;
        s20 += a2 * b0; s21 += a2 * b1; s30 += a3 * b0; s31 += a3 * b1;
      }
      const q = aPtr + <usize>i * stride + (<usize>j << 3);
      store<f64>(q, ld(q) - s00);
      store<f64>(q, ld(q + 8) - s01, 8);
      store<f64>(q + stride, ld(q + stride) - s10);
      store<f64>(q + stride, ld(q + stride + 8) - s11, 8);
      store<f64>(q + 2 * stride, ld(q + 2 * stride) - s20);
      store<f64>(q + 2 * stride, ld(q + 2 * stride + 8) - s21, 8);
      store<f64>(q + 3 * stride, ld(q + 3 * stride) - s30);
      store<f64>(q + 3 * stride, ld(q + 3 * stride + 8) - s31, 8);
    }
    // The remaining corner: rows i..i+3, columns j..row.
    for (let ii = i; ii < i + 4; ii++) {
      const pi = aPtr + <usize>ii * stride + col;
      for (let jj = j; jj <= ii; jj++) {
        const q = aPtr + <usize>ii * stride + (<usize>jj << 3);
        store<f64>(q, ld(q) - dot(pi, aPtr + <usize>jj * stride + col, kb));
      }
    }
  }
  for (; i < n; i++) {
    const pi = aPtr + <usize>i * stride + col;
    for (let j = r0; j <= i; j++) {
      const q = aPtr + <usize>i * stride + (<usize>j << 3);
      store<f64>(q, ld(q) - dot(pi, aPtr + <usize>j * stride + col, kb));
    }
  }
}

/**
 * In-place Cholesky A = L·Lᵀ of an n×n symmetric positive-definite matrix (row-major; only the lower
 * triangle is read and overwritten with L, the strict upper triangle is left as it was). Right-looking
 * and blocked by NB-wide panels: unblocked factorisation of the diagonal block, triangular solve of the
 * panel below it, SIMD rank-NB update of the trailing lower triangle.
 * Returns −1 on success, else the index of the first pivot that is not positive (or NaN).
 */
export function choleskyF64(aPtr: usize, n: i32): i32 {
  const stride = <usize>n << 3;
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = min(NB, n - k0);
    const k1 = k0 + kb;
    const col = <usize>k0 << 3;
    // Diagonal block (left-looking within the panel): columns < k0 were already subtracted.
    for (let j = k0; j < k1; j++) {
      const rj = aPtr + <usize>j * stride + col;
      const djj = ld(rj + (<usize>(j - k0) << 3)) - dot(rj, rj, j - k0);
      if (!(djj > 0)) return j;
      const ljj = Math.sqrt(djj);
      store<f64>(rj + (<usize>(j - k0) << 3), ljj);
      const inv = 1.0 / ljj;
      for (let i = j + 1; i < k1; i++) {
        const ri = aPtr + <usize>i * stride + col;
        const q = ri + (<usize>(j - k0) << 3);
        store<f64>(q, (ld(q) - dot(ri, rj, j - k0)) * inv);
      }
    }
    // Panel below: L[i, k0..k1) = A[i, k0..k1) · L11⁻ᵀ, row by row (forward substitution along the row).
    for (let i = k1; i < n; i++) {
      const ri = aPtr + <usize>i * stride + col;
      for (let j = k0; j < k1; j++) {
        const rj = aPtr + <usize>j * stride + col;
        const q = ri + (<usize>(j - k0) << 3);
        store<f64>(q, (ld(q) - dot(ri, rj, j - k0)) / ld(rj + (<usize>(j - k0) << 3)));
      }
    }
    if (k1 < n) syrkUpdate(aPtr, n, k0, kb, k1);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// Triangular solves

/**
 * C[r, c] −= Σ_{p<k} A(r, p)·X[p, c] for r < m, c < w, where A(r, p) = load(aPtr + r·sr + p·sp) (so one
 * kernel serves L and Lᵀ), X has row stride ldx and C row stride ldc (bytes). 4 rows × 4 columns of C
 * per block: 8 f64x2 accumulators, 4 splatted A values and 2 X vectors per p.
 */
function gemmSub(cPtr: usize, ldc: usize, aPtr: usize, sr: usize, sp: usize, xPtr: usize, ldx: usize, m: i32, k: i32, w: i32): void {
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const a0p = aPtr + <usize>r * sr;
    let c = 0;
    for (; c + 4 <= w; c += 4) {
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      let xp = xPtr + (<usize>c << 3);
      let ap = a0p;
      for (let p = 0; p < k; p++) {
        const x0 = v128.load(xp);
        const x1 = v128.load(xp, 16);
        const a0 = f64x2.splat(ld(ap));
        c00 = f64x2.add(c00, f64x2.mul(a0, x0));
        c01 = f64x2.add(c01, f64x2.mul(a0, x1));
        const a1 = f64x2.splat(ld(ap + sr));
        c10 = f64x2.add(c10, f64x2.mul(a1, x0));
        c11 = f64x2.add(c11, f64x2.mul(a1, x1));
        const a2 = f64x2.splat(ld(ap + 2 * sr));
        c20 = f64x2.add(c20, f64x2.mul(a2, x0));
        c21 = f64x2.add(c21, f64x2.mul(a2, x1));
        const a3 = f64x2.splat(ld(ap + 3 * sr));
        c30 = f64x2.add(c30, f64x2.mul(a3, x0));
        c31 = f64x2.add(c31, f64x2.mul(a3, x1));
        xp += ldx;
        ap += sp;
      }
      const q = cPtr + <usize>r * ldc + (<usize>c << 3);
      v128.store(q, f64x2.sub(v128.load(q), c00));
      v128.store(q, f64x2.sub(v128.load(q, 16), c01), 16);
      v128.store(q + ldc, f64x2.sub(v128.load(q + ldc), c10));
      v128.store(q + ldc, f64x2.sub(v128.load(q + ldc, 16), c11), 16);
      v128.store(q + 2 * ldc, f64x2.sub(v128.load(q + 2 * ldc), c20));
      v128.store(q + 2 * ldc, f64x2.sub(v128.load(q + 2 * ldc, 16), c21), 16);
      v128.store(q + 3 * ldc, f64x2.sub(v128.load(q + 3 * ldc), c30));
      v128.store(q + 3 * ldc, f64x2.sub(v128.load(q + 3 * ldc, 16), c31), 16);
    }
    // Leftover columns (fewer than 4): one row at a time.
    for (; c < w; c++) {
      for (let rr = r; rr < r + 4; rr++) gemmSubOne(cPtr, ldc, aPtr, sr, sp, xPtr, ldx, rr, c, k);
    }
  }
  for (; r < m; r++) {
    for (let c = 0; c < w; c++) gemmSubOne(cPtr, ldc, aPtr, sr, sp, xPtr, ldx, r, c, k);
  }
}

/** One element of gemmSub. */
function gemmSubOne(cPtr: usize, ldc: usize, aPtr: usize, sr: usize, sp: usize, xPtr: usize, ldx: usize, r: i32, c: i32, k: i32): void {
  let s = 0.0;
  let ap = aPtr + <usize>r * sr;
  let xp = xPtr + (<usize>c << 3);
  for (let p = 0; p < k; p++) {
    s += ld(ap) * ld(xp);
    ap += sp;
    xp += ldx;
  }
  const q = cPtr + <usize>r * ldc + (<usize>c << 3);
  store<f64>(q, ld(q) - s);
}

/**
 * Solves L·X = B (transpose = 0) or Lᵀ·X = B (transpose ≠ 0) in place over B (n×nrhs, row-major), for a
 * lower-triangular n×n L (row-major; the strict upper triangle is not read). Blocked by NB rows: the
 * block's rows of B are first updated with the rows already solved (gemmSub), then the small triangle is
 * solved by row operations (axpy over the nrhs columns).
 */
export function trsmLowerF64(lPtr: usize, bPtr: usize, n: i32, nrhs: i32, transpose: i32): void {
  const ls = <usize>n << 3;
  const bs = <usize>nrhs << 3;
  if (transpose == 0) {
    for (let i0 = 0; i0 < n; i0 += NB) {
      const i1 = min(n, i0 + NB);
      // B[i0..i1) −= L[i0..i1, 0..i0) · X[0..i0)
      if (i0 > 0) gemmSub(bPtr + <usize>i0 * bs, bs, lPtr + <usize>i0 * ls, ls, 8, bPtr, bs, i1 - i0, i0, nrhs);
      for (let i = i0; i < i1; i++) {
        const xi = bPtr + <usize>i * bs;
        const li = lPtr + <usize>i * ls;
        for (let p = i0; p < i; p++) axpy(xi, bPtr + <usize>p * bs, -ld(li + (<usize>p << 3)), nrhs);
        const inv = 1.0 / ld(li + (<usize>i << 3));
        for (let c = 0; c < nrhs; c++) store<f64>(xi + (<usize>c << 3), ld(xi + (<usize>c << 3)) * inv);
      }
    }
  } else {
    // Blocks from the bottom; Lᵀ[r, p] = L[p, r].
    for (let i1 = n; i1 > 0; i1 -= NB) {
      const i0 = max(0, i1 - NB);
      // B[i0..i1) −= Lᵀ[i0..i1, i1..n) · X[i1..n)
      if (i1 < n) gemmSub(bPtr + <usize>i0 * bs, bs, lPtr + <usize>i1 * ls + (<usize>i0 << 3), 8, ls, bPtr + <usize>i1 * bs, bs, i1 - i0, n - i1, nrhs);
      for (let i = i1 - 1; i >= i0; i--) {
        const xi = bPtr + <usize>i * bs;
        for (let p = i + 1; p < i1; p++) axpy(xi, bPtr + <usize>p * bs, -ld(lPtr + <usize>p * ls + (<usize>i << 3)), nrhs);
        const inv = 1.0 / ld(lPtr + <usize>i * ls + (<usize>i << 3));
        for (let c = 0; c < nrhs; c++) store<f64>(xi + (<usize>c << 3), ld(xi + (<usize>c << 3)) * inv);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Products with every sum in order

/** Depth of a K block of gemmInOrderF64: 64 rows of B (and columns of op(A)) stay in cache while every block of C passes over them. */
const KB: i32 = 64;

/**
 * C = op(A)·B (m×n, row-major) with each C[r, c] summed over p = 0, 1, … k−1 in order, from +0, as a plain
 * `s += a·b` loop would: lanes run over columns of C, never over p, and a K block resumes from the partial
 * sum it stored, so the bits match such a loop. op(A) is A (m×k, row-major) or, with transA ≠ 0, Aᵀ for A
 * stored k×m. B is k×n, row-major. `lda` and `ldb` are the row strides (in values) of the stored A and B:
 * m or k and n for whole matrices, more for a block of columns inside a wider matrix; C is dense (stride n).
 * With `fromRow` ≠ 0 row r starts at column (r & ~7) instead of 0 (the upper triangle of a square product, in
 * blocks; the rest of C is left as it was). Blocks of 2 rows × 8 columns (8 f64x2 accumulators, 2 splatted A
 * values, 4 B vectors per p), then 2 × 2, then single columns.
 */
export function gemmInOrderF64(aPtr: usize, bPtr: usize, cPtr: usize, m: i32, n: i32, k: i32, transA: i32, fromRow: i32, lda: i32, ldb: i32): void {
  // Byte strides of op(A) along its rows and along p, of B along p, and of C's rows.
  const sr: usize = transA != 0 ? 8 : <usize>lda << 3;
  const sp: usize = transA != 0 ? <usize>lda << 3 : 8;
  const sb = <usize>ldb << 3;
  const ldc = <usize>n << 3;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = min(k, p0 + KB);
    const fresh = p0 == 0;
    for (let r = 0; r < m; r += 2) {
      const two = r + 1 < m;
      const a0p = aPtr + <usize>r * sr + <usize>p0 * sp;
      const a1p = two ? a0p + sr : a0p;
      const q0row = cPtr + <usize>r * ldc;
      const q1row = two ? q0row + ldc : q0row;
      let c = fromRow != 0 ? r & ~7 : 0;
      for (; c + 8 <= n; c += 8) {
        const q0 = q0row + (<usize>c << 3);
        const q1 = q1row + (<usize>c << 3);
        const z = f64x2.splat(0);
        let x00 = fresh ? z : v128.load(q0), x01 = fresh ? z : v128.load(q0, 16);
        let x02 = fresh ? z : v128.load(q0, 32), x03 = fresh ? z : v128.load(q0, 48);
        let x10 = fresh ? z : v128.load(q1), x11 = fresh ? z : v128.load(q1, 16);
        let x12 = fresh ? z : v128.load(q1, 32), x13 = fresh ? z : v128.load(q1, 48);
        let bp = bPtr + <usize>p0 * sb + (<usize>c << 3);
        let ap0 = a0p;
        let ap1 = a1p;
        for (let p = p0; p < p1; p++) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          const b2 = v128.load(bp, 32);
          const b3 = v128.load(bp, 48);
          const v0 = f64x2.splat(ld(ap0));
          x00 = f64x2.add(x00, f64x2.mul(v0, b0));
          x01 = f64x2.add(x01, f64x2.mul(v0, b1));
          x02 = f64x2.add(x02, f64x2.mul(v0, b2));
          x03 = f64x2.add(x03, f64x2.mul(v0, b3));
          const v1 = f64x2.splat(ld(ap1));
          x10 = f64x2.add(x10, f64x2.mul(v1, b0));
          x11 = f64x2.add(x11, f64x2.mul(v1, b1));
          x12 = f64x2.add(x12, f64x2.mul(v1, b2));
          x13 = f64x2.add(x13, f64x2.mul(v1, b3));
          bp += sb;
          ap0 += sp;
          ap1 += sp;
        }
        // Row r + 1 first: when it does not exist q1 = q0 and row r's values must be the ones left.
        v128.store(q1, x10);
        v128.store(q1, x11, 16);
        v128.store(q1, x12, 32);
        v128.store(q1, x13, 48);
        v128.store(q0, x00);
        v128.store(q0, x01, 16);
        v128.store(q0, x02, 32);
        v128.store(q0, x03, 48);
      }
      for (; c + 2 <= n; c += 2) {
        const q0 = q0row + (<usize>c << 3);
        const q1 = q1row + (<usize>c << 3);
        let x0 = fresh ? f64x2.splat(0) : v128.load(q0);
        let x1 = fresh ? f64x2.splat(0) : v128.load(q1);
        let bp = bPtr + <usize>p0 * sb + (<usize>c << 3);
        let ap0 = a0p;
        let ap1 = a1p;
        for (let p = p0; p < p1; p++) {
          const b = v128.load(bp);
          x0 = f64x2.add(x0, f64x2.mul(f64x2.splat(ld(ap0)), b));
          x1 = f64x2.add(x1, f64x2.mul(f64x2.splat(ld(ap1)), b));
          bp += sb;
          ap0 += sp;
          ap1 += sp;
        }
        v128.store(q1, x1);
        v128.store(q0, x0);
      }
      if (c < n) {
        const q0 = q0row + (<usize>c << 3);
        const q1 = q1row + (<usize>c << 3);
        let s0 = fresh ? 0.0 : ld(q0);
        let s1 = fresh ? 0.0 : ld(q1);
        let bp = bPtr + <usize>p0 * sb + (<usize>c << 3);
        let ap0 = a0p;
        let ap1 = a1p;
        for (let p = p0; p < p1; p++) {
          const b = ld(bp);
          s0 += ld(ap0) * b;
          s1 += ld(ap1) * b;
          bp += sb;
          ap0 += sp;
          ap1 += sp;
        }
        store<f64>(q1, s1);
        store<f64>(q0, s0);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Symmetric eigendecomposition
//
// tred2/tql2 as in EISPACK (via JAMA), but run on Vᵀ: the algorithm's inner loops walk columns of V, which
// are rows of Vᵀ, so they become contiguous dot products and axpys. `vt(r, c)` below is V[r][c].

/** Most QL iterations per eigenvalue before giving up. */
const MAX_QL_ITER: i32 = 60;

@inline function vtAddr(vPtr: usize, n: i32, r: i32, c: i32): usize {
  return vPtr + ((<usize>c * <usize>n + <usize>r) << 3);
}

/** Householder reduction to tridiagonal form: d = diagonal, e[1..n) = sub-diagonal, V (as Vᵀ) = Q. */
function tred2(vPtr: usize, n: i32, dPtr: usize, ePtr: usize): void {
  const rs = <usize>n << 3;
  for (let j = 0; j < n; j++) store<f64>(dPtr + (<usize>j << 3), ld(vtAddr(vPtr, n, n - 1, j)));
  for (let i = n - 1; i > 0; i--) {
    let scale = 0.0;
    let h = 0.0;
    for (let k = 0; k < i; k++) scale += Math.abs(ld(dPtr + (<usize>k << 3)));
    if (scale == 0.0) {
      store<f64>(ePtr + (<usize>i << 3), ld(dPtr + (<usize>(i - 1) << 3)));
      for (let j = 0; j < i; j++) {
        store<f64>(dPtr + (<usize>j << 3), ld(vtAddr(vPtr, n, i - 1, j)));
        store<f64>(vtAddr(vPtr, n, i, j), 0.0);
        store<f64>(vtAddr(vPtr, n, j, i), 0.0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        const dk = ld(dPtr + (<usize>k << 3)) / scale;
        store<f64>(dPtr + (<usize>k << 3), dk);
        h += dk * dk;
      }
      let f = ld(dPtr + (<usize>(i - 1) << 3));
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      store<f64>(ePtr + (<usize>i << 3), scale * g);
      h -= f * g;
      store<f64>(dPtr + (<usize>(i - 1) << 3), f - g);
      memory.fill(ePtr, 0, <usize>i << 3);
      // e = A·u (lower triangle of the active block), column by column: row j of Vᵀ from j on.
      for (let j = 0; j < i; j++) {
        f = ld(dPtr + (<usize>j << 3));
        store<f64>(vtAddr(vPtr, n, j, i), f);
        const colj = vPtr + <usize>j * rs; // V[k][j] = colj[k]
        g = ld(ePtr + (<usize>j << 3)) + ld(colj + (<usize>j << 3)) * f;
        const len = i - j - 1;
        g += dot(colj + (<usize>(j + 1) << 3), dPtr + (<usize>(j + 1) << 3), len);
        axpy(ePtr + (<usize>(j + 1) << 3), colj + (<usize>(j + 1) << 3), f, len);
        store<f64>(ePtr + (<usize>j << 3), g);
      }
      f = 0.0;
      for (let j = 0; j < i; j++) {
        const ej = ld(ePtr + (<usize>j << 3)) / h;
        store<f64>(ePtr + (<usize>j << 3), ej);
        f += ej * ld(dPtr + (<usize>j << 3));
      }
      const hh = f / (h + h);
      axpy(ePtr, dPtr, -hh, i);
      // Rank-2 update of the lower triangle: V[k][j] −= f·e[k] + g·d[k], k = j..i−1.
      for (let j = 0; j < i; j++) {
        f = ld(dPtr + (<usize>j << 3));
        g = ld(ePtr + (<usize>j << 3));
        const colj = vPtr + <usize>j * rs;
        const o = <usize>j << 3;
        axpy(colj + o, ePtr + o, -f, i - j);
        axpy(colj + o, dPtr + o, -g, i - j);
        store<f64>(dPtr + (<usize>j << 3), ld(vtAddr(vPtr, n, i - 1, j)));
        store<f64>(vtAddr(vPtr, n, i, j), 0.0);
      }
    }
    store<f64>(dPtr + (<usize>i << 3), h);
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    store<f64>(vtAddr(vPtr, n, n - 1, i), ld(vtAddr(vPtr, n, i, i)));
    store<f64>(vtAddr(vPtr, n, i, i), 1.0);
    const h = ld(dPtr + (<usize>(i + 1) << 3));
    const coli1 = vPtr + <usize>(i + 1) * rs;
    if (h != 0.0) {
      for (let k = 0; k <= i; k++) store<f64>(dPtr + (<usize>k << 3), ld(coli1 + (<usize>k << 3)) / h);
      for (let j = 0; j <= i; j++) {
        const colj = vPtr + <usize>j * rs;
        const g = dot(coli1, colj, i + 1);
        axpy(colj, dPtr, -g, i + 1);
      }
    }
    memory.fill(coli1, 0, <usize>(i + 1) << 3);
  }
  for (let j = 0; j < n; j++) {
    store<f64>(dPtr + (<usize>j << 3), ld(vtAddr(vPtr, n, n - 1, j)));
    store<f64>(vtAddr(vPtr, n, n - 1, j), 0.0);
  }
  store<f64>(vtAddr(vPtr, n, n - 1, n - 1), 1.0);
  store<f64>(ePtr, 0.0);
}

/** Applies the plane rotation to columns i and i+1 of V (rows i, i+1 of Vᵀ): contiguous f64x2. */
function rotateColumns(vPtr: usize, n: i32, i: i32, c: f64, s: f64): void {
  const pa = vPtr + <usize>i * (<usize>n << 3);
  const pb = pa + (<usize>n << 3);
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = <usize>k << 3;
    const a = v128.load(pa + o);
    const b = v128.load(pb + o);
    v128.store(pb + o, f64x2.add(f64x2.mul(sv, a), f64x2.mul(cv, b)));
    v128.store(pa + o, f64x2.sub(f64x2.mul(cv, a), f64x2.mul(sv, b)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 3;
    const a = ld(pa + o);
    const b = ld(pb + o);
    store<f64>(pb + o, s * a + c * b);
    store<f64>(pa + o, c * a - s * b);
  }
}

/** Implicit QL on the tridiagonal (d, e), rotations accumulated into V; sorts ascending. Returns iterations or −1. */
function tql2(vPtr: usize, n: i32, dPtr: usize, ePtr: usize): i32 {
  for (let i = 1; i < n; i++) store<f64>(ePtr + (<usize>(i - 1) << 3), ld(ePtr + (<usize>i << 3)));
  store<f64>(ePtr + (<usize>(n - 1) << 3), 0.0);
  let f = 0.0;
  let tst1 = 0.0;
  const eps = Math.pow(2.0, -52.0);
  let total = 0;
  for (let l = 0; l < n; l++) {
    const dAt = dPtr + (<usize>l << 3);
    const eAt = ePtr + (<usize>l << 3);
    tst1 = Math.max(tst1, Math.abs(ld(dAt)) + Math.abs(ld(eAt)));
    let m = l;
    while (m < n) {
      if (Math.abs(ld(ePtr + (<usize>m << 3))) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITER) return -1;
        total++;
        let g = ld(dAt);
        let p = (ld(dAt + 8) - g) / (2.0 * ld(eAt));
        let r = Math.hypot(p, 1.0);
        if (p < 0) r = -r;
        store<f64>(dAt, ld(eAt) / (p + r));
        store<f64>(dAt + 8, ld(eAt) * (p + r));
        const dl1 = ld(dAt + 8);
        let h = g - ld(dAt);
        for (let i = l + 2; i < n; i++) store<f64>(dPtr + (<usize>i << 3), ld(dPtr + (<usize>i << 3)) - h);
        f += h;
        p = ld(dPtr + (<usize>m << 3));
        let c = 1.0, c2 = 1.0, c3 = 1.0;
        const el1 = ld(eAt + 8);
        let s = 0.0, s2 = 0.0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = ld(ePtr + (<usize>i << 3));
          const di = ld(dPtr + (<usize>i << 3));
          g = c * ei;
          h = c * p;
          r = Math.hypot(p, ei);
          store<f64>(ePtr + (<usize>(i + 1) << 3), s * r);
          s = ei / r;
          c = p / r;
          p = c * di - s * g;
          store<f64>(dPtr + (<usize>(i + 1) << 3), h + s * (c * g + s * di));
          rotateColumns(vPtr, n, i, c, s);
        }
        p = -s * s2 * c3 * el1 * ld(eAt) / dl1;
        store<f64>(eAt, s * p);
        store<f64>(dAt, c * p);
      } while (Math.abs(ld(eAt)) > eps * tst1);
    }
    store<f64>(dAt, ld(dAt) + f);
    store<f64>(eAt, 0.0);
  }
  // Selection sort, ascending, swapping the matching eigenvectors (rows of Vᵀ).
  const rs = <usize>n << 3;
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = ld(dPtr + (<usize>i << 3));
    for (let j = i + 1; j < n; j++) {
      const dj = ld(dPtr + (<usize>j << 3));
      if (dj < p) {
        k = j;
        p = dj;
      }
    }
    if (k != i) {
      store<f64>(dPtr + (<usize>k << 3), ld(dPtr + (<usize>i << 3)));
      store<f64>(dPtr + (<usize>i << 3), p);
      const ri = vPtr + <usize>i * rs;
      const rk = vPtr + <usize>k * rs;
      for (let q: usize = 0; q < rs; q += 16) {
        if (q + 16 <= rs) {
          const t = v128.load(ri + q);
          v128.store(ri + q, v128.load(rk + q));
          v128.store(rk + q, t);
        } else {
          const t = ld(ri + q);
          store<f64>(ri + q, ld(rk + q));
          store<f64>(rk + q, t);
        }
      }
    }
  }
  return total;
}

/**
 * Symmetric eigendecomposition A = V·diag(w)·Vᵀ of an n×n row-major matrix (only needs A symmetric; A is
 * not modified). w (n) receives the eigenvalues ascending, v (n×n row-major) the orthonormal eigenvectors
 * as columns; work holds n f64. Returns the number of QL iterations, or −1 if QL did not converge.
 */
export function symEigF64(aPtr: usize, n: i32, wPtr: usize, vPtr: usize, workPtr: usize): i32 {
  // A is symmetric, so its bytes are also Aᵀ: the algorithm starts from V = A stored as Vᵀ.
  memory.copy(vPtr, aPtr, <usize>n * <usize>n << 3);
  tred2(vPtr, n, wPtr, workPtr);
  const iters = tql2(vPtr, n, wPtr, workPtr);
  // Vᵀ → V in place.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = vtAddr(vPtr, n, i, j);
      const b = vtAddr(vPtr, n, j, i);
      const t = ld(a);
      store<f64>(a, ld(b));
      store<f64>(b, t);
    }
  }
  return iters;
}
export { andOrDescentF64 } from './andOr';
