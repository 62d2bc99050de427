// A run takes whole updates: asked for fewer steps than one update, it is rounded up to one update and
// says so (stderr through the env warnings' handler, and log.jsonl); rounded down to whole updates, it
// notes it in log.jsonl only. metrics.jsonl is what the run did, unchanged.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { A2cConfigSchema, trainA2c } from "../../agents/a2c";
import { DqnConfigSchema, trainDqn } from "../../agents/dqn";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import type { TrainableNet, TrainContext, TrainResult } from "../../agents/training_loop";
import { setWarningHandler } from "../../src/core/warnings";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

let restore: ((message: string) => void) | undefined;
afterEach(() => {
  if (restore) setWarningHandler(restore);
  restore = undefined;
});

/** Trains into a fresh run folder; returns the warnings, metrics.jsonl's update lines and log.jsonl's messages. */
function run(
  agent: string,
  config: { totalSteps: number },
  train: (ctx: TrainContext) => TrainResult<TrainableNet>,
): { warnings: string[]; updates: { step: number }[]; log: { level: number; msg: string }[] } {
  const warnings: string[] = [];
  restore = setWarningHandler((m) => warnings.push(m));
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rounding-")), "run");
  const folder = RunFolder.create(dir, { agent, envId: "TestBandit-v0", envKwargs: {}, seed: 1, config });
  const result = train({ envId: "TestBandit-v0", seed: 1, run: folder });
  folder.close();
  result.net.dispose();
  const lines = (file: string) =>
    fs
      .readFileSync(path.join(dir, file), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  return {
    warnings,
    updates: lines("metrics.jsonl").filter((l) => l.type === "update"),
    log: lines("log.jsonl"),
  };
}

describe("steps rounded to whole updates", () => {
  it("PPO asked for 1 step runs one rollout (2 envs × 8 steps) and warns that it is rounded up to 16", () => {
    const config = validateConfig(PpoConfigSchema, { totalSteps: 1, numEnvs: 2, numSteps: 8 }, "ppo");
    const r = run("ppo", config, (ctx) => trainPpo(config, ctx));
    const message =
      "TestBandit-v0: totalSteps 1 is fewer than one update (16 steps): the run is rounded up to 16 steps";
    expect(r.warnings).toEqual([message]);
    expect(r.log).toContainEqual(expect.objectContaining({ level: 40, msg: message, totalSteps: 16 }));
    expect(r.updates.map((u) => u.step)).toEqual([16]);
  });

  it("A2C and DQN warn the same way (one update of 8 × 5 steps; DQN's logEvery steps)", () => {
    const a2c = validateConfig(A2cConfigSchema, { totalSteps: 1 }, "a2c");
    expect(run("a2c", a2c, (ctx) => trainA2c(a2c, ctx)).warnings).toEqual([
      "TestBandit-v0: totalSteps 1 is fewer than one update (40 steps): the run is rounded up to 40 steps",
    ]);
    const dqn = validateConfig(
      DqnConfigSchema,
      { totalSteps: 1, logEvery: 100, learningStarts: 50, bufferSize: 100 },
      "dqn",
    );
    expect(run("dqn", dqn, (ctx) => trainDqn(dqn, ctx)).warnings).toEqual([
      "TestBandit-v0: totalSteps 1 is fewer than one update (100 steps): the run is rounded up to 100 steps",
    ]);
  });

  it("rounded down to whole updates, or exact, it does not warn; rounded down, log.jsonl says so", () => {
    const down = validateConfig(A2cConfigSchema, { totalSteps: 100 }, "a2c");
    const r = run("a2c", down, (ctx) => trainA2c(down, ctx));
    expect(r.warnings).toEqual([]);
    expect(r.updates.map((u) => u.step)).toEqual([40, 80]);
    expect(r.log).toContainEqual(
      expect.objectContaining({ level: 30, msg: "the run is rounded down to 80 steps, whole updates of 40" }),
    );
    const exact = validateConfig(A2cConfigSchema, { totalSteps: 80 }, "a2c");
    const e = run("a2c", exact, (ctx) => trainA2c(exact, ctx));
    expect(e.warnings).toEqual([]);
    expect(e.log.map((l) => l.msg).join("\n")).not.toContain("rounded");
  });
});
