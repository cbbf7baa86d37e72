/**
 * The feature-map diagonalization (spec feature-map.md) on modular addition: the pair network
 * act(u_i[a] + v_i[b])·w_i (src/nn/pairNet.ts) trained full-batch with AdamW and cross-entropy on a fraction
 * of the p² pairs, its m neuron activations on the training pairs diagonalized every `probeEvery` steps —
 * C = p classes — with Π̂(C), the gap ρ_{C+1}/ρ_C, the regime, NC1, D_LR and the test accuracy on the held-out
 * pairs (the spec's grokking example: D_LR falls as test accuracy rises). The baseline trains only W on the
 * frozen random embedding of the same initialisation.
 */
import type { Stage } from '../checkpoint/stages.js';
import { modularAddition } from '../data/modularAddition.js';
import { FEATURE_MAP_SERIES, describeFeatureMap, featureMapProbeState, featureMapRunSummary, probeFeatureMap, recordFeatureMap, recordFeatureMapDetails } from './featureMapProbe.js';
import { PairNet, type PairActivation } from '../nn/pairNet.js';
import { train } from '../nn/train.js';
import { Rng } from '../rng.js';
import { accuracy, emitLatest, forwardOf, logitsOf, transposed } from './common.js';
import type { ExperimentContext } from './types.js';

/** Settings of a pair-network feature-map run. */
export interface PairFeatureMapConfig {
  p: number;
  trainFraction: number;
  width: number;
  act: PairActivation;
  steps: number;
  lr: number;
  weightDecay: number;
  probeEvery: number;
}

/** Trains the pair network (all parameters, or only W when `lastOnly`) and measures its feature map; `stage` checkpoints it. */
export async function runPairFeatureMap(cfg: PairFeatureMapConfig, ctx: ExperimentContext, lastOnly: boolean, stage?: Stage) {
  const { backend } = ctx;
  const rng = new Rng(ctx.seed);
  const table = modularAddition(cfg.p, { trainFraction: cfg.trainFraction, rng: rng.fork('split') });
  const model = new PairNet(backend, { tokens: cfg.p, classes: cfg.p, width: cfg.width, act: cfg.act, initStd: 1 / Math.sqrt(cfg.width) }, rng.fork('init'));
  const pick = (idx: Uint32Array) => ({
    a: Int32Array.from(idx, (i) => table.a[i]!), b: Int32Array.from(idx, (i) => table.b[i]!), y: Int32Array.from(idx, (i) => table.y[i]!),
  });
  const tr = pick(table.train);
  const te = table.test.length > 0 ? pick(table.test) : null;
  const x = model.uploadPairs(tr.a, tr.b);
  const labels = backend.upload(Float32Array.from(tr.y), tr.y.length, 1);
  const testX = te ? model.uploadPairs(te.a, te.b) : null;
  const n = tr.y.length;
  const state = featureMapProbeState(stage, { step: [], ...Object.fromEntries(FEATURE_MAP_SERIES.map((k) => [k, []])), trainAccuracy: [], testAccuracy: [] }, cfg.p);
  const { series, details } = state;
  try {
    await train(backend, model, { x, labels, count: n }, {
      steps: cfg.steps, lr: cfg.lr, batchSize: 'full', schedule: { kind: 'constant' },
      optimizer: { kind: 'adamw', weightDecay: cfg.weightDecay },
      trainable: lastOnly ? ['W'] : undefined,
    }, rng.fork('train'), {
      probes: [{
        every: cfg.probeEvery,
        run: async ({ step }) => {
          const features = await forwardOf(backend, model, x, (tape, p, xv) => model.hidden(tape, p, xv));
          const weights = transposed(await backend.read(model.params.get('W')), cfg.width, cfg.p); // C×m
          const logits = await logitsOf(backend, model, x);
          const latest = await probeFeatureMap(backend, {
            features, n, p: cfg.width, labels: tr.y, classes: cfg.p, weights, logits, previous: state.latest?.diagonalization,
            where: `step ${step}${lastOnly ? ' (W alone)' : ''}`, remedy: `lower lr (now ${cfg.lr}) or raise width (now ${cfg.width})`,
          });
          const testAccuracy = te && testX ? accuracy(await logitsOf(backend, model, testX), te.y, te.y.length, cfg.p) : NaN;
          series.step!.push(step);
          recordFeatureMap(series, latest);
          recordFeatureMapDetails(details, latest);
          series.trainAccuracy!.push(accuracy(logits, tr.y, n, cfg.p));
          series.testAccuracy!.push(testAccuracy);
          state.latest = latest;
          state.testAccuracy = testAccuracy;
          emitLatest(ctx, series, 'step');
          ctx.log?.(`${lastOnly ? 'W only' : 'all'} step ${step}: ${describeFeatureMap(latest)}, train ${series.trainAccuracy!.at(-1)!.toFixed(3)}, test ${testAccuracy.toFixed(3)}`);
        },
      }],
      onStep: (step) => ctx.progress?.({ step, total: cfg.steps, phase: lastOnly ? 'W only, frozen embedding' : 'pair network, all parameters' }),
      shouldStop: ctx.shouldStop,
      checkpoint: stage?.train,
    });
    return { summary: featureMapRunSummary(state.latest, state.testAccuracy), series, details };
  } finally {
    model.free();
    backend.free(x, labels);
    if (testX) backend.free(testX);
  }
}
