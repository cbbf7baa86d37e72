/**
 * The WASM backend's allocator (src/backend/wasm/heap.ts): random allocate/free sequences never hand out
 * overlapping or misaligned blocks, freed space is reused and coalesced, the memory grows on demand, and an
 * allocation beyond the memory's maximum raises MatrixTooLargeError. Also checks, through the public API,
 * that matrices survive memory growth (views are re-created from memory.buffer).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackendRegistry } from '../dist/featurelab.js';
// The heap is imported from the sources, so its error class must come from the sources too.
import { MatrixTooLargeError } from '../src/errors.js';
import { WasmHeap } from '../src/backend/wasm/heap.js';
import { rng } from './support/random.js';

const s = suite('wasm heap');

s('random alloc/free: aligned, disjoint, reused, coalesced', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4096 });
  const heap = new WasmHeap(memory, 1000, 4096 * 65536);
  const r = rng(42);
  const live = new Map<number, number>();
  for (let step = 0; step < 4000; step++) {
    if (live.size > 0 && r() < 0.5) {
      const keys = [...live.keys()];
      const p = keys[Math.floor(r() * keys.length)];
      heap.free(p);
      live.delete(p);
    } else {
      const bytes = 1 + Math.floor(r() ** 3 * 200000);
      const p = heap.alloc(bytes);
      assert.is(p % 64, 0, 'blocks are 64-byte aligned');
      assert.ok(p >= 1000, 'blocks start above the base');
      assert.ok(p + bytes <= memory.buffer.byteLength, 'memory was grown to cover the block');
      for (const [q, n] of live) assert.ok(p + bytes <= q || q + n <= p, `block ${p}+${bytes} overlaps ${q}+${n}`);
      live.set(p, bytes);
    }
  }
  for (const p of live.keys()) heap.free(p);
  assert.is(heap.usedBytes, 0);
  // Everything was coalesced back: one allocation of almost the whole grown memory fits at the base.
  const big = heap.alloc(memory.buffer.byteLength - 1024);
  assert.is(big, 1024);
});

s('allocations beyond the maximum raise MatrixTooLargeError with the sizes', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const heap = new WasmHeap(memory, 64, 4 * 65536);
  const a = heap.alloc(100000);
  assert.throws(() => heap.alloc(300000), (e: Error) => e instanceof MatrixTooLargeError && /limited to/.test(e.message));
  heap.free(a);
  assert.ok(heap.alloc(200000) > 0, 'space is usable again after free');
});

s('matrices keep their contents across memory growth', async () => {
  const reg = new BackendRegistry();
  await reg.init({ prefer: ['wasm'], wasmThreads: 1, log: () => {} });
  const b = reg.get('wasm');
  try {
    const first = b.upload([1, 2, 3, 4, 5, 6], 2, 3);
    const big = b.zeros(4096, 2048); // 32 MiB: forces growth past the initial memory
    assert.equal(Array.from(await b.read(first)), [1, 2, 3, 4, 5, 6]);
    const t = b.transpose(first);
    assert.equal(Array.from(await b.read(t)), [1, 4, 2, 5, 3, 6]);
    b.free(big, first, t);
  } finally {
    reg.disposeAll();
  }
});

s.run();
