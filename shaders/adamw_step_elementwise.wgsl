// adamw_step_elementwise.wgsl — in-place AdamW (decoupled weight decay, PyTorch semantics):
// p ← p·decay; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·(m·invC1)/(√(v·invC2) + eps),
// with decay = 1 − lr·wd, invC1 = 1/(1−β1^t), invC2 = 1/(1−β2^t) computed on the host in f64.
// Bindings: @group(0) @binding(0) grad (read), @binding(1) param, @binding(2) m, @binding(3) v (read_write);
//           @group(1) @binding(0) Params { len, lr, beta1, beta2, omb1, omb2, eps, decay, invC1, invC2 }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params {
  len: u32, lr: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, decay: f32, invC1: f32, invC2: f32,
}
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  let g = grad[i];
  let mi = p.beta1 * m[i] + p.omb1 * g;
  let vi = p.beta2 * v[i] + p.omb2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let w = param[i] * p.decay;
  param[i] = w - (p.lr * (mi * p.invC1)) / (sqrt(vi * p.invC2) + p.eps);
}
