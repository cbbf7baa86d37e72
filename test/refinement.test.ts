/**
 * Backend solves made accurate (src/linalg/backendLinalg.ts): the f32 Cholesky of each backend with f64
 * iterative refinement reaches f64 backward error on a moderately conditioned system and agrees with the f64
 * WASM solve; a condition number beyond f32's reach is reported as not converged; a matrix that is not
 * positive definite raises NotPositiveDefiniteError on every backend (webgpu through the NaN pivot check).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotPositiveDefiniteError } from '../src/errors.js';
import { NotPositiveDefiniteError as BundledNotPositiveDefiniteError } from '../dist/featurelab.js';

/** The error class of the sources (backendLinalg) or of the bundle (the backends' own throw). */
const notPositiveDefinite = (e: unknown): boolean => e instanceof NotPositiveDefiniteError || e instanceof BundledNotPositiveDefiniteError;
import { cholesky, initLinalg, solveCholesky, symmetricEigen } from '../src/linalg/wasmLinalg.js';
import { choleskyChecked, solvePositiveDefinite } from '../src/linalg/backendLinalg.js';
import type { Backend } from '../src/index.js';
import { ref, runtime, testBackends } from './support/backends.js';
import { rng } from './support/random.js';

await initLinalg();
const s = suite(`refined positive-definite solves [${runtime}]`);

/** Q·diag(λ)·Qᵀ with λ spaced geometrically from 1 to 1/cond (Q from the eigenvectors of a random symmetric matrix). */
function withCondition(n: number, cond: number, seed: number): Float64Array {
  const r = rng(seed);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = 2 * r() - 1;
  const q = symmetricEigen(m, n).vectors;
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lambda = cond ** (-k / (n - 1));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += q[i * n + k]! * lambda * q[j * n + k]!;
  }
  return a;
}

const n = 150;
const r = 2;
const rhs = Float64Array.from({ length: n * r }, rng(9));

for (const b of [ref as unknown as Backend, ...testBackends]) {
  s(`${b.name}: condition 1e3 — refinement reaches f64 backward error and the f64 solution`, async () => {
    const a = withCondition(n, 1e3, 1);
    const out = await solvePositiveDefinite(b, a, n, rhs, r);
    assert.ok(out.converged, `backward errors ${out.backwardErrors.map((e) => e.toExponential(1)).join(' → ')}`);
    assert.ok(out.backwardErrors.at(-1)! <= 1e-14);
    if (b.name !== 'ref') assert.ok(out.backwardErrors[0]! > 1e-10, `the f32 solve alone is f32-accurate (${out.backwardErrors[0]!.toExponential(1)}): refinement had work to do`);
    const want = solveCholesky(cholesky(a, n), n, rhs, r);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(out.x[i]! - want[i]!));
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    assert.ok(diff / scale <= 1e-11, `max |x − x_f64| / max |x_f64| = ${(diff / scale).toExponential(2)}`);
  });

  if (b.name !== 'ref') {
    s(`${b.name}: condition 1e10 is beyond an f32 factor — reported as not converged`, async () => {
      const out = await solvePositiveDefinite(b, withCondition(n, 1e10, 2), n, rhs, r).catch((e: unknown) => e);
      // Either the f32 factorisation already fails (the matrix is numerically indefinite in f32) or refinement stalls.
      if (notPositiveDefinite(out)) return;
      assert.ok(!(out instanceof Error), String(out));
      assert.is((out as { converged: boolean }).converged, false);
    });
  }

  s(`${b.name}: choleskyChecked raises NotPositiveDefiniteError with the pivot`, async () => {
    const m = 70;
    const a = new Float32Array(m * m);
    for (let i = 0; i < m; i++) a[i * m + i] = i === 66 ? -3 : 1;
    await b.scope(async () => {
      await choleskyChecked(b, b.upload(a, m, m)).then(
        () => assert.unreachable('should throw'),
        (e: Error) => assert.ok(notPositiveDefinite(e) && /pivot 66 \(of 70\)/.test(e.message), String(e)),
      );
    });
  });
}

s.run();
