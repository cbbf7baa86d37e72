/**
 * `featurelab report DIR`: the self-contained HTML report of one run (DIR/result.json) or of a suite
 * (DIR/suite.json and each run's DIR/<dir>/result.json), written atomically to DIR/report.html.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultFileError } from '../errors.js';
import { parseResultFile, parseSuiteFile, renderReport, type ResultFile } from '../report/index.js';
import { pathExists } from './nodeFiles.js';
import { writeTextAtomic } from './results.js';

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

/** Writes DIR/report.html for the run or suite in `dir` and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new ResultFileError(`report: '${dir}' is not a folder; pass the --out folder of 'featurelab run' (it holds result.json) or of a suite (it holds suite.json)`);
  const resultPath = join(dir, 'result.json');
  const suitePath = join(dir, 'suite.json');
  if (await pathExists(resultPath)) {
    return writeTextAtomic(dir, 'report.html', renderReport([parseResultFile(await readJson(resultPath), resultPath)]));
  }
  if (!(await pathExists(suitePath))) throw new ResultFileError(`report: '${dir}' holds neither result.json nor suite.json; pass the --out folder of a run or a suite`);
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
  const usage = 'usage: featurelab report DIR   (DIR holds result.json of one run or suite.json of a suite)';
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
