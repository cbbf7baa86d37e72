/**
 * One feature-map measurement during training, shared by the Fashion-MNIST MLP (featuremap.ts) and the
 * modular-addition pair network (featuremapPairs.ts): S = ΦᵀΦ/n formed on the active backend, the f64 WASM
 * diagonalization and the spec's measures (analyzeFeatureMap), and the series and summary they feed.
 */
import type { Backend } from '../backend/types.js';
import type { Stage } from '../checkpoint/stages.js';
import { DegenerateFeaturesError } from '../errors.js';
import { analyzeFeatureMap, type FeatureMapDiagonalization, type FeatureMapSummary } from '../metrics/featureMap.js';

/** The inputs of one measurement: features Φ (n×p), labels, C classes, last-layer weights (C×p), logits. */
export interface FeatureMapProbeInput {
  features: Float32Array;
  n: number;
  p: number;
  labels: ArrayLike<number>;
  classes: number;
  weights: Float32Array;
  logits: Float32Array;
  previous?: FeatureMapDiagonalization;
  /** Where the measurement is (e.g. 'epoch 3') and what would bring dead features back, for the error when all are 0. */
  where: string;
  remedy: string;
}

/**
 * Null tolerance of an S formed on a backend: ε_f32·√max(n, p)/8 (ε_f32 = 2⁻²³). S comes back in f32, its
 * entries n-term f32 sums whose round-off grows like √n, so the null directions of rank-deficient (collapsed)
 * features come back as eigenvalues of ~1e-7·ρ₁, far above the f64 default (featureMap.ts choice 2); kept, they
 * would raise the rank and make ρ_{C+1}/ρ_C a ratio of noise. Measured, exact rank-r features: largest null
 * eigenvalue 1.1e-7, 2.6e-7, 6.3e-7, 7.7e-7·ρ₁ at n = 400, 2000, 20 000, 60 000 on WASM (SwiftShader WebGPU lower),
 * 2.7–4.7× below this tolerance; the smallest eigenvalue of ReLU features of those sizes (9.8e-6·ρ₁ or more) stays.
 */
function f32NullTolerance(n: number, p: number): number {
  return (2 ** -26) * Math.sqrt(Math.max(n, p));
}

/** Diagonalizes Φ with S = ΦᵀΦ/n formed on `backend` (the eigendecomposition is f64 WASM) and measures it. */
export async function probeFeatureMap(backend: Backend, input: FeatureMapProbeInput): Promise<FeatureMapSummary> {
  const { features, n, p } = input;
  // All-zero features (every ReLU dead, typically after a too large step) have no spectrum: say so in the run's terms.
  if (features.every((v) => v === 0)) {
    throw new DegenerateFeaturesError(`feature map at ${input.where}: every feature is 0 on all ${n} probe inputs (each of the ${p} units is inactive: dead ReLUs), so it has no spectrum to measure; ${input.remedy}`);
  }
  const product = await backend.scope(async () => {
    const hm = backend.upload(features, n, p);
    return Float64Array.from(await backend.read(backend.matmul(hm, hm, { transA: true, alpha: 1 / n })));
  });
  return analyzeFeatureMap(features, n, p, input.labels, input.classes, {
    weights: input.weights, logits: input.logits, previous: input.previous, method: 'covariance', product, nullTolerance: f32NullTolerance(n, p),
  });
}

/** What a feature-map run keeps in its checkpoints: the series, the report's details, the last measurement and test accuracy. */
export type FeatureMapProbeState = { series: Record<string, (number | null)[]>; details: FeatureMapDetails; latest: FeatureMapSummary | null; testAccuracy: number };

/** The probe state restored by `stage`, or a fresh one with `series` (the previous diagonalization is latest's). */
export function featureMapProbeState(stage: Stage | undefined, series: Record<string, (number | null)[]>, classes: number): FeatureMapProbeState {
  const state = (stage?.restored as FeatureMapProbeState | undefined) ?? { series, details: newFeatureMapDetails(classes), latest: null, testAccuracy: NaN };
  stage?.keep(() => state);
  return state;
}

/** Names of the series every feature-map run records (the caller adds its own step and accuracy series). */
export const FEATURE_MAP_SERIES = ['piHatC', 'rhoGap', 'dLR', 'nc1', 'mf', 'topAngle'] as const;

/**
 * Appends one measurement to the FEATURE_MAP_SERIES of `series`. A value the measurement does not define is
 * null, not NaN (result.json would warn): topAngle at the first measurement, which has no earlier subspace.
 */
export function recordFeatureMap(series: Record<string, (number | null)[]>, m: FeatureMapSummary): void {
  series.piHatC!.push(m.piHatC ?? null);
  series.rhoGap!.push(m.rhoGap);
  series.dLR!.push(m.dLR ?? null);
  series.nc1!.push(m.nc1);
  series.mf!.push(m.regime === 'MF' ? 1 : 0);
  series.topAngle!.push(m.principalAngles ? Math.max(...m.principalAngles) : null);
}

/** For reports (result.json details): ρ_k/ρ_1 at every measurement, the last Π*(k) and Π̂(k), and C. */
export interface FeatureMapDetails {
  classes: number;
  rhoRatios: number[][];
  piStar: number[];
  piHat: number[];
}

/** Empty details for a run with C classes. */
export function newFeatureMapDetails(classes: number): FeatureMapDetails {
  return { classes, rhoRatios: [], piStar: [], piHat: [] };
}

/** Appends one measurement's spectrum to `details` and keeps its Π*(k), Π̂(k) curves as the latest. */
export function recordFeatureMapDetails(details: FeatureMapDetails, m: FeatureMapSummary): void {
  details.rhoRatios.push(Array.from(m.rhoRatios));
  details.piStar = Array.from(m.piStar);
  details.piHat = m.piHat ? Array.from(m.piHat) : [];
}

/** The run's summary from its last measurement (nulls when none was taken). */
export function featureMapRunSummary(m: FeatureMapSummary | null, testAccuracy: number) {
  return { regime: m?.regime ?? null, piHatC: m?.piHatC ?? null, rhoGap: m?.rhoGap ?? null, dLR: m?.dLR ?? null, nc1: m?.nc1 ?? null, testAccuracy };
}

/** One line for the log. */
export function describeFeatureMap(m: FeatureMapSummary): string {
  return `regime ${m.regime}, Π̂(C) ${m.piHatC?.toFixed(3)}, ρ gap ${m.rhoGap.toFixed(3)}, D_LR ${m.dLR?.toFixed(3)}, NC1 ${m.nc1.toFixed(3)}`;
}
