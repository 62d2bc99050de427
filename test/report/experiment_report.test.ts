import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli";
import { binCurves, stepsToSolve } from "../../src/report/analysis";
import { buildReport, writeReport } from "../../src/report/experiment_report";
import { memoryLengthPlots } from "../../src/report/memory_length";
import { AGENTS, ENVS, makeMemoryLengthFolder, makeResultsFolder, SEEDS } from "./results_fixture";

/** Items of one kind in an SVG by their ARIA role description ("line mark", "area mark", "rule mark", "tick"). */
function items(svg: string, kind: string): string[] {
  return [...svg.matchAll(new RegExp(`aria-label="([^"]*)"[^>]*aria-roledescription="${kind}"`, "g"))].map(
    (m) => m[1],
  );
}

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
});

function folder(options: Parameters<typeof makeResultsFolder>[0] = {}): string {
  const f = makeResultsFolder(options);
  folders.push(f);
  return f;
}

describe("pomdp report", () => {
  it("writes report.md with a row per agent × env, PNG plots, and a self-contained report.html", async () => {
    const dir = folder();
    const files = await writeReport(dir, { resamples: 500, seed: 3 });
    expect(files.html).toBe(path.join(dir, "report.html"));

    const md = fs.readFileSync(files.markdown, "utf8");
    const rows = md.split("\n").filter((l) => l.startsWith("| PPO"));
    expect(rows).toHaveLength(AGENTS.length * ENVS.length);
    for (const agent of AGENTS)
      for (const env of ENVS) {
        const row = rows.find((r) => r.startsWith(`| ${agent.label} | ${env.label} |`));
        expect(row, `${agent.label} on ${env.label}`).toBeDefined();
        const cells = row!.split(" | ");
        expect(cells[3]).toMatch(/^[\d.]+ \[[\d.]+, [\d.]+\]$/); // IQM [lower, upper]
        expect(cells[4]).toBe(String(SEEDS.length));
        expect(cells[5]).toBe(agent.id === "lstm" ? "33,411" : "9,155");
      }
    expect(md).toContain("| P(PPO (LSTM 64) > PPO (MLP)) | 1 [1, 1] | 6 vs 6 |");
    expect(md).toContain(
      '95 % percentile intervals of a stratified bootstrap with 500 resamples, seed 3; each interval resamples from its own stream of the seed tree, `deriveSeed(3, "stats/<statistic>/<agent>/<env>")`, so no two intervals share resample indices.',
    );
    expect(md).toContain("Test CPU, 2 cores, Node v20.20.2, backend wasm");
    for (const name of ["learning-curves", "final-scores", "improvement", "performance-profiles"]) {
      expect(md).toContain(`](plots/${name}.png)`);
      const png = fs.readFileSync(path.join(dir, "plots", `${name}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.length).toBeGreaterThan(5000);
    }

    const html = fs.readFileSync(files.html, "utf8");
    // Self-contained: vega's runtime and the plots' specs are inline scripts; nothing is linked.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|<img|<iframe/i);
    expect(html.match(/<script[\s>]/g)).toHaveLength(3);
    const page = html.replace(/<script[\s\S]*?<\/script>/g, "");
    expect(page).not.toMatch(/url\(/i);
    const urls = [...page.matchAll(/https?:\/\/[^\s"'<)]+/g)].map((m) => m[0]);
    expect(urls.every((u) => u.startsWith("http://www.w3.org/"))).toBe(true); // SVG/XLink namespaces only
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html.match(/<details class="run">/g)).toHaveLength(AGENTS.length * ENVS.length * SEEDS.length);
    expect(html).toContain("&quot;backend&quot;: &quot;wasm&quot;");
    expect(html).toContain("pomdp experiment synthetic");
    expect(html).toContain(
      "CIs are 95 % percentile intervals of a stratified bootstrap with 500 resamples, seed 3; each interval resamples from its own stream of the seed tree, <code>deriveSeed(3, &quot;stats/&lt;statistic&gt;/&lt;agent&gt;/&lt;env&gt;&quot;)</code>, so no two intervals share resample indices.",
    );
  });

  it("names the bands' own number of resamples in the caption when it differs", async () => {
    const report = await buildReport(folder({ seeds: [1, 2, 3, 4] }), { resamples: 3000 });
    const line =
      "with 3,000 resamples (2,000 for the bands of the learning curves and performance profiles), seed 0;";
    expect(report.markdown).toContain(line);
    expect(report.html).toContain(line);
    const both = await buildReport(report.results.folder, {
      resamples: 3000,
      curveResamples: 100,
      profileResamples: 200,
    });
    expect(both.markdown).toContain(
      "with 3,000 resamples (100 for the learning curves' bands, 200 for the performance profiles'), seed 0;",
    );
  });

  it("says where an env has fewer than 4 seeds that the IQM is their mean and the interval about their range", async () => {
    const note = (envs: string) =>
      `Fewer than 4 seeds on ${envs}: there the IQM trims nothing (it is the mean of the seeds), and the 95 % percentile interval is close to the range of the seeds, [min, max].`;
    const three = await buildReport(folder(), { resamples: 2000 });
    expect(three.markdown).toContain(note("CartPole, no velocities (3), T-maze (3)"));
    expect(three.html).toContain(note("CartPole, no velocities (3), T-maze (3)"));
    // What the note says, on these 3 seeds: the IQM is the mean, the 95 % interval exactly [min, max]
    // (all three resampled runs are the lowest one with probability 1/27 > 2.5 %).
    for (const row of three.analysis.rows) {
      expect(row.iqm!.point).toBeCloseTo(row.mean!.point, 12);
      expect(row.iqm!.lower).toBeCloseTo(Math.min(...row.scores), 12);
      expect(row.iqm!.upper).toBeCloseTo(Math.max(...row.scores), 12);
    }

    const four = await buildReport(folder({ seeds: [1, 2, 3, 4] }), { resamples: 200 });
    expect(four.markdown).not.toContain("Fewer than 4 seeds");
    expect(four.html).not.toContain("Fewer than 4 seeds");

    const tmazeTwo = await buildReport(folder({ seeds: [1, 2, 3, 4], tmazeSeeds: 2 }), { resamples: 200 });
    expect(tmazeTwo.markdown).toContain(note("T-maze (2)"));
    const failed = await buildReport(folder({ failed: true }), { resamples: 200, confidence: 0.9 });
    expect(failed.markdown).toContain(
      "Fewer than 4 seeds on CartPole, no velocities (3), T-maze (2 or 3): there the IQM trims nothing (it is the mean of the seeds), and the 90 % percentile interval",
    );
  });

  it("draws the expected series in each SVG", async () => {
    const report = await buildReport(folder(), { resamples: 200 });
    const svg = Object.fromEntries(report.plots.map((p) => [p.name, p.svg]));
    expect(Object.keys(svg)).toEqual([
      "learning-curves",
      "final-scores",
      "improvement",
      "performance-profiles",
      "interval-estimates",
    ]);

    // Learning curves: an IQM line, a CI band and a thin line per seed for each agent × env, labelled
    // with the agent (the seeds' traces with the seed too).
    const lines = items(svg["learning-curves"], "line mark");
    expect(lines).toHaveLength(AGENTS.length * ENVS.length * (1 + SEEDS.length));
    expect(items(svg["learning-curves"], "area mark")).toHaveLength(AGENTS.length * ENVS.length);
    for (const a of AGENTS) {
      expect(lines.filter((l) => l.endsWith(`Agent: ${a.label}`))).toHaveLength(ENVS.length);
      for (const seed of SEEDS)
        expect(lines.filter((l) => l.includes(`${a.label} · seed ${seed}`))).toHaveLength(ENVS.length);
    }
    // Final scores: a CI rule and an IQM tick per agent × env.
    expect(items(svg["final-scores"], "rule mark")).toHaveLength(AGENTS.length * ENVS.length);
    expect(items(svg["final-scores"], "tick")).toHaveLength(AGENTS.length * ENVS.length);
    // P(improvement): the 0.5 line and one CI rule and tick for the one compared pair.
    expect(items(svg.improvement, "rule mark")).toHaveLength(2);
    expect(items(svg.improvement, "tick")).toEqual(["p: 1; pair: P(PPO (LSTM 64) &gt; PPO (MLP))"]);
    // Performance profiles over all envs (normalized): a line and a band per agent.
    expect(items(svg["performance-profiles"], "line mark")).toHaveLength(AGENTS.length);
    expect(items(svg["performance-profiles"], "area mark")).toHaveLength(AGENTS.length);
    // Interval estimates (rliable's four metrics over all envs): a CI bar and a point tick per agent × metric.
    expect(items(svg["interval-estimates"], "bar")).toHaveLength(AGENTS.length * 4);
    expect(items(svg["interval-estimates"], "tick")).toHaveLength(AGENTS.length * 4);

    // Same folder and bootstrap seed: the same report.
    const again = await buildReport(report.results.folder, { resamples: 200 });
    expect(again.markdown).toBe(report.markdown);
  });

  it("orders every plot's panels as the experiment lists its envs, not alphabetically", async () => {
    const report = await buildReport(folder({ envsReversed: true }), { resamples: 200 });
    for (const name of ["learning-curves", "final-scores"]) {
      const svg = report.plots.find((p) => p.name === name)?.svg ?? "";
      const tmaze = svg.indexOf(">T-maze<");
      const cartpole = svg.indexOf(">CartPole, no velocities<");
      expect(tmaze, name).toBeGreaterThan(0);
      expect(cartpole, name).toBeGreaterThan(tmaze);
    }
  });

  it("shows failed runs and counts only finished seeds", async () => {
    const report = await buildReport(folder({ failed: true }), { resamples: 200 });
    expect(report.markdown).toContain("| PPO (MLP) | T-maze |");
    expect(report.markdown).toMatch(/\| PPO \(MLP\) \| T-maze \| [^|]+ \| [^|]+ \| 2 of 3 \|/);
    expect(report.markdown).toContain("worker exited with code 1");
    // P(improvement) uses every finished run, per env: the MLP has one fewer on the T-maze.
    expect(report.markdown).toContain("| 6 vs 5 |");
  });

  it("states an env's own number of seeds, and counts its rows and P(improvement) on them", async () => {
    const report = await buildReport(folder({ tmazeSeeds: 2 }), { resamples: 200 });
    expect(report.markdown).toContain(
      "2 agents × 2 envs × 3 seeds (1, 2, 3), 10,000 env steps each (but T-maze: 2 seeds of 10,000 steps).",
    );
    expect(report.markdown).toMatch(/\| PPO \(MLP\) \| T-maze \| [^|]+ \| [^|]+ \| 2 \|/);
    expect(report.markdown).toMatch(/\| PPO \(MLP\) \| CartPole, no velocities \| [^|]+ \| [^|]+ \| 3 \|/);
    expect(report.markdown).toContain("| P(PPO (LSTM 64) > PPO (MLP)) | 1 [1, 1] | 5 vs 5 |");
    expect(report.html).toContain("(but T-maze: 2 seeds of 10,000 steps)");
  });

  it("gives each run's steps to solve on an env with a solvedAt threshold, and says what it means", async () => {
    const report = await buildReport(folder({ tmazeSolvedAt: 0.9 }), { resamples: 200 });
    const header = report.markdown.split("\n").find((l) => l.startsWith("| Agent"))!;
    expect(header).toContain("| Solved at (steps, by seed) |");
    // The made-up LSTM curve reaches 0.9 in every seed; the MLP's ceiling (0.6–0.7) never does.
    expect(report.markdown).toMatch(/\| PPO \(LSTM 64\) \| T-maze \| .* \| 3 of 3: \d+k, \d+k, \d+k \|/);
    expect(report.markdown).toMatch(/\| PPO \(MLP\) \| T-maze \| .* \| 0 of 3: —, —, — \|/);
    expect(report.markdown).toMatch(/\| PPO \(MLP\) \| CartPole, no velocities \| .* \| — \|/);
    expect(report.markdown).toContain(
      "Solved at: the env step where T-maze: the mean return of the last 5 training episodes reaches 0.9",
    );
    const lstm = report.analysis.rows.find((r) => r.agent === "lstm" && r.env === "TMaze-v0")!;
    expect(lstm.solvedSteps).toHaveLength(3);
    expect(report.html).toContain("Solved at (steps, by seed)");
  });

  it("finds the first step where a rolling mean reaches the threshold, never before a full window", () => {
    const episodes = [0, 1, 1, 0, 1, 1].map((r, i) => ({ step: 10 * (i + 1), return: r }));
    expect(stepsToSolve(episodes, 2 / 3, 3)).toBe(30);
    expect(stepsToSolve(episodes, 1, 3)).toBeNull();
    expect(stepsToSolve(episodes, 1, 2)).toBe(30);
    expect(stepsToSolve(episodes, 1, 1)).toBe(20);
    expect(stepsToSolve(episodes.slice(0, 2), 0, 3)).toBeNull();
    // A custom value: success when the return is above 0.5.
    const partial = [0.2, 0.7, 0.9].map((r, i) => ({ step: i + 1, return: r }));
    expect(stepsToSolve(partial, 1, 2, (e) => (e.return > 0.5 ? 1 : 0))).toBe(3);
  });

  it("draws a performance profile per env on raw scores when the envs have no baselines", async () => {
    const report = await buildReport(folder({ noBaselines: true }), { resamples: 200 });
    expect(report.analysis.profileScale).toBe("raw");
    expect(report.analysis.profiles.map((p) => `${p.group} ${p.agent}`)).toEqual(
      ENVS.flatMap((e) => AGENTS.map((a) => `${e.label} ${a.id}`)),
    );
    const svg = report.plots.find((p) => p.name === "performance-profiles")!.svg;
    expect(items(svg, "line mark")).toHaveLength(AGENTS.length * ENVS.length);
  });

  it("bins episode returns on a shared step grid, carrying forward and dropping points before every run has one", () => {
    const { step, values } = binCurves(
      [
        [
          { step: 5, return: 1 },
          { step: 10, return: 3 },
          { step: 35, return: 10 },
        ],
        [{ step: 15, return: 4 }],
      ],
      40,
      4,
    );
    expect(step).toEqual([20, 30, 40]);
    expect(values).toEqual([
      [2, 2, 10],
      [4, 4, 4],
    ]);
  });

  it("bins successes instead of returns when given the success of an episode", () => {
    const { values } = binCurves(
      [
        [
          { step: 5, return: 0 },
          { step: 10, return: 0.9 },
          { step: 35, return: 0.7 },
        ],
      ],
      40,
      4,
      (e) => (e.return > 0 ? 1 : 0),
    );
    expect(values).toEqual([[0.5, 0.5, 0.5, 1]]);
  });

  it("plots success rates for an env scored by success rate, and says so", async () => {
    const report = await buildReport(folder({ tmazeSuccess: true }), { resamples: 200 });
    const tmaze = report.analysis.curves.filter((c) => c.env === "TMaze-v0");
    const cartpole = report.analysis.curves.filter((c) => c.env === "CartPole-NoVel-v1");
    expect(tmaze.map((c) => c.quantity)).toEqual(["success", "success"]);
    expect(cartpole.map((c) => c.quantity)).toEqual(["return", "return"]);
    // Early made-up T-maze returns are small but above 0: as successes (return > 0.5) they count 0.
    const mlp = tmaze.find((c) => c.agent === "mlp")!;
    expect(mlp.iqm[0]).toBe(0);
    expect(Math.max(...tmaze.find((c) => c.agent === "lstm")!.iqm)).toBe(1);
    const plot = report.plots.find((p) => p.name === "learning-curves")!;
    expect(plot.svg).toContain("Episode return or success (IQM)");
    expect(plot.caption).toContain("successes, as 1 or 0, where the metric is the success rate");
    // The caption defines success by the env's threshold; the report scored only by return has no such line.
    const rule = "an episode succeeds when its return is above 0.5 (T-maze).";
    expect(report.markdown).toContain(rule);
    expect(report.html).toContain(rule);
    const byReturn = await buildReport(folder(), { resamples: 200 });
    expect(byReturn.markdown).not.toContain("an episode succeeds");
  });

  it("refuses a folder that is not a results folder with one line naming it, and writes nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-report-bad-"));
    folders.push(dir);
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      errors.push(args.join(" "));
    });
    try {
      expect(await main(["report", dir])).not.toBe(0);
      expect(await main(["report", path.join(dir, "missing")])).not.toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([
      `pomdp: ${dir} is not a results folder: it has no experiment.json`,
      `pomdp: ${path.join(dir, "missing")}: no such folder`,
    ]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("pomdp report on long runs", () => {
  it("handles runs with more episodes than a function call takes arguments (150k episode lines)", async () => {
    const dir = folder();
    const run = path.join(dir, "runs", fs.readdirSync(path.join(dir, "runs"))[0], "metrics.jsonl");
    const lines: string[] = [];
    for (let i = 1; i <= 150_000; i++)
      lines.push(`{"type":"episode","step":${i},"return":${i % 500},"length":1}`);
    fs.writeFileSync(run, `${lines.join("\n")}\n`);
    const report = await buildReport(dir, { resamples: 100 });
    expect(report.plots.map((p) => p.name)).toContain("learning-curves");
  });
});

describe("pomdp report: reconstructions", () => {
  it("shows the lowest seed's last reconstruction picture of each agent and env, copied into plots/, and keeps it when the runs' pictures are gone", async () => {
    const dir = folder();
    const agent = AGENTS[0];
    const env = ENVS[0];
    const png = (n: number) => Buffer.from(`not a real png ${n}`);
    // Seed 2 has a later picture, seed 1 two: the report takes seed 1's last (step 300).
    for (const [seed, steps] of [
      [1, [100, 300]],
      [2, [500]],
    ] as const) {
      for (const step of steps)
        fs.writeFileSync(
          path.join(dir, "runs", `${agent.id}--${env.id}--s${seed}`, `reconstructions-${step}.png`),
          png(step),
        );
    }
    const name = `reconstructions-${agent.id}--${env.id}.png`;
    const caption = `${agent.label} on ${env.label} (seed 1, env step 300)`;
    const first = await writeReport(dir, { resamples: 200, seed: 3 });
    expect(fs.readFileSync(path.join(dir, "plots", name))).toEqual(png(300));
    const md = fs.readFileSync(first.markdown, "utf8");
    expect(md).toContain("## Reconstructions");
    expect(md).toContain(`![${caption}](plots/${name})`);
    expect(md.match(/!\[[^\]]*\]\(plots\/reconstructions-/g)).toHaveLength(1); // only the agent with pictures
    expect(fs.readFileSync(first.html, "utf8")).toContain(`<img src="plots/${name}"`);
    // Committed results keep no run pictures: the copy in plots/ is still shown (without seed and step).
    for (const seed of [1, 2]) {
      const runDir = path.join(dir, "runs", `${agent.id}--${env.id}--s${seed}`);
      for (const f of fs.readdirSync(runDir))
        if (f.startsWith("reconstructions-")) fs.rmSync(path.join(runDir, f));
    }
    const again = await writeReport(dir, { resamples: 200, seed: 3 });
    expect(fs.readFileSync(again.markdown, "utf8")).toContain(
      `![${agent.label} on ${env.label}](plots/${name})`,
    );
    // Without a decoder anywhere there is no section.
    const plain = await writeReport(folder(), { resamples: 200, seed: 3 });
    expect(fs.readFileSync(plain.markdown, "utf8")).not.toContain("## Reconstructions");
  });
});

describe("pomdp report: success against memory length", () => {
  it("plots each agent's mean normalized score against memory length, one panel per family, with exact numbers", async () => {
    const dir = makeMemoryLengthFolder();
    folders.push(dir);
    const files = await writeReport(dir, { resamples: 2000 });
    const { analysis, plots, markdown, html } = await buildReport(dir, { resamples: 2000 });
    // Normalized as the runner does: T-maze (s − 0.5) / 0.5, RepeatPrevious (s + 0.5) / 1.5. With 3 seeds
    // the 95 % interval of the mean is exactly [min, max] (each is resampled thrice with p = 1/27 > 2.5 %).
    const expected: [string, string, string, number, number, number, number][] = [
      // agent, family, key, memory length, mean, lower, upper
      ["mlp", "T-maze", "tmaze-5", 5, 0.1, 0, 0.2],
      ["mlp", "T-maze", "tmaze-20", 20, -0.1 / 3, -0.1, 0],
      ["mlp", "RepeatPrevious", "repeat-k1", 1, (1 + 1 + 1.375 / 1.5) / 3, 1.375 / 1.5, 1],
      ["mlp", "RepeatPrevious", "repeat-k4", 4, 0, -0.125 / 1.5, 0.125 / 1.5],
      ["gru", "T-maze", "tmaze-5", 5, 1, 1, 1],
      ["gru", "T-maze", "tmaze-20", 20, 0.6, 0, 1],
      ["gru", "RepeatPrevious", "repeat-k1", 1, 1, 1, 1],
      ["gru", "RepeatPrevious", "repeat-k4", 4, (1 / 1.5 + 1 + 0.5) / 3, 0.5, 1],
    ];
    expect(analysis.memoryLengths.map((p) => [p.agent, p.family, p.env, p.memoryLength])).toEqual(
      expected.map((e) => e.slice(0, 4)),
    );
    analysis.memoryLengths.forEach((p, i) => {
      const [, , , , mean, lower, upper] = expected[i];
      expect(p.scores).toHaveLength(3);
      expect(p.mean.point, `${p.agent} ${p.env}`).toBeCloseTo(mean, 12);
      expect(p.mean.lower, `${p.agent} ${p.env}`).toBeCloseTo(lower, 12);
      expect(p.mean.upper, `${p.agent} ${p.env}`).toBeCloseTo(upper, 12);
    });
    // The entry without a memory length (CartPole) has no point; its rows are in the scores table.
    expect(analysis.memoryLengths.some((p) => p.env === "CartPole-NoVel-v1")).toBe(false);
    expect(analysis.rows.map((r) => r.env)).toEqual(
      ["mlp", "gru"].flatMap(() => ["tmaze-5", "tmaze-20", "repeat-k1", "repeat-k4", "CartPole-NoVel-v1"]),
    );

    // The plot: data points as computed, panels in the experiment's order, x on a log scale.
    const plot = plots.find((p) => p.name === "memory-length")!;
    expect(plot.title).toBe("Success against memory length");
    const lite = memoryLengthPlots(analysis.memoryLengths, ["PPO (MLP)", "PPO (GRU 64)"], 0.95)[0].spec as {
      data: {
        values: {
          kind: string;
          agent: string;
          family: string;
          memoryLength: number;
          mean?: number;
          score?: number;
        }[];
      };
      hconcat: {
        title: { text: string };
        layer: { name: string; encoding: { x?: { scale: { type: string }; axis: { values: number[] } } } }[];
      }[];
    };
    expect(lite.hconcat.map((panel) => panel.title.text)).toEqual(["T-maze", "RepeatPrevious"]);
    // Each panel ticks its own family's lengths only.
    expect(
      lite.hconcat.map(
        (panel, i) => panel.layer.find((l) => l.name === `mean-${i}`)?.encoding.x?.axis.values,
      ),
    ).toEqual([
      [5, 20],
      [1, 4],
    ]);
    const means = lite.data.values.filter((v) => v.kind === "mean");
    expect(means.map((v) => [v.agent, v.family, v.memoryLength])).toEqual(
      expected.map(([agent, family, , length]) => [
        agent === "mlp" ? "PPO (MLP)" : "PPO (GRU 64)",
        family,
        length,
      ]),
    );
    means.forEach((v, i) => {
      expect(v.mean).toBeCloseTo(expected[i][4], 12);
    });
    expect(lite.data.values.filter((v) => v.kind === "seed")).toHaveLength(8 * 3);
    expect(lite.hconcat[0].layer.find((l) => l.name === "mean-0")?.encoding.x?.scale.type).toBe("log");
    // The SVG: a line per agent and family, a CI rule per point, a legend of the agents, and the
    // chance line (dashed) in each panel.
    expect(items(plot.svg, "line mark")).toHaveLength(2 * 2);
    expect(items(plot.svg, "rule mark")).toHaveLength(8 + 2);
    expect(plot.svg).toContain(">PPO (GRU 64)</text>");
    expect(plot.svg.match(/stroke-dasharray="4,4"/g)).toHaveLength(2);

    // The table in report.md and report.html, and the PNG the README can show.
    expect(markdown).toContain("## Success against memory length");
    expect(markdown).toContain("| Family | Memory length | PPO (MLP) | PPO (GRU 64) |");
    expect(markdown).toContain("| T-maze | 5 | 0.100 [0, 0.200] | 1 [1, 1] |");
    expect(markdown).toContain("| T-maze | 20 | -0.033 [-0.100, 0] | 0.600 [0, 1] |");
    expect(markdown).toContain("| RepeatPrevious | 1 | 0.972 [0.917, 1] | 1 [1, 1] |");
    expect(markdown).toContain("| RepeatPrevious | 4 | 0 [-0.083, 0.083] | 0.722 [0.500, 1] |");
    expect(markdown).toContain("![Success against memory length](plots/memory-length.png)");
    expect(html).toContain('<table id="memory-length">');
    expect(html).toContain('data-plot="memory-length"');
    const png = fs.readFileSync(path.join(dir, "plots", "memory-length.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(files.plots).toContain(path.join(dir, "plots", "memory-length.png"));
  });
});
