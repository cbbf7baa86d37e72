// binary_broadcast.wgsl — out[i][j] = a[i][j] ∘ b[...] for binary op code OP (index in BINARY_OPS) and
// broadcast code BCAST (index in BROADCASTS: 0 full b[i][j], 1 row b[j], 2 col b[i], 3 scalar b[0]).
// Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) a (read), @binding(1) b (read), @binding(2) out (read_write);
//           @group(1) @binding(0) Params { len, cols }.
// Overrides: WG (workgroup size, default 256); OP and BCAST, constants so that their switches fold away (see
//            unary_elementwise.wgsl).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, cols: u32, }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;
override OP: u32 = 0u;
override BCAST: u32 = 0u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  var bi = 0u;
  switch BCAST {
    case 0u: { bi = i; }
    case 1u: { bi = i % p.cols; }
    case 2u: { bi = i / p.cols; }
    default: { bi = 0u; }
  }
  out[i] = binary_f(OP, a[i], b[bi]);
}
