/**
 * The page address and the form, both ways: the form starts from the address (experiment, preset, overrides,
 * seed, backend), whose unusable parts are left out and named, never thrown (a link is typed by hand or shared);
 * a run writes its settings back to the address so that it can be shared as a link.
 */
import type { BackendName } from '../backend/types.js';
import { buildConfig } from '../experiments/config.js';
import { findExperiment } from '../experiments/index.js';
import type { AnyExperiment } from '../experiments/types.js';
import type { RunSettings } from './experimentForm.js';
import { pageQuery, type PageParams } from './params.js';

/** The form the address asks for: what is allowed of it, and what is not (named in `problems`). */
export interface AddressedForm { exp: AnyExperiment; preset: string; sets: string[]; problems: string[] }

/**
 * The experiment, preset and overrides the address asks for, each override checked on its own (the rules across
 * keys are checked once, on all of them together, by the caller): what is not allowed is left out and named in
 * `problems`, so one bad value never stops the page.
 */
export function formFromAddress(params: PageParams & { problems: string[] }): AddressedForm {
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

/** Fills the form (through `select`) from the address; overrides allowed alone but not together are named in `problems` and the preset's values used. */
export function fillFormFromAddress(fromAddress: AddressedForm, problems: string[], select: (exp: AnyExperiment, preset: string, sets: string[]) => void): void {
  try {
    select(fromAddress.exp, fromAddress.preset, fromAddress.sets);
  } catch (e) {
    if (fromAddress.sets.length === 0) throw e;
    problems.push(`${fromAddress.sets.map((x) => `set=${x}`).join(', ')}: each is allowed, but not together (${e instanceof Error ? e.message : String(e)}); using the preset ${fromAddress.preset}'s values for them`);
    select(fromAddress.exp, fromAddress.preset, []);
  }
}

/** Chooses the address's backend in `choice` when this page has it; otherwise names it in `problems` and keeps the choice. */
export function chooseAddressedBackend(choice: HTMLSelectElement, wanted: string | undefined, names: readonly BackendName[], problems: string[]): void {
  if (wanted && names.includes(wanted as BackendName)) choice.value = wanted;
  else if (wanted) problems.push(`backend=${wanted}: not available here (this page has ${names.join(', ')}); using ${choice.value}`);
}

/** Shows in `error` what the address asked for that cannot be used (nothing when all of it can). */
export function showAddressProblems(error: HTMLElement, problems: readonly string[]): void {
  if (problems.length > 0) error.textContent = `The page address asked for what cannot be used; it was left out:\n${problems.map((p) => `• ${p}`).join('\n')}`;
}

/** The address describing a run: its preset plus the keys that differ from it. */
export function shareableQuery(s: RunSettings): string {
  const base = buildConfig(s.exp, s.preset, []);
  const sets = Object.entries(s.config).filter(([k, v]) => base[k] !== v).map(([k, v]) => `${k}=${String(v)}`);
  const p: PageParams = { experiment: s.exp.name, preset: s.preset, seed: s.seed, backend: s.backend, sets };
  return pageQuery(p);
}
