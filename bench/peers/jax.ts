/**
 * jax-js peers, in the same process: the `wasm` device and the `webgpu` device (on Dawn's adapter through
 * `navigator.gpu`). Transposed operands are expressed as `lax.dot` with contracting dimensions — the
 * dot_general that jax's own transpose rule emits for the backward products — so no transposed copy is made.
 *
 * jax-js is lazy: an array whose value is never asked for is never computed, and disposing it cancels the
 * work. So `run` keeps each batch of results alive, waits for all of them with `blockUntilReady`, then
 * disposes them.
 */
import * as jax from '@jax-js/jax';
import { type MatmulCase, type MatmulEngine, type PreparedMatmul, deviceAdapter, packageVersion, setupNodeGpu, storedShapes } from './common.js';

export type JaxDevice = 'wasm' | 'webgpu';

/** Most results alive at once in `run`. */
const BATCH = 8;

/** Initialises a jax-js device and wraps it as a benchmark engine. */
export async function jaxEngine(device: JaxDevice): Promise<MatmulEngine> {
  const version = packageVersion('@jax-js/jax');
  let detail: string;
  if (device === 'webgpu') {
    const { ok, adapter } = await setupNodeGpu();
    if (!ok) throw new Error(adapter);
    const available = await jax.init('webgpu');
    if (!available.includes('webgpu')) throw new Error('jax.init("webgpu") did not start the webgpu device');
    let dev: GPUDevice | undefined;
    try {
      dev = jax.getWebGPUDevice();
    } catch {
      dev = undefined;
    }
    detail = `adapter: ${deviceAdapter(dev) ?? adapter}`;
  } else {
    const available = await jax.init('wasm');
    if (!available.includes('wasm')) throw new Error('jax.init("wasm") did not start the wasm device');
    // jax-js spreads wasm kernels over Web Workers only when `Worker` and SharedArrayBuffer exist;
    // Node has no global Worker, so here it runs on the calling thread.
    const threaded = typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined' && typeof SharedArrayBuffer !== 'undefined';
    detail = threaded ? 'multi-threaded (Web Workers)' : '1 thread (no Web Workers in Node)';
  }
  const description = `jax-js ${version} ${device} (${detail})`;
  const np = jax.numpy;

  return {
    description,
    async prepare(c: MatmulCase, aData: Float32Array, bData: Float32Array): Promise<PreparedMatmul> {
      const { a: as, b: bs } = storedShapes(c);
      const a = np.array(aData, { device }).reshape(as);
      const b = np.array(bData, { device }).reshape(bs);
      await jax.blockUntilReady([a, b]);
      // op(A)·op(B): contract A's dim 0 when transA else 1, B's dim 1 when transB else 0.
      const dims = { lhsContractingDims: [c.transA ? 0 : 1], rhsContractingDims: [c.transB ? 1 : 0] };
      const product = (): jax.Array =>
        c.transA || c.transB ? jax.lax.dot(a.ref, b.ref, dims) : np.matmul(a.ref, b.ref);
      return {
        async result() {
          const r = product();
          // data() consumes (disposes) r.
          return Float32Array.from(await r.data());
        },
        async run(reps: number) {
          for (let done = 0; done < reps; ) {
            const batch: jax.Array[] = [];
            try {
              for (let i = 0; i < BATCH && done < reps; i++, done++) batch.push(product());
              await jax.blockUntilReady(batch);
            } finally {
              for (const r of batch) r.dispose();
            }
          }
        },
        free() {
          a.dispose();
          b.dispose();
        },
      };
    },
    async dispose() {
      // jax-js has no call to shut a device down; arrays are disposed per cell.
    },
  };
}
