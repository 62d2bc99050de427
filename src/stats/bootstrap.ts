// Stratified bootstrap confidence intervals (Agarwal et al. 2021, rliable's `library.py`): runs are
// resampled with replacement within each task, never across tasks, and the interval is the
// percentile interval of the statistic over the resamples (numpy's linear percentile, as `arch`).
//
// Random streams: each call draws its resamples from `new Rng(deriveSeed(seed, purpose))`, where
// `purpose` (options.purpose) names what the interval estimates, e.g. "stats/iqm/ppo/CartPole-v1"
// (see {@link intervalPurpose}). Calls with the same data, seed and purpose give the same interval;
// calls with different purposes draw different resample indices, so the intervals of two agents on
// one env (same number of runs) are not correlated by construction, as they would be if every call
// restarted one stream.
import { deriveSeed, Rng } from "../core/rng";
import {
  iqmByTaskOf,
  meanByTaskOf,
  medianByTaskOf,
  optimalityGapByTaskOf,
  runsLcm,
} from "./by_task_estimators";
import {
  BOOTSTRAP_STREAM,
  type BootstrapOptions,
  checkByTask,
  checkFinite,
  checkMatrix,
  checkVector,
  DEFAULT_PROFILE_RESAMPLES,
  type ResolvedBootstrapOptions,
  resolveBootstrapOptions,
} from "./check";
import {
  checkSameTasks,
  flatten,
  fractionAboveSorted,
  improvementProbabilitySorted,
  unchecked,
} from "./estimators";

/** A point estimate with its confidence interval. */
export interface Interval {
  point: number;
  lower: number;
  upper: number;
}

/** How an interval was made: enough to make it again. */
export interface BootstrapInfo {
  /** Bootstrap resamples drawn. */
  resamples: number;
  /** Coverage of the percentile interval. */
  confidence: number;
  /** Root seed of the resampling stream. */
  seed: number;
  /** What the interval estimates; the stream is `deriveSeed(seed, purpose)`. */
  purpose: string;
}

/** The resampling stream of a bootstrap with this seed and purpose: `new Rng(deriveSeed(seed, purpose))`. */
export function bootstrapRng(seed: number, purpose: string = BOOTSTRAP_STREAM): Rng {
  return new Rng(deriveSeed(seed, purpose));
}

/**
 * The purpose of an interval: `stats/<statistic>/<part>/<part>…`, each part (an agent id, an env id)
 * URI-encoded so that a "/" inside an id cannot make two intervals' purposes equal.
 * `intervalPurpose("iqm", "ppo", "CartPole-v1")` is `"stats/iqm/ppo/CartPole-v1"`.
 */
export function intervalPurpose(statistic: string, ...parts: string[]): string {
  for (const [i, part] of [statistic, ...parts].entries()) {
    if (typeof part !== "string" || part.length === 0) {
      const arg = i === 0 ? "statistic" : `parts[${i - 1}]`;
      throw new Error(
        `intervalPurpose: ${arg} must be a non-empty string; got ${JSON.stringify(part) ?? String(part)}`,
      );
    }
  }
  return ["stats", statistic, ...parts].map(encodeURIComponent).join("/");
}

/**
 * One stratified resample of a score matrix [runs][tasks]: for each task, as many runs as it has,
 * drawn with replacement from that task's runs only. Draws task by task, run by run.
 */
export function stratifiedResample(scores: readonly (readonly number[])[], rng: Rng): number[][] {
  const runs = scores.length;
  const tasks = scores[0].length;
  const out: number[][] = new Array(runs);
  for (let r = 0; r < runs; r++) out[r] = new Array(tasks);
  for (let t = 0; t < tasks; t++) {
    for (let r = 0; r < runs; r++) out[r][t] = scores[rng.integer(runs)][t];
  }
  return out;
}

/**
 * One stratified resample of scores grouped by task, `[tasks][runs]`, where tasks may have different
 * numbers of runs: each task's runs drawn with replacement from its own. Draws task by task, run by
 * run, so on a rectangular input it equals {@link stratifiedResample} of the transposed matrix.
 */
export function stratifiedResampleByTask(byTask: readonly (readonly number[])[], rng: Rng): number[][] {
  return byTask.map((runs) => {
    const out: number[] = new Array(runs.length);
    for (let r = 0; r < runs.length; r++) out[r] = runs[rng.integer(runs.length)];
    return out;
  });
}

/** numpy's default (linear, "type 7") percentile of sorted samples, q in [0, 1]. */
export function percentileOfSorted(sortedSamples: ArrayLike<number>, q: number): number {
  const n = sortedSamples.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sortedSamples[lo] + (h - lo) * (sortedSamples[hi] - sortedSamples[lo]);
}

/**
 * Runs `resamples` draws of a vector-valued statistic (`dim` values each) and returns the percentile
 * interval of each component.
 */
function percentileBands(
  fn: string,
  opts: ResolvedBootstrapOptions,
  dim: number,
  draw: (rng: Rng) => ArrayLike<number>,
): { lower: number[]; upper: number[] } {
  const rng = bootstrapRng(opts.seed, opts.purpose);
  const samples: Float64Array[] = [];
  for (let d = 0; d < dim; d++) samples.push(new Float64Array(opts.resamples));
  for (let k = 0; k < opts.resamples; k++) {
    const values = draw(rng);
    for (let d = 0; d < dim; d++) {
      const v = values[d];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(
          `${fn}: statistic must return a finite number; got ${String(v)} on bootstrap resample ${k}`,
        );
      }
      samples[d][k] = v;
    }
  }
  const alpha = 1 - opts.confidence;
  const lower: number[] = new Array(dim);
  const upper: number[] = new Array(dim);
  for (let d = 0; d < dim; d++) {
    const s = samples[d].sort();
    lower[d] = percentileOfSorted(s, alpha / 2);
    upper[d] = percentileOfSorted(s, 1 - alpha / 2);
  }
  return { lower, upper };
}

function checkPoint(fn: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${fn}: statistic must return a finite number; got ${String(v)} on the original scores`);
  }
  return v;
}

/**
 * Stratified bootstrap percentile CI of `statistic` over a score matrix [runs][tasks]: runs resampled
 * with replacement within each task. `point` is the statistic of the scores themselves.
 */
export function stratifiedBootstrapCI(
  scores: number[][],
  statistic: (scores: number[][]) => number,
  options: BootstrapOptions,
): Interval & BootstrapInfo {
  const fn = "stratifiedBootstrapCI";
  checkMatrix(fn, "scores", scores);
  if (typeof statistic !== "function") {
    throw new Error(`${fn}: statistic must be a function of a [runs][tasks] matrix; got ${typeof statistic}`);
  }
  const opts = resolveBootstrapOptions(fn, options);
  const point = checkPoint(fn, statistic(scores));
  const { lower, upper } = percentileBands(fn, opts, 1, (rng) => [
    statistic(stratifiedResample(scores, rng)),
  ]);
  return { point, lower: lower[0], upper: upper[0], ...opts };
}

/** The four aggregate metrics of one resample (rliable's definitions). */
function aggregates(scores: readonly (readonly number[])[], gamma: number): [number, number, number, number] {
  const means = unchecked.taskMeansOf(scores);
  const flat = flatten(scores);
  const flatSorted = unchecked.sorted(flat);
  return [
    unchecked.sum(means) / means.length,
    unchecked.medianOfSorted(unchecked.sorted(means)),
    unchecked.iqmOfSorted(flatSorted),
    unchecked.optimalityGapOf(flat, gamma),
  ];
}

/**
 * rliable's `get_interval_estimates` with its four aggregate metrics, each with its stratified
 * bootstrap CI: `mean` and `median` are the mean and median over tasks of the per-task mean scores
 * (`aggregate_mean`, `aggregate_median`); `iqm` and `optimalityGap` pool all runs × tasks
 * (`aggregate_iqm`, `aggregate_optimality_gap`, threshold `gamma`, default 1).
 *
 * All four are computed on the same resamples, and those are the resamples
 * {@link stratifiedBootstrapCI} draws with the same options: each interval here equals
 * `stratifiedBootstrapCI(scores, aggregateX, options)`.
 */
export function aggregateMetrics(
  scores: number[][],
  options: BootstrapOptions & { gamma?: number },
): { mean: Interval; median: Interval; iqm: Interval; optimalityGap: Interval } & BootstrapInfo {
  const fn = "aggregateMetrics";
  checkMatrix(fn, "scores", scores);
  const opts = resolveBootstrapOptions(fn, options);
  const gamma = options.gamma ?? 1;
  checkFinite(fn, "options.gamma", gamma);
  const point = aggregates(scores, gamma);
  const { lower, upper } = percentileBands(fn, opts, 4, (rng) =>
    aggregates(stratifiedResample(scores, rng), gamma),
  );
  const interval = (i: number): Interval => ({ point: point[i], lower: lower[i], upper: upper[i] });
  return { mean: interval(0), median: interval(1), iqm: interval(2), optimalityGap: interval(3), ...opts };
}

/**
 * {@link aggregateMetrics} for scores grouped by task, `[tasks][runs]`, tasks with their own numbers of
 * runs: mean and median over tasks of the task means, and IQM and optimality gap with every task weighing
 * the same (src/stats/by_task_estimators.ts); runs resampled within each task. On rectangular inputs
 * the points equal `aggregateMetrics`' of the transposed matrix and the resamples are the same draws.
 */
export function aggregateMetricsByTask(
  byTask: number[][],
  options: BootstrapOptions & { gamma?: number },
): { mean: Interval; median: Interval; iqm: Interval; optimalityGap: Interval } & BootstrapInfo {
  const fn = "aggregateMetricsByTask";
  checkByTask(fn, "scores", byTask);
  const opts = resolveBootstrapOptions(fn, options);
  const gamma = options.gamma ?? 1;
  checkFinite(fn, "options.gamma", gamma);
  const lcm = runsLcm(byTask);
  if (lcm === undefined) {
    throw new Error(
      `${fn}: the tasks' run counts (${byTask.map((r) => r.length).join(", ")}) have a least common multiple above 1e9; the task-weighted IQM needs a smaller one`,
    );
  }
  const metrics = (s: readonly (readonly number[])[]): number[] => [
    meanByTaskOf(s),
    medianByTaskOf(s),
    iqmByTaskOf(s, lcm),
    optimalityGapByTaskOf(s, gamma),
  ];
  const point = metrics(byTask);
  const { lower, upper } = percentileBands(fn, opts, 4, (rng) =>
    metrics(stratifiedResampleByTask(byTask, rng)),
  );
  const interval = (i: number): Interval => ({ point: point[i], lower: lower[i], upper: upper[i] });
  return { mean: interval(0), median: interval(1), iqm: interval(2), optimalityGap: interval(3), ...opts };
}

/**
 * Probability of improvement P(X > Y): for each task, the Mann–Whitney U statistic of X's runs over Y's
 * divided by n·m (ties count ½), averaged over tasks; with a stratified bootstrap CI in which X and Y are
 * resampled independently, each within each task (rliable's `StratifiedIndependentBootstrap`).
 * X and Y may have different numbers of runs but need the same tasks in the same order.
 */
export function probabilityOfImprovement(
  x: number[][],
  y: number[][],
  options: BootstrapOptions,
): Interval & BootstrapInfo {
  const fn = "probabilityOfImprovement";
  checkMatrix(fn, "x", x);
  checkMatrix(fn, "y", y);
  checkSameTasks(fn, x, y);
  return improvementInterval(fn, transpose(x), transpose(y), options);
}

/** [runs][tasks] → [tasks][runs]. */
function transpose(m: readonly (readonly number[])[]): number[][] {
  return m[0].map((_, t) => m.map((row) => row[t]));
}

/** P(X > Y) of scores grouped by task with its CI: what both `probabilityOfImprovement…` compute. */
function improvementInterval(
  fn: string,
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  options: BootstrapOptions,
): Interval & BootstrapInfo {
  const opts = resolveBootstrapOptions(fn, options);
  const point = improvementByTask(x, y);
  const { lower, upper } = percentileBands(fn, opts, 1, (rng) => {
    const rx = stratifiedResampleByTask(x, rng);
    const ry = stratifiedResampleByTask(y, rng);
    return [improvementByTask(rx, ry)];
  });
  return { point, lower: lower[0], upper: upper[0], ...opts };
}

/** P(X > Y) per task (Mann–Whitney U / (n·m), ties ½), averaged over tasks; inputs `[tasks][runs]`. */
function improvementByTask(x: readonly (readonly number[])[], y: readonly (readonly number[])[]): number {
  let total = 0;
  for (let t = 0; t < x.length; t++) {
    total += improvementProbabilitySorted(x[t], unchecked.sorted(y[t]));
  }
  return total / x.length;
}

/**
 * {@link probabilityOfImprovement} for scores grouped by task, `[tasks][runs]`, where each task may
 * have its own number of runs (an experiment that ran fewer seeds on its costliest envs): P(X > Y) is
 * the Mann–Whitney statistic per task averaged over tasks, each task weighted equally, and the CI
 * resamples X's and Y's runs independently within each task. On rectangular inputs it equals
 * `probabilityOfImprovement` of the transposed matrices, interval included.
 */
export function probabilityOfImprovementByTask(
  x: number[][],
  y: number[][],
  options: BootstrapOptions,
): Interval & BootstrapInfo {
  const fn = "probabilityOfImprovementByTask";
  checkByTask(fn, "x", x);
  checkByTask(fn, "y", y);
  if (x.length !== y.length) {
    throw new Error(`${fn}: x and y must have the same number of tasks; got ${x.length} and ${y.length}`);
  }
  return improvementInterval(fn, x, y, options);
}

function fractionsAbove(scores: readonly (readonly number[])[], thresholds: readonly number[]): number[] {
  const s = unchecked.sorted(flatten(scores));
  return thresholds.map((tau) => fractionAboveSorted(s, tau));
}

/**
 * Performance profile (rliable's run-score distribution): for each threshold τ, the fraction of all
 * runs × tasks whose score is strictly greater than τ, with stratified bootstrap CI bands (pointwise
 * percentile intervals, all thresholds evaluated on the same resamples). 2,000 resamples unless told,
 * as rliable's `create_performance_profile`.
 */
export function performanceProfile(
  scores: number[][],
  thresholds: readonly number[],
  options: BootstrapOptions,
): { thresholds: number[]; fraction: number[]; lower: number[]; upper: number[] } & BootstrapInfo {
  const fn = "performanceProfile";
  checkMatrix(fn, "scores", scores);
  checkVector(fn, "thresholds", thresholds);
  const opts = resolveBootstrapOptions(fn, options, DEFAULT_PROFILE_RESAMPLES);
  const fraction = fractionsAbove(scores, thresholds);
  const { lower, upper } = percentileBands(fn, opts, thresholds.length, (rng) =>
    fractionsAbove(stratifiedResample(scores, rng), thresholds),
  );
  return { thresholds: [...thresholds], fraction, lower, upper, ...opts };
}

/** Per threshold: the mean over tasks of the fraction of that task's runs strictly above it. */
function fractionsAboveByTask(
  byTask: readonly (readonly number[])[],
  thresholds: readonly number[],
): number[] {
  const sortedTasks = byTask.map((runs) => unchecked.sorted(runs));
  return thresholds.map(
    (tau) => sortedTasks.reduce((sum, s) => sum + fractionAboveSorted(s, tau), 0) / sortedTasks.length,
  );
}

/**
 * {@link performanceProfile} for scores grouped by task, `[tasks][runs]`, tasks with their own numbers
 * of runs: at each threshold, the mean over tasks of the fraction of the task's runs above it (each
 * task weighted equally, which on rectangular inputs is the fraction of all runs × tasks).
 */
export function performanceProfileByTask(
  byTask: number[][],
  thresholds: readonly number[],
  options: BootstrapOptions,
): { thresholds: number[]; fraction: number[]; lower: number[]; upper: number[] } & BootstrapInfo {
  const fn = "performanceProfileByTask";
  checkByTask(fn, "scores", byTask);
  checkVector(fn, "thresholds", thresholds);
  const opts = resolveBootstrapOptions(fn, options, DEFAULT_PROFILE_RESAMPLES);
  const fraction = fractionsAboveByTask(byTask, thresholds);
  const { lower, upper } = percentileBands(fn, opts, thresholds.length, (rng) =>
    fractionsAboveByTask(stratifiedResampleByTask(byTask, rng), thresholds),
  );
  return { thresholds: [...thresholds], fraction, lower, upper, ...opts };
}

/** Evenly spaced thresholds from `low` to `high` inclusive (rliable's `np.linspace` grids for profiles). */
export function linspace(low: number, high: number, count: number): number[] {
  checkFinite("linspace", "low", low);
  checkFinite("linspace", "high", high);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`linspace: count must be a positive integer; got ${String(count)}`);
  }
  if (count === 1) return [low];
  const step = (high - low) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? high : low + i * step));
}

/**
 * Learning curves of one agent on one env, curves[run][point] on a shared x grid: at each point the
 * IQM over runs (or `options.statistic`), with a pointwise percentile CI.
 *
 * A resample draws `runs` run indices with replacement and takes each drawn run's whole curve, so all
 * points of one resample come from the same runs. rliable does not: for a runs × tasks × frames array,
 * its `StratifiedBootstrap` draws an independent run index for every (run, task, frame) entry
 * (`np.random.choice(num_runs, array_shape)`), i.e. an independent run per point. At any one point both
 * draw `runs` runs with replacement, so each point's interval has the same distribution either way;
 * only the joint behaviour across points (one resample's band shape) differs.
 */
export function curveIntervals(
  curves: number[][],
  options: BootstrapOptions & { statistic?: (xs: readonly number[]) => number },
): { point: number[]; lower: number[]; upper: number[] } & BootstrapInfo {
  const fn = "curveIntervals";
  checkMatrix(fn, "curves", curves, "runs", "points");
  const opts = resolveBootstrapOptions(fn, options);
  const custom = options.statistic;
  if (custom !== undefined && typeof custom !== "function") {
    throw new Error(`${fn}: options.statistic must be a function of a number[]; got ${typeof custom}`);
  }
  const runs = curves.length;
  const points = curves[0].length;
  const column = new Float64Array(runs);
  const perPoint = (rows: readonly (readonly number[])[]): number[] => {
    const out: number[] = new Array(points);
    for (let p = 0; p < points; p++) {
      for (let r = 0; r < runs; r++) column[r] = rows[r][p];
      out[p] = custom ? custom(Array.from(column)) : unchecked.iqmOfSorted(column.sort());
    }
    return out;
  };
  const point = perPoint(curves).map((v) => checkPoint(fn, v));
  const rows: (readonly number[])[] = new Array(runs);
  const { lower, upper } = percentileBands(fn, opts, points, (rng) => {
    for (let r = 0; r < runs; r++) rows[r] = curves[rng.integer(runs)];
    return perPoint(rows);
  });
  return { point, lower, upper, ...opts };
}
