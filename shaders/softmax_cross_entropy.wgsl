// softmax_cross_entropy.wgsl — stable (max-shifted) softmax cross-entropy per row of logits (m×c):
// rowLoss[i] = logsumexp(x_i) − x_i[label_i] and grad[i][j] = (softmax(x_i)_j − [j = label_i]) · invRows.
// A label that is NaN, not an integer or outside [0, c) gives a NaN loss and a NaN gradient row. The mean
// loss is then reduce_workgroup / reduce_thread (sum, scale 1/m) over rowLoss: fixed-order, deterministic.
// Two layouts, by THREAD_PER_ROW: one workgroup per row (lanes stride the row, tree-reduced max and sum), or
// one thread per row, sequential over it (narrow rows, and software adapters where barriers are expensive).
// They differ only in the order of the sum of exponentials. Needs unary_math.wgsl.
// Bindings: @group(0) @binding(0) logits (read), @binding(1) labels (read), @binding(2) grad (read_write),
//           @binding(3) rowLoss (read_write); @group(1) @binding(0) Params { rows, cols, invRows }.
// Overrides: WG (workgroup size, a power of two, default 64); THREAD_PER_ROW (bool, default false).
// Dispatch: folded into a 2-D grid (x ≤ 65535), g = wid.y·nwg.x + wid.x; a workgroup per row: `rows`
//           workgroups, row = g; a thread per row: ceil(rows / WG) workgroups, row = g·WG + lid.
struct Params { rows: u32, cols: u32, invRows: f32, }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowLoss: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
override WG: u32 = 64;
override THREAD_PER_ROW: bool = false;
var<workgroup> sh: array<f32, WG>;

/** The larger of two partial maxima, NaN winning (j: a seed for the NaN made when v is NaN). */
fn max_nan(mx: f32, v: f32, j: u32) -> f32 {
  if (is_nan(v) || is_nan(mx)) { return make_nan(j); }
  return max(mx, v);
}

/**
 * Gradient entries j0, j0 + step, … of row `row` (base = row·cols) given its maximum and Σ exp(x − max);
 * with `withLoss` also its loss. Probabilities are exp(x − max) / total, not exp(x − lse): at |x| ~ 1e4 the
 * f32 rounding of lse alone would cost 1e-4 relative. The loss likewise adds log(total) to the (exact)
 * difference max − x[label].
 */
fn finish_row(row: u32, base: u32, mx: f32, total: f32, j0: u32, step: u32, withLoss: bool) {
  let inv = 1.0 / total;
  let f = labels[row];
  // total = 0: no finite logit in the row (all −∞), so no softmax: NaN, as on the other backends.
  let ok = !is_nan(mx) && !is_nan(total) && total > 0.0 && !is_nan(f) && f >= 0.0 && f < f32(p.cols) && floor(f) == f;
  let label = select(0xffffffffu, u32(f), ok);
  let nan = make_nan(row);
  for (var j = j0; j < p.cols; j += step) {
    let g = (exp_nan(logits[base + j] - mx) * inv - select(0.0, 1.0, j == label)) * p.invRows;
    grad[base + j] = select(nan, g, ok);
  }
  if (withLoss) {
    rowLoss[row] = select(nan, (mx - logits[base + select(0u, label, ok)]) + log(total), ok);
  }
}

/** Row `row` by one thread, sequentially. */
fn row_by_thread(row: u32) {
  let base = row * p.cols;
  var mx = -3.4028234663852886e38;
  for (var j = 0u; j < p.cols; j++) { mx = max_nan(mx, logits[base + j], j); }
  var total = Cascade();
  for (var j = 0u; j < p.cols; j++) { total = sum_add(total, exp_nan(logits[base + j] - mx)); }
  finish_row(row, base, mx, sum_value(total), 0u, 1u, true);
}

/** Row `row` by the whole workgroup (lane lid), with tree reductions of the maximum and the sum. */
fn row_by_workgroup(row: u32, lid: u32) {
  let base = row * p.cols;
  // 1. row maximum (NaN propagates)
  var mx = -3.4028234663852886e38;
  for (var j = lid; j < p.cols; j += WG) { mx = max_nan(mx, logits[base + j], j); }
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
  var sum = Cascade();
  for (var j = lid; j < p.cols; j += WG) { sum = sum_add(sum, exp_nan(logits[base + j] - mx)); }
  sh[lid] = sum_value(sum);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { sh[lid] = sh[lid] + sh[lid + s]; }
    workgroupBarrier();
  }
  // 3. loss and gradient
  finish_row(row, base, mx, sh[0], lid, WG, lid == 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  if (THREAD_PER_ROW) {
    if (g * WG + lid < p.rows) { row_by_thread(g * WG + lid); }
  } else if (g < p.rows) {   // uniform per workgroup
    row_by_workgroup(g, lid);
  }
}
