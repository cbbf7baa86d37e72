/**
 * Checks a batched matmul against its definition: block b of the batched result equals the plain product of
 * block b of each operand (C, bias and activation included), the plain products computed on ref.
 */
import type { Activation, Backend } from '../../src/index.js';
import { TOL } from '../tolerances.js';
import { ref } from './backends.js';
import { expectClose } from './compare.js';
import { uniform } from './random.js';

/** One batched product to check: B blocks of op(A) m×k times op(B) k×n, with optional sharing and epilogue. */
export interface BatchedCase {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  shareA?: boolean;
  shareB?: boolean;
  /** Adds alpha −0.5, beta·C with beta 2, a per-block bias (or a shared one) and tanh. */
  epilogue?: 'perBlockBias' | 'sharedBias';
}

/** Runs the batched product on `b` and compares each block with the plain product on ref. */
export async function checkBatchedMatmul(b: Backend, c: BatchedCase, label: string): Promise<void> {
  const { batch, m, k, n } = c;
  const transA = !!c.transA;
  const transB = !!c.transB;
  const [ra, ca] = transA ? [k, m] : [m, k];
  const [rb, cb] = transB ? [n, k] : [k, n];
  const blocksA = c.shareA ? 1 : batch;
  const blocksB = c.shareB ? 1 : batch;
  const seed = batch * 1000 + m * 100 + k * 10 + n;
  const A = uniform(seed, blocksA * ra, ca);
  const B = uniform(seed + 1, blocksB * rb, cb);
  const C = uniform(seed + 2, batch * m, n);
  const biasRows = c.epilogue === 'perBlockBias' ? batch : 1;
  const bias = uniform(seed + 3, biasRows, n);
  const act: Activation = c.epilogue ? 'tanh' : 'none';
  const opts = c.epilogue ? { alpha: -0.5, beta: 2, act } : {};

  const up = (be: Backend, data: Float32Array, rows: number, cols: number) => be.upload(data, rows, cols);
  const a = up(b, A, blocksA * ra, ca);
  const bb = up(b, B, blocksB * rb, cb);
  const cc = c.epilogue ? up(b, C, batch * m, n) : undefined;
  const bi = c.epilogue ? up(b, bias, biasRows, n) : undefined;
  const out = b.matmul(a, bb, { transA, transB, batch, shareA: c.shareA, shareB: c.shareB, c: cc, bias: bi, ...opts });
  const got = await b.read(out);
  b.free(a, bb, out, ...(cc ? [cc] : []), ...(bi ? [bi] : []));
  if (out.rows !== batch * m || out.cols !== n) throw new Error(`${label}: result is ${out.rows}×${out.cols}, want ${batch * m}×${n}`);

  const r = ref as unknown as Backend;
  for (let blk = 0; blk < batch; blk++) {
    const ia = c.shareA ? 0 : blk;
    const ib = c.shareB ? 0 : blk;
    const x = up(r, A.subarray(ia * ra * ca, (ia + 1) * ra * ca), ra, ca);
    const y = up(r, B.subarray(ib * rb * cb, (ib + 1) * rb * cb), rb, cb);
    const cBlock = c.epilogue ? up(r, C.subarray(blk * m * n, (blk + 1) * m * n), m, n) : undefined;
    const bRow = biasRows > 1 ? blk : 0;
    const biasBlock = c.epilogue ? up(r, bias.subarray(bRow * n, (bRow + 1) * n), 1, n) : undefined;
    const want = r.matmul(x, y, { transA, transB, c: cBlock, bias: biasBlock, ...opts });
    expectClose(got.subarray(blk * m * n, (blk + 1) * m * n), await r.read(want), TOL.matmul, `${label} block ${blk} [${b.name}]`);
    r.free(x, y, want, ...(cBlock ? [cBlock] : []), ...(biasBlock ? [biasBlock] : []));
  }
}

/** Odd shapes, every transpose, shared operands and both bias kinds: the cases each backend runs. */
export const BATCHED_CASES: BatchedCase[] = [
  { batch: 1, m: 3, k: 5, n: 2, epilogue: 'perBlockBias' },
  ...([[false, false], [true, false], [false, true], [true, true]] as const).flatMap(([transA, transB]) => [
    { batch: 3, m: 17, k: 65, n: 3, transA, transB },
    { batch: 5, m: 1, k: 17, n: 127, transA, transB, shareB: true },
    { batch: 2, m: 65, k: 3, n: 17, transA, transB, shareA: true, epilogue: 'sharedBias' as const },
  ]),
  { batch: 4, m: 64, k: 127, n: 65, epilogue: 'perBlockBias' },
  { batch: 3, m: 9, k: 70, n: 6, transB: true, epilogue: 'perBlockBias' },
  { batch: 7, m: 1, k: 257, n: 10, shareA: true },
  { batch: 3, m: 257, k: 64, n: 1, transA: true, epilogue: 'perBlockBias' },
];
