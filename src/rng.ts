/**
 * The one seeded pseudo-random number generator featurelab uses everywhere (initialisers, data sampling,
 * splits, shuffles). Random numbers are generated on the host and uploaded, so every backend sees the same
 * bits, and the generator itself gives the same bits in every JavaScript engine (Node, Deno, browsers).
 *
 * Algorithm: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), a
 * counter-based generator: block i of a generator is philox(counter, key) with
 *   counter = [i mod 2^32, ⌊i / 2^32⌋, stream mod 2^32, ⌊stream / 2^32⌋],   key = [seed mod 2^32, ⌊seed / 2^32⌋],
 * and its four 32-bit words are handed out in order. So `new Rng(0)` starts with the Random123 known-answer
 * vector for counter 0, key 0.
 *
 * Determinism across engines: only integer operations, IEEE +, −, ×, ÷ and Math.sqrt (correctly rounded
 * in every engine) are used. JavaScript never fuses a multiply-add, so these are bit-exact everywhere.
 * Math.log / Math.cos / Math.sin are *not* specified to the last bit (engines use different libms), so
 * Box–Muller uses the small polynomial ln and sincos below instead.
 *
 * Fills of 64 values or more draw their words, and for normals the whole Box–Muller step, in a 1 KiB WASM
 * module (src/rngKernels.ts) that performs the same operations in the same order with the same
 * coefficients, so the bits are those of the path here (tests compare them at every offset and length).
 *
 * Draw order (a contract: changing it changes every seeded result):
 *   uniform()     two words a, b → (⌊a / 2^5⌋ · 2^26 + ⌊b / 2^6⌋) / 2^53
 *   int(n)        one word per try, rejected while ≥ 2^32 − (2^32 mod n), then word mod n
 *   fillUniform   one word per element: lo + (hi − lo) · ⌊w / 2^8⌋ / 2^24, rounded to f32
 *   fillNormal    per pair of elements: u1 = 1 − uniform(), u2 = uniform(); r = √(−2 ln u1);
 *                 out[i] = mean + std·r·cos 2πu2, out[i+1] = mean + std·r·sin 2πu2 (the sine is dropped
 *                 for the last element of an odd length)
 *   shuffle       Fisher–Yates from the end: for i = n−1 … 1 swap a[i] with a[int(i + 1)]
 */
import { ArgumentError } from './errors.js';
import { CHUNK_PAIRS, rngKernels, type RngKernels } from './rngKernels.js';

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

// Philox4x32 round multipliers and Weyl key increments (Random123, philox.h).
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers, from 16-bit halves (exact in doubles). */
function mulhi32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const lh = aL * bH;
  const hl = aH * bL;
  // Carry out of the low 32 bits: every partial sum here stays below 2^18.
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox4x32-10 on scalar words; writes the four output words into `out`. */
function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** The Philox4x32-10 block function: four 32-bit counter words and two key words → four output words. */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  if (counter.length !== 4 || key.length !== 2) throw new ArgumentError(`philox4x32: expected a counter of 4 words and a key of 2 words, got ${counter.length} and ${key.length}`);
  philoxBlock(counter[0] >>> 0, counter[1] >>> 0, counter[2] >>> 0, counter[3] >>> 0, key[0] >>> 0, key[1] >>> 0, out);
  return out;
}

/** Throws unless `v` is an integer with 0 ≤ v < 2^53. */
function checkU53(v: number, what: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v < TWO53)) {
    throw new ArgumentError(`Rng: ${what} must be an integer with 0 ≤ ${what} < 2^53, got ${String(v)}`);
  }
}

// Fork hashing: tags in the fourth counter word keep label kinds and derivation blocks apart from the
// generation blocks (whose fourth word, the stream's high half, never has bit 31 set).
const TAG_NUMBER = 0x10000000;
const TAG_STRING = 0x20000000;
const TAG_FORK = 0x80000000;

/** Throws unless out is a Float32Array (the fills write f32 values). */
function checkF32Out(fn: string, out: Float32Array): void {
  if (!(out instanceof Float32Array)) throw new ArgumentError(`${fn}: out must be a Float32Array to fill, got ${Object.prototype.toString.call(out)}`);
}

/** Hashes a fork label to two 32-bit words with a cascade of Philox blocks (each output keys the next). */
function hashLabel(label: string | number, tmp: Uint32Array): [number, number] {
  // Arbitrary fixed starting key (the first digits of π, as in Random123's test vectors).
  let h0 = 0x243f6a88;
  let h1 = 0x85a308d3;
  if (typeof label === 'number') {
    if (!(Number.isInteger(label) && label >= 0 && label < TWO53)) {
      throw new ArgumentError(`Rng.fork: a numeric label must be an integer with 0 ≤ label < 2^53, got ${String(label)}; use a string for anything else`);
    }
    philoxBlock(label % TWO32, Math.floor(label / TWO32), 0, TAG_NUMBER, h0, h1, tmp);
    return [tmp[0], tmp[1]];
  }
  if (typeof label !== 'string') throw new ArgumentError(`Rng.fork: the label must be a string or a number, got ${typeof label}`);
  const n = label.length;
  // Four UTF-16 code units per block; the length goes into every block so 'a' and 'a\0' differ.
  for (let i = 0; i === 0 || i < n; i += 4) {
    const w0 = (label.charCodeAt(i) || 0) | ((label.charCodeAt(i + 1) || 0) << 16);
    const w1 = (label.charCodeAt(i + 2) || 0) | ((label.charCodeAt(i + 3) || 0) << 16);
    philoxBlock(w0 >>> 0, w1 >>> 0, i, (TAG_STRING | (n & 0x0fffffff)) >>> 0, h0, h1, tmp);
    h0 = tmp[0];
    h1 = tmp[1];
  }
  return [h0, h1];
}

// --- Engine-independent ln and sincos for Box–Muller (see the module header) ---

const scratch = new DataView(new ArrayBuffer(8));
// ln 2 split so that e·LN2_HI is exact for |e| < 2^11 (fdlibm's constants).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
// 1 / (2j + 1) for the atanh series.
const ATANH_COEF = Array.from({ length: 12 }, (_, j) => 1 / (2 * j + 1));
// Taylor coefficients (−1)^j / (2j+1)! for sine and (−1)^j / (2j)! for cosine, |φ| ≤ π/4.
const SIN_COEF: number[] = [];
const COS_COEF: number[] = [];
{
  let f = 1;
  for (let n = 0; n <= 19; n++) {
    if (n > 0) f *= n;
    const c = (Math.floor(n / 2) % 2 === 0 ? 1 : -1) / f;
    if (n % 2 === 0) COS_COEF.push(c);
    else SIN_COEF.push(c);
  }
}
const HALF_PI = 1.5707963267948966;

/** Natural logarithm of a positive normal double, accurate to a few ulp, bit-identical in every engine. */
function lnDet(x: number): number {
  scratch.setFloat64(0, x);
  const hi = scratch.getUint32(0);
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  scratch.setUint32(0, ((hi & 0x000fffff) | 0x3ff00000) >>> 0);
  let m = scratch.getFloat64(0); // x = m · 2^e, m ∈ [1, 2)
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172: the series converges to 1e-20 in 12 terms.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let p = ATANH_COEF[ATANH_COEF.length - 1];
  for (let j = ATANH_COEF.length - 2; j >= 0; j--) p = p * s2 + ATANH_COEF[j];
  return e * LN2_HI + (e * LN2_LO + 2 * s * p);
}

/** cos(2πu) and sin(2πu) for u ∈ [0, 1), written into out[0], out[1]; bit-identical in every engine. */
function sincos2pi(u: number, out: Float64Array): void {
  const t = u * 4; // exact
  const q = Math.floor(t + 0.5); // nearest quarter turn, 0…4
  const phi = (t - q) * HALF_PI; // t − q is exact; |phi| ≤ π/4
  const p2 = phi * phi;
  let sn = SIN_COEF[SIN_COEF.length - 1];
  for (let j = SIN_COEF.length - 2; j >= 0; j--) sn = sn * p2 + SIN_COEF[j];
  sn *= phi;
  let cs = COS_COEF[COS_COEF.length - 1];
  for (let j = COS_COEF.length - 2; j >= 0; j--) cs = cs * p2 + COS_COEF[j];
  switch (q & 3) {
    case 0: out[0] = cs; out[1] = sn; break;
    case 1: out[0] = -sn; out[1] = cs; break;
    case 2: out[0] = -cs; out[1] = -sn; break;
    default: out[0] = sn; out[1] = -cs; break;
  }
}

const f32Scratch = new Float32Array(1);
const f32Bits = new Uint32Array(f32Scratch.buffer);

/** The largest f32 below the f32 value `v` (v finite). */
function f32Below(v: number): number {
  if (v === 0) return -1.401298464324817e-45;
  f32Scratch[0] = v;
  f32Bits[0] += v > 0 ? -1 : 1;
  return f32Scratch[0];
}

/** Fills of at least this many values go through the WASM kernels. */
const BULK_MIN = 64;
/** The coefficient tables the kernels use, the very numbers of lnDet and sincos2pi. */
const COEFFICIENTS: [number[], number[], number[]] = [ATANH_COEF, SIN_COEF, COS_COEF];

/** The position of a generator in its sequence (integers only, so it survives JSON exactly). */
export type RngState = {
  /** 64-bit index of the next block, as low and high 32-bit words. */
  counter: [number, number];
  /** Words of the current block already used (0…4). */
  used: number;
};

/** A seeded, counter-based (Philox4x32-10) random number generator; same seed → same bits everywhere. */
export class Rng {
  private k0: number;
  private k1: number;
  private s0: number;
  private s1: number;
  // 64-bit index of the next block to generate.
  private c0 = 0;
  private c1 = 0;
  private readonly buf = new Uint32Array(4);
  private pos = 4;

  /** A generator for `seed` (integer, 0 ≤ seed < 2^53) on sub-sequence `stream` (same range; default 0). */
  constructor(seed: number, stream = 0) {
    checkU53(seed, 'seed');
    checkU53(stream, 'stream');
    this.k0 = seed % TWO32;
    this.k1 = Math.floor(seed / TWO32);
    this.s0 = stream % TWO32;
    this.s1 = Math.floor(stream / TWO32);
  }

  /**
   * An independent generator for a named purpose (`rng.fork('init')`). It depends only on this generator's
   * seed, stream and the label — not on how many numbers were drawn — so forks are reproducible anywhere.
   */
  fork(label: string | number): Rng {
    const tmp = new Uint32Array(4);
    const [h0, h1] = hashLabel(label, tmp);
    // Derive the child's key and stream with a block that no generator ever emits (bit 31 of word 3 set).
    philoxBlock(h0, h1, this.s0, (this.s1 | TAG_FORK) >>> 0, this.k0, this.k1, tmp);
    const child = new Rng(0);
    child.k0 = tmp[0];
    child.k1 = tmp[1];
    child.s0 = tmp[2];
    child.s1 = tmp[3] & 0x7fffffff;
    return child;
  }

  /** Where this generator is in its sequence (for checkpoints; the seed and stream are not included). */
  state(): RngState {
    return { counter: [this.c0, this.c1], used: this.pos };
  }

  /** Moves this generator to `state` (from `state()` of a generator with the same seed and stream). */
  restore(state: RngState): void {
    if (state == null || !Array.isArray(state.counter) || state.counter.length !== 2) {
      throw new ArgumentError(`Rng.restore: expected a state { counter: [low, high], used } from Rng.state(), got ${JSON.stringify(state)}`);
    }
    const [c0, c1] = state.counter;
    const ok = (w: number): boolean => Number.isInteger(w) && w >= 0 && w < TWO32;
    if (!ok(c0) || !ok(c1) || !Number.isInteger(state.used) || state.used < 0 || state.used > 4) {
      throw new ArgumentError(`Rng.restore: expected a state from Rng.state(), got ${JSON.stringify(state)}`);
    }
    this.c0 = c0;
    this.c1 = c1;
    this.pos = state.used;
    if (this.pos < 4) {
      // The current block is the one before the counter: regenerate it.
      const p0 = c0 === 0 ? TWO32 - 1 : c0 - 1;
      const p1 = c0 === 0 ? (c1 - 1) >>> 0 : c1;
      philoxBlock(p0, p1, this.s0, this.s1, this.k0, this.k1, this.buf);
    }
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    if (this.pos === 4) {
      philoxBlock(this.c0, this.c1, this.s0, this.s1, this.k0, this.k1, this.buf);
      this.c0 = (this.c0 + 1) >>> 0;
      if (this.c0 === 0) this.c1 = (this.c1 + 1) >>> 0;
      this.pos = 0;
    }
    return this.buf[this.pos++];
  }

  /** A uniform double in [0, 1) with 53 random bits (two words). */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / TWO53;
  }

  /** An unbiased integer in [0, n), 1 ≤ n ≤ 2^32, by rejection sampling. */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= TWO32)) throw new ArgumentError(`Rng.int: n must be an integer with 1 ≤ n ≤ 2^32, got ${String(n)}`);
    // Accept only words below the largest multiple of n that fits in 32 bits, so every residue is equally likely.
    const limit = TWO32 - (TWO32 % n);
    for (;;) {
      const w = this.nextU32();
      if (w < limit) return w % n;
    }
  }

  /** Fills `out` with uniform f32 values in [lo, hi) (lo and hi rounded to f32 first; default [0, 1)). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    checkF32Out('Rng.fillUniform', out);
    const lo32 = Math.fround(lo);
    const hi32 = Math.fround(hi);
    const span = hi32 - lo32;
    if (!(lo32 < hi32 && Number.isFinite(span))) throw new ArgumentError(`Rng.fillUniform: need finite lo < hi (as f32), got lo = ${lo}, hi = ${hi}`);
    const value = (word: number): number => {
      const v = Math.fround(lo32 + span * ((word >>> 8) / 16777216));
      // Rounding to f32 can land on hi itself; the f32 just below is still ≥ lo.
      return v >= hi32 ? f32Below(v) : v;
    };
    let i = 0;
    // The words in bulk from the WASM kernels (the same words), the rest (and small fills) one by one.
    const bulk = out.length >= BULK_MIN ? rngKernels(COEFFICIENTS) : null;
    if (bulk) {
      for (; i < out.length; ) {
        const chunk = Math.min(out.length - i, 4 * CHUNK_PAIRS);
        this.bulkWords(bulk, chunk);
        for (let w = 0; w < chunk; w++) out[i + w] = value(bulk.words[w]!);
        i += chunk;
      }
    }
    for (; i < out.length; i++) out[i] = value(this.nextU32());
    return out;
  }

  /** Fills `out` with normal f32 values (Box–Muller; default mean 0, std 1), identical in every engine. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    checkF32Out('Rng.fillNormal', out);
    if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new ArgumentError(`Rng.fillNormal: need a finite mean and a finite std ≥ 0, got mean = ${mean}, std = ${std}`);
    const n = out.length;
    let i = 0;
    // Whole pairs in bulk through the WASM kernels (same bits), the rest (and small fills) here.
    const bulk = n >= BULK_MIN ? rngKernels(COEFFICIENTS) : null;
    if (bulk) {
      for (let pairs = Math.floor(n / 2); pairs > 0; ) {
        const chunk = Math.min(pairs, CHUNK_PAIRS);
        this.bulkWords(bulk, 4 * chunk);
        bulk.exports.normalPairs(bulk.wordsPtr, bulk.outPtr, 2 * chunk, mean, std, bulk.coefPtr, ...bulk.counts);
        out.set(bulk.out.subarray(0, 2 * chunk), i);
        i += 2 * chunk;
        pairs -= chunk;
      }
    }
    const sc = new Float64Array(2);
    for (; i < n; i += 2) {
      const u1 = 1 - this.uniform(); // (0, 1]: ln is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * lnDet(u1));
      sincos2pi(u2, sc);
      out[i] = mean + std * (r * sc[0]);
      if (i + 1 < n) out[i + 1] = mean + std * (r * sc[1]);
    }
    return out;
  }

  /**
   * Puts the next `count` words of this generator's sequence (1 ≤ count ≤ 4·CHUNK_PAIRS) at the start of the
   * kernels' word buffer and moves past them: first the unused words of the current block, then new blocks.
   */
  private bulkWords(k: RngKernels, count: number): void {
    const left = 4 - this.pos;
    for (let w = 0; w < Math.min(left, count); w++) k.words[w] = this.buf[this.pos + w];
    if (count <= left) {
      this.pos += count;
      return;
    }
    const blocks = Math.ceil((count - left) / 4);
    k.exports.philoxWords(k.wordsPtr + 4 * left, blocks, this.k0, this.k1, this.s0, this.s1, this.c0, this.c1);
    // The counter moves by `blocks` (64-bit); the last block becomes the current one, `used` words into it.
    const next = this.c0 + blocks;
    this.c0 = next % TWO32;
    if (next >= TWO32) this.c1 = (this.c1 + 1) >>> 0;
    const last = left + 4 * (blocks - 1);
    this.buf.set(k.words.subarray(last, last + 4));
    this.pos = count - last;
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    if (a == null || typeof a !== 'object' || !Number.isInteger(a.length) || a.length < 0) throw new ArgumentError(`Rng.shuffle: a must be an array or typed array, got ${String(a)}`);
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of 0 … n−1. */
  permutation(n: number): Uint32Array {
    if (!(Number.isInteger(n) && n >= 0 && n < TWO32)) throw new ArgumentError(`Rng.permutation: n must be an integer with 0 ≤ n < 2^32, got ${String(n)}`);
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
