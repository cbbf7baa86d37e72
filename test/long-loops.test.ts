/**
 * Lines longer than 65535: llvmpipe (Mesa's lavapipe, the Deno run's adapter) ends a shader loop after 65535
 * iterations without a word, so software adapters give such lines a workgroup (threadPerLine in the WebGPU
 * backend). Reductions, a matmul and softmax cross-entropy over 70 000-long lines against the reference, on every
 * backend.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testBackends } from './support/backends.js';
import { agreeWithRef, host } from './support/check.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const LONG = 70000;

for (const b of testBackends) {
  const s = suite(`loops past 65535 iterations [${b.name}]`);

  s('max and argmax find an element past 65535; sum counts every element (both kernels: 2 and 64 lines)', async () => {
    for (const lines of [2, 64]) {
      const data = new Float32Array(lines * LONG).fill(1);
      for (let l = 0; l < lines; l++) data[l * LONG + LONG - 3] = 5;
      const x = b.upload(data, lines, LONG);
      const [mx, at, sum] = await Promise.all([b.reduce('max', x, 1), b.reduce('argmax', x, 1), b.reduce('sum', x, 1)].map((m) => b.read(m)));
      assert.equal([mx![0], at![0], sum![0]], [5, LONG - 3, LONG + 4], `${lines} lines`);
      assert.equal([mx![lines - 1], at![lines - 1], sum![lines - 1]], [5, LONG - 3, LONG + 4], `${lines} lines, the last`);
      b.free(x);
    }
  });

  s('a matmul with K = 70 000 and softmax cross-entropy over 70 000 classes agree with the reference', async () => {
    const a = host(uniform(1, 3, LONG, -1, 1), 3, LONG);
    const c = host(uniform(2, LONG, 2, -1, 1), LONG, 2);
    await agreeWithRef(b, [a, c], (be, [x, y]) => be.matmul(x, y), TOL.matmul, `matmul 3×${LONG}·${LONG}×2`);
    const logits = host(uniform(3, 2, LONG, -3, 3), 2, LONG);
    const labels = host(Float32Array.from([LONG - 2, 7]), 2, 1);
    await agreeWithRef(b, [logits, labels], (be, [z, y]) => { const r = be.softmaxCrossEntropy(z, y); return [r.loss, r.grad]; }, TOL.loss, `softmaxCE 2×${LONG}`);
  });

  s.run();
}
