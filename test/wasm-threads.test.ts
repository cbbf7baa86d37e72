/**
 * WASM backend determinism: the same inputs give bit-identical outputs for any thread count (1, 2, 3 and
 * 'auto'), with and without transposes and the fused epilogue, and on repeated runs. Products are large
 * enough to be split over the worker pool. Where this runtime cannot run workers the backend falls back to
 * one thread (its description says so) and the comparison still holds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackendRegistry } from '../dist/featurelab.js';
import type { Backend, MatmulOptions } from '../src/index.js';
import { uniform } from './support/random.js';

/** A minimal module using f32x4.relaxed_madd: validates exactly where the engine has relaxed SIMD. */
const RELAXED_MADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128, v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get ×3, f32x4.relaxed_madd, end
]);

const s = suite('wasm threads: bit-identical results for any thread count');

/** Creates a wasm-only backend with `threads` threads through a private registry. */
async function wasmWith(threads: number | 'auto', simd = true, fma: boolean | 'auto' = 'auto'): Promise<{ reg: BackendRegistry; b: Backend }> {
  const reg = new BackendRegistry();
  await reg.init({ prefer: ['wasm'], wasmThreads: threads, wasmSimd: simd, wasmFma: fma, log: () => {} });
  return { reg, b: reg.get('wasm') };
}

/**
 * Element-wise bit equality of two f32 arrays, except that any NaN equals any NaN: WebAssembly leaves NaN
 * payloads unspecified (scalar and SIMD f32.max may return different NaN bits), and JS cannot tell them apart.
 */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
}

interface Case {
  m: number; k: number; n: number;
  transA: boolean; transB: boolean;
  /** 'full': alpha, beta·C, bias and gelu (the f64 epilogue); 'biasRelu': bias + ReLU (the SIMD one). */
  epilogue: false | 'full' | 'biasRelu';
}

const CASES: Case[] = [
  { m: 128, k: 784, n: 512, transA: false, transB: false, epilogue: false },
  { m: 784, k: 128, n: 512, transA: true, transB: false, epilogue: false },
  { m: 128, k: 512, n: 784, transA: false, transB: true, epilogue: 'full' },
  { m: 257, k: 129, n: 131, transA: true, transB: true, epilogue: 'full' },
  { m: 2001, k: 67, n: 9, transA: false, transB: false, epilogue: 'full' }, // 1.2 M MACs: above the threading threshold
  { m: 5, k: 300, n: 1001, transA: false, transB: true, epilogue: false },
  { m: 300, k: 300, n: 300, transA: false, transB: false, epilogue: 'full' },
  { m: 130, k: 784, n: 67, transA: false, transB: false, epilogue: 'biasRelu' },
  { m: 600, k: 129, n: 1001, transA: false, transB: true, epilogue: 'biasRelu' },
  { m: 37, k: 70, n: 2100, transA: true, transB: false, epilogue: 'full' }, // two column panels (NC = 2048)
  { m: 1, k: 1100, n: 1003, transA: false, transB: false, epilogue: 'biasRelu' }, // one row block, three K slices
  // Two column panels × three K slices: six panels through the two shared B buffers, each reused twice.
  { m: 50, k: 1100, n: 2100, transA: true, transB: true, epilogue: 'full' },
];

/** Runs one case on a backend and reads the result. */
async function product(b: Backend, c: Case, seed: number): Promise<Float32Array> {
  const { m, k, n, transA, transB } = c;
  return b.scope(() => {
    const a = b.upload(uniform(seed, transA ? k : m, transA ? m : k), transA ? k : m, transA ? m : k);
    const bb = b.upload(uniform(seed + 1, transB ? n : k, transB ? k : n), transB ? n : k, transB ? k : n);
    const opts: MatmulOptions = { transA, transB };
    if (c.epilogue === 'biasRelu') {
      opts.bias = b.upload(uniform(seed + 3, 1, n), 1, n);
      opts.act = 'relu';
    } else if (c.epilogue) {
      opts.alpha = 0.75;
      opts.beta = -0.5;
      opts.c = b.upload(uniform(seed + 2, m, n), m, n);
      opts.bias = b.upload(uniform(seed + 3, 1, n), 1, n);
      opts.act = 'gelu';
    }
    return b.read(b.matmul(a, bb, opts));
  });
}

for (const fma of [false, 'auto'] as const) {
  s(`matmul (fma: ${String(fma)}): threads 1, 2, 3 and auto agree bit for bit`, async () => {
  const made = await Promise.all(([1, 2, 3, 'auto'] as const).map((t) => wasmWith(t, true, fma)));
  try {
    if (fma === false) made.forEach((x) => assert.not.match(x.b.description, /FMA/));
    const [one, ...others] = made.map((x) => x.b);
    for (const [i, c] of CASES.entries()) {
      const want = await product(one, c, 100 + i);
      assert.ok(want.every((v) => Number.isFinite(v)), `case ${i}: finite results`);
      assert.ok(sameBits(await product(one, c, 100 + i), want), `case ${i}: one thread twice gives the same bits`);
      for (const b of others) {
        const got = await product(b, c, 100 + i);
        assert.ok(sameBits(got, want), `${c.m}×${c.k}·${c.k}×${c.n} tA=${c.transA} tB=${c.transB} epilogue=${c.epilogue}: '${b.description}' differs from one thread`);
      }
    }
  } finally {
    for (const x of made) x.reg.disposeAll();
  }
  });
}

s('the scalar build (for engines without SIMD) gives the same bits as the strict SIMD build', async () => {
  const simd = await wasmWith(1, true, false);
  const scalar = await wasmWith(1, false);
  try {
    assert.match(scalar.b.description, /^wasm \(scalar/);
    for (const [i, c] of CASES.entries()) {
      assert.ok(sameBits(await product(scalar.b, c, 200 + i), await product(simd.b, c, 200 + i)), `case ${i}: scalar and SIMD differ`);
    }
    const ops = async (b: Backend) => b.scope(async () => {
      const xs = uniform(5, 33, 65, -3, 3);
      xs.set([NaN, 0, -0, Infinity, -Infinity, 1e-30], 7); // special values inside a SIMD lane group
      const x = b.upload(xs, 33, 65);
      const y = b.upload(uniform(6, 1, 65, 0.5, 2), 1, 65);
      const dy = b.upload(uniform(7, 33, 65, -2, 2), 33, 65);
      const parts = [
        b.unary('relu', x), b.unary('sqrt', b.unary('abs', x)), b.binary('div', x, y), b.binary('max', x, y), b.unary('square', x), b.unary('neg', x),
        b.unaryGrad('relu', x, dy), b.unaryGrad('square', x, dy), b.unaryGrad('tanh', x, dy),
      ];
      // Optimizer steps (in place) on copies: plain, and Nesterov momentum with weight decay, 3 steps.
      const p0 = b.copy(dy);
      const p1 = b.copy(dy);
      const vel = b.zeros(33, 65);
      for (let t = 0; t < 3; t++) {
        b.sgdStep(p0, x, null, { lr: 0.05 });
        b.sgdStep(p1, x, vel, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
      }
      parts.push(p0, p1, vel);
      return Promise.all(parts.map((p) => b.read(p)));
    });
    const [want, got] = [await ops(simd.b), await ops(scalar.b)];
    want.forEach((w, i) => assert.ok(sameBits(got[i], w), `element-wise op ${i}: scalar and SIMD differ`));
  } finally {
    simd.reg.disposeAll();
    scalar.reg.disposeAll();
  }
});

s('the FMA build (where the engine has relaxed SIMD) agrees with the strict build to rounding, and is not identical', async () => {
  const fma = await wasmWith(1, true, 'auto');
  const strict = await wasmWith(1, true, false);
  try {
    if (!/FMA/.test(fma.b.description)) {
      // Only Node < 22 without --experimental-wasm-relaxed-simd lacks it; scripts/test.mjs passes the flag.
      assert.ok(!WebAssembly.validate(RELAXED_MADD_MODULE), `'${fma.b.description}' lacks FMA although this engine has relaxed SIMD`);
      return;
    }
    let differs = false;
    for (const [i, c] of CASES.entries()) {
      const [x, y] = [await product(fma.b, c, 300 + i), await product(strict.b, c, 300 + i)];
      let worst = 0;
      let scale = 0;
      for (let j = 0; j < x.length; j++) {
        worst = Math.max(worst, Math.abs(x[j] - y[j]));
        scale = Math.max(scale, Math.abs(y[j]));
      }
      // Each of k products is rounded once instead of twice: the sums differ by at most ~k·ulp of the terms.
      assert.ok(worst <= 1e-6 * Math.max(1, scale) * c.k, `case ${i}: FMA and strict differ by ${worst} (scale ${scale})`);
      differs ||= !sameBits(x, y);
    }
    assert.ok(differs, 'the FMA build gave the same bits as the strict one on every case: it is not fusing');
  } finally {
    fma.reg.disposeAll();
    strict.reg.disposeAll();
  }
});

s('description names SIMD and the thread count (or why threads are unavailable)', async () => {
  const { reg, b } = await wasmWith(2);
  try {
    assert.match(b.description, /^wasm \((SIMD f32x4|scalar)/);
    assert.match(b.description, /2 threads|threads unavailable/);
  } finally {
    reg.disposeAll();
  }
});

s('a product on a disposed multi-threaded backend raises a clear error', async () => {
  const { reg, b } = await wasmWith(2);
  const a = b.upload(uniform(7, 4, 4), 4, 4);
  reg.disposeAll();
  assert.throws(() => b.matmul(a, a), /disposed/);
});

s.run();
