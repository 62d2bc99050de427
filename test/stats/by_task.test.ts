// Scores grouped by task with a number of runs per task (experiments that ran fewer seeds on some envs).
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/rng";
import {
  bootstrapRng,
  performanceProfile,
  performanceProfileByTask,
  probabilityOfImprovement,
  probabilityOfImprovementByTask,
  stratifiedResample,
  stratifiedResampleByTask,
} from "../../src/stats";

const transpose = (m: number[][]): number[][] => m[0].map((_, t) => m.map((row) => row[t]));

function draws(seed: number, runs: number, tasks: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: runs }, () => Array.from({ length: tasks }, () => rng.normal(0, 1)));
}

describe("by-task statistics", () => {
  it("equal the [runs][tasks] versions on rectangular inputs, intervals included", () => {
    const x = draws(1, 5, 3);
    const y = draws(2, 4, 3).map((row) => row.map((v) => v + 0.5));
    const opts = { seed: 7, resamples: 300 };
    expect(stratifiedResampleByTask(transpose(x), bootstrapRng(3))).toEqual(
      transpose(stratifiedResample(x, bootstrapRng(3))),
    );
    expect(probabilityOfImprovementByTask(transpose(x), transpose(y), opts)).toEqual(
      probabilityOfImprovement(x, y, opts),
    );
    const thresholds = [-1, 0, 0.5, 1];
    const a = performanceProfileByTask(transpose(x), thresholds, opts);
    const b = performanceProfile(x, thresholds, opts);
    for (let i = 0; i < thresholds.length; i++) {
      expect(a.fraction[i]).toBeCloseTo(b.fraction[i], 12);
      expect(a.lower[i]).toBeCloseTo(b.lower[i], 12);
      expect(a.upper[i]).toBeCloseTo(b.upper[i], 12);
    }
  });

  it("tasks with different run counts: hand-computed P(X > Y) and profile, each task weighted equally", () => {
    // task 0 (5 runs vs 5): every x above every y → 1. Task 1 (3 runs vs 3): U = 1 + 1.5 + 3 = 5.5 of 9.
    const x = [
      [5, 6, 7, 8, 9],
      [1, 2, 4],
    ];
    const y = [
      [0, 1, 2, 3, 4],
      [2, 3, 0],
    ];
    const p = probabilityOfImprovementByTask(x, y, { seed: 1, resamples: 500 });
    expect(p.point).toBeCloseTo((1 + 5.5 / 9) / 2, 12);
    expect(p.lower).toBeGreaterThanOrEqual(0.5); // task 0 contributes 1 on every resample
    expect(p.upper).toBeLessThanOrEqual(1);
    expect(probabilityOfImprovementByTask(x, y, { seed: 1, resamples: 500 })).toEqual(p);
    // Above 3.5: 5/5 of task 0, 1/3 of task 1 → (1 + 1/3) / 2.
    const prof = performanceProfileByTask(x, [3.5, 100], { seed: 1, resamples: 200 });
    expect(prof.fraction[0]).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(prof.fraction[1]).toBe(0);
  });

  it("bad input names the function, the argument and what was expected", () => {
    const opts = { seed: 1, resamples: 10 };
    const L = "must be a non-empty [tasks][runs] list of finite numbers, every task with at least one run";
    expect(() => probabilityOfImprovementByTask([[1], []], [[1], [2]], opts)).toThrow(
      `probabilityOfImprovementByTask: x ${L}; got 0 runs in x[1]`,
    );
    expect(() => probabilityOfImprovementByTask([[1]], [[1], [2]], opts)).toThrow(
      "probabilityOfImprovementByTask: x and y must have the same number of tasks; got 1 and 2",
    );
    expect(() => performanceProfileByTask([[1, Number.NaN]], [0], opts)).toThrow(
      `performanceProfileByTask: scores ${L}; got NaN at [0][1]`,
    );
  });
});
