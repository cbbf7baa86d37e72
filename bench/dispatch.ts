/**
 * Dispatch benchmark: the cost of one small GPU op — what a training step of a small network pays dozens of
 * times. `--ops` ops as pairs of (add, matmul) on 8×8 matrices, each result freed, then the last product read
 * back, which waits until every op has run (the queue runs in order); microseconds per op for featurelab's
 * WebGPU backend and TensorFlow.js-webgpu on the same adapter, and their ratio. (Until 2026-11-27 each round
 * read back its input instead: TensorFlow.js answered that from its CPU copy without waiting for its queue, so
 * its time left out the ops' execution — and 140 s of queued work was still running at the end.)
 *
 * Run: `npm run bench -- dispatch [--ops=2000] [--out=DIR]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { benchOptions, errorMessage, runMain, wholeOption, writeReport } from './peers/common.js';
import type { Mat } from '../src/backend/types.js';
import { featurelabBackend } from './peers/featurelab.js';
import { tfjsEngine } from './peers/tfjs.js';

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
  const option = benchOptions(['ops', 'out']);
  const pairs = Math.ceil(wholeOption('ops', option('ops', '2000'), 2) / 2);
  const ops = 2 * pairs;
  const t0 = performance.now();
  const data = Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7);
  const results: Record<string, unknown> = { ops };

  try {
    const b = await featurelabBackend('webgpu');
    const x = b.upload(data, 8, 8);
    results.featurelab = await microsPerOp(ops, async () => {
      let last: Mat | null = null;
      for (let i = 0; i < pairs; i++) {
        const z = b.binary('add', x, x);
        const w = b.matmul(z, x);
        b.free(z);
        if (last) b.free(last);
        last = w;
      }
      await b.read(last!);
      b.free(last!);
    });
    results.featurelabDescription = b.description;
    b.free(x);
    // A live Dawn device at process.exit crashed the process (SIGSEGV) after the report was written.
    b.dispose();
  } catch (e) {
    results.featurelabError = errorMessage(e);
  }

  try {
    const engine = await tfjsEngine('webgpu');
    const x = tf.tensor2d(data, [8, 8]);
    results.tfjs = await microsPerOp(ops, async () => {
      let last: tf.Tensor | null = null;
      for (let i = 0; i < pairs; i++) {
        const z = tf.add(x, x);
        const w = tf.matMul(z, x);
        z.dispose();
        last?.dispose();
        last = w;
      }
      await last!.data();
      last!.dispose();
    });
    results.tfjsDescription = engine.description;
    x.dispose();
    // TensorFlow.js keeps its device open to the end; Dawn then crashed at process exit (SIGSEGV, after the
    // report was written, so the bench exited with a failure): finish its work and close it here.
    const tfDevice = (tf.backend() as unknown as { device: GPUDevice }).device;
    await tfDevice.queue.onSubmittedWorkDone();
    tfDevice.destroy();
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
