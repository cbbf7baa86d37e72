/**
 * The image data of the MLP experiments: Fashion-MNIST from IDX files, or the synthetic ten-class stand-in
 * (src/data/syntheticImages.ts) that runs anywhere — in a browser without files, or on a machine without
 * the dataset. The synthetic set is one fixed data set (its own seed), like a real one: a run's seed
 * changes the models, not the data.
 */
import { ConfigError } from '../errors.js';
import { type FashionMnist, loadFashionMnist } from '../data/fashionMnist.js';
import { syntheticImages } from '../data/syntheticImages.js';
import { hostYielder } from '../nn/hostYield.js';
import type { ExperimentContext } from './types.js';

/** The values of the `data` key of the image experiments. */
export const IMAGE_DATA_CHOICES = ['fashion', 'synthetic'] as const;

/** The seed of the synthetic image set (fixed: see the header). */
const SYNTHETIC_DATA_SEED = 20241;

/** Sizes when a limit is 0 or absent (the synthetic set has no natural size). */
const SYNTHETIC_DEFAULT_TRAIN = 10000;
const SYNTHETIC_DEFAULT_TEST = 2000;

/** A config key that sets how many images of a set a run uses: its name and value (0 = the whole set). */
export interface SizeKey {
  key: string;
  value: number;
}

/** A size larger than the set is a ConfigError naming the key, the value and the images there are. */
function checkSize(experiment: string, size: SizeKey | undefined, count: number, set: string, dataDir: string): void {
  if (size && size.value > count) {
    throw new ConfigError(`${experiment}: ${size.key} = ${size.value} is more than the ${count} ${set} images of Fashion-MNIST in ${dataDir}; set ${size.key} to at most ${count}`);
  }
}

/**
 * Loads `data` ('fashion' from dataDir, or 'synthetic') with the first `sizes.train.value` training and
 * `sizes.test.value` test images; ConfigError names the experiment, and the size key when Fashion-MNIST has fewer images.
 */
export async function loadImageData(experiment: string, data: string, ctx: ExperimentContext, dataDir: string,
  sizes: { train?: SizeKey; test?: SizeKey } = {}): Promise<FashionMnist> {
  if (data === 'synthetic') {
    ctx.log?.(`${experiment}: synthetic ten-class images (Fashion-MNIST stand-in, data = synthetic)`);
    return syntheticImages(SYNTHETIC_DATA_SEED, { train: sizes.train?.value || SYNTHETIC_DEFAULT_TRAIN, test: sizes.test?.value || SYNTHETIC_DEFAULT_TEST }, hostYielder());
  }
  if (data !== 'fashion') throw new ConfigError(`${experiment}: data must be one of ${IMAGE_DATA_CHOICES.join(', ')}, got '${data}'`);
  if (!ctx.files) throw new ConfigError(`${experiment}: data = fashion needs file access (run it from the CLI or pass ctx.files); data = synthetic runs anywhere`);
  const fm = await loadFashionMnist(ctx.files, dataDir, { limitTrain: sizes.train?.value || undefined, limitTest: sizes.test?.value || undefined, pause: hostYielder() });
  // loadFashionMnist keeps the whole set when a limit is larger; the run's config would then not say what it used.
  checkSize(experiment, sizes.train, fm.train.count, 'training', dataDir);
  checkSize(experiment, sizes.test, fm.test.count, 'test', dataDir);
  return fm;
}
