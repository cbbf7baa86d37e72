/**
 * The margin paper's network for binary operations on a finite set of `tokens` (modular addition, group
 * composition): neuron i has u_i, v_i ∈ R^tokens and w_i ∈ R^classes, and on input (a, b) outputs
 * act(u_i[a] + v_i[b]) · w_i, with act = x² (the paper's quadratic network) or ReLU (for comparison).
 * Spec: ../shared/specs/margin-algebra.md, "Networks".
 *
 * Storage: E = [U; V] is (2·tokens)×m (column i = (u_i, v_i)) and W is m×classes (row i = w_i). The summed
 * embedding of pair (a, b) is row a plus row tokens + b of E: for inputs registered with `bindPairs` it is
 * a gathered sum of rows (gradient: the transposed sum, no atomics); for other inputs, X holds the
 * concatenated one-hots of (a, b) (`pairOneHots`) and it is the product X·E.
 */
import type { Backend, Mat } from '../backend/types.js';
import type { Rng } from '../rng.js';
import type { RowSelection, Tape, Var } from '../autograd/tape.js';
import { freeRowSelection, rowSelection } from './rowSelection.js';
import { ParamSet } from './params.js';
import { type Model, neuronNormPower } from './model.js';

/** Activation of the pair network. */
export type PairActivation = 'square' | 'relu';

/** Shape and initialisation of a pair network. */
export interface PairNetConfig {
  tokens: number;
  classes: number;
  width: number;
  act: PairActivation;
  /** Standard deviation of the initial entries. */
  initStd: number;
}

/** The network; parameters 'E' and 'W'. */
export class PairNet implements Model {
  readonly params: ParamSet;
  private bound = new Map<Mat, RowSelection>();

  /** Creates the parameters on `backend` from `rng`. */
  constructor(backend: Backend, readonly config: PairNetConfig, rng: Rng) {
    this.params = new ParamSet(backend);
    this.params.normal('E', 2 * config.tokens, config.width, config.initStd, rng);
    this.params.normal('W', config.width, config.classes, config.initStd, rng);
  }

  /**
   * Registers the pairs (a[r], b[r]) as the input matrix `x` (any count×k matrix standing for them, e.g.
   * the token ids): forward(…, x) then gathers embedding rows instead of multiplying one-hots.
   */
  bindPairs(x: Mat, a: Int32Array, b: Int32Array): void {
    const { tokens } = this.config;
    const count = a.length;
    const outRow = new Int32Array(2 * count);
    const source = new Int32Array(2 * count);
    for (let r = 0; r < count; r++) {
      outRow[2 * r] = r;
      source[2 * r] = a[r]!;
      outRow[2 * r + 1] = r;
      source[2 * r + 1] = tokens + b[r]!;
    }
    this.bound.set(x, rowSelection(this.params.backend, outRow, source, count, 2 * tokens));
  }

  /** Uploads the pairs' token ids (count×2) as the input matrix and binds them (see bindPairs). */
  uploadPairs(a: Int32Array, b: Int32Array): Mat {
    const ids = new Float32Array(2 * a.length);
    a.forEach((v, r) => { ids[2 * r] = v; ids[2 * r + 1] = b[r]!; });
    const x = this.params.backend.upload(ids, a.length, 2);
    this.bindPairs(x, a, b);
    return x;
  }

  /** The neurons' activations act(u_i[a] + v_i[b]) on the pairs `x` (batch × m): the network's feature map. */
  hidden(tape: Tape, p: Record<string, Var>, x: Var): Var {
    const sel = this.bound.get(x.value);
    const embedded = sel ? tape.gatherSum(p.E!, sel) : tape.matmul(x, p.E!);
    return this.config.act === 'relu' ? tape.unary('relu', embedded) : tape.unary('square', embedded);
  }

  /** Logits of the pairs `x`: bound with bindPairs, or one-hot pairs (batch × 2·tokens). */
  forward(tape: Tape, p: Record<string, Var>, x: Var): Var {
    return tape.matmul(this.hidden(tape, p, x), p.W!);
  }

  /** Frees the parameters and the bound selections. */
  free(): void {
    for (const sel of this.bound.values()) freeRowSelection(this.params.backend, sel);
    this.bound.clear();
    this.params.free();
  }

  /** Σ_i ‖(u_i, v_i, w_i)‖^ν. */
  normPower(tape: Tape, p: Record<string, Var>, nu: number): Var {
    return neuronNormPower(tape, [p.E!], [p.W!], nu);
  }

  /** The per-neuron rows U, V, W (m×tokens, m×tokens, m×classes) read back to the host. */
  async neuronRows(): Promise<{ U: Float32Array; V: Float32Array; W: Float32Array }> {
    const { tokens, width } = this.config;
    const e = await this.params.backend.read(this.params.get('E'));
    const U = new Float32Array(width * tokens);
    const V = new Float32Array(width * tokens);
    for (let t = 0; t < tokens; t++) {
      for (let i = 0; i < width; i++) {
        U[i * tokens + t] = e[t * width + i]!;
        V[i * tokens + t] = e[(tokens + t) * width + i]!;
      }
    }
    return { U, V, W: await this.params.backend.read(this.params.get('W')) };
  }
}

/** The inputs of all pairs: row r is onehot(a[r]) ‖ onehot(b[r]) (count × 2·tokens). */
export function pairOneHots(a: Int32Array, b: Int32Array, tokens: number): Float32Array {
  const x = new Float32Array(a.length * 2 * tokens);
  for (let r = 0; r < a.length; r++) {
    x[r * 2 * tokens + a[r]!] = 1;
    x[r * 2 * tokens + tokens + b[r]!] = 1;
  }
  return x;
}
