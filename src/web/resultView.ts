/**
 * A result file in the page: its summary table and warnings, and opening a result.json from disk (a CLI run's
 * or this page's), which then becomes the file the downloads save.
 */
import { ResultFileError } from '../errors.js';
import type { ResultFile } from '../experiments/resultFile.js';
import type { ConfigValue } from '../experiments/types.js';
import { esc, fmtValue } from '../report/format.js';
import { parseResultFile } from '../report/types.js';
import { errorText } from './errorText.js';
import { reportHtml } from './resultDownloads.js';
import type { LivePlots } from './plot.js';

/** The summary table, the warnings list and the report's frame with its heading. */
export interface ResultElements { summary: HTMLTableElement; warnings: HTMLElement; reportHeading: HTMLElement; report: HTMLIFrameElement }

/** Shows the summary table, warnings and report of a result file. */
export function showResult(ui: ResultElements, file: ResultFile): void {
  ui.summary.replaceChildren(...Object.entries(file.summary).map(([k, v]) => {
    const row = document.createElement('tr');
    row.dataset.key = k;
    row.dataset.value = JSON.stringify(v);
    row.append(Object.assign(document.createElement('td'), { textContent: k }), Object.assign(document.createElement('td'), { textContent: fmtValue(v) }));
    return row;
  }));
  ui.warnings.replaceChildren(...file.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: `warning: ${w}` })));
  showReport(ui, file);
}

/** Empties the summary table, warnings and report (a new run's are not the last one's). */
export function clearResult(ui: ResultElements): void {
  ui.summary.replaceChildren();
  ui.warnings.replaceChildren();
  ui.report.hidden = ui.reportHeading.hidden = true;
  ui.report.srcdoc = '';
}

/**
 * Shows the result's report (the document Download report saves) in the page's frame, as tall as the document
 * so that the page scrolls rather than the frame. A result the report cannot draw is said in the frame's place.
 */
function showReport(ui: ResultElements, file: ResultFile): void {
  let html: string;
  try {
    html = reportHtml(file);
  } catch (e) {
    html = `<p>The report could not be drawn from this result: ${esc(e instanceof Error ? e.message : String(e))}</p>`;
  }
  ui.report.onload = () => fitReport(ui.report);
  ui.report.srcdoc = html;
  ui.report.hidden = ui.reportHeading.hidden = false;
}

/** Sets the report frame's height to its document's (the frame is same-origin and runs no script). */
export function fitReport(frame: HTMLIFrameElement): void {
  const doc = frame.contentDocument?.documentElement;
  if (!frame.hidden && doc) frame.style.height = `${doc.scrollHeight + 2}px`;
}

/** What opening a result file needs from the page. */
export interface OpenResultContext {
  ui: ResultElements & { error: HTMLElement; openResult: HTMLInputElement; progress: HTMLElement };
  plots: LivePlots;
  /** Whether a run goes (it owns the page: no file is opened meanwhile). */
  running: () => boolean;
  /** Makes the opened file the one the downloads save, and shows its neurons. */
  adopt: (file: ResultFile) => Promise<void>;
}

/**
 * Shows a result.json from disk (a CLI run's or this page's): its summary, warnings and 3D view, and makes it
 * the file the download buttons save. A file that is not a result.json is named with what is wrong.
 */
export async function openResultFile(file: File, ctx: OpenResultContext): Promise<void> {
  const { ui } = ctx;
  const busy = (): boolean => {
    if (!ctx.running()) return false;
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
  ui.error.textContent = '';
  ctx.plots.clear();
  ui.progress.textContent = `opened ${file.name}: ${opened.experiment}, seed ${opened.seed}, run on ${opened.backend.name} by featurelab ${opened.version}${opened.stoppedBy ? ` (stopped early by ${opened.stoppedBy})` : ''}; its report is below`;
  showResult(ui, opened);
  await ctx.adopt(opened);
}
