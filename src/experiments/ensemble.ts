/**
 * Ensembles (spec agreement-gde.md, "Sources of randomness"): M MLPs trained one after another, differing in
 * the init seed (DiffInit), the minibatch order (DiffOrder), the training data (DiffData: each model a random
 * half of the training set, with the same init and order seeds; ours: the spec's "disjoint halves" serve a pair,
 * and with M > 2 models two fixed halves would make the models of one half identical), or all three (AllDiff).
 * Each trains until it fits its training set (100 % accuracy, checked every epoch) or a cap on epochs, and keeps
 * its logits and softmax on the evaluation set. With `modelsAtOnce` > 1, groups of that many members train
 * together as one stacked model (ensembleStacked.ts): the same members, a fraction of the dispatches.
 */
import type { Backend } from '../backend/types.js';
import type { RunCheckpoints, Stage } from '../checkpoint/stages.js';
import { ConfigError } from '../errors.js';
import { testErrors } from '../metrics/agreement.js';
import { Tape } from '../autograd/tape.js';
import { hostYielder } from '../nn/hostYield.js';
import { Mlp } from '../nn/mlp.js';
import { train, type TrainState } from '../nn/train.js';
import { Rng } from '../rng.js';
import { accuracy, argmaxRows, logitsOf } from './common.js';
import { type MemberPlan, type StackedTrainState, stopsAtFit, trainStacked } from './ensembleStacked.js';

/** Which randomness differs between the models. */
export type EnsembleVariant = 'DiffInit' | 'DiffOrder' | 'DiffData' | 'AllDiff';
/** The variants, for config checks. */
export const ENSEMBLE_VARIANTS: readonly EnsembleVariant[] = ['DiffInit', 'DiffOrder', 'DiffData', 'AllDiff'];

/** Training data and evaluation set on the host (row-major f32 inputs, integer labels). */
export interface EnsembleData {
  inputs: number;
  classes: number;
  trainX: Float32Array;
  trainY: Int32Array;
  evalX: Float32Array;
  evalY: Int32Array;
}

/** How the models are built and trained. */
export interface EnsembleConfig {
  models: number;
  variant: EnsembleVariant;
  hidden: number[];
  lr: number;
  momentum: number;
  batchSize: number;
  maxEpochs: number;
  /** Keep each model's last-hidden-layer activations on the evaluation set (for the interaction tensor). */
  keepHidden?: boolean;
  /** SGD weight decay (default 0). */
  weightDecay?: number;
  /**
   * Stop each member once it fits its training set (default true); false trains every member for maxEpochs
   * (on into the terminal phase of training, where the last-layer features of a class draw together).
   */
  stopAtFit?: boolean;
  /** Learning-rate schedule over the epoch cap: 'constant' (default) or 'cosine' (decays to 0 at maxEpochs). */
  schedule?: 'constant' | 'cosine';
  /**
   * Members trained together as one stacked model (default 1: one after another). Each group is one checkpoint
   * stage, saved as often as one member (the store's every): an interrupted group resumes inside its training.
   */
  modelsAtOnce?: number;
}

/** One trained model's results on the evaluation set. */
export interface EnsembleMember {
  /** argmax of the logits per evaluation point. */
  predictions: Int32Array;
  /** Softmax of the logits (points × classes). */
  softmax: Float64Array;
  trainAccuracy: number;
  epochs: number;
  /** Last hidden layer's activations on the evaluation set (points × width), when keepHidden. */
  hidden?: Float32Array;
  /** Its training was cut short by a stop request (neither fitted nor at the epoch cap): not a model to count. */
  stopped?: boolean;
}

/** Row-wise softmax (max-shifted) of logits (n × k). */
export function softmaxRows(logits: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (out[i * k + c] = Math.exp(logits[i * k + c]! - max));
    for (let c = 0; c < k; c++) out[i * k + c]! /= sum;
  }
  return out;
}

/** Where an ensemble checkpoints: each model is the stage `${label} model m` of `checkpoints`. */
export interface EnsembleCheckpoints {
  checkpoints: RunCheckpoints;
  label: string;
}

/**
 * Stage `${label} ${name}` of the ensemble's checkpoint (or `train` alone without one), and whether its result came
 * from the checkpoint (finished in an earlier run) rather than from `train`.
 */
async function memberStage<T, S extends { step: number } = TrainState>(hooks: EnsembleHooks, name: string, train: (stage?: Stage<S>) => Promise<T>): Promise<{ result: T; restored: boolean }> {
  let trained = false;
  const run = (stage?: Stage<S>) => {
    trained = true;
    return train(stage);
  };
  const cp = hooks.checkpoint;
  const result = cp ? await cp.checkpoints.stage<T, S>(`${cp.label} ${name}`, run, () => !!hooks.shouldStop?.()) : await run();
  return { result, restored: !trained };
}

/** Where an ensemble's training stands: step `step` of `total` of members first … first + count − 1. */
export interface EnsembleStep {
  first: number;
  count: number;
  step: number;
  total: number;
}

/**
 * An ensemble step as overall progress over `models` members (each member's steps counted once). Members that
 * stop when they fit (`stopAtFit`, the default) usually stop well before the epoch cap that `total` counts:
 * then the total and the ETA are upper bounds.
 */
export function ensembleProgress(at: EnsembleStep, models: number, stopAtFit = true): { step: number; total: number; phase: string; atMost: boolean } {
  const phase = at.count > 1 ? `models ${at.first + 1}–${at.first + at.count} of ${models} together` : `model ${at.first + 1} of ${models}`;
  return { step: at.first * at.total + at.count * at.step, total: models * at.total, phase, atMost: stopAtFit };
}

/**
 * How many members at a time trained the ensembles `labels` of a checkpoint (the size of its largest group), from
 * the stages it holds ('trained model 3': one at a time; 'trained models 0–4': five), or null when it holds none.
 */
export function savedGrouping(checkpoints: RunCheckpoints, labels: string[]): number | null {
  let most: number | null = null;
  for (const saved of checkpoints.savedLabels()) {
    for (const label of labels) {
      if (!saved.startsWith(`${label} `)) continue;
      const name = saved.slice(label.length + 1);
      const group = /^models (\d+)–(\d+)$/.exec(name);
      const size = group ? Number(group[2]) - Number(group[1]) + 1 : /^model \d+$/.test(name) ? 1 : null;
      if (size !== null) most = Math.max(most ?? 0, size);
    }
  }
  return most;
}

/**
 * The modelsAtOnce an experiment key asks for (said in `log` when > 1): 0 (auto) trains every member at once
 * on WebGPU, where a small MLP's step costs its dispatches (SwiftShader: ×1.34–1.75 with 20× fewer), and one at a
 * time on WASM and ref, where stacking saves nothing (×0.87–1.09, bench/measured/cpu-2026-11-26c/). With `saved`,
 * the grouping of a checkpoint's members (savedGrouping), auto keeps it, so that a run resumed on another backend
 * (after a WebGPU device loss, or on a machine without WebGPU) reuses its finished members and the group in progress.
 */
export function modelsAtOnceFor(setting: number, backend: Backend, models: number, log?: (message: string) => void, saved: number | null = null): number {
  const auto = backend.name === 'webgpu' ? models : 1;
  const together = Math.min(models, setting > 0 ? setting : saved ?? auto);
  const trained = `checkpoint: its members were trained ${saved === 1 ? 'one at a time' : `${saved} at a time`}`;
  if (saved !== null && setting === 0 && together !== Math.min(models, auto)) {
    log?.(`${trained}; training the rest the same way on ${backend.name} (modelsAtOnce 0: auto), so that they are reused`);
  } else if (saved !== null && together !== Math.min(models, saved)) {
    log?.(`${trained}; modelsAtOnce ${setting} trains them again (set modelsAtOnce to ${saved} or 0 to reuse them)`);
  }
  if (together > 1) log?.(`training ${together} models at a time as one stacked model on ${backend.name} (modelsAtOnce ${setting}${setting === 0 ? ': auto' : ''})`);
  return together;
}

/**
 * An onModel hook that sends each member's test error and epochs to the live plots (`series`: ExperimentContext's)
 * at x = its number 1…M, as it finishes. A member restored from the checkpoint is not sent: a page that resumes
 * the run has it on its restored plots already.
 */
export function plotMembers(series: ((name: string, x: number, y: number) => void) | undefined, evalY: Int32Array, classes: number): NonNullable<EnsembleHooks['onModel']> {
  return (m, member, restored) => {
    if (!series || restored) return;
    series('testError', m + 1, testErrors(member.predictions, evalY, 1, evalY.length, classes)[0]!);
    series('epochs', m + 1, member.epochs);
  };
}

/** Progress, stop and checkpoint hooks of trainEnsemble. */
export interface EnsembleHooks {
  /** After each member (in member order); `restored`: it finished in an earlier run and came from the checkpoint. */
  onModel?: (m: number, member: EnsembleMember, restored: boolean) => void;
  /** After each training step of the `count` members from `first` on (count > 1 with modelsAtOnce). */
  onStep?: (at: EnsembleStep) => void;
  shouldStop?: () => boolean;
  checkpoint?: EnsembleCheckpoints;
}

/**
 * Trains the ensemble; `onModel` is called after each model (progress, logs); stops early when asked. With
 * `checkpoint`, models finished in an earlier run come from the checkpoint and the current one resumes.
 */
export async function trainEnsemble(backend: Backend, data: EnsembleData, cfg: EnsembleConfig, seed: number, hooks: EnsembleHooks = {}): Promise<EnsembleMember[]> {
  if (!ENSEMBLE_VARIANTS.includes(cfg.variant)) throw new ConfigError(`ensemble: variant must be one of ${ENSEMBLE_VARIANTS.join(', ')}, got '${cfg.variant}'`);
  const together = cfg.modelsAtOnce ?? 1;
  if (!Number.isInteger(together) || together < 1) throw new ConfigError(`ensemble: modelsAtOnce must be a positive integer, got ${together}`);
  const { inputs, classes } = data;
  const nTrain = data.trainY.length;
  const nEval = data.evalY.length;
  const root = new Rng(seed);
  /** Member m's init and order generators and training rows. */
  const planOf = (m: number): MemberPlan => {
    const initSeed = cfg.variant === 'DiffInit' || cfg.variant === 'AllDiff' ? m : 0;
    const orderSeed = cfg.variant === 'DiffOrder' || cfg.variant === 'AllDiff' ? m : 0;
    // DiffData / AllDiff: a random half of the training set per model; the others use all of it.
    const rows = cfg.variant === 'DiffData' || cfg.variant === 'AllDiff' ? root.fork(`data/${m}`).permutation(nTrain).subarray(0, Math.floor(nTrain / 2)) : null;
    return { init: root.fork(`init/${initSeed}`), order: root.fork(`order/${orderSeed}`), rows };
  };
  if (together > 1) return trainGroups(backend, data, cfg, planOf, together, hooks);
  const fitStops = stopsAtFit(cfg);
  const yieldToHost = hostYielder();
  const evalX = backend.upload(data.evalX, nEval, inputs);
  const members: EnsembleMember[] = [];
  try {
    for (let m = 0; m < cfg.models && !hooks.shouldStop?.(); m++) {
      const { init, order, rows } = planOf(m);
      const count = rows ? rows.length : nTrain;
      const trainModel = async (stage?: Stage): Promise<EnsembleMember> => {
        // The member's training rows (copied only for a member that trains here, not for one from the checkpoint).
        const x = rows ? new Float32Array(count * inputs) : data.trainX;
        const y = rows ? new Int32Array(count) : data.trainY;
        for (const [i, r] of (rows ?? []).entries()) {
          x.set(data.trainX.subarray(r * inputs, (r + 1) * inputs), i * inputs);
          y[i] = data.trainY[r]!;
          // Half of Fashion-MNIST is 94 MB to copy: the page paints and hears Stop meanwhile.
          if (i % 4096 === 4095) await yieldToHost();
        }
        const xm = backend.upload(x, count, inputs);
        const ym = backend.upload(Float32Array.from(y), count, 1);
        const model = new Mlp(backend, [inputs, ...cfg.hidden, classes], init);
        const batch = Math.min(cfg.batchSize, count);
        const stepsPerEpoch = Math.max(1, Math.floor(count / batch));
        const state = (stage?.restored as { trainAccuracy: number; epochs: number } | undefined) ?? { trainAccuracy: 0, epochs: 0 };
        stage?.keep(() => state);
        try {
          const done = await train(backend, model, { x: xm, labels: ym, count }, {
            steps: stepsPerEpoch * cfg.maxEpochs, lr: cfg.lr, batchSize: batch,
            schedule: cfg.schedule === 'cosine' ? { kind: 'cosine', steps: stepsPerEpoch * cfg.maxEpochs } : { kind: 'constant' },
            optimizer: { kind: 'sgd', momentum: cfg.momentum, weightDecay: cfg.weightDecay ?? 0 },
          }, order, {
            probes: [{
              every: stepsPerEpoch,
              run: async ({ step }) => {
                if (step === 0) return;
                state.epochs = step / stepsPerEpoch;
                state.trainAccuracy = accuracy(await logitsOf(backend, model, xm), y, count, classes);
              },
            }],
            onStep: (step) => hooks.onStep?.({ first: m, count: 1, step, total: stepsPerEpoch * cfg.maxEpochs }),
            // Stop at 100 % training accuracy (checked each epoch; unless stopAtFit is false), or when the caller asks.
            shouldStop: () => (fitStops && state.trainAccuracy === 1) || !!hooks.shouldStop?.(),
            checkpoint: stage?.train,
          });
          // Logits and, when kept, the last hidden layer from one forward pass.
          const tape = new Tape(backend);
          try {
            const p = model.params.onTape(tape);
            const h = model.hidden(tape, p, tape.input(evalX));
            const logits = await backend.read(model.logits(tape, p, h).value);
            const member: EnsembleMember = { predictions: argmaxRows(logits, nEval, classes), softmax: softmaxRows(logits, nEval, classes), trainAccuracy: state.trainAccuracy, epochs: state.epochs };
            if (cfg.keepHidden) member.hidden = await backend.read(h.value);
            if (done.steps < stepsPerEpoch * cfg.maxEpochs && !(fitStops && state.trainAccuracy === 1)) member.stopped = true;
            return member;
          } finally {
            tape.dispose();
          }
        } finally {
          model.params.free();
          backend.free(xm, ym);
        }
      };
      const { result: member, restored } = await memberStage(hooks, `model ${m}`, trainModel);
      // A member cut short is left out; with a checkpoint, the next run resumes it.
      if (member.stopped) break;
      members.push(member);
      hooks.onModel?.(m, member, restored);
    }
  } finally {
    backend.free(evalX);
  }
  return members;
}

/** Groups of `together` members trained as stacked models, one checkpoint stage per group (resumed inside it). */
async function trainGroups(backend: Backend, data: EnsembleData, cfg: EnsembleConfig, planOf: (m: number) => MemberPlan, together: number,
  hooks: EnsembleHooks): Promise<EnsembleMember[]> {
  const members: EnsembleMember[] = [];
  for (let m0 = 0; m0 < cfg.models && !hooks.shouldStop?.(); m0 += together) {
    const group = Array.from({ length: Math.min(together, cfg.models - m0) }, (_, i) => m0 + i);
    const { result: done, restored } = await memberStage<EnsembleMember[], StackedTrainState>(hooks, `models ${m0}–${group.at(-1)}`, (stage) => trainStacked(backend, data, cfg, group.map(planOf), {
      onStep: (step, total) => hooks.onStep?.({ first: m0, count: group.length, step, total }),
      shouldStop: hooks.shouldStop,
      checkpoint: stage?.train,
    }));
    for (const [i, member] of done.entries()) {
      if (member.stopped) continue;
      members.push(member);
      hooks.onModel?.(m0 + i, member, restored);
    }
  }
  return members;
}
