/**
 * The CLI given damaged or mismatched inputs, as a user meets them: a stage file changed by one character, a
 * checkpoint made by the other WASM build (FMA vs strict), a checkpoint whose header is incomplete, sizes no
 * backend can hold, a merge of repeated runs and of two backends, wrong types in a sweep file and a half-set
 * Slurm environment. Each ends in a typed error that names the file or value and says what to do, never a stack
 * trace or a silently wrong result. Node only (spawns dist/cli.js).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeOnly } from './support/backends.js';
import { inTempDir } from './support/tempDir.js';

const s = suite('CLI: damaged and mismatched inputs');

/** A modadd run of well under a second. */
const TINY = ['run', 'modadd', '--backend', 'wasm', '--set', 'p=5', '--set', 'width=20', '--set', 'steps=50', '--set', 'probeEvery=10',
  '--set', 'doubleEvery=10', '--set', 'doubleUntil=40', '--set', 'compareRelu=false'];

/** Runs `node dist/cli.js …args` in this process's environment changed by `env` (undefined: removed); resolves with how it ended. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const changed = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
  return new Promise((done) => {
    const child = spawn(process.execPath, [...process.execArgv, 'dist/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: changed });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Asserts that a command failed with exit 1 and a one-line typed error matching `message`, without a stack trace. */
function assertRefused(r: { code: number | null; stderr: string }, message: RegExp): void {
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.not.match(r.stderr, /^\s+at /m, 'no stack trace');
}

nodeOnly(s, 'a stage file with one character changed is refused on resume (CheckpointError naming it, --fresh), not measured', () => inTempDir('fl-robust-', async (dir) => {
  const out = join(dir, 'run');
  assert.is((await cli([...TINY, '--out', out])).code, 0);
  const stages = join(out, 'checkpoint-stages');
  const [name] = readdirSync(stages);
  assert.match(name!, /^square-[0-9a-f]{16}\.json$/);
  const text = readFileSync(join(stages, name!), 'utf8');
  const at = text.search(/[1-8]/);
  writeFileSync(join(stages, name!), `${text.slice(0, at)}${Number(text[at]) + 1}${text.slice(at + 1)}`);
  assertRefused(await cli([...TINY, '--out', out]),
    new RegExp(`featurelab: CheckpointError: .*checkpoint-stages/${name!.replace('.', '\\.')}: the finished stage 'square' is damaged \\(its contents do not match the hash in its name\\); pass --fresh to start over`));
  assert.is((await cli([...TINY, '--out', out, '--fresh'])).code, 0, '--fresh starts over');
}));

nodeOnly(s, 'a checkpoint of the strict WASM build is not resumed by the FMA build (or back): CheckpointError saying what differs and how to go on', () => inTempDir('fl-robust-', async (dir) => {
  const info = await cli(['info', '--backend', 'wasm']);
  if (!/relaxed FMA/.test(info.stdout)) {
    console.log('  (this Node has no relaxed SIMD: one WASM build only, nothing to mismatch; the file-store test covers the refusal)');
    return;
  }
  const out = join(dir, 'run');
  const args = [...TINY, '--set', 'steps=200', '--checkpoint-every', '50', '--out', out];
  assert.is((await cli(args, { FEATURELAB_WASM_FMA: '0' })).code, 0);
  const header = (JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')) as { header: { arithmetic: string } }).header;
  assert.is(header.arithmetic, 'SIMD f32x4');
  assertRefused(await cli(args), /CheckpointError: .*checkpoint\.json: it was made by the wasm backend with arithmetic 'SIMD f32x4', and this run's is 'SIMD f32x4 \+ relaxed FMA': resuming would give numbers that match neither\. rerun with FEATURELAB_WASM_FMA=0 to resume it, or pass --fresh/);
  assert.is((await cli(args, { FEATURELAB_WASM_FMA: '0' })).code, 0, 'the build that made it resumes it');
}));

nodeOnly(s, 'a checkpoint.json with an incomplete header is a CheckpointError saying to pass --fresh, not a TypeError', () => inTempDir('fl-robust-', async (dir) => {
  const out = join(dir, 'run');
  mkdirSync(out);
  writeFileSync(join(out, 'checkpoint.json'), '{"header":{"experiment":"modadd"},"state":{}}');
  assertRefused(await cli([...TINY, '--out', out]), /featurelab: CheckpointError: .*checkpoint\.json: its header lacks a valid header\.backend \(a string\), so it cannot be matched to this run; .*pass --fresh/);
}));

nodeOnly(s, 'sizes no backend can hold are ConfigErrors naming the key and its maximum, not a RangeError', async () => {
  assertRefused(await cli(['run', 'modadd', '--backend', 'wasm', '--set', 'width=1000000000', '--out', join(tmpdir(), 'fl-never-written')]), /featurelab: ConfigError: modadd: width must be ≤ 1000000, got 1000000000/);
  assertRefused(await cli(['run', 'mlp', '--backend', 'wasm', '--set', 'hidden=100000000', '--out', join(tmpdir(), 'fl-never-written')]), /featurelab: ConfigError: mlp: hidden must be ≤ 16384, got 100000000/);
});

nodeOnly(s, 'merge counts a repeated (experiment, config, seed, backend) once, with a warning, and keeps backends apart', () => inTempDir('fl-robust-', async (dir) => {
  const write = (name: string, seed: number, backend: string, acc: number): void => {
    mkdirSync(join(dir, 'runs', name), { recursive: true });
    writeFileSync(join(dir, 'runs', name, 'result.json'), JSON.stringify({ experiment: 'modadd', config: { width: 16 }, seed, backend: { name: backend, description: backend }, summary: { trainAccuracy: acc }, series: {} }));
  };
  write('a', 0, 'wasm', 0.5);
  write('b', 1, 'wasm', 0.7);
  write('g', 0, 'webgpu', 0.9);
  cpSync(join(dir, 'runs', 'a'), join(dir, 'runs', 'a-copy'), { recursive: true });
  const r = await cli(['merge', join(dir, 'runs'), '--out', join(dir, 'm')]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /merge: .*runs\/a-copy repeats .*runs\/a \(modadd, the same config, seed 0, backend wasm\): left out, so that the seed counts once/);
  assert.match(r.stdout, /merged 3 runs into .* \(1 repeated run left out\)/);
  const merged = JSON.parse(readFileSync(join(dir, 'm', 'merged.json'), 'utf8')) as { runs: { id: string }[]; dropped: string[]; groups: { backend: string; seeds: number[]; summary: { trainAccuracy: { mean: number; n: number } } }[] };
  assert.equal(merged.runs.map((x) => x.id), ['a', 'b', 'g']);
  assert.is(merged.dropped.length, 1);
  assert.equal(merged.groups.map((g) => [g.backend, g.seeds, g.summary.trainAccuracy.n]), [['wasm', [0, 1], 2], ['webgpu', [0], 1]]);
  assert.ok(Math.abs(merged.groups[0]!.summary.trainAccuracy.mean - 0.6) < 1e-12);
}));

nodeOnly(s, 'sweep: a wrong type in "set" or "grid" names the file and the entry; --shard auto names the missing Slurm variable', () => inTempDir('fl-robust-', async (dir) => {
  const sweep = join(dir, 's.json');
  writeFileSync(sweep, JSON.stringify({ experiment: 'modadd', set: { steps: '10' } }));
  assertRefused(await cli(['sweep', sweep, '--dry-run']), new RegExp(`ConfigError: ${sweep.replace(/\./g, '\\.')}: set\\.steps must be a number \\(like modadd's default 40000\\), got "10"`));
  writeFileSync(sweep, JSON.stringify({ experiment: 'modadd', grid: { p: [7, '11'] } }));
  assertRefused(await cli(['sweep', sweep, '--dry-run']), /s\.json: grid\.p\[1\] must be a number/);
  writeFileSync(sweep, JSON.stringify({ experiment: 'modadd', grid: { p: [7, 9] } }));
  assertRefused(await cli(['sweep', sweep, '--dry-run']), /s\.json: the run at grid point \{"p":9\}: .*odd prime/);
  writeFileSync(sweep, JSON.stringify({ experiment: 'modadd', seeds: [0, 1] }));
  const r = await cli(['sweep', sweep, '--shard', 'auto', '--dry-run'], { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: undefined, SLURM_ARRAY_TASK_MIN: undefined, JOB_COMPLETION_INDEX: undefined });
  assertRefused(r, /ConfigError: --shard auto: SLURM_ARRAY_TASK_ID is 3 but SLURM_ARRAY_TASK_COUNT \(the number of tasks\) is not set; pass --shards N, or --shard i\/n/);
}));

s.run();
