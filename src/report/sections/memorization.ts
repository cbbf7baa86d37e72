/** Report section of spurious-feature memorization by random-feature / NTK regression (spec spurious-memorization.md). */
import { esc, fmt } from '../format.js';
import { linePlot, scatterPlot, type Series } from '../svg.js';
import { num, recs, table, type KeyNumber, type SectionRenderer } from './common.js';

/** One setting's rows (same features, activation, α), in the order of N. */
interface Setting {
  name: string;
  rows: Record<string, unknown>[];
}

/** Groups the summary rows by (features, activation, α), each sorted by N. */
function settings(rows: Record<string, unknown>[]): Setting[] {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const name = `${String(r.features ?? '?')} ${String(r.activation ?? '?')}, α = ${fmt(num(r, 'alpha'))}`;
    out.set(name, [...(out.get(name) ?? []), r]);
  }
  return [...out].map(([name, rs]) => ({ name, rows: rs.sort((a, b) => (num(a, 'n') ?? 0) - (num(b, 'n') ?? 0)) }));
}

/** The network rows (summary.network, present when the run had network = true) grouped by α, each sorted by N. */
function networkSettings(rows: Record<string, unknown>[]): Setting[] {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const name = `network ${String(r.hidden ?? '?')}, α = ${fmt(num(r, 'alpha'))}`;
    out.set(name, [...(out.get(name) ?? []), r]);
  }
  return [...out].map(([name, rs]) => ({ name, rows: rs.sort((a, b) => (num(a, 'n') ?? 0) - (num(b, 'n') ?? 0)) }));
}

/** Memorization: spurious accuracy and mean feature alignment F against N with the theory line, Cov vs its prediction; the trained network beside the kernels when the run has one. */
export const memorizationSection: SectionRenderer = (run) => {
  const rows = recs(run.summary, 'rows');
  const groups = settings(rows);
  const netRows = recs(run.summary, 'network');
  const nets = networkSettings(netRows);
  const col = (g: Setting, key: string) => g.rows.map((r) => num(r, key));
  const plots = [
    linePlot({
      title: 'spurious accuracy vs training-set size',
      x: { label: 'training samples N', log: true },
      y: { label: 'spurious accuracy (0.5 = chance)' },
      series: groups.map((g) => ({ name: g.name, x: col(g, 'n'), y: col(g, 'spuriousAccuracy') })),
      hlines: [{ at: 0.5, label: 'chance' }],
    }),
    linePlot({
      title: 'feature alignment F vs N, with the theory',
      x: { label: 'training samples N', log: true },
      y: { label: 'mean feature alignment F' },
      series: [
        ...groups.map((g, i): Series => ({ name: `${g.name}: measured`, x: col(g, 'n'), y: col(g, 'meanAlignment'), color: i })),
        ...groups.map((g, i): Series => ({ name: `${g.name}: theory γ`, x: col(g, 'n'), y: col(g, 'gammaTheory'), style: 'dashed', color: i })),
      ],
    }),
    linePlot({
      title: 'test accuracy vs N',
      x: { label: 'training samples N', log: true },
      y: { label: 'test accuracy', max: 1 },
      series: groups.map((g) => ({ name: g.name, x: col(g, 'n'), y: col(g, 'testAccuracy') })),
    }),
    scatterPlot({
      title: 'memorization Cov vs mean F·(g − f_loo)·g',
      x: { label: 'predicted Cov (decomposition)' },
      y: { label: 'measured Cov(f(z^s), g)' },
      series: groups.map((g) => ({ name: g.name, x: col(g, 'predictedCov'), y: col(g, 'cov') })),
      reference: { slope: 1, intercept: 0, label: 'y = x (exact decomposition)' },
    }),
  ];
  if (nets.length > 0) {
    plots.push(linePlot({
      title: 'spurious accuracy vs N: trained network beside the kernels',
      x: { label: 'training samples N', log: true },
      y: { label: 'spurious accuracy (0.5 = chance)' },
      series: [
        ...groups.map((g, i): Series => ({ name: g.name, x: col(g, 'n'), y: col(g, 'spuriousAccuracy'), style: 'dashed', color: i })),
        ...nets.map((g, i): Series => ({ name: g.name, x: col(g, 'n'), y: col(g, 'spuriousAccuracy'), color: groups.length + i })),
      ],
      hlines: [{ at: 0.5, label: 'chance' }],
    }));
  }
  const keys: KeyNumber[] = [];
  for (const g of groups) {
    const first = g.rows[0]!;
    const last = g.rows[g.rows.length - 1]!;
    keys.push({ name: `${g.name}: spurious accuracy, N = ${fmt(num(first, 'n'))} → ${fmt(num(last, 'n'))}`, value: [num(first, 'spuriousAccuracy'), num(last, 'spuriousAccuracy')], expected: 'falls toward 0.5 as N grows' });
    keys.push({ name: `${g.name}: mean F at N = ${fmt(num(last, 'n'))}`, value: num(last, 'meanAlignment'), expected: `γ = ${fmt(num(last, 'gammaTheory'))} (theory limit)`, note: `d = ${fmt(num(last, 'd'))}: F depends on the N/d regime` });
  }
  for (const g of nets) {
    const first = g.rows[0]!;
    const last = g.rows[g.rows.length - 1]!;
    const notInterpolated = g.rows.filter((r) => r.interpolated !== true).map((r) => fmt(num(r, 'n')));
    keys.push({
      name: `${g.name}: spurious accuracy, N = ${fmt(num(first, 'n'))} → ${fmt(num(last, 'n'))}`, value: [num(first, 'spuriousAccuracy'), num(last, 'spuriousAccuracy')], expected: 'falls toward 0.5 as N grows',
      note: notInterpolated.length ? `not interpolated at N = ${notInterpolated.join(', ')}` : `every N interpolated (all training signs right); data of the ${String(first.dataOf ?? '?')} rows`,
    });
  }
  const solver = typeof run.summary.solver === 'string' ? run.summary.solver : null;
  const netHeader = ['network', 'α', 'N', 'd', 'test acc.', 'spurious acc.', 'Cov', '± s.e.', 'train acc.', 'train MSE', 'steps', 'interpolated'];
  const netKeys = ['hidden', 'alpha', 'n', 'd', 'testAccuracy', 'spuriousAccuracy', 'cov', 'covStdError', 'trainAccuracy', 'trainLoss', 'steps', 'interpolated'];
  const header = ['features', 'activation', 'α', 'N', 'd', 'k', 'test acc.', 'spurious acc.', 'Cov', '± s.e.', 'predicted Cov', 'mean F', 'γ theory'];
  const keysOf = ['features', 'activation', 'alpha', 'n', 'd', 'k', 'testAccuracy', 'spuriousAccuracy', 'cov', 'covStdError', 'predictedCov', 'meanAlignment', 'gammaTheory'];
  return {
    title: 'Memorization of spurious features by random-feature / NTK regression',
    measured: 'Minimum-norm random-feature (or NTK) regression on inputs with a core and a spurious part: how often a training label is recovered from its spurious part alone (spurious accuracy), the memorization Cov(f(z^s), g) against its leave-one-out decomposition, and the mean feature alignment F against the theory limit γ (Bombari & Mondelli, ICML 2024). Expected: spurious accuracy falls as N grows, φ4 memorizes less than φ2, α = 1/4 less than α = 1/2.'
      + (nets.length > 0 ? ' Beside them, the spec\'s network variant: a ReLU MLP trained with Adam on the same points (squared error on the ±1 labels) until it interpolates, and its spurious accuracy.' : ''),
    keys,
    plots,
    // The solver is a sentence, not a number: a paragraph, where the key table's number column would not wrap it.
    extra: (solver ? `<p class="what"><b>Kernel solver</b> (the spec: say which was used): ${esc(solver)}</p>` : '')
      + table(header, rows.map((r) => keysOf.map((k) => r[k] ?? null)))
      + (netRows.length > 0 ? table(netHeader, netRows.map((r) => netKeys.map((k) => r[k] ?? null))) : ''),
  };
};
