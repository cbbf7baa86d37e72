/**
 * The featurelab web page: pick an experiment, preset, config and seed (from the experiment registry), run it
 * in the browser on WebGPU (WASM when WebGPU is unavailable, and the page says why), plot the metrics as they
 * arrive, stop and resume (from the checkpoint, kept in memory and in IndexedDB so that a reload or a closed tab
 * loses nothing: the page lists the kept runs, each with Resume and Discard), continue on WASM when the WebGPU
 * device is lost (as the CLI does), download result.json
 * (the CLI's shape) and the HTML report, and see modadd's neurons in 3D. The Fashion-MNIST experiments read
 * the files the user picks (read in the page, never sent).
 * State for tests and scripts: body[data-state] = loading | ready | running | done | stopped | error.
 */
import { getBackend, getInitReport, getRunBackend, init, type InitReport } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/types.js';
import { WasmBackend } from '../backend/wasm/wasmBackend.js';
import { WebGpuBackend } from '../backend/webgpu/webgpuBackend.js';
import { runWithDeviceFallback } from '../checkpoint/deviceFallback.js';
import { fashionMnistPick, pickedFileSource } from '../data/pickedFiles.js';
import type { FileSource } from '../data/files.js';
import { ConfigError, DatasetMissingError, FeaturelabError, ResultFileError, type DeviceLostError } from '../errors.js';
import { buildConfig, parseWholeNumber } from '../experiments/config.js';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { resultFile, type ResultFile } from '../experiments/resultFile.js';
import type { AnyExperiment, ConfigValue, ExperimentContext } from '../experiments/types.js';
import { fmtValue } from '../report/format.js';
import { renderReport } from '../report/index.js';
import { parseResultFile } from '../report/types.js';
import { VERSION } from '../version.js';
import { modaddPointCloud } from './features3d.js';
import { pageQuery, parsePageParams, type PageParams } from './params.js';
import { LivePlots } from './plot.js';
import { canvasView, webgpuView, type FeatureView } from './view3d.js';
import { renderKeptList, type KeptItem } from './keptList.js';
import {
  claimKeptRun, forgetBeyondCap, forgetKeptRun, keptCheckpointStore, keptStoreOn, loadKeptRuns, newRunKey,
  type KeptRun, type KeptSettings, type KeptStore, type Release,
} from './keptRun.js';
import { yieldingBackend } from './yieldingBackend.js';

/** The element with this id (the page's html defines them all). */
function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new FeaturelabError(`the page has no element #${id}; index.html and main.ts disagree (rebuild with npm run build)`);
  return el as T;
}

const ui = {
  backend: $('backend'), experiment: $<HTMLSelectElement>('experiment'), description: $('description'),
  preset: $<HTMLSelectElement>('preset'), backendChoice: $<HTMLSelectElement>('backend-choice'), seed: $<HTMLInputElement>('seed'),
  keys: $<HTMLFieldSetElement>('keys'), run: $<HTMLButtonElement>('run'), stop: $<HTMLButtonElement>('stop'), rerun: $<HTMLButtonElement>('rerun'),
  downloadJson: $<HTMLButtonElement>('download-json'), downloadReport: $<HTMLButtonElement>('download-report'),
  progress: $('progress'), progressBar: $<HTMLProgressElement>('progress-bar'), error: $('error'),
  plots: $('plots'), viewNote: $('view-note'), view: $<HTMLCanvasElement>('view3d'),
  summary: $<HTMLTableElement>('summary'), warnings: $('warnings'), log: $('log'),
  files: $<HTMLInputElement>('fashion-files'), filesNote: $('fashion-note'), openResult: $<HTMLInputElement>('open-result'),
  kept: $('kept'), keptRuns: $('kept-runs'),
};
/** The 3D view's note before anything is shown (put back when a run starts). */
const VIEW_NOTE = ui.viewNote.textContent;

/** The dataDir a run on picked files records (the picked files are found by name, whatever the folder). */
const PICKED_DIR = '(files picked in this page)';
/** The files the user picked (none yet: every read fails with a message that says to pick them). */
let picked: FileSource = pickedFileSource([]);
/** Whether all four Fashion-MNIST files are among the picked ones. */
let fashionPicked = false;

/** The last run's settings (for "Resume" / "Run again") and its result file (for the downloads). */
interface RunSettings { exp: AnyExperiment; preset: string; config: Record<string, ConfigValue>; seed: number; backend: BackendName }
let last: RunSettings | null = null;
/** Training steps between the page's checkpoints (kept in memory; a stop also saves one). */
const CHECKPOINT_EVERY = 200;
/**
 * Most runs kept in IndexedDB: each holds a whole checkpoint (parameters, optimizer state, series: up to a few MB
 * at the presets), so five stay far below browsers' storage quotas, and a list of five is read at a glance.
 * A new run beyond it forgets the oldest, and says so in the log.
 */
const MAX_KEPT_RUNS = 5;
/**
 * The last run in this tab: its storage key, its checkpoint (in memory and IndexedDB; Resume continues from it,
 * bit-identical to a run never stopped on WASM) and this tab's claim on it (other tabs leave it alone). Null
 * before a run and after a finished one (its checkpoint is forgotten).
 */
let current: { key: string; store: KeptStore; release: Release } | null = null;
/** The kept runs this tab lists (and holds), by key: from earlier visits, and this tab's runs passed over by a new one. */
const offered = new Map<string, { run: KeptRun; release: Release }>();
let lastFile: ResultFile | null = null;
let stopRequested = false;
const plots = new LivePlots(ui.plots);
let view: FeatureView | null = null;
/** Whether the view draws with the compute backend's device (lost with it). */
let viewShared = false;
/** The backends init() created, what it found, and the one it runs on when none is named (none before init). */
let backendNames: BackendName[] = [];
let report: InitReport = { available: [], unavailable: [] };
let forRuns: ReturnType<typeof getRunBackend> | null = null;
/** Set once the WebGPU device is lost: no run, Resume included, uses it again. */
let gpuLost = false;

/** Sets the page state (body[data-state]) and which buttons are usable. */
function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'stopped' | 'error'): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  // Without a backend (init failed) Run could only fail: it stays disabled.
  ui.run.disabled = running || state === 'loading' || backendNames.length === 0;
  ui.stop.disabled = !running;
  ui.rerun.disabled = running || !last || backendNames.length === 0;
  // Stopped or failed: continue from the checkpoint when there is one.
  const resumable = state !== 'running' && state !== 'done' && last !== null && current?.store.text !== undefined;
  ui.rerun.textContent = resumable ? 'Resume' : 'Run again from the start';
  ui.rerun.dataset.action = resumable ? 'resume' : 'restart';
  ui.downloadJson.disabled = running || !lastFile;
  ui.downloadReport.disabled = running || !lastFile;
}

/** Appends a line to the log panel. */
function log(message: string): void {
  ui.log.textContent += `${message}\n`;
}

/** An error as the page shows it: its name, then its message. */
function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A run's error as the page shows it: a missing data file gets the page's hint in place of the loaders' (for a disk: apt-get, a folder). */
function runErrorText(e: unknown): string {
  if (!(e instanceof DatasetMissingError)) return errorText(e);
  const message = e.message.replace(/(;|,)( or)? install it with `apt-get[\s\S]*$/, '');
  const hint = /Fashion-MNIST/.test(e.message) ? 'In this page: pick the four Fashion-MNIST files under "Fashion-MNIST files".'
    : 'In this page: pick it under "Fashion-MNIST files", with the dataset\'s four.';
  return `${e.name}: ${message}. ${hint}`;
}

/** One form control per config key of `exp`, filled with `values`. */
function buildKeyInputs(exp: AnyExperiment, values: Record<string, ConfigValue>): void {
  ui.keys.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'config' }));
  for (const [key, doc] of Object.entries(exp.keys)) {
    const label = document.createElement('label');
    label.className = 'key';
    label.title = doc.doc;
    const def = exp.defaults[key];
    let input: HTMLInputElement | HTMLSelectElement;
    if (doc.choices) {
      input = document.createElement('select');
      for (const c of doc.choices) input.append(new Option(c, c));
      input.value = String(values[key]);
    } else if (typeof def === 'boolean') {
      input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: Boolean(values[key]) });
    } else if (typeof def === 'number') {
      input = Object.assign(document.createElement('input'), { type: 'number', step: doc.integer ? '1' : 'any', value: String(values[key]) });
      if (doc.min !== undefined) input.min = String(doc.min);
      if (doc.max !== undefined) input.max = String(doc.max);
    } else {
      input = Object.assign(document.createElement('input'), { type: 'text', value: String(values[key]) });
    }
    input.name = key;
    input.dataset.key = key;
    // The description is the input's description, not part of its name (a screen reader reads the key, then it).
    const doc_ = Object.assign(document.createElement('span'), { className: 'doc', textContent: doc.doc, id: `doc-${key}` });
    input.setAttribute('aria-describedby', doc_.id);
    label.append(key, input, doc_);
    ui.keys.append(label);
  }
}

/** The form's config as "key=value" strings (checked by buildConfig like the CLI's --set). */
function formSets(): string[] {
  return Array.from(ui.keys.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-key]'), (el) => {
    // A number field holding text it cannot read (1e400, letters) reports '' as its value: say so, and point at it.
    if (el instanceof HTMLInputElement && el.type === 'number' && el.validity.badInput) {
      el.focus();
      throw new ConfigError(`${el.dataset.key}: the field does not hold a number the browser can read (too large, or not a number); type a plain decimal such as 0.01`);
    }
    return `${el.dataset.key}=${el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value}`;
  });
}

/** Whether `exp` reads data files (has a dataDir key) and can run on the synthetic stand-in instead. */
function dataKeys(exp: AnyExperiment): { readsFiles: boolean; synthetic: boolean } {
  return { readsFiles: 'dataDir' in exp.keys, synthetic: exp.keys.data?.choices?.includes('synthetic') === true };
}

/** The description line of `exp`, with where its data comes from in this page. */
function describe(exp: AnyExperiment): void {
  const { readsFiles, synthetic } = dataKeys(exp);
  ui.description.textContent = exp.description + (!readsFiles ? ''
    : fashionPicked ? ' (on the Fashion-MNIST files picked below)'
      : synthetic ? ' (here on the synthetic stand-in; pick the Fashion-MNIST files below to run it on them, data = fashion)'
        : ' — reads the Fashion-MNIST files: pick them below');
}

/** Shows `exp` in the form: description, presets, and its keys at `preset` with `sets` applied. */
function selectExperiment(exp: AnyExperiment, preset: string, sets: string[]): void {
  ui.experiment.value = exp.name;
  describe(exp);
  // Until the Fashion-MNIST files are picked, an experiment that can use the synthetic stand-in starts on it.
  const { readsFiles, synthetic } = dataKeys(exp);
  ui.preset.replaceChildren(...Object.keys(exp.presets).map((p) => new Option(p, p)));
  ui.preset.value = exp.presets[preset] ? preset : 'quick';
  const defaults = [
    ...(synthetic && !fashionPicked ? ['data=synthetic'] : []),
    ...(readsFiles && fashionPicked ? [`dataDir=${PICKED_DIR}`] : []),
  ].filter((d) => !sets.some((s) => s.startsWith(d.slice(0, d.indexOf('=') + 1))));
  buildKeyInputs(exp, buildConfig(exp, ui.preset.value, [...defaults, ...sets]));
}

/** Takes the files the user picked: says which Fashion-MNIST files are there and which are missing, and points the form at them. */
function pickFiles(list: readonly File[]): void {
  const names = list.map((f) => f.name);
  try {
    picked = pickedFileSource(list);
  } catch (e) {
    picked = pickedFileSource([]);
    fashionPicked = false;
    ui.filesNote.textContent = e instanceof Error ? e.message : String(e);
    return;
  }
  const { found, missing, other } = fashionMnistPick(names);
  fashionPicked = missing.length === 0;
  ui.filesNote.textContent = [
    fashionPicked ? `All four Fashion-MNIST files picked (${found.join(', ')}): the experiments on Fashion-MNIST read them, in this page.`
      : `${found.length} of Fashion-MNIST's four files picked; missing: ${missing.join(', ')} (or the same names without .gz).`,
    other.length > 0 ? `Other picked files, read only when a run asks for them by name (e.g. fromMerged): ${other.join(', ')}.` : '',
  ].filter((x) => x).join(' ');
  // The form follows: data = fashion where the stand-in was chosen, and the picked files as dataDir.
  const field = (key: string) => ui.keys.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-key="${key}"]`);
  const data = field('data');
  if (data && fashionPicked && data.value === 'synthetic') data.value = 'fashion';
  const dir = field('dataDir');
  if (dir && fashionPicked) dir.value = PICKED_DIR;
  describe(findExperiment(ui.experiment.value));
}

/** The experiment, config, seed and backend the form describes; ConfigError when a value is not allowed. */
function formSettings(): RunSettings {
  const exp = findExperiment(ui.experiment.value);
  const seed = parseWholeNumber(ui.seed.value);
  if (seed === undefined) {
    ui.seed.focus();
    throw new ConfigError(`seed must be a whole number from 0 to 2^53 − 1, got '${ui.seed.value}'`);
  }
  const config = buildConfig(exp, ui.preset.value, formSets());
  exp.validate?.(config); // the rules across keys, checked before the run starts as the CLI does
  return { exp, preset: ui.preset.value, config, seed, backend: ui.backendChoice.value as BackendName };
}

/** The address describing a run: its preset plus the keys that differ from it. */
function shareableQuery(s: RunSettings): string {
  const base = buildConfig(s.exp, s.preset, []);
  const sets = Object.entries(s.config).filter(([k, v]) => base[k] !== v).map(([k, v]) => `${k}=${String(v)}`);
  const p: PageParams = { experiment: s.exp.name, preset: s.preset, seed: s.seed, backend: s.backend, sets };
  return pageQuery(p);
}

/** Describes a backend for the status line: name, description, WASM threads and why. */
function describeBackend(b: Backend): string {
  const parts = [`${b.name}: ${b.description}`];
  if (b instanceof WasmBackend) {
    parts.push(`${b.threads} WASM thread${b.threads === 1 ? '' : 's'}${globalThis.crossOriginIsolated ? '' : ' (the page is not cross-origin isolated, so one: serve it with COOP/COEP headers, as `npm run web` does)'}`);
  }
  return parts.join(' — ');
}

/** Shows the summary table and warnings of a result file. */
function showResult(file: ResultFile): void {
  ui.summary.replaceChildren(...Object.entries(file.summary).map(([k, v]) => {
    const row = document.createElement('tr');
    row.dataset.key = k;
    row.dataset.value = JSON.stringify(v);
    row.append(Object.assign(document.createElement('td'), { textContent: k }), Object.assign(document.createElement('td'), { textContent: fmtValue(v) }));
    return row;
  }));
  ui.warnings.replaceChildren(...file.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: `warning: ${w}` })));
}

/** Shows modadd's neurons in the 3D view (or says why there is nothing to show, clearing what was shown). */
async function showFeatures(file: ResultFile): Promise<void> {
  const p = typeof file.config.p === 'number' ? file.config.p : NaN;
  const cloud = modaddPointCloud(file.details, p);
  // Rows a damaged or hand-edited file holds out of range are never drawn (nor allowed to size the guides).
  const rejected = cloud && cloud.rejected > 0
    ? ` ${cloud.rejected} active neuron row${cloud.rejected === 1 ? ' is' : 's are'} left out: zetaU is not a whole number from 0 to ⌊p/2⌋ = ${Math.floor(p / 2)} or phaseU is not a number (a damaged or hand-edited result.json?).` : '';
  if (!cloud || cloud.count === 0) {
    view?.clear();
    ui.viewNote.textContent = !cloud ? `The 3D view shows modadd's neurons; ${file.experiment} has no per-neuron frequencies to draw.`
      : cloud.active === 0 ? `None of this run's ${cloud.neurons} neurons is active${file.stoppedBy ? ` yet (stopped early by ${file.stoppedBy})` : ''}: nothing to draw.${rejected}`
        : `${cloud.active - cloud.rejected} active neuron${cloud.active - cloud.rejected === 1 ? '' : 's'}, none with a dominant frequency ζ ≥ 1 (a neuron at ζ = 0 has no circle): nothing to draw.${rejected}`;
    return;
  }
  if (!view) {
    const device = backendNames.includes('webgpu') && !gpuLost ? (getBackend('webgpu') as WebGpuBackend).device : undefined;
    view = (await webgpuView(ui.view, device).catch(() => null)) ?? canvasView(ui.view);
    viewShared = view.kind === 'webgpu' && device !== undefined;
  }
  ui.viewNote.textContent = `${cloud.count} active neurons at r·(cos θ, sin θ) of their embedding's dominant frequency ζ (θ its phase, r its power), `
    + `height and colour by ζ = 1…${cloud.maxZeta} (neurons whose dominant frequency is 0 have no circle and are left out). Drag or arrow keys rotate, the wheel or + and − zoom. `
    + (view.kind === 'webgpu' ? 'Rendered with WebGPU.' : 'This browser has no WebGPU: drawn on a 2D canvas instead.') + rejected;
  view.show(cloud);
}

/** Forgets the 3D view and its canvas (a canvas keeps the context it was given): the next one starts on a fresh canvas, with a device of its own. */
function resetView(): void {
  view = null;
  viewShared = false;
  const fresh = ui.view.cloneNode(false) as HTMLCanvasElement;
  ui.view.replaceWith(fresh);
  ui.view = fresh;
}

/** Saves text as a file through a blob: link (no network). */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Shows a result.json from disk (a CLI run's or this page's): its summary, warnings and 3D view, and makes it
 * the file the download buttons save. A file that is not a result.json is named with what is wrong.
 */
async function openResultFile(file: File): Promise<void> {
  const busy = (): boolean => {
    if (document.body.dataset.state !== 'running') return false;
    ui.error.textContent = `A run is going: stop it before opening a result file (${file.name} was not opened).`;
    return true;
  };
  if (busy()) return;
  let opened: ResultFile;
  try {
    let text: string;
    try {
      text = await file.text();
    } finally {
      ui.openResult.value = ''; // picking the same file again is a change too
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ResultFileError(`${file.name}: not JSON (${e instanceof Error ? e.message : String(e)}); pick a result.json written by featurelab run or this page`);
    }
    const parsed = parseResultFile(json, file.name);
    opened = { ...parsed, config: parsed.config as Record<string, ConfigValue>, summary: parsed.summary as ResultFile['summary'], details: parsed.details ?? {} };
  } catch (e) {
    if (!busy()) ui.error.textContent = errorText(e);
    return;
  }
  // A run started while the file was read owns the page now.
  if (busy()) return;
  lastFile = opened;
  ui.error.textContent = '';
  plots.clear();
  ui.progress.textContent = `opened ${file.name}: ${lastFile.experiment}, seed ${lastFile.seed}, run on ${lastFile.backend.name} by featurelab ${lastFile.version}${lastFile.stoppedBy ? ` (stopped early by ${lastFile.stoppedBy})` : ''}; its plots are in the report`;
  showResult(lastFile);
  setState(document.body.dataset.state as Parameters<typeof setState>[0]); // the same state; the downloads now save this file
  await showFeatures(lastFile);
}

/** The self-contained HTML report of one result (the same renderer as `featurelab report`). */
function reportHtml(file: ResultFile): string {
  return renderReport([parseResultFile(JSON.parse(JSON.stringify(file)), 'this run')]);
}

/** `s` on a backend this page can use now: a run kept on WebGPU, or set to it before its device was lost, goes on WASM (said in the log). */
function onUsableBackend(s: RunSettings): RunSettings {
  const usable = usableBackends();
  if (usable.includes(s.backend)) return s;
  const backend = usable.includes('wasm') ? 'wasm' : usable[0]!;
  log(`${s.backend} ${s.backend === 'webgpu' && gpuLost ? 'lost its device in this page' : 'is not available in this page'}: running on ${backend} instead (a checkpoint holds host copies of the state, so a resumed run goes on where it stood)`);
  return { ...s, backend };
}

/** The backends a run may use now (WebGPU not after its device was lost). */
function usableBackends(): BackendName[] {
  return backendNames.filter((n) => n !== 'webgpu' || !gpuLost);
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
  view?.clear(); // the last run's neurons are not this one's
  ui.viewNote.textContent = VIEW_NOTE;
  ui.error.textContent = '';
  ui.summary.replaceChildren();
  ui.warnings.replaceChildren();
  if (!resume) ui.log.textContent = '';
  setState('running');
  renderKept();
  try {
    const on = onUsableBackend(s);
    last = on;
    if (!resume || !current) await startFresh(on);
    const mine = current!;
    mine.store.settings = keptSettings(on);
    history.replaceState(null, '', shareableQuery(on));
    const backend = getBackend(on.backend);
    ui.backend.textContent = `running on ${describeBackend(backend)}`;
    ui.backend.dataset.name = backend.name;
    log(`featurelab ${VERSION}: ${on.exp.name} (preset ${on.preset}, seed ${on.seed}) on ${describeBackend(backend)}`);
    const t0 = performance.now();
    let lastPaint = 0;
    const ctx: ExperimentContext = {
      backend: yieldingBackend(backend), seed: on.seed, checkpoint: mine.store, files: picked,
      progress: (p) => {
        const now = performance.now();
        if (now - lastPaint < 100 && p.step < p.total) return;
        lastPaint = now;
        ui.progress.textContent = `${p.phase}: step ${p.step} of ${p.atMost ? 'at most ' : ''}${p.total}${stopRequested ? ' — stopping…' : ''}`;
        ui.progressBar.value = p.total > 0 ? p.step / p.total : 0;
      },
      log,
      shouldStop: () => stopRequested,
      series: (name, step, value) => plots.add(name, step, value),
    };
    const fallback = backend.name === 'webgpu' && backendNames.includes('wasm')
      ? { backend: yieldingBackend(getBackend('wasm')), checkpoint: keptStoreOn(mine.store, 'wasm') } : undefined;
    const done = fallback ? await runWithDeviceFallback(on.exp, on.config, ctx, fallback) : { result: await on.exp.run(on.config, ctx), backend: ctx.backend };
    const ranOn = getBackend(done.backend.name as BackendName);
    if (ranOn !== backend) last = { ...on, backend: ranOn.name }; // Resume and "Run again" stay off the lost device
    const totalSeconds = (performance.now() - t0) / 1000;
    lastFile = resultFile({
      experiment: on.exp.name, config: on.config, seed: on.seed, backend: ranOn, totalSeconds, result: done.result, stoppedBy: stopRequested ? 'the Stop button' : undefined,
    });
    ui.progress.textContent = `${stopRequested ? 'stopped' : 'done'} after ${totalSeconds.toFixed(1)} s on ${ranOn.name}`;
    showResult(lastFile);
    if (!stopRequested) {
      current = null;
      await forgetKeptRun(mine.key);
      await mine.release();
    }
    setState(stopRequested ? 'stopped' : 'done');
    await showFeatures(lastFile);
  } catch (e) {
    ui.error.textContent = runErrorText(e);
    setState('error');
  } finally {
    afterRun();
  }
}

/**
 * Makes a new run the one in hand: a storage key of its own, claimed by this tab. The run it replaces stays
 * kept (listed here) when it has a checkpoint; beyond MAX_KEPT_RUNS the oldest kept runs are forgotten, each named in the log.
 */
async function startFresh(s: RunSettings): Promise<void> {
  shelveCurrent();
  const key = newRunKey();
  // A new key is held by no other tab: the claim is granted (null only without a usable lock manager).
  const release = (await claimKeptRun(key)) ?? (async () => {});
  current = {
    key, release,
    store: keptCheckpointStore(key, keptSettings(s), { every: CHECKPOINT_EVERY, version: VERSION, warn: (m) => log(`warning: ${m}`), plots }),
  };
  for (const gone of await forgetBeyondCap(MAX_KEPT_RUNS, new Set(offered.keys()), key)) {
    log(`forgot the kept run ${keptLabel(gone.run)}: this browser keeps at most ${MAX_KEPT_RUNS} runs, and it was the oldest`);
    const held = offered.get(gone.key);
    offered.delete(gone.key);
    await held?.release();
  }
  renderKept();
}

/** Moves the run in hand to the list of kept runs when it has a checkpoint (a new run does not delete it); lets it go otherwise. */
function shelveCurrent(): void {
  if (!current) return;
  const { key, store, release } = current;
  current = null;
  if (store.record) offered.set(key, { run: store.record, release });
  else void release();
}

/** A kept run in one line: experiment, preset, seed, backend, where its checkpoint stands and when it was saved. */
function keptLabel(run: KeptRun): string {
  const k = run.settings;
  return `${k.experiment} (preset ${k.preset}, seed ${k.seed}, on ${k.backend}): ${run.position ?? 'a checkpoint'}, saved ${new Date(run.savedAt).toLocaleString()}`;
}

/** The list's item for a kept run: why it cannot be resumed here, or on which backend it will be. */
function keptItem(key: string, run: KeptRun): KeptItem {
  const k = run.settings;
  const item: KeptItem = { key, experiment: k.experiment, text: keptLabel(run), blocked: null, note: '' };
  if (run.version !== VERSION) return { ...item, blocked: `it was saved by featurelab ${run.version}, this page is ${VERSION} (their checkpoints may differ)` };
  if (!EXPERIMENTS.some((e) => e.name === k.experiment)) return { ...item, blocked: `this page has no experiment ${k.experiment}` };
  const usable = usableBackends();
  if (!usable.includes(k.backend as BackendName)) {
    const why = k.backend === 'webgpu' && gpuLost ? 'its device was lost' : report.unavailable.find((u) => u.name === k.backend)?.reason ?? 'not in this page';
    const on = usable.includes('wasm') ? 'wasm' : usable[0];
    item.note = `Saved on ${k.backend}, which this page cannot use now (${why}): Resume continues it on ${on} from its checkpoint, which holds host copies of the state.`;
  }
  return item;
}

/** Redraws the list of kept runs (newest first); Resume is disabled while a run goes. */
function renderKept(): void {
  const items = [...offered].sort(([, a], [, b]) => (a.run.savedAt < b.run.savedAt ? 1 : -1)).map(([key, o]) => keptItem(key, o.run));
  renderKeptList(ui.kept, ui.keptRuns, items, document.body.dataset.state === 'running', (key, action) => void (action === 'resume' ? resumeKept(key) : discardKept(key)));
}

/** Resumes the kept run `key` from its checkpoint; the run in hand, if it has one, joins the list. */
async function resumeKept(key: string): Promise<void> {
  const o = offered.get(key);
  if (!o || document.body.dataset.state === 'running') return;
  const k = o.run.settings;
  shelveCurrent();
  offered.delete(key);
  current = {
    key, release: o.release,
    store: keptCheckpointStore(key, k, { every: CHECKPOINT_EVERY, version: VERSION, warn: (m) => log(`warning: ${m}`), plots, restored: o.run }),
  };
  const exp = findExperiment(k.experiment);
  ui.log.textContent = '';
  log(`resuming the kept run ${keptLabel(o.run)}`);
  await run({ exp, preset: k.preset, config: k.config, seed: k.seed, backend: k.backend as BackendName }, true);
}

/** Forgets the kept run `key` (the user discarded it) and lets other tabs go; said in the log. */
async function discardKept(key: string): Promise<void> {
  const o = offered.get(key);
  if (!o) return;
  offered.delete(key);
  renderKept();
  await forgetKeptRun(key);
  await o.release();
  log(`discarded the kept run ${keptLabel(o.run)}`);
}

/** The settings of a run by name, as kept in IndexedDB. */
function keptSettings(s: RunSettings): KeptSettings {
  return { experiment: s.exp.name, preset: s.preset, config: s.config, seed: s.seed, backend: s.backend };
}

/** Lists every kept run no open tab holds, each claimed by this tab first (a run another tab claimed meanwhile is skipped). */
async function offerKeptRuns(): Promise<void> {
  for (const entry of await loadKeptRuns()) {
    const release = await claimKeptRun(entry.key);
    if (release) offered.set(entry.key, { run: entry.run, release });
  }
  renderKept();
}

/** The header names the backend the form will run on, and why any is missing or passed over. */
function showBackend(): void {
  if (document.body.dataset.state === 'running' || !forRuns) return; // the header names the backend that runs
  const passedOver = forRuns.note && ui.backendChoice.value === forRuns.backend.name ? [`(${forRuns.note}; choose webgpu to use it anyway)`] : [];
  const lost = gpuLost ? ['(webgpu: its device was lost; runs go on without it)'] : [];
  const missing = [...passedOver, ...lost, ...report.unavailable.map((u) => `(${u.name} unavailable: ${u.reason})`)];
  ui.backend.textContent = [`will run on ${describeBackend(getBackend(ui.backendChoice.value as BackendName))}`, ...missing].join(' ');
  ui.backend.dataset.name = ui.backendChoice.value;
}

/** After a run: the header follows the form's backend again, and keyboard focus returns to Run (not to the page). */
function afterRun(): void {
  if (last) ui.rerun.title = `${last.exp.name}, preset ${last.preset}, seed ${last.seed}, on ${last.backend}: the last run's settings, not the form's`;
  showBackend();
  renderKept();
  if (document.activeElement === document.body || document.activeElement === ui.stop) ui.run.focus();
}

/**
 * The WebGPU device is gone: said in the log; the form, Resume and kept runs use WASM from now on, and a 3D view
 * drawing with that device is dropped (the next starts on a fresh canvas). A run going on WebGPU falls back by itself.
 */
function onGpuLost(e: DeviceLostError): void {
  gpuLost = true;
  log(`${e.message.split(';')[0]}: runs use ${usableBackends().join(', ') || 'no backend'} from now on`);
  const option = ui.backendChoice.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (option) {
    option.disabled = true;
    option.textContent = 'webgpu (device lost)';
  }
  if (ui.backendChoice.value === 'webgpu' && usableBackends().length > 0) ui.backendChoice.value = usableBackends()[0]!;
  if (viewShared) resetView();
  showBackend();
  renderKept();
}

/**
 * The experiment, preset and overrides the address asks for, each override checked on its own (the rules across
 * keys are checked once, on all of them together, by the caller): what is not allowed is left out and named in
 * `problems`, so one bad value never stops the page.
 */
function formFromAddress(params: ReturnType<typeof parsePageParams>): { exp: AnyExperiment; preset: string; sets: string[]; problems: string[] } {
  const problems = [...params.problems];
  let exp = findExperiment('modadd');
  if (params.experiment) {
    try {
      exp = findExperiment(params.experiment);
    } catch (e) {
      problems.push(`experiment=${params.experiment}: ${e instanceof Error ? e.message : String(e)}; showing modadd`);
    }
  }
  let preset = params.preset ?? 'quick';
  if (!exp.presets[preset]) {
    problems.push(`preset=${preset}: ${exp.name} has the presets ${Object.keys(exp.presets).join(', ')}; using quick`);
    preset = 'quick';
  }
  // A key checked against the preset's other values would fail with them (samples=500 over trainSize=400) though the link sets both.
  const keysOnly: AnyExperiment = { ...exp, validate: undefined };
  const sets = params.sets.filter((set) => {
    try {
      buildConfig(keysOnly, preset, [set]);
      return true;
    } catch (e) {
      problems.push(`set=${set}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  });
  return { exp, preset, sets, problems };
}

/** Fills the form from the address; overrides allowed alone but not together are named and the preset's values used. */
function formAddressed(fromAddress: ReturnType<typeof formFromAddress>, problems: string[]): void {
  try {
    selectExperiment(fromAddress.exp, fromAddress.preset, fromAddress.sets);
  } catch (e) {
    if (fromAddress.sets.length === 0) throw e;
    problems.push(`${fromAddress.sets.map((x) => `set=${x}`).join(', ')}: each is allowed, but not together (${e instanceof Error ? e.message : String(e)}); using the preset ${fromAddress.preset}'s values for them`);
    selectExperiment(fromAddress.exp, fromAddress.preset, []);
  }
}

/** Attaches the form's and the buttons' listeners (before anything that can fail, so the page is never dead). */
function attachListeners(): void {
  ui.experiment.addEventListener('change', () => selectExperiment(findExperiment(ui.experiment.value), ui.preset.value, []));
  ui.preset.addEventListener('change', () => selectExperiment(findExperiment(ui.experiment.value), ui.preset.value, []));
  ui.files.addEventListener('change', () => pickFiles(Array.from(ui.files.files ?? [])));
  ui.openResult.addEventListener('change', () => { const f = ui.openResult.files?.[0]; if (f) void openResultFile(f); });
  ui.backendChoice.addEventListener('change', showBackend);
  ui.run.addEventListener('click', () => {
    let s: RunSettings;
    try {
      s = formSettings();
    } catch (e) {
      ui.error.textContent = errorText(e);
      return;
    }
    void run(s);
  });
  ui.stop.addEventListener('click', () => { stopRequested = true; ui.progress.textContent += ' — stopping at the next measurement…'; });
  ui.rerun.addEventListener('click', () => { if (last) void run(last, ui.rerun.dataset.action === 'resume'); });
  // A stopped run's partial result is saved under its own name, beside the finished one.
  const fileName = (f: ResultFile, what: string) => `${f.experiment}-seed${f.seed}${f.stoppedBy ? '-partial' : ''}-${what}`;
  ui.downloadJson.addEventListener('click', () => {
    if (lastFile) download(fileName(lastFile, 'result.json'), `${JSON.stringify(lastFile, null, 2)}\n`, 'application/json');
  });
  ui.downloadReport.addEventListener('click', () => {
    if (lastFile) download(fileName(lastFile, 'report.html'), reportHtml(lastFile), 'text/html');
  });
}

/** Starts the page: buttons, form (from the address), then the backends and the kept runs. */
async function start(): Promise<void> {
  ui.experiment.replaceChildren(...EXPERIMENTS.map((e) => new Option(e.name, e.name)));
  attachListeners();
  const params = parsePageParams(location.search);
  const fromAddress = formFromAddress(params);
  const problems = fromAddress.problems;
  formAddressed(fromAddress, problems);
  if (params.seed !== undefined) ui.seed.value = String(params.seed);
  // Shown before the backends start, so that a failing init leaves them named too.
  const showProblems = (): void => {
    if (problems.length > 0) ui.error.textContent = `The page address asked for what cannot be used; it was left out:\n${problems.map((p) => `• ${p}`).join('\n')}`;
  };
  showProblems();

  const names = await init({ prefer: ['webgpu', 'wasm'], log });
  backendNames = names;
  report = getInitReport();
  ui.backendChoice.replaceChildren(...names.map((n) => new Option(n, n)));
  // WebGPU on a software adapter (no GPU) is slower than WASM: start on WASM then, and say why.
  forRuns = getRunBackend();
  ui.backendChoice.value = forRuns.backend.name;
  if (params.backend && names.includes(params.backend as BackendName)) ui.backendChoice.value = params.backend;
  else if (params.backend) problems.push(`backend=${params.backend}: not available here (this page has ${names.join(', ')}); using ${ui.backendChoice.value}`);
  showProblems();
  if (names.includes('webgpu')) void (getBackend('webgpu') as WebGpuBackend).whenLost.then(onGpuLost);
  showBackend();
  await offerKeptRuns();
  setState('ready');
}

start().catch((e: unknown) => {
  ui.error.textContent = `${ui.error.textContent ? `${ui.error.textContent}\n` : ''}${errorText(e)}`;
  setState('error');
});
