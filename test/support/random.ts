/** A small seeded PRNG for test data (mulberry32): the same seed gives the same matrices everywhere. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** rows·cols uniform values in [lo, hi), as f32. */
export function uniform(seed: number, rows: number, cols: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** rows·1 integer class labels in [0, classes). */
export function labels(seed: number, rows: number, classes: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: rows }, () => Math.floor(r() * classes));
}
