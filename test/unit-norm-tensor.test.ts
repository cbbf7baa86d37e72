/**
 * Unit-norm activations for the interaction tensor (ours, not in the spec): rowNorms, unitRows and skewness by hand, and
 * the property that makes the option worth having: with it, the tensor does not change when each point's
 * activations are scaled by its own positive factor (the norm that also scales a ReLU network's logits), while the
 * spec's tensor does; the activation-norm diagnostic reads the raw activations either way.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, ShapeError } from '../src/errors.js';
import { argmaxRows } from '../src/experiments/common.js';
import type { EnsembleMember } from '../src/experiments/ensemble.js';
import { ensembleTensor } from '../src/experiments/interactionTensorExperiment.js';
import { initLinalg } from '../src/linalg/wasmLinalg.js';
import { rowNorms, unitRows } from '../src/metrics/interactionTensor.js';
import { skewness } from '../src/metrics/interactionDiagnostics.js';
import { Rng } from '../src/rng.js';

await initLinalg();
const s = suite('unit-norm tensor');

s('rowNorms and unitRows by hand: 3-4-5, a dead row stays 0, a negative entry keeps its sign', () => {
  const phi = [3, 4, 0, 0, 0, 0, -2, 0, 0];
  assert.equal(Array.from(rowNorms(phi, 3, 3)), [5, 0, 2]);
  assert.equal(Array.from(unitRows(phi, 3, 3)), [0.6, 0.8, 0, 0, 0, 0, -1, 0, 0]);
});

s('rowNorms and unitRows refuse a wrong length and a non-finite activation', () => {
  assert.throws(() => unitRows([1, 2, 3], 2, 2), (e: unknown) => e instanceof ShapeError && /n × d = 4, got 3/.test((e as Error).message));
  assert.throws(() => rowNorms([1, NaN, 3, 4], 2, 2), (e: unknown) => e instanceof ArgumentError && /\[0, 1\] is NaN/.test((e as Error).message));
  assert.throws(() => rowNorms([1, 2], 0, 2), (e: unknown) => e instanceof ArgumentError && /n ≥ 1/.test((e as Error).message));
});

s('skewness by hand: [0, 0, 1] is 1/√2, its mirror −1/√2, symmetric 0; constant or single values NaN; NaN refused', () => {
  assert.ok(Math.abs(skewness([0, 0, 1]) - Math.SQRT1_2) < 1e-15, `${skewness([0, 0, 1])}`);
  assert.ok(Math.abs(skewness([1, 1, 0]) + Math.SQRT1_2) < 1e-15);
  assert.is(skewness([1, 2, 3]), 0);
  assert.ok(Number.isNaN(skewness([4, 4, 4])) && Number.isNaN(skewness([4])));
  assert.throws(() => skewness([1, NaN]), (e: unknown) => e instanceof ArgumentError && /values\[1\] is NaN/.test((e as Error).message));
});

const N = 240, WIDTH = 12, CLASSES = 10, MODELS = 4;

/** Models whose activations are a class prototype plus noise, ReLU'd; softmax from a class readout of the activations. */
function members(seed: number, pointScale: Float64Array): EnsembleMember[] {
  const data = new Rng(seed);
  const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
  return Array.from({ length: MODELS }, (_, m) => {
    const r = data.fork(`model/${m}`);
    const prototypes = r.fillNormal(new Float32Array(CLASSES * WIDTH));
    const noise = r.fillNormal(new Float32Array(N * WIDTH));
    const hidden = new Float32Array(N * WIDTH);
    for (let i = 0; i < N; i++) for (let j = 0; j < WIDTH; j++) hidden[i * WIDTH + j] = pointScale[i]! * Math.max(0, prototypes[labels[i]! * WIDTH + j]! + 0.8 * noise[i * WIDTH + j]!);
    // Logits are linear in the activations (as in the MLP's last layer), so a larger norm is a more confident point.
    const softmax = new Float64Array(N * CLASSES);
    for (let i = 0; i < N; i++) {
      const logits = Array.from({ length: CLASSES }, (_, c) => { let z = 0; for (let j = 0; j < WIDTH; j++) z += hidden[i * WIDTH + j]! * prototypes[c * WIDTH + j]!; return z; });
      const top = Math.max(...logits);
      const e = logits.map((z) => Math.exp(z - top));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => { softmax[i * CLASSES + c] = v / sum; });
    }
    return { predictions: argmaxRows(softmax, N, CLASSES), softmax, hidden, trainAccuracy: 1, epochs: 1 };
  });
}

s('unitNorm: the tensor is the same when each point is scaled by its own factor; without it, it is not', async () => {
  const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
  const r = new Rng(7);
  const ones = new Float64Array(N).fill(1);
  // Factors 2^e with e in [−2, 2]: exact in f32, so the scaled activations are the same values times a power of two.
  const scales = Float64Array.from({ length: N }, () => 2 ** Math.floor(r.uniform() * 5 - 2));
  const options = { k: 6, qCorr: 90, qData: 90 };
  const plain = await ensembleTensor(members(3, ones), labels, WIDTH, { ...options, unitNorm: true });
  const scaled = await ensembleTensor(members(3, scales), labels, WIDTH, { ...options, unitNorm: true });
  assert.is(scaled.main.features, plain.main.features);
  assert.equal(Array.from(scaled.main.stats.featuresPerPoint), Array.from(plain.main.stats.featuresPerPoint));
  assert.equal(Array.from(scaled.main.stats.frequency), Array.from(plain.main.stats.frequency));
  assert.equal(Array.from(scaled.main.stats.adoption), Array.from(plain.main.stats.adoption));
  // The spec's tensor (no unitNorm) follows the scale: the points scaled up carry more presences.
  // The work is reported unit by unit: the 4 models' PCAs, the correlations, the 4 thresholds of the sweep, the diagnostics;
  // a main threshold outside the sweep is one more. Within a long unit (the correlations' panels, the presences, a
  // threshold's clustering and its Mantel test, the diagnostics) the count is repeated: the host may run there.
  const steps: string[] = [];
  const spec = await ensembleTensor(members(3, scales), labels, WIDTH, options, 0, async (done, total) => { steps.push(`${done}/${total}`); });
  assert.equal([...new Set(steps)], Array.from({ length: 10 }, (_, i) => `${i + 1}/10`), 'each unit in order');
  assert.equal(steps.filter((x) => x === '4/10').length, 4 + 4 + 1, 'the last PCA, then a pause per model panel and per presence');
  assert.equal(steps.filter((x) => x === '10/10').length, 1, 'the last unit once');
  assert.ok(steps.length > 10, `pauses within units: ${steps.join(' ')}`);
  const offSweep: number[] = [];
  await ensembleTensor(members(3, scales), labels, WIDTH, { ...options, qCorr: 85 }, 0, async (done, total) => { offSweep.push(total); });
  assert.ok(offSweep.length > 11 && offSweep.every((t) => t === 11), `a main threshold outside the sweep: 11 units (${offSweep.join(' ')})`);
  assert.not.equal(Array.from(spec.main.stats.featuresPerPoint), Array.from(plain.main.stats.featuresPerPoint));
  // The diagnostic sees the raw norms in both: with the scales, norm and confidence rise together.
  assert.ok(scaled.norm.confidence > 0.5, `Spearman(confidence, norm) ${scaled.norm.confidence}`);
  assert.is(spec.norm.confidence, scaled.norm.confidence);
  assert.ok(spec.norm.featuresPerPoint > 0.3, `spec: Spearman(features per point, norm) ${spec.norm.featuresPerPoint}`);
});

s.run();
