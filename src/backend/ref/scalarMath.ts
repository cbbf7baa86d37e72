/**
 * The element-wise functions and their derivatives in f64: the definitions the WASM and WGSL kernels
 * must match. NaN in gives NaN out for every op (relu and abs included).
 */
import type { BinaryOp, UnaryOp } from '../types.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/** f(x) for each unary op. gelu is the tanh approximation (GPT-2 form); WGSL has no erf. */
export const unaryF: Record<UnaryOp, (x: number) => number> = {
  relu: (x) => (x < 0 ? 0 : x),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x))),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  square: (x) => x * x,
  cube: (x) => x * x * x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  neg: (x) => -x,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  acos: Math.acos,
};

/** f′(x) for each unary op (relu′(0) = 0, abs′(0) = 0). */
export const unaryDf: Record<UnaryOp, (x: number) => number> = {
  relu: (x) => (x > 0 ? 1 : x <= 0 ? 0 : NaN),
  gelu: (x) => {
    const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
  },
  tanh: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
  sigmoid: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 - s);
  },
  square: (x) => 2 * x,
  cube: (x) => 3 * x * x,
  exp: Math.exp,
  log: (x) => 1 / x,
  sqrt: (x) => 0.5 / Math.sqrt(x),
  neg: (x) => (x === x ? -1 : NaN), // NaN in x still gives NaN out
  abs: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  sin: Math.cos,
  cos: (x) => -Math.sin(x),
  acos: (x) => -1 / Math.sqrt(1 - x * x),
};

/** a ∘ b for each binary op; max and min propagate NaN. */
export const binaryF: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
};
