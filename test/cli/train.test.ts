// `pomdp train` and `pomdp eval` spawned as a user runs them, on tiny budgets.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");

function pomdp(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "train-cli-"));

describe("pomdp train / eval", () => {
  it("trains a user's own env loaded with --require, writes the run folder, and evaluates it", () => {
    const out = path.join(tmp(), "run");
    const train = pomdp(
      "train",
      "--require",
      "experiments/custom_env.ts",
      "--env",
      "RememberBit-v0",
      "--lstm",
      "8",
      "--steps",
      "1024",
      "--envs",
      "4",
      "--set",
      "numSteps=32",
      "--set",
      "net.hidden=[8]",
      "--seed",
      "3",
      "--out",
      out,
    );
    expect(train.stderr).not.toMatch(/Error/);
    expect(train.code).toBe(0);
    const printed = JSON.parse(train.stdout.trim().split("\n").pop()!);
    expect(printed).toMatchObject({ run: out, steps: 1024 });
    for (const file of [
      "config.json",
      "metrics.jsonl",
      "summary.json",
      "log.jsonl",
      "final/weights.json",
      "final/weights.bin",
      "final/agent-state.json",
    ])
      expect(fs.existsSync(path.join(out, file))).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
    expect(config).toMatchObject({
      agent: "ppo",
      envId: "RememberBit-v0",
      seed: 3,
      preset: null,
      backend: "wasm",
      // The wasm build and its threads (auto: the idle cores), see src/nn/wasm_threads.ts.
      wasmBuild: expect.stringMatching(/^(threaded-)?simd$/),
      wasmThreads: expect.any(Number),
      wasmThreadsChoice: expect.any(String),
    });
    expect(config.config).toMatchObject({ numEnvs: 4, numSteps: 32, net: { lstm: 8, hidden: [8] } });
    expect(config.versions.node).toBe(process.version);
    const lines = fs
      .readFileSync(path.join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const episode = lines.find((l) => l.type === "episode");
    expect(Object.keys(episode).sort()).toEqual(["length", "return", "step", "type"]);
    const update = lines.find((l) => l.type === "update");
    for (const key of [
      "step",
      "sps",
      "policyLoss",
      "valueLoss",
      "entropy",
      "approxKl",
      "clipFrac",
      "explainedVariance",
      "learningRate",
    ])
      expect(typeof update[key]).toBe("number");
    expect(lines.filter((l) => l.type === "update")).toHaveLength(8);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(["steps", "seconds", "sps", "finalReturnMean20"]),
    );

    const evaluation = pomdp(
      "eval",
      out,
      "--episodes",
      "5",
      "--require",
      "experiments/custom_env.ts",
      "--env-kwargs",
      '{"delay": 2}',
    );
    expect(evaluation.code).toBe(0);
    const result = JSON.parse(evaluation.stdout.trim().split("\n").pop()!);
    expect(result).toMatchObject({ episodes: 5, lengthMean: 3, envKwargs: { delay: 2 } });
    expect(typeof result.returnMean).toBe("number");
  }, 120_000);

  it("refuses a bad config with one line naming the field, exit code ≠ 0, and no run folder", () => {
    const out = path.join(tmp(), "never");
    for (const [args, message] of [
      [["--set", "gamma=2"], 'pomdp: ppo config: field "gamma": expected ≤ 1, got 2'],
      [["--set", "net.lstm=1.5"], 'pomdp: ppo config: field "net.lstm": expected integer, got 1.5'],
      [["--set", "clipcoef=0.1"], 'pomdp: ppo config: unknown field "clipcoef"'],
      [["--agent", "sac"], 'pomdp: --agent "sac": unknown agent; expected one of ppo'],
      [["--preset", "fast"], 'pomdp: --preset "fast": no such preset; expected none or one of ppo-cartpole'],
    ] as const) {
      const r = pomdp("train", "--env", "CartPole-v1", "--out", out, ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")[0]).toContain(message);
      expect(fs.existsSync(out)).toBe(false);
    }
    const unknownEnv = pomdp("train", "--env", "CartPole-v9", "--out", out);
    expect(unknownEnv.code).not.toBe(0);
    expect(unknownEnv.stderr).toContain('No env registered with id "CartPole-v9". Did you mean');
  }, 60_000);

  it("an env that cannot be made (bad --env-kwargs) writes no run folder; the retry with the same --out trains", () => {
    const out = path.join(tmp(), "run");
    const tiny = ["--steps", "64", "--envs", "2", "--set", "numSteps=32", "--set", "net.hidden=[8]", "-q"];
    const bad = pomdp("train", "--env", "CartPole-v1", "--env-kwargs", '{"bogus": 1}', ...tiny, "--out", out);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'pomdp: make(CartPole-v1): unknown option "bogus"; expected one of maxEpisodeSteps, suttonBartoReward, renderWidth, renderHeight',
    );
    expect(fs.existsSync(out)).toBe(false);
    const kwargs = '{"suttonBartoReward": true}';
    const good = pomdp("train", "--env", "CartPole-v1", "--env-kwargs", kwargs, ...tiny, "--out", out);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
    expect(config.envKwargs).toEqual({ suttonBartoReward: true });
    expect(config).not.toHaveProperty("require"); // only a run with --require records modules
  }, 60_000);

  it("never overwrites an existing run folder", () => {
    const out = tmp();
    fs.writeFileSync(path.join(out, "keep.txt"), "mine");
    const r = pomdp("train", "--env", "CartPole-v1", "--steps", "512", "--out", out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `--out ${out}: the folder exists and is not empty; pick a new folder (runs are never overwritten)`,
    );
    expect(fs.readdirSync(out)).toEqual(["keep.txt"]);
  }, 60_000);

  it("eval names what is missing in a folder that is not a run", () => {
    const r = pomdp("eval", tmp());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is not a finished run folder: config\.json is missing/);
  }, 60_000);
});
