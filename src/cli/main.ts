/**
 * The `featurelab` command (Node). Commands: `info` lists the backends and adapters; `check` runs a short
 * self-check — a matmul and a training-shaped product on every backend against the f64 reference, with
 * the speed of each; `run` trains and measures one experiment, `run suite` all of them (what `npm start` runs).
 */
import { VERSION, disposeAll, getBackend, getInitReport, getRunBackend, init } from '../index.js';
import type { Backend, BackendName } from '../index.js';
import { ConfigError, FeaturelabError } from '../errors.js';
import { BACKEND_NAMES } from '../backend/registry.js';
import { FASHION_MNIST_DIR, fashionMnistPresent } from '../data/fashionMnist.js';
import { nodeFileSource } from './nodeFiles.js';
import { determinismReport } from './determinism.js';
import { reportCommand } from './report.js';
import { NAME_COLUMN, listExperiments, runCommand } from './run.js';
import { runSuite } from './suite.js';
import { mergeCommand, sweepCommand } from './sweep.js';
import { enableRelaxedSimd, wasmFmaOption } from './wasmFeatures.js';

const USAGE = `featurelab ${VERSION}
usage: featurelab <command> …
commands:
  run suite [--preset quick|paper] [--backend webgpu|wasm|ref] [--seed N] [--out DIR] [--checkpoint-every N] [--fresh]
           every analysis in one go: DIR/<experiment>/result.json, DIR/suite.json and the report
  run <experiment> [--preset quick|paper] [--backend webgpu|wasm|ref] [--seed N] [--out DIR] [--config FILE.json] [--set key=value …]
           [--checkpoint-every N] [--fresh]
           train and measure; writes DIR/result.json ('featurelab run <experiment> --help' lists the config keys);
           the same command again resumes from the checkpoint (--fresh starts over); with other values of keys marked
           'analysis only' in its --help, it measures the checkpoint's trained models again
  sweep <sweep.json> [--shard i/n|auto] [--shards n] [--backend webgpu|wasm|ref] [--out DIR] [--dry-run]
           run a grid of configs × seeds (or one shard of it: Slurm job arrays, Kubernetes Indexed Jobs); finished runs are skipped
  merge <DIR>… --out M
           combine run folders into M/merged.json, with mean ± std over seeds
  report DIR  the self-contained HTML report of a run (DIR/result.json), a suite (DIR/suite.json) or a sweep (the runs below DIR): DIR/report.html
  list     the experiments
  info [--determinism]
           the backends this machine can run and the adapter each uses; --determinism trains twice per backend and
           reports whether the runs are bit-identical and how far the backends differ
  check    every backend on a few products against the reference: agreement and GFLOP/s`;

/** Deterministic pseudo-random data for the self-check. */
function data(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Times `reps` products on `b` (including completion) and returns GFLOP/s and the last result. */
async function timeMatmul(b: Backend, m: number, k: number, n: number, reps: number): Promise<{ gflops: number; out: Float32Array }> {
  const x = b.upload(data(1, m * k), m, k);
  const y = b.upload(data(2, k * n), k, n);
  await b.read(b.scope(() => b.matmul(x, y))); // warm-up: compiles pipelines, fills caches
  const t0 = performance.now();
  let out = b.matmul(x, y);
  for (let r = 1; r < reps; r++) {
    b.free(out);
    out = b.matmul(x, y);
  }
  const values = await b.read(out);
  const seconds = (performance.now() - t0) / 1000;
  b.free(x, y, out);
  return { gflops: (2 * m * n * k * reps) / seconds / 1e9, out: values };
}

async function check(names: BackendName[]): Promise<boolean> {
  const shapes: [number, number, number][] = [[257, 127, 65], [128, 784, 512]];
  const ref = getBackend('ref');
  let ok = true;
  console.log('shape              backend  max rel. error vs ref   GFLOP/s');
  for (const [m, k, n] of shapes) {
    const want = (await timeMatmul(ref, m, k, n, 1)).out;
    const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    for (const name of names) {
      const { gflops, out } = await timeMatmul(getBackend(name), m, k, n, name === 'ref' ? 1 : 5);
      let err = 0;
      out.forEach((v, i) => { err = Math.max(err, Math.abs(v - want[i]) / scale); });
      const pass = err <= 1e-5;
      ok &&= pass;
      console.log(`${`${m}×${k}·${k}×${n}`.padEnd(19)}${name.padEnd(9)}${err.toExponential(2).padEnd(10)}${pass ? 'ok' : 'FAIL'}${' '.repeat(12)}${gflops.toFixed(2)}`);
    }
  }
  return ok;
}

/** Refuses flags a command does not take (--backend takes a value), naming the command and what it takes. */
function checkFlags(command: string, args: string[], allowed: string[]): void {
  for (let i = 0; i < args.length; i++) {
    if (!allowed.includes(args[i]!)) {
      throw new ConfigError(`${command}: unexpected argument '${args[i]}'; it takes ${allowed.length ? allowed.map((f) => (f === '--backend' ? '--backend webgpu|wasm|ref' : f)).join(', ') : 'no arguments'}`);
    }
    if (args[i] === '--backend') i++;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'run' && rest[0] === 'suite') return runSuite(rest.slice(1));
  if (command === 'run') return runCommand(rest[0], rest.slice(1));
  if (command === 'sweep') return sweepCommand(rest[0], rest.slice(1));
  if (command === 'merge') return mergeCommand(rest);
  if (command === 'list' || command === 'info' || command === 'check') {
    if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
      console.log(USAGE);
      return 0;
    }
    checkFlags(command, rest, command === 'list' ? [] : command === 'info' ? ['--backend', '--determinism'] : ['--backend']);
  }
  if (command === 'list') {
    console.log(`${listExperiments()}\n  ${'suite'.padEnd(NAME_COLUMN)} every analysis above in one run, then the report ('featurelab run suite --help')`);
    return 0;
  }
  const backendFlag = rest.indexOf('--backend');
  const only = backendFlag >= 0 ? (rest[backendFlag + 1] as BackendName) : undefined;
  if (backendFlag >= 0 && !BACKEND_NAMES.includes(only!)) {
    console.error(`featurelab: --backend must be ${BACKEND_NAMES.join(', ')}, got '${String(only)}'`);
    return 2;
  }
  // The named backend, and ref beside it (check's oracle); --backend ref alone starts no other.
  const prefer: BackendName[] = only ? [...new Set<BackendName>([only, 'ref'])] : ['webgpu', 'wasm', 'ref'];
  switch (command) {
    case 'report': return reportCommand(rest);
    case 'info': {
      await init({ prefer, wasmFma: wasmFmaOption(), log: () => {} });
      const report = getInitReport();
      console.log(`featurelab ${VERSION}`);
      for (const name of report.available) console.log(`  ${name.padEnd(7)} available    ${getBackend(name).description}`);
      for (const u of report.unavailable) console.log(`  ${u.name.padEnd(7)} unavailable  ${u.reason}`);
      const forRuns = getRunBackend();
      // The library's default and what `run` picks differ on a software adapter: say both.
      console.log(`default backend: ${report.available[0]} (getBackend()); \`run\` uses ${forRuns.backend.name}${forRuns.note ? ` — ${forRuns.note}` : ''}`);
      console.log(await fashionMnistPresent(nodeFileSource())
        ? `Fashion-MNIST: found in ${FASHION_MNIST_DIR} (the experiments' default dataDir)`
        : `Fashion-MNIST: not in ${FASHION_MNIST_DIR}; install it with \`apt-get install dataset-fashion-mnist\` (Debian) or pass --set dataDir=FOLDER (the suite runs on the synthetic stand-in without it)`);
      if (rest.includes('--determinism')) return (await determinismReport(report.available.map((n) => getBackend(n)), console.log)) ? 0 : 1;
      return 0;
    }
    case 'check': {
      const names = await init({ prefer, wasmFma: wasmFmaOption() });
      console.log(`featurelab ${VERSION}: backends ${names.join(', ')}; using ${getBackend().name} (${getBackend().description})`);
      const ok = await check(only ? [only] : names);
      console.log(ok ? 'all backends agree with the reference' : 'SOME BACKENDS DISAGREE WITH THE REFERENCE');
      return ok ? 0 : 1;
    }
    default:
      console.error(`featurelab: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

enableRelaxedSimd();
main(process.argv.slice(2)).then(
  (code) => { disposeAll(); process.exit(code); },
  (e: unknown) => {
    disposeAll();
    console.error(e instanceof FeaturelabError ? `featurelab: ${e.name}: ${e.message}` : e);
    process.exit(1);
  },
);
