/**
 * The autograd tape: every vector-Jacobian rule against central finite differences on the f64 reference
 * backend, and whole-network gradients (the margin paper's pair and parity networks with the (2,ν) norm
 * regulariser, an MLP) agreeing across backends.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape, type Var } from '../src/autograd/tape.js';
import { Mlp } from '../src/nn/mlp.js';
import type { Model } from '../src/nn/model.js';
import { PairNet, pairOneHots } from '../src/nn/pairNet.js';
import { ParityNet } from '../src/nn/parityNet.js';
import { rowSelection } from '../src/nn/rowSelection.js';
import { Rng } from '../src/rng.js';
import type { Backend, Mat } from '../src/index.js';
import { ref, testBackends } from './support/backends.js';
import { expectClose } from './support/compare.js';
import { uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const H = 1e-6;

/** An input of a gradient check: its data and shape, and whether it is a parameter (gets checked). */
interface Input {
  data: number[];
  rows: number;
  cols: number;
  param: boolean;
}

const param = (seed: number, rows: number, cols: number, lo = -1, hi = 1): Input => ({ data: Array.from(uniform(seed, rows, cols, lo, hi)), rows, cols, param: true });

/** Builds the scalar on a fresh ref tape and returns its f64 value (and the tape and vars, for backward). */
function evaluate(inputs: Input[], build: (t: Tape, v: Var[]) => Var): { value: number; tape: Tape; vars: Var[]; root: Var } {
  const tape = new Tape(ref as unknown as Backend);
  const vars = inputs.map((inp) => {
    const m = ref.upload(inp.data, inp.rows, inp.cols);
    return inp.param ? tape.param(m) : tape.input(m);
  });
  const root = build(tape, vars);
  return { value: ref.readF64(root.value as never)[0]!, tape, vars, root };
}

/** Checks the tape's gradient of every parameter input against central finite differences. */
function checkGradient(label: string, inputs: Input[], build: (t: Tape, v: Var[]) => Var): void {
  const { tape, vars, root } = evaluate(inputs, build);
  tape.backward(root);
  inputs.forEach((inp, i) => {
    if (!inp.param) return;
    const g = tape.grad(vars[i]!);
    assert.ok(g, `${label}: input ${i} got no gradient`);
    const analytic = ref.readF64(g as never);
    const fd = inp.data.map((_, j) => {
      const at = (delta: number) => {
        const moved = inputs.map((q, k) => (k === i ? { ...q, data: q.data.map((v, e) => (e === j ? v + delta : v)) } : q));
        const r = evaluate(moved, build);
        r.tape.dispose();
        return r.value;
      };
      return (at(H) - at(-H)) / (2 * H);
    });
    expectClose(analytic, fd, { rtol: 1e-5, atol: 1e-7 }, `${label}: d/d input ${i}`);
  });
  tape.dispose();
}

/** Σ (y ⊙ R) for a fixed random R of y's shape: a scalar whose gradient w.r.t. y is R (non-trivial). */
function weighted(t: Tape, y: Var, seed: number): Var {
  return t.sumAll(t.mul(y, t.input(ref.upload(Array.from(uniform(seed, y.value.rows, y.value.cols)), y.value.rows, y.value.cols))));
}

const s = suite('autograd [ref, central finite differences]');

s('matmul: all transposes, alpha, bias, fused ReLU', () => {
  const [m, k, n] = [3, 4, 2];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const A = param(1, transA ? k : m, transA ? m : k);
      const B = param(2, transB ? n : k, transB ? k : n);
      checkGradient(`matmul tA=${transA} tB=${transB}`, [A, B, param(3, 1, n)],
        (t, [a, b, bias]) => weighted(t, t.matmul(a!, b!, { transA, transB, alpha: 0.7, bias: bias!, act: 'relu' }), 4));
    }
  }
});

s('unary ops, binary ops under every broadcast, reductions, transpose, scale, power', () => {
  for (const op of ['tanh', 'square', 'sin', 'sigmoid'] as const) {
    checkGradient(`unary ${op}`, [param(5, 3, 4)], (t, [x]) => weighted(t, t.unary(op, x!), 6));
  }
  const shapes = { full: [3, 4], row: [1, 4], col: [3, 1], scalar: [1, 1] } as const;
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    for (const [bcast, [r, c]] of Object.entries(shapes)) {
      checkGradient(`binary ${op} ${bcast}`, [param(7, 3, 4), param(8, r, c, 0.5, 1.5)], (t, [a, b]) => weighted(t, t.binary(op, a!, b!), 9));
    }
  }
  for (const op of ['sum', 'mean', 'sumSq'] as const) {
    for (const axis of [0, 1] as const) checkGradient(`reduce ${op} axis ${axis}`, [param(10, 3, 4)], (t, [x]) => weighted(t, t.reduce(op, x!, axis), 11));
  }
  checkGradient('transpose', [param(12, 3, 4)], (t, [x]) => weighted(t, t.transpose(x!), 13));
  checkGradient('scale', [param(14, 2, 3)], (t, [x]) => weighted(t, t.scale(x!, -2.5), 15));
  checkGradient('power 1.5 (x > 0)', [param(16, 2, 3, 0.2, 2)], (t, [x]) => weighted(t, t.power(x!, 1.5), 17));
  checkGradient('power 2.5 (x > 0)', [param(18, 2, 3, 0.2, 2)], (t, [x]) => weighted(t, t.power(x!, 2.5), 19));
  checkGradient('power 4 (any sign)', [param(20, 2, 3)], (t, [x]) => weighted(t, t.power(x!, 4), 21));
  checkGradient('power 1', [param(22, 2, 3)], (t, [x]) => weighted(t, t.power(x!, 1), 23));
  checkGradient('power 0.5 (x > 0): the derivative 1/(2√x)', [param(24, 2, 3, 0.2, 2)], (t, [x]) => weighted(t, t.power(x!, 0.5), 25));
});

s('gatherSum (summed embeddings): the gradient is the transposed selection', () => {
  // Output rows: 0 = x0 + x3, 1 = x2, 2 = (empty), 3 = x3 + x3 + x1.
  const sel = rowSelection(ref as unknown as Backend, Int32Array.from([0, 0, 1, 3, 3, 3]), Int32Array.from([0, 3, 2, 3, 3, 1]), 4, 5);
  checkGradient('gatherSum', [param(40, 5, 3)], (t, [x]) => weighted(t, t.gatherSum(x!, sel), 41));
  const { value, tape } = evaluate([{ data: [1, 2, 3, 4, 5], rows: 5, cols: 1, param: true }], (t, [x]) => t.sumAll(t.mul(t.gatherSum(x!, sel), t.input(ref.upload([1, 10, 100, 1000], 4, 1)))));
  tape.dispose();
  assert.is(value, (1 + 4) + 10 * 3 + 0 + 1000 * (4 + 4 + 2));
});

s('losses: softmax cross-entropy and MSE, scaled and summed with other terms', () => {
  const labels = ref.upload([2, 0, 1], 3, 1);
  checkGradient('softmax cross-entropy', [param(24, 3, 4)], (t, [z]) => t.softmaxCrossEntropy(z!, labels));
  checkGradient('2·CE + Σx²', [param(25, 3, 4)], (t, [z]) => t.add(t.scale(t.softmaxCrossEntropy(z!, labels), 2), t.sumAll(t.unary('square', z!))));
  const target = ref.upload(Array.from(uniform(26, 3, 4)), 3, 4);
  checkGradient('mse', [param(27, 3, 4)], (t, [p]) => t.mse(p!, target));
});

s('a value used twice accumulates both gradients; inputs get none; bad roots are refused', () => {
  checkGradient('x·x + x', [param(28, 2, 2)], (t, [x]) => t.sumAll(t.add(t.mul(x!, x!), x!)));
  const tape = new Tape(ref as unknown as Backend);
  const x = tape.input(ref.upload([1, 2], 1, 2));
  const w = tape.param(ref.upload([3, 4], 1, 2));
  tape.backward(tape.sumAll(tape.mul(x, w)));
  assert.is(tape.grad(x), null);
  assert.equal(Array.from(ref.readF64(tape.grad(w) as never)), [1, 2]);
  assert.throws(() => tape.backward(tape.mul(x, w)), /1×1/);
  tape.dispose();
  assert.throws(() => tape.param(ref.zeros(1, 1)), /disposed/);
});

s('the margin regulariser Σ_i ‖θ_i‖^ν of the pair network (ν = 3) and the parity network (ν = 5)', () => {
  const rng = new Rng(3);
  const pair = new PairNet(ref as unknown as Backend, { tokens: 3, classes: 3, width: 4, act: 'square', initStd: 0.5 }, rng);
  const e = Array.from(ref.readF64(pair.params.get('E') as never));
  const w = Array.from(ref.readF64(pair.params.get('W') as never));
  checkGradient('pair ‖θ‖^3', [{ data: e, rows: 6, cols: 4, param: true }, { data: w, rows: 4, cols: 3, param: true }],
    (t, [E, W]) => pair.normPower(t, { E: E!, W: W! }, 3));
  // Value against a direct computation.
  const { value, tape } = evaluate([{ data: e, rows: 6, cols: 4, param: true }, { data: w, rows: 4, cols: 3, param: true }], (t, [E, W]) => pair.normPower(t, { E: E!, W: W! }, 3));
  tape.dispose();
  let direct = 0;
  for (let i = 0; i < 4; i++) {
    let sq = 0;
    for (let r = 0; r < 6; r++) sq += e[r * 4 + i]! ** 2;
    for (let c = 0; c < 3; c++) sq += w[i * 3 + c]! ** 2;
    direct += sq ** 1.5;
  }
  assert.ok(Math.abs(value - direct) < 1e-12 * direct, `‖θ‖^3 = ${value}, direct ${direct}`);
  const parity = new ParityNet(ref as unknown as Backend, { bits: 4, width: 3, power: 4, initStd: 0.5 }, rng);
  const u = Array.from(ref.readF64(parity.params.get('U') as never));
  const pw = Array.from(ref.readF64(parity.params.get('W') as never));
  checkGradient('parity ‖θ‖^5', [{ data: u, rows: 4, cols: 3, param: true }, { data: pw, rows: 3, cols: 2, param: true }],
    (t, [U, W]) => parity.normPower(t, { U: U!, W: W! }, 5));
  pair.params.free();
  parity.params.free();
});

s.run();

/** Loss (CE + λ‖θ‖^ν when the model has a norm) gradients of every parameter of `model` on its backend. */
async function networkGradients(model: Model, x: Float32Array, rows: number, cols: number, labels: number[], nu: number | null, bind?: (xm: Mat) => void): Promise<Float32Array[]> {
  const be = model.params.backend;
  const tape = new Tape(be);
  const xm = be.upload(x, rows, cols);
  bind?.(xm);
  const ym = be.upload(labels, rows, 1);
  try {
    const p = model.params.onTape(tape);
    let loss = tape.softmaxCrossEntropy(model.forward(tape, p, tape.input(xm)), ym);
    if (nu !== null) loss = tape.add(loss, tape.scale(model.normPower!(tape, p, nu), 1e-2));
    tape.backward(loss);
    const out: Float32Array[] = [];
    for (const q of model.params.list) out.push(await be.read(tape.grad(p[q.name]!) as Mat));
    return out;
  } finally {
    tape.dispose();
    be.free(xm, ym);
  }
}

for (const b of testBackends) {
  const n = suite(`autograd: whole-network gradients agree with ref [${b.name}]`);
  n('pair network (square and ReLU) with the ν = 3 regulariser, parity network with ν = 5, MLP', async () => {
    const tokens = 7;
    const a = Int32Array.from({ length: 49 }, (_, i) => Math.floor(i / 7));
    const c = Int32Array.from({ length: 49 }, (_, i) => i % 7);
    const x = pairOneHots(a, c, tokens);
    const y = Array.from(a, (v, i) => (v + c[i]!) % tokens);
    const cases: { make: (be: Backend) => Model; x: Float32Array; rows: number; cols: number; y: number[]; nu: number | null; label: string; gathered?: boolean }[] = [
      { label: 'pair square, gathered embeddings', make: (be) => new PairNet(be, { tokens, classes: tokens, width: 16, act: 'square', initStd: 0.3 }, new Rng(1)), x, rows: 49, cols: 14, y, nu: 3, gathered: true },
      { label: 'pair square', make: (be) => new PairNet(be, { tokens, classes: tokens, width: 16, act: 'square', initStd: 0.3 }, new Rng(1)), x, rows: 49, cols: 14, y, nu: 3 },
      { label: 'pair relu', make: (be) => new PairNet(be, { tokens, classes: tokens, width: 16, act: 'relu', initStd: 0.3 }, new Rng(2)), x, rows: 49, cols: 14, y, nu: 3 },
      {
        label: 'parity', make: (be) => new ParityNet(be, { bits: 6, width: 9, power: 4, initStd: 0.4 }, new Rng(3)),
        x: Float32Array.from({ length: 20 * 6 }, (_, i) => ((i * 7919) % 3 === 0 ? -1 : 1)), rows: 20, cols: 6, y: Array.from({ length: 20 }, (_, i) => i % 2), nu: 5,
      },
      { label: 'mlp', make: (be) => new Mlp(be, [17, 33, 65, 3], new Rng(4)), x: uniform(5, 31, 17), rows: 31, cols: 17, y: Array.from({ length: 31 }, (_, i) => i % 3), nu: null },
    ];
    for (const cs of cases) {
      const mine = cs.make(b);
      const oracle = cs.make(ref as unknown as Backend);
      const bind = (m: Model) => (cs.gathered ? (xm: Mat) => (m as PairNet).bindPairs(xm, a, c) : undefined);
      const [got, want] = [await networkGradients(mine, cs.x, cs.rows, cs.cols, cs.y, cs.nu, bind(mine)), await networkGradients(oracle, cs.x, cs.rows, cs.cols, cs.y, cs.nu, bind(oracle))];
      if (cs.gathered) {
        // The gathered path must give the one-hot path's gradients.
        const viaOneHot = await networkGradients(oracle, cs.x, cs.rows, cs.cols, cs.y, cs.nu);
        want.forEach((w, i) => expectClose(w, viaOneHot[i]!, TOL.networkGradient, `gathered vs one-hot gradient ${i}`));
      }
      got.forEach((g, i) => expectClose(g, want[i]!, TOL.networkGradient, `${cs.label} [${b.name}] gradient of ${mine.params.list[i]!.name}`));
      mine.params.free();
      oracle.params.free();
    }
  });
  n.run();
}
