// The bulk draws of src/rng.ts (built alone into build/wasm/featurelab-rng.wasm, scalar, no imports beyond
// memory): Philox4x32-10 words, and Box–Muller normals from them. Every operation is one the JS generator
// performs too, in the same order (integer ops, IEEE +, −, ×, ÷, sqrt, floor, f64 → f32 rounding), and the
// polynomial coefficients are written into memory by the host, so the bits equal the JS path's. The module
// stays under 4 KiB so that even a browser's main thread may compile it synchronously.
// Memory is imported (`env.memory`); the host places every buffer above `heapBase()`.

/** First byte the host may use. */
export function heapBase(): usize {
  return __heap_base;
}

// Philox4x32 round multipliers and Weyl key increments (Random123, philox.h), as in src/rng.ts.
const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/**
 * Writes `blocks` Philox4x32-10 blocks (4 words each) to `outPtr`: block b has counter
 * [c0 + b (64-bit with c1), s0, s1] and key [k0, k1].
 */
export function philoxWords(outPtr: usize, blocks: i32, k0: u32, k1: u32, s0: u32, s1: u32, c0: u32, c1: u32): void {
  for (let b = 0; b < blocks; b++) {
    let x0 = c0, x1 = c1, x2 = s0, x3 = s1, key0 = k0, key1 = k1;
    for (let round = 0; round < 10; round++) {
      if (round > 0) {
        key0 += W0;
        key1 += W1;
      }
      const p0 = M0 * <u64>x0;
      const p1 = M1 * <u64>x2;
      x0 = <u32>(p1 >> 32) ^ x1 ^ key0;
      x1 = <u32>p1;
      x2 = <u32>(p0 >> 32) ^ x3 ^ key1;
      x3 = <u32>p0;
    }
    const o = outPtr + (<usize>b << 4);
    store<u32>(o, x0);
    store<u32>(o, x1, 4);
    store<u32>(o, x2, 8);
    store<u32>(o, x3, 12);
    c0 += 1;
    if (c0 == 0) c1 += 1;
  }
}

// ln 2 split as in src/rng.ts (fdlibm's constants), and π/2.
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const HALF_PI: f64 = 1.5707963267948966;
const SQRT2: f64 = 1.4142135623730951;

/** Horner's rule from the last of `count` f64 coefficients at `ptr` down to the first, in x. */
@inline function horner(ptr: usize, count: i32, x: f64): f64 {
  let p = load<f64>(ptr + (<usize>(count - 1) << 3));
  for (let j = count - 2; j >= 0; j--) p = p * x + load<f64>(ptr + (<usize>j << 3));
  return p;
}

/** The uniform double of two words, as Rng.uniform: (⌊a / 2^5⌋ · 2^26 + ⌊b / 2^6⌋) / 2^53. */
@inline function uniform(a: u32, b: u32): f64 {
  return (<f64>(a >> 5) * 67108864.0 + <f64>(b >> 6)) / 9007199254740992.0;
}

/**
 * Box–Muller normals as Rng.fillNormal, 4 words per pair from `wordsPtr`, written as f32 to `outPtr`
 * (`count` values; the sine of the last pair is dropped when count is odd). `coefPtr` holds the host's
 * coefficient tables: atanh (nAtanh), then sine (nSin), then cosine (nCos), all f64.
 */
export function normalPairs(wordsPtr: usize, outPtr: usize, count: i32, mean: f64, std: f64, coefPtr: usize, nAtanh: i32, nSin: i32, nCos: i32): void {
  const sinPtr = coefPtr + (<usize>nAtanh << 3);
  const cosPtr = sinPtr + (<usize>nSin << 3);
  for (let i = 0; i < count; i += 2) {
    const w = wordsPtr + (<usize>i << 3);
    const u1 = 1.0 - uniform(load<u32>(w), load<u32>(w, 4));
    const u2 = uniform(load<u32>(w, 8), load<u32>(w, 12));
    // ln u1 (lnDet): u1 = m · 2^e with m ∈ [1, 2), then into [√½, √2].
    const bits = reinterpret<u64>(u1);
    let e = <i32>((bits >> 52) & 0x7ff) - 1023;
    let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
    if (m > SQRT2) {
      m *= 0.5;
      e += 1;
    }
    const s = (m - 1) / (m + 1);
    const p = horner(coefPtr, nAtanh, s * s);
    const ef = <f64>e;
    const ln = ef * LN2_HI + (ef * LN2_LO + 2 * s * p);
    const r = Math.sqrt(-2 * ln);
    // cos 2πu2 and sin 2πu2 (sincos2pi).
    const t = u2 * 4;
    const q = Math.floor(t + 0.5);
    const phi = (t - q) * HALF_PI;
    const p2 = phi * phi;
    const sn = horner(sinPtr, nSin, p2) * phi;
    const cs = horner(cosPtr, nCos, p2);
    let c: f64, sv: f64;
    switch (<i32>q & 3) {
      case 0: { c = cs; sv = sn; break; }
      case 1: { c = -sn; sv = cs; break; }
      case 2: { c = -cs; sv = -sn; break; }
      default: { c = sn; sv = -cs; break; }
    }
    store<f32>(outPtr + (<usize>i << 2), <f32>(mean + std * (r * c)));
    if (i + 1 < count) store<f32>(outPtr + (<usize>(i + 1) << 2), <f32>(mean + std * (r * sv)));
  }
}
