import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY_OPS, BROADCASTS, UNARY_OPS, ShapeError } from '../dist/featurelab.js';
import type { Broadcast, UnaryOp } from '../src/index.js';
import { testBackends } from './support/backends.js';
import { agreeWithRef, host } from './support/check.js';
import { rng, uniform } from './support/random.js';
import { TOL } from './tolerances.js';

const SHAPES = [[1, 1], [1, 3], [2, 17], [17, 64], [65, 127], [127, 3], [257, 65], [1000, 33]];
const ROUNDS_ONCE: UnaryOp[] = ['relu', 'square', 'neg', 'abs'];

/** Inputs in each op's domain: positive for log and sqrt, inside (−1, 1) for acos, moderate elsewhere. */
function domain(op: UnaryOp, seed: number, rows: number, cols: number): Float32Array {
  if (op === 'acos') return uniform(seed, rows, cols, -0.999, 0.999);
  return op === 'log' || op === 'sqrt' ? uniform(seed, rows, cols, 0.05, 4) : uniform(seed, rows, cols, -4, 4);
}

/** The tolerance of a unary op or its gradient. */
function unaryTol(op: UnaryOp) {
  return ROUNDS_ONCE.includes(op) ? TOL.exact : TOL.transcendental;
}

/** b's shape for a broadcast against a rows×cols a. */
function bShape(bcast: Broadcast, rows: number, cols: number): [number, number] {
  return { full: [rows, cols], row: [1, cols], col: [rows, 1], scalar: [1, 1] }[bcast] as [number, number];
}

/** bits → f32 and back, for neighbours and random exponents. */
const f32Bits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0];
const bitsOf = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0];

/**
 * Arguments that need an exact reduction by π/2: the ones the built-ins got wrong, the 65536 boundary of the
 * short reduction, powers of two 2^17…2^127 with their f32 neighbours, the largest finite f32, the f32 closest
 * to a multiple of π/2 in 24 binades (found by an exhaustive search over every f32 > 65536; 16367173·2^72 is
 * 1.6e-9 from one), the f32 nearest to k·π/2 for some large k, and 6000 random finite f32 of any exponent;
 * every value with both signs.
 */
function largeTrigArguments(): Float32Array {
  const xs = [1e6, 1e7, 65535, 65536, 65537, 3.4028235e38, 1e10, 1e20, 1e30];
  for (let p = 17; p <= 127; p++) {
    const bits = bitsOf(2 ** p);
    xs.push(f32Bits(bits - 1), 2 ** p, f32Bits(bits + 1));
  }
  xs.push(7.72917892e+28, 2.19993846e+10, 1.54583578e+29, 4.39987692e+10, 3.09167157e+29, 4.63818338e+25,
    1.52278899e+12, 8.11762664e+22, 8.79975383e+10, 4.3865579e+33, 42781604, 1.0341292e+27, 6.18334314e+29,
    9.27636677e+25, 1.52826894e+17, 3.04557798e+12, 1.62352533e+23, 1.75995077e+11, 3.7955707e+30, 2709675.5,
    8.77311579e+33, 1.28410089e+22, 620046656, 1.26145879e+38);
  for (const k of [1e5, 123456789, 2 ** 40 + 1, 1e15, 3e20]) xs.push(k * Math.PI / 2);
  const r = rng(4242);
  for (let i = 0; i < 3000; i++) {
    const exponent = 1 + Math.floor(r() * 254);   // every finite binade but the subnormals
    xs.push(f32Bits((exponent << 23) | Math.floor(r() * 2 ** 23)));
  }
  return Float32Array.from([...xs, ...xs.map((v) => -v)]);
}

for (const b of testBackends) {
  const s = suite(`elementwise [${b.name}]`);

  s('every unary op on odd shapes', async () => {
    for (const op of UNARY_OPS) {
      for (const [r, c] of SHAPES) {
        await agreeWithRef(b, [host(domain(op, r * c, r, c), r, c)], (be, [x]) => be.unary(op, x), unaryTol(op), `unary ${op} ${r}×${c}`);
      }
    }
  });

  s('every unary gradient dy·f′(x) on odd shapes', async () => {
    for (const op of UNARY_OPS) {
      for (const [r, c] of SHAPES) {
        const x = host(domain(op, r + c, r, c), r, c);
        const dy = host(uniform(r * c + 1, r, c), r, c);
        await agreeWithRef(b, [x, dy], (be, [xx, d]) => be.unaryGrad(op, xx, d), op === 'cube' ? TOL.transcendental : unaryTol(op), `unaryGrad ${op} ${r}×${c}`);
      }
    }
  });

  s('extreme inputs: tanh, sigmoid and gelu saturate without NaN at ±1e4 and at the largest finite floats', async () => {
    const x = host(Float32Array.from([-3.1e38, -1e4, -100, -20, -1e-30, 0, 1e-30, 20, 100, 1e4, 3.1e38]), 1, 11);
    for (const op of ['tanh', 'sigmoid', 'gelu', 'relu'] as const) {
      const [out] = await agreeWithRef(b, [x], (be, [xx]) => be.unary(op, xx), TOL.transcendental, `unary ${op} extremes`);
      assert.ok(out.every(Number.isFinite), `${op} gave a non-finite value: ${Array.from(out)}`);
      const dy = host(new Float32Array(11).fill(1), 1, 11);
      const [g] = await agreeWithRef(b, [x, dy], (be, [xx, d]) => be.unaryGrad(op, xx, d), TOL.transcendental, `unaryGrad ${op} extremes`);
      assert.ok(g.every(Number.isFinite), `${op}′ gave a non-finite value: ${Array.from(g)}`);
    }
  });

  s('sin, cos and their gradients reduce large arguments exactly (every finite f32 up to 3.4e38)', async () => {
    const x = largeTrigArguments();
    const n = x.length;
    const dy = host(new Float32Array(n).fill(1), 1, n);
    for (const op of ['sin', 'cos'] as const) {
      await agreeWithRef(b, [host(x, 1, n)], (be, [xx]) => be.unary(op, xx), TOL.transcendental, `unary ${op} large arguments`);
      await agreeWithRef(b, [host(x, 1, n), dy], (be, [xx, d]) => be.unaryGrad(op, xx, d), TOL.transcendental, `unaryGrad ${op} large arguments`);
    }
  });

  s('acos′ keeps its accuracy next to ±1 (1 − x² cancels there; (1 − x)(1 + x) does not)', async () => {
    const near = uniform(77, 1, 4000, 0.99, 0.99999).map((v, i) => (i % 2 ? -v : v));
    const x = host(near, 1, 4000);
    const dy = host(new Float32Array(4000).fill(1), 1, 4000);
    await agreeWithRef(b, [x, dy], (be, [xx, d]) => be.unaryGrad('acos', xx, d), TOL.transcendental, 'unaryGrad acos near ±1');
  });

  s('every binary op with every broadcast on odd shapes', async () => {
    for (const op of BINARY_OPS) {
      for (const bcast of BROADCASTS) {
        for (const [r, c] of SHAPES) {
          const [br, bc] = bShape(bcast, r, c);
          const a = host(uniform(r, r, c, -3, 3), r, c);
          // Keep divisors away from zero.
          const y = host(op === 'div' ? uniform(c, br, bc, 0.5, 2) : uniform(c, br, bc, -3, 3), br, bc);
          await agreeWithRef(b, [a, y], (be, [x, z]) => be.binary(op, x, z, bcast), TOL.exact, `binary ${op} ${bcast} ${r}×${c}`);
          if (bcast !== 'full' || (br === r && bc === c)) {
            await agreeWithRef(b, [a, y], (be, [x, z]) => be.binary(op, x, z), TOL.exact, `binary ${op} inferred ${bcast} ${r}×${c}`);
          }
        }
      }
    }
  });

  s('copy, transpose and zeros on odd shapes', async () => {
    for (const [r, c] of SHAPES) {
      const x = host(uniform(r * 31 + c, r, c), r, c);
      await agreeWithRef(b, [x], (be, [xx]) => be.transpose(xx), TOL.exact, `transpose ${r}×${c}`);
      await agreeWithRef(b, [x], (be, [xx]) => be.copy(xx), TOL.exact, `copy ${r}×${c}`);
      const z = b.zeros(r, c);
      assert.ok((await b.read(z)).every((v) => v === 0));
      b.free(z);
    }
  });

  s('gatherRows with repeats, both index layouts, and NaN rows for bad indices', async () => {
    for (const [r, c] of SHAPES) {
      const idx = Float32Array.from({ length: 2 * r + 1 }, (_, i) => (i * 7) % r);
      const x = host(uniform(r + c, r, c), r, c);
      await agreeWithRef(b, [x, host(idx, idx.length, 1)], (be, [xx, ii]) => be.gatherRows(xx, ii), TOL.exact, `gatherRows ${r}×${c} column indices`);
      await agreeWithRef(b, [x, host(idx, 1, idx.length)], (be, [xx, ii]) => be.gatherRows(xx, ii), TOL.exact, `gatherRows ${r}×${c} row indices`);
    }
    const bad = host(Float32Array.from([0, -1, 3, 1.5, NaN, 2]), 6, 1);
    const [out] = await agreeWithRef(b, [host(uniform(5, 3, 4), 3, 4), bad], (be, [xx, ii]) => be.gatherRows(xx, ii), TOL.exact, 'gatherRows bad indices');
    for (const row of [1, 2, 3, 4]) assert.ok(out.slice(row * 4, row * 4 + 4).every(Number.isNaN), `row ${row} should be NaN`);
    assert.ok(out.slice(0, 4).every(Number.isFinite) && out.slice(20, 24).every(Number.isFinite));
  });

  s('gatherSumRows: CSR row sums (empty ranges, repeats) against the reference, NaN rows for bad offsets or sources', async () => {
    for (const [r, c] of SHAPES) {
      // Output row q sums (q mod 4) source rows (0 … 3 terms, so some ranges are empty), with repeats.
      const outRows = 2 * r + 1;
      const offsets = [0];
      const sources: number[] = [];
      for (let q = 0; q < outRows; q++) {
        for (let t = 0; t < q % 4; t++) sources.push((q * 5 + t * 3) % r);
        offsets.push(sources.length);
      }
      if (sources.length === 0) sources.push(0);
      const x = host(uniform(r * c, r, c), r, c);
      await agreeWithRef(b, [x, host(Float32Array.from(offsets), offsets.length, 1), host(Float32Array.from(sources), 1, sources.length)],
        (be, [xx, o, so]) => be.gatherSumRows(xx, o, so), TOL.reduce, `gatherSumRows ${r}×${c} → ${outRows} rows`);
    }
    const x = host(uniform(9, 3, 4), 3, 4);
    const offsets = host(Float32Array.from([0, 1, 3, 2, 4, NaN, 4]), 7, 1); // row 2 decreasing, rows 4 and 5 touch NaN
    const sources = host(Float32Array.from([2, 0, 1, 7]), 4, 1); // source 7 is out of range (row 3)
    const [out] = await agreeWithRef(b, [x, offsets, sources], (be, [xx, o, so]) => be.gatherSumRows(xx, o, so), TOL.reduce, 'gatherSumRows bad input');
    for (const row of [2, 3, 4, 5]) assert.ok(out.slice(row * 4, row * 4 + 4).every(Number.isNaN), `row ${row} should be NaN`);
    assert.ok(out.slice(0, 8).every(Number.isFinite));
    assert.throws(() => b.gatherSumRows(b.zeros(2, 2), b.zeros(1, 1), b.zeros(1, 1)), (e: Error) => e instanceof ShapeError && /at least 2/.test(e.message));
  });

  s('square′ of the largest floats: dy·2x is finite where the exact value is (in every element, SIMD lanes and tail alike)', async () => {
    const x = host(new Float32Array(5).fill(-3e38), 1, 5);
    const dy = host(new Float32Array(5).fill(0.5), 1, 5);
    const [g] = await agreeWithRef(b, [x, dy], (be, [xx, d]) => be.unaryGrad('square', xx, d), TOL.exact, 'unaryGrad square at −3e38');
    assert.ok(g.every((v) => v === Math.fround(-3e38)), `got ${Array.from(g)}`);
  });

  s('NaN in gives NaN out for every unary and binary op', async () => {
    const data = uniform(3, 3, 5, 0.1, 2);
    data[7] = NaN;
    for (const op of UNARY_OPS) {
      const [out] = await agreeWithRef(b, [host(data, 3, 5)], (be, [x]) => be.unary(op, x), unaryTol(op), `unary ${op} NaN`);
      assert.ok(Number.isNaN(out[7]), `${op}(NaN) should be NaN, got ${out[7]}`);
      const [g] = await agreeWithRef(b, [host(data, 3, 5), host(new Float32Array(15).fill(1), 3, 5)], (be, [x, d]) => be.unaryGrad(op, x, d), unaryTol(op), `unaryGrad ${op} NaN`);
      assert.ok(Number.isNaN(g[7]), `${op}′(NaN) should be NaN, got ${g[7]}`);
    }
    for (const op of BINARY_OPS) {
      const [out] = await agreeWithRef(b, [host(data, 3, 5), host(uniform(4, 3, 5, 0.5, 1), 3, 5)], (be, [x, y]) => be.binary(op, x, y), TOL.exact, `binary ${op} NaN in a`);
      assert.ok(Number.isNaN(out[7]), `${op}(NaN, y) should be NaN, got ${out[7]}`);
      const [out2] = await agreeWithRef(b, [host(uniform(4, 3, 5, 0.5, 1), 3, 5), host(data, 3, 5)], (be, [x, y]) => be.binary(op, x, y), TOL.exact, `binary ${op} NaN in b`);
      assert.ok(Number.isNaN(out2[7]), `${op}(x, NaN) should be NaN, got ${out2[7]}`);
    }
  });

  s('wrong shapes raise ShapeError naming the op and both shapes', () => {
    const x = b.zeros(3, 4);
    const y = b.zeros(2, 4);
    try {
      assert.throws(() => b.binary('add', x, y), (e: Error) => e instanceof ShapeError && /binary\(add\)/.test(e.message) && /3×4/.test(e.message) && /2×4/.test(e.message));
      assert.throws(() => b.binary('mul', x, b.zeros(1, 4), 'col'), (e: Error) => e instanceof ShapeError && /col/.test(e.message));
      assert.throws(() => b.unaryGrad('tanh', x, y), (e: Error) => e instanceof ShapeError && /unaryGrad\(tanh\)/.test(e.message));
      assert.throws(() => b.gatherRows(x, b.zeros(2, 2)), (e: Error) => e instanceof ShapeError && /gatherRows/.test(e.message));
      // a smaller than b: only b is broadcast, so the message says to swap them (and lists each allowed shape once).
      const one = b.zeros(1, 1);
      assert.throws(() => b.binary('add', one, x), (e: Error) => e instanceof ShapeError && /b must be 1×1 \(only b is broadcast: pass the 3×4 matrix as a\)/.test(e.message), 'swap hint');
      assert.throws(() => b.binary('add', x, y), (e: Error) => !/only b is broadcast/.test(e.message), 'no swap hint when swapping would not fit either');
      b.free(one);
    } finally {
      b.free(x, y);
    }
  });

  s.run();
}
