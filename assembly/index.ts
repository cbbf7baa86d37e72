// Entry point of the featurelab WASM kernels (AssemblyScript). One source, built in three variants by
// scripts/build-wasm.mjs: SIMD (f32x4), SIMD + threads (shared imported memory) and scalar. Memory is
// always imported (`env.memory`) and managed by the host (src/backend/wasm/), which allocates every
// buffer above `heapBaseF32()`; the kernels never allocate.
export { matmulF32, matmulF32Team, matmulScratchBytes, matmulTeamSharedBytes, matmulTeamSyncBytes } from './gemm';
export { choleskyDiagF32, copyBlockF32, triInverseF32, updateBlockF32 } from './blocks';
export {
  adamwStepF32, binaryF32, copyF32, fillF32, gatherRowsF32, gatherSumRowsF32, mseF32, reduceF32, sgdStepF32,
  softmaxCrossEntropyF32, transposeF32, unaryF32, unaryGradF32,
} from './elementwise';

/** First byte the host may use: everything below belongs to the module's static data. */
export function heapBaseF32(): usize {
  return __heap_base;
}
