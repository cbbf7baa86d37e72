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

s.run();
