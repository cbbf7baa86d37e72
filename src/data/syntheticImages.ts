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

/** Samples whose noise is drawn between two pauses (an even number of values: the same draws as one fill). */
const SAMPLES_PER_PAUSE = 500;

/**
 * Ten classes of synthetic 28×28 images (module header), shaped like loadFashionMnist's result. `pause` is awaited
 * between blocks of samples (a page paints there: 10,000 images take about half a second); it changes no pixel.
 */
export async function syntheticImages(seed: number, opts: SyntheticImagesOptions, pause: () => Promise<void> = async () => {}): Promise<FashionMnist> {
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
  const sample = async (count: number, r: Rng): Promise<LabeledImages> => {
    const images = new Float32Array(count * PIXELS);
    for (let s0 = 0; s0 < count; s0 += SAMPLES_PER_PAUSE) {
      r.fillNormal(images.subarray(s0 * PIXELS, Math.min(count, s0 + SAMPLES_PER_PAUSE) * PIXELS), 0, noise);
      await pause();
    }
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
    train: await sample(train, rng.fork('train')),
    test: await sample(test, rng.fork('test')),
    classNames: Array.from({ length: CLASSES }, (_, c) => `class ${c}`),
  };
}
