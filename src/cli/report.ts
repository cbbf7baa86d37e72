/**
 * `featurelab report DIR`: the self-contained HTML report of one run (DIR/result.json), of a suite (DIR/suite.json
 * and each run's DIR/<dir>/result.json) or of the runs below DIR (a sweep's output), written atomically to DIR/report.html.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ResultFileError } from '../errors.js';
import { differingConfigKeys, parseResultFile, parseSuiteFile, renderReport, type ResultFile } from '../report/index.js';
import { pathExists } from './nodeFiles.js';
import { writeTextAtomic } from './results.js';
import { findRunFolders } from './runFolders.js';

/** Parsed JSON of `path`; ResultFileError when it is missing or not JSON. */
async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ResultFileError(`${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); run 'featurelab run <experiment> --out DIR' to create it`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(`${path} is not valid JSON (${(e as Error).message}); the run was interrupted or the file was edited: rerun the experiment`);
  }
}

/** Orders two config values: missing first, numbers by value, anything else by its JSON text. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || b === undefined) return a === undefined ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja === jb ? 0 : ja < jb ? -1 : 1;
}

/**
 * DIR/report.html for the runs found below `dir` (a sweep's --out: DIR/<id>/ or DIR/<name>/<id>/), ordered by
 * experiment, then by the config keys that differ, then by seed; a run whose result.json cannot be read is listed, not fatal.
 */
async function writeCollectionReport(dir: string): Promise<string> {
  const folders = await findRunFolders(dir, 'report');
  if (folders.length === 0) {
    if (await pathExists(join(dir, 'merged.json'))) {
      throw new ResultFileError(`report: '${dir}' holds merged.json, which 'featurelab merge' wrote (means over seeds, no plots); pass the folders that were merged (its "sources") to report their runs`);
    }
    throw new ResultFileError(`report: '${dir}' holds no result.json or suite.json, in it or one or two folders below; pass the --out folder of a run, a suite or a sweep`);
  }
  const found: { dir: string; run: ResultFile }[] = [];
  const unreadable: { dir: string; error: string }[] = [];
  for (const folder of folders) {
    const name = relative(dir, folder) || '.';
    const path = join(folder, 'result.json');
    try {
      found.push({ dir: name, run: parseResultFile(await readJson(path), path) });
    } catch (e) {
      if (!(e instanceof ResultFileError)) throw e;
      unreadable.push({ dir: name, error: e.message });
    }
  }
  const keys = differingConfigKeys(found.map((f) => f.run));
  const sortKey = (f: { run: ResultFile }) => [f.run.experiment, ...keys.map((k) => f.run.config[k]), f.run.seed];
  found.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < ka.length; i++) {
      const c = compareValues(ka[i], kb[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  const collection = { folder: dir, dirs: found.map((f) => f.dir), unreadable };
  return writeTextAtomic(dir, 'report.html', renderReport(found.map((f) => f.run), { collection }));
}

/** Writes DIR/report.html for the run, suite or sweep in `dir` and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new ResultFileError(`report: '${dir}' is not a folder; pass the --out folder of 'featurelab run' (it holds result.json), of a suite (it holds suite.json) or of a sweep`);
  const resultPath = join(dir, 'result.json');
  const suitePath = join(dir, 'suite.json');
  if (await pathExists(resultPath)) {
    return writeTextAtomic(dir, 'report.html', renderReport([parseResultFile(await readJson(resultPath), resultPath)]));
  }
  if (!(await pathExists(suitePath))) return writeCollectionReport(dir);
  const suite = parseSuiteFile(await readJson(suitePath), suitePath);
  const runs: ResultFile[] = [];
  // A run whose result.json cannot be read is reported as failed, so the rest of the suite is still shown.
  for (const r of suite.runs) {
    // A stopped run has a (partial) result.json: shown, with its section marked partial.
    if (r.status !== 'ok' && r.status !== 'stopped') continue;
    const path = join(dir, r.dir, 'result.json');
    try {
      runs.push(parseResultFile(await readJson(path), path));
    } catch (e) {
      if (!(e instanceof ResultFileError)) throw e;
      Object.assign(r, { status: 'failed', error: e.message });
    }
  }
  return writeTextAtomic(dir, 'report.html', renderReport(runs, { suite }));
}

/** `featurelab report DIR`: writes the report and prints its path; returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const [dir, ...rest] = args;
  const usage = 'usage: featurelab report DIR   (DIR holds result.json of one run, suite.json of a suite, or run folders one or two levels below: a sweep)';
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  if (!dir || rest.length > 0) {
    console.error(usage);
    return 2;
  }
  console.log(await writeReport(dir));
  return 0;
}
