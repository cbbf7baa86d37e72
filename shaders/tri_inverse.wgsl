// tri_inverse.wgsl — out (kb×kb) = inverse of the lower-triangular block l[k0:k0+kb, k0:k0+kb] (kb ≤ 64):
// thread c solves L11·x = e_c by forward substitution and writes column c (zeros above the diagonal).
// Bindings: @group(0) @binding(0) l (read, n×n row-major), @binding(1) out (read_write);
//           @group(1) @binding(0) Params { n, k0, kb }.
// Dispatch: one workgroup of 64 threads.
struct Params { n: u32, k0: u32, kb: u32, }
@group(0) @binding(0) var<storage, read> l: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) c: u32) {
  let kb = p.kb;
  if (c >= kb) { return; }
  for (var i = 0u; i < c; i++) { out[i * kb + c] = 0.0; }
  for (var i = c; i < kb; i++) {
    let row = (p.k0 + i) * p.n + p.k0;
    var s = select(0.0, 1.0, i == c);
    for (var q = c; q < i; q++) { s -= l[row + q] * out[q * kb + c]; }
    out[i * kb + c] = s / l[row + i];
  }
}
