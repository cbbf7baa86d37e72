/**
 * The self-contained HTML report (DESIGN "Surfaces"): one document per run or suite with a section per
 * analysis — what was measured, the key numbers beside the paper's or theory's, SVG plots, and the run's
 * config, seed, backend, timings and warnings. Inline CSS, no scripts, no external URL; pure functions.
 */
import { esc, fmt } from './format.js';
// The report's style sheet (bundled as text): the web page's CSP admits it by its hash (scripts/build.mjs).
import CSS from './report.css';
import { groupSection, modaddSection, paritySection } from './sections/algebra.js';
import { genericSection, renderSection, table, type SectionRenderer } from './sections/common.js';
import { gdeSection, interactionTensorSection, mlpSection } from './sections/ensembles.js';
import { featuremapSection } from './sections/featuremap.js';
import { interactionsSection } from './sections/interactions.js';
import { memorizationSection } from './sections/memorization.js';
import { groupBySeed, withoutRepeats } from './seedGroups.js';
import type { ResultFile, SuiteFile } from './types.js';
import { checkOptions } from '../validate.js';
import { ArgumentError } from '../errors.js';

export type { ResultFile, SuiteFile, SuiteRun } from './types.js';
export { parseResultFile, parseSuiteFile } from './types.js';

/** The section renderer of each experiment; others get the generic section. */
const SECTIONS: Record<string, SectionRenderer> = {
  modadd: modaddSection,
  parity: paritySection,
  group: groupSection,
  mlp: mlpSection,
  memorization: memorizationSection,
  featuremap: featuremapSection,
  gde: gdeSection,
  'interaction-tensor': interactionTensorSection,
  interactions: interactionsSection,
};

/** Options of renderReport. */
export interface ReportOptions {
  /** The document's title (default: the experiment, or "featurelab suite"). */
  title?: string;
  /** The suite the runs belong to: its overview (failed runs included) heads the report. */
  suite?: SuiteFile;
  /** The folder the runs were found in (a sweep's output): an overview of them, by what differs, heads the report. */
  collection?: RunCollection;
}

/** Runs found below one folder (a sweep's --out), for the overview that heads their report. */
export interface RunCollection {
  /** The folder, as the user named it. */
  folder: string;
  /** Each run's folder relative to `folder`, in the order of the runs. */
  dirs: string[];
  /** Run folders whose result.json could not be read, with why. */
  unreadable: { dir: string; error: string }[];
}

/** A section id from the run's position and experiment name. */
function sectionId(run: ResultFile, i: number): string {
  return `run-${i + 1}-${run.experiment.replace(/[^\w-]/g, '_')}`;
}

/** The section of one run; a renderer that throws on an unexpected result falls back to the generic section, with a note. */
function section(run: ResultFile, i: number, label?: string): string {
  // Own keys only: an experiment named 'constructor' or 'toString' would pick up an Object.prototype member.
  const render = Object.hasOwn(SECTIONS, run.experiment) ? SECTIONS[run.experiment]! : genericSection;
  try {
    return renderSection(run, render(run), sectionId(run, i), '', label);
  } catch (e) {
    const note = `<p class="failed">The ${esc(run.experiment)} section could not be drawn from this result (${esc(e instanceof Error ? e.message : String(e))}); the generic view follows.</p>`;
    return renderSection(run, genericSection(run), sectionId(run, i), note, label);
  }
}

/** The suite's overview: preset, seed, backend and each run's status, time and error. */
function suiteOverview(suite: SuiteFile): string {
  const rows = suite.runs.map((r) => [r.experiment, r.dir, fmt(r.seconds), r.status === 'failed' ? 'FAILED' : r.status, [r.error, r.note].filter(Boolean).join('; ')]);
  const failed = suite.runs.filter((r) => r.status === 'failed');
  return `<section id="suite"><h2>Suite</h2><p>featurelab ${esc(suite.version)}, preset <b>${esc(suite.preset)}</b>, seed ${esc(fmt(suite.seed))}, backend ${esc(suite.backend.name)} (${esc(suite.backend.description)}): ${suite.runs.filter((r) => r.status === 'ok').length} of ${suite.runs.length} runs ok.</p>`
    + table(['experiment', 'folder', 'seconds', 'status', 'error / note'], rows)
    + failed.map((r) => `<p class="failed">✗ ${esc(r.experiment)} failed: ${esc(r.error ?? 'no error message recorded')}</p>`).join('')
    + '</section>';
}

/** The config keys whose values are not the same in all `runs` (a sweep's grid keys), in first-seen order. */
export function differingConfigKeys(runs: ResultFile[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))];
  return keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.config[k]) ?? 'undefined')).size > 1);
}

/** A config value for the overview ('–' where the config has no such key). */
function configCell(config: Record<string, unknown>, key: string): string {
  const v = config[key];
  return v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** For each run, the config keys that differ between the runs of its experiment (a sweep's grid keys). */
function keysByExperiment(runs: ResultFile[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of new Set(runs.map((r) => r.experiment))) out.set(e, differingConfigKeys(runs.filter((r) => r.experiment === e)));
  return out;
}

/** The overview of runs found below a folder: per experiment, one row per run with the config keys that differ; then the unreadable ones. */
function collectionOverview(runs: ResultFile[], c: RunCollection): string {
  const keys = keysByExperiment(runs);
  const partial = runs.filter((r) => r.stoppedBy).length;
  const tables = [...keys].map(([experiment, differing]) => {
    const rows = runs.flatMap((r, i) => (r.experiment !== experiment ? [] : [[`${i + 1}`, c.dirs[i] ?? '', fmt(r.seed), ...differing.map((k) => configCell(r.config, k)),
      r.backend.name, r.stoppedBy ? `partial (stopped by ${r.stoppedBy})` : 'ok']]));
    return `<h3>${esc(experiment)}</h3>` + table(['#', 'folder', 'seed', ...differing, 'backend', 'status'], rows);
  });
  return `<section id="runs"><h2>Runs</h2><p>${runs.length} run${runs.length === 1 ? '' : 's'} found below <code>${esc(c.folder)}</code> `
    + `(${keys.size} experiment${keys.size === 1 ? '' : 's'}${partial ? `, ${partial} partial` : ''}${c.unreadable.length ? `, ${c.unreadable.length} unreadable` : ''}); `
    + 'after the seed, each table has the config keys that differ between the runs of that experiment.</p>'
    + tables.join('')
    + c.unreadable.map((u) => `<p class="failed">✗ ${esc(u.dir)}: ${esc(u.error)}</p>`).join('')
    + acrossSeeds(runs, keys)
    + '</section>';
}

/** Per group of finished runs that differ only in the seed (two seeds or more): each summary number over the seeds. */
function acrossSeeds(runs: ResultFile[], keys: Map<string, string[]>): string {
  // A seed found twice (a run copied into two folders) counts once, as in merge.
  const finished = runs.filter((r) => !r.stoppedBy).map((r) => ({ ...r, backendName: r.backend.name }));
  const groups = groupBySeed(withoutRepeats(finished, (r) => r).kept).filter((g) => g.seeds.length > 1);
  if (groups.length === 0) return '';
  return '<h3>Across seeds</h3><p>Runs that differ only in the seed (same experiment, config and backend; partial runs left out): each '
    + 'summary number\'s mean, standard deviation and standard error over the seeds, and how many seeds gave it each sign.</p>'
    + groups.map((g) => {
      const differing = (keys.get(g.experiment) ?? []).map((k) => `${k} ${configCell(g.config, k)}`);
      const rows = Object.entries(g.summary).map(([k, st]) => [k, st.mean, st.std, st.sem, `${st.positive} of ${st.n}`, `${st.negative} of ${st.n}`]);
      return `<p><b>${esc([g.experiment, ...differing, g.backend].join(', '))}</b>: ${g.seeds.length} seeds (${esc(g.seeds.join(', '))})</p>`
        + table(['summary', 'mean', 's.d.', 's.e.', '> 0', '< 0'], rows);
    }).join('');
}

/** One self-contained HTML document reporting `runs` (and the suite they belong to, when given). */
export function renderReport(runs: ResultFile[], opts: ReportOptions = {}): string {
  if (!Array.isArray(runs)) throw new ArgumentError(`renderReport: runs must be an array of result files (parseResultFile(json, name) for each), got ${JSON.stringify(runs) ?? String(runs)}`);
  checkOptions('renderReport', opts, { title: true, suite: true, collection: true });
  const title = opts.title ?? (opts.suite ? `featurelab suite (${opts.suite.preset})` : opts.collection ? `featurelab: ${runs.length} runs in ${opts.collection.folder}`
    : runs.length === 1 ? `featurelab: ${runs[0]!.experiment}` : 'featurelab report');
  // The task (when the config has one) tells apart two runs of one experiment, e.g. tabular and image interactions.
  // Runs of a collection are told apart by the keys that differ and the seed.
  const differing = opts.collection ? keysByExperiment(runs) : new Map<string, string[]>();
  const navName = (r: ResultFile) => (opts.collection
    ? [r.experiment, ...(differing.get(r.experiment) ?? []).map((k) => `${k} ${configCell(r.config, k)}`), `seed ${fmt(r.seed)}`].join(', ')
    : `${r.experiment}${typeof r.config.task === 'string' ? ` (${r.config.task})` : ''}`) + (r.stoppedBy ? ', partial' : '');
  const nav = runs.length > 1 ? `<nav><ul>${runs.map((r, i) => `<li><a href="#${sectionId(r, i)}">${esc(navName(r))}</a></li>`).join('')}</ul></nav>` : '';
  const body = (opts.suite ? suiteOverview(opts.suite) : '') + (opts.collection ? collectionOverview(runs, opts.collection) : '') + nav
    + runs.map((r, i) => section(r, i, opts.collection ? `#${i + 1}: ${navName(r)}` : undefined)).join('')
    + (runs.length === 0 && !opts.suite ? '<p>No runs to report.</p>' : '');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${esc(title)}</title><style>${CSS}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>\n`;
}
