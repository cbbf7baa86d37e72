/**
 * Several ensemble members trained at once (EnsembleConfig.modelsAtOnce): G MLPs stacked into one StackedMlp,
 * so each SGD step is the dispatches of one model. Each member keeps its own init seed, minibatch order and
 * training rows (the plans of the sequential path), and its own stop: when member b first fits its training
 * rows at an epoch's end, its epoch count and its outputs on the evaluation set are taken then, exactly as
 * the sequential path stops it there. (It keeps training inside the stack until all stop; its results do not
 * change.) The loss is the sum of the members' own mean losses, so each member's gradient is the one it would
 * have alone: on WASM, bit for bit (every batched op runs each block as the op would run alone), so
 * modelsAtOnce changes the speed, not the members.
 * Checkpoints: with `hooks.checkpoint` the group saves its whole state (the stacked parameters and optimizer state,
 * each member's minibatch generator, order and training accuracy, the results of the members that fit) every
 * `every` steps and when stopped, and resumes from such a state to the bits of a run never interrupted.
 */
import type { Backend, Mat } from '../backend/types.js';
import { Tape } from '../autograd/tape.js';
import { prepack, type CheckpointValue, type Prepacked } from '../checkpoint/codec.js';
import { ArgumentError, CheckpointError, FeaturelabError, NonFiniteError } from '../errors.js';
import { createOptimizer, type OptimizerState } from '../nn/optim.js';
import { learningRate } from '../nn/schedule.js';
import { hostYielder } from '../nn/hostYield.js';
import { StackedMlp } from '../nn/stackedMlp.js';
import type { LoopCheckpoint } from '../nn/train.js';
import type { Rng, RngState } from '../rng.js';
import { argmaxRows } from './common.js';
import type { EnsembleConfig, EnsembleData, EnsembleMember } from './ensemble.js';
import { softmaxRows } from './ensemble.js';

/** What makes one member differ: its init and order generators and its training rows (null: all). */
export interface MemberPlan {
  init: Rng;
  order: Rng;
  rows: Uint32Array | null;
}

/** A stacked group's complete training state after `step` steps (host copies), as its checkpoint holds it. */
export interface StackedTrainState {
  step: number;
  /** The summed loss of the last step (null before the first). */
  lastLoss: number | null;
  params: Record<string, Float32Array>;
  optimizer: OptimizerState;
  /** Each member's minibatch generator and its epoch's order (null: none drawn yet, or a full batch), and the shared cursor. */
  shuffles: RngState[];
  orders: (Uint32Array | null)[];
  cursor: number;
  /** Each member's training accuracy at the last epoch's end. */
  accuracies: number[];
  /** The results of the members that fit before this step (null: still training). */
  finished: (EnsembleMember | null)[];
}

/** Most floats one stacked forward pass over an evaluation chunk may hold per layer (64 MiB). */
const CHUNK_FLOATS = 16 * 1024 * 1024;

/** Whether members stop at 100 % training accuracy: EnsembleConfig.stopAtFit, true unless set to false. */
export function stopsAtFit(cfg: EnsembleConfig): boolean {
  return cfg.stopAtFit ?? true;
}

/** Hooks of trainStacked. */
export interface StackedHooks {
  /** After every step: `step` of `total` (the epoch cap's steps). */
  onStep?: (step: number, total: number) => void;
  /** Checked after every step; true ends training early (members not yet stopped report their last epoch). */
  shouldStop?: () => boolean;
  /** Where the group saves its state, and the state it resumes from. */
  checkpoint?: LoopCheckpoint<StackedTrainState>;
}

/** Trains the members of `plans` together and returns their results in plan order (hooks: StackedHooks). */
export async function trainStacked(backend: Backend, data: EnsembleData, cfg: EnsembleConfig, plans: MemberPlan[],
  hooks: StackedHooks = {}): Promise<EnsembleMember[]> {
  const { inputs, classes } = data;
  const g = plans.length;
  const nTrain = data.trainY.length;
  const nEval = data.evalY.length;
  const counts = plans.map((p) => (p.rows ? p.rows.length : nTrain));
  const count = counts[0]!;
  if (counts.some((c) => c !== count)) throw new ArgumentError(`trainStacked: every member must have the same number of training rows, got ${counts.join(', ')}; train them one at a time (modelsAtOnce 1)`);
  const batch = Math.min(cfg.batchSize, count);
  const stepsPerEpoch = Math.max(1, Math.floor(count / batch));
  const totalSteps = stepsPerEpoch * cfg.maxEpochs;
  const widest = Math.max(inputs, classes, ...cfg.hidden);

  const trainX = backend.upload(data.trainX, nTrain, inputs);
  const trainY = backend.upload(Float32Array.from(data.trainY), nTrain, 1);
  const evalX = backend.upload(data.evalX, nEval, inputs);
  const model = new StackedMlp(backend, [inputs, ...cfg.hidden, classes], plans.map((p) => p.init));
  const optimizer = createOptimizer(model.params, { kind: 'sgd', momentum: cfg.momentum, weightDecay: cfg.weightDecay ?? 0 });
  const shuffles = plans.map((p) => p.order.fork('minibatch'));
  // A full batch is the rows in order, unshuffled, as train() takes it.
  const fullBatch = batch === count;
  const identity = fullBatch ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  const orders: (Uint32Array | null)[] = plans.map(() => identity);
  let cursor = 0;
  const results: (EnsembleMember | null)[] = plans.map(() => null);
  const accuracies = new Float64Array(g);
  let lastLoss: Mat | null = null;

  /**
   * Every member's logits on x (n rows), and with `withHidden` its last hidden layer from the same pass,
   * computed in row chunks: one n × width array per member.
   */
  const outputsOn = async (x: Mat, n: number, withHidden: boolean): Promise<{ logits: Float32Array[]; hidden: Float32Array[] | null }> => {
    const width = cfg.hidden.at(-1) ?? inputs;
    const logits = plans.map(() => new Float32Array(n * classes));
    const hidden = withHidden ? plans.map(() => new Float32Array(n * width)) : null;
    /** Copies block b of a stacked chunk (rows × cols per block) into row r0 of each member's array. */
    const scatter = (into: Float32Array[], out: Float32Array, rows: number, cols: number, r0: number): void => {
      for (let b = 0; b < g; b++) into[b]!.set(out.subarray(b * rows * cols, (b + 1) * rows * cols), r0 * cols);
    };
    const chunk = Math.min(n, Math.max(64, Math.floor(CHUNK_FLOATS / (g * widest) / 64) * 64));
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const rows = Math.min(chunk, n - r0);
      const tape = new Tape(backend);
      const part = rows === n ? x : backend.scope(() => backend.gatherRows(x, backend.upload(Float32Array.from({ length: rows }, (_, i) => r0 + i), rows, 1)));
      try {
        const p = model.params.onTape(tape);
        const h = model.hidden(tape, p, tape.input(part), true);
        scatter(logits, await backend.read(model.logits(tape, p, h, true).value), rows, classes, r0);
        if (hidden) scatter(hidden, await backend.read(h.value), rows, width, r0);
      } finally {
        if (part !== x) backend.free(part);
        tape.dispose();
      }
    }
    return { logits, hidden };
  };

  /** Records the results of members `done` as they are now (outputs on the evaluation set), after `epochs` epochs. */
  const finish = async (done: number[], epochs: number): Promise<void> => {
    if (done.length === 0) return;
    const { logits, hidden } = await outputsOn(evalX, nEval, !!cfg.keepHidden);
    for (const b of done) {
      results[b] = {
        predictions: argmaxRows(logits[b]!, nEval, classes), softmax: softmaxRows(logits[b]!, nEval, classes),
        trainAccuracy: accuracies[b]!, epochs, ...(hidden ? { hidden: hidden[b]! } : {}),
      };
    }
  };

  /** The error for a group whose `what` (the loss, a parameter: `layer`) is not finite at `step`. */
  const diverged = (step: number, what: string, layer: string): NonFiniteError => new NonFiniteError(
    `training diverged: ${what} at step ${step}. Lower lr (now ${cfg.lr}) or train them one at a time (modelsAtOnce 1) to see which one diverged`, step, layer);

  /** Training accuracy of every member on its own rows; members that fit for the first time stop. */
  const epochEnd = async (step: number): Promise<void> => {
    const loss = lastLoss ? (await backend.read(lastLoss))[0]! : 0;
    if (!Number.isFinite(loss)) {
      throw diverged(step, `the loss of the ${g} members trained together is ${loss}`, 'loss');
    }
    const { logits } = await outputsOn(trainX, nTrain, false);
    const fitted: number[] = [];
    for (let b = 0; b < g; b++) {
      if (results[b]) continue;
      const rows = plans[b]!.rows;
      const pred = argmaxRows(logits[b]!, nTrain, classes);
      let right = 0;
      for (let i = 0; i < count; i++) {
        const r = rows ? rows[i]! : i;
        if (pred[r] === data.trainY[r]) right++;
      }
      accuracies[b] = right / count;
      if (right === count && stopsAtFit(cfg)) fitted.push(b);
    }
    await finish(fitted, step / stepsPerEpoch);
  };

  const cp = hooks.checkpoint;
  // The finished members' results as every later save holds them: packed once, when they fit.
  const packedResults: (Prepacked | null)[] = plans.map(() => null);
  /** Hands the state after `step` steps to the checkpoint, after checking it is finite. */
  const save = async (step: number): Promise<void> => {
    const loss = lastLoss ? (await backend.read(lastLoss))[0]! : null;
    const params = await model.params.values();
    const bad = Object.entries(params).find(([, v]) => v.some((x) => !Number.isFinite(x)));
    if (bad) throw diverged(step, `parameter '${bad[0]}' of the ${g} members trained together has non-finite values`, bad[0]);
    if (loss !== null && !Number.isFinite(loss)) throw diverged(step, `the loss of the ${g} members trained together is ${loss}`, 'loss');
    for (const [b, r] of results.entries()) if (r && !packedResults[b]) packedResults[b] = prepack(r as unknown as CheckpointValue);
    const state = {
      step, lastLoss: loss, params, optimizer: await optimizer.read(), shuffles: shuffles.map((r) => r.state()),
      orders: fullBatch ? orders.map(() => null) : orders.map((o) => (o ? o.slice() : null)), cursor, accuracies: Array.from(accuracies),
      finished: packedResults,
    };
    await cp!.save(state as unknown as StackedTrainState);
  };
  /** Takes up the state `r` saved by an earlier run of this group; returns its step. */
  const resume = (r: StackedTrainState): number => {
    const refuse = (what: string): never => {
      throw new CheckpointError(`checkpoint: the saved state of these ${g} members trained together does not fit this run (${what}); it is damaged or from another config; pass --fresh to start over`);
    };
    if (!(Number.isInteger(r.step) && r.step >= 0 && r.step <= totalSteps)) refuse(`step ${r.step} is outside this run's 0…${totalSteps}`);
    for (const key of ['shuffles', 'orders', 'accuracies', 'finished'] as const) {
      if (!Array.isArray(r[key]) || r[key].length !== g) refuse(`${key} should hold ${g} entries`);
    }
    if (!(Number.isInteger(r.cursor) && r.cursor >= 0 && r.cursor <= count)) refuse(`cursor ${r.cursor} is outside 0…${count}`);
    try {
      model.params.restore(r.params);
      optimizer.restore(r.optimizer);
      shuffles.forEach((shuffle, b) => shuffle.restore(r.shuffles[b]!));
    } catch (e) {
      if (e instanceof FeaturelabError) refuse(e.message);
      throw e;
    }
    for (let b = 0; b < g; b++) {
      const order = r.orders[b];
      if (!fullBatch) {
        if (order !== null && !(order instanceof Uint32Array && order.length === count)) refuse(`member ${b}'s order should be ${count} row numbers`);
        orders[b] = order ?? null;
      }
      accuracies[b] = r.accuracies[b]!;
      results[b] = r.finished[b] ?? null;
    }
    cursor = r.cursor;
    if (r.lastLoss !== null) lastLoss = backend.upload(new Float32Array([r.lastLoss]), 1, 1);
    return r.step;
  };

  const yieldToHost = hostYielder();
  try {
    let step = cp?.resume ? resume(cp.resume) : 0;
    for (; step < totalSteps && results.some((r) => !r) && !hooks.shouldStop?.(); ) {
      const lr = learningRate(cfg.schedule === 'cosine' ? { kind: 'cosine', steps: totalSteps } : { kind: 'constant' }, cfg.lr, step);
      // Every member's next minibatch (a new permutation of its rows when the epoch's order is used up).
      if (!fullBatch && (cursor + batch > count || !orders[0])) {
        for (let b = 0; b < g; b++) orders[b] = shuffles[b]!.permutation(count);
        cursor = 0;
      }
      const indices = new Float32Array(g * batch);
      for (let b = 0; b < g; b++) {
        const rows = plans[b]!.rows;
        for (let i = 0; i < batch; i++) {
          const j = orders[b]![cursor + i]!;
          indices[b * batch + i] = rows ? rows[j]! : j;
        }
      }
      // A full batch takes every row at every step, in order: the cursor stays at 0.
      if (!fullBatch) cursor += batch;
      const tape = new Tape(backend);
      const idx = backend.upload(indices, g * batch, 1);
      const x = backend.gatherRows(trainX, idx);
      const labels = backend.gatherRows(trainY, idx);
      try {
        const p = model.params.onTape(tape);
        const loss = tape.softmaxCrossEntropy(model.forward(tape, p, tape.input(x)), labels, g);
        tape.backward(loss);
        optimizer.step(model.params.list.map((q) => tape.grad(p[q.name]!)), lr);
        if (lastLoss) backend.free(lastLoss);
        lastLoss = backend.copy(loss.value);
      } finally {
        backend.free(idx, x, labels);
        tape.dispose();
      }
      step++;
      hooks.onStep?.(step, totalSteps);
      if (step % stepsPerEpoch === 0) await epochEnd(step);
      await yieldToHost();
      const stop = hooks.shouldStop?.() ?? false;
      // The group's natural end needs no save (its results become the stage's); a stop there does: the stage stays open.
      const ends = step === totalSteps || results.every((r) => r);
      if (cp && (stop || (!ends && step % cp.every === 0))) await save(step);
      if (stop) break;
    }
    // Members that never fit: their state at the last completed epoch's end (or now, when stopped mid-epoch).
    const open = results.flatMap((r, b) => (r ? [] : [b]));
    await finish(open, Math.floor(step / stepsPerEpoch));
    // Stopped before the epoch cap: those members are cut short, not finished.
    if (step < totalSteps) for (const b of open) results[b]!.stopped = true;
    return results as EnsembleMember[];
  } finally {
    if (lastLoss) backend.free(lastLoss);
    optimizer.free();
    model.params.free();
    backend.free(trainX, trainY, evalX);
  }
}
