/**
 * `featurelab run suite`: every analysis of the five papers in one command — margin / Fourier features on
 * modular addition, sparse parity and S_3; the feature-map regime; spurious memorization; GDE and the
 * interaction tensor; Harsanyi two-phase dynamics — each written to DIR/<experiment>/result.json by the
 * same `run` the single experiments use, then DIR/suite.json listing the runs (a failed run is recorded and
 * the suite goes on) and the report. Ctrl-C stops the analysis in progress (its partial result is kept, status
 * 'stopped') and starts no further one; rerunning the same command resumes each analysis from its checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { getBackend } from '../backend/registry.js';
import { FASHION_MNIST_DIR, fashionMnistPresent } from '../data/fashionMnist.js';
import type { SuiteRun } from '../report/types.js';
import { VERSION } from '../version.js';
import { nodeFileSource } from './nodeFiles.js';
import { formatDuration } from './progress.js';
import { writeJsonAtomic } from './results.js';
import { writeReport } from './report.js';
import { interruptCause, interruptedExitCode, interruptRequested, withInterrupt } from './interrupt.js';
import { lockOutputFolder, prepareOutputFolder } from './outputFolder.js';
import { parseRunFlags, runOrFailure } from './run.js';

/** One analysis of the suite: an experiment, its preset and overrides. */
export interface SuiteEntry {
  experiment: string;
  preset: string;
  sets: string[];
  /** What the analysis shows, for the progress log. */
  title: string;
  /** Its folder under the suite's (default: the experiment's name). */
  dir?: string;
  /** Where it reads Fashion-MNIST: without the dataset, 'synthetic' runs it on the stand-in, 'skip' leaves it out. */
  fashion?: 'synthetic' | 'skip';
}

/**
 * The suite at each preset. `quick` is sized to finish in a few minutes on a 2-core laptop CPU with the WASM
 * backend (each experiment's quick preset, a little larger where that makes the effect visible: ten-model
 * ensembles on 2000 images, N up to 1600, the feature map's mf preset, the tabular and the image version of the
 * interactions);
 * `paper` runs every experiment at the paper's settings (hours).
 */
export const SUITES: Record<string, SuiteEntry[]> = {
  quick: [
    { experiment: 'modadd', preset: 'quick', sets: [], title: 'margin and Fourier features on modular addition' },
    { experiment: 'parity', preset: 'quick', sets: [], title: 'margin and relevant bits on sparse parity' },
    { experiment: 'group', preset: 'quick', sets: [], title: 'irreducible representations on S_3' },
    { experiment: 'featuremap', preset: 'mf', sets: [], fashion: 'synthetic', title: 'feature-map spectrum and its regime (MSE + weight decay: the MF regime)' },
    { experiment: 'memorization', preset: 'quick', sets: ['ns=100,400,1600', 'd=100', 'k=4000', 'testSize=500'], title: 'memorization of spurious features by RF / NTK regression' },
    { experiment: 'gde', preset: 'quick', sets: ['models=10', 'trainSize=2000'], fashion: 'synthetic', title: 'agreement and generalization-disagreement equality' },
    { experiment: 'interaction-tensor', preset: 'quick', sets: ['models=10', 'trainSize=2000'], fashion: 'synthetic', title: 'the interaction tensor of an ensemble' },
    { experiment: 'interactions', preset: 'paper', sets: [], title: 'Harsanyi interactions and their two phases (tabular task)' },
    { experiment: 'interactions', dir: 'interactions-fashion', preset: 'fashion', sets: [], fashion: 'skip', title: 'Harsanyi interactions on Fashion-MNIST patches' },
  ],
  paper: [
    { experiment: 'modadd', preset: 'paper', sets: [], title: 'margin and Fourier features on modular addition' },
    { experiment: 'parity', preset: 'paper', sets: [], title: 'margin and relevant bits on sparse parity' },
    { experiment: 'group', preset: 'paper', sets: [], title: 'irreducible representations on S_3' },
    { experiment: 'featuremap', preset: 'paper', sets: [], fashion: 'synthetic', title: 'feature-map spectrum and its regime' },
    { experiment: 'memorization', preset: 'paper', sets: [], title: 'memorization of spurious features by RF / NTK regression' },
    { experiment: 'gde', preset: 'paper', sets: [], fashion: 'synthetic', title: 'agreement and generalization-disagreement equality' },
    { experiment: 'interaction-tensor', preset: 'paper', sets: [], fashion: 'synthetic', title: 'the interaction tensor of an ensemble' },
    { experiment: 'interactions', preset: 'paper', sets: [], title: 'Harsanyi interactions and their two phases (tabular task)' },
    { experiment: 'interactions', dir: 'interactions-fashion', preset: 'fashion', sets: [], fashion: 'skip', title: 'Harsanyi interactions on Fashion-MNIST patches' },
  ],
};

/** Runs `featurelab run suite [--preset P] [--backend B] [--seed N] [--out DIR]`; returns the exit code. */
export async function runSuite(args: string[]): Promise<number> {
  const flags = parseRunFlags(args);
  if (flags.help) {
    console.log(`featurelab run suite [--preset ${Object.keys(SUITES).join('|')}] [--backend webgpu|wasm|ref] [--seed N] [--out DIR] [--checkpoint-every N] [--fresh]\n\n`
      + 'Runs every analysis and writes DIR/<experiment>/result.json, DIR/suite.json and DIR/report.html. Ctrl-C stops the\n'
      + 'analysis in progress (keeping what it measured) and the suite; the same command again resumes from the checkpoints.\n\n'
      + Object.entries(SUITES).map(([p, list]) => `${p}:\n${list.map((e) => `  ${e.experiment.padEnd(19)} --preset ${e.preset} ${e.sets.map((s) => `--set ${s}`).join(' ')}  (${e.title})`).join('\n')}`).join('\n'));
    return 0;
  }
  const entries = SUITES[flags.preset];
  if (!entries) throw new ConfigError(`suite: unknown preset '${flags.preset}'; choose one of ${Object.keys(SUITES).join(', ')}`);
  if (flags.sets.length > 0 || flags.config !== undefined) throw new ConfigError(`suite: ${flags.sets.length > 0 ? '--set' : '--config'} applies to one experiment; run that experiment on its own to change its config`);
  const out = flags.out ?? `results/suite-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await prepareOutputFolder(out);
  const release = await lockOutputFolder(out);
  try {
    return await withInterrupt(() => suiteIn(out, entries, flags));
  } finally {
    await release();
  }
}

/** Runs the suite's entries into `out` (prepared and locked); returns the exit code. */
async function suiteIn(out: string, entries: SuiteEntry[], flags: ReturnType<typeof parseRunFlags>): Promise<number> {
  const runs: SuiteRun[] = [];
  const t0 = performance.now();
  let backend = { name: '', description: '' };
  const haveFashion = await fashionMnistPresent(nodeFileSource());
  if (!haveFashion) console.error(`suite: Fashion-MNIST is not installed (${FASHION_MNIST_DIR}); the image analyses run on the synthetic stand-in and the Fashion-only one is skipped. Install it with \`apt-get install dataset-fashion-mnist\` (Debian).`);
  for (const [i, entry] of entries.entries()) {
    const dir = entry.dir ?? entry.experiment;
    console.error(`\n== suite ${i + 1}/${entries.length}: ${dir} — ${entry.title}`);
    let note: string | undefined;
    const sets = [...entry.sets];
    if (!haveFashion && entry.fashion === 'skip') {
      runs.push({ experiment: entry.experiment, dir, seconds: 0, status: 'skipped', note: 'needs Fashion-MNIST, which is not installed' });
      console.error('skipped: needs Fashion-MNIST');
      continue;
    }
    if (!haveFashion && entry.fashion === 'synthetic') {
      sets.push('data=synthetic');
      note = 'synthetic ten-class images: Fashion-MNIST is not installed';
    }
    const runArgs = ['--preset', entry.preset, '--seed', String(flags.seed), '--out', join(out, dir), '--checkpoint-every', String(flags.checkpointEvery), ...sets.flatMap((s) => ['--set', s])];
    if (flags.backend) runArgs.push('--backend', flags.backend);
    if (flags.fresh) runArgs.push('--fresh');
    const start = performance.now();
    // One analysis failing must not cost the others: record it and go on. Ctrl-C ends the suite after it.
    const error = await runOrFailure(entry.experiment, runArgs);
    // The run's own verdict: a Ctrl-C that came after its last point where it could stop leaves it whole (exit 0).
    const stopped = interruptRequested() && error === `exit code ${interruptedExitCode()}`;
    const status: SuiteRun['status'] = stopped ? 'stopped' : error === undefined ? 'ok' : 'failed';
    if (status === 'failed') console.error(`suite: ${entry.experiment} failed: ${error}`);
    if (status !== 'failed') backend = await recordedBackend(join(out, dir)) ?? backend;
    if (stopped) note = [note, `stopped by ${interruptCause()}: a partial result; ${flags.fresh ? 'rerun without --fresh' : 'rerun the same command'} to resume`].filter(Boolean).join('; ');
    runs.push({ experiment: entry.experiment, dir, seconds: (performance.now() - start) / 1000, status, ...(status === 'failed' ? { error } : {}), ...(note ? { note } : {}) });
    await writeSuiteFile(out, flags.preset, flags.seed, backend, runs);
    if (interruptRequested()) break;
  }
  if (!backend.name) backend = { name: getBackend().name, description: getBackend().description };
  const path = await writeSuiteFile(out, flags.preset, flags.seed, backend, runs);
  const totalSeconds = (performance.now() - t0) / 1000;
  const interrupted = interruptRequested();
  console.log(`\nsuite (preset ${flags.preset}, seed ${flags.seed}) on ${backend.name}: ${formatDuration(totalSeconds)}${interrupted ? `, stopped by ${interruptCause()} after ${runs.length} of ${entries.length} analyses${flags.fresh ? ' (rerun without --fresh to resume)' : ''}` : ''}`);
  for (const r of runs) console.log(`  ${r.dir.padEnd(21)} ${r.status.padEnd(8)} ${formatDuration(r.seconds).padEnd(7)}${r.error ? `  ${r.error}` : ''}${r.note ? `  (${r.note})` : ''}`);
  console.log(`wrote ${path}`);
  console.log(`report: ${await writeReport(out)}`);
  if (interrupted) return interruptedExitCode();
  return runs.every((r) => r.status !== 'failed') ? 0 : 1;
}

/** The backend a finished run recorded in its result.json. */
async function recordedBackend(dir: string): Promise<{ name: string; description: string } | undefined> {
  try {
    const file = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as { backend?: { name: string; description: string } };
    return file.backend;
  } catch {
    return undefined;
  }
}

/** Writes DIR/suite.json (after every run, so a crash keeps the list of what finished). */
function writeSuiteFile(out: string, preset: string, seed: number, backend: { name: string; description: string }, runs: SuiteRun[]): Promise<string> {
  return writeJsonAtomic(out, 'suite.json', { suite: true, version: VERSION, preset, seed, backend, runs });
}
