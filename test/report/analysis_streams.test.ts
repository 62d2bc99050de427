// The report's intervals: each from its own stream of the seed tree, the bands with fewer resamples.
import { describe, expect, it } from "vitest";
import { analyze, binCurves } from "../../src/report/analysis";
import type { ExperimentResults } from "../../src/report/results";
import {
  aggregateMetrics,
  curveIntervals,
  linspace,
  performanceProfileByTask,
  probabilityOfImprovementByTask,
} from "../../src/stats";

const ENV = "Env-v0";
// Nine irregular scores: the IQM of a resample (the mean of its middle five) takes many values, so two
// streams' percentiles do not land on the same value by chance.
const SCORES = [0.21, 0.93, 0.44, 0.71, 0.52, 0.08, 0.66, 0.37, 0.85];
const STEPS = 1000;

/** Two agents, "a" and "b", with the same nine runs (scores and episodes) on one env. */
function twins(): ExperimentResults {
  const agents = [{ id: "a" }, { id: "b" }];
  return {
    folder: "(in memory)",
    experiment: {
      name: "twins",
      question: "",
      metric: "finalReturn",
      steps: STEPS,
      seeds: SCORES.map((_, i) => i + 1),
      agents,
      envs: [{ id: ENV, key: ENV, randomScore: 0, maxScore: 1 }],
      compare: [["a", "b"]],
    },
    runs: agents.flatMap(({ id }) =>
      SCORES.map((score, i) => ({
        agent: id,
        env: ENV,
        seed: i + 1,
        status: "done" as const,
        score,
        normalizedScore: score,
        dir: `runs/${id}--${ENV}--s${i + 1}`,
        episodes: Array.from({ length: 10 }, (_, k) => ({
          step: 100 * (k + 1),
          return: (score * (k + 1)) / 10 + 0.013 * ((7 * i + k) % 5),
        })),
        updates: [],
        evals: [],
      })),
    ),
  };
}

describe("the report's bootstrap streams", () => {
  const analysis = analyze(twins(), { resamples: 1000 });
  const of = <T extends { agent: string }>(items: T[], agent: string): T =>
    items.find((i) => i.agent === agent)!;

  it("two agents with the same runs on one env get the same points from different resamples", () => {
    const [a, b] = [of(analysis.rows, "a"), of(analysis.rows, "b")];
    expect(b.iqm!.point).toBe(a.iqm!.point);
    expect([b.iqm!.lower, b.iqm!.upper]).not.toEqual([a.iqm!.lower, a.iqm!.upper]);
    const [ca, cb] = [of(analysis.curves, "a"), of(analysis.curves, "b")];
    expect(cb.iqm).toEqual(ca.iqm);
    expect([cb.lower, cb.upper]).not.toEqual([ca.lower, ca.upper]);
    // (A profile's bands are fractions k/9 of the runs: two streams' percentiles often land on the same
    // ones, so they are checked against their stream below rather than against each other.)
  });

  it("each interval is the library's with the purpose the caption documents, stats/<statistic>/<agent>/<env>", () => {
    const opts = { seed: 0, resamples: 1000 };
    for (const agent of ["a", "b"]) {
      const row = of(analysis.rows, agent);
      const m = aggregateMetrics(
        SCORES.map((s) => [s]),
        { ...opts, purpose: `stats/aggregates/${agent}/${ENV}` },
      );
      expect([row.mean, row.iqm]).toEqual([m.mean, m.iqm]);

      const runs = twins().runs.filter((r) => r.agent === agent);
      const { values } = binCurves(
        runs.map((r) => r.episodes),
        STEPS,
        50,
      );
      const c = curveIntervals(values, { ...opts, purpose: `stats/curve/${agent}/${ENV}` });
      expect(of(analysis.curves, agent)).toMatchObject({ iqm: c.point, lower: c.lower, upper: c.upper });

      const p = performanceProfileByTask([SCORES], linspace(0, 1, 41), {
        ...opts,
        purpose: `stats/profile/${agent}`,
      });
      expect(of(analysis.profiles, agent)).toMatchObject({
        fraction: p.fraction,
        lower: p.lower,
        upper: p.upper,
      });
    }
    const i = probabilityOfImprovementByTask([SCORES], [SCORES], {
      ...opts,
      purpose: "stats/improvement/a/b",
    });
    expect(analysis.improvements[0].interval).toEqual({ point: 0.5, lower: i.lower, upper: i.upper });
  });

  it("the same results and seed give the same intervals; another seed other ones", () => {
    expect(analyze(twins(), { resamples: 1000 })).toEqual(analysis);
    const other = analyze(twins(), { resamples: 1000, seed: 1 });
    expect(other.rows.map((r) => r.iqm!.point)).toEqual(analysis.rows.map((r) => r.iqm!.point));
    expect(other.rows.map((r) => [r.iqm!.lower, r.iqm!.upper])).not.toEqual(
      analysis.rows.map((r) => [r.iqm!.lower, r.iqm!.upper]),
    );
  });

  it("draws 50,000 resamples for the table and P(improvement), 2,000 for the bands, unless told", () => {
    expect(analyze(twins()).bootstrap).toEqual({
      resamples: 50_000,
      curveResamples: 2000,
      profileResamples: 2000,
      confidence: 0.95,
      seed: 0,
    });
    // Fewer resamples asked for: the bands take no more than that.
    expect(analysis.bootstrap).toMatchObject({
      resamples: 1000,
      curveResamples: 1000,
      profileResamples: 1000,
    });
    expect(
      analyze(twins(), { resamples: 1000, curveResamples: 30, profileResamples: 40 }).bootstrap,
    ).toMatchObject({ resamples: 1000, curveResamples: 30, profileResamples: 40 });
  });

  it("refuses a resample count that is not a positive integer, naming the option", () => {
    expect(() => analyze(twins(), { curveResamples: 0 })).toThrow(
      "analyze: options.curveResamples must be a positive integer; got 0",
    );
    expect(() => analyze(twins(), { profileResamples: 2.5 })).toThrow(
      "analyze: options.profileResamples must be a positive integer; got 2.5",
    );
    expect(() => analyze(twins(), { resamples: -1 })).toThrow(
      "analyze: options.resamples must be a positive integer; got -1",
    );
  });
});
