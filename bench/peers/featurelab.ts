/**
 * featurelab's own backends, from the sources (the bench bundle compiles them): wasm with 1 thread, wasm with
 * all threads, webgpu, and the f64 reference backend (a slow stand-in for developing the harness).
 */
import type { Backend, Mat } from '../../src/backend/types.js';
import { type MatmulCase, type MatmulEngine, type PreparedMatmul, setupNodeGpu, storedShapes } from './common.js';

/** Wraps a featurelab Backend as a benchmark engine. */
export function backendEngine(backend: Backend, description: string): MatmulEngine {
  return {
    description,
    async prepare(c: MatmulCase, aData: Float32Array, bData: Float32Array): Promise<PreparedMatmul> {
      const { a: as, b: bs } = storedShapes(c);
      const a = backend.upload(aData, as[0], as[1]);
      let b: Mat;
      try {
        b = backend.upload(bData, bs[0], bs[1]);
      } catch (e) {
        backend.free(a);
        throw e;
      }
      const opts = { transA: c.transA, transB: c.transB };
      // Index of the row read back at the end of each sample (uploaded once, outside the timed samples).
      const first = backend.upload([0], 1, 1);
      return {
        async result() {
          const r = backend.matmul(a, b, opts);
          try {
            return await backend.read(r);
          } finally {
            backend.free(r);
          }
        },
        async run(reps: number) {
          // Each result is freed as soon as the next product is issued (as a training loop frees its
          // temporaries); reading the first row of the last one back waits until every product has
          // completed. One row, not the whole result: reading 64 MB back per sample at n = 4096 took a third
          // of the time measured on an H200 (17.2 TFLOP/s against 27.6 with long samples).
          let last: Mat | null = null;
          try {
            for (let i = 0; i < reps; i++) {
              const r = backend.matmul(a, b, opts);
              if (last) backend.free(last);
              last = r;
            }
            if (last) {
              const row = backend.gatherRows(last, first);
              try {
                await backend.read(row);
              } finally {
                backend.free(row);
              }
            }
          } finally {
            if (last) backend.free(last);
          }
        },
        free() {
          backend.free(a, b, first);
        },
      };
    },
    async dispose() {
      backend.dispose();
    },
  };
}

/** featurelab's WASM backend with 1 thread or all threads. */
export async function featurelabWasm(threads: 1 | 'auto', fma: boolean | 'auto' = 'auto'): Promise<MatmulEngine> {
  const { createWasmBackend } = await import('../../src/backend/wasm/wasmBackend.js');
  const backend: Backend = await createWasmBackend({ threads, fma });
  return backendEngine(backend, `featurelab wasm (threads: ${String(threads)}): ${backend.description}`);
}

/** featurelab's WebGPU backend on Dawn's adapter. */
export async function featurelabWebGpu(): Promise<MatmulEngine> {
  const { gpu, ok, adapter } = await setupNodeGpu();
  if (!ok) throw new Error(adapter);
  const { createWebGpuBackend } = await import('../../src/backend/webgpu/webgpuBackend.js');
  const backend: Backend = await createWebGpuBackend(gpu);
  // The backend's description names its adapter; the benchmark prints and records Dawn's adapter too.
  return backendEngine(backend, `featurelab webgpu: ${backend.description}`);
}

/** featurelab's f64 reference backend (slow; for developing the harness). */
export async function featurelabRef(): Promise<MatmulEngine> {
  const { RefBackend } = await import('../../src/backend/ref/refBackend.js');
  const backend = new RefBackend();
  return backendEngine(backend, `featurelab ref: ${backend.description}`);
}

/** A featurelab backend by benchmark id: 'wasm1' (one thread), 'wasmN' (all threads) or 'webgpu' (Dawn's adapter). */
export async function featurelabBackend(id: string): Promise<Backend> {
  if (id === 'webgpu') {
    const { gpu, ok, adapter } = await setupNodeGpu();
    if (!ok) throw new Error(adapter);
    const { createWebGpuBackend } = await import('../../src/backend/webgpu/webgpuBackend.js');
    return createWebGpuBackend(gpu);
  }
  if (id !== 'wasm1' && id !== 'wasmN') throw new Error(`unknown engine '${id}'; use wasm1, wasmN or webgpu`);
  const { createWasmBackend } = await import('../../src/backend/wasm/wasmBackend.js');
  return createWasmBackend({ threads: id === 'wasm1' ? 1 : 'auto' });
}
