/** The CLI's progress lines: steps, rate and ETA, and an ETA marked as an upper bound when the total is a cap. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgressBar, formatDuration } from '../src/cli/progress.js';
import { ensembleProgress } from '../src/experiments/ensemble.js';

const s = suite('progress');

/** The lines a non-terminal ProgressBar writes for the given updates. */
function lines(updates: Parameters<ProgressBar['update']>[0][]): string[] {
  const out: string[] = [];
  const bar = new ProgressBar({ write: (t: string) => out.push(t) }, false);
  for (const u of updates) bar.update(u);
  bar.done();
  return out;
}

s('a plain total gives steps/total and an ETA; a cap (ensembles stop when fitted) gives "≤" on both', () => {
  const [plain] = lines([{ phase: 'training', step: 0, total: 100 }]);
  assert.match(plain!, /^training: 0\/100 0\.0 steps\/s ETA \?\n$/);
  const at = ensembleProgress({ first: 1, count: 1, step: 30, total: 600 }, 10);
  assert.equal({ step: at.step, total: at.total, phase: at.phase, atMost: at.atMost }, { step: 630, total: 6000, phase: 'model 2 of 10', atMost: true });
  const [capped] = lines([at]);
  assert.match(capped!, /^model 2 of 10: 630\/≤6000 0\.0 steps\/s ETA ≤ \?\n$/);
  assert.is(formatDuration(3725), '1h02m');
  assert.is(formatDuration(185), '3m05s');
});

s('the rate and ETA run across phases that go on counting (memorization\'s settings, an ensemble\'s models) and restart with a new count', async () => {
  const out: string[] = [];
  const bar = new ProgressBar({ write: (t: string) => out.push(t) }, false);
  const wait = () => new Promise((done) => setTimeout(done, 50));
  // One setting per phase text, as memorization reports them.
  bar.update({ phase: 'rf phi2 α = 0.5 N = 100', step: 0, total: 4 });
  await wait();
  bar.update({ phase: 'rf phi2 α = 0.5 N = 400', step: 1, total: 4 });
  await wait();
  // The next ensemble-style phase text, still counting toward the same total.
  bar.update({ phase: 'rf phi2 α = 0.25 N = 100', step: 2, total: 4 });
  // A new training counts from 0 again: its rate is its own.
  bar.update({ phase: 'relu network', step: 0, total: 4 });
  bar.done();
  const parsed = out.map((l) => /^(.*): (\d+)\/4 (\S+) steps\/s ETA (\S+)\n$/.exec(l)!);
  assert.equal(parsed.map((m) => [m[1], m[2]]), [['rf phi2 α = 0.5 N = 100', '0'], ['rf phi2 α = 0.5 N = 400', '1'], ['rf phi2 α = 0.25 N = 100', '2'], ['relu network', '0']]);
  for (const [i, steps] of [[1, 1], [2, 2]] as const) {
    const rate = Number(parsed[i]![3]);
    // `steps` done in at least 50 ms a step, and (even on a loaded machine) in under 10 s.
    assert.ok(rate > steps / 10 && rate <= 20.5, `line ${i}: rate ${rate} (${out[i]})`);
    assert.match(parsed[i]![4]!, /^\d+\.\ds$/, `line ${i}: a finite ETA, not '?'`);
  }
  assert.is(parsed[3]![3], '0.0');
  assert.is(parsed[3]![4], '?');
});

s.run();
