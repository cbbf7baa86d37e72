// GEMM: out = act(alpha · op(A) · op(B) + beta · C + bias), f32, row-major.
//
// Structure (GotoBLAS/BLIS): for each NC-wide column panel and KC-deep slice of K, op(B) is packed into
// NR-wide micro-panels; for each MC-tall block of rows, op(A) is packed into MR-tall micro-panels; an
// MR×NR register-blocked micro-kernel (f32x4 SIMD in the SIMD build, scalar otherwise) multiplies them.
// Transposes are absorbed by the packing routines (SIMD 4×4 transposes), so all four cases run the same
// micro-kernel at the same speed.
//
// Determinism: every output element is computed as acc = 0; for p = 0..k−1: acc = acc + a[i,p]·b[p,j]
// (f32 multiply, then f32 add, never fused), carried across K slices through the output itself, followed
// by the epilogue in f64. The result therefore does not depend on the blocking, on the tile an element
// falls in, on the row/column range a thread computes, or on SIMD vs scalar: any split of the output
// across threads is bit-identical to one thread.
import { madd } from './madd';
import { unaryOp } from './scalar';

/**
 * Micro-tile rows. With FMA (relaxed-SIMD build) a 6×8 tile: 12 accumulators + 2 B vectors + 1 broadcast fill
 * the 15 SIMD registers V8 allocates on x64. Without FMA each multiply needs a temporary, so 4×8.
 */
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
/** Micro-tile columns. */
const NR: i32 = 8;
/** Maximal K slice (packed panels stay in L1/L2). */
const KC: i32 = 384;
/** Maximal row block (packed A block, 72 KiB, stays in L2; measured best with KC = 384 at n = 512…2048). */
const MC: i32 = 48;
/** Maximal column panel (packed B panel). */
const NC: i32 = 2048;
/** Bytes at the start of the scratch area reserved for the edge tile. */
const TILE_BYTES: i32 = 256;

/** Bytes of per-thread scratch that matmulF32 needs for its packing buffers. */
export function matmulScratchBytes(): i32 {
  return TILE_BYTES + MC * KC * 4 + KC * NC * 4;
}

// ---------------------------------------------------------------------------------------------------
// Packing

/**
 * Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-wide micro-panels: panel q holds, for each p, the NR values
 * op(B)[pc+p, jc+q·NR .. +NR] (zero-padded past nc).
 */
function packB(bPtr: usize, transB: bool, n: i32, k: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  let jp = 0;
  if (ASC_FEATURE_SIMD && !transB) {
    // Two panels (16 columns = one cache line per p) at a time.
    const stride = <usize>n * 4;
    const panel = <usize>kc * 32;
    for (; jp + 2 * NR <= nc; jp += 2 * NR) {
      let src = bPtr + (<usize>pc * <usize>n + <usize>(jc + jp)) * 4;
      let o = dst + <usize>jp * <usize>kc * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
        v128.store(o + panel, v128.load(src, 32));
        v128.store(o + panel, v128.load(src, 48), 16);
        src += stride;
        o += 32;
      }
    }
  }
  for (; jp < nc; jp += NR) {
    const nr = min(NR, nc - jp);
    let d = dst + <usize>jp * <usize>kc * 4;
    if (!transB) {
      // op(B)[p, j] = b[p·n + j]
      let src = bPtr + (<usize>pc * <usize>n + <usize>(jc + jp)) * 4;
      const stride = <usize>n * 4;
      if (ASC_FEATURE_SIMD && nr == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += stride;
          d += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(src + (<usize>j << 2)) : 0);
          src += stride;
          d += 32;
        }
      }
    } else {
      // op(B)[p, j] = b[j·k + p]: row j of the stored matrix is contiguous over p.
      const row = bPtr + (<usize>(jc + jp) * <usize>k + <usize>pc) * 4;
      const stride = <usize>k * 4;
      let p = 0;
      if (ASC_FEATURE_SIMD && nr == NR) {
        for (; p + 4 <= kc; p += 4) {
          const s = row + (<usize>p << 2);
          const o = d + (<usize>p << 5);
          for (let g = 0; g < 2; g++) {
            const s0 = s + <usize>(g * 4) * stride;
            const r0 = v128.load(s0);
            const r1 = v128.load(s0 + stride);
            const r2 = v128.load(s0 + 2 * stride);
            const r3 = v128.load(s0 + 3 * stride);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
            const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
            const og = o + <usize>(g * 16);
            v128.store(og, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
            v128.store(og, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
            v128.store(og, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
            v128.store(og, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
          }
        }
      }
      for (; p < kc; p++) {
        const o = d + (<usize>p << 5);
        const s = row + (<usize>p << 2);
        for (let j = 0; j < NR; j++) store<f32>(o + (<usize>j << 2), j < nr ? load<f32>(s + <usize>j * stride) : 0);
      }
    }
  }
}

/**
 * Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-tall micro-panels: panel q holds, for each p, the MR values
 * op(A)[ic+q·MR .. +MR, pc+p] (zero-padded past mc).
 */
function packA(aPtr: usize, transA: bool, m: i32, k: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const pstep = <usize>MR * 4; // bytes per p in a packed panel
  for (let ip = 0; ip < mc; ip += MR) {
    const mr = min(MR, mc - ip);
    const d = dst + <usize>ip * <usize>kc * 4;
    if (transA) {
      // op(A)[i, p] = a[p·m + i]: the MR values for one p are contiguous.
      let src = aPtr + (<usize>pc * <usize>m + <usize>(ic + ip)) * 4;
      const stride = <usize>m * 4;
      let o = d;
      if (ASC_FEATURE_SIMD && mr == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(o, v128.load(src));
          if (MR == 6) store<u64>(o, load<u64>(src, 16), 16);
          src += stride;
          o += pstep;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(o + (<usize>r << 2), r < mr ? load<f32>(src + (<usize>r << 2)) : 0);
          src += stride;
          o += pstep;
        }
      }
    } else {
      // op(A)[i, p] = a[i·k + p]: MR rows, each contiguous over p. Four p at a time: a 4×4 transpose of rows
      // 0-3, and for MR = 6 rows 4-5 interleaved in pairs.
      const row = aPtr + (<usize>(ic + ip) * <usize>k + <usize>pc) * 4;
      const stride = <usize>k * 4;
      let p = 0;
      if (ASC_FEATURE_SIMD && mr == MR) {
        for (; p + 4 <= kc; p += 4) {
          const s = row + (<usize>p << 2);
          const r0 = v128.load(s);
          const r1 = v128.load(s + stride);
          const r2 = v128.load(s + 2 * stride);
          const r3 = v128.load(s + 3 * stride);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          const o = d + <usize>p * pstep;
          v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(o + pstep, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(o + 2 * pstep, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(o + 3 * pstep, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
          if (MR == 6) {
            const r4 = v128.load(s + 4 * stride);
            const r5 = v128.load(s + 5 * stride);
            const lo = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
            const hi = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
            v128.store64_lane(o, lo, 0, 16);
            v128.store64_lane(o + pstep, lo, 1, 16);
            v128.store64_lane(o + 2 * pstep, hi, 0, 16);
            v128.store64_lane(o + 3 * pstep, hi, 1, 16);
          }
        }
      }
      for (; p < kc; p++) {
        const o = d + <usize>p * pstep;
        const s = row + (<usize>p << 2);
        for (let r = 0; r < MR; r++) store<f32>(o + (<usize>r << 2), r < mr ? load<f32>(s + <usize>r * stride) : 0);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Micro-kernels: C[0..MR, 0..NR] (row stride ldc bytes) = (first ? 0 : C) + Apanel · Bpanel over kc.

function kernelSimd(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const cp1 = cp + ldc, cp2 = cp + 2 * ldc, cp3 = cp + 3 * ldc;
  if (!first) {
    c00 = v128.load(cp); c01 = v128.load(cp, 16);
    c10 = v128.load(cp1); c11 = v128.load(cp1, 16);
    c20 = v128.load(cp2); c21 = v128.load(cp2, 16);
    c30 = v128.load(cp3); c31 = v128.load(cp3, 16);
  }
  const end = ap + (<usize>kc << 4);
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  v128.store(cp, c00); v128.store(cp, c01, 16);
  v128.store(cp1, c10); v128.store(cp1, c11, 16);
  v128.store(cp2, c20); v128.store(cp2, c21, 16);
  v128.store(cp3, c30); v128.store(cp3, c31, 16);
}

/** The 6×8 micro-kernel of the FMA build. */
function kernelSimd6(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const cp1 = cp + ldc, cp2 = cp + 2 * ldc, cp3 = cp + 3 * ldc, cp4 = cp + 4 * ldc, cp5 = cp + 5 * ldc;
  if (!first) {
    c00 = v128.load(cp); c01 = v128.load(cp, 16);
    c10 = v128.load(cp1); c11 = v128.load(cp1, 16);
    c20 = v128.load(cp2); c21 = v128.load(cp2, 16);
    c30 = v128.load(cp3); c31 = v128.load(cp3, 16);
    c40 = v128.load(cp4); c41 = v128.load(cp4, 16);
    c50 = v128.load(cp5); c51 = v128.load(cp5, 16);
  }
  const end = ap + <usize>kc * 24;
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = v128.load32_splat(ap, 20);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    ap += 24;
    bp += 32;
  }
  v128.store(cp, c00); v128.store(cp, c01, 16);
  v128.store(cp1, c10); v128.store(cp1, c11, 16);
  v128.store(cp2, c20); v128.store(cp2, c21, 16);
  v128.store(cp3, c30); v128.store(cp3, c31, 16);
  v128.store(cp4, c40); v128.store(cp4, c41, 16);
  v128.store(cp5, c50); v128.store(cp5, c51, 16);
}

/** The left half (4 columns) of a micro-tile: used for the last column tile when it has at most 4 columns. */
function kernelSimdHalf(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  const cp1 = cp + ldc, cp2 = cp + 2 * ldc, cp3 = cp + 3 * ldc, cp4 = cp + 4 * ldc, cp5 = cp + 5 * ldc;
  if (!first) {
    c0 = v128.load(cp); c1 = v128.load(cp1); c2 = v128.load(cp2); c3 = v128.load(cp3);
    if (MR == 6) { c4 = v128.load(cp4); c5 = v128.load(cp5); }
  }
  const pstep = <usize>MR * 4;
  const end = ap + <usize>kc * pstep;
  while (ap < end) {
    const b0 = v128.load(bp);
    c0 = madd(v128.load32_splat(ap), b0, c0);
    c1 = madd(v128.load32_splat(ap, 4), b0, c1);
    c2 = madd(v128.load32_splat(ap, 8), b0, c2);
    c3 = madd(v128.load32_splat(ap, 12), b0, c3);
    if (MR == 6) {
      c4 = madd(v128.load32_splat(ap, 16), b0, c4);
      c5 = madd(v128.load32_splat(ap, 20), b0, c5);
    }
    ap += pstep;
    bp += 32;
  }
  v128.store(cp, c0); v128.store(cp1, c1); v128.store(cp2, c2); v128.store(cp3, c3);
  if (MR == 6) { v128.store(cp4, c4); v128.store(cp5, c5); }
}

function kernelScalar(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool): void {
  for (let r = 0; r < MR; r++) {
    const c = cp + <usize>r * ldc;
    let c0: f32 = 0, c1: f32 = 0, c2: f32 = 0, c3: f32 = 0, c4: f32 = 0, c5: f32 = 0, c6: f32 = 0, c7: f32 = 0;
    if (!first) {
      c0 = load<f32>(c); c1 = load<f32>(c, 4); c2 = load<f32>(c, 8); c3 = load<f32>(c, 12);
      c4 = load<f32>(c, 16); c5 = load<f32>(c, 20); c6 = load<f32>(c, 24); c7 = load<f32>(c, 28);
    }
    let a = ap + (<usize>r << 2);
    let b = bp;
    const pstep = <usize>MR * 4;
    for (let p = 0; p < kc; p++) {
      const x = load<f32>(a);
      c0 = c0 + x * load<f32>(b); c1 = c1 + x * load<f32>(b, 4);
      c2 = c2 + x * load<f32>(b, 8); c3 = c3 + x * load<f32>(b, 12);
      c4 = c4 + x * load<f32>(b, 16); c5 = c5 + x * load<f32>(b, 20);
      c6 = c6 + x * load<f32>(b, 24); c7 = c7 + x * load<f32>(b, 28);
      a += pstep;
      b += 32;
    }
    store<f32>(c, c0); store<f32>(c, c1, 4); store<f32>(c, c2, 8); store<f32>(c, c3, 12);
    store<f32>(c, c4, 16); store<f32>(c, c5, 20); store<f32>(c, c6, 24); store<f32>(c, c7, 28);
  }
}

// @ts-ignore: decorator
@inline
function kernel(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool): void {
  if (ASC_FEATURE_SIMD && MR == 6) kernelSimd6(ap, bp, kc, cp, ldc, first);
  else if (ASC_FEATURE_SIMD) kernelSimd(ap, bp, kc, cp, ldc, first);
  else kernelScalar(ap, bp, kc, cp, ldc, first);
}

/** A partial micro-tile (mr < MR or nr < NR): computed in the scratch tile, then copied out. */
function kernelEdge(ap: usize, bp: usize, kc: i32, cp: usize, ldc: usize, first: bool, mr: i32, nr: i32, tile: usize): void {
  for (let r = 0; r < MR; r++) {
    for (let j = 0; j < NR; j++) {
      store<f32>(tile + <usize>((r * NR + j) << 2), !first && r < mr && j < nr ? load<f32>(cp + <usize>r * ldc + (<usize>j << 2)) : 0);
    }
  }
  if (ASC_FEATURE_SIMD && nr <= 4) kernelSimdHalf(ap, bp, kc, tile, <usize>NR * 4, first);
  else kernel(ap, bp, kc, tile, <usize>NR * 4, first);
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      store<f32>(cp + <usize>r * ldc + (<usize>j << 2), load<f32>(tile + <usize>((r * NR + j) << 2)));
    }
  }
}

/**
 * out[ic .. ic+mc, jc+j0 .. jc+j1] = (first ? 0 : out) + the packed A block (mc rows) · the packed B micro-panels
 * covering columns j0 .. j1 (multiples of NR, or nc) of a panel nc wide, over one K slice of kc.
 */
// @ts-ignore: decorator
@inline
function multiplyBlock(
  pa: usize, pb: usize, kc: i32, mc: i32, nc: i32, j0: i32, j1: i32, outPtr: usize, n: i32, ic: i32, jc: i32, first: bool, tile: usize,
): void {
  const ldc = <usize>n * 4;
  for (let jr = j0; jr < j1; jr += NR) {
    const nr = min(NR, nc - jr);
    const bpan = pb + <usize>jr * <usize>kc * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const apan = pa + <usize>ir * <usize>kc * 4;
      const cp = outPtr + (<usize>(ic + ir) * <usize>n + <usize>(jc + jr)) * 4;
      if (mr == MR && nr == NR) kernel(apan, bpan, kc, cp, ldc, first);
      else kernelEdge(apan, bpan, kc, cp, ldc, first, mr, nr, tile);
    }
  }
}

// ---------------------------------------------------------------------------------------------------

/**
 * The training epilogue out = relu?(acc + bias) in f32 SIMD. Bit-identical to the f64 path: the f64 sum of two
 * f32 values rounds to the same f32 as the f32 sum (it is exact unless the exponents are so far apart that
 * the smaller one is below half an f32 ulp), and ReLU commutes with that rounding.
 */
function biasReluEpilogue(outPtr: usize, biasPtr: usize, n: i32, r0: i32, r1: i32, c0: i32, c1: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  for (let i = r0; i < r1; i++) {
    const row = outPtr + (<usize>i * <usize>n << 2);
    let j = c0;
    for (; j + 4 <= c1; j += 4) {
      const at = row + (<usize>j << 2);
      let v = v128.load(at);
      if (biasPtr != 0) v = f32x4.add(v, v128.load(biasPtr + (<usize>j << 2)));
      if (relu) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
      v128.store(at, v);
    }
    for (; j < c1; j++) {
      const at = row + (<usize>j << 2);
      let v = load<f32>(at);
      if (biasPtr != 0) v += load<f32>(biasPtr + (<usize>j << 2));
      if (relu && v < 0) v = 0;
      store<f32>(at, v);
    }
  }
}

/**
 * Computes rows [r0, r1) × columns [c0, c1) of out (m×n) = act(alpha·op(A)·op(B) + beta·C + bias).
 * op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored n×k when transB). cPtr / biasPtr are 0
 * when absent; act is the unary op code or −1. scratchPtr points to matmulScratchBytes() bytes owned by the
 * calling thread. Any partition of the output into regions gives bit-identical results.
 */
export function matmulF32(
  aPtr: usize, bPtr: usize, outPtr: usize, cPtr: usize, biasPtr: usize,
  m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f64, beta: f64, act: i32,
  r0: i32, r1: i32, c0: i32, c1: i32, scratchPtr: usize,
): void {
  if (r0 >= r1 || c0 >= c1) return;
  const tile = scratchPtr;
  const pa = scratchPtr + <usize>TILE_BYTES;
  const pb = pa + <usize>MC * <usize>KC * 4;
  // K slices of (almost) equal size, a multiple of 4 where possible; they only affect speed, not results.
  const slices = (k + KC - 1) / KC;
  const kcStep = min(KC, (((k + slices - 1) / slices) + 3) & ~3);
  for (let jc = c0; jc < c1; jc += NC) {
    const nc = min(NC, c1 - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min(kcStep, k - pc);
      const first = pc == 0;
      packB(bPtr, transB != 0, n, k, pc, kc, jc, nc, pb);
      for (let ic = r0; ic < r1; ic += MC) {
        const mc = min(MC, r1 - ic);
        packA(aPtr, transA != 0, m, k, ic, mc, pc, kc, pa);
        multiplyBlock(pa, pb, kc, mc, nc, 0, nc, outPtr, n, ic, jc, first, tile);
      }
    }
  }
  epilogue(outPtr, cPtr, biasPtr, n, alpha, beta, act, r0, r1, c0, c1);
}

/** out[r0..r1, c0..c1] = act(alpha·out + beta·C + bias), in f64 (or the bit-identical f32 SIMD path). */
function epilogue(
  outPtr: usize, cPtr: usize, biasPtr: usize, n: i32, alpha: f64, beta: f64, act: i32, r0: i32, r1: i32, c0: i32, c1: i32,
): void {
  if (alpha == 1 && cPtr == 0 && biasPtr == 0 && act < 0) return;
  if (ASC_FEATURE_SIMD && alpha == 1 && cPtr == 0 && (act < 0 || act == 0)) {
    biasReluEpilogue(outPtr, biasPtr, n, r0, r1, c0, c1, act == 0);
    return;
  }
  for (let i = r0; i < r1; i++) {
    const row = <usize>i * <usize>n;
    for (let j = c0; j < c1; j++) {
      const at = (row + <usize>j) << 2;
      let v = alpha * <f64>load<f32>(outPtr + at);
      if (cPtr != 0) v += beta * <f64>load<f32>(cPtr + at);
      if (biasPtr != 0) v += <f64>load<f32>(biasPtr + (<usize>j << 2));
      if (act >= 0) v = unaryOp(act, v);
      store<f32>(outPtr + at, <f32>v);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Team GEMM: all threads of the pool work on one product together.
//
// For each (column panel, K slice) — a "panel" below — the threads pack op(B) once into a shared buffer, then
// compute work units (an MC-row block × a column chunk of the panel), each packing its own A block. Both the
// packing (groups of NR-wide micro-panels) and the units are claimed from shared ticket counters, so a faster
// thread simply does more: a core that the host slows down, or a worker that is still waking up, holds the
// others back by one unit at most. There are no barriers: before computing units of panel q a thread waits until
// all of q's packing groups and all of q − 1's units have finished (a unit adds its K slice onto the output that
// the previous slice's unit wrote). Two shared buffers take turns, so a thread that runs out of units of q − 1
// packs q while the others finish their last unit of q − 1, and a worker that wakes late joins in wherever the
// work is. Packing q overwrites the buffer of q − 2, which is safe: the thread has already waited, before its
// units of q − 1, for every unit of q − 2. Every element is computed by the same code as in matmulF32, so results
// are bit-identical to one thread.

/** Offsets in the team's shared area (separate cache lines) of its four counters, all cumulative over panels. */
const UNIT_TICKET: usize = 0;
const UNITS_FINISHED: usize = 64;
const GROUP_TICKET: usize = 128;
const GROUPS_PACKED: usize = 192;
/** Offset of the two packed B panels in the team's shared area. */
const TEAM_PANELS: usize = 256;
/** Micro-panels of B packed per claimed group (64 columns: a few microseconds of work). */
const PACK_GROUP: i32 = 8;

/** Bytes of the shared area matmulF32Team needs. */
export function matmulTeamSharedBytes(): i32 {
  return <i32>TEAM_PANELS + 2 * KC * NC * 4;
}

/** Leading bytes of the shared area that hold the counters: the host zeroes them before every product. */
export function matmulTeamSyncBytes(): i32 {
  return <i32>TEAM_PANELS;
}

/** Spins before a worker sleeps in a wait: a wait is usually a fraction of a unit's time, far below a sleep's cost. */
const WAIT_SPINS: i32 = 1 << 14;

/**
 * Waits until the counter at `counterPtr` reaches `target`. Thread 0 spins (a browser's main thread may not
 * block); workers spin a while, then sleep in 1 ms waits, so that more threads than cores do not starve the one
 * that is late. Returns false (at once) when `errorPtr` holds a non-zero word: a thread has failed and will never
 * finish its share, so the others give up instead of waiting forever.
 */
function waitForCount(counterPtr: usize, target: i32, errorPtr: usize, thread: i32): bool {
  if (ASC_FEATURE_THREADS) {
    let spins = 0;
    for (;;) {
      const seen = atomic.load<i32>(counterPtr);
      if (seen >= target) return true;
      if (atomic.load<i32>(errorPtr) != 0) return false;
      if (thread != 0 && ++spins > WAIT_SPINS) atomic.wait<i32>(counterPtr, seen, 1000000);
    }
  }
  return true;
}

/** Adds one to a finished-work counter and wakes the threads sleeping on it. */
function countFinished(counterPtr: usize): void {
  if (ASC_FEATURE_THREADS) {
    atomic.add<i32>(counterPtr, 1);
    atomic.notify(counterPtr);
  }
}

/** Claims the next ticket below `end`, or returns −1 when all are taken. */
function claimTicket(counterPtr: usize, end: i32): i32 {
  if (ASC_FEATURE_THREADS) {
    for (;;) {
      const t = atomic.load<i32>(counterPtr);
      if (t >= end) return -1;
      if (atomic.cmpxchg<i32>(counterPtr, t, t + 1) == t) return t;
    }
  }
  return -1;
}

/**
 * Thread `thread` of `threads`' part of out (m×n) = act(alpha·op(A)·op(B) + beta·C + bias): every thread calls
 * this with the same product arguments and the same `sharedPtr` (matmulTeamSharedBytes(), the first
 * matmulTeamSyncBytes() of them zeroed), and its own scratch (matmulScratchBytes). `errorPtr` is a word that the
 * host sets non-zero when a thread fails. Threads builds only (a no-op elsewhere).
 */
export function matmulF32Team(
  aPtr: usize, bPtr: usize, outPtr: usize, cPtr: usize, biasPtr: usize,
  m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f64, beta: f64, act: i32,
  thread: i32, threads: i32, sharedPtr: usize, errorPtr: usize, scratchPtr: usize,
): void {
  if (!ASC_FEATURE_THREADS || m <= 0 || n <= 0) return;
  const tile = scratchPtr;
  const pa = scratchPtr + <usize>TILE_BYTES;
  const slices = (k + KC - 1) / KC;
  const kcStep = min(KC, (((k + slices - 1) / slices) + 3) & ~3);
  const rowBlocks = (m + MC - 1) / MC;
  // Cumulative ends (over the panels so far) of the group and unit tickets.
  let groupEnd = 0;
  let unitEnd = 0;
  let panel = 0;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const microPanels = (nc + NR - 1) / NR;
    const groups = (microPanels + PACK_GROUP - 1) / PACK_GROUP;
    // Enough units for the faster thread to take more: about 8 per thread, a chunk at least 8 micro-panels wide.
    const chunks = max(1, min((8 * threads + rowBlocks - 1) / rowBlocks, microPanels / 8));
    const units = rowBlocks * chunks;
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min(kcStep, k - pc);
      const first = pc == 0;
      const last = pc + kc >= k;
      const pb = sharedPtr + TEAM_PANELS + <usize>(panel & 1) * <usize>KC * <usize>NC * 4;
      const groupBase = groupEnd;
      const unitBase = unitEnd;
      groupEnd += groups;
      unitEnd += units;
      for (;;) {
        const ticket = claimTicket(sharedPtr + GROUP_TICKET, groupEnd);
        if (ticket < 0) break;
        const q0 = (ticket - groupBase) * PACK_GROUP;
        const q1 = min(microPanels, q0 + PACK_GROUP);
        packB(bPtr, transB != 0, n, k, pc, kc, jc + q0 * NR, min(nc, q1 * NR) - q0 * NR, pb + <usize>(q0 * NR) * <usize>kc * 4);
        countFinished(sharedPtr + GROUPS_PACKED);
      }
      if (!waitForCount(sharedPtr + GROUPS_PACKED, groupEnd, errorPtr, thread)) return;
      if (!waitForCount(sharedPtr + UNITS_FINISHED, unitBase, errorPtr, thread)) return;
      let packedBlock = -1;
      for (;;) {
        const ticket = claimTicket(sharedPtr + UNIT_TICKET, unitEnd);
        if (ticket < 0) break;
        const u = ticket - unitBase;
        const ib = u / chunks;
        const ch = u - ib * chunks;
        const ic = ib * MC;
        const mc = min(MC, m - ic);
        if (ib != packedBlock) {
          packA(aPtr, transA != 0, m, k, ic, mc, pc, kc, pa);
          packedBlock = ib;
        }
        const j0 = ((microPanels * ch) / chunks) * NR;
        const j1 = min(nc, ((microPanels * (ch + 1)) / chunks) * NR);
        multiplyBlock(pa, pb, kc, mc, nc, j0, j1, outPtr, n, ic, jc, first, tile);
        if (last) epilogue(outPtr, cPtr, biasPtr, n, alpha, beta, act, ic, ic + mc, jc + j0, jc + j1);
        countFinished(sharedPtr + UNITS_FINISHED);
      }
      panel++;
    }
  }
}
