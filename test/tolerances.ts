/**
 * Every tolerance of the suite, in one table. A value passes when |actual − expected| ≤ atol + rtol·|expected|;
 * for `normalized` entries atol is scaled by max|expected| (products and sums, whose error grows with size).
 */
export interface Tolerance {
  rtol: number;
  atol: number;
  normalized?: boolean;
}

/** Tolerances of f32 backends against the f64 reference, per op family. */
export const TOL = {
  /** Products: error relative to the largest output (f32 accumulation over k terms). */
  matmul: { rtol: 0, atol: 2e-5, normalized: true },
  /** Arithmetic that rounds once or twice (WGSL allows 2.5 ULP for division): add, sub, mul, div, max, min, neg, abs, square, cube, copy, transpose, gather. */
  exact: { rtol: 4e-7, atol: 0 },
  /** Transcendental functions (exp, log, tanh, sin, …) and their gradients. */
  transcendental: { rtol: 2e-5, atol: 2e-6 },
  /** Reductions: error relative to the largest |x| summed. */
  reduce: { rtol: 0, atol: 1e-5, normalized: true },
  /** Fused losses and their gradients. */
  loss: { rtol: 1e-5, atol: 1e-6 },
  /**
   * Optimizer steps: f32 state is rounded every step (the reference keeps f64), so after a few steps an
   * element that cancels to near zero carries the rounding error of the largest terms: atol is relative
   * to the largest |value| of the state (≈ 6e-8 per rounding × a few roundings per step × 5 steps).
   */
  optimizer: { rtol: 1e-5, atol: 5e-7, normalized: true },
  /** Whole-network gradients (several products and element-wise ops in f32): relative to the largest entry. */
  networkGradient: { rtol: 0, atol: 2e-5, normalized: true },
  /** Central finite differences of the f64 reference: f′ vs (f(x+h) − f(x−h)) / 2h with h = 1e-5. */
  finiteDifference: { rtol: 1e-6, atol: 1e-8 },
} satisfies Record<string, Tolerance>;

/**
 * The blocked f32 Cholesky and triangular solves of the backends (relative, Frobenius norms), on the
 * well-conditioned SPD matrices of test/cholesky.test.ts (condition ≲ 50). The ref backend runs the same
 * blocked algorithm in f64 and meets the f64 bounds of LINALG_TOL.
 */
export const BLOCKED_TOL = {
  /** ‖A − LLᵀ‖/‖A‖ in f32: ≈ √n·u observed, n·u at worst (n ≤ 330 → 2e-5). */
  cholesky: 2e-5,
  /** ‖L − L_f64‖/‖L‖ against the independent f64 WASM factor. */
  factor: 2e-5,
  /** ‖L·X − B‖/(‖L‖·‖X‖): backward error of the block-inverse solve. */
  triangular: 2e-5,
  /** ‖X − X_f64‖/‖X_f64‖ against plain f64 substitution (L's condition ≲ 10 here). */
  solution: 1e-4,
};

/**
 * Tolerances of the f64 path (relative, Frobenius norms unless noted). The f64 linear-algebra path
 * (src/linalg/) against exact constructions; not f32 backends against ref like TOL.
 */
export const LINALG_TOL = {
  /** ‖A − LLᵀ‖/‖A‖: backward stable, ≈ n·u at worst. */
  cholesky: 1e-13,
  /** Backward residual ‖AX − B‖/(‖A‖·‖X‖) of a Cholesky solve, at any condition number. */
  solveBackward: 1e-13,
  /** ‖AX − B‖/‖B‖ for the random SPD matrices here (ε = 0.1 keeps the condition ≲ 1e3; observed ≤ 2e-15). */
  solve: 1e-13,
  /**
   * ‖AX − B‖/‖B‖ at condition 1e12: ‖X‖ can reach 1e12·‖B‖, so the backward error u·‖A‖‖X‖ allows
   * ≈ n·u·1e12 ≈ 1e-2; observed 4e-6 (n = 80).
   */
  solveIllConditioned: 1e-2,
  /** Triangular solve against plain substitution, relative to max |x|. */
  triangular: 1e-12,
  /** ‖AV − VΛ‖/‖A‖, ‖VᵀV − I‖, and eigenvalue errors relative to max |λ|. */
  eigen: 1e-12,
};
