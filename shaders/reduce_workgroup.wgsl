// reduce_workgroup.wgsl — one workgroup per line (for long lines): thread k folds elements k, k+WG, …
// sequentially (a cascaded sum for sum, mean and sumSq), then a fixed-order tree in workgroup memory combines the WG partials (deterministic, no
// atomics). Element t of line l is x[start(l) + t·elemStride], start(l) = (l / linesPerBlock)·blockStride +
// (l % linesPerBlock)·lineStride (row blocks of a batch; linesPerBlock = lines, blockStride = 0 for one block). op: 0 sum, 1 mean, 2 max, 3 argmax,
// 4 sumSq (index in REDUCE_OPS); sum, mean and sumSq are multiplied by `scale`. max propagates NaN; argmax
// is the index (as f32) of the first maximum, NaN counting as the maximum. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x (read), @binding(1) out (read_write, one value per line);
//           @group(1) @binding(0) Params { lines, len, lineStride, elemStride, op, scale, linesPerBlock,
//           blockStride }.
// Overrides: WG (workgroup size, a power of two, default 64).
// Dispatch: `lines` workgroups folded into a 2-D grid (x ≤ 65535); line = wid.y·nwg.x + wid.x.
struct Params {
  lines: u32, len: u32, lineStride: u32, elemStride: u32, op: u32, scale: f32, linesPerBlock: u32, blockStride: u32,
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 64;
var<workgroup> sv: array<f32, WG>;
var<workgroup> si: array<u32, WG>;

/** True when (v2, i2) beats (v1, i1): NaN wins, then the larger value, then the smaller index. */
fn beats(v1: f32, i1: u32, v2: f32, i2: u32) -> bool {
  if (is_nan(v1)) { return is_nan(v2) && i2 < i1; }
  if (is_nan(v2)) { return true; }
  return v2 > v1 || (v2 == v1 && i2 < i1);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let line = wid.y * nwg.x + wid.x;
  if (line >= p.lines) { return; }   // uniform per workgroup
  let base = (line / p.linesPerBlock) * p.blockStride + (line % p.linesPerBlock) * p.lineStride;
  let isMax = p.op == 2u || p.op == 3u;
  var acc = 0.0;
  var at = 0xffffffffu;
  if (isMax) {
    if (lid < p.len) {
      acc = x[base + lid * p.elemStride];
      at = lid;
      for (var t = lid + WG; t < p.len; t += WG) {
        if (is_nan(acc)) { break; }
        let v = x[base + t * p.elemStride];
        if (v > acc || is_nan(v)) { acc = v; at = t; }
      }
    }
  } else {
    var s = Cascade();
    for (var t = lid; t < p.len; t += WG) {
      let v = x[base + t * p.elemStride];
      s = sum_add(s, select(v, v * v, p.op == 4u));
    }
    acc = sum_value(s);
  }
  sv[lid] = acc;
  si[lid] = at;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      if (isMax) {
        let o = lid + s;
        if (si[o] != 0xffffffffu && (si[lid] == 0xffffffffu || beats(sv[lid], si[lid], sv[o], si[o]))) {
          sv[lid] = sv[o];
          si[lid] = si[o];
        }
      } else {
        sv[lid] = sv[lid] + sv[lid + s];
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[line] = select(sv[0] * p.scale, select(sv[0], f32(si[0]), p.op == 3u), isMax);
  }
}
