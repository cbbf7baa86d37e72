/**
 * WebGPU engineering (beyond numerical agreement, which the op suites check): one pipeline per kernel
 * variant whatever the shape, many dispatches per submit with read() as the only sync point, pooled
 * buffers, shader compile errors with WGSL line numbers, device loss as DeviceLostError, and matrices over
 * the device's buffer limit refused with MatrixTooLargeError. Runs wherever a WebGPU adapter exists (CI
 * requires one: FEATURELAB_REQUIRE_WEBGPU=1).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BackendRegistry, DeviceLostError, MatrixTooLargeError, ShaderCompileError, WebGpuBackend, createWebGpuBackend, pickMatmulVariant,
} from '../dist/featurelab.js';
import { runtime, testBackends } from './support/backends.js';
import { agreeWithRef, host } from './support/check.js';
import { BATCHED_CASES, checkBatchedMatmul } from './support/batched.js';
import { uniform } from './support/random.js';

// The batched cases small enough to run through every forced kernel variant on a software adapter.
const SMALL_BATCHED = BATCHED_CASES.filter((c) => c.batch * c.m * c.k * c.n <= 20000);
import { TOL } from './tolerances.js';

const s = suite(`webgpu engine [${runtime}]`);

/**
 * Checks op(A)·op(B) of seeded random operands on `be` against the reference; with `epilogue`, also
 * alpha·op(A)·op(B) + beta·C + bias through the activation, fused in the same kernel.
 */
async function checkForcedProduct(be: WebGpuBackend, label: string, m: number, k: number, n: number, transA: boolean, transB: boolean,
  epilogue?: { alpha: number; beta: number; act: 'tanh' | 'relu' }): Promise<void> {
  const A = host(uniform(m + k, transA ? k : m, transA ? m : k), transA ? k : m, transA ? m : k);
  const B = host(uniform(k + n, transB ? n : k, transB ? k : n), transB ? n : k, transB ? k : n);
  const what = `${label} ${m}×${k}·${k}×${n} tA=${transA} tB=${transB}`;
  await agreeWithRef(be, [A, B], (b, [x, y]) => b.matmul(x, y, { transA, transB }), TOL.matmul, what);
  if (!epilogue) return;
  const C = host(uniform(5, m, n), m, n);
  const bias = host(uniform(6, 1, n), 1, n);
  await agreeWithRef(be, [A, B, C, bias], (b, [x, y, c, bi]) => b.matmul(x, y, { transA, transB, ...epilogue, c, bias: bi }), TOL.matmul, `epilogue ${what}`);
}
const gpu = testBackends.find((b) => b.name === 'webgpu') as WebGpuBackend | undefined;

s('the matmul variant picker: simple for tiny products, register-blocked on software, tiled on hardware, vec4 when aligned', () => {
  assert.equal(pickMatmulVariant({ m: 4, n: 4, k: 4, transA: false, transB: false }, 'hardware').kernel, 'simple');
  const soft = pickMatmulVariant({ m: 128, n: 512, k: 784, transA: false, transB: false }, 'software');
  assert.equal(soft, { kernel: 'regblock', vecA: true, vecB: true, wx: 8, wy: 8, rb: 2, cb: 2 });
  // Narrow outputs: 1×… blocks below 32 columns, and the widest workgroup that leaves ≤ 10 % of its threads
  // past the last column block.
  const across = (n: number) => (pickMatmulVariant({ m: 512, n, k: 128, transA: true, transB: false }, 'software') as { wx: number; wy: number; cb: number });
  assert.equal([10, 20, 65, 784].map((n) => [across(n).wx, across(n).wy, across(n).cb]), [[1, 64, 1], [1, 64, 1], [2, 32, 2], [8, 8, 2]],
    '3 and 5 column blocks of 4, 9 and 98 of 8');
  const short = pickMatmulVariant({ m: 17, n: 512, k: 128, transA: false, transB: false }, 'software');
  assert.equal(short, { kernel: 'regblock', vecA: true, vecB: true, wx: 8, wy: 8, rb: 1, cb: 2 }, '17 rows: one block down');
  const hard = pickMatmulVariant({ m: 2048, n: 2048, k: 2048, transA: true, transB: false }, 'hardware');
  assert.equal(hard, { kernel: 'tiled', vecA: true, vecB: true, wg: 16, tk: 16, split: 1, prefetch: false });
  // Few output tiles and a deep K: K is split (4 tiles of 64×64, K = 257 → 8 slices of at least 32).
  const odd = pickMatmulVariant({ m: 127, n: 65, k: 257, transA: false, transB: true }, 'hardware');
  assert.equal(odd, { kernel: 'tiled', vecA: false, vecB: false, wg: 8, tk: 16, split: 8, prefetch: true });
  const shallow = pickMatmulVariant({ m: 127, n: 65, k: 40, transA: false, transB: true }, 'hardware');
  assert.equal(shallow, { kernel: 'tiled', vecA: true, vecB: true, wg: 8, tk: 16, split: 1, prefetch: true }, 'K = 40 is too short to split');
  const medium = pickMatmulVariant({ m: 1024, n: 1024, k: 1024, transA: false, transB: false }, 'hardware');
  assert.equal(medium, { kernel: 'tiled', vecA: true, vecB: true, wg: 16, tk: 16, split: 4, prefetch: true }, '64 tiles of 128×128: 4 slices of 256');
  const wide = pickMatmulVariant({ m: 784, n: 512, k: 128, transA: true, transB: false }, 'hardware');
  assert.equal(wide, { kernel: 'tiled', vecA: true, vecB: true, wg: 8, tk: 16, split: 4, prefetch: true }, '104 tiles of 64×64, K = 128: 4 slices of 32');
  // A batch's blocks count as tiles: 20 stacked 100×784·784×128 products are 80 tiles of 64×64, so K is cut
  // into 6 slices where one product alone (4 tiles) gets 16; tiny blocks stay on the simple kernel however many.
  const one = { m: 100, n: 128, k: 784, transA: false, transB: false };
  assert.equal(pickMatmulVariant(one, 'hardware'), { kernel: 'tiled', vecA: true, vecB: true, wg: 8, tk: 16, split: 16, prefetch: true });
  assert.equal(pickMatmulVariant({ ...one, batch: 20 }, 'hardware'), { kernel: 'tiled', vecA: true, vecB: true, wg: 8, tk: 16, split: 6, prefetch: true });
  assert.equal(pickMatmulVariant({ m: 4, n: 4, k: 4, transA: false, transB: false, batch: 3000 }, 'hardware').kernel, 'simple');
});

if (gpu) {
  s('one pipeline serves every shape: the cache grows per kernel variant, not per size', async () => {
    const run = async (n: number) => gpu.scope(async () => {
      const x = gpu.upload(uniform(n, n, n), n, n);
      await gpu.read(gpu.unary('tanh', gpu.binary('add', x, x)));
    });
    await run(3);
    const before = gpu.stats().pipelines;
    for (const n of [5, 17, 65, 129]) await run(n);
    assert.is(gpu.stats().pipelines, before, 'no new pipelines for new sizes');
  });

  s('dispatches are batched: 200 ops before a read make one or two submits', async () => {
    await gpu.read(gpu.scope(() => gpu.zeros(1, 1))); // settle anything pending
    const start = gpu.stats();
    const out = gpu.scope(() => {
      let x = gpu.upload(uniform(9, 64, 64), 64, 64);
      for (let i = 0; i < 200; i++) x = gpu.binary('mul', x, x, 'full');
      return x;
    });
    const mid = gpu.stats();
    await gpu.read(out);
    const end = gpu.stats();
    gpu.free(out);
    assert.ok(end.dispatches - start.dispatches >= 200, 'all dispatches were recorded');
    assert.ok(mid.submits - start.submits <= 1, `at most one submit before read (arena of 256 slots), got ${mid.submits - start.submits}`);
    assert.ok(end.submits - start.submits <= 2, `read() submits the rest at once, got ${end.submits - start.submits} submits`);
  });

  s('freed buffers are reused from the pool', async () => {
    const a = gpu.zeros(300, 301);
    await gpu.read(a);
    gpu.free(a);
    const before = gpu.stats();
    const b = gpu.zeros(300, 301);
    const c = gpu.zeros(299, 301); // same size class
    await gpu.read(c);
    const after = gpu.stats();
    gpu.free(b, c);
    assert.ok(after.buffersReused - before.buffersReused >= 1, 'a pooled buffer was handed out again');
    assert.ok(after.buffersCreated - before.buffersCreated <= 1, 'at most one new buffer for two matrices');
  });

  s('a full pool drops the sizes released longest ago, so a loop over a new size reuses its buffers', async () => {
    const small = await createWebGpuBackend(gpu.gpu!, { maxPoolBytes: 2 ** 20 });
    try {
      const old = [small.zeros(256, 256), small.zeros(256, 320), small.zeros(256, 384)]; // 256, 320, 384 KiB
      await small.read(old[0]!);
      small.free(...old);                   // pooled: 960 KiB of 1 MiB
      const start = small.stats();
      for (let step = 0; step < 10; step++) {
        const t = small.zeros(300, 600);    // 703 KiB, another size class
        await small.read(t);
        small.free(t);
      }
      const end = small.stats();
      assert.equal(end.buffersCreated - start.buffersCreated, 1, 'one buffer created for the loop, then reused');
      assert.ok(end.pooledBytes <= 2 ** 20, `the pool stays within its limit (${end.pooledBytes} bytes)`);
    } finally {
      small.dispose();
    }
  });

  s('bind groups are cached per buffer set and dropped with their buffers: a loop reuses them, a trimmed pool never binds a destroyed buffer', async () => {
    const before = gpu.stats();
    const x = gpu.upload(Float32Array.from({ length: 65 }, (_, i) => i), 5, 13);
    let last: ArrayLike<number> = [];
    for (let step = 0; step < 20; step++) {
      const y = gpu.unary('square', x);
      last = await gpu.read(y);
      gpu.free(y);
    }
    const after = gpu.stats();
    gpu.free(x);
    assert.ok(after.bindGroupsReused - before.bindGroupsReused >= 15, `reused ${after.bindGroupsReused - before.bindGroupsReused} of 20`);
    assert.equal(Array.from(last), Array.from({ length: 65 }, (_, i) => i * i));
    // No pool: every freed buffer is destroyed, and the bind groups that bound it leave the cache with it.
    const tiny = await createWebGpuBackend(gpu.gpu!, { maxPoolBytes: 0 });
    try {
      const a = tiny.upload(Float32Array.from({ length: 17 }, (_, i) => i - 8), 1, 17);
      for (let step = 0; step < 5; step++) {
        const b = tiny.unary('abs', a);
        const got = await tiny.read(b);
        tiny.free(b);
        assert.equal(Array.from(got), Array.from({ length: 17 }, (_, i) => Math.abs(i - 8)), `step ${step}`);
      }
      assert.is(tiny.stats().bindGroupsCached, 0, 'each destroyed buffer took its bind groups with it');
      tiny.free(a);
    } finally {
      tiny.dispose();
    }
  });

  s('WGSL compile errors become ShaderCompileError with file, line, column and the offending line', async () => {
    const code = [
      '@group(0) @binding(0) var<storage, read_write> out: array<f32>;',
      '@compute @workgroup_size(1)',
      'fn main() {',
      '  out[0] = undefined_name + 1.0;',
      '}',
    ].join('\n');
    try {
      await gpu.compileShader(code, 'broken.wgsl');
      assert.unreachable('the shader should not compile');
    } catch (e) {
      assert.ok(e instanceof ShaderCompileError, `a ShaderCompileError, got ${String(e)}`);
      const msg = (e as Error).message;
      assert.match(msg, /broken\.wgsl:4:\d+/, 'file and line 4 are named');
      assert.match(msg, /undefined_name/, 'the offending line is quoted');
    }
    const good = await gpu.compileShader(code.replace('undefined_name', '2.0'), 'fixed.wgsl');
    assert.ok(good, 'the fixed shader compiles');
  });

  s('a built-in pipeline that fails to build is a ShaderCompileError at the next read (not a batch error), every time it is used', async () => {
    // A tiled matmul with K steps of 64 on 128×128 tiles needs 64 KiB of workgroup memory: over the 32 KiB limit.
    // Dawn (Node) refuses to build it; wgpu (Deno) on lavapipe builds and runs it, so there its product is checked.
    const bad = await createWebGpuBackend(gpu.gpu!, { matmulVariant: () => ({ kernel: 'tiled', vecA: true, vecB: true, wg: 16, tk: 64, split: 1, prefetch: false }) });
    if (runtime !== 'node') {
      const a = bad.upload(new Float32Array(64 * 64).fill(1), 64, 64);
      const product = await bad.read(bad.scope(() => bad.matmul(a, a))).catch((e: Error) => e);
      assert.ok(product instanceof ShaderCompileError || (product as Float32Array).every((v) => v === 64), `either refused by name or right: ${String(product).slice(0, 200)}`);
      bad.dispose();
      return;
    }
    try {
      const a = bad.upload(new Float32Array(64 * 64).fill(1), 64, 64);
      for (let attempt = 0; attempt < 2; attempt++) {
        const c = bad.matmul(a, a);
        await bad.read(c).then(() => assert.unreachable('the pipeline should not build'),
          (e: Error) => assert.ok(e instanceof ShaderCompileError && /pipeline matmul_tiled\|.*failed to compile/.test(e.message), `attempt ${attempt}: ${e.constructor.name}: ${e.message}`));
        bad.free(c);
      }
      // Other kernels on the same device still work.
      assert.equal(Array.from(await bad.read(bad.scope(() => bad.unary('neg', a)))).slice(0, 2), [-1, -1]);
      bad.free(a);
    } finally {
      bad.dispose();
    }
  });

  s('a matrix over the device buffer limit is refused with MatrixTooLargeError naming the limit', () => {
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    const rows = 65536;
    const cols = Math.ceil(limit / 4 / rows) + 1024;
    assert.throws(() => gpu.zeros(rows, cols), (e: Error) => e instanceof MatrixTooLargeError && /maxStorageBufferBindingSize/.test(e.message) && new RegExp(`${rows}×${cols}`).test(e.message));
  });

  s('the workgroup-tiled kernel picked for hardware adapters agrees with the reference (odd shapes, transposes, split K, epilogue)', async () => {
    // This adapter is software, so the op suites exercise the register-blocked kernel; force the other one.
    // Every tile size, K step and prefetch setting the picker or the tuning bench can choose, forced in turn.
    let tiles = { wg: 8, tk: 8, split: 1, prefetch: true };
    const hw = await createWebGpuBackend(gpu.gpu!, {
      adapterKind: 'hardware',
      matmulVariant: (shape) => ({ kernel: 'tiled', vecA: (shape.transA ? shape.m : shape.k) % 4 === 0, vecB: (shape.transB ? shape.k : shape.n) % 4 === 0, ...tiles }),
    });
    try {
      // Odd sizes crossing the 64- and 128-wide tile edges (small: SwiftShader runs these kernels slowly).
      // 581 rows = 9 tile rows of 64 + 5: more tile rows than a small grid, the last one partial. K = 24 < TK = 32.
      // The dimensions that are multiples of 4 differ from shape to shape, so that over the variants each operand
      // is read both as vec4s and as scalars, plain and transposed (the contiguous dimension decides).
      const shapes = [[33, 17, 65], [132, 70, 3], [64, 64, 64], [131, 33, 68], [140, 24, 133], [581, 9, 72]];
      // Split-K: K = 70 in 2 slices of 64 + 6 (TK 32), K = 64 in 4 of 16, K = 33 in 3 of 16 + 16 + 1.
      const variants = [
        { wg: 8, tk: 16, split: 1, prefetch: true }, { wg: 8, tk: 32, split: 2, prefetch: true }, { wg: 16, tk: 8, split: 4, prefetch: true },
        { wg: 8, tk: 8, split: 3, prefetch: false }, { wg: 16, tk: 32, split: 1, prefetch: true }, { wg: 16, tk: 16, split: 2, prefetch: false },
      ];
      // Each pipeline costs 4 to 10 s of compiling on SwiftShader, so each variant runs both operands plain and
      // both transposed (A and B are staged by separate code, so a mixed pair adds no path of its own; one
      // variant checks that below), and the epilogue once.
      const tanhEpilogue = { alpha: 0.5, beta: 2, act: 'tanh' } as const;
      const product = (m: number, k: number, n: number, transA: boolean, transB: boolean, epilogue: boolean) =>
        checkForcedProduct(hw, `tiled ${JSON.stringify(tiles)}`, m, k, n, transA, transB, epilogue ? tanhEpilogue : undefined);
      for (const [i, [m, k, n]] of shapes.entries()) {
        tiles = variants[i % variants.length]!;
        await product(m, k, n, false, false, i % 2 === 0);
        await product(m, k, n, true, true, i % 2 === 1);
      }
      // Mixed transposes on one variant, every operand read as vec4s (checks that A's and B's paths are independent).
      tiles = variants[0]!;
      await product(36, 20, 44, true, false, false);
      await product(36, 20, 44, false, true, false);
      // Inside tiles: with every operand aligned, the tile at (0, 0) lies inside the output and its whole K steps take
      // the unchecked vec4 reads; the other tiles the checked ones. On pipelines compiled above (each costs seconds
      // here): 68×40·40×72 with the mixed transposes on 64-wide tiles (K steps 0 and 16 unchecked, 32 partial), and
      // 132×40·40×136 on 128-wide tiles with K in 3 slices (16, 16, 8), plain with the tanh epilogue and both
      // transposed.
      const compiled = hw.stats().pipelines;
      await product(68, 40, 72, true, false, false);
      await product(68, 40, 72, false, true, false);
      tiles = variants[2]!;
      await product(132, 40, 136, false, false, true);
      await product(132, 40, 136, true, true, false);
      assert.is(hw.stats().pipelines, compiled, 'the inside-tile products were meant to reuse compiled pipelines');
      // Batched products through every variant (the blocks' offsets, a shared operand, both bias kinds, split partial
      // sums per block), on the variant's own shape and transposes: the batch is uniforms, so they reuse its pipelines.
      for (const [i, [m, k, n]] of shapes.entries()) {
        tiles = variants[i % variants.length]!;
        const withTanh = i % 2 === 1; // the transposes that ran the tanh epilogue above
        for (const c of [
          { batch: 3, m, k, n, transA: withTanh, transB: withTanh, epilogue: 'perBlockBias' as const },
          { batch: 2, m, k, n, transA: withTanh, transB: withTanh, shareA: true, epilogue: 'sharedBias' as const },
          { batch: 2, m, k, n, transA: !withTanh, transB: !withTanh, shareB: true },
        ]) await checkBatchedMatmul(hw, c, `tiled batched ${JSON.stringify(tiles)} ${JSON.stringify(c)}`);
      }
      assert.ok(hw.stats().pipelines > 0);
    } finally {
      hw.dispose();
    }
  });

  s('the register-blocked kernel agrees with the reference for every block arrangement (odd shapes, transposes, K % 4, epilogue)', async () => {
    // The picker chooses 2×2 blocks for most shapes here; force each arrangement and workgroup shape in turn.
    let blocks = { wx: 8, wy: 8, rb: 1, cb: 1 };
    const forced = await createWebGpuBackend(gpu.gpu!, {
      matmulVariant: (shape) => ({ kernel: 'regblock', vecA: (shape.transA ? shape.m : shape.k) % 4 === 0, vecB: (shape.transB ? shape.k : shape.n) % 4 === 0, ...blocks }),
    });
    try {
      // As for the tiled kernel: each arrangement plain and both transposed (the epilogue plain), the multiples of 4
      // spread over the shapes, and one arrangement with mixed transposes.
      const shapes = [[33, 17, 65], [132, 70, 3], [64, 64, 64], [7, 32, 131], [72, 23, 12]];
      const arrangements = [{ wx: 8, wy: 8, rb: 2, cb: 2 }, { wx: 4, wy: 16, rb: 2, cb: 1 }, { wx: 16, wy: 4, rb: 1, cb: 2 }, { wx: 1, wy: 64, rb: 2, cb: 1 }, { wx: 2, wy: 32, rb: 2, cb: 2 }];
      const reluEpilogue = { alpha: -1.5, beta: 0.5, act: 'relu' } as const;
      const product = (m: number, k: number, n: number, transA: boolean, transB: boolean) =>
        checkForcedProduct(forced, `regblock ${JSON.stringify(blocks)}`, m, k, n, transA, transB, transA || transB ? undefined : reluEpilogue);
      for (const [i, [m, k, n]] of shapes.entries()) {
        blocks = arrangements[i]!;
        await product(m, k, n, false, false);
        await product(m, k, n, true, true);
      }
      blocks = arrangements[0]!;
      await product(36, 20, 44, true, false);
      await product(36, 20, 44, false, true);
      for (const [i, arrangement] of arrangements.entries()) {
        blocks = arrangement;
        for (const c of SMALL_BATCHED.filter((_, j) => j % arrangements.length === i)) await checkBatchedMatmul(forced, c, `regblock batched ${JSON.stringify(blocks)} ${JSON.stringify(c)}`);
      }
    } finally {
      forced.dispose();
    }
  });

  s('device loss becomes DeviceLostError on every later op, without a crash', async () => {
    const reg = new BackendRegistry();
    await reg.init({ prefer: ['webgpu'], requireWebgpu: true, log: () => {} });
    const b = reg.get('webgpu') as WebGpuBackend;
    const x = b.upload([1, 2, 3, 4], 2, 2);
    assert.equal(Array.from(await b.read(b.matmul(x, x))), [7, 10, 15, 22]);
    b.device.destroy();
    const lost = await b.whenLost;
    assert.ok(lost instanceof DeviceLostError);
    assert.match(lost.message, /lost/);
    assert.throws(() => b.matmul(x, x), (e: Error) => e instanceof DeviceLostError);
    assert.throws(() => b.upload([1], 1, 1), (e: Error) => e instanceof DeviceLostError);
    await b.read(x).then(() => assert.unreachable('read after loss'), (e: Error) => assert.ok(e instanceof DeviceLostError, String(e)));
    reg.disposeAll();
  });
} else {
  console.log(`[${runtime}] webgpu engine tests: no WebGPU adapter here, only the variant picker runs`);
}

s.run();
