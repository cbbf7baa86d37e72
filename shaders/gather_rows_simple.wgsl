// gather_rows_simple.wgsl — out[r][j] = x[idx[r]][j]; an index that is NaN, not an integer or outside
// [0, srcRows) gives a NaN row. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x (read), @binding(1) idx (read, f32), @binding(2) out (read_write);
//           @group(1) @binding(0) Params { len, cols, srcRows }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, cols: u32, srcRows: u32, }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid;
  if (o >= p.len) { return; }
  let r = o / p.cols;
  let j = o - r * p.cols;
  let f = idx[r];
  let ok = !is_nan(f) && f >= 0.0 && f < f32(p.srcRows) && floor(f) == f;
  if (ok) {
    out[o] = x[u32(f) * p.cols + j];
  } else {
    out[o] = make_nan(o);
  }
}
