/**
 * The feature framework's simulation (specs/interaction-tensor.md, "The framework"): accuracy and agreement on a
 * hand-worked setting where ζ's scope decides the agreement, the sweep's GDE pattern (tR or nR alone move the gap
 * from 0, the coupled changes keep it) on several seeds, the pairs' shared-features–agreement correlation (hand-worked
 * and positive in every row), determinism, and the input checks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError } from '../src/errors.js';
import { FRAMEWORK_BASE, frameworkSweep, simulateFramework } from '../src/experiments/featureFramework.js';

const s = suite('feature framework simulation');

s('hand-worked: three dominant features, one per point, one learned per model', () => {
  // Every point is dominant and carries 1 of its class's 3 features; a model learns 1 of them (equal weights).
  // A model sees a point with probability 1/3, else guesses: accuracy 1/3 + 2/3 · 1/2 = 2/3.
  // A pair: both see 1/9 (agree); both learned the same other feature 2/9 (k = 1: agree 0.95); two different
  // other features 2/9 (k = 0: agree 1/2); one sees 4/9 (agree 1/2). Agreement (1 + 1.9 + 1 + 2)/9 = 0.6556.
  // (With k counted over both classes the third case would share a feature of the other class a third of the
  // time: 0.6889.)
  const r = simulateFramework({ tD: 3, tR: 1, nD: 1, nR: 1, pD: 1, c: 1 }, 5, 150, 3000);
  assert.ok(Math.abs(r.accuracy - 2 / 3) < 0.01, `accuracy ${r.accuracy}`);
  assert.ok(Math.abs(r.agreement - 5.9 / 9) < 0.01, `agreement ${r.agreement}`);
  // The pairs' check: on a point of class c a pair agrees 1/3 + 2/3 · 0.95 when both learned the same feature of c,
  // else 1/2, so its agreement is 1/2 + (0.9667 − 0.5)/2 · |S_a ∩ S_b| (shared features over both classes, 0–2):
  // linear in the shared count, a correlation of 1 up to the sampling of the points (counting one class only: about 0.7).
  assert.ok(r.sharedAgreementCorrelation > 0.99, `corr(shared, agreement) ${r.sharedAgreementCorrelation}`);
  // Every model learns every feature: all right, all agree, every pair shares all 8: the correlation is undefined.
  assert.equal(simulateFramework({ tD: 2, tR: 2, nD: 1, nR: 1, pD: 0.5, c: 4 }, 1, 5, 200), { accuracy: 1, agreement: 1, sharedAgreementCorrelation: Number.NaN });
});

s('the sweep: tR ×3 and nR ×2 alone break GDE, (tR, tD) ×3 and (nR, nD) ×2 keep it, on four seeds', async () => {
  for (let seed = 0; seed < 4; seed++) {
    const heard: number[][] = [];
    const rows = await frameworkSweep(seed, async (done, total) => { heard.push([done, total]); });
    assert.equal(heard, [[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]], 'afterRow hears each row');
    assert.equal(rows.map((r) => [r.change, r.expected]), [['base', 'keeps GDE'], ['tR ×3', 'breaks GDE'], ['nR ×2', 'breaks GDE'], ['tR, tD ×3', 'keeps GDE'], ['nR, nD ×2', 'keeps GDE']]);
    const gap = Object.fromEntries(rows.map((r) => [r.change, r.agreement - r.accuracy]));
    const where = `seed ${seed}: ${JSON.stringify(gap)}`;
    for (const r of rows) {
      if (r.expected === 'keeps GDE') assert.ok(Math.abs(gap[r.change]!) <= 0.025, `${r.change} keeps GDE, ${where}`);
    }
    assert.ok(gap['tR ×3']! >= 0.04, `more rare features: agreement above accuracy, ${where}`);
    assert.ok(gap['nR ×2']! <= -0.04, `more features per rare point: agreement below accuracy, ${where}`);
    // The framework's pairs that share more features agree more, in every row (the paper's observation).
    for (const r of rows) assert.ok(r.sharedAgreementCorrelation > 0.2, `${r.change}: corr(shared, agreement) ${r.sharedAgreementCorrelation}, seed ${seed}`);
    assert.ok(rows[0]!.sharedAgreementCorrelation > 0.6, `base: corr(shared, agreement) ${rows[0]!.sharedAgreementCorrelation}, seed ${seed}`);
  }
});

s('the same seed gives the same numbers; another seed other ones', () => {
  assert.equal(simulateFramework(FRAMEWORK_BASE, 3, 10, 500), simulateFramework(FRAMEWORK_BASE, 3, 10, 500));
  assert.not.equal(simulateFramework(FRAMEWORK_BASE, 3, 10, 500), simulateFramework(FRAMEWORK_BASE, 4, 10, 500));
});

s('bad parameters are refused with what to change', () => {
  const bad = (p: Partial<typeof FRAMEWORK_BASE>, re: RegExp) =>
    assert.throws(() => simulateFramework({ ...FRAMEWORK_BASE, ...p }, 0, 4, 10), (e: Error) => e instanceof ArgumentError && re.test(e.message));
  bad({ nD: 7 }, /nD ≤ tD/);
  bad({ c: 15 }, /c = 15 exceeds the 14 features of a class/);
  bad({ pD: Number.NaN }, /pD must be finite and ≥ 0/);
  bad({ tR: -1 }, /tR must be finite and ≥ 0/);
});

s.run();
