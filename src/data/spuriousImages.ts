/**
 * Image data with a planted spurious part (specs/spurious-memorization.md, "Official experiment settings"):
 * two Fashion-MNIST classes, each 28×28 image padded with a border of `border` pixels of uniform random noise
 * (the spurious part y; 10 px → 48×48, as the official MNIST setting). Labels g = +1 for the first class, −1
 * for the second. The noise is independent of the label, like the synthetic task's y.
 *
 * Normalisation (the spec: "pixels scaled to [0, 1] and then normalised"): pixels are centred (p − ½) and
 * each whole image rescaled to ‖z‖² = d. The spurious query of sample i keeps its border exactly as in
 * z_i and sets the core pixels to 0 (the official code's construction), so y_i is bit-identical in both.
 * Columns are in image order (row-major side×side), not core-first; `spuriousMask` marks the border.
 */
import { ArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { LabeledImages } from './fashionMnist.js';

/** Two classes of bordered images with labels ±1 and their spurious queries. */
export interface BorderedImages {
  /** Number of images n. */
  readonly n: number;
  /** Input dimension d = side². */
  readonly d: number;
  /** Image side 28 + 2·border. */
  readonly side: number;
  /** Realised α = border pixels / d. */
  readonly alpha: number;
  /** n×d row-major inputs. */
  readonly z: Float64Array;
  /** Labels ±1. */
  readonly g: Float64Array;
  /** n×d spurious queries: the border of z_i, core pixels 0. */
  readonly queries: Float64Array;
  /** 1 where a column is a border (spurious) pixel, 0 for the core. */
  readonly spuriousMask: Uint8Array;
}

/**
 * Picks up to n images of classes a and b (a seeded shuffle of the set, first n that match), borders them
 * with noise from rng and normalises them (module header). Throws when the set holds fewer than n.
 */
export function borderedPair(set: LabeledImages, classes: readonly [number, number], n: number, border: number, rng: Rng): BorderedImages {
  const fn = 'borderedPair';
  const [a, b] = classes;
  for (const c of [a, b]) if (!Number.isInteger(c) || c < 0 || c > 9) throw new ArgumentError(`${fn}: classes must be two integers in 0 … 9, got ${classes.join(', ')}`);
  if (a === b) throw new ArgumentError(`${fn}: the two classes must differ, got ${a} twice`);
  if (!Number.isInteger(border) || border < 1) throw new ArgumentError(`${fn}: border must be a positive integer (pixels), got ${border}`);
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n must be a positive integer, got ${n}`);
  const order = rng.fork('order').permutation(set.count);
  const picked: number[] = [];
  for (let t = 0; t < order.length && picked.length < n; t++) {
    const label = set.labels[order[t]!]!;
    if (label === a || label === b) picked.push(order[t]!);
  }
  if (picked.length < n) throw new ArgumentError(`${fn}: the set holds only ${picked.length} images of classes ${a} and ${b}, fewer than the ${n} asked for`);
  const side = 28 + 2 * border;
  const d = side * side;
  const spuriousMask = new Uint8Array(d);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const core = r >= border && r < border + 28 && c >= border && c < border + 28;
      spuriousMask[r * side + c] = core ? 0 : 1;
    }
  }
  const noise = rng.fork('border').fillUniform(new Float32Array(n * d));
  const z = new Float64Array(n * d);
  const queries = new Float64Array(n * d);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const img = picked[i]!;
    g[i] = set.labels[img] === a ? 1 : -1;
    const row = z.subarray(i * d, (i + 1) * d);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const at = r * side + c;
        const pixel = spuriousMask[at] ? noise[i * d + at]! : set.images[img * 784 + (r - border) * 28 + (c - border)]!;
        row[at] = pixel - 0.5;
      }
    }
    let s = 0;
    for (let t = 0; t < d; t++) s += row[t]! * row[t]!;
    const f = s > 0 ? Math.sqrt(d / s) : 1;
    for (let t = 0; t < d; t++) {
      row[t]! *= f;
      if (spuriousMask[t]) queries[i * d + t] = row[t]!;
    }
  }
  return { n, d, side, alpha: (d - 784) / d, z, g, queries, spuriousMask };
}
