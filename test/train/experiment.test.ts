// The experiment runner spawned as users run it: runs in worker processes, scores, failures, re-runs.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { readEpisodes, readRunMetrics } from "../../src/report/results";
import {
  defineExperiment,
  type Executor,
  envSeeds,
  envSteps,
  experimentMetric,
  LocalProcessExecutor,
  planJobs,
  resolveSpec,
  runExperiment,
} from "../../src/train/experiment";

const tiny = defineExperiment({
  name: "tiny",
  question: "Does the runner run?",
  agents: [
    {
      id: "mlp",
      label: "PPO (MLP)",
      args: ["--agent", "ppo", "--set", "net.hidden=[8]", "--envs", "2", "--set", "numSteps=64"],
    },
    { id: "broken", label: "a run that fails", args: ["--agent", "ppo", "--set", "gamma=2"] },
  ],
  envs: [
    {
      id: "RememberBit-v0",
      args: ["--require", "experiments/custom_env.ts"],
      metric: "successRate",
      randomScore: 0.5,
      maxScore: 1,
    },
  ],
  steps: 256,
  seeds: 2,
  compare: [["mlp", "broken"]],
  evalEpisodes: 10,
  quick: { seeds: 1 },
});

describe("experiment runner", () => {
  it("runs every (agent, env, seed) in worker processes, scores them, reports failures without stopping, and skips finished runs", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-"));
    const lines: string[] = [];
    const executor = new LocalProcessExecutor(2);
    const scores = await runExperiment(tiny, {
      out,
      executor,
      command: "test",
      quick: false,
      log: (l) => lines.push(l),
    });
    expect(scores.map((s) => `${s.agent}/${s.seed}/${s.status}`).sort()).toEqual([
      "broken/1/failed",
      "broken/2/failed",
      "mlp/1/done",
      "mlp/2/done",
    ]);
    const failed = scores.find((s) => s.status === "failed")!;
    expect(failed.error).toContain('ppo config: field "gamma": expected ≤ 1, got 2');
    const done = scores.find((s) => s.status === "done")!;
    expect(done.score).toBeGreaterThanOrEqual(0);
    expect(done.score).toBeLessThanOrEqual(1);
    expect(done.normalizedScore).toBeCloseTo((done.score! - 0.5) / 0.5, 10);
    expect(done.parameters).toBeGreaterThan(0);
    const experiment = JSON.parse(fs.readFileSync(path.join(out, "experiment.json"), "utf8"));
    expect(experiment).toMatchObject({
      name: "tiny",
      steps: 256,
      seeds: [1, 2],
      compare: [["mlp", "broken"]],
    });
    expect(typeof experiment.finishedAt).toBe("string");
    expect(JSON.parse(fs.readFileSync(path.join(out, "scores.json"), "utf8"))).toHaveLength(4);
    expect(fs.existsSync(path.join(out, "runs", "mlp--RememberBit-v0--s1", "eval.json"))).toBe(true);
    // metrics.jsonl is kept gzipped (committed with results); the report reads its episodes and
    // updates from there when metrics.jsonl is gone.
    const run = path.join(out, "runs", "mlp--RememberBit-v0--s1");
    const fromMetrics = readRunMetrics(path.join(run, "metrics.jsonl"));
    expect(fromMetrics.episodes.length).toBeGreaterThan(0);
    expect(fromMetrics.updates.length).toBeGreaterThan(0);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "exp-episodes-"));
    fs.copyFileSync(path.join(run, "metrics.jsonl.gz"), path.join(copy, "metrics.jsonl.gz"));
    expect(readRunMetrics(path.join(copy, "metrics.jsonl"))).toEqual({
      ...fromMetrics,
      source: "metrics.jsonl.gz",
    });
    // Runs kept before it have their episode lines alone, in episodes.jsonl.gz.
    const older = fs.mkdtempSync(path.join(os.tmpdir(), "exp-episodes-"));
    const episodeLines = fs
      .readFileSync(path.join(run, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"episode"'))
      .join("\n");
    fs.writeFileSync(path.join(older, "episodes.jsonl.gz"), zlib.gzipSync(episodeLines));
    expect(readEpisodes(path.join(older, "metrics.jsonl"))).toEqual(fromMetrics.episodes);

    // A re-run skips finished runs: their files are not touched.
    const summary = path.join(out, "runs", "mlp--RememberBit-v0--s1", "summary.json");
    const before = fs.statSync(summary).mtimeMs;
    const again = await runExperiment(tiny, { out, executor, command: "test", quick: false });
    expect(fs.statSync(summary).mtimeMs).toBe(before);
    // …and the experiment keeps the date it was first started.
    const rerun = JSON.parse(fs.readFileSync(path.join(out, "experiment.json"), "utf8"));
    expect(rerun.startedAt).toBe(experiment.startedAt);
    const first = (list: typeof scores) => list.find((s) => s.agent === "mlp" && s.seed === 1)!.score;
    expect(first(again)).toBe(first(scores));
  }, 120_000);

  it("plans the grid, applies --quick, and refuses bad specs and worker counts", () => {
    expect(planJobs(tiny, "/r").map((j) => path.basename(j.dir))).toEqual([
      "mlp--RememberBit-v0--s1",
      "broken--RememberBit-v0--s1",
      "mlp--RememberBit-v0--s2",
      "broken--RememberBit-v0--s2",
    ]);
    expect(resolveSpec(tiny, { quick: true }).seeds).toBe(1);
    expect(resolveSpec(tiny, { quick: true, seeds: 3 }).seeds).toBe(3);
    expect(() => defineExperiment({ ...tiny, compare: [["mlp", "gru"]] })).toThrow(
      'experiment tiny: compare names agent "gru", which is not in agents',
    );
    expect(() => new LocalProcessExecutor(0)).toThrow("--workers must be an integer ≥ 1, got 0");
  });

  it("gives an env its own budget and number of seeds; --seeds overrides them all", () => {
    const costly = { id: "TMaze-v0", steps: 1000, seeds: 1 };
    const spec = defineExperiment({
      ...tiny,
      agents: [tiny.agents[0]],
      envs: [...tiny.envs, costly],
      compare: [],
    });
    expect(planJobs(spec, "/r").map((j) => path.basename(j.dir))).toEqual([
      "mlp--RememberBit-v0--s1",
      "mlp--TMaze-v0--s1",
      "mlp--RememberBit-v0--s2",
    ]);
    expect(envSteps(spec, spec.envs[0])).toBe(256);
    expect(envSteps(spec, costly)).toBe(1000);
    const three = resolveSpec(spec, { seeds: 3 });
    expect(planJobs(three, "/r")).toHaveLength(6);
    expect(envSeeds(three, three.envs[1])).toBe(3);
    expect(() => defineExperiment({ ...spec, envs: [{ id: "TMaze-v0", seeds: 0 }] })).toThrow(
      "experiment tiny: env TMaze-v0: seeds must be a positive integer, got 0",
    );
  });

  it("gives an agent fewer seeds than the env's; --seeds overrides it too", () => {
    const spec = defineExperiment({
      ...tiny,
      agents: [
        { ...tiny.agents[0], seeds: 1 },
        { ...tiny.agents[0], id: "all" },
      ],
      seeds: 3,
      compare: [],
    });
    expect(planJobs(spec, "/r").map((j) => path.basename(j.dir))).toEqual([
      "mlp--RememberBit-v0--s1",
      "all--RememberBit-v0--s1",
      "all--RememberBit-v0--s2",
      "all--RememberBit-v0--s3",
    ]);
    expect(planJobs(resolveSpec(spec, { seeds: 2 }), "/r")).toHaveLength(4);
    expect(() => defineExperiment({ ...spec, agents: [{ ...tiny.agents[0], seeds: 1.5 }] })).toThrow(
      "experiment tiny: agent mlp: seeds must be a positive integer, got 1.5",
    );
  });

  it("passes an env's budget and its per-agent flags to pomdp train (after the agent's own)", async () => {
    const spec = defineExperiment({
      ...tiny,
      envs: [{ id: "TMaze-v0", steps: 1000, seeds: 1, agentArgs: { broken: ["--lstm", "128"] } }],
    });
    const trained: string[][] = [];
    let scoresWhenSecondStarted = "";
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-args-"));
    // An executor that records the commands and writes what a finished run and its eval leave behind.
    const executor: Executor = {
      concurrency: 1,
      async run(args) {
        if (args[0] === "train") {
          trained.push(args);
          // scores.json grows as runs finish: when the second run starts, the first is in it.
          if (trained.length === 2)
            scoresWhenSecondStarted = fs.readFileSync(path.join(out, "scores.json"), "utf8");
          const dir = args[args.indexOf("--out") + 1];
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(
            path.join(dir, "summary.json"),
            JSON.stringify({ steps: 1000, sps: 1, parameters: 1 }),
          );
        } else {
          fs.writeFileSync(args[args.indexOf("--out") + 1], JSON.stringify({ returns: [1], returnMean: 1 }));
        }
        return "";
      },
    };
    await runExperiment(spec, { out, executor, command: "test", quick: false });
    expect(JSON.parse(scoresWhenSecondStarted).map((s: { run: string }) => s.run)).toEqual([
      path.join("runs", "mlp--TMaze-v0--s1"),
    ]);
    // --score-only: a run without summary.json is neither started nor scored; the finished one is,
    // and experiment.json keeps the command that trained the runs.
    const readRecord = () => JSON.parse(fs.readFileSync(path.join(out, "experiment.json"), "utf8"));
    const finishedAt = readRecord().finishedAt;
    expect(typeof finishedAt).toBe("string");
    // Run again with every run finished: nothing trains, and the experiment keeps its finishing date.
    const before = trained.length;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await runExperiment(spec, { out, executor, command: "test", quick: false });
    expect(trained.length).toBe(before);
    expect(readRecord().finishedAt).toBe(finishedAt);
    fs.rmSync(path.join(out, "runs", "broken--TMaze-v0--s1", "summary.json"));
    const scored = await runExperiment(spec, {
      out,
      executor,
      command: "rescore",
      quick: false,
      scoreOnly: true,
    });
    expect(trained.length).toBe(before);
    expect(scored.map((s) => s.run)).toEqual([path.join("runs", "mlp--TMaze-v0--s1")]);
    expect(readRecord().command).toBe("test");
    expect(readRecord().finishedAt).toBe(finishedAt);
    const flags = (agent: string) => trained.find((a) => a.join(" ").includes(`${agent}--TMaze`)) ?? [];
    expect(flags("mlp").slice(0, 3)).toEqual(["train", "--env", "TMaze-v0"]);
    expect(flags("mlp")).not.toContain("--lstm");
    expect(flags("broken").join(" ")).toContain("--set gamma=2 --lstm 128 --steps 1000 --seed 1");
    expect(flags("mlp").join(" ")).toContain("--steps 1000 --seed 1");
    expect(() => defineExperiment({ ...spec, envs: [{ id: "TMaze-v0", agentArgs: { gru: [] } }] })).toThrow(
      'experiment tiny: env TMaze-v0: agentArgs names agent "gru", which is not in agents',
    );
  });

  it("runs one env id at several settings: a key each (run folders, scores.json), its kwargs to train and eval, its memory length in experiment.json", async () => {
    const tmaze = (length: number) => ({
      id: "TMaze-v0",
      key: `tmaze-${length}`,
      kwargs: { length },
      memoryLength: length,
      family: "T-maze",
      metric: "successRate" as const,
      randomScore: 0.5,
      maxScore: 1,
    });
    const spec = defineExperiment({
      ...tiny,
      agents: [tiny.agents[0]],
      envs: [tmaze(5), tmaze(20), { id: "CartPole-NoVel-v1", steps: 512 }],
      compare: [],
      seeds: 1,
    });
    expect(planJobs(spec, "/r").map((j) => path.basename(j.dir))).toEqual([
      "mlp--tmaze-5--s1",
      "mlp--tmaze-20--s1",
      "mlp--CartPole-NoVel-v1--s1",
    ]);
    const commands: string[][] = [];
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-kwargs-"));
    const executor: Executor = {
      concurrency: 1,
      async run(args) {
        commands.push(args);
        if (args[0] === "train") {
          const dir = args[args.indexOf("--out") + 1];
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(
            path.join(dir, "summary.json"),
            JSON.stringify({ steps: 256, sps: 1, parameters: 1 }),
          );
        } else {
          fs.writeFileSync(
            args[args.indexOf("--out") + 1],
            JSON.stringify({ returns: [4, -0.1, 4, 4], returnMean: 2.975 }),
          );
        }
        return "";
      },
    };
    const scores = await runExperiment(spec, { out, executor, command: "test", quick: false });
    const of = (verb: string, run: string) =>
      commands.find((c) => c[0] === verb && c.join(" ").includes(`/${run}`)) ?? [];
    expect(of("train", "mlp--tmaze-20--s1").slice(0, 3)).toEqual(["train", "--env", "TMaze-v0"]);
    expect(of("train", "mlp--tmaze-20--s1").join(" ")).toContain(
      '--env-kwargs {"length":20} --steps 256 --seed 1',
    );
    expect(of("eval", "mlp--tmaze-20--s1").join(" ")).toContain('--env-kwargs {"length":20} --out');
    expect(of("train", "mlp--CartPole-NoVel-v1--s1")).not.toContain("--env-kwargs");
    expect(of("eval", "mlp--CartPole-NoVel-v1--s1")).not.toContain("--env-kwargs");
    expect(scores.map((s) => [s.env, s.run, s.score, s.normalizedScore])).toEqual([
      ["tmaze-5", path.join("runs", "mlp--tmaze-5--s1"), 0.75, 0.5],
      ["tmaze-20", path.join("runs", "mlp--tmaze-20--s1"), 0.75, 0.5],
      ["CartPole-NoVel-v1", path.join("runs", "mlp--CartPole-NoVel-v1--s1"), 2.975, undefined],
    ]);
    const envs = JSON.parse(fs.readFileSync(path.join(out, "experiment.json"), "utf8")).envs;
    expect(envs[1]).toMatchObject({
      id: "TMaze-v0",
      key: "tmaze-20",
      label: "tmaze-20",
      kwargs: { length: 20 },
      memoryLength: 20,
      family: "T-maze",
    });
    expect(envs[2]).toMatchObject({ id: "CartPole-NoVel-v1", key: "CartPole-NoVel-v1", steps: 512 });
    // The report reads the entries back by key.
    const { readResults } = await import("../../src/report/results");
    expect(readResults(out).runs.map((r) => r.dir)).toEqual(scores.map((s) => s.run));
  });

  it("refuses entries of one id without keys of their own, and bad kwargs, memory lengths and families", () => {
    const bad = (envs: Parameters<typeof defineExperiment>[0]["envs"]) => () =>
      defineExperiment({ ...tiny, agents: [tiny.agents[0]], compare: [], envs });
    expect(bad([{ id: "TMaze-v0" }, { id: "TMaze-v0", kwargs: { length: 20 } }])).toThrow(
      'experiment tiny: env TMaze-v0 appears twice: give each entry of one env id its own key (e.g. "TMaze-v0-2")',
    );
    expect(bad([{ id: "TMaze-v0", key: "a b" }])).toThrow(
      'env key "a b" must be letters, digits, "-", "_" or "."',
    );
    expect(
      bad([
        { id: "TMaze-v0", key: "a", label: "T" },
        { id: "TMaze-v0", key: "b", label: "T" },
      ]),
    ).toThrow('env label "T" appears twice');
    expect(bad([{ id: "TMaze-v0", kwargs: { length: 5 }, args: ["--env-kwargs", "{}"] }])).toThrow(
      "env TMaze-v0: kwargs and an --env-kwargs in args: give one",
    );
    expect(bad([{ id: "TMaze-v0", kwargs: [5] as unknown as Record<string, unknown> }])).toThrow(
      "env TMaze-v0: kwargs must be an object of make() keyword arguments",
    );
    expect(bad([{ id: "TMaze-v0", memoryLength: 0 }])).toThrow(
      "env TMaze-v0: memoryLength must be a positive number, got 0",
    );
    expect(bad([{ id: "TMaze-v0", memoryLength: 10 }])).toThrow(
      "env TMaze-v0: memoryLength needs randomScore and maxScore (its figure plots normalized scores)",
    );
    expect(bad([{ id: "TMaze-v0", family: "T-maze" }])).toThrow(
      "env TMaze-v0: family groups entries by memoryLength, which it does not have",
    );
  });
});

describe("experimentMetric", () => {
  it("names the envs' common metric, or mixed when they differ", () => {
    expect(
      experimentMetric([{ id: "CartPole-v1" }, { id: "CartPole-NoVel-v1", metric: "finalReturn" }]),
    ).toBe("finalReturn");
    expect(
      experimentMetric([
        { id: "TMaze-v0", key: "a", metric: "successRate" },
        { id: "TMaze-v0", key: "b", metric: "successRate" },
      ]),
    ).toBe("successRate");
    expect(experimentMetric([{ id: "CartPole-v1" }, { id: "TMaze-v0", metric: "successRate" }])).toBe(
      "mixed",
    );
  });
});
