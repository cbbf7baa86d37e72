/**
 * WebAssembly features of the Node running the CLI. Node 20 and 21 ship relaxed SIMD behind a V8 flag (on by
 * default from Node 22, as in Chrome ≥ 114 and Deno); setting it before the first module is compiled lets
 * the WASM backend use its fused multiply-add build. FEATURELAB_WASM_FMA=0 keeps the strict build, whose
 * results are bit-identical on every machine.
 */
import { setFlagsFromString } from 'node:v8';

/** Turns on relaxed SIMD on Node < 22 unless FEATURELAB_WASM_FMA=0; call before init(). */
export function enableRelaxedSimd(): void {
  if (!useFma()) return;
  if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** The `wasmFma` init option the CLI passes: false when FEATURELAB_WASM_FMA=0, else 'auto'. */
export function wasmFmaOption(): false | 'auto' {
  return useFma() ? 'auto' : false;
}

function useFma(): boolean {
  return process.env.FEATURELAB_WASM_FMA !== '0';
}
