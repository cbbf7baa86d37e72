// sgd_step_elementwise.wgsl — in-place SGD (PyTorch semantics): g = grad + wd·p; v = momentum·v + g;
// p −= lr·(nesterov ? g + momentum·v : v); without momentum (hasVel = 0) p −= lr·g and `vel` is a dummy.
// Bindings: @group(0) @binding(0) grad (read), @binding(1) param (read_write), @binding(2) vel (read_write);
//           @group(1) @binding(0) Params { len, lr, momentum, wd, nesterov, hasVel }.
// Overrides: WG (workgroup size, default 256).
// Dispatch: ceil(len / WG) workgroups folded into a 2-D grid (x ≤ 65535).
struct Params { len: u32, lr: f32, momentum: f32, wd: f32, nesterov: u32, hasVel: u32, }
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read_write> vel: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.len) { return; }
  let w = param[i];
  let g = grad[i] + p.wd * w;
  var step = g;
  if (p.hasVel != 0u) {
    let v = p.momentum * vel[i] + g;
    vel[i] = v;
    step = select(v, g + p.momentum * v, p.nesterov != 0u);
  }
  param[i] = w - p.lr * step;
}
