/**
 * RF and NTK kernel matrices built on the backends (src/kernel/backendKernels.ts) against the host f64
 * definitions (src/kernel/features.ts), for every activation, with the features in uneven chunks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTIVATIONS, type ActivationName } from '../src/kernel/hermite.js';
import { gaussianWeights, ntkFeatureKernel, randomFeatureKernel } from '../src/kernel/features.js';
import { ntkFeatureKernelOn, randomFeatureKernelOn } from '../src/kernel/backendKernels.js';
import { Rng } from '../src/rng.js';
import type { Backend } from '../src/index.js';
import { ref, runtime, testBackends } from './support/backends.js';

const s = suite(`kernel matrices on the backends [${runtime}]`);

const d = 6;
const rng = new Rng(7);
const z1 = Float64Array.from(rng.fillNormal(new Float32Array(13 * d), 0, 1));
const z2 = Float64Array.from(rng.fillNormal(new Float32Array(7 * d), 0, 1));
const w = gaussianWeights(rng.fork('w'), 37, d);

/** Largest |got − want| relative to max |want|. */
function relErr(got: Float64Array, want: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return err / scale;
}

for (const b of [ref as unknown as Backend, ...testBackends]) {
  // f32 products over k = 37 features of O(1) values: a few ulps of max|K|.
  const tol = b.name === 'ref' ? 1e-6 : 1e-5;
  s(`${b.name}: RF and NTK kernels equal the host f64 kernels for every activation (k = 37 in chunks of 16)`, async () => {
    for (const name of Object.keys(ACTIVATIONS) as ActivationName[]) {
      const act = ACTIVATIONS[name];
      const rf = await randomFeatureKernelOn(b, z1, z2, w, d, name, { chunk: 16 });
      const rfWant = randomFeatureKernel(z1, z2, w, d, act.act);
      assert.is(rf.length, 13 * 7);
      assert.ok(relErr(rf, rfWant) <= tol, `RF ${name}: relative error ${relErr(rf, rfWant).toExponential(2)}`);
      const ntk = await ntkFeatureKernelOn(b, z1, z2, w, d, name, { chunk: 16 });
      const ntkWant = ntkFeatureKernel(z1, z2, w, d, act.derivative);
      assert.ok(relErr(ntk, ntkWant) <= tol, `NTK ${name}: relative error ${relErr(ntk, ntkWant).toExponential(2)}`);
      const self = await randomFeatureKernelOn(b, z1, null, w, d, name, { chunk: 40 });
      const selfWant = randomFeatureKernel(z1, z1, w, d, act.act);
      assert.ok(relErr(self, selfWant) <= tol, `RF ${name} of z1 with itself: relative error ${relErr(self, selfWant).toExponential(2)}`);
    }
  });
}

s.run();
