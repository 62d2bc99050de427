// Statistics for comparing RL agents over few runs: the methods of Agarwal et al. 2021, "Deep RL at
// the Edge of the Statistical Precipice" (the `rliable` library). A score matrix is number[][] of
// shape [runs][tasks] (runs are seeds, tasks are envs), one per agent, normally on normalized scores;
// the `…ByTask` variants take [tasks][runs] lists, for experiments with fewer seeds on some envs.
// Imports nothing but the project's seeded Rng: no TF.js.

export {
  aggregateMetrics,
  aggregateMetricsByTask,
  type BootstrapInfo,
  bootstrapRng,
  curveIntervals,
  type Interval,
  intervalPurpose,
  linspace,
  percentileOfSorted,
  performanceProfile,
  performanceProfileByTask,
  probabilityOfImprovement,
  probabilityOfImprovementByTask,
  stratifiedBootstrapCI,
  stratifiedResample,
  stratifiedResampleByTask,
} from "./bootstrap";
export {
  BOOTSTRAP_STREAM,
  type BootstrapOptions,
  DEFAULT_CONFIDENCE,
  DEFAULT_PROFILE_RESAMPLES,
  DEFAULT_RESAMPLES,
} from "./check";
export {
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  aggregateOptimalityGap,
  flatten,
  improvementProbability,
  iqm,
  mean,
  median,
  normalizeScore,
  normalizeScores,
  optimalityGap,
  taskMeans,
} from "./estimators";
export { MANN_WHITNEY_MAX_PAIRS, type MannWhitneyResult, mannWhitneyTest } from "./mann_whitney";
