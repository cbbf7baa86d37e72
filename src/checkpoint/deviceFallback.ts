/**
 * Device loss: when the WebGPU device is lost mid-run (driver reset, `device.destroy()`) or runs out of memory
 * for a buffer that fitted its limits, the run continues on a fallback backend (WASM) from the last checkpoint.
 * (A matrix over the device's limits is refused before allocating: MatrixTooLargeError, no fallback.) Parameters and optimizer state
 * are host copies in the checkpoint, so they are simply uploaded to the new backend.
 */
import { ArgumentError, DeviceLostError, DeviceOutOfMemoryError } from '../errors.js';
import type { Backend } from '../backend/types.js';
import type { AnyExperiment, ConfigValue, ExperimentContext, ExperimentResult } from '../experiments/types.js';
import type { CheckpointStore } from './store.js';
import { describePosition } from './stages.js';
import { checkContext } from '../experiments/context.js';
import { describeValue, isBackend } from '../validate.js';

/** Where to continue after a device loss: the backend, and the store holding the lost run's checkpoints. */
export interface Fallback {
  backend: Backend;
  checkpoint?: CheckpointStore;
}

/**
 * Runs `exp`; if its WebGPU device is lost, runs it again on `fallback.backend` from the last checkpoint.
 * Returns the result (with a warning saying what happened) and the backend that finished it.
 */
export async function runWithDeviceFallback(
  exp: AnyExperiment, config: Record<string, ConfigValue>, ctx: ExperimentContext, fallback: Fallback,
): Promise<{ result: ExperimentResult; backend: Backend }> {
  if (exp === null || typeof exp !== 'object' || typeof exp.run !== 'function') throw new ArgumentError(`runWithDeviceFallback: the first argument must be an experiment (findExperiment(name)), got ${describeValue(exp)}`);
  checkContext(exp.name, ctx);
  if (fallback === null || typeof fallback !== 'object' || !isBackend(fallback.backend)) {
    throw new ArgumentError(`runWithDeviceFallback: fallback must be { backend, checkpoint? } with the backend to finish on (e.g. getBackend('wasm')), got ${describeValue(fallback)}`);
  }
  let lastStep = 0;
  const progress = ctx.progress;
  try {
    const result = await exp.run(config, { ...ctx, progress: (p) => { lastStep = p.step; progress?.(p); } });
    return { result, backend: ctx.backend };
  } catch (e) {
    const lost = e instanceof DeviceLostError;
    if (!(lost || e instanceof DeviceOutOfMemoryError) || ctx.backend.name !== 'webgpu' || fallback.backend.name === 'webgpu') throw e;
    const from = describePosition(fallback.checkpoint ? await fallback.checkpoint.load() : undefined);
    const what = lost ? 'WebGPU device lost' : 'WebGPU device out of memory';
    const note = `${what} at step ${lastStep}; continued on ${fallback.backend.name} from ${from} (${e.message.split(';')[0]})`;
    ctx.log?.(note);
    const result = await exp.run(config, { ...ctx, backend: fallback.backend, checkpoint: fallback.checkpoint });
    return { result: { ...result, warnings: [...result.warnings, note] }, backend: fallback.backend };
  }
}
