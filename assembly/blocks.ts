// Small kernels of the blocked linear algebra (src/backend/base.ts: cholesky, solveTriangular): Cholesky and
// triangular inverse of one diagonal block (≤ 64×64, f64 arithmetic on f32 storage), and copies / updates of
// rectangular blocks. Everything else in those algorithms is matmulF32.

/** Cholesky of the diagonal block a[k0:k0+kb, k0:k0+kb] (row-major n×n) in place, lower triangle; rows
 * k0…k0+kb−1 zeroed right of the diagonal. Returns the first non-positive pivot's index, or −1. */
export function choleskyDiagF32(aPtr: usize, n: i32, k0: i32, kb: i32): i32 {
  const stride = <usize>n << 2;
  for (let j = k0; j < k0 + kb; j++) {
    const rowJ = aPtr + <usize>j * stride;
    let s = <f64>load<f32>(rowJ + (<usize>j << 2));
    for (let p = k0; p < j; p++) {
      const v = <f64>load<f32>(rowJ + (<usize>p << 2));
      s -= v * v;
    }
    if (!(s > 0)) return j;
    const ljj = Math.sqrt(s);
    store<f32>(rowJ + (<usize>j << 2), <f32>ljj);
    for (let i = j + 1; i < k0 + kb; i++) {
      const rowI = aPtr + <usize>i * stride;
      let t = <f64>load<f32>(rowI + (<usize>j << 2));
      for (let p = k0; p < j; p++) t -= <f64>load<f32>(rowI + (<usize>p << 2)) * <f64>load<f32>(rowJ + (<usize>p << 2));
      store<f32>(rowI + (<usize>j << 2), <f32>(t / ljj));
    }
  }
  for (let i = k0; i < k0 + kb; i++) memory.fill(aPtr + <usize>i * stride + (<usize>(i + 1) << 2), 0, <usize>(n - i - 1) << 2);
  return -1;
}

/** out (kb×kb) = inverse of the lower-triangular block l[k0:k0+kb, k0:k0+kb], by forward substitution per column. */
export function triInverseF32(outPtr: usize, lPtr: usize, n: i32, k0: i32, kb: i32): void {
  const stride = <usize>n << 2;
  memory.fill(outPtr, 0, <usize>(kb * kb) << 2);
  for (let c = 0; c < kb; c++) {
    for (let i = c; i < kb; i++) {
      const rowI = lPtr + <usize>(k0 + i) * stride + (<usize>k0 << 2);
      let s: f64 = i == c ? 1 : 0;
      for (let p = c; p < i; p++) s -= <f64>load<f32>(rowI + (<usize>p << 2)) * <f64>load<f32>(outPtr + (<usize>(p * kb + c) << 2));
      store<f32>(outPtr + (<usize>(i * kb + c) << 2), <f32>(s / <f64>load<f32>(rowI + (<usize>i << 2))));
    }
  }
}

/** out (rows×cols) = src[r0:r0+rows, c0:c0+cols] (src has srcCols columns). */
export function copyBlockF32(outPtr: usize, srcPtr: usize, srcCols: i32, r0: i32, c0: i32, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    memory.copy(outPtr + (<usize>(i * cols) << 2), srcPtr + ((<usize>(r0 + i) * <usize>srcCols + <usize>c0) << 2), <usize>cols << 2);
  }
}

/**
 * dst[r0+i, c0+j] (dst has dstCols columns) = t[i, j] (mode 0), −= t[i, j] (mode 1), or −= t[i, j] only where
 * c0+j ≤ r0+i (mode 2: the lower triangle).
 */
export function updateBlockF32(dstPtr: usize, dstCols: i32, tPtr: usize, rows: i32, cols: i32, r0: i32, c0: i32, mode: i32): void {
  for (let i = 0; i < rows; i++) {
    const d = dstPtr + ((<usize>(r0 + i) * <usize>dstCols + <usize>c0) << 2);
    const t = tPtr + (<usize>(i * cols) << 2);
    if (mode == 0) {
      memory.copy(d, t, <usize>cols << 2);
      continue;
    }
    const width = mode == 2 ? min(cols, r0 + i - c0 + 1) : cols;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= width; j += 4) {
        const o = <usize>j << 2;
        v128.store(d + o, f32x4.sub(v128.load(d + o), v128.load(t + o)));
      }
    }
    for (; j < width; j++) {
      const o = <usize>j << 2;
      store<f32>(d + o, load<f32>(d + o) - load<f32>(t + o));
    }
  }
}
