import { describe, expect, it } from "vitest";
import { deriveSeed, Rng } from "../../src/core/rng";
import {
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  aggregateMetrics,
  aggregateOptimalityGap,
  bootstrapRng,
  curveIntervals,
  performanceProfile,
  probabilityOfImprovement,
  stratifiedBootstrapCI,
  stratifiedResample,
} from "../../src/stats";

/** A [runs][tasks] matrix of normal draws. */
function draws(seed: number, runs: number, tasks: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: runs }, () => Array.from({ length: tasks }, () => rng.normal(0, 1)));
}

const columnMean = (m: number[][]): number => {
  let s = 0;
  for (const row of m) s += row[0];
  return s / m.length;
};

describe("stratifiedBootstrapCI", () => {
  const scores = draws(1, 10, 3);

  it("point is the statistic of the data; lower ≤ point ≤ upper; options echoed with defaults", () => {
    const ci = stratifiedBootstrapCI(scores, aggregateMean, { seed: 7, resamples: 300 });
    expect(ci.point).toBe(aggregateMean(scores));
    expect(ci.lower).toBeLessThan(ci.point);
    expect(ci.upper).toBeGreaterThan(ci.point);
    expect(ci).toMatchObject({ resamples: 300, confidence: 0.95, seed: 7, purpose: "stats/bootstrap" });
    expect(stratifiedBootstrapCI([[1]], () => 0, { seed: 1, resamples: 2 }).resamples).toBe(2);
    // rliable's defaults: get_interval_estimates 50,000 resamples, create_performance_profile 2,000.
    expect(stratifiedBootstrapCI([[1]], () => 0, { seed: 1 }).resamples).toBe(50_000);
    expect(aggregateMetrics([[1]], { seed: 1 }).resamples).toBe(50_000);
    expect(performanceProfile([[1]], [0], { seed: 1 }).resamples).toBe(2000);
  });

  it("same seed → same interval; different seed → different interval", () => {
    const a = stratifiedBootstrapCI(scores, aggregateIqm, { seed: 3, resamples: 200 });
    const b = stratifiedBootstrapCI(scores, aggregateIqm, { seed: 3, resamples: 200 });
    const c = stratifiedBootstrapCI(scores, aggregateIqm, { seed: 4, resamples: 200 });
    expect(b).toEqual(a);
    expect(c.point).toBe(a.point);
    expect([c.lower, c.upper]).not.toEqual([a.lower, a.upper]);
  });

  it("a higher confidence gives a wider interval on the same resamples", () => {
    const narrow = stratifiedBootstrapCI(scores, aggregateMean, { seed: 5, resamples: 300, confidence: 0.5 });
    const wide = stratifiedBootstrapCI(scores, aggregateMean, { seed: 5, resamples: 300, confidence: 0.99 });
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
  });

  it("stratification: resampling never mixes tasks and keeps per-task counts", () => {
    // task t's scores lie in [100t, 100t + 1): disjoint ranges
    const runs = 6;
    const tasks = 4;
    const rng = new Rng(11);
    const m = Array.from({ length: runs }, () =>
      Array.from({ length: tasks }, (_, t) => 100 * t + rng.random()),
    );
    const seen: number[][][] = [];
    stratifiedBootstrapCI(
      m,
      (s) => {
        seen.push(s);
        return 0;
      },
      { seed: 2, resamples: 100 },
    );
    expect(seen).toHaveLength(101); // the data once, then each resample
    let duplicated = 0;
    for (const s of seen.slice(1)) {
      expect(s).toHaveLength(runs);
      const perTask = new Array(tasks).fill(0);
      for (const row of s) {
        expect(row).toHaveLength(tasks);
        for (let t = 0; t < tasks; t++) {
          perTask[Math.floor(row[t] / 100)]++;
          // drawn from task t's own runs
          expect(m.some((orig) => orig[t] === row[t])).toBe(true);
        }
      }
      expect(perTask).toEqual(new Array(tasks).fill(runs));
      if (new Set(s.map((row) => row[0])).size < runs) duplicated++;
    }
    // with replacement: most resamples of 6 runs repeat one (P(no repeat) = 6!/6^6 ≈ 1.5 %)
    expect(duplicated).toBeGreaterThan(90);
  });

  it("stratifiedResample draws from the seeded stream", () => {
    const m = draws(9, 5, 2);
    expect(stratifiedResample(m, bootstrapRng(1))).toEqual(stratifiedResample(m, bootstrapRng(1)));
  });

  it("coverage: the 95 % CI of a mean of 30 normal draws holds the true mean ≈ 95 % of the time", () => {
    const trueMean = 3;
    let covered = 0;
    const reps = 200;
    for (let rep = 0; rep < reps; rep++) {
      const rng = new Rng(deriveSeed(2021, "coverage", rep));
      const sample = Array.from({ length: 30 }, () => [rng.normal(trueMean, 2)]);
      const ci = stratifiedBootstrapCI(sample, columnMean, { seed: rep, resamples: 500 });
      if (ci.lower <= trueMean && trueMean <= ci.upper) covered++;
    }
    const rate = covered / reps;
    expect(rate).toBeGreaterThanOrEqual(0.88);
    expect(rate).toBeLessThanOrEqual(0.99);
  });
});

describe("aggregateMetrics", () => {
  it("points are rliable's aggregates of the data", () => {
    const scores = [
      [0, 1, 10],
      [2, 3, 20],
    ];
    const r = aggregateMetrics(scores, { seed: 1, resamples: 50 });
    expect(r.mean.point).toBe(6);
    expect(r.median.point).toBe(2);
    expect(r.iqm.point).toBe(4);
    expect(r.optimalityGap.point).toBeCloseTo(1 / 6, 15);
    expect(aggregateMetrics(scores, { seed: 1, resamples: 50, gamma: 2 }).optimalityGap.point).toBe(0.5);
    expect(r).toMatchObject({ resamples: 50, confidence: 0.95, seed: 1 });
  });

  it("each interval equals stratifiedBootstrapCI of that aggregate under the same options", () => {
    const scores = draws(4, 8, 5);
    const options = { seed: 12, resamples: 200, confidence: 0.9 };
    const r = aggregateMetrics(scores, { ...options, gamma: 0.5 });
    const pick = ({ point, lower, upper }: { point: number; lower: number; upper: number }) => ({
      point,
      lower,
      upper,
    });
    const close = (a: { point: number; lower: number; upper: number }, b: typeof a) => {
      for (const k of ["point", "lower", "upper"] as const) expect(a[k]).toBeCloseTo(b[k], 12);
    };
    close(r.mean, pick(stratifiedBootstrapCI(scores, aggregateMean, options)));
    close(r.median, pick(stratifiedBootstrapCI(scores, aggregateMedian, options)));
    close(r.iqm, pick(stratifiedBootstrapCI(scores, aggregateIqm, options)));
    close(
      r.optimalityGap,
      pick(stratifiedBootstrapCI(scores, (s) => aggregateOptimalityGap(s, 0.5), options)),
    );
    for (const k of ["mean", "median", "iqm", "optimalityGap"] as const) {
      expect(r[k].lower).toBeLessThanOrEqual(r[k].upper);
    }
  });
});

describe("probabilityOfImprovement", () => {
  it("all X above Y → exactly 1 with a degenerate interval", () => {
    const x = [
      [5, 50],
      [6, 60],
      [7, 70],
    ];
    const y = [
      [1, 10],
      [2, 20],
    ];
    expect(probabilityOfImprovement(x, y, { seed: 1, resamples: 100 })).toMatchObject({
      point: 1,
      lower: 1,
      upper: 1,
    });
    expect(probabilityOfImprovement(y, x, { seed: 1, resamples: 100 })).toMatchObject({
      point: 0,
      lower: 0,
      upper: 0,
    });
  });

  it("identical → 0.5, and the bootstrap interval straddles it", () => {
    const x = draws(5, 10, 3);
    const r = probabilityOfImprovement(x, x, { seed: 2, resamples: 300 });
    expect(r.point).toBe(0.5);
    expect(r.lower).toBeLessThan(0.5);
    expect(r.upper).toBeGreaterThan(0.5);
  });

  it("hand-computed U, unequal run counts; deterministic under a seed", () => {
    const x = [
      [1, 10],
      [3, 11],
      [5, 12],
      [7, 13],
    ];
    const y = [
      [2, 0],
      [3, 1],
      [4, 2],
    ];
    const a = probabilityOfImprovement(x, y, { seed: 3, resamples: 300 });
    expect(a.point).toBe(0.8125);
    expect(a.lower).toBeGreaterThanOrEqual(0.5); // task 1 always contributes 1
    expect(a.upper).toBeLessThanOrEqual(1);
    expect(probabilityOfImprovement(x, y, { seed: 3, resamples: 300 })).toEqual(a);
  });
});

describe("performanceProfile", () => {
  // flattened: 0, 0.5, 1, 2, 0.5, 1
  const scores = [
    [0, 0.5],
    [1, 2],
    [0.5, 1],
  ];
  it("fraction of runs × tasks strictly above each threshold", () => {
    const p = performanceProfile(scores, [-1, 0, 0.5, 1, 2], { seed: 1, resamples: 200 });
    expect(p.thresholds).toEqual([-1, 0, 0.5, 1, 2]);
    expect(p.fraction).toEqual([1, 5 / 6, 0.5, 1 / 6, 0]);
    expect(p.lower[0]).toBe(1);
    expect(p.upper[0]).toBe(1);
    expect(p.lower[4]).toBe(0);
    expect(p.upper[4]).toBe(0);
    for (let i = 0; i < 5; i++) {
      expect(p.lower[i]).toBeLessThanOrEqual(p.fraction[i]);
      expect(p.upper[i]).toBeGreaterThanOrEqual(p.fraction[i]);
      if (i > 0) {
        expect(p.lower[i]).toBeLessThanOrEqual(p.lower[i - 1]);
        expect(p.upper[i]).toBeLessThanOrEqual(p.upper[i - 1]);
      }
    }
    expect(performanceProfile(scores, [-1, 0, 0.5, 1, 2], { seed: 1, resamples: 200 })).toEqual(p);
  });
});

describe("curveIntervals", () => {
  // curves[run][point] = run + point, 5 runs × 3 points: IQM at point p cuts one run each end → 2 + p
  const curves = Array.from({ length: 5 }, (_, r) => [r, r + 1, r + 2]);
  it("per-point IQM; whole runs resampled (bands shift exactly with the curves)", () => {
    const c = curveIntervals(curves, { seed: 1, resamples: 300 });
    expect(c.point).toEqual([2, 3, 4]);
    for (let p = 0; p < 3; p++) {
      expect(c.lower[p]).toBeLessThanOrEqual(c.point[p]);
      expect(c.upper[p]).toBeGreaterThanOrEqual(c.point[p]);
    }
    expect(c.lower[0]).toBeLessThan(c.upper[0]);
    // the same runs at every point of a resample: each band is the previous one plus 1
    expect(c.lower[1] - c.lower[0]).toBeCloseTo(1, 12);
    expect(c.upper[2] - c.upper[1]).toBeCloseTo(1, 12);
    expect(curveIntervals(curves, { seed: 1, resamples: 300 })).toEqual(c);
  });
  it("a resample takes whole runs: every point of it comes from the same drawn runs", () => {
    // curves[r][p] = 10 r + p: a value tells its run and point.
    const runs = 4;
    const points = 5;
    const grid = Array.from({ length: runs }, (_, r) => Array.from({ length: points }, (_, p) => 10 * r + p));
    const columns: number[][] = [];
    curveIntervals(grid, {
      seed: 2,
      resamples: 40,
      statistic: (xs) => {
        columns.push([...xs]);
        return 0;
      },
    });
    // The statistic sees the scores' points first, then each resample's points in order.
    expect(columns).toHaveLength((1 + 40) * points);
    const drawn = (k: number, p: number) => columns[(1 + k) * points + p].map((v) => (v - p) / 10);
    let repeats = 0;
    for (let k = 0; k < 40; k++) {
      for (let p = 1; p < points; p++) expect(drawn(k, p)).toEqual(drawn(k, 0));
      if (new Set(drawn(k, 0)).size < runs) repeats++;
    }
    expect(repeats).toBeGreaterThan(0); // with replacement
  });
  it("takes another statistic", () => {
    const c = curveIntervals(curves, {
      seed: 1,
      resamples: 50,
      statistic: (xs) => Math.max(...xs),
    });
    expect(c.point).toEqual([4, 5, 6]);
    expect(c.upper).toEqual([4, 5, 6]);
  });
});
