// rliable's aggregate metrics on scores grouped by task, tasks with their own numbers of runs.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/rng";
import { aggregateMetrics, aggregateMetricsByTask, iqm } from "../../src/stats";

const transpose = (m: number[][]): number[][] => m[0].map((_, t) => m.map((row) => row[t]));

describe("aggregateMetricsByTask", () => {
  it("equals aggregateMetrics on rectangular inputs, intervals included", () => {
    const rng = new Rng(2);
    const scores = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => rng.normal(0.5, 0.3)));
    const opts = { seed: 9, resamples: 400, purpose: "stats/aggregates/a" };
    const a = aggregateMetricsByTask(transpose(scores), opts);
    const b = aggregateMetrics(scores, opts);
    for (const k of ["mean", "median", "iqm", "optimalityGap"] as const) {
      expect(a[k].point, k).toBeCloseTo(b[k].point, 12);
      expect(a[k].lower, k).toBeCloseTo(b[k].lower, 12);
      expect(a[k].upper, k).toBeCloseTo(b[k].upper, 12);
    }
  });

  it("weighs every task the same when run counts differ", () => {
    // Task A: 3 runs, task B: 2 runs. Each run of A counts 2, each of B 3 (6 each task): the IQM is
    // trim_mean of 0 0 1 1 2 2 10 10 10 20 20 20, i.e. the mean of 1 2 2 10 10 10.
    const byTask = [
      [0, 1, 2],
      [10, 20],
    ];
    const r = aggregateMetricsByTask(byTask, { seed: 1, resamples: 50 });
    expect(r.iqm.point).toBeCloseTo(35 / 6, 14);
    expect(r.iqm.point).toBeCloseTo(iqm([0, 0, 1, 1, 2, 2, 10, 10, 10, 20, 20, 20]), 14);
    expect(r.mean.point).toBeCloseTo(8, 14); // (1 + 15) / 2
    expect(r.median.point).toBeCloseTo(8, 14);
    expect(r.optimalityGap.point).toBeCloseTo((1 / 3 + 0) / 2, 14); // γ = 1: A falls short by 1, 0, 0
    const g = aggregateMetricsByTask(byTask, { seed: 1, resamples: 50, gamma: 15 });
    expect(g.optimalityGap.point).toBeCloseTo((14 + 2.5) / 2, 14); // A: 15, 14, 13; B: 5, 0
    for (const k of ["mean", "median", "iqm", "optimalityGap"] as const) {
      expect(r[k].lower).toBeLessThanOrEqual(r[k].point + 1e-12);
      expect(r[k].upper).toBeGreaterThanOrEqual(r[k].point - 1e-12);
    }
  });

  it("rejects bad input", () => {
    expect(() => aggregateMetricsByTask([[1], []], { seed: 1 })).toThrow(
      "aggregateMetricsByTask: scores must be a non-empty [tasks][runs] list of finite numbers, every task with at least one run; got 0 runs in scores[1]",
    );
    expect(() => aggregateMetricsByTask([[1]], { seed: 1, gamma: Number.NaN })).toThrow(
      "aggregateMetricsByTask: options.gamma must be a finite number; got NaN",
    );
  });
});
