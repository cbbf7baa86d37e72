// update_block.wgsl — writes t (rows×cols) into dst (row-major, dstCols columns) at (r0, c0):
// mode 0 dst = t, mode 1 dst −= t, mode 2 dst −= t only where column ≤ row (the lower triangle).
// Bindings: @group(0) @binding(0) t (read), @binding(1) dst (read_write);
//           @group(1) @binding(0) Params { rows, cols, dstCols, r0, c0, mode }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(rows·cols / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { rows: u32, cols: u32, dstCols: u32, r0: u32, c0: u32, mode: u32, }
@group(0) @binding(0) var<storage, read> t: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * WG + lid;
  if (e >= p.rows * p.cols) { return; }
  let row = p.r0 + e / p.cols;
  let col = p.c0 + e % p.cols;
  let at = row * p.dstCols + col;
  if (p.mode == 0u) { dst[at] = t[e]; return; }
  if (p.mode == 2u && col > row) { return; }
  dst[at] = dst[at] - t[e];
}
