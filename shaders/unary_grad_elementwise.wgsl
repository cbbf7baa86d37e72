// unary_grad_elementwise.wgsl — out[i] = dy[i] · f′(x[i]) for unary op code OP. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x (read), @binding(1) dy (read), @binding(2) out (read_write);
//           @group(1) @binding(0) Params { len }.
// Overrides: WG (workgroup size, default 256); OP, a constant so that the op's switch folds away (see
//            unary_elementwise.wgsl).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;
override OP: u32 = 0u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  // square: (dy·x)·2, not dy·(2x): 2x overflows for |x| > 1.7e38 where the product does not (×2 is exact).
  if (OP == 4u) { out[i] = (dy[i] * x[i]) * 2.0; return; }
  out[i] = dy[i] * unary_df(OP, x[i]);
}
