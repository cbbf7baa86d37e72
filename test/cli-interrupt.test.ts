/**
 * The CLI under Ctrl-C and with a bad or busy output folder, as a user meets it: SIGINT stops a WASM run within
 * seconds (not at the next checkpoint or the end), writes a partial result.json marked stoppedBy, exits 130, and
 * the same command resumes (after --fresh: the same command without it); SIGTERM does the same, exit 143; in a sweep it stops the sweep, and the stopped run is resumed on rerun, not skipped
 * as done; merge lists a stopped run but leaves it out of the means; in a suite it ends the suite. --out that is a file, or a folder another
 * live process holds, is refused before any training; a lock left by a dead process is taken over. A damaged
 * checkpoint gives a CheckpointError, not a JS TypeError. Node only (spawns dist/cli.js).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { trackedStop } from '../src/experiments/stopRequest.js';
import { nodeOnly } from './support/backends.js';
import { inTempDir } from './support/tempDir.js';

const s = suite('CLI: Ctrl-C, output folders');

/** A modadd run long enough (10⁶ steps, minutes) that only a prompt stop ends it within the test's wait. */
const LONG = ['--backend', 'wasm', '--set', 'steps=1000000', '--set', 'probeEvery=1000000', '--set', 'compareRelu=false'];

interface Ended { code: number | null; stdout: string; stderr: string; stopMs: number }

/**
 * Runs dist/cli.js with `args`; once stderr matches `when`, waits `delayMs` and sends `signal` (SIGINT: Ctrl-C). Fails
 * the test if the process has not ended `limitMs` after that (it is then killed). stopMs: from the signal to exit.
 */
function cli(args: string[], when?: RegExp, delayMs = 700, limitMs = 30000, signal: NodeJS.Signals = 'SIGINT'): Promise<Ended> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, 'dist/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = -1;
    let limit: ReturnType<typeof setTimeout> | undefined;
    const interrupt = (): void => {
      sentAt = performance.now();
      child.kill(signal);
      limit = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`no exit ${limitMs} ms after ${signal}: ${args.join(' ')}\n${stderr}`)); }, limitMs);
    };
    // Without a signal to send, the limit counts from the start (a hang fails the test instead of stalling the suite).
    if (!when) limit = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`no exit within ${4 * limitMs} ms: ${args.join(' ')}\n${stderr}`)); }, 4 * limitMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (when && sentAt < 0 && when.test(stderr)) { sentAt = 0; setTimeout(interrupt, delayMs); }
    });
    child.on('close', (code) => {
      clearTimeout(limit);
      done({ code, stdout, stderr, stopMs: sentAt > 0 ? performance.now() - sentAt : 0 });
    });
  });
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

nodeOnly(s, 'Ctrl-C stops a WASM run within seconds: partial result.json (stoppedBy), exit 130, and the same command resumes', () => inTempDir('fl-int-', async (out) => {
  const args = ['run', 'modadd', ...LONG, '--checkpoint-every', '0', '--out', out];
  const first = await cli(args, /featurelab .*modadd/);
  assert.is(first.code, 130, first.stderr);
  assert.ok(first.stopMs < 15000, `stopped ${first.stopMs.toFixed(0)} ms after Ctrl-C`);
  const result = readJson(join(out, 'result.json'));
  assert.is(result.stoppedBy, 'Ctrl-C');
  assert.ok((result.warnings as string[]).some((w) => /stopped early by the user/.test(w)));
  assert.match(first.stderr, /stopped by Ctrl-C: .*result\.json holds what was measured/);
  // With checkpoints (none due before the stop), the stop itself saves one, and the same command resumes there.
  const resumable = ['run', 'modadd', ...LONG, '--checkpoint-every', '900000', '--out', join(out, 'cp')];
  const stopped = await cli(resumable, /featurelab .*modadd/);
  assert.is(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /rerun the same command to resume/);
  const again = await cli(resumable, /resuming from step [1-9]\d* of 'square'/, 100);
  assert.is(again.code, 130, again.stderr);
  // After --fresh, "the same command" would start over again: the advice leaves --fresh out.
  const fresh = await cli([...resumable, '--fresh'], /featurelab .*modadd/);
  assert.is(fresh.code, 130, fresh.stderr);
  assert.match(fresh.stderr, /stopped by Ctrl-C: .*result\.json holds what was measured until then; rerun without --fresh to resume from the checkpoint/);
  assert.not.match(fresh.stderr, /rerun the same command/);
}));

nodeOnly(s, 'SIGTERM is handled like Ctrl-C: checkpoint saved, partial result.json (stoppedBy SIGTERM), lock released, exit 143; the same command resumes', () => inTempDir('fl-term-', async (out) => {
  const args = ['run', 'modadd', ...LONG, '--checkpoint-every', '900000', '--out', out];
  const ended = await cli(args, /featurelab .*modadd/, 700, 30000, 'SIGTERM');
  assert.is(ended.code, 143, ended.stderr);
  assert.ok(ended.stopMs < 15000, `stopped ${ended.stopMs.toFixed(0)} ms after SIGTERM`);
  const result = readJson(join(out, 'result.json'));
  assert.is(result.stoppedBy, 'SIGTERM');
  assert.ok((result.warnings as string[]).some((w) => w === 'stopped early by the user (SIGTERM): the series end where the run stopped'), String(result.warnings));
  assert.match(ended.stderr, /stopped by SIGTERM: .*result\.json holds what was measured until then; rerun the same command to resume/);
  assert.not.ok(existsSync(join(out, '.featurelab.lock')), 'the lock is released');
  assert.ok(existsSync(join(out, 'checkpoint.json')), 'the stop saved a checkpoint');
  const again = await cli(args, /resuming from step [1-9]\d* of 'square'/, 100);
  assert.is(again.code, 130, again.stderr);
}));

nodeOnly(s, 'Ctrl-C in a sweep stops the sweep; rerun resumes the stopped run instead of skipping it; merge leaves it out of the means', () => inTempDir('fl-sweep-int-', async (dir) => {
  const sweep = join(dir, 'sweep.json');
  writeFileSync(sweep, JSON.stringify({ experiment: 'modadd', preset: 'quick', seeds: [0, 1], set: { steps: 1000000, probeEvery: 1000000, compareRelu: false } }));
  const out = join(dir, 'out');
  const ended = await cli(['sweep', sweep, '--out', out, '--backend', 'wasm'], /run 0 \(\w+, seed 0\): running/, 1500);
  assert.is(ended.code, 130, ended.stderr);
  assert.match(ended.stderr, /sweep: stopped by Ctrl-C during run 0/);
  assert.not.match(ended.stderr, /run 1 \(/, 'no run starts after Ctrl-C');
  const plan = await cli(['sweep', sweep, '--out', out, '--dry-run']);
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /run 0 .*: would resume in/);
  assert.match(plan.stdout, /run 1 .*: would run in/);
  assert.not.match(plan.stderr, /done already, skipped/);
  const merged = await cli(['merge', out, '--out', join(dir, 'merged')]);
  assert.is(merged.code, 0, merged.stderr);
  assert.match(merged.stderr, /was stopped early \(Ctrl-C\); it is listed in merged\.json but left out of the means/);
  const m = readJson(join(dir, 'merged', 'merged.json'));
  assert.is((m.runs as unknown[]).length, 1);
  assert.is((m.groups as unknown[]).length, 0);
}));

s('trackedStop: acted only once shouldStop has said true to the run; a request it never asked about leaves it whole', () => {
  let requested = false;
  const stop = trackedStop(() => requested);
  assert.is(stop.shouldStop(), false);
  requested = true;
  assert.is(stop.acted(), false, 'asked for, not yet told');
  assert.is(stop.shouldStop(), true);
  assert.is(stop.acted(), true);
});

nodeOnly(s, "Ctrl-C during an ensemble's analysis (after the run's last point where it could stop): the run finishes whole, no stoppedBy, exit 0", () => inTempDir('fl-analysis-int-', async (out) => {
  const args = ['run', 'interaction-tensor', '--preset', 'quick', '--backend', 'wasm', '--out', out, ...['data=synthetic', 'models=8', 'trainSize=300', 'testSize=3000', 'hidden=64', 'k=20', 'maxEpochs=3'].flatMap((x) => ['--set', x])];
  // After the one-epoch models, nothing more is trained: about 2 s of analysis remain.
  const ended = await cli(args, /measuring the one-epoch models' tensor/, 0);
  assert.match(ended.stderr, /Ctrl-C: stopping after the current step/, 'the signal came before the run ended');
  assert.is(ended.code, 0, ended.stderr);
  assert.match(ended.stderr, /Ctrl-C came after the run's last point where it could stop: it finished, and .*result\.json holds the whole result/);
  const result = readJson(join(out, 'result.json'));
  assert.is(result.stoppedBy, undefined);
  assert.not.ok((result.warnings as string[]).some((w) => /stopped early/.test(w)), String(result.warnings));
  assert.is((result.summary as { models: number }).models, 8);
}));

nodeOnly(s, 'Ctrl-C in run suite stops the analysis in progress and the suite: status stopped, the report still written, exit 130', () => inTempDir('fl-suite-int-', async (out) => {
  const ended = await cli(['run', 'suite', '--backend', 'wasm', '--out', out], /featurelab .*modadd/, 1000);
  assert.is(ended.code, 130, ended.stderr);
  const suiteFile = readJson(join(out, 'suite.json'));
  assert.equal((suiteFile.runs as { dir: string; status: string }[]).map((r) => [r.dir, r.status]), [['modadd', 'stopped']]);
  assert.match(ended.stdout, /stopped by Ctrl-C after 1 of 9 analyses/);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.is(readJson(join(out, 'modadd', 'result.json')).stoppedBy, 'Ctrl-C');
}));

nodeOnly(s, 'Ctrl-C in gde before its second model: still a stopped run (partial result.json, exit 130), not a ConfigError', () => inTempDir('fl-gde-int-', async (out) => {
  // A learning rate too small to fit: model 0 trains for its whole epoch cap (tens of seconds), so Ctrl-C lands in it.
  const args = ['run', 'gde', '--backend', 'wasm', '--set', 'data=synthetic', '--set', 'models=3', '--set', 'trainSize=2000', '--set', 'testSize=200',
    '--set', 'lr=0.00001', '--set', 'maxEpochs=1000', '--checkpoint-every', '500', '--out', out];
  const ended = await cli(args, /featurelab .*gde/, 1500);
  assert.is(ended.code, 130, ended.stderr);
  const result = readJson(join(out, 'result.json'));
  assert.is(result.stoppedBy, 'Ctrl-C');
  // Model 0 was cut short: not a model (the checkpoint resumes it), so none is counted.
  assert.equal(result.summary, { models: 0 });
  assert.ok((result.warnings as string[]).some((w) => /gde: stopped after 0 of 3 models, before the 2 its statistics need/.test(w)), String(result.warnings));
}));

nodeOnly(s, '--out that is a file, under a dangling link, or a folder a live process holds, is refused before training; a dead holder\'s lock is taken over', () => inTempDir('fl-out-', async (dir) => {
  const file = join(dir, 'afile');
  writeFileSync(file, 'not a folder');
  const tiny = ['run', 'modadd', '--backend', 'wasm', '--set', 'p=5', '--set', 'width=20', '--set', 'steps=50', '--set', 'probeEvery=10', '--set', 'doubleEvery=10', '--set', 'doubleUntil=40', '--set', 'compareRelu=false'];
  const onFile = await cli([...tiny, '--out', file]);
  assert.is(onFile.code, 1);
  assert.match(onFile.stderr, /OutputFolderError: --out .*afile: cannot use it as the output folder/);
  assert.not.match(onFile.stderr, /^\s+at /m, 'no stack trace');
  assert.not.match(onFile.stderr, /featurelab .*: modadd/, 'refused before the run starts');
  // Under a dangling link Node's recursive mkdir never returns; the CLI must refuse at once.
  symlinkSync(join(dir, 'no-such-target'), join(dir, 'dangling'));
  const onDangling = await cli([...tiny, '--out', join(dir, 'dangling', 'run')], undefined, 0, 15000);
  assert.is(onDangling.code, 1, onDangling.stderr);
  assert.match(onDangling.stderr, /OutputFolderError: --out .*dangling\/run: cannot use it as the output folder \(ENOENT/);
  // This test process is alive: a lock naming it holds the folder.
  const held = join(dir, 'held');
  mkdirSync(held);
  writeFileSync(join(held, '.featurelab.lock'), `${process.pid}\n`);
  const busy = await cli([...tiny, '--out', held]);
  assert.is(busy.code, 1);
  assert.match(busy.stderr, new RegExp(`is in use by another featurelab process \\(pid ${process.pid}\\)`));
  assert.not.ok(existsSync(join(held, 'result.json')));
  // A finished child's pid is free: its lock is stale and taken over; the run releases the lock at the end.
  const stale = join(dir, 'stale');
  mkdirSync(stale);
  const deadPid = await new Promise<number>((done) => { const c = spawn(process.execPath, ['-e', '0']); c.on('close', () => done(c.pid!)); });
  writeFileSync(join(stale, '.featurelab.lock'), `${deadPid}\n`);
  const took = await cli([...tiny, '--out', stale]);
  assert.is(took.code, 0, took.stderr);
  assert.ok(existsSync(join(stale, 'result.json')));
  assert.not.ok(existsSync(join(stale, '.featurelab.lock')), 'released');
  const merge = await cli(['merge', stale, '--out', file]);
  assert.is(merge.code, 1);
  assert.match(merge.stderr, /OutputFolderError: --out .*afile/);
}));

nodeOnly(s, 'a checkpoint damaged inside (a generator state set to null) gives a CheckpointError naming it, not a TypeError', () => inTempDir('fl-damaged-', async (out) => {
  const args = ['run', 'modadd', ...LONG, '--checkpoint-every', '900000', '--out', out];
  assert.is((await cli(args, /featurelab .*modadd/)).code, 130);
  const path = join(out, 'checkpoint.json');
  let found = 0;
  // Every "shuffle" (the minibatch generator's state) in the checkpoint becomes null.
  const damage = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(damage);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => (k === 'shuffle' ? (found++, [k, null]) : [k, damage(x)])));
  };
  writeFileSync(path, JSON.stringify(damage(readJson(path))));
  assert.ok(found > 0, 'the checkpoint holds a generator state to damage');
  const rerun = await cli(args);
  assert.is(rerun.code, 1);
  assert.match(rerun.stderr, /CheckpointError: (the run failed while resuming from .*checkpoint\.json \(\w*Error: .*\): the checkpoint is damaged|checkpoint: its training state does not fit this run \(Rng\.restore: .*\); it is damaged).*pass --fresh/);
}));

nodeOnly(s, 'info lists the backends, the default and the one `run` picks, and says whether Fashion-MNIST is installed, and how to get it when not', async () => {
  const r = await cli(['info', '--backend', 'wasm']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}wasm {4}available {4}wasm \(/m);
  assert.match(r.stdout, /^default backend: wasm \(getBackend\(\)\); `run` uses wasm$/m);
  const refOnly = await cli(['info', '--backend', 'ref']);
  assert.equal(refOnly.stdout.split('\n').filter((l) => / available /.test(l)).map((l) => l.trim().split(/\s+/)[0]), ['ref'], '--backend ref starts ref alone');
  assert.match(refOnly.stdout, /^default backend: ref \(getBackend\(\)\); `run` uses ref$/m);
  const installed = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') || existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte');
  assert.match(r.stdout, installed ? /^Fashion-MNIST: found in \/usr\/share\/datasets\/fashion-mnist/m
    : /^Fashion-MNIST: not in \/usr\/share\/datasets\/fashion-mnist; install it with `apt-get install dataset-fashion-mnist`/m);
});

nodeOnly(s, 'list: one line per experiment and the suite, the descriptions in one column', async () => {
  const r = await cli(['list']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.map((l) => l.trim().split(/\s+/)[0]), ['modadd', 'parity', 'group', 'mlp', 'memorization', 'featuremap', 'gde', 'interaction-tensor', 'interactions', 'suite']);
  const column = new Set(lines.map((l) => /^ {2}\S+ +/.exec(l)![0].length));
  assert.is(column.size, 1, `descriptions start at ${[...column].join(', ')}`);
});

nodeOnly(s, 'run <experiment> --help: every config key\'s text starts in one column, a long key or default (a path) moves its text to the next line', async () => {
  const r = await cli(['run', 'mlp', '--help']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const at = (text: string) => lines.find((l) => l.includes(text))!.indexOf(text);
  const column = at('width of the two hidden layers');
  assert.is(at('keepActivations: how many test images'), column, 'after the longest key');
  const dataDir = lines.findIndex((l) => /^ {2}dataDir +\/usr\/share\/datasets\/fashion-mnist$/.test(l));
  assert.ok(dataDir > 0, 'the path ends its line');
  assert.is(lines[dataDir + 1]!.indexOf('folder with the Fashion-MNIST IDX files'), column);
  assert.match(lines[dataDir + 1]!, /^ +folder/);
});

nodeOnly(s, 'every command answers --help with its usage and exit 0', async () => {
  for (const args of [['--help'], ['info', '--help'], ['check', '-h'], ['list', '--help'], ['run', '--help'], ['run', '-h'], ['run', 'suite', '--help'], ['run', 'gde', '--help'],
    ['sweep', '--help'], ['merge', '--help'], ['report', '--help'], ['report', '-h']]) {
    const r = await cli(args);
    assert.is(r.code, 0, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stdout, /featurelab/, args.join(' '));
  }
});

s.run();
