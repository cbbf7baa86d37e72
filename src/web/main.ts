/**
 * The featurelab web page: pick an experiment, preset, config and seed (from the experiment registry), run it
 * in the browser on WebGPU (WASM when WebGPU is unavailable, and the page says why), plot the metrics as they
 * arrive, stop and resume (from the checkpoint, kept in memory and in IndexedDB so that a reload or a closed tab
 * loses nothing: the page offers to resume when it opens again), download result.json
 * (the CLI's shape) and the HTML report, and see modadd's neurons in 3D. The Fashion-MNIST experiments read
 * the files the user picks (read in the page, never sent).
 * State for tests and scripts: body[data-state] = loading | ready | running | done | stopped | error.
 */
import { getBackend, getInitReport, getRunBackend, init } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/types.js';
import { WasmBackend } from '../backend/wasm/wasmBackend.js';
import { WebGpuBackend } from '../backend/webgpu/webgpuBackend.js';
import type { memoryCheckpointStore } from '../checkpoint/store.js';
import { fashionMnistPick, pickedFileSource } from '../data/pickedFiles.js';
import type { FileSource } from '../data/files.js';
import { ConfigError, DatasetMissingError, FeaturelabError, ResultFileError } from '../errors.js';
import { buildConfig, parseWholeNumber } from '../experiments/config.js';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { resultFile, type ResultFile } from '../experiments/resultFile.js';
import type { AnyExperiment, ConfigValue } from '../experiments/types.js';
import { fmtValue } from '../report/format.js';
import { renderReport } from '../report/index.js';
import { parseResultFile } from '../report/types.js';
import { VERSION } from '../version.js';
import { modaddPointCloud } from './features3d.js';
import { pageQuery, parsePageParams, type PageParams } from './params.js';
import { LivePlots } from './plot.js';
import { canvasView, webgpuView, type FeatureView } from './view3d.js';
import { claimKeptRun, forgetFreeKeptRuns, forgetKeptRun, keptCheckpointStore, loadKeptRuns, newRunKey, type KeptEntry, type KeptSettings } from './keptRun.js';
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
};

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
/** The last run's checkpoint (also kept in IndexedDB): Resume continues from it, bit-identical to a run never stopped on WASM. */
let lastCheckpoint: ReturnType<typeof memoryCheckpointStore> | null = null;
/** The storage key of the last run's checkpoint, and the release of this tab's claim on it (other tabs leave it alone). */
let lastKey = '';
let releaseLastKey = async (): Promise<void> => {};
let lastFile: ResultFile | null = null;
let stopRequested = false;
const plots = new LivePlots(ui.plots);
let view: FeatureView | null = null;

/** Sets the page state (body[data-state]) and which buttons are usable. */
function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'stopped' | 'error'): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  ui.run.disabled = running || state === 'loading';
  ui.stop.disabled = !running;
  ui.rerun.disabled = running || !last;
  // Stopped, failed, or kept from before the page was reloaded: continue from the checkpoint when there is one.
  const resumable = state !== 'running' && state !== 'done' && last !== null && lastCheckpoint?.text !== undefined;
  ui.rerun.textContent = resumable ? 'Resume' : 'Run again from the start';
  ui.rerun.dataset.action = resumable ? 'resume' : 'restart';
  ui.downloadJson.disabled = running || !lastFile;
  ui.downloadReport.disabled = running || !lastFile;
}

/** Appends a line to the log panel. */
function log(message: string): void {
  ui.log.textContent += `${message}\n`;
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

/** Shows modadd's neurons in the 3D view (or says why there is nothing to show). */
async function showFeatures(file: ResultFile): Promise<void> {
  const cloud = modaddPointCloud(file.details);
  if (!cloud) {
    ui.viewNote.textContent = `The 3D view shows modadd's neurons; ${file.experiment} has no per-neuron frequencies to draw.`;
    return;
  }
  if (!view) {
    const names = getInitReport().available;
    const device = names.includes('webgpu') ? (getBackend('webgpu') as WebGpuBackend).device : undefined;
    view = (await webgpuView(ui.view, device).catch(() => null)) ?? canvasView(ui.view);
  }
  ui.viewNote.textContent = `${cloud.count} active neurons at r·(cos θ, sin θ) of their embedding's dominant frequency ζ (θ its phase, r its power), `
    + `height and colour by ζ = 1…${cloud.maxZeta} (neurons whose dominant frequency is 0 have no circle and are left out). Drag or arrow keys rotate, the wheel or + and − zoom. `
    + (view.kind === 'webgpu' ? 'Rendered with WebGPU.' : 'This browser has no WebGPU: drawn on a 2D canvas instead.');
  view.show(cloud);
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
  if (document.body.dataset.state === 'running') {
    ui.error.textContent = 'A run is going: stop it before opening a result file.';
    return;
  }
  try {
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (e) {
      throw new ResultFileError(`${file.name}: not JSON (${e instanceof Error ? e.message : String(e)}); pick a result.json written by featurelab run or this page`);
    }
    const parsed = parseResultFile(json, file.name);
    lastFile = { ...parsed, config: parsed.config as Record<string, ConfigValue>, summary: parsed.summary as ResultFile['summary'], details: parsed.details ?? {} };
  } catch (e) {
    ui.error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return;
  }
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

/**
 * Runs the experiment the settings describe, plotting as it goes; keeps the result for download. With `resume`,
 * continues from the last run's checkpoint (its plots stay: the restored points are not sent again).
 */
async function run(s: RunSettings, resume = false): Promise<void> {
  last = s;
  lastFile = null;
  stopRequested = false;
  const fresh = !resume || !lastCheckpoint;
  const key = fresh ? newRunKey() : lastKey;
  const checkpoint = fresh ? keptCheckpointStore(CHECKPOINT_EVERY, key, keptSettings(s), VERSION, (m) => log(`warning: ${m}`)) : lastCheckpoint!;
  lastCheckpoint = checkpoint;
  if (!resume) plots.clear();
  ui.error.textContent = '';
  ui.summary.replaceChildren();
  ui.warnings.replaceChildren();
  if (!resume) ui.log.textContent = '';
  history.replaceState(null, '', shareableQuery(s));
  setState('running');
  if (fresh) {
    await holdKey(key);
    await forgetFreeKeptRuns(); // a new run: the runs kept from before and passed over are not offered again (another tab's stay)
  }
  const backend = getBackend(s.backend);
  ui.backend.textContent = `running on ${describeBackend(backend)}`;
  ui.backend.dataset.name = backend.name;
  ui.rerun.title = `${s.exp.name}, preset ${s.preset}, seed ${s.seed}, on ${s.backend}: the last run's settings, not the form's`;
  log(`featurelab ${VERSION}: ${s.exp.name} (preset ${s.preset}, seed ${s.seed}) on ${describeBackend(backend)}`);
  const t0 = performance.now();
  let lastPaint = 0;
  try {
    const result = await s.exp.run(s.config, {
      backend: yieldingBackend(backend), seed: s.seed, checkpoint, files: picked,
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
    });
    const totalSeconds = (performance.now() - t0) / 1000;
    lastFile = resultFile({
      experiment: s.exp.name, config: s.config, seed: s.seed, backend, totalSeconds, result, stoppedBy: stopRequested ? 'the Stop button' : undefined,
    });
    ui.progress.textContent = `${stopRequested ? 'stopped' : 'done'} after ${totalSeconds.toFixed(1)} s on ${backend.name}`;
    showResult(lastFile);
    if (!stopRequested) await forgetKeptRun(key);
    setState(stopRequested ? 'stopped' : 'done');
    await showFeatures(lastFile);
  } catch (e) {
    // The loaders' hints are for a disk; in this page the files come from the picker.
    const hint = e instanceof DatasetMissingError ? (/Fashion-MNIST/.test(e.message) ? ' In this page: pick the four Fashion-MNIST files under "Fashion-MNIST files".' : ' In this page: pick it under "Fashion-MNIST files", with the dataset\'s four.') : '';
    ui.error.textContent = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)) + hint;
    setState('error');
  } finally {
    afterRun();
  }
}

/** Makes `key` the last run's storage key, held by this tab, once the previous one is let go. */
async function holdKey(key: string): Promise<void> {
  await releaseLastKey();
  lastKey = key;
  releaseLastKey = claimKeptRun(key);
}

/** The settings of a run by name, as kept in IndexedDB. */
function keptSettings(s: RunSettings): KeptSettings {
  return { experiment: s.exp.name, preset: s.preset, config: s.config, seed: s.seed, backend: s.backend };
}

/**
 * Offers a run kept from before the page was closed: the Resume button continues it from its checkpoint. A run kept by another featurelab version, or of an unknown experiment or an
 * unavailable backend, is named and forgotten, and false returned.
 */
async function offerKeptRun(entry: KeptEntry, backends: readonly string[]): Promise<boolean> {
  const kept = entry.run;
  const k = kept.settings;
  const drop = async (why: string): Promise<boolean> => {
    log(`a run kept from an earlier visit (${k.experiment}, seed ${k.seed}) cannot be resumed here: ${why}; it is forgotten`);
    await forgetKeptRun(entry.key);
    return false;
  };
  if (kept.version !== VERSION) return drop(`it was saved by featurelab ${kept.version}, this page is ${VERSION}`);
  if (!backends.includes(k.backend)) return drop(`its backend ${k.backend} is not available in this page (${backends.join(', ')})`);
  let exp: AnyExperiment;
  try {
    exp = findExperiment(k.experiment);
  } catch (e) {
    return drop(e instanceof Error ? e.message : String(e));
  }
  // The form keeps what the address asked for; Resume runs the kept settings, as after Stop.
  last = { exp, preset: k.preset, config: k.config, seed: k.seed, backend: k.backend as BackendName };
  ui.rerun.title = `${k.experiment}, preset ${k.preset}, seed ${k.seed}, on ${k.backend}: the kept run's settings, not the form's`;
  await holdKey(entry.key);
  lastCheckpoint = keptCheckpointStore(CHECKPOINT_EVERY, entry.key, k, VERSION, (m) => log(`warning: ${m}`), kept.text);
  ui.progress.textContent = `A run was still going when this page last closed: ${k.experiment} (preset ${k.preset}, seed ${k.seed}, on ${k.backend}), `
    + `checkpoint saved ${new Date(kept.savedAt).toLocaleString()}. Resume continues it; Run starts the form's run instead.`;
  ui.progress.dataset.kept = 'true';
  return true;
}

/** After a run: the header follows the form's backend again, and keyboard focus returns to Run (not to the page). */
let afterRun = (): void => {};

/**
 * The experiment, preset and overrides the address asks for, each checked on its own: what is not allowed is
 * left out and named in `problems`, so one bad value never stops the page.
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
  const sets = params.sets.filter((set) => {
    try {
      buildConfig(exp, preset, [set]);
      return true;
    } catch (e) {
      problems.push(`set=${set}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  });
  return { exp, preset, sets, problems };
}

/** Starts the page: form (from the address), buttons, then the backends. */
async function start(): Promise<void> {
  const params = parsePageParams(location.search);
  const fromAddress = formFromAddress(params);
  ui.experiment.replaceChildren(...EXPERIMENTS.map((e) => new Option(e.name, e.name)));
  selectExperiment(fromAddress.exp, fromAddress.preset, fromAddress.sets);
  if (params.seed !== undefined) ui.seed.value = String(params.seed);
  ui.experiment.addEventListener('change', () => selectExperiment(findExperiment(ui.experiment.value), ui.preset.value, []));
  ui.preset.addEventListener('change', () => selectExperiment(findExperiment(ui.experiment.value), ui.preset.value, []));
  ui.files.addEventListener('change', () => pickFiles(Array.from(ui.files.files ?? [])));
  ui.openResult.addEventListener('change', () => { const f = ui.openResult.files?.[0]; if (f) void openResultFile(f); });
  const problems = fromAddress.problems;

  const names = await init({ prefer: ['webgpu', 'wasm'], log });
  const report = getInitReport();
  ui.backendChoice.replaceChildren(...names.map((n) => new Option(n, n)));
  // WebGPU on a software adapter (no GPU) is slower than WASM: start on WASM then, and say why.
  const forRuns = getRunBackend();
  ui.backendChoice.value = forRuns.backend.name;
  if (params.backend && names.includes(params.backend as BackendName)) ui.backendChoice.value = params.backend;
  else if (params.backend) problems.push(`backend=${params.backend}: not available here (this page has ${names.join(', ')}); using ${ui.backendChoice.value}`);
  if (problems.length > 0) ui.error.textContent = `The page address asked for what cannot be used; it was left out:\n${problems.map((p) => `• ${p}`).join('\n')}`;
  const showBackend = (): void => {
    if (document.body.dataset.state === 'running') return; // the header names the backend that runs
    const passedOver = forRuns.note && ui.backendChoice.value === forRuns.backend.name ? [`(${forRuns.note}; choose webgpu to use it anyway)`] : [];
    const missing = [...passedOver, ...report.unavailable.map((u) => `(${u.name} unavailable: ${u.reason})`)];
    ui.backend.textContent = [`will run on ${describeBackend(getBackend(ui.backendChoice.value as BackendName))}`, ...missing].join(' ');
    ui.backend.dataset.name = ui.backendChoice.value;
  };
  showBackend();
  ui.backendChoice.addEventListener('change', showBackend);
  afterRun = () => {
    showBackend();
    if (document.activeElement === document.body || document.activeElement === ui.stop) ui.run.focus();
  };

  ui.run.addEventListener('click', () => {
    let s: RunSettings;
    try {
      s = formSettings();
    } catch (e) {
      ui.error.textContent = e instanceof Error ? e.message : String(e);
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
  // The newest run no other open tab holds; the others stay kept until a run is started here.
  for (const entry of await loadKeptRuns()) if (await offerKeptRun(entry, names)) break;
  setState('ready');
}

start().catch((e: unknown) => {
  ui.error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setState('error');
});
