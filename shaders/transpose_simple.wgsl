// transpose_simple.wgsl — out (cols×rows) = xᵀ for x (rows×cols); one thread per output element.
// Bindings: @group(0) @binding(0) x (read), @binding(1) out (read_write);
//           @group(1) @binding(0) Params { len, rows, cols }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, rows: u32, cols: u32, }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid;
  if (o >= p.len) { return; }
  let j = o / p.rows;          // output row = input column
  let i = o - j * p.rows;      // output column = input row
  out[o] = x[i * p.cols + j];
}
