import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { A2cConfigSchema, trainA2c } from "../../agents/a2c";
import { evaluateAgent } from "../../agents/evaluate";
import { loadAgent } from "../../agents/index";
import { findPreset } from "../../agents/presets";
import { initBackend, MANIFEST_FILE } from "../../src/nn";
import { ConfigError, validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "a2c-"));

/** The message `fn` throws (compared exactly). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

/** Trains on the bandit into a run folder; returns the folder. */
function trainBandit(over: Record<string, unknown>, seed = 1): { dir: string; finalReturnMean20: number } {
  const config = validateConfig(A2cConfigSchema, { totalSteps: 4000, ...over }, "a2c");
  const dir = path.join(tmp(), "run");
  const run = RunFolder.create(dir, { agent: "a2c", envId: "TestBandit-v0", envKwargs: {}, seed, config });
  const result = trainA2c(config, { envId: "TestBandit-v0", seed, run });
  run.close();
  result.net.dispose();
  return { dir, finalReturnMean20: result.summary.finalReturnMean20 ?? Number.NaN };
}

/** Fraction of arm-1 pulls over 200 evaluation episodes of the saved agent, greedy and sampled. */
function armOneShare(dir: string): { greedy: number; sampled: number } {
  const agent = loadAgent(dir);
  try {
    const share = (greedy: boolean) =>
      evaluateAgent(agent, { episodes: 200, seed: 11, greedy }).returns.reduce((a, b) => a + b, 0) / 200;
    return { greedy: share(true), sampled: share(false) };
  } finally {
    agent.net.dispose();
  }
}

describe("A2C learns a two-armed bandit in seconds", () => {
  it("SB3's defaults (RMSprop, 8 envs × 5 steps, lr 7e-4, 64-64 tanh): pulls the paying arm", () => {
    const { dir, finalReturnMean20 } = trainBandit({});
    expect(finalReturnMean20).toBeGreaterThanOrEqual(0.95);
    const share = armOneShare(dir);
    expect(share.greedy).toBeGreaterThanOrEqual(0.95);
    expect(share.sampled).toBeGreaterThanOrEqual(0.95);
    // One RMSprop step per rollout of 8 × 5 transitions: 4000 steps make 100 updates.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "final", MANIFEST_FILE), "utf8"));
    expect(manifest.optimizer).toEqual({ kind: "ClippedRmsprop", step: 100 });
  });

  it("recurrent A2C (LSTM, all env sequences in one step) and A2C with Adam learn it too", () => {
    for (const over of [{ net: { hidden: [16], lstm: 8 }, learningRate: 3e-3 }, { useRmsProp: false }]) {
      const { dir } = trainBandit(over, 2);
      const share = armOneShare(dir);
      expect(share.greedy).toBeGreaterThanOrEqual(0.95);
      expect(share.sampled).toBeGreaterThanOrEqual(0.95);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "final", MANIFEST_FILE), "utf8"));
      expect(manifest.optimizer.kind).toBe("useRmsProp" in over ? "ClippedAdam" : "ClippedRmsprop");
    }
  });

  for (const core of ["gru", "rnn"] as const) {
    it(`recurrent A2C with a ${core.toUpperCase()} learns it too`, () => {
      const { dir } = trainBandit(
        { net: { hidden: [16], memory: core, memorySize: 8 }, learningRate: 3e-3 },
        2,
      );
      const share = armOneShare(dir);
      expect(share.greedy).toBeGreaterThanOrEqual(0.95);
      expect(share.sampled).toBeGreaterThanOrEqual(0.95);
    }, 60_000);
  }
});

describe("A2C config", () => {
  it("has SB3's A2C defaults (8 envs as RL Zoo's CartPole) and the a2c-cartpole preset matches RL Zoo", () => {
    expect(validateConfig(A2cConfigSchema, {}, "a2c")).toEqual({
      totalSteps: 500_000,
      numEnvs: 8,
      numSteps: 5,
      learningRate: 7e-4,
      annealLr: false,
      gamma: 0.99,
      gaeLambda: 1,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      rmsPropEps: 1e-5,
      useRmsProp: true,
      normalizeAdvantage: false,
      net: {
        encoder: "mlp",
        hidden: [64, 64],
        activation: "tanh",
        lstm: 0,
        forgetBias: 0,
        sharedEncoder: false,
      },
      normalizeObservation: false,
      normalizeReward: false,
      frameStack: 0,
      previousAction: false,
      evalEvery: 0,
      evalEpisodes: 10,
      evalGreedy: false,
    });
    const preset = findPreset("a2c", "CartPole-v1", false);
    expect(preset?.name).toBe("a2c-cartpole");
    expect(validateConfig(A2cConfigSchema, preset!.config, "a2c")).toEqual(
      validateConfig(A2cConfigSchema, { numEnvs: 8, entCoef: 0 }, "a2c"),
    );
  });

  it("names the field of a bad value, and refuses PPO's fields", () => {
    const cases: [unknown, string][] = [
      [{ numSteps: 0 }, 'a2c config: field "numSteps": expected > 0, got 0'],
      [{ gaeLambda: 1.5 }, 'a2c config: field "gaeLambda": expected ≤ 1, got 1.5'],
      [{ useRmsProp: "yes" }, 'a2c config: field "useRmsProp": expected boolean, got "yes"'],
      [{ clipCoef: 0.2 }, 'a2c config: unknown field "clipCoef"'],
      [{ net: { lstm: -1 } }, 'a2c config: field "net.lstm": expected ≥ 0, got -1'],
    ];
    for (const [input, message] of cases) {
      expect(() => validateConfig(A2cConfigSchema, input, "a2c")).toThrow(ConfigError);
      expect(messageOf(() => validateConfig(A2cConfigSchema, input, "a2c"))).toBe(message);
    }
  });
});
