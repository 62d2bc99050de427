import { describe, expect, it } from "vitest";
import {
  aggregateMetrics,
  curveIntervals,
  iqm,
  mean,
  median,
  normalizeScore,
  optimalityGap,
  performanceProfile,
  probabilityOfImprovement,
  stratifiedBootstrapCI,
} from "../../src/stats";

const M = "must be a non-empty [runs][tasks] matrix of finite numbers";
const V = "must be a non-empty array of finite numbers";
const opts = { seed: 1, resamples: 10 };
const stat = () => 0;

describe("input checks name the function, the argument and what was expected", () => {
  it("vectors: empty, NaN, Infinity", () => {
    expect(() => mean([])).toThrow(`mean: xs ${V}; got an empty array`);
    expect(() => median([1, Number.NaN])).toThrow(`median: xs ${V}; got NaN at index 1`);
    expect(() => iqm([1, 2, Number.POSITIVE_INFINITY])).toThrow(`iqm: xs ${V}; got Infinity at index 2`);
    expect(() => optimalityGap([0.5], Number.NaN)).toThrow(
      "optimalityGap: gamma must be a finite number; got NaN",
    );
  });

  it("matrices: empty, empty rows, ragged rows, NaN", () => {
    expect(() => stratifiedBootstrapCI([], stat, opts)).toThrow(
      `stratifiedBootstrapCI: scores ${M}; got 0 runs`,
    );
    expect(() => stratifiedBootstrapCI([[]], stat, opts)).toThrow(
      `stratifiedBootstrapCI: scores ${M}; got 0 tasks in scores[0]`,
    );
    expect(() => aggregateMetrics([[1, 2], [3]], opts)).toThrow(
      `aggregateMetrics: scores ${M}; got a ragged matrix: scores[0] has 2 tasks, scores[1] has 1`,
    );
    expect(() =>
      aggregateMetrics(
        [
          [1, 2],
          [3, Number.NaN],
        ],
        opts,
      ),
    ).toThrow(`aggregateMetrics: scores ${M}; got NaN at [1][1]`);
    expect(() => performanceProfile([[1]], [0, Number.NaN], opts)).toThrow(
      `performanceProfile: thresholds ${V}; got NaN at index 1`,
    );
    expect(() =>
      curveIntervals(
        [
          [1, 2, 3],
          [1, 2],
        ],
        opts,
      ),
    ).toThrow(
      "curveIntervals: curves must be a non-empty [runs][points] matrix of finite numbers; got a ragged matrix: curves[0] has 3 points, curves[1] has 2",
    );
  });

  it("probabilityOfImprovement: each argument named; tasks must match", () => {
    expect(() => probabilityOfImprovement([[1]], [], opts)).toThrow(
      `probabilityOfImprovement: y ${M}; got 0 runs`,
    );
    expect(() => probabilityOfImprovement([[1, 2]], [[1]], opts)).toThrow(
      "probabilityOfImprovement: x and y must have the same number of tasks; got 2 and 1",
    );
  });

  it("options", () => {
    expect(() => stratifiedBootstrapCI([[1]], stat, { seed: 1.5 })).toThrow(
      "stratifiedBootstrapCI: options.seed must be an integer; got 1.5",
    );
    expect(() => aggregateMetrics([[1]], { seed: 1, resamples: 0 })).toThrow(
      "aggregateMetrics: options.resamples must be a positive integer; got 0",
    );
    expect(() => performanceProfile([[1]], [0], { seed: 1, confidence: 1 })).toThrow(
      "performanceProfile: options.confidence must be a number strictly between 0 and 1; got 1",
    );
    expect(() => curveIntervals([[1]], { seed: 1, purpose: "" })).toThrow(
      'curveIntervals: options.purpose must be a non-empty string naming what the interval estimates (e.g. "stats/iqm/ppo/CartPole-v1"); got the string ""',
    );
    expect(() => aggregateMetrics([[1]], { seed: 1, purpose: 3 as unknown as string })).toThrow(
      'aggregateMetrics: options.purpose must be a non-empty string naming what the interval estimates (e.g. "stats/iqm/ppo/CartPole-v1"); got 3',
    );
  });

  it("a statistic that returns NaN", () => {
    expect(() => stratifiedBootstrapCI([[1]], () => Number.NaN, opts)).toThrow(
      "stratifiedBootstrapCI: statistic must return a finite number; got NaN on the original scores",
    );
  });

  it("normalizeScore", () => {
    expect(() => normalizeScore(1, 5, 5)).toThrow(
      "normalizeScore: maxScore must differ from randomScore; got 5 for both",
    );
    expect(() => normalizeScore(Number.NaN, 0, 1)).toThrow(
      "normalizeScore: raw must be a finite number; got NaN",
    );
  });
});
