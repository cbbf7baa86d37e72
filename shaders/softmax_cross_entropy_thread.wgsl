// softmax_cross_entropy_thread.wgsl — one thread per row of logits (m×c), sequential over the row (for narrow
// rows, and on software adapters where a workgroup's barriers are expensive). Same results as
// softmax_cross_entropy_rows.wgsl up to the order of the sum of exponentials: stable (max-shifted) softmax,
// rowLoss[i] = logsumexp(x_i) − x_i[label_i], grad[i][j] = (softmax(x_i)_j − [j = label_i]) · invRows; a label
// that is NaN, not an integer or outside [0, c) gives a NaN loss and a NaN gradient row. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) logits (read), @binding(1) labels (read), @binding(2) grad (read_write),
//           @binding(3) rowLoss (read_write); @group(1) @binding(0) Params { rows, cols, invRows }.
// Overrides: WG (workgroup size, default 64).
// Dispatch: ceil(rows / WG) workgroups folded into a 2-D grid (x ≤ 65535); row = (wid.y·nwg.x + wid.x)·WG + lid.
struct Params { rows: u32, cols: u32, invRows: f32, }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowLoss: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * WG + lid;
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  // 1. row maximum (NaN propagates)
  var mx = -3.4028234663852886e38;
  for (var j = 0u; j < p.cols; j++) {
    let v = logits[base + j];
    if (is_nan(v) || is_nan(mx)) { mx = make_nan(j); } else { mx = max(mx, v); }
  }
  // 2. sum of exp(x − max)
  var total = 0.0;
  for (var j = 0u; j < p.cols; j++) { total += exp_nan(logits[base + j] - mx); }
  // Probabilities as exp(x − max) / total and the loss as (max − x[label]) + log(total): see the rows kernel.
  let inv = 1.0 / total;
  // 3. loss and gradient
  let f = labels[row];
  let ok = !is_nan(mx) && !is_nan(total) && !is_nan(f) && f >= 0.0 && f < f32(p.cols) && floor(f) == f;
  let label = select(0xffffffffu, u32(f), ok);
  let nan = make_nan(row);
  for (var j = 0u; j < p.cols; j++) {
    let g = (exp_nan(logits[base + j] - mx) * inv - select(0.0, 1.0, j == label)) * p.invRows;
    grad[base + j] = select(nan, g, ok);
  }
  rowLoss[row] = select(nan, (mx - logits[base + select(0u, label, ok)]) + log(total), ok);
}
