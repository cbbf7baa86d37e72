/**
 * The page's address as a run description: `?experiment=modadd&preset=quick&seed=0&set=steps=2000&set=compareRelu=false`
 * (the CLI's --preset, --seed and --set), so a run can be shared as a link and the browser test can pick its config.
 * Pure: takes and returns strings.
 */
import { ConfigError } from '../errors.js';

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

/** Reads the run description from a query string (with or without the leading '?'); ConfigError on a bad seed. */
export function parsePageParams(query: string): PageParams {
  const q = new URLSearchParams(query);
  const out: PageParams = { sets: q.getAll('set') };
  const experiment = q.get('experiment');
  if (experiment) out.experiment = experiment;
  const preset = q.get('preset');
  if (preset) out.preset = preset;
  const backend = q.get('backend');
  if (backend) out.backend = backend;
  const seed = q.get('seed');
  if (seed !== null) {
    const s = Number(seed);
    if (seed === '' || !Number.isInteger(s) || s < 0) throw new ConfigError(`the page address has seed=${seed}; the seed must be a non-negative integer`);
    out.seed = s;
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
