/**
 * featurelab — the public library entry. Start with `await init()`, then `getBackend()`.
 */
export { init, getBackend, getRunBackend, getInitReport, disposeAll, BackendRegistry } from './backend/registry.js';
export type { InitOptions, InitReport } from './backend/registry.js';
export type {
  Activation, AdamWHyper, Axis, Backend, BackendName, BinaryOp, Broadcast, LossResult, Mat, MatmulOptions,
  ReduceOp, SgdHyper, UnaryOp,
} from './backend/types.js';
export { UNARY_OPS, BINARY_OPS, BROADCASTS, REDUCE_OPS } from './backend/types.js';
export * from './errors.js';
export { VERSION } from './version.js';
export { RefBackend } from './backend/ref/refBackend.js';
export { createWasmBackend, WasmBackend } from './backend/wasm/wasmBackend.js';
export type { WasmBackendOptions } from './backend/wasm/wasmBackend.js';
export { createWebGpuBackend, WebGpuBackend } from './backend/webgpu/webgpuBackend.js';
export type { WebGpuOptions, WebGpuStats } from './backend/webgpu/webgpuBackend.js';
export { pickMatmulVariant } from './backend/webgpu/matmulVariant.js';
export { cholesky, initLinalg, productInOrder, solveCholesky, solveTriangular, symmetricEigen } from './linalg/wasmLinalg.js';
export type { ProductInOrderOptions, SymmetricEigenOptions } from './linalg/wasmLinalg.js';
export { kernelRegression } from './kernel/regression.js';
export { arccosKernels } from './kernel/arccos.js';
export { gaussianWeights, gram, linearKernel, ntkFeatureKernel, randomFeatureKernel, randomFeatures, rbfKernel } from './kernel/features.js';
export { gaussHermite, hermiteCoefficients } from './kernel/hermite.js';
export type { ActivationName } from './kernel/hermite.js';
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
// Training your own network: the autodiff tape, parameters, models, optimizers, schedules and the loop.
export { Tape } from './autograd/tape.js';
export type { TapeMatmulOptions, TapeReduceOp, Var } from './autograd/tape.js';
export { ParamSet } from './nn/params.js';
export type { Param } from './nn/params.js';
export { Mlp } from './nn/mlp.js';
export type { Batch, Model } from './nn/model.js';
export { createOptimizer } from './nn/optim.js';
export type { Optimizer, OptimizerConfig, OptimizerState } from './nn/optim.js';
export { learningRate } from './nn/schedule.js';
export type { ScheduleConfig } from './nn/schedule.js';
export { train, validateTrainConfig } from './nn/train.js';
export type { Probe, ProbeContext, TrainCheckpoint, TrainConfig, TrainData, TrainHooks, TrainState, TrainSummary } from './nn/train.js';
export * from './metrics/index.js';
export * from './groups/index.js';
export { irrepBases, irrepEnergy, irrepSummary } from './metrics/irreps.js';
export type { IrrepBasis, IrrepSummary, IrrepSummaryOptions, NeuronIrrepEnergy } from './metrics/irreps.js';
export type { AdapterKind, MatmulShape, MatmulVariant } from './backend/webgpu/matmulVariant.js';
export { renderReport, parseResultFile, parseSuiteFile } from './report/index.js';
export type { ReportOptions, ResultFile, RunCollection, SuiteFile, SuiteRun } from './report/index.js';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint/codec.js';
export type { CheckpointValue } from './checkpoint/codec.js';
export { memoryCheckpointStore } from './checkpoint/store.js';
export type { CheckpointStore } from './checkpoint/store.js';
export { runWithDeviceFallback } from './checkpoint/deviceFallback.js';
export type { Fallback } from './checkpoint/deviceFallback.js';
export { EXPERIMENTS, findExperiment } from './experiments/index.js';
export { fashionMnistPick, pickedFileSource } from './data/pickedFiles.js';
export type { PickedFile } from './data/pickedFiles.js';
export type { FileSource } from './data/files.js';
export { buildConfig } from './experiments/config.js';
export { resultFile } from './experiments/resultFile.js';
export type { AnyExperiment, Experiment, ExperimentContext, ExperimentResult, Progress } from './experiments/types.js';
