/**
 * Typed errors. Every error featurelab raises is a FeaturelabError subclass whose message says what was
 * wrong and what to do about it.
 */

/** Base class of every error featurelab raises. */
export class FeaturelabError extends Error {
  /** @param message what was wrong and what to do */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An op received matrices whose shapes do not fit together. */
export class ShapeError extends FeaturelabError {}

/** A WGSL shader failed to compile; the message carries the WGSL line numbers. */
export class ShaderCompileError extends FeaturelabError {}

/** The backend can no longer run: its WebGPU device was lost (driver reset, `device.destroy()`, out of memory), or the backend was disposed. */
export class DeviceLostError extends FeaturelabError {}

/** A requested backend cannot run in this runtime. */
export class BackendUnavailableError extends FeaturelabError {}

/** A matrix is larger than the backend can hold (storage-binding or memory limit). */
export class MatrixTooLargeError extends FeaturelabError {}

/** The GPU ran out of memory for a buffer whose size fitted its limits (known only after allocating); a run falls back to WASM. */
export class DeviceOutOfMemoryError extends MatrixTooLargeError {}

/** A matrix was used after `free()`, or with a backend that does not own it. */
export class InvalidMatrixError extends FeaturelabError {}

/** An argument that is not a matrix (option, size, data array) is out of range or of the wrong kind. */
export class ArgumentError extends FeaturelabError {}

/** A data file is malformed (bad magic number, dimensions, length or compression); the message names the file. */
export class DataFormatError extends FeaturelabError {}

/** A dataset is not installed where it was looked for; the message says how to get it. */
export class DatasetMissingError extends FeaturelabError {}

/** An experiment configuration or a command-line flag is invalid; the message lists what is allowed. */
export class ConfigError extends FeaturelabError {}

/** A matrix that must be symmetric positive definite is not (Cholesky met a non-positive pivot). */
export class NotPositiveDefiniteError extends FeaturelabError {}

/** A result folder, its result.json or its suite.json is missing or malformed; the message names the path. */
export class ResultFileError extends FeaturelabError {}

/** Training produced NaN or ±Infinity; the message names the step and the parameter (layer) affected. */
export class NonFiniteError extends FeaturelabError {
  /** @param step the step at which the non-finite value was seen; @param layer the parameter affected, or 'loss' */
  constructor(message: string, readonly step: number, readonly layer: string) {
    super(message);
  }
}

/** Training left the measured features empty (all zero: every unit of the layer inactive), so there is nothing to measure; the message says what to change. */
export class DegenerateFeaturesError extends FeaturelabError {}

/** A checkpoint cannot be used for this run (other experiment, config, seed or backend, or a damaged file). */
export class CheckpointError extends FeaturelabError {}

/** An output folder (--out) cannot be created or written, or another featurelab process is writing to it. */
export class OutputFolderError extends FeaturelabError {}
