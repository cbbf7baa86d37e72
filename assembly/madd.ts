/**
 * c + a·b per f32 lane. The relaxed-SIMD build fuses it (one rounding, where the CPU has FMA); the strict
 * builds multiply, round, add, round, so they agree bit for bit with each other and with scalar code on
 * every machine.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
