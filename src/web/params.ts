/**
 * The page's address as a run description: `?experiment=modadd&preset=quick&seed=0&set=steps=2000&set=compareRelu=false`
 * (the CLI's --preset, --seed and --set), so a run can be shared as a link and the browser test can pick its config.
 * Pure: takes and returns strings.
 */
import { parseWholeNumber } from '../experiments/config.js';

/** A run as the address describes it; absent fields take the page's defaults. */
export interface PageParams {
  experiment?: string;
  preset?: string;
  seed?: number;
  /** "key=value" overrides, as `featurelab run --set`. */
  sets: string[];
  /** Backend the page should use ('webgpu' or 'wasm'), when given. */
  backend?: string;
}

/**
 * Reads the run description from a query string (with or without the leading '?'). Never throws: a link is
 * typed by hand or shared, and one bad value must not stop the page, so a bad seed is left out and named in
 * `problems` (the page shows them and goes on with its defaults).
 */
export function parsePageParams(query: string): PageParams & { problems: string[] } {
  const q = new URLSearchParams(query);
  const out: PageParams & { problems: string[] } = { sets: q.getAll('set'), problems: [] };
  const experiment = q.get('experiment');
  if (experiment) out.experiment = experiment;
  const preset = q.get('preset');
  if (preset) out.preset = preset;
  const backend = q.get('backend');
  if (backend) out.backend = backend;
  const seed = q.get('seed');
  if (seed !== null) {
    const s = parseWholeNumber(seed);
    if (s !== undefined) out.seed = s;
    else out.problems.push(`seed=${seed}: the seed must be a whole number from 0 to 2^53 − 1; using 0`);
  }
  return out;
}

/** The query string (with '?') describing a run: inverse of parsePageParams. */
export function pageQuery(p: PageParams): string {
  const q = new URLSearchParams();
  if (p.experiment) q.set('experiment', p.experiment);
  if (p.preset) q.set('preset', p.preset);
  if (p.seed !== undefined) q.set('seed', String(p.seed));
  if (p.backend) q.set('backend', p.backend);
  for (const s of p.sets) q.append('set', s);
  return `?${q.toString()}`;
}
