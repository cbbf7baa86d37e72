// matmul_simple.wgsl — out = act(alpha·op(A)·op(B) + beta·C + bias), one thread per output element; for tiny
// shapes where launch cost dominates. op(A) is M×K, op(B) is K×N; lda/ldb are the stored column counts.
// Needs unary_math.wgsl and matmul_batch.wgsl.
// Bindings: @group(0) @binding(0) a, @binding(1) b, @binding(2) c, @binding(3) bias (read; c and bias are
//           dummies when hasC / hasBias = 0), @binding(4) out (read_write);
//           @group(1) @binding(0) Params { M, N, K, lda, ldb, tilesX, tiles, hasC, hasBias, alpha, beta,
//           batches, strideA, strideB, biasStride }.
// Overrides: TRANS_A, TRANS_B (operand stored transposed), ACT (activation code), TS (tile edge = workgroup edge, default 16).
// Batch: batches independent products; block blk = g / tiles reads A from element blk·strideA, B from
//        blk·strideB, the bias from blk·biasStride (0: shared), C and out from blk·M·N.
// Dispatch: batches·tiles (tiles = ceil(N/TS)·ceil(M/TS)) workgroups folded into a 2-D grid (x ≤ 65535);
//           g = wid.y·nwg.x + wid.x, tile = g % tiles, tile row = tile / tilesX, tile column = tile % tilesX.
struct Params {
  M: u32, N: u32, K: u32, lda: u32, ldb: u32, tilesX: u32, tiles: u32, hasC: u32, hasBias: u32,
  alpha: f32, beta: f32, batches: u32, strideA: u32, strideB: u32, biasStride: u32,
}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
// ACT: the epilogue's activation (index in UNARY_OPS, or UNARY_NONE), a constant so that its switch folds away.
override ACT: u32 = UNARY_NONE;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override TS: u32 = 16;

fn epilogue(row: u32, col: u32, acc: f32) -> f32 {
  var v = p.alpha * acc;
  if (p.hasC != 0u) { v += p.beta * c[oOff + row * p.N + col]; }
  if (p.hasBias != 0u) { v += bias[biasOff + col]; }
  return unary_f(ACT, v);
}

@compute @workgroup_size(TS, TS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p.tiles * p.batches) { return; }
  let tile = enter_block(g, p.tiles);
  let row = (tile / p.tilesX) * TS + lid.y;
  let col = (tile % p.tilesX) * TS + lid.x;
  if (row >= p.M || col >= p.N) { return; }
  var acc = 0.0;
  for (var q = 0u; q < p.K; q++) {
    let av = select(a[aOff + row * p.lda + q], a[aOff + q * p.lda + row], TRANS_A);
    let bv = select(b[bOff + q * p.ldb + col], b[bOff + col * p.ldb + q], TRANS_B);
    acc += av * bv;
  }
  out[oOff + row * p.N + col] = epilogue(row, col, acc);
}
