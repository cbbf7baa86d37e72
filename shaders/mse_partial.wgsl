// mse_partial.wgsl — grad[i] = (2·(pred[i] − tgt[i]))·gradScale (gradScale = 1/len) and one partial sum of
// squared differences per workgroup, combined in a fixed-order tree (deterministic). The mean loss is then
// reduce_workgroup (sum, scale 1/len) over the partials.
// Bindings: @group(0) @binding(0) pred (read), @binding(1) tgt (read), @binding(2) grad (read_write),
//           @binding(3) partial (read_write, one value per workgroup);
//           @group(1) @binding(0) Params { len, gradScale }.
// Overrides: WG (workgroup size, a power of two, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535); partial index = wid.y·nwg.x + wid.x.
struct Params { len: u32, gradScale: f32, }
@group(0) @binding(0) var<storage, read> pred: array<f32>;
@group(0) @binding(1) var<storage, read> tgt: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;
var<workgroup> sh: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let i = g * WG + lid;
  var sq = 0.0;
  if (i < p.len) {
    let d = pred[i] - tgt[i];
    grad[i] = (2.0 * d) * p.gradScale;
    sq = d * d;
  }
  sh[lid] = sq;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { sh[lid] = sh[lid] + sh[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && g * WG < p.len) { partial[g] = sh[0]; }
}
