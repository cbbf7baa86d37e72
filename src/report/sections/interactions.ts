/** Report section of the Harsanyi AND/OR interactions and their two-phase dynamics (spec interactions.md). */
import { fmt } from '../format.js';
import { barChart, heatmap, linePlot, type Band, type Marker, type Series } from '../svg.js';
import { indices, num, nums, type SectionRenderer } from './common.js';

/** Interactions: order distributions over epochs with the two phases marked, mean order, loss gap, overlap per order. */
export const interactionsSection: SectionRenderer = (run) => {
  const s = run.summary;
  const epoch = run.series.epoch ?? [];
  const n = num(s, 'n') ?? 0;
  const t1 = num(s, 'phase1End');
  const tGap = num(s, 'gapOnset');
  const first = epoch.find((e) => e !== null) ?? 0;
  const last = epoch.at(-1) ?? first;
  const marks: Marker[] = [];
  if (t1 !== null) marks.push({ at: t1, label: 'end of phase 1' });
  if (tGap !== null) marks.push({ at: tGap, label: 'loss-gap onset' });
  const bands: Band[] = t1 === null ? [] : [{ from: first, to: t1, label: 'phase 1' }, { from: t1, to: last, label: 'phase 2' }];
  const phaseOf = (e: number | null) => (t1 === null || e === null ? '' : e === first ? ' (init)' : e <= t1 ? ' (phase 1)' : ' (phase 2)');
  const orders = indices(n + 1);
  const positive = orders.map((k) => nums(run.series, `positiveOrder${k}`));
  const negative = orders.map((k) => nums(run.series, `negativeOrder${k}`));
  // Checkpoints shown as curves: initialization, end of phase 1, gap onset, last.
  const shown = [...new Set([0, epoch.indexOf(t1), epoch.indexOf(tGap), epoch.length - 1].filter((i) => i >= 0))].sort((a, b) => a - b);
  const curves: Series[] = [];
  shown.forEach((i, c) => {
    curves.push({ name: `A⁺, epoch ${fmt(epoch[i] ?? null)}${phaseOf(epoch[i] ?? null)}`, x: orders, y: positive.map((p) => p[i] ?? null), color: c });
    curves.push({ name: `A⁻, epoch ${fmt(epoch[i] ?? null)}`, x: orders, y: negative.map((p) => p[i] ?? null), style: 'dashed', color: c });
  });
  const counts = orders.map((k) => nums(run.series, `salientCountOrder${k}`));
  const overlap = nums(s, 'crossSeedOverlap');
  const meanOrder = nums(run.series, 'meanOrder');
  const m0 = meanOrder[0] ?? null;
  const mMin = meanOrder.reduce<number | null>((a, v) => (v !== null && (a === null || v < a) ? v : a), null);
  return {
    // Two interactions runs (tabular, image patches) sit in one suite report: the title says which.
    title: `Harsanyi interactions: two-phase dynamics${typeof run.config.task === 'string' ? ` (${run.config.task} task)` : ''}`,
    measured: 'The AND/OR (Harsanyi) interactions of the network\'s output over n input variables on fixed samples, after every epoch: the strength of salient interactions per order (A⁺ positive, A⁻ negative, normalised), their mean order, and the loss gap. The paper: phase 1 removes medium- and high-order interactions, phase 2 learns ever higher orders and starts when the loss gap grows (Zhang et al.).',
    keys: [
      { name: 'input variables n', value: n },
      { name: 'mean salient order: init → min → last', value: [m0, mMin, meanOrder.at(-1) ?? null], expected: 'falls (phase 1), then rises (phase 2); NumPy check: 3.25 → 2.33 → ≈ 2.9' },
      { name: 'end of phase 1 t₁ (epoch)', value: t1 },
      { name: 'loss-gap onset t_gap (epoch)', value: tGap, expected: '≈ t₁ (paper: phase 2 starts with over-fitting)', note: t1 !== null && tGap !== null ? `|t₁ − t_gap| = ${fmt(Math.abs(t1 - tGap))}` : '' },
      { name: 'universal matching, max error', value: num(s, 'universalMatchingMaxError'), expected: '0 (AND + OR interactions sum to the output)' },
      { name: 'cross-seed overlap per order 0…n', value: overlap, expected: 'lower at higher order', note: overlap.some((o) => o === null) ? '—: neither seed has a salient interaction of that order (no bar in the plot), not an overlap of 0' : '' },
    ],
    plots: [
      linePlot({ title: 'mean salient order over training', x: { label: 'epoch' }, y: { label: 'mean order of salient interactions' }, series: [{ name: 'mean order', x: epoch, y: meanOrder }], vlines: marks, bands }),
      linePlot({
        title: 'train and test loss',
        x: { label: 'epoch' },
        y: { label: 'loss (nats)' },
        series: [
          { name: 'train loss', x: epoch, y: run.series.trainLoss ?? [] },
          { name: 'test loss', x: epoch, y: run.series.testLoss ?? [] },
          { name: 'gap (test − train)', x: epoch, y: run.series.gap ?? [], style: 'dashed' },
        ],
        vlines: marks,
        bands,
      }),
      linePlot({ title: 'order distribution at key epochs', x: { label: 'interaction order |S|' }, y: { label: 'normalised strength A⁺(k), A⁻(k)' }, series: curves, hlines: [{ at: 0, label: '' }] }),
      heatmap({
        title: 'order distribution over epochs: A⁺(k) − A⁻(k)',
        x: { label: 'interaction order |S|' },
        y: { label: 'epoch (phase)' },
        columns: orders.map(String),
        rows: epoch.map((e) => `${fmt(e)}${phaseOf(e)}`),
        values: epoch.map((_, i) => orders.map((k) => {
          const p = positive[k]![i] ?? null;
          const q = negative[k]![i] ?? null;
          return p === null || q === null ? null : p - q;
        })),
        color: { label: 'normalised strength', min: 0 },
      }),
      ...(counts.some((c) => c.length > 0) ? [barChart({
        title: 'salient interactions per order at key epochs',
        x: { label: 'interaction order |S|' },
        y: { label: 'count (AND and OR, over the samples)', min: 0 },
        categories: orders.map(String),
        groups: shown.map((i) => ({ name: `epoch ${fmt(epoch[i] ?? null)}${phaseOf(epoch[i] ?? null)}`, values: counts.map((c) => c[i] ?? null) })),
      })] : []),
      barChart({ title: 'cross-seed overlap of salient interactions', x: { label: 'interaction order |S|' }, y: { label: 'Jaccard overlap', min: 0, max: 1 }, categories: overlap.map((_, k) => String(k)), groups: [{ name: 'overlap', values: overlap }] }),
    ],
  };
};
