/**
 * An MLP 784-512-512-10 on Fashion-MNIST with minibatch SGD (momentum, cosine-decayed rate): the
 * engine's end-to-end check on real data. Reports test accuracy after every epoch, and samples/s in the timings
 * (wall-clock values stay out of summary and series, so the same seed gives the same result.json numbers).
 * The data comes from ctx.files (the CLI passes the local file system, the web page the files the user picked); without it, or without the
 * dataset, the run stops with a message that says how to get Fashion-MNIST.
 */
import type { Backend, Mat } from '../backend/types.js';
import { packExact } from '../checkpoint/codec.js';
import { RunCheckpoints } from '../checkpoint/stages.js';
import { FASHION_MNIST_DIR } from '../data/fashionMnist.js';
import { ConfigError } from '../errors.js';
import { Mlp } from '../nn/mlp.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { accuracy, emitLatest, forwardOf, logitsOf } from './common.js';
import { softmaxRows } from './ensemble.js';
import { loadImageData } from './imageData.js';
import type { Experiment, ExperimentResult } from './types.js';

/** Config of the MLP experiment. */
export type MlpConfig = {
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  limitTrain: number;
  keepPredictions: boolean;
  keepActivations: boolean;
  activationsTestSize: number;
  dataDir: string;
};

/** FNV-1a (32 bits, hex) of the bytes of `values`: names the test points a run's activations were taken on. */
function fingerprint(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The details that let an interaction tensor be built from this run (interaction-tensor's fromMerged): the last
 * hidden layer's activations on the first `n` test images (n × hidden, f32 stored exactly as base64 bytes),
 * the width, and a fingerprint of those images so merged runs can be checked to share them.
 */
async function activationDetails(backend: Backend, model: Mlp, images: Float32Array, n: number, hidden: number): Promise<Record<string, unknown>> {
  const points = images.subarray(0, n * 784);
  const x: Mat = backend.upload(points, n, 784);
  try {
    const activations = await forwardOf(backend, model, x, (tape, p, xv) => model.hidden(tape, p, xv));
    return { testActivations: packExact(activations), activationsTestSize: n, hiddenWidth: hidden, activationsTestPoints: fingerprint(points) };
  } finally {
    backend.free(x);
  }
}

/** The model's softmax outputs on `images` (count × 10), evaluated in chunks of `chunk` rows. */
async function softmaxOf(backend: Backend, model: Mlp, images: Float32Array, count: number, chunk = 2500): Promise<Float64Array> {
  const out = new Float64Array(count * 10);
  for (let at = 0; at < count; at += chunk) {
    const n = Math.min(chunk, count - at);
    const x: Mat = backend.upload(images.subarray(at * 784, (at + n) * 784), n, 784);
    try {
      out.set(softmaxRows(await logitsOf(backend, model, x), n, 10), at * 10);
    } finally {
      backend.free(x);
    }
  }
  return out;
}

/** Accuracy of the model on (images, labels), evaluated in chunks of `chunk` rows. */
async function evaluate(backend: Backend, model: Mlp, images: Float32Array, labels: Int32Array, count: number, chunk = 2500): Promise<number> {
  let right = 0;
  for (let at = 0; at < count; at += chunk) {
    const n = Math.min(chunk, count - at);
    const x: Mat = backend.upload(images.subarray(at * 784, (at + n) * 784), n, 784);
    try {
      right += accuracy(await logitsOf(backend, model, x), labels.subarray(at, at + n), n, 10) * n;
    } finally {
      backend.free(x);
    }
  }
  return right / count;
}

/** The Fashion-MNIST MLP experiment. */
export const mlp: Experiment<MlpConfig> = {
  name: 'mlp',
  description: 'MLP 784-512-512-10 on Fashion-MNIST: test accuracy and training samples/s',
  defaults: { hidden: 512, epochs: 10, batchSize: 128, lr: 0.05, momentum: 0.9, weightDecay: 0, limitTrain: 0, keepPredictions: false, keepActivations: false, activationsTestSize: 1000, dataDir: FASHION_MNIST_DIR },
  presets: { paper: {}, quick: { epochs: 3 } },
  keys: {
    hidden: { doc: 'width of the two hidden layers (the hidden × hidden matrix must fit in memory)', integer: true, min: 1, max: 16384 },
    epochs: { doc: 'passes over the training set', integer: true, min: 1 },
    batchSize: { doc: 'examples per SGD step', integer: true, min: 1 },
    lr: { doc: 'initial learning rate (cosine decay to 0)', min: 0, positive: true },
    momentum: { doc: 'SGD momentum', min: 0 },
    weightDecay: { doc: 'L2 weight decay', min: 0 },
    limitTrain: { doc: 'use only the first N training images (0 = all 60000)', integer: true, min: 0 },
    keepPredictions: { doc: "keep the test-set softmax in details (testSoftmax, testLabels), so 'featurelab merge' output can feed gde's fromMerged" },
    keepActivations: { doc: "also keep the last hidden layer's activations on the first activationsTestSize test images (exact base64 f32), so merged runs can feed interaction-tensor's fromMerged; implies keepPredictions" },
    activationsTestSize: { doc: 'keepActivations: how many test images (the first; at most the test set)', integer: true, min: 1 },
    dataDir: { doc: 'folder with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)' },
  },
  async run(config, ctx): Promise<ExperimentResult> {
    if (!ctx.files) throw new ConfigError('mlp: trains on the Fashion-MNIST files, which this call cannot read: pass ctx.files (pickedFileSource over the four files in a browser), or run it from the CLI: featurelab run mlp');
    const { backend } = ctx;
    ctx.log?.(`loading Fashion-MNIST from ${config.dataDir}`);
    const data = await loadImageData('mlp', 'fashion', ctx, config.dataDir, { train: { key: 'limitTrain', value: config.limitTrain } });
    const { train: tr, test: te } = data;
    const stepsPerEpoch = Math.floor(tr.count / config.batchSize);
    if (stepsPerEpoch < 1) throw new ConfigError(`mlp: batchSize ${config.batchSize} is larger than the ${tr.count} training images`);
    const steps = stepsPerEpoch * config.epochs;
    const rng = new Rng(ctx.seed);
    const x = backend.upload(tr.images, tr.count, 784);
    const labels = backend.upload(Float32Array.from(tr.labels), tr.count, 1);
    const model = new Mlp(backend, [784, config.hidden, config.hidden, 10], rng.fork('init'));
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    try {
      // The stage's result is the trained parameters with the series; the final evaluation is made from them.
      const trained = await checkpoints.stage('mlp', async (stage) => {
        // Measurements only: wall-clock values would make same-seed results differ (and restart on resume); they go to timings.
        const series = (stage.restored as Record<string, number[]> | undefined) ?? { epoch: [], loss: [], testAccuracy: [] };
        stage.keep(() => series);
        const tStage = performance.now();
        let evalSeconds = 0; // evaluation time is not training time
        const done = await train(backend, model, { x, labels, count: tr.count }, {
          steps, lr: config.lr, batchSize: config.batchSize, schedule: { kind: 'cosine', steps },
          optimizer: { kind: 'sgd', momentum: config.momentum, weightDecay: config.weightDecay },
        }, rng, {
          probes: [{
            every: stepsPerEpoch,
            run: async ({ step, loss }) => {
              if (step === 0) return;
              const pause = performance.now();
              series.epoch!.push(step / stepsPerEpoch);
              series.loss!.push(loss);
              series.testAccuracy!.push(await evaluate(backend, model, te.images, te.labels, te.count));
              emitLatest(ctx, series, 'epoch');
              ctx.log?.(`epoch ${step / stepsPerEpoch}: loss ${loss.toFixed(4)}, test accuracy ${series.testAccuracy!.at(-1)!.toFixed(4)}`);
              evalSeconds += (performance.now() - pause) / 1000;
            },
          }],
          onStep: (step) => ctx.progress?.({ step, total: steps, phase: `MLP on Fashion-MNIST (${config.epochs} epochs)` }),
          shouldStop: ctx.shouldStop,
          checkpoint: stage.train,
        });
        // Seconds and steps of this process's part: a finished stage restored later keeps its own rate.
        const trainSeconds = (performance.now() - tStage) / 1000 - evalSeconds;
        return { series, steps: done.steps, stepsRun: done.stepsRun, trainSeconds, finalLoss: done.finalLoss, params: await model.params.values() };
      }, ctx.shouldStop);
      model.params.restore(trained.params);
      const { series, steps: doneSteps, stepsRun, trainSeconds, finalLoss } = trained;
      // The last epoch's value describes this model only when training ended on that epoch (not stopped between evaluations).
      const evaluated = series.epoch!.at(-1) === doneSteps / stepsPerEpoch ? series.testAccuracy!.at(-1) : undefined;
      const testAccuracy = evaluated ?? await evaluate(backend, model, te.images, te.labels, te.count);
      const trainAccuracy = await evaluate(backend, model, tr.images, tr.labels, tr.count);
      const details = config.keepPredictions || config.keepActivations ? { testSoftmax: await softmaxOf(backend, model, te.images, te.count), testLabels: Array.from(te.labels) } : undefined;
      const warnings = doneSteps < steps ? [`stopped at step ${doneSteps} of ${steps}`] : [];
      if (details && config.keepActivations) {
        const n = Math.min(config.activationsTestSize, te.count);
        if (n < config.activationsTestSize) warnings.push(`activations kept on ${n} test images (the whole test set), not activationsTestSize = ${config.activationsTestSize}`);
        Object.assign(details, await activationDetails(backend, model, te.images, n, config.hidden));
      }
      return {
        ...(details ? { details } : {}),
        summary: { testAccuracy, trainAccuracy, epochs: doneSteps / stepsPerEpoch, finalLoss },
        series,
        timings: { trainSeconds, samplesPerSecond: (stepsRun * config.batchSize) / trainSeconds },
        warnings,
      };
    } finally {
      model.params.free();
      backend.free(x, labels);
    }
  },
};
