/**
 * What every report section shares: the content type a section renderer returns, safe readers of the
 * untyped summary / series / details of a result.json, the key-numbers table, the run's metadata, and the
 * generic section used for experiments without a renderer of their own.
 */
import { esc, fmt, fmtValue } from '../format.js';
import { linePlot } from '../svg.js';
import type { ResultFile } from '../types.js';

/** One row of a section's key-numbers table: the measured value beside the paper's or theory's. */
export interface KeyNumber {
  name: string;
  value: unknown;
  /** The paper's or theory's value (text, e.g. "1 (γ* reached)"). */
  expected?: string;
  note?: string;
}

/** What a section renderer returns; renderSection adds the run's metadata and warnings. */
export interface SectionContent {
  title: string;
  /** What was measured: one or two sentences (plain text). */
  measured: string;
  keys: KeyNumber[];
  /** SVG plots. */
  plots: string[];
  /** Extra HTML (already escaped), e.g. a per-setting table. */
  extra?: string;
}

/** Renders one run into SectionContent. */
export type SectionRenderer = (run: ResultFile) => SectionContent;

/** The number at obj[key], or null when absent or not a number. */
export function num(obj: Record<string, unknown> | undefined, key: string): number | null {
  const v = obj?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The array of numbers (null for non-numbers) at obj[key], or [] when absent. */
export function nums(obj: Record<string, unknown> | undefined, key: string): (number | null)[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null)) : [];
}

/** The object at obj[key], or undefined. */
export function rec(obj: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const v = obj?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The array of objects at obj[key] (non-objects dropped), or []. */
export function recs(obj: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

/** 0, 1, …, n − 1. */
export function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A plain HTML table from a header and rows of cell text (escaped here). */
export function table(header: string[], rows: unknown[][], cls = ''): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(typeof c === 'string' ? c : fmtValue(c))}</td>`).join('')}</tr>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}>${head}${body}</table>`;
}

/** The key-numbers table: quantity, measured, paper / theory, note. */
function keyTable(keys: KeyNumber[]): string {
  if (keys.length === 0) return '';
  return table(['quantity', 'measured', 'paper / theory', 'note'], keys.map((k) => [k.name, fmtValue(k.value), k.expected ?? '', k.note ?? '']), 'keys');
}

/** Config, seed, backend, version and timings of a run. */
function runMeta(run: ResultFile): string {
  const config = table(['config key', 'value'], Object.entries(run.config).map(([k, v]) => [k, fmtValue(v)]));
  const timings = table(['timing', 'value'], Object.entries(run.timings).map(([k, v]) => [k, typeof v === 'number' ? fmt(v) : fmtValue(v)]));
  return `<details class="meta"><summary>run: seed ${esc(fmt(run.seed))}, backend ${esc(run.backend.name)} (${esc(run.backend.description)}), featurelab ${esc(run.version)}, ${esc(fmt(num(run.timings, 'totalSeconds')))} s</summary><div class="cols">${config}${timings}</div></details>`;
}

/** The run's warnings as a visible list (empty when there are none). */
function warningsList(run: ResultFile): string {
  if (run.warnings.length === 0) return '';
  return `<ul class="warnings">${run.warnings.map((w) => `<li>⚠ ${esc(w)}</li>`).join('')}</ul>`;
}

/**
 * One report section: title, what was measured, key numbers, plots, extra tables, warnings and run metadata.
 * `label` (default: the experiment's name) follows the title: in a sweep's report it names the run's config and seed.
 */
export function renderSection(run: ResultFile, content: SectionContent, id: string, note = '', label = run.experiment): string {
  const partial = run.stoppedBy
    ? `<p class="failed">Partial result: the run was stopped early by the user (${esc(run.stoppedBy)}). Its numbers are those at the stop, and its series end at the last measurement before it (see the warnings below).</p>`
    : '';
  return `<section id="${esc(id)}"><h2>${esc(content.title)} <span class="exp">${esc(label)}</span></h2>`
    + `${partial}<p class="what">${esc(content.measured)}</p>${note}${keyTable(content.keys)}`
    + (content.plots.length ? `<div class="plots">${content.plots.join('')}</div>` : '')
    + (content.extra ?? '') + warningsList(run) + runMeta(run) + '</section>';
}

/** The x values of a run's series: its 'step' or 'epoch' series when present, else the index. */
export function xAxisOf(run: ResultFile): { x: (number | null)[]; label: string } {
  for (const key of ['step', 'epoch']) {
    const x = run.series[key];
    if (x && x.length > 0) return { x, label: key === 'step' ? 'training step' : 'epoch' };
  }
  // A loop, not Math.max(...): 200k series would overflow the call stack.
  let n = 0;
  for (const s of Object.values(run.series)) n = Math.max(n, s.length);
  return { x: indices(n), label: 'sample index' };
}

/** The generic section: every scalar of the summary in a table and every series as a line plot. */
export const genericSection: SectionRenderer = (run) => {
  const { x, label } = xAxisOf(run);
  const plots = Object.entries(run.series)
    .filter(([k, v]) => k !== 'step' && k !== 'epoch' && v.length > 0)
    .map(([k, v]) => linePlot({ title: k, x: { label: v.length === x.length ? label : 'index' }, y: { label: k }, series: [{ name: k, x: v.length === x.length ? x : indices(v.length), y: v }] }));
  return {
    title: run.experiment,
    measured: 'No dedicated report section exists for this experiment: its summary and every recorded series follow.',
    keys: Object.entries(run.summary).map(([k, v]) => ({ name: k, value: v })),
    plots,
  };
};
