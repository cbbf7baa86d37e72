/**
 * A stand-in for Fashion-MNIST when the dataset is not installed: ten classes of 28×28 "images" in [0, 1],
 * each class a mixture of a few prototypes, so an MLP meets the same situation in miniature — classes that
 * overlap, several sub-features per class, and models from different seeds that disagree on the hard
 * points. It is not a substitute for the real data in a paper reproduction; results on it say so.
 *
 * Construction (all draws from one seeded Rng, so the set is bit-identical for a seed):
 *   base image β ~ U(0.1, 0.4)^784, class direction D_c ~ N(0, I), sub-feature E_{c,j} ~ N(0, I);
 *   prototype P_{c,j} = β + classScale·D_c + featureScale·E_{c,j};
 *   sample x = clip(P_{c,j} + noise·N(0, I), 0, 1) with c uniform over classes and j uniform over prototypes.
 */
import { ArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import type { FashionMnist, LabeledImages } from './fashionMnist.js';

/** Options of syntheticImages. */
export interface SyntheticImagesOptions {
  train: number;
  test: number;
  /** Prototypes (sub-features) per class (default 4). */
  prototypes?: number;
  /** Scale of the class direction (default 0.035: classes overlap, as Fashion-MNIST's shirts and T-shirts do; an MLP on 1000 images errs on ~20 %). */
  classScale?: number;
  /** Scale of each prototype's own direction (default 0.06). */
  featureScale?: number;
  /** Per-pixel noise (default 0.25). */
  noise?: number;
}

const PIXELS = 784;
const CLASSES = 10;

/** Ten classes of synthetic 28×28 images (module header), shaped like loadFashionMnist's result. */
export function syntheticImages(seed: number, opts: SyntheticImagesOptions): FashionMnist {
  const { train, test, prototypes = 4, classScale = 0.035, featureScale = 0.06, noise = 0.25 } = opts;
  for (const [name, v] of [['train', train], ['test', test], ['prototypes', prototypes]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`syntheticImages: ${name} must be a positive integer, got ${v}`);
  }
  const rng = new Rng(seed).fork('synthetic-images');
  const base = rng.fork('base').fillUniform(new Float32Array(PIXELS), 0.1, 0.4);
  const classDir = rng.fork('classes').fillNormal(new Float32Array(CLASSES * PIXELS));
  const featureDir = rng.fork('features').fillNormal(new Float32Array(CLASSES * prototypes * PIXELS));
  const protos = new Float32Array(CLASSES * prototypes * PIXELS);
  for (let c = 0; c < CLASSES; c++) {
    for (let j = 0; j < prototypes; j++) {
      const at = (c * prototypes + j) * PIXELS;
      for (let i = 0; i < PIXELS; i++) protos[at + i] = base[i]! + classScale * classDir[c * PIXELS + i]! + featureScale * featureDir[at + i]!;
    }
  }
  const sample = (count: number, r: Rng): LabeledImages => {
    const images = r.fillNormal(new Float32Array(count * PIXELS), 0, noise);
    const labels = new Int32Array(count);
    for (let s = 0; s < count; s++) {
      const c = r.int(CLASSES);
      const at = (c * prototypes + r.int(prototypes)) * PIXELS;
      labels[s] = c;
      for (let i = 0; i < PIXELS; i++) images[s * PIXELS + i] = Math.min(1, Math.max(0, images[s * PIXELS + i]! + protos[at + i]!));
    }
    return { count, rows: 28, cols: 28, images, labels };
  };
  return {
    train: sample(train, rng.fork('train')),
    test: sample(test, rng.fork('test')),
    classNames: Array.from({ length: CLASSES }, (_, c) => `class ${c}`),
  };
}
