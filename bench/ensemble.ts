/**
 * Ensemble benchmark: models trained per minute for an M = 20 ensemble of MLPs 784-128-128-10 (DiffInit, SGD
 * momentum, batch 100, at most 10 epochs each, stopping at 100 % training accuracy) on 1000 Fashion-MNIST
 * training images (seeded random images when the dataset is missing: say so), on each backend.
 *
 * Run: `npm run bench -- ensemble [--models=20] [--engines=wasm1,wasmN,webgpu] [--out=DIR]`.
 */
import type { Backend } from '../src/backend/types.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/fashionMnist.js';
import { trainEnsemble } from '../src/experiments/ensemble.js';
import { nodeFileSource } from '../src/cli/nodeFiles.js';
import { Rng } from '../src/rng.js';
import { errorMessage, runMain, writeReport } from './peers/common.js';
import { featurelabBackend } from './peers/featurelab.js';

const option = (name: string, fallback: string): string => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

async function main(): Promise<void> {
  const models = Number(option('models', '20'));
  const engines = option('engines', 'wasm1,wasmN,webgpu').split(',');
  let source = `Fashion-MNIST (${FASHION_MNIST_DIR}), 1000 training / 1000 test images`;
  let data: { trainX: Float32Array; trainY: Int32Array; evalX: Float32Array; evalY: Int32Array };
  try {
    const fm = await loadFashionMnist(nodeFileSource(), FASHION_MNIST_DIR, { limitTrain: 1000, limitTest: 1000 });
    data = { trainX: fm.train.images, trainY: fm.train.labels, evalX: fm.test.images, evalY: fm.test.labels };
  } catch (e) {
    source = `seeded random images (Fashion-MNIST unavailable: ${errorMessage(e)})`;
    const r = new Rng(3);
    data = {
      trainX: r.fillUniform(new Float32Array(1000 * 784)), trainY: Int32Array.from({ length: 1000 }, (_, i) => i % 10),
      evalX: r.fillUniform(new Float32Array(1000 * 784)), evalY: Int32Array.from({ length: 1000 }, (_, i) => i % 10),
    };
  }
  console.log(`ensemble of ${models} MLPs 784-128-128-10 on ${source}`);
  const results: Record<string, unknown>[] = [];
  for (const id of engines) {
    let b: Backend | null = null;
    try {
      b = await featurelabBackend(id);
      const t = performance.now();
      const members = await trainEnsemble(b, { inputs: 784, classes: 10, ...data }, {
        models, variant: 'DiffInit', hidden: [128, 128], lr: 0.05, momentum: 0.9, batchSize: 100, maxEpochs: 10,
      }, 1);
      const minutes = (performance.now() - t) / 60000;
      const epochs = members.reduce((s, x) => s + x.epochs, 0) / members.length;
      console.log(`  ${id.padEnd(7)} ${(members.length / minutes).toFixed(1)} models/min (mean ${epochs.toFixed(1)} epochs each)  (${b.description})`);
      results.push({ engine: id, description: b.description, modelsPerMinute: members.length / minutes, meanEpochs: epochs });
    } catch (e) {
      console.log(`  ${id.padEnd(7)} n/a: ${errorMessage(e)}`);
      results.push({ engine: id, error: errorMessage(e) });
    } finally {
      b?.dispose();
    }
  }
  writeReport(option('out', 'bench/results'), 'ensemble', new Date().toISOString().replace(/[:]/g, '-'), { models, source, results }, 0);
}

runMain(main);
