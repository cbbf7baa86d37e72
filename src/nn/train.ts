/**
 * The training loop: full-batch or seeded-minibatch steps of cross-entropy (plus the margin spec's
 * λ‖θ‖_{2,ν}^ν when asked) with any optimizer and learning-rate schedule, and probe hooks that sample
 * metrics every k steps. The loss is read back only when a probe runs, so the GPU is never waited on in
 * between (`read()` is the only sync point).
 *
 * Checkpoints: with `hooks.checkpoint` the loop hands its complete state (parameters, optimizer state, step,
 * the shuffle generator's position, the epoch's order and cursor, the last loss) to `save` every `every`
 * steps, at the last step and when stopped early, after that step's probes ran; started with `resume`, it
 * continues from such a state and produces the same bits as a run that was never interrupted.
 * Non-finite values: a NaN or ±Infinity loss at a probe, or in the parameters at a checkpoint, stops
 * training with NonFiniteError naming the step and the parameter, before anything non-finite is saved.
 */
import { ArgumentError, CheckpointError, ConfigError, FeaturelabError, NonFiniteError, ShapeError } from '../errors.js';
import type { Backend, Mat } from '../backend/types.js';
import { checkOptions, describeValue, isBackend } from '../validate.js';
import { Tape, type Var } from '../autograd/tape.js';
import { Rng, type RngState } from '../rng.js';
import type { Model } from './model.js';
import { createOptimizer, type OptimizerConfig, type OptimizerState } from './optim.js';
import { hostYielder } from './hostYield.js';
import { learningRate, type ScheduleConfig } from './schedule.js';
import { ParamSet } from './params.js';

/** How to train. */
export interface TrainConfig {
  steps: number;
  /** Base learning rate (the schedule scales it). */
  lr: number;
  schedule: ScheduleConfig;
  optimizer: OptimizerConfig;
  /** Examples per step, or 'full' for full-batch gradient descent. */
  batchSize: number | 'full';
  /** λ and ν of the regulariser λ·Σ_i ‖θ_i‖^ν (the model must provide normPower). */
  regularizer?: { lambda: number; nu: number };
  /** Names of the parameters to update (default all); the others stay frozen. */
  trainable?: string[];
  /**
   * 'crossEntropy' (default): softmax cross-entropy of the logits against the labels. 'mse': the squared error
   * of the logits against one-hot targets, summed over the classes and averaged over the examples.
   * 'regression': the squared error of the outputs against real-valued targets in `labels` (count × outputs),
   * averaged over all entries (PyTorch's MSELoss), e.g. one output fitted to ±1 labels.
   */
  loss?: 'crossEntropy' | 'mse' | 'regression';
}

/** The training data on the backend: inputs (count × features) and labels (count × 1). */
export interface TrainData {
  x: Mat;
  labels: Mat;
  count: number;
}

/** What a probe sees. */
export interface ProbeContext {
  /** Steps done so far (0 before the first). */
  step: number;
  /** Training loss (cross-entropy + regulariser) of the last step; before the first, of the whole data set. */
  loss: number;
  /** Learning rate of the last step. */
  lr: number;
}

/** A measurement taken every `every` steps (and after the last). */
export interface Probe {
  every: number;
  run(ctx: ProbeContext): void | Promise<void>;
}

/** The loop's complete state after `step` steps (host copies; JSON-safe apart from the typed arrays). */
export type TrainState = {
  step: number;
  /** The objective of the last step (null before the first). */
  lastLoss: number | null;
  params: Record<string, Float32Array>;
  optimizer: OptimizerState;
  /** The minibatch generator's position, the current epoch's order (null: none drawn yet) and the next index in it. */
  shuffle: RngState;
  order: Uint32Array | null;
  cursor: number;
};

/** Where a training loop saves its state S (one that knows its step) and what it resumes from. */
export interface LoopCheckpoint<S extends { step: number }> {
  /** Steps between saves. */
  every: number;
  /** A state saved by an earlier run of the same training, to continue from. */
  resume?: S;
  save(state: S): Promise<void>;
}

/** Where train() saves its state and what it resumes from. */
export type TrainCheckpoint = LoopCheckpoint<TrainState>;

/** Hooks of the loop. */
export interface TrainHooks {
  probes?: Probe[];
  /** Called after every step (cheap: no read-back). */
  onStep?(step: number): void;
  /** Checked after every step, and once on resuming (true there: the saved step was a stop); true stops the loop early (e.g. a time budget). */
  shouldStop?(): boolean;
  checkpoint?: TrainCheckpoint;
}

/** What the loop did. */
export interface TrainSummary {
  /** The step the loop ended at (counting the steps before a resume). */
  steps: number;
  /** Steps taken by this call: `steps` less the step it resumed from. Rates are stepsRun / seconds. */
  stepsRun: number;
  /** Seconds this call took. */
  seconds: number;
  finalLoss: number;
}

/** Checks a training configuration and throws ConfigError naming the bad value. */
export function validateTrainConfig(cfg: TrainConfig, count: number): void {
  if (cfg === null || typeof cfg !== 'object') throw new ConfigError(`train: the configuration must be an object ({ steps, lr, batchSize, optimizer, … }), got ${describeValue(cfg)}`);
  checkOptions('train config', cfg, { steps: true, lr: true, schedule: true, optimizer: true, batchSize: true, regularizer: true, trainable: true, loss: true });
  if (!Number.isInteger(cfg.steps) || cfg.steps < 0) throw new ConfigError(`steps must be a non-negative integer, got ${cfg.steps}`);
  if (!(cfg.lr > 0) || !Number.isFinite(cfg.lr)) throw new ConfigError(`lr must be a positive number, got ${cfg.lr}`);
  if (cfg.batchSize !== 'full' && (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1 || cfg.batchSize > count)) {
    throw new ConfigError(`batchSize must be 'full' or an integer in [1, ${count}], got ${cfg.batchSize}`);
  }
  if (cfg.loss !== undefined && cfg.loss !== 'crossEntropy' && cfg.loss !== 'mse' && cfg.loss !== 'regression') throw new ConfigError(`loss must be 'crossEntropy', 'mse' or 'regression', got '${String(cfg.loss)}'`);
  // ‖θ_i‖^ν is formed as (‖θ_i‖²)^{ν/2} by products and one square root: a whole ν ≥ 1.
  if (cfg.regularizer && (!(cfg.regularizer.lambda >= 0) || !(Number.isInteger(cfg.regularizer.nu) && cfg.regularizer.nu >= 1))) {
    throw new ConfigError(`regularizer needs lambda ≥ 0 and a whole nu ≥ 1, got lambda ${cfg.regularizer.lambda}, nu ${cfg.regularizer.nu}`);
  }
}

/** Checks that `data` holds `count` rows of inputs and of labels; throws ShapeError naming the mismatch. */
function validateTrainData(data: TrainData): void {
  if (data === null || typeof data !== 'object') throw new ArgumentError(`train: data must be { x, labels, count } (inputs and labels uploaded to the backend), got ${describeValue(data)}`);
  const { count, x, labels } = data;
  if (!(Number.isInteger(count) && count >= 1)) throw new ShapeError(`train: count must be a whole number ≥ 1, got ${count}`);
  if (x === null || typeof x !== 'object' || labels === null || typeof labels !== 'object') throw new ArgumentError(`train: data.x and data.labels must be matrices of the backend (backend.upload(...)), got ${describeValue(x)} and ${describeValue(labels)}`);
  if (x.rows !== count || labels.rows !== count) {
    throw new ShapeError(`train: count is ${count} but the inputs have ${x.rows} rows and the labels ${labels.rows}; pass the same number of rows in each`);
  }
}

/**
 * Class labels must be whole numbers in [0, classes): reads them once and returns a check to run on the first
 * logits (the model's class count is known only then). The kernels would turn a bad label into a NaN loss that
 * reads as divergence.
 */
async function labelCheck(backend: Backend, labels: Mat): Promise<(classes: number) => void> {
  const values = await backend.read(labels);
  let bad = -1;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Number.isInteger(v) && v >= 0)) {
      bad = i;
      break;
    }
    if (v > max) max = v;
  }
  if (bad >= 0) throw new ConfigError(`train: label ${bad} is ${values[bad]}; class labels must be whole numbers from 0`);
  return (classes) => {
    if (max >= classes) throw new ConfigError(`train: a label is ${max} but the model has ${classes} classes (labels 0…${classes - 1}); check the labels or the model's output width`);
  };
}

/** Runs `cfg.steps` optimizer steps of `model` on `data`; `rng` drives the minibatch shuffle. */
export async function train(backend: Backend, model: Model, data: TrainData, cfg: TrainConfig, rng: Rng, hooks: TrainHooks = {}): Promise<TrainSummary> {
  if (!isBackend(backend)) throw new ArgumentError(`train: the first argument must be the backend (getBackend()), got ${describeValue(backend)}`);
  if (model === null || typeof model !== 'object' || typeof model.forward !== 'function' || !(model.params instanceof ParamSet)) {
    throw new ArgumentError(`train: model must be a Model (e.g. new Mlp(backend, sizes, rng)): an object with params (a ParamSet) and forward(), got ${describeValue(model)}`);
  }
  if (!(rng instanceof Rng)) throw new ArgumentError(`train: rng must be an Rng (new Rng(seed)), got ${describeValue(rng)}`);
  checkOptions('train', hooks, { probes: true, onStep: true, shouldStop: true, checkpoint: true });
  validateTrainData(data);
  validateTrainConfig(cfg, data.count);
  if (cfg.regularizer && cfg.regularizer.lambda > 0 && !model.normPower) throw new ConfigError('regularizer: this model has no per-neuron norm');
  const names = model.params.list.map((q) => q.name);
  for (const t of cfg.trainable ?? []) if (!names.includes(t)) throw new ConfigError(`trainable: no parameter '${t}' (the model has ${names.join(', ')})`);
  const optimizer = createOptimizer(model.params, cfg.optimizer);
  const shuffle = rng.fork('minibatch');
  const batch = cfg.batchSize === 'full' ? data.count : cfg.batchSize;
  let order: Uint32Array | null = null;
  let cursor = 0;
  let lastLoss: Mat | null = null;
  let lr = cfg.lr;
  const probes = hooks.probes ?? [];
  const t0 = performance.now();

  // Class labels are checked against the class count at the first loss.
  let checkLabels: ((classes: number) => void) | null = cfg.loss === 'regression' ? null : await labelCheck(backend, data.labels);
  // One-hot targets for the MSE loss: rows of the identity picked by the labels (made on first use).
  let eye: Mat | null = null;
  const lossOf = (tape: Tape, logits: Var, labels: Mat): Var => {
    if (cfg.loss === 'regression') return tape.mse(logits, labels);
    if (checkLabels) {
      checkLabels(logits.value.cols);
      checkLabels = null;
    }
    if (cfg.loss !== 'mse') return tape.softmaxCrossEntropy(logits, labels);
    const c = logits.value.cols;
    if (!eye) eye = backend.upload(Float32Array.from({ length: c * c }, (_, i) => (i % (c + 1) === 0 ? 1 : 0)), c, c);
    const onehot = backend.gatherRows(eye, labels);
    try {
      return tape.scale(tape.mse(logits, onehot), c);
    } finally {
      backend.free(onehot);
    }
  };

  /** Records the objective (the loss + the regulariser) of inputs x on the tape. */
  const objective = (tape: Tape, p: Record<string, Var>, x: Mat, labels: Mat): Var => {
    const loss = lossOf(tape, model.forward(tape, p, tape.input(x)), labels);
    const reg = cfg.regularizer;
    return reg && reg.lambda > 0 ? tape.add(loss, tape.scale(model.normPower!(tape, p, reg.nu), reg.lambda)) : loss;
  };

  /** The objective at the current parameters on the whole data (for probes before the first step). */
  const currentLoss = async (): Promise<number> => {
    const tape = new Tape(backend);
    try {
      return (await backend.read(objective(tape, model.params.onTape(tape), data.x, data.labels).value))[0]!;
    } finally {
      tape.dispose();
    }
  };

  /** Throws NonFiniteError when the loss or a parameter is NaN or infinite (params: read them when not given). */
  let lastGood = 0;
  /** The step of the last checkpoint this run saved or resumed from (−1: none). */
  let lastSaved = -1;
  const checkFinite = async (step: number, loss: number, params?: Record<string, Float32Array>): Promise<void> => {
    if (Number.isFinite(loss) && !params) {
      lastGood = step;
      return;
    }
    const values = params ?? (await model.params.values());
    let layer = 'loss';
    let bad = 0;
    for (const [name, data] of Object.entries(values)) {
      bad = data.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
      if (bad > 0) {
        layer = name;
        break;
      }
    }
    if (layer === 'loss' && Number.isFinite(loss)) {
      lastGood = step;
      return;
    }
    const where = layer === 'loss' ? 'every parameter is still finite (the logits overflowed)' : `parameter '${layer}' has ${bad} non-finite values`;
    const kept = lastSaved >= 0 ? `; the checkpoint of step ${lastSaved} is kept` : '';
    const doubling = cfg.schedule.kind === 'doubling' && lr !== cfg.lr ? cfg.schedule : null;
    const rate = lr === cfg.lr ? `now ${cfg.lr}` : `now ${cfg.lr}; the schedule had it at ${lr} by this step${doubling ? `, doubling it every ${doubling.every} steps until step ${doubling.until}` : ''}`;
    const last = lastGood === step ? '' : ` (the last finite check was at step ${lastGood})`;
    // A doubling schedule multiplies lr by 2^(until/every): the usual culprit when that is large.
    const fix = doubling ? 'Lower lr, double it less often or stop doubling sooner' : 'Lower lr';
    throw new NonFiniteError(`training diverged: the loss is ${loss} at step ${step} and ${where}${last}${kept}. ${fix} (${rate}), the initial scale, or a config value that scales the loss or its gradient (a regularisation weight)`, step, layer);
  };

  const runProbes = async (step: number, force: boolean): Promise<void> => {
    const due = probes.filter((p) => force || step % p.every === 0);
    if (due.length === 0) return;
    const loss = lastLoss ? (await backend.read(lastLoss))[0]! : await currentLoss();
    await checkFinite(step, loss);
    for (const p of due) await p.run({ step, loss, lr });
  };

  const cp = hooks.checkpoint;
  if (cp && !(Number.isInteger(cp.every) && cp.every >= 1)) throw new ConfigError(`checkpoint every must be a positive integer, got ${cp.every}`);
  /** Hands the state after `step` steps to the checkpoint, after checking it is finite. */
  const save = async (step: number): Promise<void> => {
    const loss = lastLoss ? (await backend.read(lastLoss))[0]! : null;
    const params = await model.params.values();
    await checkFinite(step, loss ?? 0, params);
    await cp!.save({ step, lastLoss: loss, params, optimizer: await optimizer.read(), shuffle: shuffle.state(), order: order ? order.slice() : null, cursor });
    lastSaved = step;
  };

  let step = 0;
  let startStep = 0;
  const yieldToHost = hostYielder();
  try {
    const r = cp?.resume;
    if (r) {
      if (!(Number.isInteger(r.step) && r.step >= 0 && r.step <= cfg.steps)) throw new CheckpointError(`checkpoint: step ${r.step} is outside this run's 0…${cfg.steps}; pass --fresh or another --out`);
      try {
        model.params.restore(r.params);
        optimizer.restore(r.optimizer);
        shuffle.restore(r.shuffle);
      } catch (e) {
        // The checkpoint's own state is refused by name (a parameter's shape, a generator state): say it is the checkpoint.
        if (e instanceof FeaturelabError) throw new CheckpointError(`checkpoint: its training state does not fit this run (${e.message}); it is damaged or from another config; pass --fresh to start over`);
        throw e;
      }
      order = r.order;
      cursor = r.cursor;
      step = r.step;
      startStep = step;
      lastGood = step;
      lastSaved = step;
      if (r.lastLoss !== null) lastLoss = backend.upload(new Float32Array([r.lastLoss]), 1, 1);
    } else {
      await runProbes(0, false);
    }
    // A state saved at a step where the stop condition held (a member that fit its training set, with the probe
    // state that says so): the uninterrupted run stopped there, so the resumed one trains no further step.
    const stoppedAtResume = r !== undefined && (hooks.shouldStop?.() ?? false);
    for (; step < cfg.steps && !stoppedAtResume; ) {
      lr = learningRate(cfg.schedule, cfg.lr, step);
      const tape = new Tape(backend);
      try {
        let x = data.x;
        let labels = data.labels;
        if (batch < data.count) {
          if (!order || cursor + batch > data.count) {
            order = shuffle.permutation(data.count);
            cursor = 0;
          }
          const idx = backend.upload(Float32Array.from(order.subarray(cursor, cursor + batch)), batch, 1);
          cursor += batch;
          x = backend.gatherRows(data.x, idx);
          labels = backend.gatherRows(data.labels, idx);
          backend.free(idx);
        }
        const p = model.params.onTape(tape);
        const loss = objective(tape, p, x, labels);
        tape.backward(loss);
        optimizer.step(model.params.list.map((q) => (cfg.trainable && !cfg.trainable.includes(q.name) ? null : tape.grad(p[q.name]!))), lr);
        if (lastLoss) backend.free(lastLoss);
        lastLoss = backend.copy(loss.value);
        if (x !== data.x) backend.free(x, labels);
      } finally {
        tape.dispose();
      }
      step++;
      hooks.onStep?.(step);
      await runProbes(step, step === cfg.steps);
      await yieldToHost();
      const stop = hooks.shouldStop?.() ?? false;
      if (cp && (step % cp.every === 0 || step === cfg.steps || stop)) await save(step);
      if (stop) break;
    }
    const finalLoss = lastLoss ? (await backend.read(lastLoss))[0]! : NaN;
    // Without probes or checkpoints nothing above has looked: a diverged run must not end as a result.
    if (lastLoss) await checkFinite(step, finalLoss);
    return { steps: step, stepsRun: step - startStep, seconds: (performance.now() - t0) / 1000, finalLoss };
  } finally {
    if (lastLoss) backend.free(lastLoss);
    if (eye) backend.free(eye);
    optimizer.free();
  }
}
