/**
 * Composition in a finite group (spec margin-algebra.md): the quadratic pair network on the |G|² table of
 * S_n or D_n, trained like modular addition. Measures the normalized margin / γ* (γ* of the spec for groups
 * with real irreps) and how each neuron's energy splits over the irreducible representations.
 */
import { RunCheckpoints } from '../checkpoint/stages.js';
import { groupComposition } from '../data/groupTask.js';
import { dihedral, realIrreps, symmetric, type FiniteGroup } from '../groups/index.js';
import { ConfigError } from '../errors.js';
import { irrepBases, irrepSummary } from '../metrics/irreps.js';
import { gammaStarGroup } from '../metrics/margin.js';
import { Rng } from '../rng.js';
import { fitWarnings, widthWarnings } from './common.js';
import { PAIR_TRAINING_KEYS, checkDoubling, trainPairNetwork, type PairTrainingConfig } from './pairTraining.js';
import type { Experiment, ExperimentResult } from './types.js';

/** Config of the group experiment (defaults = the paper's S_3 settings). */
export type GroupConfig = PairTrainingConfig & { group: string };

/** The group named like "S3", "S4", "S5", "D5", "D6". */
export function groupByName(name: string): FiniteGroup {
  const match = /^([SD])(\d+)$/.exec(name);
  if (!match) throw new ConfigError(`group must be S3, S4, S5 or Dn (n ≥ 3), got '${name}'`);
  const n = Number(match[2]);
  if (match[1] === 'S') {
    if (n < 3 || n > 5) throw new ConfigError(`group: S_n needs 3 ≤ n ≤ 5, got S${n}`);
    return symmetric(n);
  }
  if (n < 3 || n > 60) throw new ConfigError(`group: D_n needs 3 ≤ n ≤ 60, got D${n}`);
  return dihedral(n);
}

/** The group-composition experiment. */
export const group: Experiment<GroupConfig> = {
  name: 'group',
  description: 'composition in S_n / D_n: margin maximization and irreducible-representation features (Morwani et al. 2024)',
  defaults: { group: 'S3', width: 30, steps: 50000, lr: 0.05, doubleEvery: 1000, doubleUntil: 10000, lambda: 1e-7, initStd: 0.1, probeEvery: 1000 },
  presets: {
    paper: {},
    // λ = 1e-7 (the paper's) approaches the max margin slowly; 1e-5 gets there within 20k steps.
    quick: { steps: 20000, lambda: 1e-5 },
    s4: { group: 'S4', width: 130, steps: 30000, lambda: 1e-5 },
  },
  keys: {
    ...PAIR_TRAINING_KEYS,
    group: { doc: 'S3, S4, S5 or Dn' },
    width: { doc: 'neurons m (the max-margin solution needs m ≥ 2 Σ d³ over non-trivial irreps)', integer: true, min: 1, max: 1e6 },
  },
  validate(config) {
    groupByName(config.group);
    checkDoubling('group', config);
  },
  async run(config, ctx): Promise<ExperimentResult> {
    const g = groupByName(config.group);
    const irreps = realIrreps(g);
    const bases = irrepBases(g, irreps);
    const table = groupComposition(g);
    const gammaStar = gammaStarGroup(g.order, irreps.filter((r) => !r.trivial).map((r) => r.dim));
    const all = Uint32Array.from({ length: table.count }, (_, i) => i);
    const checkpoints = await RunCheckpoints.open(ctx.checkpoint, ctx.log);
    const run = await checkpoints.stage('square', (stage) => trainPairNetwork({ tokens: g.order, a: table.a, b: table.b, y: table.y, train: all, test: [] }, config, 'square',
      gammaStar, new Rng(ctx.seed), ctx, `${g.name} (|G| = ${g.order}, m = ${config.width})`,
      (rows) => irrepSummary(rows.U, rows.V, rows.W, config.width, g.order, irreps, { bases }),
      { name: 'irrepConcentration', of: (s) => s.irrepConcentration }, stage), ctx.shouldStop);
    const s = run.features;
    const nonTrivial = irreps.filter((r) => !r.trivial).map((r) => r.label);
    const warnings = run.steps < config.steps ? [`stopped at step ${run.steps} of ${config.steps}`] : [];
    const needed = 2 * irreps.filter((r) => !r.trivial).reduce((sum, r) => sum + r.dim ** 3, 0);
    warnings.push(...fitWarnings('the network', run.trainAccuracy, run.margin), ...widthWarnings(config.width, needed, '2 Σ d³ over the non-trivial irreps'));
    return {
      summary: {
        marginRatio: run.marginRatio,
        irrepConcentration: s.irrepConcentration,
        irrepsUsed: s.irrepsUsed,
        trainAccuracy: run.trainAccuracy,
        allIrrepsUsed: nonTrivial.every((l) => s.irrepsUsed.includes(l)),
        neuronsPerIrrep: s.neuronsPerIrrep,
        irrepLabels: irreps.map((r) => r.label),
        irrepDims: irreps.map((r) => r.dim),
        activeNeurons: s.neurons.filter((n) => n.active).length,
        normalizedMargin: run.margin,
        gammaStar,
      },
      series: run.series,
      timings: { trainSeconds: run.trainSeconds, stepsPerSecond: run.stepsRun / run.trainSeconds },
      warnings,
      details: { neurons: s.neurons.map((n) => ({ active: n.active, best: irreps[n.best]?.label ?? null, concentration: n.concentration })) },
    };
  },
};
