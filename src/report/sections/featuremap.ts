/** Report section of the feature-map diagonalization (spec feature-map.md). */
import { fmt } from '../format.js';
import { linePlot, type Series } from '../svg.js';
import type { ResultFile } from '../types.js';
import { indices, num, nums, rec, type SectionRenderer } from './common.js';

/** At most `max` indices of 0..n−1, evenly spaced, always with the first and the last. */
function spread(n: number, max: number): number[] {
  if (n <= max) return indices(n);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1))))];
}

/** The run's checkpoint axis: epochs (Fashion-MNIST) or steps (modular addition), for the run or its baseline. */
function checkpoints(run: ResultFile, baseline: boolean): { x: (number | null)[]; label: string; unit: string } {
  const epochs = run.series[baseline ? 'baselineEpoch' : 'epoch'];
  if (epochs && epochs.length > 0) return { x: epochs, label: 'epoch', unit: 'epoch' };
  return { x: run.series[baseline ? 'baselineStep' : 'step'] ?? [], label: 'training step', unit: 'step' };
}

/** The matrix at details[key] as rows of numbers (null for non-numbers). */
function matrix(details: Record<string, unknown> | undefined, key: string): (number | null)[][] {
  const v = details?.[key];
  return Array.isArray(v) ? v.filter(Array.isArray).map((r: unknown[]) => r.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null))) : [];
}

/** Feature map: spectrum over training with the MF/EF boundary, Π*(k) and Π̂(k), regime measures, baseline beside. */
export const featuremapSection: SectionRenderer = (run) => {
  const s = run.summary;
  const b = rec(s, 'baseline');
  const details = run.details;
  const base = rec(details, 'baseline');
  const C = num(details, 'classes') ?? (run.config.task === 'modadd' ? num(run.config, 'p') : 10);
  const full = checkpoints(run, false);
  const plots: string[] = [];
  const spectra = matrix(details, 'rhoRatios');
  if (spectra.length > 0) {
    const picked = spread(spectra.length, 8);
    plots.push(linePlot({
      title: 'eigen-spectrum of the feature map over training',
      x: { label: 'eigenvalue index k' },
      y: { label: 'ρ_k / ρ_1', log: true },
      series: picked.map((i) => ({ name: `${full.unit} ${fmt(full.x[i] ?? i)}`, x: spectra[i]!.map((_, k) => k + 1), y: spectra[i]! })),
      vlines: C === null ? [] : [{ at: C + 0.5, label: `MF/EF boundary C = ${C} | C + 1` }],
    }));
  }
  const curves: Series[] = [];
  const piStar = nums(details, 'piStar');
  const piHat = nums(details, 'piHat');
  const k = (v: unknown[]) => v.map((_, i) => i + 1);
  if (piStar.length) curves.push({ name: 'Π*(k) labels held, all layers', x: k(piStar), y: piStar, color: 0 });
  if (piHat.length) curves.push({ name: 'Π̂(k) function used, all layers', x: k(piHat), y: piHat, color: 1 });
  const bStar = nums(base, 'piStar');
  const bHat = nums(base, 'piHat');
  if (bStar.length) curves.push({ name: 'Π*(k), last layer only', x: k(bStar), y: bStar, style: 'dashed', color: 0 });
  if (bHat.length) curves.push({ name: 'Π̂(k), last layer only', x: k(bHat), y: bHat, style: 'dashed', color: 1 });
  if (curves.length) {
    plots.push(linePlot({
      title: 'Π*(k) and Π̂(k) at the end of training',
      x: { label: 'top-k eigenfunctions' },
      y: { label: 'fraction (0–1)', min: 0, max: 1 },
      series: curves,
      vlines: C === null ? [] : [{ at: C, label: `k = C = ${C}` }],
      hlines: [{ at: 0.95, label: 'MF: Π̂(C) ≥ 0.95' }],
    }));
  }
  const bx = checkpoints(run, true);
  const both = (title: string, key: string, baseKey: string, y: { label: string; log?: boolean; min?: number; max?: number }, hlines: { at: number; label: string }[] = []) => linePlot({
    title, x: { label: full.label }, y, hlines,
    series: [
      { name: 'all layers', x: full.x, y: run.series[key] ?? [] },
      { name: 'last layer only (frozen features)', x: bx.x, y: run.series[baseKey] ?? [], style: 'dashed' as const },
    ].filter((x) => x.y.length > 0),
  });
  plots.push(both('Π̂(C) over training', 'piHatC', 'baselinePiHatC', { label: 'Π̂(C)', min: 0, max: 1 }, [{ at: 0.95, label: 'MF threshold 0.95' }]));
  plots.push(both('spectral gap ρ_C+1 / ρ_C over training', 'rhoGap', 'baselineRhoGap', { label: 'ρ_C+1 / ρ_C', log: true }, [{ at: 0.1, label: 'MF threshold 0.1' }]));
  plots.push(both('richness D_LR over training', 'dLR', 'baselineDLR', { label: 'D_LR (0 rich, 1 lazy)', min: 0, max: 1 }));
  plots.push(both('test accuracy', 'testAccuracy', 'baselineTestAccuracy', { label: 'test accuracy', min: 0, max: 1 }));
  plots.push(both('NC1 over training', 'nc1', 'baselineNc1', { label: 'NC1 = tr(Σ_W Σ_B⁺)/C', log: true }));
  const vsBase = (key: string) => (b ? `last layer only: ${fmt(num(b, key))}` : '');
  return {
    title: 'Feature map diagonalized: MF / EF regime',
    measured: 'The penultimate features Φ diagonalized at every checkpoint (S = ΦᵀΦ/n, eigenvalues ρ_k): how much of the labels the top-k eigenfunctions hold (Π*(k)) and how much of the learned function uses them (Π̂(k)); minimal-feature regime (MF) when Π̂(C) ≥ 0.95 and ρ_C+1/ρ_C ≤ 0.1, else extended-feature (EF). Training only the last layer on frozen features is the baseline (Nam et al. 2024).',
    keys: [
      { name: 'regime', value: s.regime ?? null, expected: 'MF after a few epochs (paper, well-trained nets)', note: b ? `last layer only: ${String(b.regime ?? '—')}` : '' },
      { name: 'Π̂(C)', value: num(s, 'piHatC'), expected: '≥ 0.95 for MF', note: vsBase('piHatC') },
      { name: 'ρ_C+1 / ρ_C', value: num(s, 'rhoGap'), expected: '≤ 0.1 for MF', note: vsBase('rhoGap') },
      { name: 'D_LR', value: num(s, 'dLR'), expected: 'paper (MNIST): ≈ 0.009 trained fully, ≈ 0.63 last layer only', note: vsBase('dLR') },
      { name: 'NC1', value: num(s, 'nc1'), expected: '→ 0 under neural collapse', note: vsBase('nc1') },
      { name: 'test accuracy', value: num(s, 'testAccuracy'), note: vsBase('testAccuracy') },
    ],
    plots,
  };
};
