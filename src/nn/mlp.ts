/** A multi-layer perceptron with ReLU hidden layers (fused into the matmul epilogue) and He initialisation. */
import type { Backend } from '../backend/types.js';
import { describeValue } from '../validate.js';
import { ArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Tape, Var } from '../autograd/tape.js';
import { ParamSet } from './params.js';
import type { Model } from './model.js';

/** An MLP with layer sizes `sizes` (input first, classes last); parameters W0, b0, W1, b1, … */
export class Mlp implements Model {
  readonly params: ParamSet;

  /** Creates the parameters on `backend` from `rng`: W ~ N(0, initScale²·2/fan_in), b = 0. */
  constructor(backend: Backend, readonly sizes: number[], rng: Rng, initScale = 1) {
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new ArgumentError(`Mlp: sizes must list at least two layer widths, positive integers with the input first and the classes last (e.g. [784, 256, 10]), got ${Array.isArray(sizes) ? JSON.stringify(sizes) : describeValue(sizes)}`);
    }
    if (!(rng instanceof Rng)) throw new ArgumentError(`Mlp: pass an Rng for the initial weights, e.g. new Rng(seed); got ${describeValue(rng)}`);
    if (typeof initScale !== 'number' || !(initScale > 0) || !Number.isFinite(initScale)) {
      throw new ArgumentError(`Mlp: initScale must be a positive finite number (it multiplies He's standard deviation), got ${describeValue(initScale)}`);
    }
    this.params = new ParamSet(backend);
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.params.normal(`W${l}`, sizes[l]!, sizes[l + 1]!, initScale * Math.sqrt(2 / sizes[l]!), rng);
      this.params.zeros(`b${l}`, 1, sizes[l + 1]!);
    }
  }

  /** Logits of inputs x (batch × sizes[0]). */
  forward(tape: Tape, p: Record<string, Var>, x: Var): Var {
    return this.logits(tape, p, this.hidden(tape, p, x));
  }

  /** The last layer on `hidden`'s output h: the logits. */
  logits(tape: Tape, p: Record<string, Var>, h: Var): Var {
    const last = this.sizes.length - 2;
    return tape.matmul(h, p[`W${last}`]!, { bias: p[`b${last}`]! });
  }

  /** The last hidden layer's activations (the feature map the last layer reads). */
  hidden(tape: Tape, p: Record<string, Var>, x: Var): Var {
    let h = x;
    for (let l = 0; l + 2 < this.sizes.length; l++) h = tape.matmul(h, p[`W${l}`]!, { bias: p[`b${l}`]!, act: 'relu' });
    return h;
  }
}
