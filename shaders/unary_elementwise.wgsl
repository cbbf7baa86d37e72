// unary_elementwise.wgsl — out[i] = f(x[i]) for unary op code OP (index in UNARY_OPS). Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) x (read), @binding(1) out (read_write);
//           @group(1) @binding(0) Params { len }.
// Overrides: WG (workgroup size, default 256); OP, a constant, so the op's switch folds away (SwiftShader runs every case of a switch on a runtime value: ReLU on 1000×128 took 6.7 ms, 1.6 ms as a constant).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;
override OP: u32 = 0u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  out[i] = unary_f(OP, x[i]);
}
