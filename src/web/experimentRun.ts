/**
 * One experiment run in the page: its context (a backend that yields to the page, the run's checkpoint store, the
 * picked files, the live plots, a throttled progress line, the Stop button), on WASM from the last checkpoint when
 * the WebGPU device is lost (as the CLI does, runWithDeviceFallback), and its result file (the CLI's shape).
 */
import { getBackend } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/types.js';
import { runWithDeviceFallback } from '../checkpoint/deviceFallback.js';
import type { FileSource } from '../data/files.js';
import { resultFile, type ResultFile } from '../experiments/resultFile.js';
import { trackedStop } from '../experiments/stopRequest.js';
import type { ExperimentContext } from '../experiments/types.js';
import type { RunSettings } from './experimentForm.js';
import { keptStoreOn, type KeptStore } from './keptRun.js';
import type { LivePlots } from './plot.js';
import { yieldingBackend } from './yieldingBackend.js';

/** What a run needs besides its settings. */
export interface RunContext {
  /** The backend it starts on. */
  backend: Backend;
  /** The backend it goes on with when the WebGPU device is lost (none: no fallback). */
  fallback: Backend | undefined;
  /** The run's checkpoint store (a resumed run starts from its checkpoint). */
  store: KeptStore;
  files: FileSource;
  plots: LivePlots;
  ui: { progress: HTMLElement; progressBar: HTMLProgressElement };
  log: (message: string) => void;
  /** Whether the user pressed Stop (the run stops at its next measurement). */
  stopRequested: () => boolean;
}

/**
 * Runs the experiment `on` describes to its end or to a Stop; returns its result file, the backend it ended on
 * and whether it stopped early (a Stop after its last point where it could stop lets it finish whole).
 */
export async function runExperiment(on: RunSettings, rc: RunContext): Promise<{ file: ResultFile; ranOn: Backend; stopped: boolean }> {
  const { ui } = rc;
  const stop = trackedStop(rc.stopRequested);
  const t0 = performance.now();
  let lastPaint = 0;
  const ctx: ExperimentContext = {
    backend: yieldingBackend(rc.backend), seed: on.seed, checkpoint: rc.store, files: rc.files,
    progress: (p) => {
      // At most one paint per 100 ms (and always the last step): more would cost the run time and show nothing new.
      const now = performance.now();
      if (now - lastPaint < 100 && p.step < p.total) return;
      lastPaint = now;
      ui.progress.textContent = `${p.phase}: step ${p.step} of ${p.atMost ? 'at most ' : ''}${p.total}${rc.stopRequested() ? ' — stopping…' : ''}`;
      ui.progressBar.value = p.total > 0 ? p.step / p.total : 0;
    },
    log: rc.log,
    shouldStop: stop.shouldStop,
    series: (name, step, value) => rc.plots.add(name, step, value),
  };
  const fallback = rc.fallback ? { backend: yieldingBackend(rc.fallback), checkpoint: keptStoreOn(rc.store, rc.fallback.name) } : undefined;
  const done = fallback ? await runWithDeviceFallback(on.exp, on.config, ctx, fallback) : { result: await on.exp.run(on.config, ctx), backend: ctx.backend };
  const ranOn = getBackend(done.backend.name as BackendName);
  const totalSeconds = (performance.now() - t0) / 1000;
  const stopped = stop.acted();
  if (rc.stopRequested() && !stopped) rc.log("Stop came after the run's last point where it could stop: it finished, and its result is whole");
  const file = resultFile({
    experiment: on.exp.name, config: on.config, seed: on.seed, backend: ranOn, totalSeconds, result: done.result, stoppedBy: stopped ? 'the Stop button' : undefined,
  });
  ui.progress.textContent = `${stopped ? 'stopped' : 'done'} after ${totalSeconds.toFixed(1)} s on ${ranOn.name}`;
  return { file, ranOn, stopped };
}
