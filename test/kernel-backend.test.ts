/**
 * RF and NTK kernel matrices built on the backends (src/kernel/backendKernels.ts) against the host f64
 * definitions (src/kernel/features.ts), for every activation, with the features in uneven chunks; and the
 * empirical NTK J·Jᵀ of a trained two-layer network (autograd, src/kernel/empiricalNtk.ts) against the
 * feature form.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTIVATIONS, type ActivationName } from '../src/kernel/hermite.js';
import { gaussianWeights, linearKernel, ntkFeatureKernel, randomFeatureKernel, rbfKernel } from '../src/kernel/features.js';
import { arccosKernelsOn, linearKernelOn, ntkFeatureKernelOn, randomFeatureKernelOn, rbfKernelOn } from '../src/kernel/backendKernels.js';
import { arccosKernels } from '../src/kernel/arccos.js';
import { empiricalFirstLayerNtk } from '../src/kernel/empiricalNtk.js';
import { Tape } from '../src/autograd/tape.js';
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

for (const b of [ref as unknown as Backend, ...testBackends]) {
  // f32 arc-cosine: the angle of (nearly) parallel inputs is only good to ~√(2·2⁻²⁴) ≈ 3e-4 (acos′ → ∞ at 1),
  // compounding over layers (2.5e-4 observed at depth 3); ref computes in f64 but read() rounds to f32.
  const tol = b.name === 'ref' ? 1e-6 : 5e-4;
  s(`${b.name}: linear, RBF and the arc-cosine NNGP / NTK (depth 0, 1, 3; with bias variance) equal the host f64 kernels`, async () => {
    const x1z = Float64Array.from(z1);
    x1z.fill(0, 2 * d, 3 * d); // a zero input: the arc-cosine recursion's cosine is 0 there when σ_b = 0
    const lin = await linearKernelOn(b, z1, z2, d, { scale: 0.5, bias: 0.25 });
    assert.ok(relErr(lin, linearKernel(z1, z2, d, { scale: 0.5, bias: 0.25 })) <= tol, 'linear');
    const rbf = await rbfKernelOn(b, z1, null, d, { lengthscale: 1.7, variance: 2 });
    const rbfWant = rbfKernel(z1, z1, d, { lengthscale: 1.7, variance: 2 });
    assert.ok(relErr(rbf, rbfWant) <= tol, `RBF: ${relErr(rbf, rbfWant).toExponential(2)}`);
    for (const opts of [{ depth: 0 }, { depth: 1 }, { depth: 3, weightVariance: 2 }, { depth: 2, weightVariance: 1.5, biasVariance: 0.1 }]) {
      for (const x2 of [z2, null]) {
        const got = await arccosKernelsOn(b, x1z, x2, d, opts);
        const want = arccosKernels(x1z, x2 ?? x1z, d, opts);
        assert.ok(relErr(got.nngp, want.nngp) <= tol, `NNGP ${JSON.stringify(opts)}: ${relErr(got.nngp, want.nngp).toExponential(2)}`);
        assert.ok(relErr(got.ntk, want.ntk) <= tol, `NTK ${JSON.stringify(opts)}: ${relErr(got.ntk, want.ntk).toExponential(2)}`);
      }
    }
  });
}

for (const b of [ref as unknown as Backend, ...testBackends.filter((x) => x.name === 'wasm')]) {
  s(`${b.name}: the empirical NTK J·Jᵀ of a trained two-layer net equals the NTK feature kernel of its weights`, async () => {
    const [n, dIn, k] = [9, 5, 24];
    const r = new Rng(11);
    const z = Float64Array.from(r.fillNormal(new Float32Array(n * dIn)));
    const target = b.upload(r.fork('y').fillNormal(new Float32Array(n)), n, 1);
    const w = b.upload(Float32Array.from(gaussianWeights(r.fork('w'), k, dIn)), k, dIn);
    const a = b.upload(Float32Array.from({ length: k }, (_, j) => (j % 2 ? 1 : -1)), k, 1);
    const zm = b.upload(Float32Array.from(z), n, dIn);
    for (const act of ['tanh', 'relu'] as const) {
      // Train W (a fixed) for 30 steps of gradient descent on the MSE, so the weights are not at their init.
      let firstLoss = NaN;
      let lastLoss = NaN;
      for (let step = 0; step < 30; step++) {
        const tape = new Tape(b);
        const wv = tape.param(w);
        const pred = tape.scale(tape.matmul(tape.unary(act, tape.matmul(tape.input(zm), wv, { transB: true })), tape.input(a)), 1 / Math.sqrt(k));
        const loss = tape.mse(pred, target);
        tape.backward(loss);
        lastLoss = (await b.read(loss.value))[0]!;
        if (step === 0) firstLoss = lastLoss;
        b.sgdStep(w, tape.grad(wv)!, null, { lr: 0.5 });
        tape.dispose();
      }
      assert.ok(lastLoss < 0.9 * firstLoss, `${act}: training moved the weights (loss ${firstLoss} → ${lastLoss})`);
      const trained = Float64Array.from(await b.read(w));
      const theta = await empiricalFirstLayerNtk(b, w, a, z, act);
      const want = ntkFeatureKernel(z, z, b.name === 'ref' ? (ref.readF64(w) as Float64Array) : trained, dIn, ACTIVATIONS[act].derivative);
      const err = relErr(theta, want);
      // ref computes in f64 but read() hands the per-sample gradients back in f32: ~1e-8.
      assert.ok(err <= (b.name === 'ref' ? 1e-7 : 1e-5), `${act}: ‖Θ_emp − Θ_feature‖∞ / max = ${err.toExponential(2)}`);
    }
    b.free(target, w, a, zm);
  });
}

s.run();
