/**
 * The metrics of the public library (re-exported by src/index.ts): the functions a researcher calls on arrays
 * of predictions, activations or weights. Helpers the modules share (checks, popcount, the Möbius adjoint,
 * angle wrapping) stay internal. The irrep metrics need a group: src/index.ts exports them with src/groups.
 */
export { bootstrapDisagreement, disagreementFromVotes, disagreementMatrix, gde, hardVote, testErrors } from './agreement.js';
export type { BootstrapOptions, GdeSummary } from './agreement.js';
export { cace, caceAtVoteLevels, topLabelEce } from './calibration.js';
export type { Calibration, CalibrationBin } from './calibration.js';
export {
  clusterFeatures, correlationThresholds, crossCorrelations, crossCorrelationsAsync, interactionTensor, omegaEntry, omegaOnes, pcaFeatures, pearson, percentile, presence, rowNorms, spearman,
  tensorStatistics, unitRows,
} from './interactionTensor.js';
export { componentPresence, confidenceSpearmanByClass, frequencyByAdoption, leaveOneModelOut, pairCorrelationTest, residualCorrelation, skewness } from './interactionDiagnostics.js';
export type { InteractionTensor, TensorStatistics } from './interactionTensor.js';
export type { AdoptionFrequency, ComponentPresence, LeaveOneModelOut, PairCorrelationTest } from './interactionDiagnostics.js';
export { andOrInteractions, andOrSplit, matchingResidual, meanSalientOrder, mobius, salientOrders } from './harsanyi.js';
export type { AndOrSplit, AndOrSplitOptions, OrderDistribution } from './harsanyi.js';
export {
  analyzeFeatureMap, centredKernelAlignment, classifyRegime, diagonalizeFeatureMap, dLR, eigenfunctions, featureRegime, nc1, piHat, piStar,
  principalAngles, rhoGap, spectrumCount, spectrumRatios, topSubspace, topSubspaceAngles,
} from './featureMap.js';
export type {
  AnalyzeOptions, DiagonalizationRoute, DiagonalizeOptions, FeatureMapDiagonalization, FeatureMapSummary, HostMatrix, RcondOptions, RegimeOptions,
  RegimeResult,
} from './featureMap.js';
export { fourierBasis, fourierCoefficients, fourierPhase, fourierPower, neuronFrequencies, normalizedPower } from './fourier.js';
export type { FrequencySummary, NeuronFrequencyInfo, NeuronFrequencyOptions, NeuronFrequencyReport } from './fourier.js';
export { exampleMargins, gammaStarGroup, gammaStarModularAddition, gammaStarParity, normalizedMargin, normNu } from './margin.js';
export type { NeuronRows } from './margin.js';
export {
  featureAlignment, gammaFromCoefficients, gammaRegime, gammaTheory, leaveOneOutErrors, leaveOneOutPredictions, meanAlignment, memorizationCov,
  memorizationCovStdError, predictedMemorization, spuriousAccuracy, testAccuracy,
} from './memorization.js';
export type { FeatureKind, GammaRegime, GammaTheoryOptions } from './memorization.js';
export { supportMass } from './parity.js';
export type { SupportMassOptions, SupportMassResult } from './parity.js';
export { excludedLoss, keyFrequencies, keyFrequencyLogits, modularAdditionLoss, restrictedLoss } from './nanda.js';
export type { KeyFrequencyOptions, KeyFrequencyReport, ModularLossOptions, NeuronKeyFrequency } from './nanda.js';
