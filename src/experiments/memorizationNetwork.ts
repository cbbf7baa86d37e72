/**
 * The neural-network variant of the memorization experiment (spec spurious-memorization.md, "Official
 * experiment settings": "FC 500-200 ReLU trained with Adam (lr 1e-3), spurious accuracy of the trained net").
 * For one (α, N) of the sweep: an MLP d → h_1 → … → 1 with ReLU hidden layers (src/nn/mlp.ts: He-normal
 * weights, zero biases), trained with Adam (AdamW with weight decay 0: β = 0.9, 0.999, ε = 1e-8) on the
 * training points, then measured as the kernel rows are: test accuracy, spurious accuracy
 * (1/N) Σ_i 1[sign f(z_i^s) = g_i], Cov(f(z_i^s), g_i) ± its standard error (src/metrics/memorization.ts).
 *
 * Choices (ours; the spec names neither the loss nor when to stop):
 * - Loss: the squared error (f(z_i) − g_i)² against the ±1 labels, averaged over the training points (train()'s
 *   'regression' loss, PyTorch's MSELoss). The official code does this on synthetic data and uses cross-entropy
 *   over 10 outputs on images; we keep one output and the squared error on images too, so the network fits
 *   the same targets as the kernel regression beside it.
 * - Full-batch steps at a constant rate (the official code's batches of 1024 are the full batch for N ≤ 1000;
 *   its StepLR decay is not used). He-normal init, not PyTorch's default uniform one.
 * - Stop: every `checkEvery` steps the outputs on the training points are computed (f32 on the backend, then
 *   f64); training stops once every sign is right and the mean squared error is below `lossTol`
 *   ("interpolated"), or after `maxSteps` steps. The reported training accuracy and loss are those of the
 *   final parameters, computed the same way.
 * Deterministic: the initial weights come from rng.fork('init'); full-batch steps draw nothing else. The caller
 * runs this inside a RunCheckpoints stage: the loop's state is saved with it, and whether that state had
 * already met the stopping rule is kept beside it (probe state), so a run resumed right at the stopping step
 * stops there too and gives the same bits as one never interrupted.
 */
import type { Backend, Mat } from '../backend/types.js';
import type { Stage } from '../checkpoint/stages.js';
import { Mlp } from '../nn/mlp.js';
import { train } from '../nn/train.js';
import { memorizationCov, memorizationCovStdError, spuriousAccuracy, testAccuracy } from '../metrics/memorization.js';
import type { Rng } from '../rng.js';
import { forwardOf } from './common.js';
import type { ExperimentContext } from './types.js';

/** How the network is built and trained. */
export interface NetworkSettings {
  /** Hidden widths, input side first (default 500, 200). */
  hidden: number[];
  /** Adam's learning rate. */
  lr: number;
  /** Step cap. */
  maxSteps: number;
  /** Interpolated: every training sign right and the training mean squared error below this. */
  lossTol: number;
  /** Steps between checks of the stopping rule. */
  checkEvery: number;
}

/** The points of one setting (as the kernel rows get them): inputs row-major N×d, labels ±1. */
export interface NetworkData {
  d: number;
  train: { z: Float64Array; g: Float64Array };
  queries: Float64Array;
  test: { z: Float64Array; g: Float64Array };
}

/** What the trained network measured (plain data: it is a checkpoint stage's result). */
export interface NetworkMeasures {
  testAccuracy: number;
  spuriousAccuracy: number;
  cov: number;
  covStdError: number;
  trainAccuracy: number;
  trainLoss: number;
  steps: number;
  interpolated: boolean;
}

/** The network's outputs on `points` (count × d, f64 on the host), as f64. */
async function outputs(backend: Backend, model: Mlp, points: Float64Array, d: number): Promise<Float64Array> {
  const x: Mat = backend.upload(Float32Array.from(points), points.length / d, d);
  try {
    return Float64Array.from(await forwardOf(backend, model, x));
  } finally {
    backend.free(x);
  }
}

/** Training accuracy, mean squared error and the stopping rule on outputs f of the training points. */
function fitOf(f: Float64Array, g: Float64Array, lossTol: number): { accuracy: number; loss: number; interpolated: boolean } {
  let right = 0;
  let loss = 0;
  for (let i = 0; i < g.length; i++) {
    if (Math.sign(f[i]!) === g[i]) right++;
    loss += (f[i]! - g[i]!) ** 2;
  }
  loss /= g.length;
  return { accuracy: right / g.length, loss, interpolated: right === g.length && loss < lossTol };
}

/** Trains the network on `data.train` inside checkpoint stage `stage` and measures it (module header). */
export async function trainNetwork(ctx: ExperimentContext, data: NetworkData, settings: NetworkSettings, rng: Rng, stage: Stage, phase: string): Promise<NetworkMeasures> {
  const { backend } = ctx;
  const { d, train: tr } = data;
  const n = tr.g.length;
  const x = backend.upload(Float32Array.from(tr.z), n, d);
  const targets = backend.upload(Float32Array.from(tr.g), n, 1);
  const model = new Mlp(backend, [d, ...settings.hidden, 1], rng.fork('init'));
  // The training points are on the backend already (x): each check of the stopping rule reads their outputs from there.
  const trainOutputs = async (): Promise<Float64Array> => Float64Array.from(await forwardOf(backend, model, x));
  try {
    let converged = (stage.restored as { converged?: boolean } | undefined)?.converged === true;
    stage.keep(() => ({ converged }));
    // A state saved at the step the rule was met resumes converged, and train() takes no further step.
    const done = await train(backend, model, { x, labels: targets, count: n }, {
      steps: settings.maxSteps, lr: settings.lr, schedule: { kind: 'constant' }, optimizer: { kind: 'adamw', weightDecay: 0 }, batchSize: 'full', loss: 'regression',
    }, rng, {
      probes: [{
        every: settings.checkEvery,
        run: async ({ step }) => {
          if (step === 0) return;
          converged = fitOf(await trainOutputs(), tr.g, settings.lossTol).interpolated;
          ctx.progress?.({ step, total: settings.maxSteps, phase });
        },
      }],
      shouldStop: () => converged || (ctx.shouldStop?.() ?? false),
      checkpoint: stage.train,
    });
    const fit = fitOf(await trainOutputs(), tr.g, settings.lossTol);
    const fSpurious = await outputs(backend, model, data.queries, d);
    const fTest = await outputs(backend, model, data.test.z, d);
    return {
      testAccuracy: testAccuracy(fTest, data.test.g),
      spuriousAccuracy: spuriousAccuracy(fSpurious, tr.g),
      cov: memorizationCov(fSpurious, tr.g),
      covStdError: memorizationCovStdError(fSpurious, tr.g),
      trainAccuracy: fit.accuracy,
      trainLoss: fit.loss,
      steps: done.steps,
      interpolated: fit.interpolated,
    };
  } finally {
    model.params.free();
    backend.free(x, targets);
  }
}
