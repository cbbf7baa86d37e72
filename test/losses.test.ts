import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ShapeError } from '../dist/featurelab.js';
import { ref, testBackends } from './support/backends.js';
import { agreeWithRef, host } from './support/check.js';
import { expectClose } from './support/compare.js';
import { labels, uniform } from './support/random.js';
import { TOL } from './tolerances.js';

// WebGPU runs a thread per row or a workgroup per row, by rows and width and adapter: 5×40 and 2×300 take a
// workgroup per row on every adapter, 1000×10 a thread per row.
const SHAPES = [[1, 1], [1, 2], [3, 10], [17, 3], [5, 40], [2, 300], [64, 65], [127, 10], [257, 17], [1000, 10]];

const all = [...testBackends, ref];
for (const b of all) {
  const s = suite(`losses [${b.name}]`);

  // The reference is checked by the hand-worked cases; the other backends also against the reference.
  if (b !== ref) s('softmax cross-entropy: mean loss and gradient against the reference', async () => {
    for (const [m, c] of SHAPES) {
      const inputs = [host(uniform(m * c, m, c, -5, 5), m, c), host(labels(m + c, m, c), m, 1)];
      await agreeWithRef(b, inputs, (be, [z, y]) => { const r = be.softmaxCrossEntropy(z, y); return [r.loss, r.grad]; }, TOL.loss, `softmaxCE ${m}×${c}`);
    }
  });

  s('softmax cross-entropy with batch B: the sum of the row blocks\' mean losses, each block\'s own gradient', async () => {
    for (const [batch, m, c] of [[3, 17, 10], [5, 1, 3], [2, 64, 65]]) {
      const z = uniform(batch * m + c, batch * m, c, -5, 5);
      const y = labels(batch + m, batch * m, c);
      const zz = b.upload(z, batch * m, c);
      const yy = b.upload(y, batch * m, 1);
      const { loss, grad } = b.softmaxCrossEntropy(zz, yy, { batch });
      const [l, g] = [(await b.read(loss))[0]!, await b.read(grad)];
      let want = 0;
      for (let blk = 0; blk < batch; blk++) {
        // Each block alone on the same backend: with WASM and ref the same bits, on WebGPU within tolerance.
        const zb = b.upload(z.subarray(blk * m * c, (blk + 1) * m * c), m, c);
        const yb = b.upload(y.subarray(blk * m, (blk + 1) * m), m, 1);
        const one = b.softmaxCrossEntropy(zb, yb);
        want += (await b.read(one.loss))[0]!;
        const gb = await b.read(one.grad);
        if (b.name === 'webgpu') expectClose(g.subarray(blk * m * c, (blk + 1) * m * c), gb, TOL.loss, `CE batch ${batch} block ${blk} grad`);
        else assert.equal(Array.from(g.subarray(blk * m * c, (blk + 1) * m * c)), Array.from(gb), `CE batch ${batch} block ${blk} grad`);
        b.free(zb, yb, one.loss, one.grad);
      }
      assert.ok(Math.abs(l - want) <= 1e-5 * Math.abs(want), `loss ${l}, sum of block losses ${want}`);
      b.free(zz, yy, loss, grad);
    }
    const z = b.zeros(6, 2);
    assert.throws(() => b.softmaxCrossEntropy(z, b.zeros(6, 1), { batch: 4 }), (e: Error) => e instanceof ShapeError && /batch = 4/.test(e.message));
    b.free(z);
  });

  s('softmax cross-entropy is stable at logits ±1e4 (hand-worked values)', async () => {
    // Row 0: the label holds the largest logit by a margin of 2e4 → loss 0, grad 0.
    // Row 1: the label is 2e4 below the maximum → loss 2e4, grad (1 − 1)/2 at the max, −1/2 at the label.
    // Row 2: two equal maxima, label on one → loss log 2, grad 1/4 and −1/4.
    // 3 columns, and padded with −1e4 to 40 (same values; on WebGPU the other kernel).
    for (const cols of [3, 40]) {
      const rows = [[1e4, -1e4, -1e4], [-1e4, 1e4, -1e4], [1e4, 1e4, -1e4]].map((r) => [...r, ...new Array<number>(cols - 3).fill(-1e4)]);
      const z = b.upload(rows.flat(), 3, cols);
      const y = b.upload([0, 0, 1], 3, 1);
      const { loss, grad } = b.softmaxCrossEntropy(z, y);
      const l = (await b.read(loss))[0];
      const g = await b.read(grad);
      assert.ok(Math.abs(l - (0 + 2e4 + Math.LN2) / 3) < 1e-2, `loss ${l} (${cols} columns)`);
      const want = [[0, 0, 0], [-1 / 3, 1 / 3, 0], [1 / 6, -1 / 6, 0]].flatMap((r) => [...r, ...new Array<number>(cols - 3).fill(0)]);
      g.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `grad[${i}] = ${v}, want ${want[i]} (${cols} columns)`));
      b.free(z, y, loss, grad);
    }
  });

  s('softmax cross-entropy keeps log 3 and (⅓, ⅓, −⅔) for three equal logits of any size (1 … 1e30)', async () => {
    // log-sum-exp as max + log(sum) rounds log(sum) away next to a huge max (1e20: loss 0, grad (1, 1, 0)).
    for (const v of [1, 1e8, 1e12, 1e16, 1e20, 1e30]) {
      const z = b.upload([v, v, v], 1, 3);
      const y = b.upload([2], 1, 1);
      const { loss, grad } = b.softmaxCrossEntropy(z, y);
      const l = (await b.read(loss))[0]!;
      const g = await b.read(grad);
      assert.ok(Math.abs(l - Math.log(3)) < 1e-6, `logits ${v}: loss ${l}, want log 3`);
      [1 / 3, 1 / 3, -2 / 3].forEach((w, j) => assert.ok(Math.abs(g[j]! - w) < 1e-6, `logits ${v}: grad[${j}] = ${g[j]}, want ${w}`));
      b.free(z, y, loss, grad);
    }
  });

  s('softmax cross-entropy: a row of −∞ logits has no softmax: NaN loss and NaN gradient for that row only', async () => {
    for (const c of [3, 40]) {
      const rows = [new Array<number>(c).fill(0), new Array<number>(c).fill(-Infinity)];
      const z = b.upload(rows.flat(), 2, c);
      const y = b.upload([0, 1], 2, 1);
      const { loss, grad } = b.softmaxCrossEntropy(z, y);
      const l = (await b.read(loss))[0]!;
      const g = await b.read(grad);
      assert.ok(Number.isNaN(l), `loss ${l} (${c} columns)`);
      assert.ok(g.subarray(0, c).every(Number.isFinite) && g.subarray(c).every(Number.isNaN), `row 0 finite, row 1 NaN (${c} columns)`);
      b.free(z, y, loss, grad);
    }
  });

  s('softmax cross-entropy: a bad label or a NaN logit gives NaN for its row only', async () => {
    // Row 1: label c (out of range); row 3: a NaN logit. 3 columns, and 40 (on WebGPU the other kernel).
    for (const c of [3, 40]) {
      const z = uniform(2, 4, c);
      z[3 * c + 2] = NaN;
      const inputs = [host(z, 4, c), host(Float32Array.from([0, c, 1, 2]), 4, 1)];
      const [loss, grad] = await agreeWithRef(b, inputs, (be, [zz, y]) => { const r = be.softmaxCrossEntropy(zz, y); return [r.loss, r.grad]; }, TOL.loss, `softmaxCE NaN (${c} columns)`);
      const row = (i: number) => grad.slice(i * c, (i + 1) * c);
      assert.ok(Number.isNaN(loss[0]));
      assert.ok(row(0).every(Number.isFinite) && row(2).every(Number.isFinite), `rows 0 and 2 finite (${c} columns)`);
      assert.ok(row(1).every(Number.isNaN) && row(3).every(Number.isNaN), `rows 1 and 3 NaN (${c} columns)`);
    }
  });

  if (b !== ref) s('mean squared error and its gradient against the reference', async () => {
    for (const [m, c] of SHAPES) {
      await agreeWithRef(b, [host(uniform(m, m, c), m, c), host(uniform(c, m, c), m, c)], (be, [p, t]) => { const r = be.mse(p, t); return [r.loss, r.grad]; }, TOL.loss, `mse ${m}×${c}`);
    }
  });

  s('mean squared error: hand-worked case and shape errors', async () => {
    const p = b.upload([1, 2, 3, 4], 2, 2);
    const t = b.upload([1, 0, 3, 1], 2, 2);
    const { loss, grad } = b.mse(p, t);
    assert.equal(Array.from(await b.read(loss)), [(0 + 4 + 0 + 9) / 4]);
    assert.equal(Array.from(await b.read(grad)), [0, 1, 0, 1.5]);
    assert.throws(() => b.mse(p, b.zeros(4, 1)), (e: Error) => e instanceof ShapeError && /mse/.test(e.message) && /2×2/.test(e.message) && /4×1/.test(e.message));
    assert.throws(() => b.softmaxCrossEntropy(p, b.zeros(1, 2)), (e: Error) => e instanceof ShapeError && /labels/.test(e.message));
    b.free(p, t, loss, grad);
  });

  s.run();
}
