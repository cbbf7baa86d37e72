/**
 * The bulk draws of the generator (src/rng.ts) in a WebAssembly module of 1 KiB (assembly/rng/): Philox
 * words and Box–Muller normals with the JS path's bits, four to five times faster, for the large fills of
 * initialisers and data. The module is compiled synchronously on first use, which every engine allows for a
 * module this small (a browser's main thread included). An engine without WebAssembly simply keeps the JS
 * path: the bits are the same, only slower.
 */
import rngBytes from '../build/wasm/featurelab-rng.wasm';
import { FeaturelabError } from './errors.js';

/** The exports of assembly/rng/index.ts. */
interface Exports {
  heapBase(): number;
  philoxWords(outPtr: number, blocks: number, k0: number, k1: number, s0: number, s1: number, c0: number, c1: number): void;
  normalPairs(wordsPtr: number, outPtr: number, count: number, mean: number, std: number, coefPtr: number, nAtanh: number, nSin: number, nCos: number): void;
}

/** Pages of the module's memory (its declared initial and maximum size). */
const MEMORY_PAGES = 4;
/** Pairs of normals (4 words, 2 values) per call: the buffers below hold one chunk. */
export const CHUNK_PAIRS = 8192;

/** The instantiated module: its exports and the host's views of its buffers. */
export interface RngKernels {
  exports: Exports;
  /** The word buffer (4·CHUNK_PAIRS + 4 words) and its address. */
  words: Uint32Array;
  wordsPtr: number;
  /** The f32 output buffer (2·CHUNK_PAIRS values) and its address. */
  out: Float32Array;
  outPtr: number;
  /** Address of the coefficient tables (atanh, sine, cosine) and their lengths. */
  coefPtr: number;
  counts: [number, number, number];
}

let kernels: RngKernels | null | undefined;

/** The module, compiled on first use with the coefficient tables written in; null without WebAssembly. */
export function rngKernels(coefficients: [number[], number[], number[]]): RngKernels | null {
  if (kernels !== undefined) return kernels;
  if (typeof WebAssembly !== 'object') return (kernels = null);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(rngBytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    // A page whose content-security policy forbids compiling WebAssembly: the JS path gives the same bits.
    // Anything else (a bad module) is a bug and is thrown.
    if (e instanceof WebAssembly.CompileError || e instanceof EvalError) return (kernels = null);
    throw e;
  }
  return (kernels = instantiate(module, coefficients));
}

/** Which path large fills took: 'wasm' (the kernels), 'js' (WebAssembly refused), or 'unused' (none yet). */
export function bulkDrawPath(): 'wasm' | 'js' | 'unused' {
  return kernels === undefined ? 'unused' : kernels ? 'wasm' : 'js';
}

/** Compiles and instantiates the module and lays out its buffers. */
function instantiate(module: WebAssembly.Module, coefficients: [number[], number[], number[]]): RngKernels {
  const wordCount = 4 * CHUNK_PAIRS + 4;
  const coefCount = coefficients.reduce((s, c) => s + c.length, 0);
  // The module declares a memory of exactly MEMORY_PAGES (asconfig.rng.json); the buffers below fit in it.
  const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new FeaturelabError('rng: a kernel aborted; this is a bug, please report it'); } } });
  const exports = instance.exports as unknown as Exports;
  const coefPtr = Math.ceil(exports.heapBase() / 64) * 64;
  const wordsPtr = coefPtr + Math.ceil((coefCount * 8) / 64) * 64;
  const outPtr = wordsPtr + Math.ceil((wordCount * 4) / 64) * 64;
  if (outPtr + 8 * CHUNK_PAIRS > MEMORY_PAGES * 65536) throw new FeaturelabError('rng: the kernels\' buffers do not fit their memory; this is a bug, please report it');
  new Float64Array(memory.buffer, coefPtr, coefCount).set(coefficients.flat());
  return {
    exports,
    words: new Uint32Array(memory.buffer, wordsPtr, wordCount),
    wordsPtr,
    out: new Float32Array(memory.buffer, outPtr, 2 * CHUNK_PAIRS),
    outPtr,
    coefPtr,
    counts: [coefficients[0].length, coefficients[1].length, coefficients[2].length],
  };
}
