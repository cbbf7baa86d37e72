import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UNARY_OPS } from '../dist/featurelab.js';
import { ref } from './support/backends.js';
import { expectClose } from './support/compare.js';
import { TOL } from './tolerances.js';

// Points away from each op's kinks (relu and abs at 0) and inside its domain (log, sqrt need x > 0; acos |x| < 1).
const POINTS = [-3.1, -1.7, -0.6, -0.05, 0.05, 0.4, 1.3, 2.9];
const POSITIVE = [0.07, 0.3, 0.9, 1.6, 2.5, 4.2, 7.7, 11];
const INSIDE_UNIT = [-0.95, -0.6, -0.3, -0.05, 0.05, 0.35, 0.7, 0.93]; // acos: |x| < 1
const H = 1e-5;

const s = suite('gradients [ref, central finite differences]');

s('unaryGrad(op, x, dy) = dy · (f(x+h) − f(x−h)) / 2h for every unary op', () => {
  for (const op of UNARY_OPS) {
    const xs = op === 'log' || op === 'sqrt' ? POSITIVE : op === 'acos' ? INSIDE_UNIT : POINTS;
    const n = xs.length;
    const dy = xs.map((_, i) => 0.5 + i / 4);
    const xPlus = ref.upload(xs.map((x) => x + H), 1, n);
    const xMinus = ref.upload(xs.map((x) => x - H), 1, n);
    const fPlus = ref.readF64(ref.unary(op, xPlus));
    const fMinus = ref.readF64(ref.unary(op, xMinus));
    const fd = xs.map((_, i) => (dy[i] * (fPlus[i] - fMinus[i])) / (2 * H));
    const analytic = ref.readF64(ref.unaryGrad(op, ref.upload(xs, 1, n), ref.upload(dy, 1, n)));
    expectClose(analytic, fd, TOL.finiteDifference, `unaryGrad(${op}) vs finite differences`);
  }
});

s('matmul epilogue gradient: d/dbias of sum(act(A·B + bias)) matches finite differences', () => {
  for (const act of ['gelu', 'tanh', 'sigmoid', 'cube'] as const) {
    const A = ref.upload([0.3, -0.2, 0.5, 0.1, 0.7, -0.4], 2, 3);
    const B = ref.upload([0.2, -0.1, 0.4, 0.3, -0.5, 0.6], 3, 2);
    const total = (bias: number[]) => ref.readF64(ref.matmul(A, B, { bias: ref.upload(bias, 1, 2), act })).reduce((s, v) => s + v, 0);
    const pre = ref.matmul(A, B, { bias: ref.upload([0.1, -0.2], 1, 2) });
    const ones = ref.upload([1, 1, 1, 1], 2, 2);
    const grad = ref.readF64(ref.reduce('sum', ref.unaryGrad(act, pre, ones), 0));
    const fd = [0, 1].map((j) => {
      const plus = [0.1, -0.2];
      const minus = [0.1, -0.2];
      plus[j] += H;
      minus[j] -= H;
      return (total(plus) - total(minus)) / (2 * H);
    });
    expectClose(grad, fd, TOL.finiteDifference, `epilogue ${act}`);
    assert.ok(grad.every(Number.isFinite));
  }
});

s.run();
