/**
 * Report sections of the Fashion-MNIST MLP runs: the plain MLP, generalization disagreement (spec
 * agreement-gde.md) and the interaction tensor (spec interaction-tensor.md).
 */
import { fmt } from '../format.js';
import { barChart, linePlot, scatterPlot } from '../svg.js';
import { indices, num, nums, rec, recs, table, type SectionRenderer } from './common.js';

/** The plain MLP on Fashion-MNIST: loss and test accuracy per epoch. */
export const mlpSection: SectionRenderer = (run) => {
  const s = run.summary;
  const epoch = run.series.epoch ?? [];
  return {
    title: 'MLP on Fashion-MNIST',
    measured: `An MLP 784-${fmt(num(run.config, 'hidden'))}-${fmt(num(run.config, 'hidden'))}-10 trained with SGD and momentum on Fashion-MNIST: training loss and test accuracy after each epoch, and the training throughput.`,
    keys: [
      { name: 'test accuracy', value: num(s, 'testAccuracy'), expected: '≈ 0.88–0.90 (typical for an MLP)' },
      { name: 'train accuracy', value: num(s, 'trainAccuracy') },
      { name: 'final training loss (nats)', value: num(s, 'finalLoss') },
      { name: 'samples / s', value: num(run.timings, 'samplesPerSecond'), note: run.backend.description },
    ],
    plots: [
      linePlot({ title: 'training loss', x: { label: 'epoch' }, y: { label: 'mean cross-entropy (nats)' }, series: [{ name: 'loss', x: epoch, y: run.series.loss ?? [] }] }),
      linePlot({ title: 'test accuracy', x: { label: 'epoch' }, y: { label: 'test accuracy', max: 1 }, series: [{ name: 'test accuracy', x: epoch, y: run.series.testAccuracy ?? [] }] }),
    ],
  };
};

/**
 * The CACE theorem's check: |gap with h, h′ drawn independently| against CACE with a bin per vote level (agreement.ts);
 * blank for results written before both were recorded.
 */
function boundNote(gapWithReplacement: number | null, levelsCace: number | null): string {
  if (gapWithReplacement === null || levelsCace === null) return '';
  return Math.abs(gapWithReplacement) <= levelsCace + 1e-12 ? 'bound holds (gap with h, h′ independent; CACE at the vote levels)' : 'bound VIOLATED: a featurelab bug, please report it';
}

/** The paper's Table 1 (CIFAR-10, ResNet18, 100 models) per source of randomness. */
const GDE_PAPER: Record<string, { error: number; dis: number; gap: number; cace: number; ece: number }> = {
  // gap = disagreement − error, signed as the row's "gap (disagreement − error)" (the paper lists |gap|).
  AllDiff: { error: 0.336, dis: 0.348, gap: 0.012, cace: 0.044, ece: 0.020 },
  DiffInit: { error: 0.337, dis: 0.307, gap: -0.030, cace: 0.098, ece: 0.036 },
  DiffOrder: { error: 0.335, dis: 0.302, gap: -0.033, cace: 0.101, ece: 0.041 },
};

/** GDE: per-pair disagreement vs error with y = x, the calibration diagram, the numbers beside the paper's. */
export const gdeSection: SectionRenderer = (run) => {
  const s = run.summary;
  const variant = String(s.variant ?? run.config.variant ?? '');
  const paper = GDE_PAPER[variant];
  const ref = (v: number | undefined) => (v === undefined ? '' : `paper (CIFAR-10, ${variant}): ${fmt(v)}`);
  const dis = nums(run.series, 'pairDisagreement');
  const err = nums(run.series, 'pairMeanError');
  const both = [...dis, ...err].filter((v): v is number => v !== null);
  const lo = both.length ? Math.min(...both) : 0;
  const hi = both.length ? Math.max(...both) : 1;
  const pad = (hi - lo) * 0.1 || 0.01;
  const axis = { min: Math.max(0, lo - pad), max: hi + pad };
  const conf = nums(run.series, 'caceBinConfidence');
  const acc = nums(run.series, 'caceBinAccuracy');
  const count = nums(run.series, 'caceBinCount');
  const lower = nums(run.series, 'caceBinLower');
  const gap = num(s, 'gap');
  const cace = num(s, 'cace');
  const withReplacement = num(s, 'gapWithReplacement');
  const levelsCace = num(s, 'caceAtVoteLevels');
  return {
    title: 'Generalization disagreement equality and calibration',
    measured: 'M networks trained with different randomness on the same task: mean test error against mean pairwise disagreement (which needs no labels; GDE says they are equal when the ensemble is class-wise calibrated), the hard-vote ensemble\'s class-aggregated calibration error CACE, which bounds their gap, and its ECE (Jiang et al., ICLR 2022).',
    keys: [
      { name: 'models', value: num(s, 'models'), note: `randomness: ${variant}` },
      { name: 'mean test error', value: num(s, 'meanTestError'), expected: ref(paper?.error) },
      { name: 'mean disagreement', value: num(s, 'meanDisagreement'), expected: `≈ mean test error (GDE); ${ref(paper?.dis)}`, note: `bootstrap interval ${fmt(nums(s, 'disagreementInterval')[0] ?? null)} – ${fmt(nums(s, 'disagreementInterval')[1] ?? null)}` },
      { name: 'gap (disagreement − error)', value: gap, expected: ref(paper?.gap), note: 'over distinct pairs (the spec\'s gap)' },
      { name: 'theorem |E[dis] − E[err]| ≤ CACE: E[dis] − E[err] (h, h′ independent) and CACE at the vote levels', value: [withReplacement, levelsCace], note: boundNote(withReplacement, levelsCace) },
      { name: 'CACE', value: cace, expected: ref(paper?.cace), note: `2-model ensemble: ${fmt(num(s, 'twoModelCace'))}` },
      { name: 'ECE (hard-vote ensemble)', value: num(s, 'ece'), expected: ref(paper?.ece), note: `mean single-model softmax ECE: ${fmt(num(s, 'meanModelEce'))}` },
      { name: 'identity check |E dis − M/(M−1)·E Σ h̄(1 − h̄)|', value: num(s, 'identityError'), expected: '0 (exact identity)' },
      { name: 'mean train accuracy', value: num(s, 'meanTrainAccuracy'), expected: '≈ 1 (GDE needs fitted models)', note: `mean epochs ${fmt(num(s, 'meanEpochs'))}` },
    ],
    plots: [
      scatterPlot({
        title: 'disagreement vs test error, per pair of models',
        x: { label: 'mean test error of the pair', ...axis },
        y: { label: 'disagreement of the pair', ...axis },
        series: [{ name: 'model pairs', x: err, y: dis }],
        reference: { slope: 1, intercept: 0, label: 'y = x (GDE)' },
      }),
      linePlot({
        title: 'calibration of the hard-vote ensemble (class-aggregated)',
        x: { label: 'confidence h̄[n][k] (bin mean)', min: 0, max: 1 },
        y: { label: 'accuracy: fraction with y = k', min: 0, max: 1 },
        series: [{ name: 'ensemble', x: conf, y: acc }],
        reference: { slope: 1, intercept: 0, label: 'y = x (calibrated)' },
      }),
      barChart({
        title: 'entries per confidence bin',
        x: { label: 'bin (lower edge of h̄)' },
        y: { label: '(point, class) entries', log: true },
        categories: lower.map((v) => fmt(v)),
        groups: [{ name: 'entries', values: count }],
      }),
      barChart({
        title: 'test error per model',
        x: { label: 'model' },
        y: { label: 'test error' },
        categories: indices(nums(run.series, 'testError').length).map(String),
        groups: [{ name: 'test error', values: nums(run.series, 'testError') }],
      }),
    ],
  };
};

/** The interaction tensor: observation checks with their paper signs, frequency histograms, merged-class GDE. */
export const interactionTensorSection: SectionRenderer = (run) => {
  const s = run.summary;
  const merged = rec(s, 'merged');
  const sign = (v: number | null, want: 'negative' | 'positive') => (v === null ? '' : v === 0 ? 'zero: no sign to compare' : (v < 0) === (want === 'negative') ? 'same sign as the paper' : 'opposite sign to the paper');
  const rho1 = num(s, 'spearmanConfidenceFeatures');
  const rho2 = num(s, 'spearmanFrequencyAdoption');
  const rho3 = num(s, 'sharedFeaturesAgreementCorrelation');
  const tenths = indices(11).map((i) => String(i / 10));
  const hists = [
    { name: 'trained', values: nums(run.series, 'frequencyHistogram') },
    { name: 'after one epoch', values: nums(run.series, 'oneEpochFrequencyHistogram') },
    { name: 'untrained', values: nums(run.series, 'untrainedFrequencyHistogram') },
  ].filter((h) => h.values.length > 0);
  const sensitivity = recs(s, 'sensitivity');
  const framework = recs(s, 'framework');
  const freq = nums(run.series, 'frequency');
  const adoption = nums(run.series, 'adoption');
  const n = num(run.config, 'testSize');
  const byComponent = nums(run.series, 'confidenceSpearmanByComponent');
  const share = nums(run.series, 'presenceShareByComponent');
  const byClass = nums(run.series, 'confidenceSpearmanByClass');
  const distinct = num(run.details, 'spearmanConfidenceDistinctFeatures');
  const pValue = num(s, 'sharedFeaturesAgreementPValue');
  const jackknife = num(s, 'sharedFeaturesAgreementJackknifeSE');
  const skew = num(s, 'frequencySkewness');
  const untrainedSkew = num(s, 'untrainedFrequencySkewness');
  const unitNorm = run.config?.unitNorm === true;
  const qCorr = num(run.config, 'qCorr');
  const qData = num(run.config, 'qData');
  const percentiles = qCorr === null || qData === null ? ''
    : ` Correlation threshold at the ${fmt(qCorr)}th percentile, presence at the ${fmt(qData)}th${qCorr === 90 && qData === 90 ? ' (as in the paper)' : ' (the paper: both at the 90th)'}.`;
  return {
    title: 'Interaction tensor: models × data × features',
    measured: `Features of an MLP ensemble found by clustering the PCA directions of every model's last hidden layer; the tensor of which model learned which feature and where it is present gives the paper's observation checks (signs), the feature-frequency histogram and GDE with classes merged 10 → 2 (Jiang, Baek, Kolter, ICLR 2024).${percentiles}${unitNorm ? " Each point's activations were divided by their norm before the PCA (unitNorm, ours, not in the spec)." : ''}`,
    keys: [
      { name: 'models / features T', value: [num(s, 'models'), num(s, 'features')], note: `untrained models: ${fmt(num(s, 'untrainedFeatures'))} features; after one epoch: ${fmt(num(s, 'oneEpochFeatures'))}` },
      { name: 'Spearman(confidence, features per point)', value: rho1, expected: 'negative (paper)', note: [sign(rho1, 'negative'), distinct === null ? '' : `each shared feature counted once per point: ${fmt(distinct)}`].filter((x) => x).join('; ') },
      { name: 'Spearman(frequency, adoption)', value: rho2, expected: 'positive (paper)', note: sign(rho2, 'positive') },
      { name: 'corr(shared features, agreement) over pairs', value: rho3, expected: 'positive (paper)', note: [sign(rho3, 'positive'), pValue === null ? '' : `Mantel permutation p = ${fmt(pValue)}${pValue < 0.05 ? '' : ': not distinguishable from no correlation'}`, jackknife === null ? '' : `jackknife standard error over the models ${fmt(jackknife)}`].filter((x) => x).join('; ') },
      { name: 'frequency histogram skewness', value: skew, expected: 'positive: long-tailed, untrained heavier (paper)', note: [skew === null ? '' : skew > 0 ? 'long right tail' : 'no long right tail', untrainedSkew === null ? '' : `untrained models: ${fmt(untrainedSkew)}`].filter((x) => x).join('; ') },
      { name: 'merged 10 → 2 classes: gap (dis − err)', value: num(merged, 'gap'), expected: 'GDE kept (gap ≈ 0)', note: `CACE ${fmt(num(merged, 'cace'))}; 10-class gap ${fmt(num(merged, 'fullGap'))}` },
      { name: 'merged 10 → 2, theorem: E[dis] − E[err] (h, h′ independent) and CACE at the vote levels', value: [num(merged, 'gapWithReplacement'), num(merged, 'caceAtVoteLevels')], note: boundNote(num(merged, 'gapWithReplacement'), num(merged, 'caceAtVoteLevels')) },
    ],
    plots: [
      barChart({
        title: 'feature frequency histogram',
        x: { label: 'fraction of test points where some model sees it (bin lower edges)' },
        y: { label: 'features' },
        categories: tenths,
        groups: hists,
      }),
      scatterPlot({
        title: 'adoption vs frequency, per feature',
        x: { label: `frequency: points with the feature${n === null ? '' : ` (of ${fmt(n)})`}` },
        y: { label: 'adoption: models that learned it' },
        series: [{ name: 'features', x: freq, y: adoption }],
      }),
      ...(byComponent.length ? [barChart({
        title: 'Spearman(confidence, presence) per component',
        x: { label: `principal component (1 … ${Math.min(9, byComponent.length)}: the class-mean directions)` },
        y: { label: 'mean over models' },
        categories: byComponent.map((_, a) => String(a + 1)),
        groups: [{ name: 'Spearman(confidence, presence)', values: byComponent }, ...(share.length === byComponent.length ? [{ name: 'share of presences', values: share }] : [])],
      })] : []),
      ...(byClass.length ? [barChart({
        title: 'Spearman(confidence, features per point) within each class',
        x: { label: 'class' },
        y: { label: 'Spearman over its points' },
        categories: byClass.map((_, c) => String(c)),
        groups: [{ name: 'within the class', values: byClass }],
      })] : []),
      ...(sensitivity.length ? [linePlot({
        title: 'sensitivity to the correlation threshold',
        x: { label: 'q_corr (percentile)' },
        y: { label: 'statistic' },
        series: ([['spearmanConfidenceFeatures', 'Spearman(confidence, features per point)'], ['spearmanFrequencyAdoption', 'Spearman(frequency, adoption)'], ['sharedFeaturesAgreementCorrelation', 'corr(shared features, agreement)']] as const)
          .map(([k, name]) => ({ name, x: sensitivity.map((r) => num(r, 'qCorr')), y: sensitivity.map((r) => num(r, k)) })),
        hlines: [{ at: 0, label: 'zero' }],
      })] : []),
    ],
    extra: framework.length ? `<h3>Simulation of the feature framework (not the paper's closed form)</h3>${table(['change', 'the spec', 'accuracy', 'agreement', 'agreement − accuracy', 'corr(shared features, agreement) over its pairs'], framework.map((r) => [String(r.change ?? ''), String(r.expected ?? ''), num(r, 'accuracy'), num(r, 'agreement'), (num(r, 'agreement') ?? NaN) - (num(r, 'accuracy') ?? NaN), num(r, 'sharedAgreementCorrelation')]))}` : '',
  };
};
