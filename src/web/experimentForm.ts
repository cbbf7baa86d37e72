/**
 * The form that describes a run: experiment (with its description), preset, one control per config key, seed and
 * backend, and the Fashion-MNIST files the user picks (read in the page, never sent). It reads back as RunSettings.
 */
import type { BackendName } from '../backend/types.js';
import { fashionMnistPick, pickedFileSource } from '../data/pickedFiles.js';
import type { FileSource } from '../data/files.js';
import { ConfigError } from '../errors.js';
import { buildConfig, parseWholeNumber } from '../experiments/config.js';
import { findExperiment } from '../experiments/index.js';
import type { AnyExperiment, ConfigValue } from '../experiments/types.js';

/** A run's settings: what "Resume" and "Run again" repeat, and what the address and the kept runs record. */
export interface RunSettings { exp: AnyExperiment; preset: string; config: Record<string, ConfigValue>; seed: number; backend: BackendName }

/** The form's elements. */
export interface FormElements {
  experiment: HTMLSelectElement; description: HTMLElement; preset: HTMLSelectElement; backendChoice: HTMLSelectElement;
  seed: HTMLInputElement; keys: HTMLFieldSetElement; filesNote: HTMLElement;
}

/** The dataDir a run on picked files records (the picked files are found by name, whatever the folder). */
const PICKED_DIR = '(files picked in this page)';

/** Whether `exp` reads data files (has a dataDir key) and can run on the synthetic stand-in instead. */
function dataKeys(exp: AnyExperiment): { readsFiles: boolean; synthetic: boolean } {
  return { readsFiles: 'dataDir' in exp.keys, synthetic: exp.keys.data?.choices?.includes('synthetic') === true };
}

/** The run form, and the files picked for it. */
export class ExperimentForm {
  /** The files the user picked (none yet: every read fails with a message that says to pick them). */
  picked: FileSource = pickedFileSource([]);
  /** Whether all four Fashion-MNIST files are among the picked ones. */
  private fashionPicked = false;

  constructor(private readonly ui: FormElements) {}

  /** Shows `exp` in the form: description, presets, and its keys at `preset` with `sets` applied. */
  select(exp: AnyExperiment, preset: string, sets: string[]): void {
    const { ui } = this;
    ui.experiment.value = exp.name;
    this.describe(exp);
    // Until the Fashion-MNIST files are picked, an experiment that can use the synthetic stand-in starts on it.
    const { readsFiles, synthetic } = dataKeys(exp);
    ui.preset.replaceChildren(...Object.keys(exp.presets).map((p) => new Option(p, p)));
    ui.preset.value = exp.presets[preset] ? preset : 'quick';
    const defaults = [
      ...(synthetic && !this.fashionPicked ? ['data=synthetic'] : []),
      ...(readsFiles && this.fashionPicked ? [`dataDir=${PICKED_DIR}`] : []),
    ].filter((d) => !sets.some((s) => s.startsWith(d.slice(0, d.indexOf('=') + 1))));
    this.buildKeyInputs(exp, buildConfig(exp, ui.preset.value, [...defaults, ...sets]));
  }

  /** Shows the experiment the form names again, at the form's preset, with its defaults (a change of experiment or preset). */
  reselect(): void {
    this.select(findExperiment(this.ui.experiment.value), this.ui.preset.value, []);
  }

  /** Takes the files the user picked: says which Fashion-MNIST files are there and which are missing, and points the form at them. */
  pickFiles(list: readonly File[]): void {
    const { ui } = this;
    const names = list.map((f) => f.name);
    try {
      this.picked = pickedFileSource(list);
    } catch (e) {
      this.picked = pickedFileSource([]);
      this.fashionPicked = false;
      ui.filesNote.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    const { found, missing, other } = fashionMnistPick(names);
    this.fashionPicked = missing.length === 0;
    ui.filesNote.textContent = [
      this.fashionPicked ? `All four Fashion-MNIST files picked (${found.join(', ')}): the experiments on Fashion-MNIST read them, in this page.`
        : `${found.length} of Fashion-MNIST's four files picked; missing: ${missing.join(', ')} (or the same names without .gz).`,
      other.length > 0 ? `Other picked files, read only when a run asks for them by name (e.g. fromMerged): ${other.join(', ')}.` : '',
    ].filter((x) => x).join(' ');
    // The form follows: data = fashion where the stand-in was chosen, and the picked files as dataDir.
    const field = (key: string) => ui.keys.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-key="${key}"]`);
    const data = field('data');
    if (data && this.fashionPicked && data.value === 'synthetic') data.value = 'fashion';
    const dir = field('dataDir');
    if (dir && this.fashionPicked) dir.value = PICKED_DIR;
    this.describe(findExperiment(ui.experiment.value));
  }

  /** The experiment, config, seed and backend the form describes; ConfigError when a value is not allowed. */
  settings(): RunSettings {
    const { ui } = this;
    const exp = findExperiment(ui.experiment.value);
    const seed = parseWholeNumber(ui.seed.value);
    if (seed === undefined) {
      ui.seed.focus();
      throw new ConfigError(`seed must be a whole number from 0 to 2^53 − 1, got '${ui.seed.value}'`);
    }
    const config = buildConfig(exp, ui.preset.value, this.sets());
    exp.validate?.(config); // the rules across keys, checked before the run starts as the CLI does
    return { exp, preset: ui.preset.value, config, seed, backend: ui.backendChoice.value as BackendName };
  }

  /** The description line of `exp`, with where its data comes from in this page. */
  private describe(exp: AnyExperiment): void {
    const { readsFiles, synthetic } = dataKeys(exp);
    this.ui.description.textContent = exp.description + (!readsFiles ? ''
      : this.fashionPicked ? ' (on the Fashion-MNIST files picked below)'
        : synthetic ? ' (here on the synthetic stand-in; pick the Fashion-MNIST files below to run it on them, data = fashion)'
          : ' — reads the Fashion-MNIST files: pick them below');
  }

  /** One form control per config key of `exp`, filled with `values`. */
  private buildKeyInputs(exp: AnyExperiment, values: Record<string, ConfigValue>): void {
    const { keys } = this.ui;
    keys.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'config' }));
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
      keys.append(label);
    }
  }

  /** The form's config as "key=value" strings (checked by buildConfig like the CLI's --set). */
  private sets(): string[] {
    return Array.from(this.ui.keys.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-key]'), (el) => {
      // A number field holding text it cannot read (1e400, letters) reports '' as its value: say so, and point at it.
      if (el instanceof HTMLInputElement && el.type === 'number' && el.validity.badInput) {
        el.focus();
        throw new ConfigError(`${el.dataset.key}: the field does not hold a number the browser can read (too large, or not a number); type a plain decimal such as 0.01`);
      }
      return `${el.dataset.key}=${el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value}`;
    });
  }
}
