import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UNARY_OPS, ShapeError } from '../dist/featurelab.js';
import type { UnaryOp } from '../src/index.js';
import { testBackends } from './support/backends.js';
import { BATCHED_CASES, checkBatchedMatmul } from './support/batched.js';
import { agreeWithRef, host } from './support/check.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const SIZES = [1, 2, 3, 17, 64, 65, 127, 257];
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** A (m×k)·(k×n) product as stored operands for the given transposes. */
function operands(seed: number, m: number, k: number, n: number, transA: boolean, transB: boolean) {
  return [
    host(uniform(seed, m, k), transA ? k : m, transA ? m : k),
    host(uniform(seed + 1, k, n), transB ? n : k, transB ? k : n),
  ];
}

for (const b of testBackends) {
  const s = suite(`matmul [${b.name}]`);

  s('square sizes 1…257, all four transpose combinations', async () => {
    for (const n of SIZES) {
      for (const [transA, transB] of TRANSPOSES) {
        await agreeWithRef(b, operands(n, n, n, n, transA, transB), (be, [x, y]) => be.matmul(x, y, { transA, transB }), TOL.matmul, `matmul ${n}³ tA=${transA} tB=${transB}`);
      }
    }
  });

  s('rectangular odd shapes, all transposes', async () => {
    const shapes = [[1, 17, 3], [3, 65, 1], [17, 127, 64], [65, 3, 257], [127, 257, 17], [257, 64, 65], [2, 1000, 3], [64, 1, 127]];
    for (const [m, k, n] of shapes) {
      for (const [transA, transB] of TRANSPOSES) {
        await agreeWithRef(b, operands(m + k + n, m, k, n, transA, transB), (be, [x, y]) => be.matmul(x, y, { transA, transB }), TOL.matmul, `matmul ${m}×${k}·${k}×${n} tA=${transA} tB=${transB}`);
      }
    }
  });

  s('a large product (1001×1003 · 1003×257), plain and transposed', async () => {
    for (const [transA, transB] of [[false, false], [true, true]] as const) {
      await agreeWithRef(b, operands(7, 1001, 1003, 257, transA, transB), (be, [x, y]) => be.matmul(x, y, { transA, transB }), TOL.matmul, `matmul 1001×1003·1003×257 tA=${transA} tB=${transB}`);
    }
  });

  s('alpha, beta·C accumulate and fused bias + every activation', async () => {
    const acts: (UnaryOp | 'none')[] = ['none', ...UNARY_OPS];
    for (const act of acts) {
      for (const [m, k, n] of [[17, 65, 3], [64, 127, 65]]) {
        const [A, B] = operands(m * n, m, k, n, act === 'gelu', act === 'tanh');
        const C = host(uniform(3, m, n), m, n);
        const bias = host(uniform(4, 1, n), 1, n);
        // log and sqrt need positive pre-activations: shift by +k through the bias (|alpha·AB + beta·C| < k).
        if (act === 'log' || act === 'sqrt') bias.data.forEach((v, j) => { bias.data[j] = v + k; });
        // acos needs pre-activations inside (−1, 1): shrink A, C and the bias (|0.75·AB| ≤ 0.23, |0.5·C| ≤ 0.15).
        if (act === 'acos') {
          A.data.forEach((v, j) => { A.data[j] = (0.3 * v) / k; });
          C.data.forEach((v, j) => { C.data[j] = 0.3 * v; });
          bias.data.forEach((v, j) => { bias.data[j] = 0.3 * v; });
        }
        await agreeWithRef(b, [A, B, C, bias], (be, [x, y, c, bi]) => be.matmul(x, y, { transA: act === 'gelu', transB: act === 'tanh', alpha: 0.75, beta: -0.5, c, bias: bi, act }),
          act === 'exp' || act === 'cube' ? { ...TOL.matmul, rtol: 2e-5 } : TOL.matmul, `matmul epilogue act=${act} ${m}×${k}·${k}×${n}`);
      }
    }
  });

  s('a sin or cos epilogue is exact for pre-activations past 65536 (fused or batched, with C and bias)', async () => {
    for (const act of ['sin', 'cos'] as const) {
      // Whole numbers below 2^24 and a 0/1 B, so that the pre-activations are exact in f32 (sin at 1e6 would
      // otherwise follow each backend's rounding of them, ulp 0.06).
      const A = host(uniform(5, 9, 4, -1, 1).map((v) => Math.round(v * 3e5)), 9, 4);
      const B = host(Float32Array.from({ length: 20 }, (_, e) => (e % 5 === Math.floor(e / 5) ? 1 : 0)), 4, 5);
      const C = host(uniform(7, 9, 5, -1, 1).map((v) => Math.round(v * 1e6)), 9, 5);
      const bias = host(uniform(8, 1, 5, -1, 1).map((v) => Math.round(v * 100)), 1, 5);
      await agreeWithRef(b, [A, B, C, bias], (be, [x, y, c, bi]) => be.matmul(x, y, { alpha: 1, beta: 1, c, bias: bi, act }),
        TOL.transcendental, `matmul epilogue act=${act} at |x| ~ 1e6`);
    }
  });

  s('beta defaults to 1 when C is given; alpha scales', async () => {
    const [A, B] = operands(9, 3, 5, 4, false, false);
    const C = host(uniform(10, 3, 4), 3, 4);
    const [viaDefault] = await agreeWithRef(b, [A, B, C], (be, [x, y, c]) => be.matmul(x, y, { c, alpha: 2 }), TOL.matmul, 'matmul alpha=2 +C');
    const [explicit] = await agreeWithRef(b, [A, B, C], (be, [x, y, c]) => be.matmul(x, y, { c, alpha: 2, beta: 1 }), TOL.matmul, 'matmul alpha=2 beta=1 +C');
    assert.equal(Array.from(viaDefault), Array.from(explicit));
  });

  s('a wrong shape raises ShapeError naming the op and both shapes', () => {
    const x = b.zeros(3, 4);
    const y = b.zeros(5, 2);
    try {
      assert.throws(() => b.matmul(x, y), (e: Error) => e instanceof ShapeError && /matmul/.test(e.message) && /3×4/.test(e.message) && /5×2/.test(e.message));
      assert.throws(() => b.matmul(x, y, { transA: true, c: b.zeros(1, 1) }), (e: Error) => e instanceof ShapeError && /matmul/.test(e.message));
      assert.throws(() => b.matmul(x, b.zeros(4, 2), { bias: b.zeros(1, 3) }), (e: Error) => e instanceof ShapeError && /bias/.test(e.message) && /1×2/.test(e.message));
    } finally {
      b.free(x, y);
    }
  });

  s('batched: each block equals its own product (odd shapes, transposes, shared operands, per-block bias, C)', async () => {
    for (const c of BATCHED_CASES) await checkBatchedMatmul(b, c, `batched ${JSON.stringify(c)}`);
  });

  s('batched: operands that do not split into the batch, or a wrong bias, raise ShapeError', () => {
    const x = b.zeros(6, 4);
    const y = b.zeros(12, 5);
    try {
      const out = b.matmul(x, y, { batch: 3 });
      assert.equal([out.rows, out.cols], [6, 5]);
      b.free(out);
      assert.throws(() => b.matmul(x, y, { batch: 4 }), (e: Error) => e instanceof ShapeError && /6×4/.test(e.message) && /batch = 4/.test(e.message));
      assert.throws(() => b.matmul(x, y, { batch: 3, shareB: true }), (e: Error) => e instanceof ShapeError && /inner dimensions/.test(e.message));
      assert.throws(() => b.matmul(x, y, { batch: 3, bias: b.zeros(2, 5) }), (e: Error) => e instanceof ShapeError && /3×5/.test(e.message));
      assert.throws(() => b.matmul(x, y, { batch: 0 }), (e: Error) => /batch must be a positive integer/.test(e.message));
    } finally {
      b.free(x, y);
    }
  });

  s('NaN in A row i makes row i of the product NaN, other rows finite', async () => {
    const A = uniform(1, 5, 7);
    A[2 * 7 + 3] = NaN;
    const [out] = await agreeWithRef(b, [host(A, 5, 7), host(uniform(2, 7, 6), 7, 6)], (be, [x, y]) => be.matmul(x, y, { act: 'relu' }), TOL.matmul, 'matmul NaN');
    for (let j = 0; j < 6; j++) assert.ok(Number.isNaN(out[2 * 6 + j]), `row 2 col ${j} should be NaN`);
    assert.ok(Number.isFinite(out[0]) && Number.isFinite(out[4 * 6 + 5]));
  });

  s.run();
}
