/**
 * B MLPs of the same sizes trained together: their parameters are stacked by rows (W_l is (B·in)×out, b_l is
 * B×out) and every layer is one batched matmul, so B models cost the dispatches of one. Model b starts from
 * exactly the parameters `new Mlp(backend, sizes, rngs[b])` would draw, and its forward pass is that MLP's
 * on its own block of rows.
 */
import type { Backend } from '../backend/types.js';
import { ArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Tape, Var } from '../autograd/tape.js';
import { ParamSet } from './params.js';
import type { Model } from './model.js';

/** B stacked MLPs with ReLU hidden layers; parameters W0, b0, W1, b1, … as in Mlp. */
export class StackedMlp implements Model {
  readonly params: ParamSet;
  /** Number of stacked models. */
  readonly models: number;

  /** Creates model b's parameters from rngs[b] with Mlp's He initialisation (W ~ N(0, 2/fan_in), b = 0). */
  constructor(backend: Backend, readonly sizes: number[], rngs: Rng[]) {
    if (rngs.length < 1) throw new ArgumentError('StackedMlp: needs at least one model (one rng per model)');
    this.models = rngs.length;
    this.params = new ParamSet(backend);
    for (let l = 0; l + 1 < sizes.length; l++) {
      const rows = sizes[l]!;
      const cols = sizes[l + 1]!;
      const name = `W${l}`;
      const data = new Float32Array(this.models * rows * cols);
      // The same draw as ParamSet.normal(name, …) on each model's rng.
      rngs.forEach((rng, b) => rng.fork(name).fillNormal(data.subarray(b * rows * cols, (b + 1) * rows * cols), 0, Math.sqrt(2 / rows)));
      this.params.add(name, backend.upload(data, this.models * rows, cols));
      this.params.zeros(`b${l}`, this.models, cols);
    }
  }

  /** Logits ((B·batch) × classes) of stacked inputs x ((B·batch) × sizes[0]: model b reads block b). */
  forward(tape: Tape, p: Record<string, Var>, x: Var): Var {
    return this.logits(tape, p, this.hidden(tape, p, x));
  }

  /** Every model's last hidden layer ((B·N) × width), stacked; `shared`: x is one block read by all (x itself without hidden layers). */
  hidden(tape: Tape, p: Record<string, Var>, x: Var, shared = false): Var {
    let h = x;
    for (let l = 0; l + 2 < this.sizes.length; l++) {
      h = tape.matmul(h, p[`W${l}`]!, { bias: p[`b${l}`]!, act: 'relu', batch: this.models, shareA: shared && l === 0 });
    }
    return h;
  }

  /**
   * The last layer on `hidden`'s output h (logits, stacked); `shared`: h came from a shared input, which a model
   * without hidden layers passes through unchanged.
   */
  logits(tape: Tape, p: Record<string, Var>, h: Var, shared = false): Var {
    const last = this.sizes.length - 2;
    return tape.matmul(h, p[`W${last}`]!, { bias: p[`b${last}`]!, batch: this.models, shareA: shared && last === 0 });
  }
}
