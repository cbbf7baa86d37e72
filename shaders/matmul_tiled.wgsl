// matmul_tiled.wgsl — out = act(alpha·op(A)·op(B) + beta·C + bias) with workgroup-memory tiles: a
// workgroup of (TS/4)×(TS/4) threads computes a TS×TS output tile, each thread a 4×4 block; per step of TK
// along K the workgroup stages a TS×TK tile of op(A) and a TK×TS tile of op(B) in workgroup memory
// (zero-padded at the edges). Transposes are handled in the load step: consecutive threads read along the
// operand's contiguous dimension, as vec4s when it is a multiple of 4 (VEC_A / VEC_B), so a transposed
// operand costs the same as a plain one. The right variant on real GPUs. op(A) is M×K, op(B) is K×N.
// Needs unary_math.wgsl (act = index in UNARY_OPS, or UNARY_NONE).
// Bindings: @group(0) @binding(0) a, @binding(1) b (read, as vec4 arrays), @binding(2) c, @binding(3) bias
//           (read; dummies when hasC / hasBias = 0), @binding(4) out (read_write);
//           @group(1) @binding(0) Params { M, N, K, lda, ldb, tilesX, tiles, act, hasC, hasBias, alpha, beta }.
// Overrides: TRANS_A, TRANS_B, VEC_A, VEC_B (bool); TS (output tile edge, multiple of 16, default 64);
//            TK (K step, multiple of 4, default 16). Workgroup size (TS/4)×(TS/4).
// Dispatch: tiles = ceil(N/TS)·ceil(M/TS) workgroups folded into a 2-D grid (x ≤ 65535);
//           tile = wid.y·nwg.x + wid.x, tile row = tile / tilesX, tile column = tile % tilesX.
struct Params {
  M: u32, N: u32, K: u32, lda: u32, ldb: u32, tilesX: u32, tiles: u32, act: u32, hasC: u32, hasBias: u32,
  alpha: f32, beta: f32,
}
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override VEC_A: bool = true;
override VEC_B: bool = true;
override TS: u32 = 64;
override TK: u32 = 16;
// As[kk·(TS/4) + i] = op(A) rows 4i…4i+3 at k = kk; Bs[kk·(TS/4) + j] = op(B) columns 4j…4j+3 at k = kk.
var<workgroup> As: array<vec4<f32>, TK * TS / 4u>;
var<workgroup> Bs: array<vec4<f32>, TK * TS / 4u>;

fn a_at(i: u32) -> f32 { return a[i >> 2u][i & 3u]; }
fn b_at(i: u32) -> f32 { return b[i >> 2u][i & 3u]; }

fn epilogue(row: u32, col: u32, acc: f32) -> f32 {
  var v = p.alpha * acc;
  if (p.hasC != 0u) { v += p.beta * c[row * p.N + col]; }
  if (p.hasBias != 0u) { v += bias[col]; }
  return unary_f(p.act, v);
}

/** Stages op(A)[row0 … row0+TS) × [q0 … q0+TK) into As (zero outside the matrix). */
fn stage_a(t: u32, row0: u32, q0: u32) {
  let nt = (TS / 4u) * (TS / 4u);
  let quads = TS * TK / 4u;               // four elements per thread per pass
  for (var e = t; e < quads; e += nt) {
    var v = vec4<f32>();
    if (TRANS_A) {                        // contiguous along rows of op(A): quad = 4 rows at one k
      let kk = e / (TS / 4u);
      let i4 = (e % (TS / 4u)) * 4u;
      let q = q0 + kk;
      let r = row0 + i4;
      if (q < p.K) {
        if (VEC_A && r + 3u < p.M) {
          v = a[(q * p.lda + r) >> 2u];
        } else {
          for (var s = 0u; s < 4u; s++) { if (r + s < p.M) { v[s] = a_at(q * p.lda + r + s); } }
        }
      }
      As[kk * (TS / 4u) + i4 / 4u] = v;
    } else {                              // contiguous along k: quad = 4 k at one row
      let i = e / (TK / 4u);
      let kk4 = (e % (TK / 4u)) * 4u;
      let q = q0 + kk4;
      let r = row0 + i;
      if (r < p.M) {
        if (VEC_A && q + 3u < p.K) {
          v = a[(r * p.lda + q) >> 2u];
        } else {
          for (var s = 0u; s < 4u; s++) { if (q + s < p.K) { v[s] = a_at(r * p.lda + q + s); } }
        }
      }
      for (var s = 0u; s < 4u; s++) { As[(kk4 + s) * (TS / 4u) + i / 4u][i % 4u] = v[s]; }
    }
  }
}

/** Stages op(B)[q0 … q0+TK) × [col0 … col0+TS) into Bs (zero outside the matrix). */
fn stage_b(t: u32, col0: u32, q0: u32) {
  let nt = (TS / 4u) * (TS / 4u);
  let quads = TS * TK / 4u;
  for (var e = t; e < quads; e += nt) {
    var v = vec4<f32>();
    if (TRANS_B) {                        // stored N×K, contiguous along k: quad = 4 k at one column
      let j = e / (TK / 4u);
      let kk4 = (e % (TK / 4u)) * 4u;
      let q = q0 + kk4;
      let col = col0 + j;
      if (col < p.N) {
        if (VEC_B && q + 3u < p.K) {
          v = b[(col * p.ldb + q) >> 2u];
        } else {
          for (var s = 0u; s < 4u; s++) { if (q + s < p.K) { v[s] = b_at(col * p.ldb + q + s); } }
        }
      }
      for (var s = 0u; s < 4u; s++) { Bs[(kk4 + s) * (TS / 4u) + j / 4u][j % 4u] = v[s]; }
    } else {                              // stored K×N, contiguous along columns: quad = 4 columns at one k
      let kk = e / (TS / 4u);
      let j4 = (e % (TS / 4u)) * 4u;
      let q = q0 + kk;
      let col = col0 + j4;
      if (q < p.K) {
        if (VEC_B && col + 3u < p.N) {
          v = b[(q * p.ldb + col) >> 2u];
        } else {
          for (var s = 0u; s < 4u; s++) { if (col + s < p.N) { v[s] = b_at(q * p.ldb + col + s); } }
        }
      }
      Bs[kk * (TS / 4u) + j4 / 4u] = v;
    }
  }
}

@compute @workgroup_size(TS / 4u, TS / 4u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let tile = wid.y * nwg.x + wid.x;
  if (tile >= p.tiles) { return; }       // uniform per workgroup
  let row0 = (tile / p.tilesX) * TS;
  let col0 = (tile % p.tilesX) * TS;
  var acc: array<vec4<f32>, 4>;           // acc[r] = output row row0 + 4·lid.y + r, columns col0 + 4·lid.x + 0…3
  for (var q0 = 0u; q0 < p.K; q0 += TK) {
    stage_a(t, row0, q0);
    stage_b(t, col0, q0);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let av = As[kk * (TS / 4u) + lid.y];
      let bv = Bs[kk * (TS / 4u) + lid.x];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y * 4u + r;
    if (row >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x * 4u + j;
      if (col < p.N) { out[row * p.N + col] = epilogue(row, col, acc[r][j]); }
    }
  }
}
