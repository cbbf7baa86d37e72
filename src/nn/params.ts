/**
 * A model's parameters: named matrices on one backend, created from seeded host data so that every
 * backend starts from the same bits (DESIGN: random numbers are generated on the host and uploaded).
 */
import type { Backend, Mat } from '../backend/types.js';
import { checkDims } from '../backend/base.js';
import { describeValue, isBackend } from '../validate.js';
import { ArgumentError, CheckpointError, MatrixTooLargeError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Tape, Var } from '../autograd/tape.js';

/** One named parameter matrix. */
export interface Param {
  readonly name: string;
  readonly value: Mat;
}

/** Most values one parameter matrix may have: 2^30 f32 (4 GiB), more than any backend holds in one matrix (WASM's whole memory is 4 GiB). */
export const MAX_PARAM_ELEMENTS = 2 ** 30;

/** The parameters of a model, in a fixed order. */
export class ParamSet {
  readonly list: Param[] = [];

  /** @param backend where the parameters live */
  constructor(readonly backend: Backend) {
    if (!isBackend(backend)) {
      throw new ArgumentError(`ParamSet: pass the backend the parameters live on, e.g. new ParamSet(getBackend()); got ${describeValue(backend)}`);
    }
  }

  /** Adds a rows×cols parameter with entries drawn from N(0, std²); MatrixTooLargeError (before allocating) above MAX_PARAM_ELEMENTS values. */
  normal(name: string, rows: number, cols: number, std: number, rng: Rng): Mat {
    checkDims(`ParamSet: parameter '${name}'`, rows, cols);
    if (!(rng instanceof Rng)) throw new ArgumentError(`ParamSet: parameter '${name}' needs an Rng for its initial values, e.g. new Rng(seed); got ${describeValue(rng)}`);
    if (rows * cols > MAX_PARAM_ELEMENTS) {
      throw new MatrixTooLargeError(`ParamSet: parameter '${name}' would be ${rows}×${cols} = ${rows * cols} values (${((rows * cols * 4) / 2 ** 30).toFixed(1)} GiB of f32), more than the ${MAX_PARAM_ELEMENTS} one matrix may hold; reduce the layer sizes that set it (an experiment's width or hidden key)`);
    }
    const data = rng.fork(name).fillNormal(new Float32Array(rows * cols), 0, std);
    return this.add(name, this.backend.upload(data, rows, cols));
  }

  /** Adds a rows×cols parameter of zeros. */
  zeros(name: string, rows: number, cols: number): Mat {
    return this.add(name, this.backend.zeros(rows, cols));
  }

  /** Adds an existing matrix as a parameter (the set takes ownership). */
  add(name: string, value: Mat): Mat {
    if (this.list.some((p) => p.name === name)) throw new ArgumentError(`ParamSet: duplicate parameter name '${name}'`);
    this.list.push({ name, value });
    return value;
  }

  /** The parameter called `name`. */
  get(name: string): Mat {
    const p = this.list.find((q) => q.name === name);
    if (!p) throw new ArgumentError(`ParamSet: no parameter '${name}' (have ${this.list.map((q) => q.name).join(', ')})`);
    return p.value;
  }

  /** Puts every parameter on a tape; the result maps names to tape variables. */
  onTape(tape: Tape): Record<string, Var> {
    const out: Record<string, Var> = {};
    for (const p of this.list) out[p.name] = tape.param(p.value);
    return out;
  }

  /** Reads every parameter back to the host, by name. */
  async read(): Promise<Record<string, { data: Float32Array; rows: number; cols: number }>> {
    const out: Record<string, { data: Float32Array; rows: number; cols: number }> = {};
    for (const p of this.list) out[p.name] = { data: await this.backend.read(p.value), rows: p.value.rows, cols: p.value.cols };
    return out;
  }

  /** Every parameter's values read back, by name (what `restore` takes). */
  async values(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const p of this.list) out[p.name] = await this.backend.read(p.value);
    return out;
  }

  /** Replaces every parameter's values by `values` (by name, same shapes: e.g. from a checkpoint). */
  restore(values: Record<string, Float32Array>): void {
    for (const [i, p] of this.list.entries()) {
      const data = values[p.name];
      if (!data || data.length !== p.value.rows * p.value.cols) {
        throw new CheckpointError(`ParamSet.restore: the checkpoint has ${data ? `${data.length} values` : 'no values'} for parameter '${p.name}' (${p.value.rows}×${p.value.cols}); it belongs to another model — pass --fresh or another --out`);
      }
      this.list[i] = { name: p.name, value: this.backend.upload(data, p.value.rows, p.value.cols) };
      this.backend.free(p.value);
    }
  }

  /** Total number of scalar parameters. */
  get size(): number {
    return this.list.reduce((s, p) => s + p.value.rows * p.value.cols, 0);
  }

  /** Frees every parameter. */
  free(): void {
    this.backend.free(...this.list.map((p) => p.value));
  }
}
