// matmul_splitk_sum.wgsl — the second pass of a split-K matmul (see matmul_tiled.wgsl): out[i] =
// ACT(alpha·Σ_s partial[s·len + i] + beta·C[i] + bias[(i / blockLen)·biasStride + i mod N]), the slices added
// in order s = 0, 1, …; a batch of products is one long output (len = batches·M·N, blockLen = M·N).
// Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) partial, @binding(1) c, @binding(2) bias (read; dummies when hasC /
//           hasBias = 0), @binding(3) out (read_write);
//           @group(1) @binding(0) Params { len, N, slices, hasC, hasBias, alpha, beta, blockLen,
//           biasStride }.
// Overrides: WG (workgroup size, default 256), ACT (activation code).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params {
  len: u32, N: u32, slices: u32, hasC: u32, hasBias: u32, alpha: f32, beta: f32, blockLen: u32, biasStride: u32,
}
@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read> c: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;
// ACT: the activation (index in UNARY_OPS, or UNARY_NONE), a constant so that its switch folds away.
override ACT: u32 = UNARY_NONE;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  var acc = 0.0;
  for (var s = 0u; s < p.slices; s++) { acc += partial[s * p.len + i]; }
  var v = p.alpha * acc;
  if (p.hasC != 0u) { v += p.beta * c[i]; }
  if (p.hasBias != 0u) { v += bias[(i / p.blockLen) * p.biasStride + i % p.N]; }
  out[i] = unary_f(ACT, v);
}
