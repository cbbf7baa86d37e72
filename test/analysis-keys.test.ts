/**
 * Analysis-only config keys (ConfigKeyDoc.analysisOnly): a checkpoint made with other values of them is resumed,
 * its trained models measured again, instead of refused. The file store: another analysis value is accepted and
 * reported, another training value or an analysis change without the option is still a CheckpointError. The CLI:
 * `run interaction-tensor --out DIR` again with unitNorm and k changed re-measures the same models (same
 * confidence, epochs) and gives exactly the result of a fresh run with those keys; changing lr is refused.
 * Node only (it spawns dist/cli.js and uses the file system).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileCheckpointStore, type CheckpointHeader } from '../src/cli/checkpointFiles.js';
import { CheckpointError } from '../src/errors.js';
import { nodeOnly } from './support/backends.js';
import { runCli, writeTinyFashion } from './support/cli.js';

const s = suite('analysis-only keys');

nodeOnly(s, 'file store: another analysis value resumes and is reported; another training value, or no analysisKeys, is refused', async () => { // node:fs
  const dir = mkdtempSync(join(tmpdir(), 'featurelab-analysis-'));
  try {
    const header = (config: CheckpointHeader['config']): CheckpointHeader => ({ experiment: 'test', config, seed: 0, backend: 'wasm', version: 'test' });
    await fileCheckpointStore(dir, header({ lr: 0.1, k: 5 }), 10).save({ step: 7 });
    const told: string[] = [];
    const resumed = fileCheckpointStore(dir, header({ lr: 0.1, k: 8 }), 10, { analysisKeys: ['k'], onAnalysisChange: (c) => told.push(c) });
    assert.equal(await resumed.load(), { step: 7 });
    assert.equal(await resumed.load(), { step: 7 });
    assert.equal(told, ['k: 5 there, 8 here'], 'told once however often the run loads');
    // The same analysis values: resumed, nothing to report.
    await fileCheckpointStore(dir, header({ lr: 0.1, k: 5 }), 10, { analysisKeys: ['k'], onAnalysisChange: (c) => told.push(c) }).load();
    assert.is(told.length, 1);
    const refused = async (config: CheckpointHeader['config'], analysisKeys: string[] | undefined, pattern: RegExp) => {
      await fileCheckpointStore(dir, header(config), 10, { analysisKeys }).load().then(() => assert.unreachable(), (e: Error) => {
        assert.instance(e, CheckpointError);
        assert.match(e.message, pattern);
      });
    };
    await refused({ lr: 0.2, k: 8 }, ['k'], /another config \(lr: 0\.1 there, 0\.2 here\)/);
    await refused({ lr: 0.1, k: 8 }, undefined, /another config \(k: 5 there, 8 here\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const BASE = ['run', 'interaction-tensor', '--backend', 'wasm', '--set', 'dataDir=data', '--set', 'models=3', '--set', 'trainSize=200', '--set', 'testSize=100',
  '--set', 'hidden=16', '--set', 'maxEpochs=3', '--set', 'lr=0.01'];

type Result = { config: Record<string, unknown>; summary: Record<string, unknown>; series: Record<string, unknown>; details: Record<string, unknown> };
const resultOf = (root: string, out: string): Result => JSON.parse(readFileSync(join(root, out, 'result.json'), 'utf8')) as Result;

nodeOnly(s, 'CLI: interaction-tensor rerun into its --out with unitNorm and k changed re-measures the same models, as a fresh run would; lr changed is refused [wasm]', async () => { // spawns `node dist/cli.js`
  const root = mkdtempSync(join(tmpdir(), 'featurelab-analysis-cli-'));
  try {
    await writeTinyFashion(join(root, 'data'));
    const first = await runCli(root, [...BASE, '--set', 'k=8', '--out', 'a']);
    assert.is(first.code, 0, first.stderr);
    const before = resultOf(root, 'a');
    const again = await runCli(root, [...BASE, '--set', 'k=6', '--set', 'unitNorm=true', '--out', 'a']);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stderr, /re-measuring the checkpoint's trained models with other analysis keys \(k: 8 there, 6 here; unitNorm: false there, true here\)/);
    assert.match(again.stderr, /resuming from the finished stages/);
    assert.is(again.stderr.split('re-measuring').length, 2, 'said once');
    const after = resultOf(root, 'a');
    assert.is(after.config.k, 6);
    assert.is(after.config.unitNorm, true);
    // The same trained models: their softmax gives the same confidence, their training the same epochs.
    assert.equal(after.series.confidence, before.series.confidence);
    assert.equal(after.series.memberEpochs, before.series.memberEpochs);
    assert.not.equal(after.series.featuresPerPoint, before.series.featuresPerPoint);
    // A fresh run with the new keys trains the same models and measures them the same way: the same result.
    const fresh = await runCli(root, [...BASE, '--set', 'k=6', '--set', 'unitNorm=true', '--out', 'b']);
    assert.is(fresh.code, 0, fresh.stderr);
    const direct = resultOf(root, 'b');
    assert.equal(after.summary, direct.summary);
    assert.equal(after.series, direct.series);
    // --help marks the analysis keys, and only them.
    const helpRun = await runCli(root, ['run', 'interaction-tensor', '--help']);
    const help = helpRun.stdout + helpRun.stderr;
    const tagged = help.split('\n').filter((l) => l.includes('[analysis only')).map((l) => l.trim().split(/\s+/)[0]);
    assert.equal(tagged, ['k', 'qCorr', 'qData', 'unitNorm']);
    // A training key changed: the checkpoint belongs to another run.
    const refused = await runCli(root, [...BASE.map((a) => (a === 'lr=0.01' ? 'lr=0.02' : a)), '--set', 'k=6', '--out', 'a']);
    assert.is.not(refused.code, 0);
    assert.match(refused.stderr, /belongs to another run \(another config \(lr: 0\.01 there, 0\.02 here\)\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

s.run();
