/**
 * Optimizers over a ParamSet: plain SGD, SGD with (Nesterov) momentum and weight decay, and AdamW. Each
 * step runs the backend's in-place kernel on every parameter; the state (velocity, moments) lives on the
 * backend next to the parameters.
 */
import { checkOptions, describeValue } from '../validate.js';
import { ArgumentError, CheckpointError, ConfigError } from '../errors.js';
import type { Mat } from '../backend/types.js';
import { ParamSet } from './params.js';

/** Settings of an optimizer. */
export type OptimizerConfig =
  | { kind: 'sgd'; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adamw'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

/** An optimizer's state on the host: its step count and its buffers (velocity, or Adam's m then v). */
export type OptimizerState = { t: number; buffers: Float32Array[] };

/** An optimizer bound to a parameter set. */
export interface Optimizer {
  /** Updates every parameter in place from its gradient (grads[i] belongs to params.list[i]) with rate lr. */
  step(grads: (Mat | null)[], lr: number): void;
  /** Reads the state back to the host (for a checkpoint). */
  read(): Promise<OptimizerState>;
  /** Replaces the state by one from `read()` of the same optimizer on the same parameters. */
  restore(state: OptimizerState): void;
  /** Frees the optimizer's state. */
  free(): void;
}

/** Throws ConfigError unless `config` names a known optimizer with settings in range (before any state is allocated). */
function checkConfig(config: OptimizerConfig): void {
  if (config === null || typeof config !== 'object') throw new ConfigError(`optimizer: pass the settings as an object, e.g. { kind: 'sgd', momentum: 0.9 }; got ${describeValue(config)}`);
  const inRange = (name: string, v: number | undefined, ok: (x: number) => boolean, range: string): void => {
    if (v !== undefined && (typeof v !== 'number' || !ok(v))) throw new ConfigError(`optimizer: ${name} must be ${range}, got ${describeValue(v)}`);
  };
  if (config.kind === 'sgd') {
    checkOptions(`optimizer '${config.kind}'`, config, { kind: true, momentum: true, nesterov: true, weightDecay: true });
    if (config.nesterov !== undefined && typeof config.nesterov !== 'boolean') throw new ConfigError(`optimizer: nesterov must be true or false, got ${describeValue(config.nesterov)}`);
  } else if (config.kind === 'adamw') {
    checkOptions(`optimizer '${config.kind}'`, config, { kind: true, beta1: true, beta2: true, eps: true, weightDecay: true });
    inRange('beta1', config.beta1, (x) => x >= 0 && x < 1, 'in [0, 1)');
    inRange('beta2', config.beta2, (x) => x >= 0 && x < 1, 'in [0, 1)');
    inRange('eps', config.eps, (x) => x > 0 && Number.isFinite(x), 'a positive finite number');
  } else {
    throw new ConfigError(`optimizer: unknown kind ${describeValue((config as { kind?: unknown }).kind)}; use 'sgd' or 'adamw'`);
  }
  inRange('weightDecay', config.weightDecay, (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0');
}

/** Creates the optimizer described by `config` for `params`. */
export function createOptimizer(params: ParamSet, config: OptimizerConfig): Optimizer {
  if (!(params instanceof ParamSet)) throw new ArgumentError(`createOptimizer: pass the model's ParamSet (model.params), got ${describeValue(params)}`);
  checkConfig(config);
  const be = params.backend;
  const readAll = async (ms: Mat[]): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (const x of ms) out.push(await be.read(x));
    return out;
  };
  const checkCount = (buffers: Float32Array[], want: number): void => {
    if (buffers.length !== want) throw new CheckpointError(`optimizer: the checkpoint holds ${buffers.length} state buffers, this '${config.kind}' optimizer needs ${want}; it was saved with other optimizer settings — pass --fresh or another --out`);
  };
  /** Uploads buffers[from …] in place of `ms` (same shapes) and frees the old matrices. */
  const replaceAll = (ms: Mat[], buffers: Float32Array[], from: number): Mat[] => {
    return ms.map((x, i) => {
      const data = buffers[from + i]!;
      if (data.length !== x.rows * x.cols) throw new CheckpointError(`optimizer: state buffer ${from + i} has ${data.length} values, expected ${x.rows}×${x.cols}; pass --fresh or another --out`);
      const y = be.upload(data, x.rows, x.cols);
      be.free(x);
      return y;
    });
  };
  switch (config.kind) {
    case 'sgd': {
      const momentum = config.momentum ?? 0;
      if (!(momentum >= 0 && momentum < 1)) throw new ConfigError(`optimizer: momentum must be in [0, 1), got ${momentum}`);
      let velocity = momentum > 0 ? params.list.map((p) => be.zeros(p.value.rows, p.value.cols)) : null;
      return {
        read: async () => ({ t: 0, buffers: velocity ? await readAll(velocity) : [] }),
        restore(state) {
          checkCount(state.buffers, velocity ? velocity.length : 0);
          if (velocity) velocity = replaceAll(velocity, state.buffers, 0);
        },
        step(grads, lr) {
          params.list.forEach((p, i) => {
            const g = grads[i];
            if (g) be.sgdStep(p.value, g, velocity ? velocity[i]! : null, { lr, momentum, nesterov: config.nesterov ?? false, weightDecay: config.weightDecay ?? 0 });
          });
        },
        free() {
          if (velocity) be.free(...velocity);
        },
      };
    }
    case 'adamw': {
      let m = params.list.map((p) => be.zeros(p.value.rows, p.value.cols));
      let v = params.list.map((p) => be.zeros(p.value.rows, p.value.cols));
      let t = 0;
      return {
        read: async () => ({ t, buffers: [...(await readAll(m)), ...(await readAll(v))] }),
        restore(state) {
          checkCount(state.buffers, 2 * m.length);
          m = replaceAll(m, state.buffers, 0);
          v = replaceAll(v, state.buffers, m.length);
          t = state.t;
        },
        step(grads, lr) {
          t++;
          params.list.forEach((p, i) => {
            const g = grads[i];
            if (g) be.adamwStep(p.value, g, m[i]!, v[i]!, { lr, step: t, beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay ?? 0 });
          });
        },
        free() {
          be.free(...m, ...v);
        },
      };
    }
    default:
      return config satisfies never;
  }
}
