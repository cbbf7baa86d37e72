/**
 * Dispatch benchmark: the host cost of one small GPU op — what a training step of a small network pays dozens
 * of times. `--ops` pairs of (add, matmul) on 8×8 matrices, each result freed, then one read; microseconds per
 * op for featurelab's WebGPU backend and TensorFlow.js-webgpu on the same adapter, and their ratio.
 *
 * Run: `npm run bench -- dispatch [--ops=2000] [--out=DIR]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { errorMessage, runMain, writeReport } from './peers/common.js';
import { featurelabBackend } from './peers/featurelab.js';
import { tfjsEngine } from './peers/tfjs.js';

const option = (name: string, fallback: string): string => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** Median of three timed rounds (after a warm-up) of `round`, in microseconds per op. */
async function microsPerOp(ops: number, round: () => Promise<void>): Promise<number> {
  await round();
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await round();
    times.push(((performance.now() - t0) * 1000) / ops);
  }
  return times.sort((a, b) => a - b)[1]!;
}

async function main(): Promise<void> {
  const pairs = Number(option('ops', '2000')) / 2;
  const ops = 2 * pairs;
  const t0 = performance.now();
  const data = Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7);
  const results: Record<string, unknown> = { ops };

  try {
    const b = await featurelabBackend('webgpu');
    const x = b.upload(data, 8, 8);
    results.featurelab = await microsPerOp(ops, async () => {
      for (let i = 0; i < pairs; i++) {
        const z = b.binary('add', x, x);
        const w = b.matmul(z, x);
        b.free(z, w);
      }
      await b.read(x);
    });
    results.featurelabDescription = b.description;
    b.free(x);
  } catch (e) {
    results.featurelabError = errorMessage(e);
  }

  try {
    const engine = await tfjsEngine('webgpu');
    const x = tf.tensor2d(data, [8, 8]);
    results.tfjs = await microsPerOp(ops, async () => {
      for (let i = 0; i < pairs; i++) {
        const z = tf.add(x, x);
        const w = tf.matMul(z, x);
        z.dispose();
        w.dispose();
      }
      await x.data();
    });
    results.tfjsDescription = engine.description;
    x.dispose();
  } catch (e) {
    results.tfjsError = errorMessage(e);
  }

  const show = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(2)} µs per op` : 'unavailable');
  console.log(`${ops} small ops (add + matmul on 8×8, each result freed), median of 3 rounds`);
  console.log(`  featurelab webgpu     ${show(results.featurelab)}   ${results.featurelabDescription ?? results.featurelabError}`);
  console.log(`  TensorFlow.js webgpu  ${show(results.tfjs)}   ${results.tfjsDescription ?? results.tfjsError}`);
  if (typeof results.featurelab === 'number' && typeof results.tfjs === 'number') {
    results.ratio = results.tfjs / results.featurelab;
    console.log(`  ratio tfjs / featurelab (time per op; > 1: featurelab is faster): ${(results.ratio as number).toFixed(2)}`);
  }
  writeReport(option('out', 'bench/results'), 'dispatch', new Date().toISOString().replace(/[:]/g, '-'), results, (performance.now() - t0) / 1000);
}

runMain(main);
