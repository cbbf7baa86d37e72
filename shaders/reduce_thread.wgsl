// reduce_thread.wgsl — one thread per line, sequential over the line (for short lines). Element t of line l
// is x[start(l) + t·elemStride], start(l) = (l / linesPerBlock)·blockStride + (l % linesPerBlock)·lineStride
// (row blocks of a batch; linesPerBlock = lines, blockStride = 0 for one block).
// op: 0 sum, 1 mean, 2 max, 3 argmax, 4 sumSq (index in REDUCE_OPS);
// sum, mean and sumSq (cascaded sums) are multiplied by `scale` (1/len for mean). max propagates NaN; argmax is the index
// (as f32) of the first maximum, NaN counting as the maximum. Deterministic. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x (read), @binding(1) out (read_write, one value per line);
//           @group(1) @binding(0) Params { lines, len, lineStride, elemStride, op, scale, linesPerBlock,
//           blockStride }.
// Overrides: WG (workgroup size, default 64).
// Dispatch: ceil(lines / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params {
  lines: u32, len: u32, lineStride: u32, elemStride: u32, op: u32, scale: f32, linesPerBlock: u32, blockStride: u32,
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let line = (wid.y * nwg.x + wid.x) * WG + lid;
  if (line >= p.lines) { return; }
  let base = (line / p.linesPerBlock) * p.blockStride + (line % p.linesPerBlock) * p.lineStride;
  if (p.op == 2u || p.op == 3u) {
    var best = x[base];
    var bestAt = 0u;
    for (var t = 1u; t < p.len; t++) {
      if (is_nan(best)) { break; }
      let v = x[base + t * p.elemStride];
      if (v > best || is_nan(v)) { best = v; bestAt = t; }
    }
    out[line] = select(best, f32(bestAt), p.op == 3u);
  } else {
    var s = Cascade();
    for (var t = 0u; t < p.len; t++) {
      let v = x[base + t * p.elemStride];
      s = sum_add(s, select(v, v * v, p.op == 4u));
    }
    out[line] = sum_value(s) * p.scale;
  }
}
