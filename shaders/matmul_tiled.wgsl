// matmul_tiled.wgsl — out = act(alpha·op(A)·op(B) + beta·C + bias) for real GPUs: a WG×WG workgroup
// computes a BM×BM output tile (BM = 8·WG), each thread an 8×8 block held in registers as 16 vec4s. The
// thread's rows are 4·ty…4·ty+3 and BM/2 + 4·ty…, its columns 4·tx…4·tx+3 and BM/2 + 4·tx…, so neighbouring
// threads read neighbouring vec4s of workgroup memory and write neighbouring 16-byte chunks of the output.
// Per TK-step along K the workgroup stages op(A) (BM×TK) and op(B) (TK×BM) in workgroup memory, k-major, as
// vec4s along m and n (zero-padded at the edges); each k then costs 4 vec4 loads for 64 multiply-adds.
// Transposes are handled in the staging: a thread reads a vec4 along the operand's contiguous dimension
// (VEC_A / VEC_B when that dimension is a multiple of 4), so op(A) = Aᵀ costs the same as A.
// Needs unary_math.wgsl and matmul_batch.wgsl.
// Bindings: @group(0) @binding(0) a, @binding(1) b (read, as vec4 arrays), @binding(2) c, @binding(3) bias
//           (read; dummies when hasC / hasBias = 0), @binding(4) out (read_write);
//           @group(1) @binding(0) Params { M, N, K, lda, ldb, tilesX, tiles, hasC, hasBias, alpha, beta,
//           kSlice, batches, strideA, strideB, biasStride }.
// Overrides: TRANS_A, TRANS_B, VEC_A, VEC_B, FUSED, PREFETCH (bool); ACT (activation code); WG (8 or 16: workgroup WG×WG, tile 8·WG);
//            TK (K step: 8, 16 or 32; 2·TK a multiple of WG).
// Split K: K is cut into slices of kSlice (a multiple of TK); workgroup g computes slice g / tiles of tile
//           g % tiles and writes alpha·acc (FUSED = false, alpha = 1) to out[slice·M·N + …];
//           matmul_splitk_sum.wgsl then adds the slices in order and applies the epilogue. kSlice = K is
//           the plain product (one slice, the epilogue here).
// Batch: batches independent products; block blk reads A from element blk·strideA, B from blk·strideB, the
//        bias from blk·biasStride (0: shared), C from blk·M·N, and writes out[slice·batches·M·N + blk·M·N + …].
// Dispatch: batches·slices·tiles workgroups, slices = ceil(K/kSlice), folded into a 2-D grid (x ≤ 65535);
//           g = wid.y·nwg.x + wid.x; blk = g / (tiles·slices), then within the block slice and tile as above;
//           tile row = tile / tilesX, tile column = tile % tilesX.
struct Params {
  M: u32, N: u32, K: u32, lda: u32, ldb: u32, tilesX: u32, tiles: u32, hasC: u32, hasBias: u32,
  alpha: f32, beta: f32, kSlice: u32, batches: u32, strideA: u32, strideB: u32, biasStride: u32,
}
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
// ACT: the epilogue's activation (index in UNARY_OPS, or UNARY_NONE), a constant so that its switch folds away.
override ACT: u32 = UNARY_NONE;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override VEC_A: bool = true;
override VEC_B: bool = true;
override FUSED: bool = true;
override WG: u32 = 16;
override TK: u32 = 8;
// PREFETCH: read the next K step's slab into registers while the current one computes.
override PREFETCH: bool = true;
// As[k·(BM/4) + i] = op(A) rows 4i…4i+3 at k; Bs[k·(BM/4) + j] = op(B) columns 4j…4j+3 at k.
var<workgroup> As: array<vec4<f32>, TK * 2u * WG>;
var<workgroup> Bs: array<vec4<f32>, TK * 2u * WG>;

fn a_at(i: u32) -> f32 { let j = aOff + i; return a[j >> 2u][j & 3u]; }
fn b_at(i: u32) -> f32 { let j = bOff + i; return b[j >> 2u][j & 3u]; }

fn epilogue(row: u32, col: u32, acc: f32) -> f32 {
  var v = p.alpha * acc;
  if (!FUSED) { return v; }
  if (p.hasC != 0u) { v += p.beta * c[oOff + row * p.N + col]; }
  if (p.hasBias != 0u) { v += bias[biasOff + col]; }
  return unary_f(ACT, v);
}

/** Elements i0 … i0+3 of A (stored row `r`, contiguous) clamped to `len`, as a vec4 (zeros past len). */
fn a_quad(base: u32, i0: u32, len: u32) -> vec4<f32> {
  if (VEC_A && i0 + 3u < len) { return a[(aOff + base + i0) >> 2u]; }
  var v = vec4<f32>();
  for (var s = 0u; s < 4u; s++) { if (i0 + s < len) { v[s] = a_at(base + i0 + s); } }
  return v;
}
fn b_quad(base: u32, i0: u32, len: u32) -> vec4<f32> {
  if (VEC_B && i0 + 3u < len) { return b[(bOff + base + i0) >> 2u]; }
  var v = vec4<f32>();
  for (var s = 0u; s < 4u; s++) { if (i0 + s < len) { v[s] = b_at(base + i0 + s); } }
  return v;
}

// Staging: the TK×BM slab of op(A) (and of op(B)) is NV = TK·BM/4 vec4s of stored memory, read along the
// operand's contiguous dimension; thread t handles vec4 e = t + r·WG² for r < PER = 2·TK/WG. fetch_* reads
// one from global memory (zeros outside the matrix or past kEnd); put_* writes it to workgroup memory.
// For a stored-transposed slab (A as M×K, B as N×K) consecutive e take consecutive rows of op(A) (columns of
// op(B)), so the four scalar writes of a quad go to consecutive words: no bank conflicts.

/**
 * Quad e of the op(A) slab at rows row0…, k q0… (vec4 along m if TRANS_A, else along k). `full`: the slab lies
 * inside the matrix and the K slice, so an aligned operand needs no checks.
 */
fn fetch_a(e: u32, row0: u32, q0: u32, kEnd: u32, full: bool) -> vec4<f32> {
  let bm = 8u * WG;
  if (TRANS_A) {                          // stored K×M: a vec4 of 4 rows at one k
    let kk = e / (bm / 4u);
    let i4 = (e % (bm / 4u)) * 4u;
    let q = q0 + kk;
    if (VEC_A && full) { return a[(aOff + q * p.lda + row0 + i4) >> 2u]; }
    if (q < kEnd && row0 + i4 < p.M) { return a_quad(q * p.lda, row0 + i4, p.M); }
    return vec4<f32>();
  }
  let i = e % bm;                         // stored M×K: a vec4 of 4 k at one row
  let kk4 = (e / bm) * 4u;
  if (VEC_A && full) { return a[(aOff + (row0 + i) * p.lda + q0 + kk4) >> 2u]; }
  if (row0 + i < p.M && q0 + kk4 < kEnd) { return a_quad((row0 + i) * p.lda, q0 + kk4, kEnd); }
  return vec4<f32>();
}
fn put_a(e: u32, v: vec4<f32>) {
  let bm = 8u * WG;
  if (TRANS_A) { As[e] = v; return; }     // e = kk·(BM/4) + i/4: already k-major
  let i = e % bm;
  let kk4 = (e / bm) * 4u;
  let bm4 = bm / 4u;
  As[kk4 * bm4 + i / 4u][i % 4u] = v.x;
  As[(kk4 + 1u) * bm4 + i / 4u][i % 4u] = v.y;
  As[(kk4 + 2u) * bm4 + i / 4u][i % 4u] = v.z;
  As[(kk4 + 3u) * bm4 + i / 4u][i % 4u] = v.w;
}

/** Quad e of the op(B) slab at k q0…, columns col0… (vec4 along k if TRANS_B, else along n); `full` as fetch_a's. */
fn fetch_b(e: u32, col0: u32, q0: u32, kEnd: u32, full: bool) -> vec4<f32> {
  let bm = 8u * WG;
  if (TRANS_B) {                          // stored N×K: a vec4 of 4 k at one column
    let j = e % bm;
    let kk4 = (e / bm) * 4u;
    if (VEC_B && full) { return b[(bOff + (col0 + j) * p.ldb + q0 + kk4) >> 2u]; }
    if (col0 + j < p.N && q0 + kk4 < kEnd) { return b_quad((col0 + j) * p.ldb, q0 + kk4, kEnd); }
    return vec4<f32>();
  }
  let kk = e / (bm / 4u);                 // stored K×N: a vec4 of 4 columns at one k
  let j4 = (e % (bm / 4u)) * 4u;
  let q = q0 + kk;
  if (VEC_B && full) { return b[(bOff + q * p.ldb + col0 + j4) >> 2u]; }
  if (q < kEnd && col0 + j4 < p.N) { return b_quad(q * p.ldb, col0 + j4, p.N); }
  return vec4<f32>();
}
fn put_b(e: u32, v: vec4<f32>) {
  let bm = 8u * WG;
  if (!TRANS_B) { Bs[e] = v; return; }
  let j = e % bm;
  let kk4 = (e / bm) * 4u;
  let bm4 = bm / 4u;
  Bs[kk4 * bm4 + j / 4u][j % 4u] = v.x;
  Bs[(kk4 + 1u) * bm4 + j / 4u][j % 4u] = v.y;
  Bs[(kk4 + 2u) * bm4 + j / 4u][j % 4u] = v.z;
  Bs[(kk4 + 3u) * bm4 + j / 4u][j % 4u] = v.w;
}

// A thread's share of one K step's slabs: PER = 2·TK/WG quads of each operand (1, 2, 4 or 8), quad r being
// slab vec4 t + r·WG². Named members, not a register array indexed in loops (which can end up in local memory);
// the unused members (r ≥ PER) fold away. With the unchecked reads of `full` steps, this took n = 1024 on an H100
// from 20.8–21.0 to 23.0–23.2 TFLOP/s (bench/measured/h100-2026-11-27b/).
struct Staged {
  a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>, a4: vec4<f32>, a5: vec4<f32>, a6: vec4<f32>, a7: vec4<f32>,
  b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>, b4: vec4<f32>, b5: vec4<f32>, b6: vec4<f32>, b7: vec4<f32>,
}

/** Reads this thread's quads of the K step at q0 from global memory. */
fn fetch_step(t: u32, row0: u32, col0: u32, q0: u32, kEnd: u32) -> Staged {
  let per = 2u * TK / WG;
  let nt = WG * WG;
  let full = row0 + 8u * WG <= p.M && col0 + 8u * WG <= p.N && q0 + TK <= kEnd;
  var s: Staged;
  s.a0 = fetch_a(t, row0, q0, kEnd, full); s.b0 = fetch_b(t, col0, q0, kEnd, full);
  if (per > 1u) { s.a1 = fetch_a(t + nt, row0, q0, kEnd, full); s.b1 = fetch_b(t + nt, col0, q0, kEnd, full); }
  if (per > 2u) {
    s.a2 = fetch_a(t + 2u * nt, row0, q0, kEnd, full); s.b2 = fetch_b(t + 2u * nt, col0, q0, kEnd, full);
    s.a3 = fetch_a(t + 3u * nt, row0, q0, kEnd, full); s.b3 = fetch_b(t + 3u * nt, col0, q0, kEnd, full);
  }
  if (per > 4u) {
    s.a4 = fetch_a(t + 4u * nt, row0, q0, kEnd, full); s.b4 = fetch_b(t + 4u * nt, col0, q0, kEnd, full);
    s.a5 = fetch_a(t + 5u * nt, row0, q0, kEnd, full); s.b5 = fetch_b(t + 5u * nt, col0, q0, kEnd, full);
    s.a6 = fetch_a(t + 6u * nt, row0, q0, kEnd, full); s.b6 = fetch_b(t + 6u * nt, col0, q0, kEnd, full);
    s.a7 = fetch_a(t + 7u * nt, row0, q0, kEnd, full); s.b7 = fetch_b(t + 7u * nt, col0, q0, kEnd, full);
  }
  return s;
}

/** Writes this thread's quads into the slabs in workgroup memory. */
fn put_step(t: u32, s: Staged) {
  let per = 2u * TK / WG;
  let nt = WG * WG;
  put_a(t, s.a0); put_b(t, s.b0);
  if (per > 1u) { put_a(t + nt, s.a1); put_b(t + nt, s.b1); }
  if (per > 2u) {
    put_a(t + 2u * nt, s.a2); put_b(t + 2u * nt, s.b2);
    put_a(t + 3u * nt, s.a3); put_b(t + 3u * nt, s.b3);
  }
  if (per > 4u) {
    put_a(t + 4u * nt, s.a4); put_b(t + 4u * nt, s.b4);
    put_a(t + 5u * nt, s.a5); put_b(t + 5u * nt, s.b5);
    put_a(t + 6u * nt, s.a6); put_b(t + 6u * nt, s.b6);
    put_a(t + 7u * nt, s.a7); put_b(t + 7u * nt, s.b7);
  }
}

/** Writes one vec4 of output row `row` at columns col…col+3 of slice `base` (bounds-checked at the edge). */
fn store4(base: u32, row: u32, col: u32, v: vec4<f32>) {
  if (row >= p.M) { return; }
  let at = base + row * p.N + col;
  if (col + 3u < p.N) {
    out[at] = epilogue(row, col, v.x);
    out[at + 1u] = epilogue(row, col + 1u, v.y);
    out[at + 2u] = epilogue(row, col + 2u, v.z);
    out[at + 3u] = epilogue(row, col + 3u, v.w);
    return;
  }
  for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { out[at + j] = epilogue(row, col + j, v[j]); } }
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let g = wid.y * nwg.x + wid.x;
  let slices = (p.K + p.kSlice - 1u) / p.kSlice;
  let perBlock = p.tiles * slices;
  if (g >= perBlock * p.batches) { return; }  // uniform per workgroup
  let within = enter_block(g, perBlock);
  let tile = within % p.tiles;
  let slice = within / p.tiles;
  let kBegin = slice * p.kSlice;
  let kEnd = min(p.K, kBegin + p.kSlice);
  let base = slice * p.batches * p.M * p.N + oOff;
  let bm = 8u * WG;
  let row0 = (tile / p.tilesX) * bm;
  let col0 = (tile % p.tilesX) * bm;
  let bm4 = 2u * WG;
  // acc[r] (r < 4): row 4·ty + r; acc[4 + r]: row BM/2 + 4·ty + r; each with columns 4·tx… (index r·2)
  // and BM/2 + 4·tx… (index r·2 + 1).
  var acc: array<vec4<f32>, 16>;
  // The slab quads this thread stages; with PREFETCH they are read from global memory for step q0 + TK while
  // step q0 computes, so the loads' latency hides behind the multiply-adds.
  var st = fetch_step(t, row0, col0, kBegin, kEnd);
  for (var q0 = kBegin; q0 < kEnd; q0 += TK) {
    if (!PREFETCH && q0 != kBegin) { st = fetch_step(t, row0, col0, q0, kEnd); }
    put_step(t, st);
    workgroupBarrier();
    if (PREFETCH && q0 + TK < kEnd) { st = fetch_step(t, row0, col0, q0 + TK, kEnd); }
    for (var kk = 0u; kk < TK; kk++) {
      let a0 = As[kk * bm4 + lid.y];
      let a1 = As[kk * bm4 + WG + lid.y];
      let b0 = Bs[kk * bm4 + lid.x];
      let b1 = Bs[kk * bm4 + WG + lid.x];
      acc[0] += a0.x * b0; acc[1] += a0.x * b1;
      acc[2] += a0.y * b0; acc[3] += a0.y * b1;
      acc[4] += a0.z * b0; acc[5] += a0.z * b1;
      acc[6] += a0.w * b0; acc[7] += a0.w * b1;
      acc[8] += a1.x * b0; acc[9] += a1.x * b1;
      acc[10] += a1.y * b0; acc[11] += a1.y * b1;
      acc[12] += a1.z * b0; acc[13] += a1.z * b1;
      acc[14] += a1.w * b0; acc[15] += a1.w * b1;
    }
    workgroupBarrier();
  }
  // Constant indices only: a runtime index into acc would move the accumulators out of registers.
  let half = 4u * WG;
  let r0 = row0 + 4u * lid.y;
  let r1 = row0 + half + 4u * lid.y;
  let c0 = col0 + 4u * lid.x;
  let c1 = col0 + half + 4u * lid.x;
  store4(base, r0, c0, acc[0]); store4(base, r0, c1, acc[1]);
  store4(base, r0 + 1u, c0, acc[2]); store4(base, r0 + 1u, c1, acc[3]);
  store4(base, r0 + 2u, c0, acc[4]); store4(base, r0 + 2u, c1, acc[5]);
  store4(base, r0 + 3u, c0, acc[6]); store4(base, r0 + 3u, c1, acc[7]);
  store4(base, r1, c0, acc[8]); store4(base, r1, c1, acc[9]);
  store4(base, r1 + 1u, c0, acc[10]); store4(base, r1 + 1u, c1, acc[11]);
  store4(base, r1 + 2u, c0, acc[12]); store4(base, r1 + 2u, c1, acc[13]);
  store4(base, r1 + 3u, c0, acc[14]); store4(base, r1 + 3u, c1, acc[15]);
}
