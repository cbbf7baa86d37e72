/**
 * Optimizers over a ParamSet: plain SGD, SGD with (Nesterov) momentum and weight decay, and AdamW. Each
 * step runs the backend's in-place kernel on every parameter; the state (velocity, moments) lives on the
 * backend next to the parameters.
 */
import { ConfigError } from '../errors.js';
import type { Mat } from '../backend/types.js';
import type { ParamSet } from './params.js';

/** Settings of an optimizer. */
export type OptimizerConfig =
  | { kind: 'sgd'; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adamw'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

/** An optimizer bound to a parameter set. */
export interface Optimizer {
  /** Updates every parameter in place from its gradient (grads[i] belongs to params.list[i]) with rate lr. */
  step(grads: (Mat | null)[], lr: number): void;
  /** Frees the optimizer's state. */
  free(): void;
}

/** Creates the optimizer described by `config` for `params`. */
export function createOptimizer(params: ParamSet, config: OptimizerConfig): Optimizer {
  const be = params.backend;
  switch (config.kind) {
    case 'sgd': {
      const momentum = config.momentum ?? 0;
      if (!(momentum >= 0 && momentum < 1)) throw new ConfigError(`optimizer: momentum must be in [0, 1), got ${momentum}`);
      const velocity = momentum > 0 ? params.list.map((p) => be.zeros(p.value.rows, p.value.cols)) : null;
      return {
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
      const m = params.list.map((p) => be.zeros(p.value.rows, p.value.cols));
      const v = params.list.map((p) => be.zeros(p.value.rows, p.value.cols));
      let t = 0;
      return {
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
