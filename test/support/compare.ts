/** Element-wise comparison with a message that names the worst element. */
import type { Tolerance } from '../tolerances.js';

/** Throws unless actual ≈ expected under `tol`; NaN must match NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  let scale = 1;
  if (tol.normalized) {
    scale = 0;
    for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
    scale = Math.max(scale, 1e-30);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) { worst = i; worstExcess = Infinity; break; }
      continue;
    }
    if (a === e) continue; // also covers equal infinities
    const excess = Math.abs(a - e) - (tol.atol * scale + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (excess > worstExcess || worst < 0)) { worst = i; worstExcess = excess; }
  }
  if (worst >= 0) {
    throw new Error(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (|diff| ${Math.abs(actual[worst] - expected[worst]).toExponential(3)}, allowed ${(tol.atol * scale + tol.rtol * Math.abs(expected[worst])).toExponential(3)})`);
  }
}
