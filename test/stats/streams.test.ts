// Each interval draws its resamples from its own stream of the seed tree, deriveSeed(seed, purpose).
import { describe, expect, it } from "vitest";
import { deriveSeed, Rng } from "../../src/core/rng";
import {
  aggregateMetrics,
  BOOTSTRAP_STREAM,
  type BootstrapInfo,
  type BootstrapOptions,
  curveIntervals,
  intervalPurpose,
  performanceProfile,
  performanceProfileByTask,
  probabilityOfImprovement,
  probabilityOfImprovementByTask,
  stratifiedBootstrapCI,
} from "../../src/stats";

/**
 * The run indices each resample draws for `runs` runs on one task: the scores are the runs' own
 * indices, and the statistic records every resample it is given (the first call is on the scores).
 */
function drawnIndices(runs: number, options: BootstrapOptions): number[][] {
  const scores = Array.from({ length: runs }, (_, r) => [r]);
  const seen: number[][] = [];
  stratifiedBootstrapCI(
    scores,
    (m) => {
      seen.push(m.map((row) => row[0]));
      return 0;
    },
    options,
  );
  expect(seen[0]).toEqual(scores.map((row) => row[0]));
  return seen.slice(1);
}

describe("bootstrap streams", () => {
  const mlp = intervalPurpose("aggregates", "mlp", "CartPole-v1");
  const lstm = intervalPurpose("aggregates", "lstm", "CartPole-v1");

  it("two agents with the same scores on one env draw different resample indices", () => {
    const a = drawnIndices(5, { seed: 0, resamples: 20, purpose: mlp });
    const b = drawnIndices(5, { seed: 0, resamples: 20, purpose: lstm });
    expect(a).toHaveLength(20);
    for (const resample of [...a, ...b]) {
      expect(resample).toHaveLength(5);
      for (const i of resample) expect(i >= 0 && i < 5 && Number.isInteger(i)).toBe(true);
    }
    expect(a).not.toEqual(b);
    // Not one resample in the same place: the two streams are unrelated.
    expect(a.filter((r, k) => r.join() === b[k].join())).toEqual([]);
  });

  it("draws from new Rng(deriveSeed(seed, purpose)), task by task, run by run", () => {
    const rng = new Rng(deriveSeed(7, mlp));
    const expected = Array.from({ length: 10 }, () => Array.from({ length: 4 }, () => rng.integer(4)));
    expect(drawnIndices(4, { seed: 7, resamples: 10, purpose: mlp })).toEqual(expected);
    const shared = new Rng(deriveSeed(7, BOOTSTRAP_STREAM));
    const unnamed = Array.from({ length: 10 }, () => Array.from({ length: 4 }, () => shared.integer(4)));
    expect(drawnIndices(4, { seed: 7, resamples: 10 })).toEqual(unnamed);
  });

  it("the same call twice draws the same indices; a purpose or seed change draws others", () => {
    const once = drawnIndices(6, { seed: 3, resamples: 30, purpose: "stats/iqm/x" });
    expect(drawnIndices(6, { seed: 3, resamples: 30, purpose: "stats/iqm/x" })).toEqual(once);
    expect(drawnIndices(6, { seed: 3, resamples: 30, purpose: "stats/iqm/y" })).not.toEqual(once);
    expect(drawnIndices(6, { seed: 4, resamples: 30, purpose: "stats/iqm/x" })).not.toEqual(once);
  });

  // Every interval-producing function: the purpose is echoed, the same call gives the same interval,
  // another purpose another one (from the same data and seed).
  const rng = new Rng(11);
  const matrix = (runs: number, tasks: number) =>
    Array.from({ length: runs }, () => Array.from({ length: tasks }, () => rng.normal(0, 1)));
  const x = matrix(6, 3);
  const y = matrix(5, 3);
  const byTask = (m: number[][]) => m[0].map((_, t) => m.map((row) => row[t]));
  const curves = matrix(5, 8);
  const thresholds = [-1, -0.5, 0, 0.5, 1];
  const calls: [string, (o: BootstrapOptions) => BootstrapInfo][] = [
    ["stratifiedBootstrapCI", (o) => stratifiedBootstrapCI(x, (m) => m[0][0] + m[1][1], o)],
    ["aggregateMetrics", (o) => aggregateMetrics(x, o)],
    ["probabilityOfImprovement", (o) => probabilityOfImprovement(x, y, o)],
    ["probabilityOfImprovementByTask", (o) => probabilityOfImprovementByTask(byTask(x), byTask(y), o)],
    ["performanceProfile", (o) => performanceProfile(x, thresholds, o)],
    ["performanceProfileByTask", (o) => performanceProfileByTask(byTask(x), thresholds, o)],
    ["curveIntervals", (o) => curveIntervals(curves, o)],
  ];
  it.each(calls)("%s: the purpose names the stream", (_, call) => {
    const a = call({ seed: 1, resamples: 200, purpose: "stats/test/a" });
    expect(a.purpose).toBe("stats/test/a");
    expect(call({ seed: 1, resamples: 200, purpose: "stats/test/a" })).toEqual(a);
    const b = call({ seed: 1, resamples: 200, purpose: "stats/test/b" });
    expect(b.purpose).toBe("stats/test/b");
    const { purpose: _a, ...restA } = a;
    const { purpose: _b, ...restB } = b;
    expect(restB).not.toEqual(restA);
    expect(call({ seed: 1, resamples: 200 }).purpose).toBe(BOOTSTRAP_STREAM);
  });
});

describe("intervalPurpose", () => {
  it("joins stats/<statistic>/<parts>, encoding each part so a '/' in an id cannot collide", () => {
    expect(intervalPurpose("iqm", "ppo", "CartPole-v1")).toBe("stats/iqm/ppo/CartPole-v1");
    expect(intervalPurpose("profile", "ppo")).toBe("stats/profile/ppo");
    expect(intervalPurpose("iqm", "a/b", "c")).toBe("stats/iqm/a%2Fb/c");
    expect(intervalPurpose("iqm", "a/b", "c")).not.toBe(intervalPurpose("iqm", "a", "b/c"));
  });
  it("refuses an empty statistic or part, naming it", () => {
    expect(() => intervalPurpose("")).toThrow(
      'intervalPurpose: statistic must be a non-empty string; got ""',
    );
    expect(() => intervalPurpose("iqm", "ppo", "")).toThrow(
      'intervalPurpose: parts[1] must be a non-empty string; got ""',
    );
  });
});
