// copy_block.wgsl — out (rows×cols) = src[r0:r0+rows, c0:c0+cols], src row-major with srcCols columns.
// Bindings: @group(0) @binding(0) src (read), @binding(1) out (read_write);
//           @group(1) @binding(0) Params { rows, cols, srcCols, r0, c0 }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(rows·cols / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { rows: u32, cols: u32, srcCols: u32, r0: u32, c0: u32, }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * WG + lid;
  if (e >= p.rows * p.cols) { return; }
  let i = e / p.cols;
  let j = e % p.cols;
  out[e] = src[(p.r0 + i) * p.srcCols + p.c0 + j];
}
