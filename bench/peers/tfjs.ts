/**
 * TensorFlow.js peers, in the same process: wasm (XNNPACK, forced to 1 thread), webgpu (on Dawn's adapter
 * through `navigator.gpu`) and cpu (plain JavaScript). Transposed operands use tf.matMul's own flags, as
 * its autodiff does for the backward products.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import {
  type MatmulCase, type MatmulEngine, type PreparedMatmul, deviceAdapter, packageMainDir, packageVersion,
  setupNodeGpu, storedShapes,
} from './common.js';

export type TfjsBackendName = 'wasm' | 'webgpu' | 'cpu';

let wasmPathsSet = false;

/** Selects a TensorFlow.js backend and wraps it as a benchmark engine. */
export async function tfjsEngine(name: TfjsBackendName): Promise<MatmulEngine> {
  const version = packageVersion('@tensorflow/tfjs-core');
  let detail = '';
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      // In Node the Emscripten loader reads the .wasm file from this folder.
      tfWasm.setWasmPaths(packageMainDir('@tensorflow/tfjs-backend-wasm'));
      wasmPathsSet = true;
    }
    // Single thread: with multithread support off it loads the non-threaded SIMD binary.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tfWasm.setThreadsCount(1);
  }
  if (name === 'webgpu') {
    const { ok, adapter } = await setupNodeGpu();
    if (!ok) throw new Error(adapter);
    // The webgpu backend registers itself on import only when navigator.gpu exists, so import it now.
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  const okSet = await tf.setBackend(name);
  await tf.ready();
  if (!okSet || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed (backend is ${tf.getBackend()})`);

  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const binary = simd && threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
    detail = `XNNPACK, ${binary}, ${tfWasm.getThreadsCount()} thread(s)`;
  } else if (name === 'webgpu') {
    const be = tf.backend() as unknown as { device?: GPUDevice; adapterInfo?: { vendor?: string; architecture?: string } };
    const { adapter } = await setupNodeGpu();
    detail = `adapter: ${deviceAdapter(be.device) ?? adapter}`;
  } else {
    detail = 'plain JavaScript';
    // Silence the "install tfjs-node" banner the cpu backend prints on its first upload in Node.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
  const description = `TensorFlow.js ${version} ${name} (${detail})`;

  return {
    description,
    async prepare(c: MatmulCase, aData: Float32Array, bData: Float32Array): Promise<PreparedMatmul> {
      if (tf.getBackend() !== name) {
        await tf.setBackend(name);
        await tf.ready();
      }
      const { a: as, b: bs } = storedShapes(c);
      const a = tf.tensor2d(aData, as);
      const b = tf.tensor2d(bData, bs);
      return {
        async result() {
          const r = tf.matMul(a, b, c.transA, c.transB);
          try {
            return (await r.data()) as Float32Array;
          } finally {
            r.dispose();
          }
        },
        async run(reps: number) {
          let last: tf.Tensor | null = null;
          try {
            for (let i = 0; i < reps; i++) {
              const r = tf.matMul(a, b, c.transA, c.transB);
              last?.dispose();
              last = r;
            }
            // Waits until the last product (and, queued before it, every other one) has completed; reads one
            // row back, as the featurelab engine does.
            if (last) {
              const row = tf.slice(last, [0, 0], [1, -1]);
              try {
                await row.data();
              } finally {
                row.dispose();
              }
            }
          } finally {
            last?.dispose();
          }
        },
        free() {
          a.dispose();
          b.dispose();
        },
      };
    },
    async dispose() {
      // Tensors are disposed per cell; the backend stays registered for the rest of the process.
    },
  };
}
