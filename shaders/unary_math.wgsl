// unary_math.wgsl — shared element-wise math; no entry point, no bindings. Followed by trig_large.wgsl (the
// shaders of the unary ops and their gradients) or trig_none.wgsl (every other shader: their sin and cos never
// see |x| > 65536, see kMatmul), which define reduce_pio2_large.
// The host prepends this file to every shader that applies a unary or binary op (unary_elementwise,
// unary_grad_elementwise, binary_broadcast, gather_rows_simple, softmax_cross_entropy, reduce_*,
// matmul_*); compile errors are reported with the line numbers of the file they occur in.
// Op codes: the index of the op in UNARY_OPS / BINARY_OPS (src/backend/types.ts); UNARY_NONE is the
// identity (the matmul epilogue without activation).
// NaN rules (must match src/backend/ref/scalarMath.ts): NaN in → NaN out for every op. NaN is tested on the
// bit pattern (is_nan), never with x != x or comparisons, which compilers may fold away.

const UNARY_NONE: u32 = 0xffffffffu;
const GELU_C: f32 = 0.7978845608028654;   // sqrt(2/pi)
const GELU_K: f32 = 0.044715;

/** True when x is NaN (exponent all ones, mantissa non-zero). */
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

/** True when x is +inf or −inf (exponent all ones, mantissa zero): exact, unlike a threshold. */
fn is_inf(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

/**
 * A cascaded running sum: terms are added in blocks of 64, block sums into sums of 64 blocks, and so on, so
 * that each f32 addition joins values of like size. Adding a long line one term at a time drifts (0.1 added
 * 200 000 times: 19959.5); the cascade stays within ~1e-6 of the exact sum. It needs no error-compensation
 * terms, which a GPU compiler may contract or fold (a Neumaier sum of squares kept 1e-5 of its error on an H100).
 */
struct Cascade { l0: f32, l1: f32, l2: f32, l3: f32, n: u32, }

/** c with v added. */
fn sum_add(c: Cascade, v: f32) -> Cascade {
  var r = c;
  r.l0 += v;
  r.n += 1u;
  if ((r.n & 63u) == 0u) {
    r.l1 += r.l0;
    r.l0 = 0.0;
    if ((r.n & 4095u) == 0u) {
      r.l2 += r.l1;
      r.l1 = 0.0;
      if ((r.n & 262143u) == 0u) { r.l3 += r.l2; r.l2 = 0.0; }
    }
  }
  return r;
}

/** The value of a cascaded sum, smallest levels first. */
fn sum_value(c: Cascade) -> f32 {
  return ((c.l0 + c.l1) + c.l2) + c.l3;
}

/** A quiet NaN; `seed` is any runtime value (a constant NaN would be a shader-creation error). */
fn make_nan(seed: u32) -> f32 {
  return bitcast<f32>(0x7fc00000u | (seed & 0u));
}

/** exp that propagates NaN (SwiftShader's exp(NaN) is +inf). */
fn exp_nan(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  return exp(x);
}

/** +inf; `seed` is any runtime value (a constant infinity would be a shader-creation error). */
fn make_inf(seed: u32) -> f32 {
  return bitcast<f32>(0x7f800000u | (seed & 0u));
}

/** |x| = (4i + q)·π/2 + y with |y| ≤ π/4 (a reduction of |x| > 65536 by π/2). */
struct ReducedPiO2 {
  y: f32,
  q: u32,
}

/**
 * (sin x, cos x) for every finite x: x is reduced by π/2 to a quadrant and y ∈ [−π/4, π/4], where the Cephes
 * minimax polynomials give sin y and cos y. For |x| ≤ 65536 a three-part Cody–Waite reduction in f32 is fast and
 * exact enough (~1 ulp; an absolute error of ~1e-10 next to the zeros); beyond it f32 has no room for the
 * reduction, and reduce_pio2_large multiplies by the bits of 2/π in exact integer arithmetic (≤ 3 ulp). Built-in
 * sin/cos may have an absolute error of 2⁻¹¹ on [−π, π] and no bound outside it (SwiftShader's sin(1e6) is
 * −0.383, not −0.350), too coarse for the 1e-4 contract. NaN and ±inf give NaN. SwiftShader runs both
 * reductions for every x (it runs every branch any lane takes, and both here): sin costs ~2× the f32-only one.
 */
fn sin_cos(x: f32) -> vec2<f32> {
  if (is_nan(x) || is_inf(x)) { let n = make_nan(bitcast<u32>(x)); return vec2<f32>(n, n); }
  var y: f32;
  var q: u32;
  if (abs(x) <= 65536.0) {
    let j = round(x * 0.63661977236758134);
    y = ((x - j * 1.5703125) - j * 4.837512969970703125e-4) - j * 7.54978995489188216e-8;
    q = u32(i32(j - 4.0 * floor(j * 0.25)));   // j mod 4, also for negative j
  } else {
    let r = reduce_pio2_large(abs(x));
    let neg = bitcast<u32>(x) >= 0x80000000u;
    y = select(r.y, -r.y, neg);   // sin and cos of −|x|: the reduction mirrored
    q = select(r.q, (4u - r.q) & 3u, neg);
  }
  let z = y * y;
  let s = y + y * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  switch q {
    case 0u: { return vec2<f32>(s, c); }
    case 1u: { return vec2<f32>(c, -s); }
    case 2u: { return vec2<f32>(-s, -c); }
    default: { return vec2<f32>(-c, s); }
  }
}

/** Natural log with the IEEE special cases (built-in log of 0 or a negative number is undefined). */
fn log_ieee(x: f32) -> f32 {
  if (x < 0.0) { return make_nan(bitcast<u32>(x)); }
  if (x == 0.0) { return -make_inf(bitcast<u32>(x)); }
  if (x > 3.4028234663852886e38) { return x; }
  return log(x);
}

/** Square root with the IEEE special cases (built-in sqrt of a negative number is undefined). */
fn sqrt_ieee(x: f32) -> f32 {
  if (x < 0.0) { return make_nan(bitcast<u32>(x)); }
  return sqrt(x);
}

/** asin(x) for |x| ≤ 0.5: x + x³·P(x²) with the classic f32 minimax coefficients (≈ 1 ulp). */
fn asin_small(x: f32) -> f32 {
  let z = x * x;
  return x + x * z * ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1);
}

/**
 * acos(x) to a few ulp (the built-in's accuracy is only that of atan2, 4096 ulp by the spec): π/2 − asin(x)
 * for |x| ≤ ½, else 2·asin(√((1 − |x|)/2)) reflected for x < 0. NaN outside [−1, 1].
 */
fn acos_f(x: f32) -> f32 {
  let ax = abs(x);
  if (ax > 1.0) { return make_nan(bitcast<u32>(x)); }
  if (ax <= 0.5) { return 1.5707963267948966 - asin_small(x); }
  let a = 2.0 * asin_small(sqrt((1.0 - ax) * 0.5));
  return select(3.141592653589793 - a, a, x > 0.0);
}

/** tanh with full relative precision near 0 and no overflow for large |x|. */
fn safe_tanh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let ax = abs(x);
  if (ax < 0.05) {
    let x2 = x * x;
    return x * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)));
  }
  let e = exp(-2.0 * min(ax, 20.0));
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, x < 0.0);
}

/** e/(1+e)² with e = exp(-|y|): s(1−s) for s = sigmoid(y), accurate in both tails. */
fn sigmoid_slope(y: f32) -> f32 {
  let e = exp(-min(abs(y), 80.0));
  let d = 1.0 + e;
  return e / (d * d);
}

/** The gelu pre-activation u = sqrt(2/pi)·(x + 0.044715·x³), clamped (so exp cannot overflow). */
fn gelu_u(x: f32) -> f32 {
  return clamp(GELU_C * (x + GELU_K * x * x * x), -40.0, 40.0);
}

/** f(x) of unary op `op`. */
fn unary_f(op: u32, x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  switch op {
    case 0u: { return select(x, 0.0, x < 0.0); }                          // relu
    case 1u: {                                                            // gelu = x·sigmoid(2u)
      if (is_inf(x) && x < 0.0) { return make_nan(bitcast<u32>(x)); }    // ref: −inf·0
      if (x >= 0.0) { return x / (1.0 + exp(-2.0 * gelu_u(x))); }
      // x < 0: x·e/(1 + e) with e = exp(2u) ≤ 1, which underflows to 0 where the true value does (clamping u at
      // −40 instead would leave x·e^{−80}: −5595 at x = −3.1e38).
      let e = exp(2.0 * clamp(GELU_C * (x + GELU_K * x * x * x), -1.0e4, 0.0));
      return x * e / (1.0 + e);
    }
    case 2u: { return safe_tanh(x); }                                     // tanh
    case 3u: { return 1.0 / (1.0 + exp(-x)); }                            // sigmoid
    case 4u: { return x * x; }                                            // square
    case 5u: { return x * x * x; }                                        // cube
    case 6u: { return exp(x); }                                           // exp
    case 7u: { return log_ieee(x); }                                      // log
    case 8u: { return sqrt_ieee(x); }                                     // sqrt
    case 9u: { return -x; }                                               // neg
    case 10u: { return abs(x); }                                          // abs
    case 11u: { return sin_cos(x).x; }                                    // sin
    case 12u: { return sin_cos(x).y; }                                    // cos
    case 13u: { return acos_f(x); }                                       // acos
    default: { return x; }                                                // UNARY_NONE
  }
}

/** f′(x) of unary op `op` (relu′(0) = 0, abs′(0) = 0); NaN for NaN x. */
fn unary_df(op: u32, x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  switch op {
    case 0u: { return select(0.0, 1.0, x > 0.0); }                        // relu
    case 1u: {                                                            // gelu
      if (is_inf(x)) { return make_nan(bitcast<u32>(x)); }               // ref: ±inf·0
      if (abs(x) > 20.0) { return select(0.0, 1.0, x > 0.0); }
      let u = gelu_u(x);
      let s = 1.0 / (1.0 + exp(-2.0 * u));                                // (1 + tanh u)/2
      return s + 2.0 * x * sigmoid_slope(2.0 * u) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
    }
    case 2u: { return 4.0 * sigmoid_slope(2.0 * x); }                     // tanh: 1 − tanh² = 4s(1−s)
    case 3u: { return sigmoid_slope(x); }                                 // sigmoid
    case 4u: { return 2.0 * x; }                                          // square
    case 5u: { return 3.0 * x * x; }                                      // cube
    case 6u: { return exp(x); }                                           // exp
    case 7u: { return 1.0 / x; }                                          // log
    case 8u: { return 0.5 / sqrt_ieee(x); }                               // sqrt
    case 9u: { return -1.0; }                                             // neg
    case 10u: { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); } // abs
    case 11u: { return sin_cos(x).y; }                                    // sin
    case 12u: { return -sin_cos(x).x; }                                   // cos
    case 13u: { return -1.0 / sqrt_ieee((1.0 - x) * (1.0 + x)); }         // acos (1 − x² cancels near ±1)
    default: { return 1.0; }
  }
}

/** a ∘ b of binary op `op` (add, sub, mul, div, max, min); max and min propagate NaN. */
fn binary_f(op: u32, a: f32, b: f32) -> f32 {
  switch op {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: {
      if (is_nan(a)) { return a; }
      if (is_nan(b)) { return b; }
      return select(b, a, a > b);
    }
    default: {
      if (is_nan(a)) { return a; }
      if (is_nan(b)) { return b; }
      return select(b, a, a < b);
    }
  }
}
