/** Saving a result from the page: its result.json (the CLI's shape) and its HTML report, through blob: links (no network). */
import type { ResultFile } from '../experiments/resultFile.js';
import { renderReport } from '../report/index.js';
import { parseResultFile } from '../report/types.js';

/** Saves text as a file through a blob: link (no network). */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The saved file's name; a stopped run's partial result is saved under its own name, beside the finished one. */
function fileName(f: ResultFile, what: string): string {
  return `${f.experiment}-seed${f.seed}${f.stoppedBy ? '-partial' : ''}-${what}`;
}

/** The self-contained HTML report of one result (the same renderer as `featurelab report`). */
export function reportHtml(file: ResultFile): string {
  return renderReport([parseResultFile(JSON.parse(JSON.stringify(file)), 'this run')]);
}

/** Saves `file` as result.json. */
export function downloadResultJson(file: ResultFile): void {
  download(fileName(file, 'result.json'), `${JSON.stringify(file, null, 2)}\n`, 'application/json');
}

/** Saves `file`'s HTML report. */
export function downloadReport(file: ResultFile): void {
  download(fileName(file, 'report.html'), reportHtml(file), 'text/html');
}
