/**
 * The margin paper's sparse-parity network: f(x) = Σ_i (u_i · x)^k w_i for x ∈ {±1}^n, u_i ∈ R^n and
 * w_i ∈ R² (two classes). Storage: U is n×m (column i = u_i), W is m×2 (row i = w_i).
 * Spec: ../shared/specs/margin-algebra.md, "Networks".
 */
import type { Backend } from '../backend/types.js';
import type { Rng } from '../rng.js';
import type { Tape, Var } from '../autograd/tape.js';
import { ParamSet } from './params.js';
import { type Model, neuronNormPower } from './model.js';

/** Shape and initialisation of a parity network. */
export interface ParityNetConfig {
  bits: number;
  width: number;
  /** Power of the activation (the paper: k, the number of relevant bits). */
  power: number;
  initStd: number;
}

/** The network; parameters 'U' and 'W'. */
export class ParityNet implements Model {
  readonly params: ParamSet;

  /** Creates the parameters on `backend` from `rng`. */
  constructor(backend: Backend, readonly config: ParityNetConfig, rng: Rng) {
    this.params = new ParamSet(backend);
    this.params.normal('U', config.bits, config.width, config.initStd, rng);
    this.params.normal('W', config.width, 2, config.initStd, rng);
  }

  /** Logits (batch × 2) of inputs x (batch × bits, entries ±1). */
  forward(tape: Tape, p: Record<string, Var>, x: Var): Var {
    return tape.matmul(tape.power(tape.matmul(x, p.U!), this.config.power), p.W!);
  }

  /** Σ_i ‖(u_i, w_i)‖^ν. */
  normPower(tape: Tape, p: Record<string, Var>, nu: number): Var {
    return neuronNormPower(tape, [p.U!], [p.W!], nu);
  }
}
