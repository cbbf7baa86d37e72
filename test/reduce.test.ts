import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { REDUCE_OPS } from '../dist/featurelab.js';
import { ref, testBackends } from './support/backends.js';
import { expectClose } from './support/compare.js';
import { agreeWithRef, host } from './support/check.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const SHAPES = [[1, 1], [1, 17], [17, 1], [2, 3], [64, 65], [127, 257], [257, 2], [1031, 17], [3, 1031]];

for (const b of testBackends) {
  const s = suite(`reduce [${b.name}]`);

  s('every reduction over both axes on odd shapes', async () => {
    for (const op of REDUCE_OPS) {
      for (const axis of [0, 1] as const) {
        for (const [r, c] of SHAPES) {
          const x = host(uniform(r * 1000 + c, r, c, -2, 2), r, c);
          await agreeWithRef(b, [x], (be, [xx]) => be.reduce(op, xx, axis), op === 'argmax' || op === 'max' ? TOL.exact : TOL.reduce, `reduce ${op} axis ${axis} ${r}×${c}`);
        }
      }
    }
  });

  s('batch B over axis 0: row b of the result is block b reduced alone, for every reduction', async () => {
    for (const op of REDUCE_OPS) {
      for (const [batch, m, n] of [[3, 17, 5], [4, 1, 65], [2, 257, 3], [7, 40, 1]]) {
        const x = uniform(batch * 100 + m + n, batch * m, n, -2, 2);
        const xm = b.upload(x, batch * m, n);
        const out = b.reduce(op, xm, 0, { batch });
        assert.equal([out.rows, out.cols], [batch, n]);
        const got = await b.read(out);
        for (let blk = 0; blk < batch; blk++) {
          const xb = ref.upload(x.subarray(blk * m * n, (blk + 1) * m * n), m, n);
          const want = ref.reduce(op, xb, 0);
          expectClose(got.subarray(blk * n, (blk + 1) * n), await ref.read(want), op === 'argmax' || op === 'max' ? TOL.exact : TOL.reduce, `reduce ${op} batch ${batch} ${m}×${n} block ${blk}`);
          ref.free(xb, want);
        }
        b.free(xm, out);
      }
    }
    const x = b.zeros(6, 2);
    assert.throws(() => b.reduce('sum', x, 0, { batch: 4 }), /batch = 4/);
    assert.throws(() => b.reduce('sum', x, 1, { batch: 2 }), /axis 1/);
    b.free(x);
  });

  s('long lines sum without drift: 0.1 added 200 000 times (both axes, both kernels), 1e6 and 4e6 elements, sumSq and mean too', async () => {
    for (const [r, c, axis] of [[200000, 32, 0], [32, 200000, 1], [1000000, 1, 0], [1, 4000000, 1]] as const) {
      const xm = b.upload(new Float32Array(r * c).fill(0.1), r, c);
      const len = axis === 0 ? r : c;
      const f = Math.fround(0.1);
      for (const [op, want] of [['sum', f * len], ['mean', f], ['sumSq', Math.fround(f * f) * len]] as const) {
        const got = await b.read(b.scope(() => b.reduce(op, xm, axis)));
        for (const v of got) assert.ok(Math.abs(v - want) <= TOL.reduce.atol * Math.abs(want), `${op} of ${r}×${c} axis ${axis}: ${v}, want ${want}`);
      }
      b.free(xm);
    }
  });

  s('argmax picks the first of equal maxima; result shapes are 1×n and m×1', async () => {
    const x = host(Float32Array.from([1, 5, 5, 2, /**/ 7, 7, 0, 7]), 2, 4);
    const [rows] = await agreeWithRef(b, [x], (be, [xx]) => be.reduce('argmax', xx, 1), TOL.exact, 'argmax ties');
    assert.equal(Array.from(rows), [1, 0]);
    const m0 = b.upload(x.data, 2, 4);
    const r0 = b.reduce('sum', m0, 0);
    const r1 = b.reduce('sum', m0, 1);
    assert.equal([r0.rows, r0.cols, r1.rows, r1.cols], [1, 4, 2, 1]);
    b.free(m0, r0, r1);
  });

  s('NaN in a column makes that column NaN; argmax points at the NaN', async () => {
    const data = uniform(9, 4, 3);
    data[2 * 3 + 1] = NaN;
    for (const op of REDUCE_OPS) {
      const [out] = await agreeWithRef(b, [host(data, 4, 3)], (be, [xx]) => be.reduce(op, xx, 0), op === 'argmax' || op === 'max' ? TOL.exact : TOL.reduce, `reduce ${op} NaN`);
      if (op === 'argmax') assert.is(out[1], 2);
      else assert.ok(Number.isNaN(out[1]) && Number.isFinite(out[0]) && Number.isFinite(out[2]), `${op}: ${Array.from(out)}`);
    }
  });

  s.run();
}
