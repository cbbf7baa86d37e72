/** Runs one op on a backend under test and on the reference with the same inputs, and compares the outputs. */
import type { Backend, Mat } from '../../src/index.js';
import type { Tolerance } from '../tolerances.js';
import { expectClose } from './compare.js';
import { ref } from './backends.js';

/** An input matrix given as data and shape. */
export interface HostMat {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Shorthand for a HostMat. */
export function host(data: Float32Array, rows: number, cols: number): HostMat {
  return { data, rows, cols };
}

/**
 * Uploads `inputs` to `b` and to ref, runs `op` on both, and compares every returned matrix.
 * `op` returns a matrix or a list of matrices (e.g. loss and grad).
 */
export async function agreeWithRef(
  b: Backend, inputs: HostMat[], op: (be: Backend, ms: Mat[]) => Mat | Mat[], tol: Tolerance, label: string,
): Promise<Float32Array[]> {
  const run = async (be: Backend): Promise<Float32Array[]> => {
    const ms = inputs.map((h) => be.upload(h.data, h.rows, h.cols));
    const out = op(be, ms);
    const outs = Array.isArray(out) ? out : [out];
    const values = await Promise.all(outs.map((m) => be.read(m)));
    be.free(...ms, ...outs);
    return values;
  };
  const [got, want] = [await run(b), await run(ref as unknown as Backend)];
  got.forEach((g, i) => expectClose(g, want[i], tol, `${label} [${b.name}] output ${i}`));
  return got;
}
