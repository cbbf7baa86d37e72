/**
 * Report sections of the margin-maximization experiments on algebraic tasks (spec margin-algebra.md):
 * modular addition, sparse parity and finite groups.
 */
import { fmt } from '../format.js';
import { barChart, heatmap, linePlot } from '../svg.js';
import type { ResultFile } from '../types.js';
import { indices, num, nums, rec, recs, type KeyNumber, type SectionRenderer } from './common.js';

/** Margin / γ* over training with the target line at 1 (every margin experiment records it). */
function marginPlot(run: ResultFile): string {
  return linePlot({
    title: 'normalized margin / γ* over training',
    x: { label: 'training step' },
    y: { label: 'margin / γ* (1 = the maximum)' },
    series: [{ name: 'margin / γ*', x: run.series.step ?? [], y: run.series.marginRatio ?? [] }],
    hlines: [{ at: 1, label: 'γ* (theory)' }],
  });
}

/** Training loss of one or two networks on a log axis. */
function lossPlot(run: ResultFile, series: { name: string; step: string; loss: string }[]): string {
  return linePlot({
    title: 'training loss',
    x: { label: 'training step' },
    y: { label: 'loss (cross-entropy + λ‖θ‖_{2,ν}^ν, nats)', log: true },
    series: series.map((s) => ({ name: s.name, x: run.series[s.step] ?? [], y: run.series[s.loss] ?? [] })),
  });
}

/** The margin rows every algebraic experiment shares: margin / γ*, the margin itself beside γ*, train accuracy. */
function marginKeys(run: ResultFile, gammaFormula: string): KeyNumber[] {
  const s = run.summary;
  return [
    { name: 'normalized margin / γ*', value: num(s, 'marginRatio'), expected: '→ 1 as λ → 0', note: 'the paper: the margin approaches γ*' },
    { name: 'normalized margin', value: num(s, 'normalizedMargin'), expected: `γ* = ${fmt(num(s, 'gammaStar'))}`, note: gammaFormula },
    { name: 'train accuracy', value: num(s, 'trainAccuracy'), expected: '1' },
  ];
}

/** Modular addition: margin, Fourier features per neuron, frequencies used, the ReLU network beside. */
export const modaddSection: SectionRenderer = (run) => {
  const s = run.summary;
  const p = num(run.config, 'p');
  const half = p === null ? null : (p - 1) / 2;
  const perFrequency = nums(s, 'neuronsPerFrequency');
  const neurons = recs(run.details, 'neurons');
  const plots = [marginPlot(run)];
  plots.push(linePlot({
    title: 'single-frequency neurons over training',
    x: { label: 'training step' },
    y: { label: 'fraction of active neurons', min: 0, max: 1 },
    series: [
      { name: `quadratic (${String(run.config.act ?? 'square')})`, x: run.series.step ?? [], y: run.series.singleFrequencyFraction ?? [] },
      { name: 'ReLU (comparison)', x: run.series.reluStep ?? [], y: run.series.reluSingleFrequencyFraction ?? [] },
    ].filter((x) => x.y.length > 0),
  }));
  plots.push(lossPlot(run, [{ name: 'quadratic', step: 'step', loss: 'loss' }, { name: 'ReLU', step: 'reluStep', loss: 'reluLoss' }].filter((x) => run.series[x.loss])));
  if (perFrequency.length > 0) {
    plots.push(barChart({
      title: 'neurons per frequency',
      x: { label: 'frequency ζ' },
      y: { label: 'single-frequency neurons' },
      categories: perFrequency.map((_, i) => String(i + 1)),
      groups: [{ name: 'neurons', values: perFrequency }],
    }));
  }
  const power = run.details?.fourierPower;
  if (Array.isArray(power) && power.length > 0 && Array.isArray(power[0])) {
    const rows = (power as unknown[][]).map((r) => r.map((v) => (typeof v === 'number' ? v : null)));
    // Sort neurons by their strongest frequency so that the blocks of each frequency show.
    const order = indices(rows.length).sort((a, b) => argmax(rows[a]!) - argmax(rows[b]!) || a - b);
    plots.push(heatmap({
      title: 'Fourier power per neuron (mean of u, v, w)',
      x: { label: 'frequency ζ' },
      y: { label: 'neuron (sorted by its strongest ζ)' },
      columns: rows[0]!.map((_, z) => String(z)),
      rows: order.map((i) => String(i)),
      values: order.map((i) => rows[i]!),
      color: { label: 'normalized power', min: 0, max: 1 },
    }));
  }
  if (neurons.length > 0) {
    const hist = new Array<number>(10).fill(0);
    for (const n of neurons) {
      const mp = rec(n, 'maxPower');
      if (n.active !== true || !mp) continue;
      const m = Math.min(num(mp, 'u') ?? 0, num(mp, 'v') ?? 0, num(mp, 'w') ?? 0);
      hist[Math.min(9, Math.floor(m * 10))]!++;
    }
    plots.push(barChart({
      title: 'max normalized Fourier power of the active neurons',
      x: { label: 'min over u, v, w of the max power (bins of 0.1)' },
      y: { label: 'neurons' },
      categories: hist.map((_, i) => `${(i / 10).toFixed(1)}`),
      groups: [{ name: 'neurons', values: hist }],
    }));
  }
  const used = nums(s, 'frequenciesUsed').length;
  return {
    title: 'Modular addition: margin maximization and Fourier features',
    measured: 'The quadratic network (u_i[a] + v_i[b])²·w_i trained on a + b mod p with cross-entropy + λ‖θ‖³: its normalized margin against the theoretical maximum γ* = √(2/27)/(√p(p − 1)), and whether every neuron is one Fourier frequency ζ with θ_u + θ_v = θ_w and every frequency is used (Morwani et al., ICLR 2024). The ReLU network trained the same way is shown beside it.',
    keys: [
      ...marginKeys(run, 'γ* = √(2/27) / (√p (p − 1))'),
      { name: 'single-frequency neurons (fraction of active)', value: num(s, 'singleFrequencyFraction'), expected: '1' },
      { name: 'frequencies used', value: used, expected: half === null ? 'all (p − 1)/2' : `all ${half}`, note: `every frequency used: ${String(s.allFrequenciesUsed ?? '—')}` },
      { name: 'mean max Fourier power (quadratic)', value: num(s, 'meanMaxPower'), expected: '≈ 1 (paper)' },
      { name: 'mean |θ_u + θ_v − θ_w| (rad)', value: num(s, 'meanAbsPhaseError'), expected: '0 (theory)' },
      { name: 'active neurons', value: num(s, 'activeNeurons'), expected: p === null ? 'width m ≥ 4(p − 1)' : `the max-margin solution needs width m ≥ 4(p − 1) = ${4 * (p - 1)}`, note: `width m = ${fmt(num(run.config, 'width'))}` },
      { name: 'mean max Fourier power (ReLU)', value: num(s, 'reluMeanMaxPower'), expected: '≈ 0.9 (paper)', note: 'less pure than the quadratic network' },
      { name: 'ReLU key frequencies (Nanda)', value: s.reluKeyFrequencies ?? null },
      { name: 'ReLU restricted / excluded loss', value: [num(s, 'reluRestrictedLoss'), num(s, 'reluExcludedLoss')], note: `full loss ${fmt(num(s, 'reluFullLoss'))}; restricted ≈ full and excluded ≫ full when the key frequencies carry the function` },
    ],
    plots,
  };
};

/** Index of the largest non-null entry (0 when none). */
function argmax(row: (number | null)[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] ?? -Infinity) > (row[best] ?? -Infinity)) best = i;
  return best;
}

/** Sparse parity: margin and the neurons' mass on the k relevant bits. */
export const paritySection: SectionRenderer = (run) => {
  const s = run.summary;
  const perNeuron = nums(run.details, 'supportMassPerNeuron');
  const plots = [
    marginPlot(run),
    linePlot({
      title: 'mass on the relevant bits over training',
      x: { label: 'training step' },
      y: { label: 'support mass (fraction of |u_i|)', min: 0, max: 1 },
      series: [{ name: 'support mass', x: run.series.step ?? [], y: run.series.supportMass ?? [] }],
      hlines: [{ at: 1, label: 'max-margin solution' }],
    }),
    lossPlot(run, [{ name: 'loss', step: 'step', loss: 'loss' }]),
  ];
  if (perNeuron.length > 0) {
    plots.push(barChart({
      title: 'support mass per neuron',
      x: { label: 'neuron' },
      y: { label: 'fraction of |u_i| on the k relevant bits', min: 0, max: 1 },
      categories: perNeuron.map((_, i) => String(i)),
      groups: [{ name: 'support mass', values: perNeuron }],
    }));
  }
  return {
    title: 'Sparse parity: margin maximization',
    measured: 'The network Σ_i (u_i·x)^k w_i trained on (n, k) sparse parity: its normalized margin against γ* = k!·√(2(k + 1)^−(k+1)), and the fraction of each neuron\'s |u_i| mass on the k relevant bits (1 at the max margin).',
    keys: [
      ...marginKeys(run, 'γ* = k! √(2 (k + 1)^−(k+1))'),
      { name: 'support mass (weighted by neuron norm)', value: num(s, 'supportMass'), expected: '1 (theory)' },
      { name: 'support mass (unweighted mean)', value: num(s, 'supportMassUnweighted') },
      { name: 'relevant bits', value: s.relevantBits ?? null, note: `n = ${fmt(num(run.config, 'n'))}, k = ${fmt(num(run.config, 'k'))}` },
    ],
    plots,
  };
};

/** Finite groups: margin and the neurons' irreducible representations. */
export const groupSection: SectionRenderer = (run) => {
  const s = run.summary;
  const labels = Array.isArray(s.irrepLabels) ? s.irrepLabels.map(String) : [];
  const dims = nums(s, 'irrepDims');
  const counts = nums(s, 'neuronsPerIrrep');
  const plots = [
    marginPlot(run),
    linePlot({
      title: 'energy in one irrep over training',
      x: { label: 'training step' },
      y: { label: 'irrep concentration (mean over neurons)', min: 0, max: 1 },
      series: [{ name: 'irrep concentration', x: run.series.step ?? [], y: run.series.irrepConcentration ?? [] }],
      hlines: [{ at: 1, label: 'max-margin solution' }],
    }),
    lossPlot(run, [{ name: 'loss', step: 'step', loss: 'loss' }]),
  ];
  if (counts.length > 0) {
    plots.push(barChart({
      title: 'neurons per irreducible representation',
      x: { label: 'irrep (partition, dimension)' },
      y: { label: 'neurons' },
      categories: counts.map((_, i) => `${labels[i] ?? i} d=${fmt(dims[i] ?? null)}`),
      groups: [{ name: 'neurons', values: counts }],
    }));
  }
  return {
    title: `Finite group ${String(run.config.group ?? '')}: margin maximization and irreducible representations`,
    measured: 'The quadratic network trained on composition in a finite group: its normalized margin against γ* = (2/(3√(3|G|)))/Σ_{n≥2} d_n^2.5 (over the non-trivial irreps), and how much of each neuron\'s energy lies in one non-trivial irreducible representation (the max-margin solution: all of it, every non-trivial irrep used, larger irreps with more neurons).',
    keys: [
      ...marginKeys(run, 'γ* = (2 / (3 √(3|G|))) / Σ_{n≥2} d_n^2.5'),
      { name: 'irrep concentration', value: num(s, 'irrepConcentration'), expected: '1 (theory)' },
      { name: 'non-trivial irreps used', value: s.irrepsUsed ?? null, expected: 'all', note: `all used: ${String(s.allIrrepsUsed ?? '—')}` },
    ],
    plots,
  };
};
