/**
 * The WGSL sources of the WebGPU backend, by name (the file name without `.wgsl`), and the shared math
 * library prepended to the shaders that need it. Sources are bundled as text by esbuild.
 */
import adamwStepElementwise from '../../../shaders/adamw_step_elementwise.wgsl';
import binaryBroadcast from '../../../shaders/binary_broadcast.wgsl';
import choleskyDiag from '../../../shaders/cholesky_diag.wgsl';
import copyBlock from '../../../shaders/copy_block.wgsl';
import copyElementwise from '../../../shaders/copy_elementwise.wgsl';
import fillValue from '../../../shaders/fill_value.wgsl';
import gatherRowsSimple from '../../../shaders/gather_rows_simple.wgsl';
import gatherSumRows from '../../../shaders/gather_sum_rows.wgsl';
import matmulBatch from '../../../shaders/matmul_batch.wgsl';
import matmulRegblock from '../../../shaders/matmul_regblock.wgsl';
import matmulSimple from '../../../shaders/matmul_simple.wgsl';
import matmulSplitkSum from '../../../shaders/matmul_splitk_sum.wgsl';
import matmulTiled from '../../../shaders/matmul_tiled.wgsl';
import msePartial from '../../../shaders/mse_partial.wgsl';
import reduceThread from '../../../shaders/reduce_thread.wgsl';
import reduceWorkgroup from '../../../shaders/reduce_workgroup.wgsl';
import sgdStepElementwise from '../../../shaders/sgd_step_elementwise.wgsl';
import softmaxCrossEntropy from '../../../shaders/softmax_cross_entropy.wgsl';
import transposeSimple from '../../../shaders/transpose_simple.wgsl';
import triInverse from '../../../shaders/tri_inverse.wgsl';
import unaryElementwise from '../../../shaders/unary_elementwise.wgsl';
import unaryGradElementwise from '../../../shaders/unary_grad_elementwise.wgsl';
import unaryMath from '../../../shaders/unary_math.wgsl';
import trigLarge from '../../../shaders/trig_large.wgsl';
import trigNone from '../../../shaders/trig_none.wgsl';
import updateBlock from '../../../shaders/update_block.wgsl';

/**
 * One kernel: its WGSL, whether it needs unary_math.wgsl (and, for the matmul kernels, matmul_batch.wgsl), and
 * its storage bindings (reads, then writes). `trig`: sin and cos may see any argument (trig_large.wgsl); the other
 * math shaders get trig_none.wgsl.
 */
export interface ShaderSpec {
  readonly code: string;
  readonly math: boolean;
  readonly trig?: boolean;
  readonly batch?: boolean;
  readonly reads: number;
  readonly writes: number;
}

/** Every kernel of the backend, keyed by file name. */
export const SHADERS = {
  fill_value: { code: fillValue, math: false, reads: 0, writes: 1 },
  copy_elementwise: { code: copyElementwise, math: false, reads: 1, writes: 1 },
  unary_elementwise: { code: unaryElementwise, math: true, trig: true, reads: 1, writes: 1 },
  unary_grad_elementwise: { code: unaryGradElementwise, math: true, trig: true, reads: 2, writes: 1 },
  binary_broadcast: { code: binaryBroadcast, math: true, reads: 2, writes: 1 },
  reduce_thread: { code: reduceThread, math: true, reads: 1, writes: 1 },
  reduce_workgroup: { code: reduceWorkgroup, math: true, reads: 1, writes: 1 },
  transpose_simple: { code: transposeSimple, math: false, reads: 1, writes: 1 },
  gather_rows_simple: { code: gatherRowsSimple, math: true, reads: 2, writes: 1 },
  gather_sum_rows: { code: gatherSumRows, math: true, reads: 3, writes: 1 },
  softmax_cross_entropy: { code: softmaxCrossEntropy, math: true, reads: 2, writes: 2 },
  mse_partial: { code: msePartial, math: false, reads: 2, writes: 2 },
  sgd_step_elementwise: { code: sgdStepElementwise, math: false, reads: 1, writes: 2 },
  adamw_step_elementwise: { code: adamwStepElementwise, math: false, reads: 1, writes: 3 },
  matmul_simple: { code: matmulSimple, math: true, batch: true, reads: 4, writes: 1 },
  matmul_regblock: { code: matmulRegblock, math: true, batch: true, reads: 4, writes: 1 },
  matmul_tiled: { code: matmulTiled, math: true, batch: true, reads: 4, writes: 1 },
  matmul_splitk_sum: { code: matmulSplitkSum, math: true, reads: 3, writes: 1 },
  cholesky_diag: { code: choleskyDiag, math: false, reads: 0, writes: 1 },
  tri_inverse: { code: triInverse, math: false, reads: 1, writes: 1 },
  copy_block: { code: copyBlock, math: false, reads: 1, writes: 1 },
  update_block: { code: updateBlock, math: false, reads: 1, writes: 1 },
} as const satisfies Record<string, ShaderSpec>;

/** Name of a built-in kernel. */
export type ShaderName = keyof typeof SHADERS;

/** A piece of a compiled source, to map compiler line numbers back to the file they came from. */
export interface SourcePart {
  readonly file: string;
  readonly code: string;
}

/** The parts that make up a built-in kernel's compiled source, in order. */
export function shaderParts(name: ShaderName): SourcePart[] {
  const spec: ShaderSpec = SHADERS[name];
  const own = { file: `${name}.wgsl`, code: spec.code };
  return [
    ...(spec.math ? [{ file: 'unary_math.wgsl', code: unaryMath }, spec.trig ? { file: 'trig_large.wgsl', code: trigLarge } : { file: 'trig_none.wgsl', code: trigNone }] : []),
    ...(spec.batch ? [{ file: 'matmul_batch.wgsl', code: matmulBatch }] : []),
    own,
  ];
}

/** Joins source parts into one WGSL module (each part ends with a newline). */
export function joinParts(parts: readonly SourcePart[]): string {
  return parts.map((p) => (p.code.endsWith('\n') ? p.code : `${p.code}\n`)).join('');
}

/** Maps a 1-based line of the joined source to its file and the 1-based line in that file. */
export function mapLine(parts: readonly SourcePart[], line: number): { file: string; line: number; text: string } {
  let first = 1;
  for (const part of parts) {
    const lines = (part.code.endsWith('\n') ? part.code.slice(0, -1) : part.code).split('\n');
    if (line < first + lines.length) {
      const local = line - first + 1;
      return { file: part.file, line: local, text: lines[local - 1] ?? '' };
    }
    first += lines.length;
  }
  return { file: parts[parts.length - 1]?.file ?? '?', line, text: '' };
}
