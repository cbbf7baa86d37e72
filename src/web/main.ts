/**
 * The featurelab web page: pick an experiment, preset, config and seed (from the experiment registry), run it
 * in the browser on WebGPU (WASM when WebGPU is unavailable, and the page says why), plot the metrics as they
 * arrive, stop and resume (from the checkpoint, kept in memory and in IndexedDB so that a reload or a closed tab
 * loses nothing: the page lists the kept runs, each with Resume and Discard), continue on WASM when the WebGPU
 * device is lost (as the CLI does), download result.json
 * (the CLI's shape) and the HTML report (shown in the page too), and see modadd's neurons in 3D. The Fashion-MNIST experiments read
 * the files the user picks (read in the page, never sent).
 * This module is the page controller: it holds the page's state (the last run, its result file, Stop) and wires
 * the form, the address, the backends, the kept runs, the result view and the 3D view, each a module of its own.
 * State for tests and scripts: body[data-state] = loading | ready | running | done | stopped | error.
 */
import { getBackend } from '../backend/registry.js';
import type { WebGpuBackend } from '../backend/webgpu/webgpuBackend.js';
import type { DeviceLostError } from '../errors.js';
import { EXPERIMENTS } from '../experiments/index.js';
import type { ResultFile } from '../experiments/resultFile.js';
import { VERSION } from '../version.js';
import { chooseAddressedBackend, fillFormFromAddress, formFromAddress, shareableQuery, showAddressProblems } from './address.js';
import { describeBackend, PageBackends, showBackend } from './backendStatus.js';
import { errorText, runErrorText } from './errorText.js';
import { ExperimentForm, type RunSettings } from './experimentForm.js';
import { runExperiment } from './experimentRun.js';
import { FeaturesPanel } from './featuresPanel.js';
import { KeptRunsPanel, keptSettings } from './keptRunsPanel.js';
import { pageElements } from './pageElements.js';
import { parsePageParams } from './params.js';
import { LivePlots } from './plot.js';
import { downloadReport, downloadResultJson } from './resultDownloads.js';
import { clearResult, fitReport, openResultFile, showResult } from './resultView.js';

/** The page's states, as body[data-state] names them. */
type PageState = 'loading' | 'ready' | 'running' | 'done' | 'stopped' | 'error';

const ui = pageElements();
const plots = new LivePlots(ui.plots);
const backends = new PageBackends();
const form = new ExperimentForm(ui);
const features = new FeaturesPanel(ui.view, ui.viewNote, () => backends.viewDevice());
const kept = new KeptRunsPanel({ ui, log, plots, backends, running: isRunning, run });

/** The last run's settings (for "Resume" / "Run again") and its result file (for the downloads). */
let last: RunSettings | null = null;
let lastFile: ResultFile | null = null;
let stopRequested = false;

/** Whether a run goes (one at a time). */
function isRunning(): boolean {
  return document.body.dataset.state === 'running';
}

/** Sets the page state (body[data-state]) and which buttons are usable. */
function setState(state: PageState): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  // Without a backend (init failed) Run could only fail: it stays disabled.
  ui.run.disabled = running || state === 'loading' || backends.names.length === 0;
  ui.stop.disabled = !running;
  ui.rerun.disabled = running || !last || backends.names.length === 0;
  // Stopped or failed: continue from the checkpoint when there is one.
  const resumable = state !== 'running' && state !== 'done' && last !== null && kept.current?.store.text !== undefined;
  ui.rerun.textContent = resumable ? 'Resume' : 'Run again from the start';
  ui.rerun.dataset.action = resumable ? 'resume' : 'restart';
  ui.downloadJson.disabled = running || !lastFile;
  ui.downloadReport.disabled = running || !lastFile;
}

/** Appends a line to the log panel. */
function log(message: string): void {
  ui.log.textContent += `${message}\n`;
}

/** The header names the backend the form will run on (left alone while a run goes). */
function showFormBackend(): void {
  showBackend(ui, backends, isRunning());
}

/**
 * Runs the experiment the settings describe, plotting as it goes; keeps the result for download. With `resume`,
 * continues from the checkpoint of the run in hand (its plots come back with the checkpoint). A lost WebGPU device
 * continues the run on WASM from its last checkpoint, as the CLI does (runWithDeviceFallback), and says so.
 */
async function run(s: RunSettings, resume = false): Promise<void> {
  last = s;
  lastFile = null;
  stopRequested = false;
  plots.clear();
  features.clear(); // the last run's neurons are not this one's
  ui.error.textContent = '';
  clearResult(ui);
  if (!resume) ui.log.textContent = '';
  setState('running');
  kept.render();
  try {
    const on = backends.onUsable(s, log);
    last = on;
    if (!resume || !kept.current) await kept.startFresh(on);
    const mine = kept.current!;
    mine.store.settings = keptSettings(on);
    history.replaceState(null, '', shareableQuery(on));
    const backend = getBackend(on.backend);
    ui.backend.textContent = `running on ${describeBackend(backend)}`;
    ui.backend.dataset.name = backend.name;
    log(`featurelab ${VERSION}: ${on.exp.name} (preset ${on.preset}, seed ${on.seed}) on ${describeBackend(backend)}`);
    const { file, ranOn, stopped } = await runExperiment(on, {
      backend, fallback: backend.name === 'webgpu' && backends.names.includes('wasm') ? getBackend('wasm') : undefined,
      store: mine.store, files: form.picked, plots, ui, log, stopRequested: () => stopRequested,
    });
    if (ranOn !== backend) last = { ...on, backend: ranOn.name }; // Resume and "Run again" stay off the lost device
    lastFile = file;
    showResult(ui, lastFile);
    if (!stopped) await kept.forgetFinished(mine);
    setState(stopped ? 'stopped' : 'done');
    await features.show(lastFile);
  } catch (e) {
    ui.error.textContent = runErrorText(e);
    setState('error');
  } finally {
    afterRun();
  }
}

/** After a run: the header follows the form's backend again, and keyboard focus returns to Run (not to the page). */
function afterRun(): void {
  if (last) ui.rerun.title = `${last.exp.name}, preset ${last.preset}, seed ${last.seed}, on ${last.backend}: the last run's settings, not the form's`;
  showFormBackend();
  kept.render();
  if (document.activeElement === document.body || document.activeElement === ui.stop) ui.run.focus();
}

/**
 * The WebGPU device is gone: said in the log; the form, Resume and kept runs use WASM from now on, and a 3D view
 * drawing with that device is dropped (the next starts on a fresh canvas). A run going on WebGPU falls back by itself.
 */
function onGpuLost(e: DeviceLostError): void {
  backends.loseGpu(e, ui.backendChoice, log);
  if (features.sharesDevice) features.reset();
  showFormBackend();
  kept.render();
}

/** Attaches the form's and the buttons' listeners (before anything that can fail, so the page is never dead). */
function attachListeners(): void {
  ui.experiment.addEventListener('change', () => form.reselect());
  ui.preset.addEventListener('change', () => form.reselect());
  ui.files.addEventListener('change', () => form.pickFiles(Array.from(ui.files.files ?? [])));
  ui.openResult.addEventListener('change', () => {
    const f = ui.openResult.files?.[0];
    if (f) void openResultFile(f, { ui, plots, running: isRunning, adopt: adoptOpened });
  });
  ui.backendChoice.addEventListener('change', showFormBackend);
  ui.run.addEventListener('click', () => {
    let s: RunSettings;
    try {
      s = form.settings();
    } catch (e) {
      ui.error.textContent = errorText(e);
      return;
    }
    void run(s);
  });
  ui.stop.addEventListener('click', () => { stopRequested = true; ui.progress.textContent += ' — stopping at the next measurement…'; });
  ui.rerun.addEventListener('click', () => { if (last) void run(last, ui.rerun.dataset.action === 'resume'); });
  ui.downloadJson.addEventListener('click', () => { if (lastFile) downloadResultJson(lastFile); });
  ui.downloadReport.addEventListener('click', () => { if (lastFile) downloadReport(lastFile); });
  // The report's plots scale with the width: its height follows.
  addEventListener('resize', () => fitReport(ui.report));
}

/** Makes an opened result file the one the downloads save (the page's state stays as it was) and shows its neurons. */
async function adoptOpened(file: ResultFile): Promise<void> {
  lastFile = file;
  setState(document.body.dataset.state as PageState);
  await features.show(file);
}

/** Starts the page: buttons, form (from the address), then the backends and the kept runs. */
async function start(): Promise<void> {
  ui.experiment.replaceChildren(...EXPERIMENTS.map((e) => new Option(e.name, e.name)));
  attachListeners();
  const params = parsePageParams(location.search);
  const fromAddress = formFromAddress(params);
  const problems = fromAddress.problems;
  fillFormFromAddress(fromAddress, problems, (exp, preset, sets) => form.select(exp, preset, sets));
  if (params.seed !== undefined) ui.seed.value = String(params.seed);
  // Shown before the backends start, so that a failing init leaves them named too.
  showAddressProblems(ui.error, problems);

  const names = await backends.start(ui.backendChoice, log);
  chooseAddressedBackend(ui.backendChoice, params.backend, names, problems);
  showAddressProblems(ui.error, problems);
  if (names.includes('webgpu')) void (getBackend('webgpu') as WebGpuBackend).whenLost.then(onGpuLost);
  showFormBackend();
  await kept.offerStored();
  setState('ready');
}

start().catch((e: unknown) => {
  ui.error.textContent = `${ui.error.textContent ? `${ui.error.textContent}\n` : ''}${errorText(e)}`;
  setState('error');
});
