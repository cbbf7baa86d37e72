/**
 * The CLI's checkpoint files. Under SIGKILL: `featurelab run modadd --out DIR` is killed at seeded random
 * times several times and rerun until it finishes; after every kill each file in DIR (and in its
 * checkpoint-stages folder) parses (atomic writes: a temporary file is hidden and removed by the next run),
 * and the final result.json's summary, series, details and warnings are the same bytes as an uninterrupted
 * run's (WASM, same seed). And the file store itself: each finished stage is written once, to a file of its
 * own. Node only (it spawns dist/cli.js and uses the file system).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCheckpoint } from '../src/checkpoint/codec.js';
import { RunCheckpoints } from '../src/checkpoint/stages.js';
import { CHECKPOINT_STAGES_DIR, backendArithmetic, fileCheckpointStore, type CheckpointHeader } from '../src/cli/checkpointFiles.js';
import { CheckpointError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { nodeOnly } from './support/backends.js';

const s = suite('checkpoint kill');

const ARGS = ['run', 'modadd', '--backend', 'wasm', '--seed', '4', '--set', 'p=13', '--set', 'width=48', '--set', 'steps=5000',
  '--set', 'probeEvery=250', '--set', 'doubleEvery=500', '--set', 'doubleUntil=1500', '--checkpoint-every', '50'];

/** When to kill a run: after `ms`, or once `saves` more checkpoint writes have been seen (progress, not time). */
type Kill = { ms: number } | { saves: number };

/** The checkpoint file's modification time, or 0 when there is none yet. */
function checkpointStamp(out: string): number {
  try {
    return statSync(join(out, 'checkpoint.json')).mtimeMs;
  } catch {
    return 0;
  }
}

/** Runs the CLI into `out`; kills it with SIGKILL as `kill` says (if given). Resolves with how it ended. */
function cli(out: string, kill?: Kill): Promise<{ code: number | null; signal: string | null; stderr: string; ms: number }> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...process.execArgv, 'dist/cli.js', ...ARGS, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setInterval> | undefined;
    if (kill && 'ms' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.ms);
    if (kill && 'saves' in kill) {
      // Counting the writes this process makes kills it after a share of the work on a fast or a slow machine alike.
      let stamp = checkpointStamp(out);
      let seen = 0;
      timer = setInterval(() => {
        const now = checkpointStamp(out);
        if (now !== stamp) { stamp = now; seen++; }
        if (seen >= kill.saves) child.kill('SIGKILL');
      }, 2);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(timer);
      done({ code, signal, stderr, ms: performance.now() - t0 });
    });
  });
}

/**
 * Asserts that every visible file in `dir` parses completely; hidden files may only be writers' temporaries and
 * the killed run's lock (the next run takes it over; after the last run none is left, checked below).
 */
function assertWhole(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name === '.featurelab.lock') continue;
    if (name.startsWith('.')) {
      assert.match(name, /^\..+\.\d+\.tmp$/, `unexpected hidden file ${name}`);
      continue;
    }
    if (name === CHECKPOINT_STAGES_DIR) {
      assertWhole(join(dir, name));
      continue;
    }
    const text = readFileSync(join(dir, name), 'utf8');
    if (name === 'checkpoint.json') assert.ok((decodeCheckpoint(text) as { header?: unknown }).header, 'checkpoint has its header');
    else if (dir.endsWith(CHECKPOINT_STAGES_DIR)) decodeCheckpoint(text);
    else JSON.parse(text);
  }
}

/** The parts of a result.json that must not depend on interruptions (timings excluded). */
function stable(dir: string): string {
  const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  return JSON.stringify({ summary: r.summary, series: r.series, details: r.details, warnings: r.warnings, config: r.config, seed: r.seed });
}

nodeOnly(s, 'SIGKILL at random times, rerun until done: bit-identical result, no partial file ever', async () => { // spawns `node dist/cli.js`
  const root = mkdtempSync(join(tmpdir(), 'featurelab-kill-'));
  try {
    const plainDir = join(root, 'plain');
    const plain = await cli(plainDir);
    assert.is(plain.code, 0, plain.stderr);
    const killedDir = join(root, 'killed');
    const rng = new Rng(2024);
    let kills = 0;
    let resumed = 0;
    for (let attempt = 0; attempt < 30; attempt++) {
      // At most 8 kills: one in five during start-up (before the first save), the others after 1–20 more saves
      // (50–1000 of the 5000 steps), so the kills land mid-run whatever the machine's speed.
      const kill: Kill | undefined = kills >= 8 ? undefined : rng.uniform() < 0.2 ? { ms: 20 + rng.uniform() * 150 } : { saves: 1 + rng.int(20) };
      const r = await cli(killedDir, kill);
      if (/resuming from step/.test(r.stderr)) resumed++;
      if (r.signal === 'SIGKILL') {
        kills++;
        assertWhole(killedDir);
        continue;
      }
      assert.is(r.code, 0, r.stderr);
      break;
    }
    assert.ok(kills >= 4, `only ${kills} runs were killed before they finished`);
    assert.ok(resumed >= 3, `only ${resumed} runs resumed from a checkpoint`);
    assertWhole(killedDir);
    assert.equal(readdirSync(killedDir).filter((n) => n.startsWith('.')), [], 'no temporary file or lock is left');
    const stagesDir = join(killedDir, CHECKPOINT_STAGES_DIR);
    if (existsSync(stagesDir)) assert.equal(readdirSync(stagesDir).filter((n) => n.startsWith('.')), [], 'no temporary stage file is left');
    assert.is(stable(killedDir), stable(plainDir));
    console.log(`  uninterrupted ${Math.round(plain.ms)} ms; killed ${kills} times (${resumed} runs resumed from a checkpoint); result identical to the uninterrupted run`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

nodeOnly(s, 'file store: each finished stage is written once to its own file, read back exactly; a missing one is a CheckpointError; --fresh clears them', async () => { // node:fs and fsync of folders
  const dir = mkdtempSync(join(tmpdir(), 'featurelab-stages-'));
  const header: CheckpointHeader = { experiment: 'test', config: { a: 1 }, seed: 0, backend: 'wasm', version: 'test' };
  const member = (i: number) => ({ index: i, kept: Float64Array.from({ length: 50_000 }, (_, j) => Math.sin(i * 1e5 + j)) });
  const stagesDir = join(dir, CHECKPOINT_STAGES_DIR);
  const files = () => readdirSync(stagesDir).sort();
  try {
    // It says so, so RunCheckpoints keeps no packed copy of each stage (an ensemble's activations held twice).
    assert.is(fileCheckpointStore(dir, header, 10).writesStagesOnce, true);
    const cp = await RunCheckpoints.open(fileCheckpointStore(dir, header, 10));
    const stamps: number[] = [];
    for (let i = 0; i < 3; i++) {
      await cp.stage(`member ${i}`, async () => member(i));
      assert.is(files().length, i + 1, `one file per finished stage after ${i + 1}`);
      stamps.push(statSync(join(stagesDir, files().find((n) => n.startsWith(`member_${i}-`))!)).mtimeMs);
    }
    for (let i = 0; i < 3; i++) assert.is(statSync(join(stagesDir, files().find((n) => n.startsWith(`member_${i}-`))!)).mtimeMs, stamps[i], `member ${i} written once`);
    assert.ok(statSync(join(dir, 'checkpoint.json')).size < 1000, 'checkpoint.json only refers to the stages');

    const again = await RunCheckpoints.open(fileCheckpointStore(dir, header, 10));
    for (let i = 0; i < 3; i++) {
      const back = await again.stage(`member ${i}`, async () => { throw new Error('a finished stage must not run again'); });
      assert.equal(back, member(i), `member ${i} read back exactly`);
    }

    // A damaged stage file is named in the error (which of the stages to look at): cut short, or one character
    // changed where the JSON still parses (a digit of a kept value), which the hash in its name catches.
    const third = join(stagesDir, files()[2]!);
    const kept = readFileSync(third, 'utf8');
    const digit = kept.search(/[1-8]/);
    for (const damaged of [kept.slice(0, 40), `${kept.slice(0, digit)}${Number(kept[digit]) + 1}${kept.slice(digit + 1)}`]) {
      writeFileSync(third, damaged);
      await RunCheckpoints.open(fileCheckpointStore(dir, header, 10)).then(() => assert.unreachable(), (e: Error) => {
        assert.instance(e, CheckpointError);
        assert.ok(e.message.startsWith(`${third}: the finished stage 'member 2' is damaged (its contents do not match the hash in its name); pass --fresh`), e.message);
      });
    }
    writeFileSync(third, kept);
    unlinkSync(join(stagesDir, files()[1]!));
    await RunCheckpoints.open(fileCheckpointStore(dir, header, 10)).then(() => assert.unreachable(), (e: Error) => {
      assert.instance(e, CheckpointError);
      assert.match(e.message, /finished stage 'member 1' is missing.*--fresh/);
    });

    const fresh = await RunCheckpoints.open(fileCheckpointStore(dir, header, 10, { fresh: true }));
    await fresh.stage('member 9', async () => member(9));
    assert.equal(files().map((n) => n.split('-')[0]), ['member_9'], 'the old run\'s stage files are removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

nodeOnly(s, 'file store: a checkpoint of other WASM arithmetic (FMA vs strict) or with an incomplete header is refused with a CheckpointError; another thread count is resumed', async () => { // node:fs
  const dir = mkdtempSync(join(tmpdir(), 'featurelab-header-'));
  const fma = backendArithmetic({ name: 'wasm', description: 'wasm (SIMD f32x4 + relaxed FMA, 2 threads)' });
  const strict = backendArithmetic({ name: 'wasm', description: 'wasm (SIMD f32x4, 1 thread, WebAssembly threads are not supported by this engine)' });
  assert.is(fma, 'SIMD f32x4 + relaxed FMA');
  assert.is(strict, 'SIMD f32x4');
  assert.is(backendArithmetic({ name: 'wasm', description: 'wasm (SIMD f32x4 + relaxed FMA, 4 threads)' }), fma, 'threads change no bits');
  const header = (arithmetic?: string): CheckpointHeader => ({ experiment: 'test', config: { a: 1 }, seed: 0, backend: 'wasm', version: 'test', ...(arithmetic === undefined ? {} : { arithmetic }) });
  try {
    await fileCheckpointStore(dir, header(fma), 10).save({ step: 7 });
    assert.equal(await fileCheckpointStore(dir, header(fma), 10).load(), { step: 7 });
    for (const [want, hint] of [[strict, /rerun without FEATURELAB_WASM_FMA=0/], [undefined, /rerun without FEATURELAB_WASM_FMA=0/]] as const) {
      await fileCheckpointStore(dir, header(want), 10).load().then(() => assert.unreachable(), (e: Error) => {
        assert.instance(e, CheckpointError);
        assert.match(e.message, new RegExp(`made by the wasm backend with arithmetic 'SIMD f32x4 \\+ relaxed FMA', and this run's is '${want ?? ''}': resuming would give numbers that match neither`));
        assert.match(e.message, hint);
        assert.match(e.message, /or pass --fresh/);
      });
    }
    await fileCheckpointStore(dir, header(strict), 10).save({ step: 3 });
    await fileCheckpointStore(dir, header(fma), 10).load().then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /rerun with FEATURELAB_WASM_FMA=0 to resume it, or pass --fresh/));
    // --fresh overwrites it whatever made it.
    assert.is(await fileCheckpointStore(dir, header(fma), 10, { fresh: true }).load(), undefined);

    const path = join(dir, 'checkpoint.json');
    const incomplete: [unknown, string][] = [
      [{ experiment: 'modadd' }, 'header.backend (a string)'],
      [{ ...header(fma), seed: '0' }, 'header.seed (a whole number)'],
      [{ ...header(fma), config: null }, 'header.config (an object)'],
      [{ ...header(fma), config: { a: [1] } }, 'header.config.a (a number, boolean or string)'],
      [{ ...header(fma), arithmetic: 3 }, 'header.arithmetic (a string)'],
      ['modadd', 'header (an object)'],
    ];
    for (const [h, field] of incomplete) {
      writeFileSync(path, JSON.stringify({ header: h, state: {} }));
      await fileCheckpointStore(dir, header(fma), 10).load().then(() => assert.unreachable(), (e: Error) => {
        assert.instance(e, CheckpointError);
        assert.is(e.message, `${path}: its header lacks a valid ${field}, so it cannot be matched to this run; it is damaged or not a featurelab checkpoint: pass --fresh to start over and overwrite it`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s.run();
