// The report's plots to debug runs with: diagnostics and evaluation series (IQM over seeds with each
// seed's values), the wall-clock axis, and the plots they make in report.html / report.md.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/report/analysis";
import { buildReport } from "../../src/report/experiment_report";
import { type RunResult, readResults } from "../../src/report/results";
import {
  binSeries,
  diagnosticSeries,
  episodesInSeconds,
  evaluationSeries,
} from "../../src/report/run_series";
import { makeResultsFolder, SEEDS, STEPS } from "./results_fixture";

const boot = { resamples: 200, confidence: 0.95, seed: 0 };

describe("run series", () => {
  it("bins each run's values on the step grid, carrying the last bin forward", () => {
    const runs = [
      [
        { step: 10, v: 1 },
        { step: 20, v: 3 },
        { step: 70, v: 5 },
      ],
      [{ step: 45, v: 2 }],
    ];
    const { step, values } = binSeries(runs, 100, 4, (x) => x.v);
    expect(step).toEqual([25, 50, 75, 100]);
    expect(values[0]).toEqual([2, 2, 5, 5]);
    expect(values[1]).toEqual([Number.NaN, 2, 2, 2]);
  });

  it("gives each logged diagnostic the IQM over seeds and every seed's values", () => {
    const results = readResults(makeResultsFolder({ diagnostics: true }));
    const series = diagnosticSeries(results, { points: 20, bootstrap: boot });
    const entropy = series.find(
      (s) => s.agent === "lstm" && s.env === "TMaze-v0" && s.quantity === "entropy",
    )!;
    expect(entropy.seeds).toEqual(SEEDS);
    expect(entropy.step).toHaveLength(20);
    // Update lines every 500 steps, the grid every 500 too: the fixture's entropy 0.69 − 0.6·p at p = step / STEPS.
    expect(entropy.values[0][19]).toBeCloseTo(0.69 - 0.6, 12);
    expect(entropy.iqm[9]).toBeCloseTo(0.69 - 0.6 * 0.5, 12);
    // The value loss differs by seed: (1 − p)(10 + seed); with 3 seeds the IQM is the middle one's.
    const value = series.find(
      (s) => s.agent === "mlp" && s.env === "TMaze-v0" && s.quantity === "valueLoss",
    )!;
    expect(value.values.map((v) => v[0])).toEqual(SEEDS.map((seed) => (1 - 500 / STEPS) * (10 + seed)));
    expect(value.iqm[0]).toBeCloseTo((1 - 500 / STEPS) * 12, 12);
    // Fields an agent does not log (DQN's tdLoss here) get no series; SPS and memory do.
    expect(series.some((s) => s.quantity === "tdLoss")).toBe(false);
    expect(new Set(series.map((s) => s.quantity))).toEqual(
      new Set(["policyLoss", "valueLoss", "entropy", "approxKl", "learningRate", "sps", "rssMb"]),
    );
  });

  it("draws evaluation curves only where every seed has been evaluated, with a CI band", () => {
    const results = readResults(makeResultsFolder({ diagnostics: true }));
    // Seed 3 of the MLP on the T-maze stopped at step 6,000, before its last two evaluations.
    const cut = results.runs.find((r) => r.agent === "mlp" && r.env === "TMaze-v0" && r.seed === 3)!;
    cut.evals = cut.evals.filter((e) => e.step <= 6000);
    cut.updates = cut.updates.filter((u) => u.step <= 6000);
    cut.episodes = cut.episodes.filter((e) => e.step <= 6000);
    const series = evaluationSeries(results, { points: 10, bootstrap: boot });
    const mlp = series.find((s) => s.agent === "mlp" && s.env === "TMaze-v0")!;
    // Evaluated at the same steps: drawn at them, up to the last that every seed reached.
    expect(mlp.step).toEqual([2000, 4000, 6000]);
    expect(mlp.lower!.every((l, i) => l <= mlp.iqm[i] && mlp.iqm[i] <= mlp.upper![i])).toBe(true);
    expect(mlp.detail).toBe("10 held-out episodes per evaluation, sampled actions");
    const lstm = series.find((s) => s.agent === "lstm" && s.env === "TMaze-v0")!;
    expect(lstm.step.at(-1)).toBe(STEPS);
  });

  it("puts episodes on a wall-clock axis from the update lines' SPS", () => {
    const run = {
      episodes: [
        { step: 50, return: 1 },
        { step: 150, return: 2 },
        { step: 300, return: 3 },
      ],
      updates: [
        { step: 100, values: { sps: 100 } }, // 1 s
        { step: 200, values: { sps: 50 } }, // 4 s
      ],
    } as unknown as RunResult;
    expect(episodesInSeconds(run).map((e) => e.step)).toEqual([0.5, 2.5, 7]);
    expect(episodesInSeconds({ ...run, updates: [] } as RunResult)).toEqual([]);
  });
});

describe("the report's debugging plots", () => {
  it("adds evaluation curves and a diagnostics plot per env, each seed a trace, and runs them in report.html", async () => {
    const dir = makeResultsFolder({ diagnostics: true });
    const report = await buildReport(dir, { resamples: 200 });
    const names = report.plots.map((p) => p.name);
    expect(names).toContain("evaluation-curves");
    expect(names).toContain("diagnostics-TMaze-v0");
    expect(names).toContain("diagnostics-CartPole-NoVel-v1");
    // The learning curves: a trace per run (2 agents × 2 envs × 3 seeds) under the IQM lines.
    const curves = report.plots.find((p) => p.name === "learning-curves")!;
    const traces = curves.svg.match(/aria-roledescription="line mark"/g)?.length ?? 0;
    expect(traces).toBe(2 * 2 * 3 + 2 * 2);
    // report.html carries vega's runtime and every plot's Vega spec, with the static SVG as fallback.
    expect(report.html).toContain('id="vega-specs"');
    const specs = JSON.parse(report.html.split('id="vega-specs">')[1].split("</script>")[0]);
    expect(Object.keys(specs).sort()).toEqual([...names].sort());
    expect(report.html.match(/class="vega-plot"/g)).toHaveLength(names.length);
    expect(report.markdown).toContain("plots/diagnostics-TMaze-v0.png");
    // Without update or eval lines (the plain fixture) there are neither.
    const plain = await buildReport(makeResultsFolder(), { resamples: 200 });
    expect(
      plain.plots.map((p) => p.name).filter((n) => n.startsWith("diagnostics") || n.startsWith("evaluation")),
    ).toEqual([]);
    for (const d of [dir]) fs.rmSync(d, { recursive: true, force: true });
  });

  it("draws the learning curves against training seconds with curveAxis seconds", () => {
    const results = readResults(makeResultsFolder({ diagnostics: true }));
    const analysis = analyze(results, { resamples: 200, curveAxis: "seconds" });
    const mlp = analysis.curves.find((c) => c.agent === "mlp" && c.env === "TMaze-v0")!;
    // The MLP's fixture SPS is 1,010–1,030: 10,000 steps take under 10 s.
    expect(mlp.step.at(-1)!).toBeLessThan(10);
    expect(mlp.step.at(-1)!).toBeGreaterThan(9.5);
    expect(path.basename(results.folder)).toMatch(/^pomdp-report-/);
  });
});
