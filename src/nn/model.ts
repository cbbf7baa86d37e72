/** What every trainable model provides to the training loop. */
import type { Mat } from '../backend/types.js';
import type { Tape, Var } from '../autograd/tape.js';
import type { ParamSet } from './params.js';

/** A batch on the backend: inputs (one row per example) and labels (count×1 class indices). */
export interface Batch {
  x: Mat;
  labels: Mat;
}

/** A model: parameters, a forward pass to logits, and optionally the per-neuron norm of the margin spec. */
export interface Model {
  readonly params: ParamSet;
  /** Logits (batch × classes) of the batch's inputs, recorded on the tape. */
  forward(tape: Tape, p: Record<string, Var>, x: Var): Var;
  /**
   * Σ_i ‖θ_i‖₂^ν over neurons i (θ_i: all parameters attached to neuron i), recorded on the tape: the
   * margin spec's ‖θ‖_{2,ν}^ν. Absent on models without a neuron structure.
   */
  normPower?(tape: Tape, p: Record<string, Var>, nu: number): Var;
}

/**
 * Σ_i (Σ ‖column i of each `byColumn`‖² + Σ ‖row i of each `byRow`‖²)^{ν/2}: the ν-th power of the
 * (2,ν) norm for neurons stored as columns of input-side matrices and rows of output-side ones.
 */
export function neuronNormPower(tape: Tape, byColumn: Var[], byRow: Var[], nu: number): Var {
  const parts = [
    ...byColumn.map((v) => tape.reduce('sumSq', v, 0)),
    ...byRow.map((v) => tape.transpose(tape.reduce('sumSq', v, 1))),
  ];
  const s = parts.reduce((acc, v) => tape.add(acc, v));
  return tape.sumAll(tape.power(s, nu / 2));
}
