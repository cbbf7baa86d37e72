// softmax_cross_entropy_rows.wgsl — one workgroup per row of logits (m×c): stable (max-shifted) softmax,
// rowLoss[i] = logsumexp(x_i) − x_i[label_i] and grad[i][j] = (softmax(x_i)_j − [j = label_i]) · invRows.
// A label that is NaN, not an integer or outside [0, c) gives a NaN loss and a NaN gradient row. The mean
// loss is then reduce_workgroup (sum, scale 1/m) over rowLoss: a fixed-order, deterministic reduction.
// Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) logits (read), @binding(1) labels (read), @binding(2) grad (read_write),
//           @binding(3) rowLoss (read_write); @group(1) @binding(0) Params { rows, cols, invRows }.
// Overrides: WG (workgroup size, a power of two, default 64).
// Dispatch: `rows` workgroups folded into a 2-D grid (x ≤ 65535); row = wid.y·nwg.x + wid.x.
struct Params { rows: u32, cols: u32, invRows: f32, }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowLoss: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 64;
var<workgroup> sh: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p.rows) { return; }   // uniform per workgroup
  let base = row * p.cols;
  // 1. row maximum (NaN propagates)
  var mx = -3.4028234663852886e38;
  for (var j = lid; j < p.cols; j += WG) {
    let v = logits[base + j];
    if (is_nan(v) || is_nan(mx)) { mx = make_nan(j); } else { mx = max(mx, v); }
  }
  sh[lid] = mx;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let a = sh[lid];
      let b = sh[lid + s];
      sh[lid] = select(select(max(a, b), b, is_nan(b)), a, is_nan(a));
    }
    workgroupBarrier();
  }
  mx = sh[0];
  workgroupBarrier();
  // 2. sum of exp(x − max)
  var sum = 0.0;
  for (var j = lid; j < p.cols; j += WG) {
    sum += exp_nan(logits[base + j] - mx);
  }
  sh[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { sh[lid] = sh[lid] + sh[lid + s]; }
    workgroupBarrier();
  }
  let total = sh[0];
  // Probabilities as exp(x − max) / total, not exp(x − lse): at |x| ~ 1e4 the f32 rounding of lse alone
  // would cost 1e-4 relative. The loss likewise adds log(total) to the (exact) difference max − x[label].
  let inv = 1.0 / total;
  // 3. loss and gradient
  let f = labels[row];
  let ok = !is_nan(mx) && !is_nan(total) && !is_nan(f) && f >= 0.0 && f < f32(p.cols) && floor(f) == f;
  let label = select(0xffffffffu, u32(f), ok);
  let nan = make_nan(row);
  for (var j = lid; j < p.cols; j += WG) {
    let g = (exp_nan(logits[base + j] - mx) * inv - select(0.0, 1.0, j == label)) * p.invRows;
    grad[base + j] = select(nan, g, ok);
  }
  if (lid == 0u) {
    rowLoss[row] = select(nan, (mx - logits[base + select(0u, label, ok)]) + log(total), ok);
  }
}
