/**
 * The image data of the MLP experiments: Fashion-MNIST from IDX files, or the synthetic ten-class stand-in
 * (src/data/syntheticImages.ts) that runs anywhere — in a browser without files, or on a machine without
 * the dataset. The synthetic set is one fixed data set (its own seed), like a real one: a run's seed
 * changes the models, not the data.
 */
import { ConfigError } from '../errors.js';
import { type FashionMnist, loadFashionMnist } from '../data/fashionMnist.js';
import { syntheticImages } from '../data/syntheticImages.js';
import type { ExperimentContext } from './types.js';

/** The values of the `data` key of the image experiments. */
export const IMAGE_DATA_CHOICES = ['fashion', 'synthetic'] as const;

/** The seed of the synthetic image set (fixed: see the header). */
const SYNTHETIC_DATA_SEED = 20241;

/** Sizes when a limit is 0 or absent (the synthetic set has no natural size). */
const SYNTHETIC_DEFAULT_TRAIN = 10000;
const SYNTHETIC_DEFAULT_TEST = 2000;

/** Loads `data` ('fashion' from dataDir, or 'synthetic') with the given limits; ConfigError names the experiment. */
export async function loadImageData(experiment: string, data: string, ctx: ExperimentContext, dataDir: string,
  limits: { limitTrain?: number; limitTest?: number } = {}): Promise<FashionMnist> {
  if (data === 'synthetic') {
    ctx.log?.(`${experiment}: synthetic ten-class images (Fashion-MNIST stand-in, data = synthetic)`);
    return syntheticImages(SYNTHETIC_DATA_SEED, { train: limits.limitTrain || SYNTHETIC_DEFAULT_TRAIN, test: limits.limitTest || SYNTHETIC_DEFAULT_TEST });
  }
  if (data !== 'fashion') throw new ConfigError(`${experiment}: data must be one of ${IMAGE_DATA_CHOICES.join(', ')}, got '${data}'`);
  if (!ctx.files) throw new ConfigError(`${experiment}: data = fashion needs file access (run it from the CLI or pass ctx.files); data = synthetic runs anywhere`);
  return loadFashionMnist(ctx.files, dataDir, limits);
}
