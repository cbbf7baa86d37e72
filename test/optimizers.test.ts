import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../dist/featurelab.js';
import type { Backend } from '../src/index.js';
import { ref, testBackends } from './support/backends.js';
import { expectClose } from './support/compare.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const SHAPES = [[1, 1], [3, 17], [65, 127], [257, 3], [1000, 5]];

/** Runs `steps` optimizer steps from the same start on `be` and returns the final param and state. */
async function train(be: Backend, kind: 'sgd' | 'nesterov' | 'adamw', rows: number, cols: number, steps: number): Promise<Float32Array[]> {
  const p = be.upload(uniform(1, rows, cols), rows, cols);
  const s1 = be.zeros(rows, cols);
  const s2 = be.zeros(rows, cols);
  for (let t = 1; t <= steps; t++) {
    const g = be.upload(uniform(100 + t, rows, cols, -2, 2), rows, cols);
    if (kind === 'adamw') be.adamwStep(p, g, s1, s2, { lr: 0.01, step: t, weightDecay: 0.1 });
    else be.sgdStep(p, g, s1, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: kind === 'nesterov' });
    be.free(g);
  }
  const out = [await be.read(p), await be.read(s1), await be.read(s2)];
  be.free(p, s1, s2);
  return out;
}

for (const b of [...testBackends, ref as unknown as Backend]) {
  const s = suite(`optimizers [${b.name}]`);

  if (b.name !== 'ref') s('SGD (plain, momentum, Nesterov) and AdamW agree with the reference over 5 steps', async () => {
    for (const kind of ['sgd', 'nesterov', 'adamw'] as const) {
      for (const [r, c] of SHAPES) {
        const got = await train(b, kind, r, c, 5);
        const want = await train(ref as unknown as Backend, kind, r, c, 5);
        got.forEach((g, i) => expectClose(g, want[i], TOL.optimizer, `${kind} ${r}×${c} state ${i} [${b.name}]`));
      }
    }
  });

  s('hand-worked steps: SGD with momentum and weight decay, Nesterov, AdamW', async () => {
    const close = (got: Float32Array, want: number[], what: string) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-6, `${what}[${i}] = ${got[i]}, want ${w}`));
    const p = b.upload([1], 1, 1);
    const v = b.zeros(1, 1);
    const g = b.upload([0.5], 1, 1);
    b.sgdStep(p, g, v, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    close(await b.read(p), [0.94], 'sgd p after 1 step');
    b.sgdStep(p, g, v, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    close(await b.read(p), [0.8266], 'sgd p after 2 steps');
    close(await b.read(v), [1.134], 'sgd v after 2 steps');
    const pn = b.upload([1], 1, 1);
    const vn = b.zeros(1, 1);
    b.sgdStep(pn, g, vn, { lr: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true });
    close(await b.read(pn), [0.886], 'nesterov p');
    const plain = b.upload([1], 1, 1);
    b.sgdStep(plain, g, null, { lr: 0.1 });
    close(await b.read(plain), [0.95], 'plain sgd p');
    const pa = b.upload([1], 1, 1);
    const m = b.zeros(1, 1);
    const va = b.zeros(1, 1);
    b.adamwStep(pa, g, m, va, { lr: 0.1, step: 1, weightDecay: 0.01 });
    close(await b.read(pa), [0.999 - 0.1 * 0.5 / (0.5 + 1e-8)], 'adamw p');
    close(await b.read(m), [0.05], 'adamw m');
    close(await b.read(va), [0.00025], 'adamw v');
    b.free(p, v, g, pn, vn, plain, pa, m, va);
  });

  s('bad optimizer arguments raise typed errors', () => {
    const p = b.zeros(2, 3);
    const g = b.zeros(3, 2);
    const [q, m, v] = [b.zeros(2, 3), b.zeros(2, 3), b.zeros(2, 3)];
    try {
      assert.throws(() => b.sgdStep(p, g, null, { lr: 0.1 }), (e: Error) => e instanceof ShapeError && /sgdStep/.test(e.message));
      assert.throws(() => b.sgdStep(p, q, null, { lr: 0.1, momentum: 0.9 }), (e: Error) => e instanceof ArgumentError && /velocity/.test(e.message));
      assert.throws(() => b.sgdStep(p, q, null, { lr: NaN }), (e: Error) => e instanceof ArgumentError && /lr/.test(e.message));
      assert.throws(() => b.adamwStep(p, q, m, v, { lr: 0.1, step: 0 }), (e: Error) => e instanceof ArgumentError && /step/.test(e.message));
      assert.throws(() => b.adamwStep(p, p, m, v, { lr: 0.1, step: 1 }), (e: Error) => e instanceof ArgumentError && /param and grad are the same matrix/.test(e.message));
    } finally {
      b.free(p, g, q, m, v);
    }
  });

  s('hyper-parameters that would train wrongly are refused by name and value; the edges (momentum 0, weightDecay 0, betas 0) still step', async () => {
    const p = b.upload([1], 1, 1);
    const g = b.upload([0.5], 1, 1);
    const [vel, m, v] = [b.zeros(1, 1), b.zeros(1, 1), b.zeros(1, 1)];
    const refused = (f: () => void, why: RegExp) => assert.throws(f, (e: Error) => e instanceof ArgumentError && why.test(e.message), String(why));
    try {
      refused(() => b.sgdStep(p, g, null, { lr: 0.1, weightDecay: -5 }), /sgdStep: weightDecay must be ≥ 0, got -5 \(a negative decay grows the weights/);
      refused(() => b.sgdStep(p, g, vel, { lr: 0.1, momentum: -2 }), /sgdStep: momentum must be in \[0, 1\), got -2/);
      refused(() => b.sgdStep(p, g, vel, { lr: 0.1, momentum: 1.5 }), /sgdStep: momentum must be in \[0, 1\), got 1\.5/);
      refused(() => b.sgdStep(p, g, vel, { lr: 0.1, momentum: 1 }), /sgdStep: momentum must be in \[0, 1\), got 1 /);
      refused(() => b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, weightDecay: -5 }), /adamwStep: weightDecay must be ≥ 0, got -5/);
      refused(() => b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, beta1: 1 }), /adamwStep: beta1 must be in \[0, 1\), got 1/);
      refused(() => b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, beta2: -0.1 }), /adamwStep: beta2 must be in \[0, 1\), got -0\.1/);
      refused(() => b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, eps: -1 }), /adamwStep: eps must be > 0/);
      assert.equal([...await b.read(p), ...await b.read(vel), ...await b.read(m), ...await b.read(v)], [1, 0, 0, 0], 'a refused step changes nothing');
      // momentum 0 leaves the velocity alone: p = 1 − 0.1·0.5.
      b.sgdStep(p, g, vel, { lr: 0.1, momentum: 0, weightDecay: 0 });
      assert.ok(Math.abs((await b.read(p))[0] - 0.95) < 1e-6, `sgd p ${(await b.read(p))[0]}`);
      assert.equal(Array.from(await b.read(vel)), [0]);
      // β1 = β2 = 0 and no decay: m = g, v = g², p −= 0.1·g/(|g| + eps) = 0.95 − 0.1.
      b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, beta1: 0, beta2: 0, weightDecay: 0 });
      assert.ok(Math.abs((await b.read(p))[0] - 0.85) < 1e-6, `adamw p ${(await b.read(p))[0]}`);
      assert.equal([...await b.read(m), ...await b.read(v)], [0.5, 0.25]);
    } finally {
      b.free(p, g, vel, m, v);
    }
  });

  s.run();
}
