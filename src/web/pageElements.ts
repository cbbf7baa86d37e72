/**
 * The page's elements, looked up once by id (index.html defines them all), so that a renamed id fails at load
 * with its name rather than later in a click handler.
 */
import { FeaturelabError } from '../errors.js';

/** The element with this id (the page's html defines them all). */
function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new FeaturelabError(`the page has no element #${id}; index.html and pageElements.ts disagree (rebuild with npm run build)`);
  return el as T;
}

/** Every element the page's modules use, by role (`view` is handed to the 3D view, which may replace the canvas). */
export function pageElements() {
  return {
    backend: $('backend'), experiment: $<HTMLSelectElement>('experiment'), description: $('description'),
    preset: $<HTMLSelectElement>('preset'), backendChoice: $<HTMLSelectElement>('backend-choice'), seed: $<HTMLInputElement>('seed'),
    keys: $<HTMLFieldSetElement>('keys'), run: $<HTMLButtonElement>('run'), stop: $<HTMLButtonElement>('stop'), rerun: $<HTMLButtonElement>('rerun'),
    downloadJson: $<HTMLButtonElement>('download-json'), downloadReport: $<HTMLButtonElement>('download-report'),
    progress: $('progress'), progressBar: $<HTMLProgressElement>('progress-bar'), error: $('error'),
    plots: $('plots'), viewNote: $('view-note'), view: $<HTMLCanvasElement>('view3d'),
    summary: $<HTMLTableElement>('summary'), warnings: $('warnings'), log: $('log'),
    reportHeading: $('report-heading'), report: $<HTMLIFrameElement>('report-view'),
    files: $<HTMLInputElement>('fashion-files'), filesNote: $('fashion-note'), openResult: $<HTMLInputElement>('open-result'),
    kept: $('kept'), keptRuns: $('kept-runs'),
  };
}
