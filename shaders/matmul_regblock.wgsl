// matmul_regblock.wgsl — out = act(alpha·op(A)·op(B) + beta·C + bias) without workgroup memory: each thread
// keeps RB×CB blocks of 4×4 in registers (4·RB rows × 4·CB columns) and walks K four at a time, loading 4×4
// blocks of A and B as vec4s; a 2×2 arrangement loads 4 blocks per 4 block products instead of 2 per 1.
// The fast variant on software adapters (SwiftShader, lavapipe), where barriers
// and workgroup memory are expensive. Transposes are handled in the load step: a stored-transposed operand
// is loaded along its contiguous dimension and the 4×4 block transposed in registers.
// VEC_A / VEC_B: the operand's contiguous dimension is a multiple of 4, so quads are aligned vec4 loads;
// otherwise quads are gathered from scalars with clamped indices. op(A) is M×K, op(B) is K×N.
// Needs unary_math.wgsl and matmul_batch.wgsl.
// Bindings: @group(0) @binding(0) a, @binding(1) b (read, as vec4 arrays), @binding(2) c, @binding(3) bias
//           (read; dummies when hasC / hasBias = 0), @binding(4) out (read_write);
//           @group(1) @binding(0) Params { M, N, K, lda, ldb, tilesX, tiles, hasC, hasBias, alpha, beta,
//           batches, strideA, strideB, biasStride }.
// Overrides: TRANS_A, TRANS_B, VEC_A, VEC_B, FUSED (bool); ACT (activation code); WX, WY (workgroup size, default 8×8); RB, CB (blocks
//            per thread down and across, 1 or 2). A workgroup covers 4·RB·WY rows × 4·CB·WX columns.
// Batch: batches independent products; block blk = g / tiles reads A from element blk·strideA, B from
//        blk·strideB, the bias from blk·biasStride (0: shared), C and out from blk·M·N.
// Dispatch: batches·tiles (tiles = ceil(N/(4·CB·WX))·ceil(M/(4·RB·WY))) workgroups folded into a 2-D grid (x ≤ 65535);
//           g = wid.y·nwg.x + wid.x, tile = g % tiles, tile row = tile / tilesX, tile column = tile % tilesX.
struct Params {
  M: u32, N: u32, K: u32, lda: u32, ldb: u32, tilesX: u32, tiles: u32, hasC: u32, hasBias: u32,
  alpha: f32, beta: f32, batches: u32, strideA: u32, strideB: u32, biasStride: u32,
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
// FUSED: the epilogue has C, a bias or an activation; false compiles the plain alpha·acc store.
override FUSED: bool = true;
override WX: u32 = 8;
override WY: u32 = 8;
override RB: u32 = 1;
override CB: u32 = 1;

fn a_at(i: u32) -> f32 { let j = aOff + i; return a[j >> 2u][j & 3u]; }
fn b_at(i: u32) -> f32 { let j = bOff + i; return b[j >> 2u][j & 3u]; }

/** Elements base + s … base + s + 3 of A (positions clamped to last on the scalar path). */
fn a_quad(base: u32, s: u32, last: u32) -> vec4<f32> {
  if (VEC_A) { return a[(aOff + base + s) >> 2u]; }
  return vec4<f32>(a_at(base + min(s, last)), a_at(base + min(s + 1u, last)),
                   a_at(base + min(s + 2u, last)), a_at(base + min(s + 3u, last)));
}
fn b_quad(base: u32, s: u32, last: u32) -> vec4<f32> {
  if (VEC_B) { return b[(bOff + base + s) >> 2u]; }
  return vec4<f32>(b_at(base + min(s, last)), b_at(base + min(s + 1u, last)),
                   b_at(base + min(s + 2u, last)), b_at(base + min(s + 3u, last)));
}

/** 4×4 block of op(A) at rows r0…r0+3, k q0…q0+3, as a matrix whose column r is (a[r][q0…q0+3]). */
fn load_a(r0: u32, q0: u32) -> mat4x4<f32> {
  let last = p.M - 1u;
  if (TRANS_A) {   // stored K×M, contiguous along rows of op(A)
    let r = select(min(r0, last), min(r0, p.M - 4u), VEC_A);
    return transpose(mat4x4<f32>(a_quad(q0 * p.lda, r, last), a_quad((q0 + 1u) * p.lda, r, last),
                                 a_quad((q0 + 2u) * p.lda, r, last), a_quad((q0 + 3u) * p.lda, r, last)));
  }
  let kl = p.K - 1u;
  return mat4x4<f32>(a_quad(min(r0, last) * p.lda, q0, kl), a_quad(min(r0 + 1u, last) * p.lda, q0, kl),
                     a_quad(min(r0 + 2u, last) * p.lda, q0, kl), a_quad(min(r0 + 3u, last) * p.lda, q0, kl));
}

/** 4×4 block of op(B) at k q0…q0+3, columns c0…c0+3, as a matrix whose column q is (b[q][c0…c0+3]). */
fn load_b(q0: u32, c0: u32) -> mat4x4<f32> {
  let last = p.N - 1u;
  if (TRANS_B) {   // stored N×K, contiguous along k
    let kl = p.K - 1u;
    return transpose(mat4x4<f32>(b_quad(min(c0, last) * p.ldb, q0, kl), b_quad(min(c0 + 1u, last) * p.ldb, q0, kl),
                                 b_quad(min(c0 + 2u, last) * p.ldb, q0, kl), b_quad(min(c0 + 3u, last) * p.ldb, q0, kl)));
  }
  let c = select(min(c0, last), min(c0, p.N - 4u), VEC_B);
  return mat4x4<f32>(b_quad(q0 * p.ldb, c, last), b_quad((q0 + 1u) * p.ldb, c, last),
                     b_quad((q0 + 2u) * p.ldb, c, last), b_quad((q0 + 3u) * p.ldb, c, last));
}

fn a_elem(r: u32, q: u32) -> f32 {
  let rr = min(r, p.M - 1u);
  return select(a_at(rr * p.lda + q), a_at(q * p.lda + rr), TRANS_A);
}
fn b_elem(q: u32, cc: u32) -> f32 {
  let c = min(cc, p.N - 1u);
  return select(b_at(q * p.ldb + c), b_at(c * p.ldb + q), TRANS_B);
}

fn epilogue(row: u32, col: u32, acc: f32) -> f32 {
  var v = p.alpha * acc;
  if (!FUSED) { return v; }
  if (p.hasC != 0u) { v += p.beta * c[oOff + row * p.N + col]; }
  if (p.hasBias != 0u) { v += bias[biasOff + col]; }
  return unary_f(ACT, v);
}

/** Writes output row `row`, columns c0…c0+3 (all inside the matrix). */
fn store_row(row: u32, c0: u32, v: vec4<f32>) {
  let at = oOff + row * p.N + c0;
  out[at] = epilogue(row, c0, v.x);
  out[at + 1u] = epilogue(row, c0 + 1u, v.y);
  out[at + 2u] = epilogue(row, c0 + 2u, v.z);
  out[at + 3u] = epilogue(row, c0 + 3u, v.w);
}

/** The K % 4 trailing terms of the 4×4 block at rows r0…, columns c0… (column r of the result: row r0 + r). */
fn block_tail(r0: u32, c0: u32) -> mat4x4<f32> {
  var t = mat4x4<f32>();
  for (var q = p.K & ~3u; q < p.K; q++) {
    let bq = vec4<f32>(b_elem(q, c0), b_elem(q, c0 + 1u), b_elem(q, c0 + 2u), b_elem(q, c0 + 3u));
    t[0] += a_elem(r0, q) * bq;
    t[1] += a_elem(r0 + 1u, q) * bq;
    t[2] += a_elem(r0 + 2u, q) * bq;
    t[3] += a_elem(r0 + 3u, q) * bq;
  }
  return t;
}

/** Stores output row `row`, columns c0…c0+3 (the parts inside the output). */
fn store_quad(row: u32, c0: u32, v: vec4<f32>) {
  if (c0 + 3u < p.N) {
    store_row(row, c0, v);   // the whole quad inside the output (the common case): no checks
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let col = c0 + j;
    if (col < p.N) { out[oOff + row * p.N + col] = epilogue(row, col, v[j]); }
  }
}

@compute @workgroup_size(WX, WY)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p.tiles * p.batches) { return; }
  let tile = enter_block(g, p.tiles);
  let r0 = ((tile / p.tilesX) * WY + lid.y) * 4u * RB;
  let c0 = ((tile % p.tilesX) * WX + lid.x) * 4u * CB;
  if (r0 >= p.M || c0 >= p.N) { return; }
  // accRC: the block at rows r0 + 4R…, columns c0 + 4C… (column r = output row, as a vec4 of 4 columns).
  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();
  let k4 = p.K & ~3u;
  for (var q = 0u; q < k4; q += 4u) {
    let a0 = load_a(r0, q);
    let b0 = load_b(q, c0);
    acc00 += b0 * a0;
    var b1 = mat4x4<f32>();
    if (CB == 2u) {
      b1 = load_b(q, c0 + 4u);
      acc01 += b1 * a0;
    }
    if (RB == 2u) {
      let a1 = load_a(r0 + 4u, q);
      acc10 += b0 * a1;
      if (CB == 2u) { acc11 += b1 * a1; }
    }
  }
  if (k4 < p.K) {
    acc00 += block_tail(r0, c0);
    if (CB == 2u) { acc01 += block_tail(r0, c0 + 4u); }
    if (RB == 2u) { acc10 += block_tail(r0 + 4u, c0); }
    if (RB == 2u && CB == 2u) { acc11 += block_tail(r0 + 4u, c0 + 4u); }
  }
  // The stores loop over the thread's rows, each row picked from the accumulators by a switch (constant indices,
  // so the accumulators stay in registers). Unrolled by hand (16 stores of 4 outputs), they made SwiftShader take
  // 7–9× as long to compile a 2×2-block pipeline (2.3–3.8 s against 0.32–0.44 s), for products that take as long
  // (bench/measured/cpu-2026-11-27g/).
  let rows = min(4u * RB, p.M - r0);
  for (var i = 0u; i < rows; i++) {
    let row = r0 + i;
    var left: vec4<f32>;
    var right: vec4<f32>;
    switch (i) {
      case 0u: { left = acc00[0]; right = acc01[0]; }
      case 1u: { left = acc00[1]; right = acc01[1]; }
      case 2u: { left = acc00[2]; right = acc01[2]; }
      case 3u: { left = acc00[3]; right = acc01[3]; }
      case 4u: { left = acc10[0]; right = acc11[0]; }
      case 5u: { left = acc10[1]; right = acc11[1]; }
      case 6u: { left = acc10[2]; right = acc11[2]; }
      default: { left = acc10[3]; right = acc11[3]; }
    }
    for (var j = 0u; j < CB; j++) { store_quad(row, c0 + 4u * j, select(left, right, j == 1u)); }
  }
}
