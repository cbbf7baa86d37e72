// trig_large.wgsl — reduce_pio2_large for sin_cos (unary_math.wgsl) in the shaders of the unary ops and their
// gradients. Kept out of the other shaders because SwiftShader compiles every function a shader could reach: with
// it in every matmul variant, the WebGPU engine tests (hundreds of variants) took 183 s instead of 134 s there.

// The bits of 2/π after a zero word (so that the windows of exponents below 2^24 start inside the table), most
// significant first: bit p (p = 0 the top bit of word 0) weighs 2^(31 − p). 224 bits of 2/π reach the last
// window the largest f32 needs (bits 134…229).
const TWO_OVER_PI = array<u32, 8>(0u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u,
                                  0xfe5163abu);

/** The high word of a·b, from 16×16-bit partial products: WGSL has no 64-bit integers. */
fn mul_hi_u32(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);   // < 3·2¹⁶: cannot wrap
  return a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}

/** Word k + i of TWO_OVER_PI for k ≤ 4, by selects (no runtime index into the array). */
fn two_over_pi_word(i: u32, k: u32) -> u32 {
  let w = select(TWO_OVER_PI[i], TWO_OVER_PI[i + 1u], k == 1u);
  let v = select(select(w, TWO_OVER_PI[i + 2u], k == 2u), TWO_OVER_PI[i + 3u], k == 3u);
  return select(v, TWO_OVER_PI[i + 4u], k == 4u);
}


/**
 * Payne–Hanek reduction of a finite |x| > 65536 in exact u32 arithmetic: |x| = m·2^e with the 24-bit integer
 * m and e ≥ −7, and |x|·2/π mod 4 = m·W·2⁻⁹⁴ mod 4, where W is the 96-bit window of 2/π that starts at bit
 * e + 30 (earlier bits only add multiples of 4; the later ones less than 2⁻⁷⁰). Of the product's low 96 bits the
 * top two are the quadrant and the next 94 the fraction, rounded to the nearest quadrant. No f32 comes nearer a
 * multiple of π/2 than 1.6e-9 (16367173·2⁷², by an exhaustive search), a fraction ≥ 2⁻³⁰ of a quadrant with
 * ≥ 40 exact bits, of which its bits down to 2⁻⁵⁴ (≥ 24 significant) give y to ~1 ulp.
 */
fn reduce_pio2_large(ax: f32) -> ReducedPiO2 {
  let bits = bitcast<u32>(ax);
  let m = (bits & 0x7fffffu) | 0x800000u;
  let p = (bits >> 23u) - 120u;   // e + 30 with e = exponent field − 150; the window lies in words k…k + 3
  let k = p >> 5u;
  let r = p & 31u;
  let u0 = two_over_pi_word(0u, k);
  let u1 = two_over_pi_word(1u, k);
  let u2 = two_over_pi_word(2u, k);
  let u3 = two_over_pi_word(3u, k);
  // W = w0:w1:w2 = (u0:u1:u2:u3) << r; two shifts right, as a shift by 32 would shift by 0.
  let w0 = (u0 << r) | ((u1 >> 1u) >> (31u - r));
  let w1 = (u1 << r) | ((u2 >> 1u) >> (31u - r));
  let w2 = (u2 << r) | ((u3 >> 1u) >> (31u - r));
  // The top two words s2:s1 of m·W mod 2⁹⁶ (the low word only carries into s1; m·w0 only matters mod 2³²).
  let t1 = m * w1;
  let s1 = t1 + mul_hi_u32(m, w2);
  let s2 = m * w0 + mul_hi_u32(m, w1) + select(0u, 1u, s1 < t1);
  // Round to the nearest quadrant; a fraction F ≥ ½ leaves y < 0 of magnitude 1 − F, its bits complemented (the
  // 2⁻⁹⁴ this is off by is far below the window's error).
  let q = (s2 + 0x20000000u) >> 30u;
  let flip = 0u - ((s2 >> 29u) & 1u);
  let a2 = (s2 ^ flip) & 0x3fffffffu;
  let a1 = s1 ^ flip;
  // f ≈ a2·2⁻³⁰ + a1·2⁻⁶² ≥ 2⁻³⁰ in f32, from exact conversions (< 2²⁴ each) and two roundings.
  let f = f32(i32(a2 & 0x3fffffc0u)) * 9.313225746154785e-10
        + (f32(i32(a2 & 0x3fu)) * 9.313225746154785e-10 + f32(i32(a1 >> 8u)) * 5.551115123125783e-17);
  let y = f * 1.5707963705062866 + f * -4.371139000186241e-8;   // π/2 as f32 plus its remainder
  return ReducedPiO2(select(y, -y, flip != 0u), q);
}
