import { describe, expect, it } from "vitest";
import {
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  aggregateOptimalityGap,
  improvementProbability,
  iqm,
  mean,
  median,
  normalizeScore,
  normalizeScores,
  optimalityGap,
  percentileOfSorted,
  taskMeans,
} from "../../src/stats";

describe("mean and median", () => {
  it("mean of a known set", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([-1])).toBe(-1);
  });
  it("median of odd and even sets, unsorted input, input left untouched", () => {
    const xs = [3, 1, 2];
    expect(median(xs)).toBe(2);
    expect(xs).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([10, -10])).toBe(0);
  });
});

describe("iqm (scipy.stats.trim_mean(x, 0.25): cut floor(n/4) from each end)", () => {
  it("[1..8] → mean of 3..6", () => {
    expect(iqm([1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5);
    expect(iqm([8, 1, 7, 2, 6, 3, 5, 4])).toBe(4.5);
  });
  it("sizes not divisible by 4", () => {
    expect(iqm([7])).toBe(7); // n=1: nothing cut
    expect(iqm([1, 2, 30])).toBe(11); // n=3: floor(0.75)=0, nothing cut
    expect(iqm([4, 1, 100, 2, 3])).toBe(3); // n=5: cut 1 each end → 2,3,4
    expect(iqm([1, 2, 3, 4, 5, 60])).toBe(3.5); // n=6: floor(1.5)=1 → 2,3,4,5
    expect(iqm([-50, 1, 2, 3, 4, 5, 100])).toBe(3); // n=7: cut 1 → 1..5
    expect(iqm([0, 0, 1, 2, 3, 4, 5, 100, 100])).toBe(3); // n=9: floor(2.25)=2 → 1..5
  });
  it("is robust to outliers in the outer quartiles", () => {
    expect(iqm([-1e9, 1, 2, 1e9])).toBe(1.5);
  });
});

describe("optimality gap", () => {
  it("mean of max(gamma − x, 0)", () => {
    expect(optimalityGap([0.5, 1.2, 0.8, 0])).toBeCloseTo((0.5 + 0 + 0.2 + 1) / 4, 15);
    expect(optimalityGap([0.5, 1.2, 0.8, 0], 0.5)).toBe(0.125);
    expect(optimalityGap([2, 3])).toBe(0);
  });
});

describe("normalizeScore", () => {
  it("random → 0, max → 1, linear between", () => {
    expect(normalizeScore(10, 10, 110)).toBe(0);
    expect(normalizeScore(110, 10, 110)).toBe(1);
    expect(normalizeScore(50, 10, 110)).toBe(0.4);
    expect(normalizeScore(-90, 10, 110)).toBe(-1);
  });
  it("normalizeScores uses one reference per task", () => {
    expect(
      normalizeScores(
        [
          [10, 0],
          [20, 500],
        ],
        [0, 0],
        [20, 500],
      ),
    ).toEqual([
      [0.5, 0],
      [1, 1],
    ]);
  });
});

describe("aggregates over a score matrix (rliable's metrics.py)", () => {
  // task means 1, 2, 15; flattened sorted 0,1,2,3,10,20
  const scores = [
    [0, 1, 10],
    [2, 3, 20],
  ];
  it("mean and median are over per-task means", () => {
    expect(taskMeans(scores)).toEqual([1, 2, 15]);
    expect(aggregateMean(scores)).toBe(6);
    expect(aggregateMedian(scores)).toBe(2);
  });
  it("IQM and optimality gap pool runs × tasks", () => {
    expect(aggregateIqm(scores)).toBe(4);
    expect(aggregateOptimalityGap(scores)).toBeCloseTo(1 / 6, 15);
    expect(aggregateOptimalityGap(scores, 2)).toBe(0.5);
  });
});

describe("improvementProbability (Mann–Whitney U / (n·m), ties ½, averaged over tasks)", () => {
  it("all X above Y → 1; all below → 0", () => {
    const x = [[5], [6], [7]];
    const y = [[1], [2]];
    expect(improvementProbability(x, y)).toBe(1);
    expect(improvementProbability(y, x)).toBe(0);
  });
  it("identical → 0.5", () => {
    const x = [
      [1, 4],
      [2, 4],
      [3, 4],
    ];
    expect(improvementProbability(x, x)).toBe(0.5);
  });
  it("a hand-computed U with ties and unequal run counts", () => {
    // task 0: x=[1,3,5,7], y=[2,3,4]: U = 0 + (1 + ½) + 3 + 3 = 7.5 → 7.5/12 = 0.625
    // task 1: every x above every y → 1
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
    expect(improvementProbability(x, y)).toBe((0.625 + 1) / 2);
    // P(X>Y) + P(Y>X) = 1 with ties split
    expect(improvementProbability(y, x)).toBe(1 - (0.625 + 1) / 2);
  });
});

describe("percentileOfSorted (numpy's linear percentile)", () => {
  it("interpolates between order statistics", () => {
    expect(percentileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileOfSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(percentileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileOfSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(percentileOfSorted([5], 0.975)).toBe(5);
  });
});
