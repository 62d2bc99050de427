// Few seeds: notes where an env has fewer than 5 runs of an agent, P(X > Y) per env beside the exact
// Mann–Whitney p, and rliable's interval estimates over all envs, in the analysis and in both documents.
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { analyze } from "../../src/report/analysis";
import { buildReport } from "../../src/report/experiment_report";
import { fmtP, smallestP } from "../../src/report/few_seeds_notes";
import { readResults } from "../../src/report/results";
import {
  aggregateMetricsByTask,
  intervalPurpose,
  mannWhitneyTest,
  probabilityOfImprovementByTask,
} from "../../src/stats";
import { ENVS, makeResultsFolder } from "./results_fixture";

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
});
function folder(options: Parameters<typeof makeResultsFolder>[0] = {}): string {
  const f = makeResultsFolder(options);
  folders.push(f);
  return f;
}

// 5 seeds on CartPole, 3 on the T-maze: one env with enough seeds and one with few.
const MIXED = { seeds: [1, 2, 3, 4, 5], tmazeSeeds: 3 };
const NOTE = "3 seeds: the bootstrap CI is coarse; see the Mann–Whitney p";

describe("few seeds", () => {
  it("computes P(X > Y) per env from its own stream beside the exact Mann–Whitney p", () => {
    const results = readResults(folder(MIXED));
    const analysis = analyze(results, { resamples: 300, seed: 4 });
    const [lstmOverMlp] = analysis.improvements;
    expect(lstmOverMlp.perEnv.map((e) => [e.env, e.xRuns, e.yRuns])).toEqual([
      [ENVS[0].id, 5, 5],
      [ENVS[1].id, 3, 3],
    ]);
    for (const e of lstmOverMlp.perEnv) {
      const scores = (agent: string) =>
        results.runs
          .filter((r) => r.agent === agent && r.env === e.env)
          .sort((a, b) => a.seed - b.seed)
          .map((r) => r.score as number);
      const p = probabilityOfImprovementByTask([scores("lstm")], [scores("mlp")], {
        seed: 4,
        resamples: 300,
        purpose: intervalPurpose("improvement", "lstm", "mlp", e.env),
      });
      expect(e.interval).toEqual({ point: p.point, lower: p.lower, upper: p.upper });
      const mw = mannWhitneyTest(scores("lstm"), scores("mlp"));
      expect(e.mannWhitney).toEqual({ u: mw.u, p: mw.p, ties: mw.ties });
    }
    // Every LSTM run beats every MLP run: the smallest p each count allows, 1/252 and 1/20.
    expect(lstmOverMlp.perEnv[0].mannWhitney?.p).toBeCloseTo(1 / 252, 14);
    expect(lstmOverMlp.perEnv[1].mannWhitney?.p).toBeCloseTo(1 / 20, 14);
  });

  it("computes rliable's four metrics over all envs on normalized scores, every env weighing the same", () => {
    const results = readResults(folder(MIXED));
    const analysis = analyze(results, { resamples: 300, seed: 4 });
    expect(analysis.aggregates?.gamma).toBe(1);
    expect(analysis.aggregates?.agents.map((a) => a.agent)).toEqual(["mlp", "lstm"]);
    const byEnv = ENVS.map((env) =>
      results.runs
        .filter((r) => r.agent === "lstm" && r.env === env.id)
        .sort((a, b) => a.seed - b.seed)
        .map((r) => r.normalizedScore as number),
    );
    expect(byEnv.map((runs) => runs.length)).toEqual([5, 3]);
    const m = aggregateMetricsByTask(byEnv, {
      seed: 4,
      resamples: 300,
      gamma: 1,
      purpose: intervalPurpose("aggregates", "lstm"),
    });
    const lstm = analysis.aggregates!.agents[1];
    for (const k of ["mean", "median", "iqm", "optimalityGap"] as const) expect(lstm[k]).toEqual(m[k]);
    // Without baselines there is nothing to pool: no aggregates and no interval-estimates plot.
    expect(analyze(readResults(folder({ noBaselines: true })), { resamples: 50 }).aggregates).toBeUndefined();
  });

  it("notes the rows with fewer than 5 seeds, in Markdown and HTML, and gives p per env", async () => {
    const report = await buildReport(folder(MIXED), { resamples: 300 });
    const md = report.markdown;
    const header = md.split("\n").find((l) => l.startsWith("| Agent |"))!;
    expect(header.endsWith("| Seeds | Parameters | SPS | Note |")).toBe(true);
    const rows = md.split("\n").filter((l) => l.startsWith("| PPO"));
    // Existing columns unchanged; the note only on the T-maze's rows.
    expect(rows.find((r) => r.startsWith("| PPO (MLP) | T-maze |"))).toMatch(
      new RegExp(
        `^\\| PPO \\(MLP\\) \\| T-maze \\| [\\d.]+ \\| [\\d.]+ \\[[\\d.]+, [\\d.]+\\] \\| 3 \\| 9,155 \\| [\\d,]+ \\| ${NOTE.replace(/[()]/g, "\\$&")} \\|$`,
      ),
    );
    expect(rows.find((r) => r.startsWith("| PPO (MLP) | CartPole, no velocities |"))).toMatch(
      /\| 5 \| 9,155 \| [\d,]+ \| {2}\|$/,
    );
    expect(md).toContain(
      "| P(PPO (LSTM 64) > PPO (MLP)) | 1 [1, 1] | 8 vs 8 | 3 vs 3 on T-maze: the bootstrap CI is coarse there; see the Mann–Whitney p per env |",
    );
    expect(md).toContain("| Pair | Env | P [CI] | Mann–Whitney p (one-sided) | Runs | Note |");
    expect(md).toContain(
      "| P(PPO (LSTM 64) > PPO (MLP)) | CartPole, no velocities | 1 [1, 1] | 0.0040 | 5 vs 5 |",
    );
    expect(md).toMatch(
      /\| P\(PPO \(LSTM 64\) > PPO \(MLP\)\) \| T-maze \| 1 \[1, 1\] \| 0\.050 \| 3 vs 3 \| 3 vs 3: the bootstrap CI is coarse/,
    );
    expect(md).toContain(
      "The smallest p n runs against m can give is 1/C(n+m, n): 0.050 for 3 vs 3, 0.0040 for 5 vs 5.",
    );
    expect(md).toContain("The p-values are shown per env only and not combined over envs");
    expect(md).toContain("γ = 1, rliable's default");

    const html = report.html;
    expect(html).toContain(`<td>${NOTE}</td>`);
    expect(html).toContain('<table id="improvement-per-env">');
    expect(html).toContain('<td class="num">0.050</td>');
    expect(html).toContain("<th>Note</th>");
    expect(report.plots.map((p) => p.name)).toContain("interval-estimates");
  });

  it("notes 4 seeds too (the threshold is 5 runs)", async () => {
    const report = await buildReport(folder({ seeds: [1, 2, 3, 4, 5], tmazeSeeds: 4 }), { resamples: 100 });
    expect(report.markdown).toContain("| 4 seeds: the bootstrap CI is coarse; see the Mann–Whitney p |");
    expect(report.markdown).toContain("| 4 vs 4 on T-maze: the bootstrap CI is coarse there;");
  });

  it("adds no note column where every env has at least 5 seeds", async () => {
    const report = await buildReport(folder({ seeds: [1, 2, 3, 4, 5] }), { resamples: 200 });
    // The score table and the all-envs P(improvement) table keep their columns (the per-env one has a
    // note column for ties).
    expect(report.markdown).toContain("| Agent | Env | Mean | IQM [CI] | Seeds | Parameters | SPS |\n");
    expect(report.markdown).toContain("| Pair | P [CI] | Runs (all envs) |\n");
    expect(report.markdown).not.toContain("coarse");
    expect(report.html).toContain("<th>SPS</th></tr>");
  });

  it("formats p-values and knows the smallest p of n against m", () => {
    expect(smallestP(3, 3)).toBeCloseTo(0.05, 15);
    expect(smallestP(5, 5)).toBeCloseTo(1 / 252, 15);
    expect([0.05, 1 / 252, 0.7499999, 1e-6, 1].map(fmtP)).toEqual([
      "0.050",
      "0.0040",
      "0.750",
      "1.0e-6",
      "1.000",
    ]);
  });
});
