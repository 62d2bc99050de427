// Point estimators of Agarwal et al. 2021 ("Deep RL at the Edge of the Statistical Precipice"),
// as rliable's `metrics.py` defines them: on a vector of scores, and aggregated over a score matrix
// [runs][tasks] (one matrix per agent; runs are seeds, tasks are envs).
import { checkFinite, checkMatrix, checkVector } from "./check";

/** Sum with Neumaier's compensation (bootstrap statistics add many numbers of similar size). */
function sum(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** A sorted copy (ascending). */
function sorted(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  checkVector("mean", "xs", xs);
  return sum(xs) / xs.length;
}

/** Median (the mean of the two middle values when the length is even), as `numpy.median`. */
export function median(xs: readonly number[]): number {
  checkVector("median", "xs", xs);
  return medianOfSorted(sorted(xs));
}

function medianOfSorted(s: Float64Array): number {
  const n = s.length;
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Interquartile mean: the mean of the middle 50 %, exactly as `scipy.stats.trim_mean(xs, 0.25)`:
 * it sorts, cuts `floor(0.25·n)` values from each end and averages the rest (so for n < 4 nothing is
 * cut, and for n = 5 the middle three are averaged).
 */
export function iqm(xs: readonly number[]): number {
  checkVector("iqm", "xs", xs);
  return trimmedMeanOfSorted(sorted(xs), 0.25);
}

/** scipy's trim_mean on sorted data: cut int(p·n) from each end. */
function trimmedMeanOfSorted(s: Float64Array, proportion: number): number {
  const n = s.length;
  const cut = Math.floor(proportion * n);
  return sum(s, cut, n - cut) / (n - 2 * cut);
}

/**
 * Optimality gap: how far the scores fall short of `gamma`, on average — the mean of
 * `max(gamma − x, 0)` over normalized scores (rliable's `gamma − mean(min(x, gamma))`).
 */
export function optimalityGap(xs: readonly number[], gamma = 1): number {
  checkVector("optimalityGap", "xs", xs);
  checkFinite("optimalityGap", "gamma", gamma);
  return optimalityGapOf(xs, gamma);
}

function optimalityGapOf(xs: ArrayLike<number>, gamma: number): number {
  const shortfalls = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) shortfalls[i] = Math.max(gamma - xs[i], 0);
  return sum(shortfalls) / xs.length;
}

/**
 * A raw score on the scale where a random policy scores 0 and `maxScore` (a reference: the best
 * possible return, or a human's) scores 1: `(raw − randomScore) / (maxScore − randomScore)`.
 */
export function normalizeScore(raw: number, randomScore: number, maxScore: number): number {
  checkFinite("normalizeScore", "raw", raw);
  checkFinite("normalizeScore", "randomScore", randomScore);
  checkFinite("normalizeScore", "maxScore", maxScore);
  if (maxScore === randomScore) {
    throw new Error(`normalizeScore: maxScore must differ from randomScore; got ${maxScore} for both`);
  }
  return (raw - randomScore) / (maxScore - randomScore);
}

/** Normalizes a whole score matrix [runs][tasks] with one (random, max) reference per task. */
export function normalizeScores(
  scores: readonly (readonly number[])[],
  randomScores: readonly number[],
  maxScores: readonly number[],
): number[][] {
  checkMatrix("normalizeScores", "scores", scores);
  checkVector("normalizeScores", "randomScores", randomScores);
  checkVector("normalizeScores", "maxScores", maxScores);
  const tasks = scores[0].length;
  for (const [name, refs] of [
    ["randomScores", randomScores],
    ["maxScores", maxScores],
  ] as const) {
    if (refs.length !== tasks) {
      throw new Error(`normalizeScores: ${name} must have one entry per task (${tasks}); got ${refs.length}`);
    }
  }
  return scores.map((row) => row.map((raw, t) => normalizeScore(raw, randomScores[t], maxScores[t])));
}

/** The matrix's entries in one array, run by run. */
export function flatten(scores: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const row of scores) for (const v of row) out.push(v);
  return out;
}

/** Each task's mean over runs. */
export function taskMeans(scores: readonly (readonly number[])[]): number[] {
  checkMatrix("taskMeans", "scores", scores);
  return taskMeansOf(scores);
}

function taskMeansOf(scores: readonly (readonly number[])[]): number[] {
  const runs = scores.length;
  const tasks = scores[0].length;
  const column = new Float64Array(runs);
  const out: number[] = new Array(tasks);
  for (let t = 0; t < tasks; t++) {
    for (let r = 0; r < runs; r++) column[r] = scores[r][t];
    out[t] = sum(column) / runs;
  }
  return out;
}

/** rliable's `aggregate_mean`: the mean over tasks of each task's mean over runs. */
export function aggregateMean(scores: readonly (readonly number[])[]): number {
  checkMatrix("aggregateMean", "scores", scores);
  const means = taskMeansOf(scores);
  return sum(means) / means.length;
}

/** rliable's `aggregate_median`: the median over tasks of each task's mean over runs. */
export function aggregateMedian(scores: readonly (readonly number[])[]): number {
  checkMatrix("aggregateMedian", "scores", scores);
  return medianOfSorted(sorted(taskMeansOf(scores)));
}

/** rliable's `aggregate_iqm`: the IQM of all runs × tasks together. */
export function aggregateIqm(scores: readonly (readonly number[])[]): number {
  checkMatrix("aggregateIqm", "scores", scores);
  return trimmedMeanOfSorted(sorted(flatten(scores)), 0.25);
}

/** rliable's `aggregate_optimality_gap`: the optimality gap of all runs × tasks together. */
export function aggregateOptimalityGap(scores: readonly (readonly number[])[], gamma = 1): number {
  checkMatrix("aggregateOptimalityGap", "scores", scores);
  checkFinite("aggregateOptimalityGap", "gamma", gamma);
  return optimalityGapOf(flatten(scores), gamma);
}

/** Fraction of entries of `xs` strictly greater than `tau`, for sorted `xs`. */
export function fractionAboveSorted(xs: ArrayLike<number>, tau: number): number {
  // First index whose value is > tau.
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] > tau) hi = mid;
    else lo = mid + 1;
  }
  return (xs.length - lo) / xs.length;
}

/**
 * P(X > Y) for one task: the Mann–Whitney U statistic of X over Y divided by n·m, a tie counting ½.
 * `ySorted` must be sorted ascending.
 */
export function improvementProbabilitySorted(x: ArrayLike<number>, ySorted: ArrayLike<number>): number {
  const m = ySorted.length;
  let u = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // below = #{y < v}, notAbove = #{y <= v}
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ySorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const below = lo;
    hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ySorted[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    u += below + (lo - below) / 2;
  }
  return u / (x.length * m);
}

/**
 * rliable's `probability_of_improvement` without a CI: P(X_t > Y_t) per task t (Mann–Whitney U / (n·m),
 * ties ½), averaged over tasks. X and Y may have different numbers of runs, not of tasks.
 */
export function improvementProbability(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
): number {
  checkMatrix("improvementProbability", "x", x);
  checkMatrix("improvementProbability", "y", y);
  checkSameTasks("improvementProbability", x, y);
  return improvementProbabilityOf(x, y);
}

export function checkSameTasks(
  fn: string,
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
): void {
  if (x[0].length !== y[0].length) {
    throw new Error(
      `${fn}: x and y must have the same number of tasks; got ${x[0].length} and ${y[0].length}`,
    );
  }
}

export function improvementProbabilityOf(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
): number {
  const tasks = x[0].length;
  const xs = new Float64Array(x.length);
  const ys = new Float64Array(y.length);
  let total = 0;
  for (let t = 0; t < tasks; t++) {
    for (let r = 0; r < x.length; r++) xs[r] = x[r][t];
    for (let r = 0; r < y.length; r++) ys[r] = y[r][t];
    ys.sort();
    total += improvementProbabilitySorted(xs, ys);
  }
  return total / tasks;
}

// Unchecked variants for the bootstrap's inner loop (the data were checked once on entry).
export const unchecked = {
  iqmOfSorted: (s: Float64Array) => trimmedMeanOfSorted(s, 0.25),
  medianOfSorted,
  optimalityGapOf,
  taskMeansOf,
  sum,
  sorted,
};
