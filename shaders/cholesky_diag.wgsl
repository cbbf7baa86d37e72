// cholesky_diag.wgsl — Cholesky of one diagonal block of the blocked factorisation (src/backend/base.ts):
// a[k0:k0+kb, k0:k0+kb] (kb ≤ 64, lower triangle, already updated by the earlier panels) is factored in place
// in workgroup memory, right-looking, one column per step; rows k0…k0+kb−1 are zeroed right of the diagonal.
// A pivot that is not positive becomes NaN, and NaN then fills every later column of the factor: the host
// finds the failing pivot as the first NaN on the diagonal (src/linalg/backendLinalg.ts).
// Bindings: @group(0) @binding(0) a (read_write, n×n row-major);
//           @group(1) @binding(0) Params { n, k0, kb, nanBits (0x7fc00000: a NaN the compiler cannot fold) }.
// Dispatch: one workgroup of 64 threads.
struct Params { n: u32, k0: u32, kb: u32, nanBits: u32, }
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
var<workgroup> blk: array<f32, 4096>;   // blk[i·64 + j], row i of the block

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let kb = p.kb;
  for (var j = 0u; j < kb; j++) {
    if (t >= j && t < kb) { blk[t * 64u + j] = a[(p.k0 + t) * p.n + p.k0 + j]; }
  }
  workgroupBarrier();
  for (var j = 0u; j < kb; j++) {
    if (t == 0u) {
      let d = blk[j * 64u + j];
      blk[j * 64u + j] = select(bitcast<f32>(p.nanBits), sqrt(d), d > 0.0);
    }
    workgroupBarrier();
    let ljj = blk[j * 64u + j];
    if (t > j && t < kb) { blk[t * 64u + j] = blk[t * 64u + j] / ljj; }
    workgroupBarrier();
    // Thread t updates its row's columns j+1 … t with the new column j.
    if (t > j && t < kb) {
      let ltj = blk[t * 64u + j];
      for (var c = j + 1u; c <= t; c++) { blk[t * 64u + c] -= ltj * blk[c * 64u + j]; }
    }
    workgroupBarrier();
  }
  if (t < kb) {
    let row = (p.k0 + t) * p.n;
    for (var j = 0u; j < kb; j++) { a[row + p.k0 + j] = select(0.0, blk[t * 64u + j], j <= t); }
    for (var c = p.k0 + kb; c < p.n; c++) { a[row + c] = 0.0; }
  }
}
