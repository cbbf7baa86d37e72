/**
 * Ensemble benchmark: models trained per minute for an M = 20 ensemble of MLPs 784-128-128-10 (DiffInit, SGD
 * momentum, batch 100, at most 10 epochs each, stopping at 100 % training accuracy) on 1000 Fashion-MNIST
 * training images (seeded random images when the dataset is missing: say so), on each backend, trained one
 * after another and `--together` at a time as stacked models (modelsAtOnce), with the ratio to one at a time in
 * the same run. Each count is timed after an untimed one-epoch run of one group, so that WebGPU's shader
 * compiles (about 1.2 s of a 2 s run on an H200) are not counted. On WebGPU it also counts the dispatches.
 *
 * Run: `npm run bench -- ensemble [--models=20] [--together=1,20] [--engines=wasm1,wasmN,webgpu] [--out=DIR]`.
 */
import type { Backend } from '../src/backend/types.js';
import { WebGpuBackend } from '../src/backend/webgpu/webgpuBackend.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/fashionMnist.js';
import { trainEnsemble } from '../src/experiments/ensemble.js';
import { nodeFileSource } from '../src/cli/nodeFiles.js';
import { Rng } from '../src/rng.js';
import { BenchUsageError, benchOptions, errorMessage, runMain, wholeOption, writeReport } from './peers/common.js';
import { featurelabBackend } from './peers/featurelab.js';


async function main(): Promise<void> {
  const option = benchOptions(['models', 'engines', 'together', 'out']);
  const models = wholeOption('models', option('models', '20'), 1);
  const engines = option('engines', 'wasm1,wasmN,webgpu').split(',');
  const together = option('together', `1,${models}`).split(',').map(Number);
  if (together.some((t) => !Number.isInteger(t) || t < 1)) throw new BenchUsageError(`--together takes positive integers, got ${option('together', '')}`);
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
      let sequential: number | null = null;
      for (const atOnce of together) {
        const config = { variant: 'DiffInit' as const, hidden: [128, 128], lr: 0.05, momentum: 0.9, batchSize: 100, modelsAtOnce: atOnce };
        await trainEnsemble(b, { inputs: 784, classes: 10, ...data }, { ...config, models: atOnce, maxEpochs: 1 }, 1);
        const dispatches = () => (b instanceof WebGpuBackend ? b.stats().dispatches : null);
        const d0 = dispatches();
        const t = performance.now();
        const members = await trainEnsemble(b, { inputs: 784, classes: 10, ...data }, { ...config, models, maxEpochs: 10 }, 1);
        const minutes = (performance.now() - t) / 60000;
        const perMinute = members.length / minutes;
        if (atOnce === 1) sequential = perMinute;
        const epochs = members.reduce((s, x) => s + x.epochs, 0) / members.length;
        const d = d0 === null ? null : dispatches()! - d0;
        const ratio = sequential !== null && atOnce !== 1 ? `  ×${(perMinute / sequential).toFixed(2)} vs one at a time` : '';
        console.log(`  ${id.padEnd(7)} ${String(atOnce).padStart(3)} at once  ${perMinute.toFixed(1)} models/min (mean ${epochs.toFixed(1)} epochs each${d === null ? '' : `, ${d} dispatches`})${ratio}  (${b.description})`);
        results.push({ engine: id, description: b.description, modelsAtOnce: atOnce, modelsPerMinute: perMinute, meanEpochs: epochs, dispatches: d, ratioToOneAtATime: sequential && atOnce !== 1 ? perMinute / sequential : null });
      }
    } catch (e) {
      console.log(`  ${id.padEnd(7)} n/a: ${errorMessage(e)}`);
      results.push({ engine: id, error: errorMessage(e) });
    } finally {
      b?.dispose();
    }
  }
  writeReport(option('out', 'bench/results'), 'ensemble', new Date().toISOString().replace(/[:]/g, '-'), { models, together, source, results }, 0);
}

runMain(main);
