// rliable's four aggregate metrics for scores grouped by task, `[tasks][runs]`, where tasks may have
// different numbers of runs (an experiment with fewer seeds on its costliest envs). Each task weighs the
// same, as in performanceProfileByTask; on a rectangular input each equals rliable's metric.
import { unchecked } from "./estimators";

/** Largest least common multiple of the tasks' run counts accepted (the IQM's integer weights). */
const MAX_LCM = 1e9;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of the tasks' run counts, or undefined past {@link MAX_LCM}. */
export function runsLcm(byTask: readonly (readonly number[])[]): number | undefined {
  let l = 1;
  for (const runs of byTask) {
    l = (l / gcd(l, runs.length)) * runs.length;
    if (l > MAX_LCM) return undefined;
  }
  return l;
}

/** Mean over tasks of each task's mean (rliable's `aggregate_mean`). */
export function meanByTaskOf(byTask: readonly (readonly number[])[]): number {
  return unchecked.sum(taskMeans(byTask)) / byTask.length;
}

/** Median over tasks of each task's mean (rliable's `aggregate_median`). */
export function medianByTaskOf(byTask: readonly (readonly number[])[]): number {
  return unchecked.medianOfSorted(unchecked.sorted(taskMeans(byTask)));
}

function taskMeans(byTask: readonly (readonly number[])[]): number[] {
  return byTask.map((runs) => unchecked.sum(runs) / runs.length);
}

/**
 * IQM with every task weighing the same: scipy's `trim_mean(·, 0.25)` of the runs of all tasks after each
 * task's runs are repeated until every task has `lcm` runs (`lcm` a common multiple of the run counts),
 * computed with integer weights instead of copies. With equal run counts it is rliable's
 * `aggregate_iqm` (all runs × tasks pooled).
 */
export function iqmByTaskOf(byTask: readonly (readonly number[])[], lcm: number): number {
  const items: { v: number; w: number }[] = [];
  for (const runs of byTask) for (const v of runs) items.push({ v, w: lcm / runs.length });
  items.sort((a, b) => a.v - b.v);
  const total = byTask.length * lcm;
  const cut = Math.floor(0.25 * total);
  let sum = 0;
  let before = 0;
  for (const { v, w } of items) {
    // The part of this item's weight inside [cut, total − cut).
    const inside = Math.min(before + w, total - cut) - Math.max(before, cut);
    if (inside > 0) sum += inside * v;
    before += w;
  }
  return sum / (total - 2 * cut);
}

/**
 * Optimality gap with every task weighing the same: the mean over tasks of each task's mean shortfall
 * `max(gamma − x, 0)`. With equal run counts it is rliable's `aggregate_optimality_gap`.
 */
export function optimalityGapByTaskOf(byTask: readonly (readonly number[])[], gamma: number): number {
  const gaps = byTask.map((runs) => unchecked.optimalityGapOf(runs, gamma));
  return unchecked.sum(gaps) / byTask.length;
}
