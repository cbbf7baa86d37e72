// gather_sum_rows.wgsl — out[r][j] = Σ_{s = off[r]}^{off[r+1]−1} x[src[s]][j], added in order of s: sums of
// rows picked by a CSR selection (gatherRows' gradient without atomics: one thread per output element).
// An offset or source that is NaN, not an integer or out of range gives a NaN row. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x, @binding(1) off, @binding(2) src (read, f32), @binding(3) out
//           (read_write); @group(1) @binding(0) Params { len, cols, srcRows, nSources }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, cols: u32, srcRows: u32, nSources: u32, }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> off: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

fn index_ok(f: f32, limit: u32) -> bool {
  return !is_nan(f) && f >= 0.0 && f < f32(limit) && floor(f) == f;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid;
  if (o >= p.len) { return; }
  let r = o / p.cols;
  let j = o - r * p.cols;
  let lo = off[r];
  let hi = off[r + 1u];
  if (!index_ok(lo, p.nSources + 1u) || !index_ok(hi, p.nSources + 1u) || hi < lo) {
    out[o] = make_nan(o);
    return;
  }
  var acc = 0.0;
  for (var s = u32(lo); s < u32(hi); s++) {
    let f = src[s];
    if (!index_ok(f, p.srcRows)) {
      out[o] = make_nan(o);
      return;
    }
    acc += x[u32(f) * p.cols + j];
  }
  out[o] = acc;
}
