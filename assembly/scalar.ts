// Scalar element-wise functions shared by the kernels: the f32 versions of src/backend/ref/scalarMath.ts.
// Transcendentals are evaluated in f64 (AssemblyScript's musl-derived Math) and rounded once, so each
// result is the f32 rounding of the f64 oracle's value up to the last bit of the f64 libm.

const GELU_C: f64 = 0.7978845608028654; // sqrt(2 / pi)
const GELU_K: f64 = 0.044715;

/** f(x) for unary op `op` (the index in UNARY_OPS of src/backend/types.ts). NaN in gives NaN out. */
export function unaryOp(op: i32, x: f64): f64 {
  switch (op) {
    case 0: return x < 0 ? 0 : x; // relu
    case 1: return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x))); // gelu (tanh form)
    case 2: return Math.tanh(x);
    case 3: return 1 / (1 + Math.exp(-x)); // sigmoid
    case 4: return x * x; // square
    case 5: return x * x * x; // cube
    case 6: return Math.exp(x);
    case 7: return Math.log(x);
    case 8: return Math.sqrt(x);
    case 9: return -x; // neg
    case 10: return Math.abs(x);
    case 11: return Math.sin(x);
    case 12: return Math.cos(x);
    case 13: return Math.acos(x);
    default: return NaN;
  }
}

/** f′(x) for unary op `op` (relu′(0) = 0, abs′(0) = 0, NaN for NaN). */
export function unaryDeriv(op: i32, x: f64): f64 {
  switch (op) {
    case 0: return x > 0 ? 1 : x <= 0 ? 0 : NaN;
    case 1: {
      const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
    }
    case 2: {
      const t = Math.tanh(x);
      return 1 - t * t;
    }
    case 3: {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 - s);
    }
    case 4: return 2 * x;
    case 5: return 3 * x * x;
    case 6: return Math.exp(x);
    case 7: return 1 / x;
    case 8: return 0.5 / Math.sqrt(x);
    case 9: return x == x ? -1 : NaN; // NaN in x still gives NaN out
    case 10: return x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : NaN;
    case 11: return Math.cos(x);
    case 12: return -Math.sin(x);
    case 13: return -1 / Math.sqrt(1 - x * x);
    default: return NaN;
  }
}

/** a ∘ b for binary op `op` (index in BINARY_OPS); max and min propagate NaN (wasm f32.max/min do). */
// @ts-ignore: decorator
@inline
export function binaryOp(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return max<f32>(a, b);
    case 5: return min<f32>(a, b);
    default: return NaN;
  }
}

/** An integer-valued float in [0, limit) as an index, or −1 when it is not one (NaN, fraction, range). */
// @ts-ignore: decorator
@inline
export function asIndex(v: f32, limit: i32): i32 {
  if (!(v >= 0) || !(<f64>v < <f64>limit) || Mathf.floor(v) != v) return -1;
  return <i32>v;
}
