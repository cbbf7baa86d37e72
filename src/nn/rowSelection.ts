/**
 * Builds RowSelections (CSR row sums and their transposes) on the host from (output row, source row)
 * pairs, and uploads them. Within a row the entries keep their given order (a stable counting sort), so
 * the sums are added in a fixed order on every backend.
 */
import type { Backend } from '../backend/types.js';
import type { RowSelection } from '../autograd/tape.js';

/** CSR arrays grouping `entries` by `owner` (0 ≤ owner < rows): offsets (rows+1) and the `value` of each entry. */
function csr(owner: Int32Array, value: Int32Array, rows: number): { offsets: Float32Array; values: Float32Array } {
  const offsets = new Float32Array(rows + 1);
  for (let e = 0; e < owner.length; e++) offsets[owner[e]! + 1]!++;
  for (let r = 0; r < rows; r++) offsets[r + 1]! += offsets[r]!;
  const next = Float32Array.from(offsets.subarray(0, rows));
  const values = new Float32Array(Math.max(1, owner.length));
  for (let e = 0; e < owner.length; e++) values[next[owner[e]!]!++] = value[e]!;
  return { offsets, values };
}

/**
 * The selection whose output row outRow[e] sums source row source[e] over all entries e, for an output of
 * `outRows` rows from a matrix of `sourceRows` rows.
 */
export function rowSelection(backend: Backend, outRow: Int32Array, source: Int32Array, outRows: number, sourceRows: number): RowSelection {
  const fwd = csr(outRow, source, outRows);
  const back = csr(source, outRow, sourceRows);
  return {
    offsets: backend.upload(fwd.offsets, outRows + 1, 1),
    sources: backend.upload(fwd.values, fwd.values.length, 1),
    transposed: { offsets: backend.upload(back.offsets, sourceRows + 1, 1), sources: backend.upload(back.values, back.values.length, 1) },
  };
}

/** Frees the matrices of a selection. */
export function freeRowSelection(backend: Backend, sel: RowSelection): void {
  backend.free(sel.offsets, sel.sources, sel.transposed.offsets, sel.transposed.sources);
}
