import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateAgent } from "../../agents/evaluate";
import { loadAgent } from "../../agents/index";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import "../../experiments/custom_env"; // RememberBit-v0, the README's own memory task
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ppo-"));

/** A small PPO config for tiny tasks. */
function smallConfig(over: Record<string, unknown> = {}) {
  return validateConfig(
    PpoConfigSchema,
    {
      numEnvs: 8,
      numSteps: 16,
      numMinibatches: 2,
      updateEpochs: 4,
      learningRate: 3e-3,
      entCoef: 0.01,
      net: { hidden: [16] },
      ...over,
    },
    "ppo",
  );
}

describe("PPO learns tiny tasks in seconds", () => {
  it("a two-armed bandit: pulls the paying arm", () => {
    const dir = tmp();
    const run = RunFolder.create(path.join(dir, "run"), {
      agent: "ppo",
      envId: "TestBandit-v0",
      envKwargs: {},
      seed: 1,
      config: smallConfig({ totalSteps: 2048 }),
    });
    const result = trainPpo(smallConfig({ totalSteps: 2048 }), { envId: "TestBandit-v0", seed: 1, run });
    run.close();
    result.net.dispose();
    expect(result.summary.finalReturnMean20).toBeGreaterThanOrEqual(0.95);
    const agent = loadAgent(path.join(dir, "run"));
    const evaluation = evaluateAgent(agent, { episodes: 50, seed: 3, greedy: true });
    expect(evaluation.returnMean).toBe(1);
    agent.net.dispose();
  });

  it("a one-step memory task (RememberBit, delay 1): the LSTM agent succeeds, the memoryless one cannot", () => {
    const train = (lstm: number) => {
      const config = smallConfig({
        totalSteps: 12_288,
        net: { hidden: [16], lstm, sharedEncoder: lstm > 0 },
      });
      const result = trainPpo(config, { envId: "RememberBit-v0", envKwargs: { delay: 1 }, seed: 2 });
      result.net.dispose();
      return result.summary.finalReturnMean20 ?? Number.NaN;
    };
    const withMemory = train(16);
    const without = train(0);
    // Returns are +1 (right) or −1 (wrong): 0.9 means 95 % right; a guess averages 0.
    expect(withMemory).toBeGreaterThanOrEqual(0.9);
    expect(without).toBeLessThan(0.5);
  });

  for (const core of ["gru", "rnn"] as const) {
    it(`the same task with a ${core.toUpperCase()} core: it succeeds too`, () => {
      const config = smallConfig({
        totalSteps: 12_288,
        net: { hidden: [16], memory: core, memorySize: 16, sharedEncoder: true },
      });
      const result = trainPpo(config, { envId: "RememberBit-v0", envKwargs: { delay: 1 }, seed: 2 });
      expect(result.net.memory).toEqual({ kind: core, size: 16 });
      result.net.dispose();
      expect(result.summary.finalReturnMean20 ?? Number.NaN).toBeGreaterThanOrEqual(0.9);
    }, 60_000);
  }
});

describe("PPO runs", () => {
  it("same seed → identical metrics.jsonl; another seed → different", () => {
    const dir = tmp();
    const metrics = (seed: number, name: string) => {
      const config = smallConfig({ totalSteps: 1024, net: { hidden: [8], lstm: 4 }, numMinibatches: 2 });
      const run = RunFolder.create(path.join(dir, name), { seed });
      trainPpo(config, { envId: "CartPole-NoVel-v1", seed, run }).net.dispose();
      run.close();
      // Drop the machine's figures (speed, memory); everything else must match bit for bit.
      return fs
        .readFileSync(path.join(dir, name, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => {
          const { sps: _sps, rssMb: _rss, ...rest } = JSON.parse(line);
          return JSON.stringify(rest);
        });
    };
    const a = metrics(7, "a");
    const b = metrics(7, "b");
    expect(a.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
    expect(metrics(8, "c")).not.toEqual(a);
  });

  it("leaks no tensors over 10,000 updates", () => {
    const config = smallConfig({
      totalSteps: 10_000,
      numEnvs: 1,
      numSteps: 1,
      numMinibatches: 1,
      updateEpochs: 1,
      net: { hidden: [4], lstm: 4 },
    });
    let tensorsAfterFirst = -1;
    let updates = 0;
    const before = tf.memory().numTensors;
    const result = trainPpo(config, {
      envId: "CartPole-v1",
      seed: 1,
      onUpdate: (p) => {
        updates = p.update;
        if (p.update === 1) tensorsAfterFirst = tf.memory().numTensors;
        else if (p.update % 1000 === 0) expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      },
    });
    expect(updates).toBe(10_000);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    result.net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("names the field when minibatches do not split the rollout", () => {
    expect(() =>
      trainPpo(smallConfig({ numEnvs: 3, net: { lstm: 4 } }), { envId: "CartPole-v1", seed: 1 }),
    ).toThrow(
      'ppo config: field "numMinibatches": 2 does not divide numEnvs (3); recurrent minibatches are whole envs',
    );
  });
});

describe("PPO config", () => {
  it("has CleanRL's defaults and names the field of a bad value", () => {
    const config = validateConfig(PpoConfigSchema, {}, "ppo");
    expect(config).toMatchObject({
      numEnvs: 4,
      numSteps: 128,
      learningRate: 2.5e-4,
      annealLr: true,
      gamma: 0.99,
      gaeLambda: 0.95,
      numMinibatches: 4,
      updateEpochs: 4,
      normAdv: true,
      clipCoef: 0.2,
      clipVloss: true,
      entCoef: 0.01,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      targetKl: null,
      adamEps: 1e-5,
      net: { encoder: "mlp", hidden: [64, 64], activation: "tanh", lstm: 0, sharedEncoder: false },
    });
    expect(() => validateConfig(PpoConfigSchema, { net: { lstm: -1 } }, "ppo")).toThrow(
      'ppo config: field "net.lstm": expected ≥ 0, got -1',
    );
    expect(() => validateConfig(PpoConfigSchema, { learningRate: "fast" }, "ppo")).toThrow(
      'ppo config: field "learningRate": expected number, got "fast"',
    );
    expect(() => validateConfig(PpoConfigSchema, { clipcoef: 0.1 }, "ppo")).toThrow(
      'ppo config: unknown field "clipcoef"',
    );
    expect(() => validateConfig(PpoConfigSchema, { net: { encoder: "rnn" } }, "ppo")).toThrow(
      'ppo config: field "net.encoder": expected one of "mlp", "cnn", got "rnn"',
    );
  });
});

describe("PPO with a CNN encoder", () => {
  it("trains on a gridworld's 7×7×3 view (uint8, scaled inside the network) without leaking tensors", () => {
    const config = smallConfig({
      totalSteps: 256,
      numEnvs: 2,
      numSteps: 64,
      net: { encoder: "cnn", hidden: [32], lstm: 8, sharedEncoder: true },
    });
    const before = tf.memory().numTensors;
    const result = trainPpo(config, { envId: "MiniGrid-Empty-5x5-v0", seed: 1 });
    expect(result.summary.steps).toBe(256);
    expect(result.net.observationBytes).toBe(true);
    result.net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const core of ["gru", "rnn"] as const) {
    it(`the same with a ${core.toUpperCase()} after the CNN: trains, changes its core's weights, leaks nothing`, () => {
      const config = smallConfig({
        totalSteps: 256,
        numEnvs: 2,
        numSteps: 64,
        net: { encoder: "cnn", hidden: [32], memory: core, memorySize: 8, sharedEncoder: true },
      });
      const before = tf.memory().numTensors;
      const result = trainPpo(config, { envId: "MiniGrid-Empty-5x5-v0", seed: 1 });
      expect(result.summary.steps).toBe(256);
      const kernel = result.net.params().get(`shared/${core}/recurrentKernel`)!;
      // Trained: the recurrent kernel left its orthogonal start (its Gram matrix is no longer I).
      const gram = tf.tidy(() => tf.matMul(kernel, kernel, false, true).dataSync());
      const H = 8;
      let offIdentity = 0;
      for (let i = 0; i < H; i++)
        for (let j = 0; j < H; j++)
          offIdentity = Math.max(offIdentity, Math.abs(gram[i * H + j] - (i === j ? 1 : 0)));
      expect(offIdentity).toBeGreaterThan(1e-4);
      result.net.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }, 60_000);
  }

  it("names the problem when an MLP meets images or a CNN meets vectors", () => {
    expect(() =>
      trainPpo(smallConfig({ net: { encoder: "cnn" } }), { envId: "CartPole-v1", seed: 1 }),
    ).toThrow('net.encoder "cnn" needs image observations [H, W, C], got shape [4]');
  });
});

describe("loading a run for evaluation", () => {
  it("takes the normalizer's statistics of a run whose envs normalized rewards, whatever its number of envs", () => {
    const dir = path.join(tmp(), "run");
    const config = smallConfig({
      totalSteps: 512,
      numEnvs: 4,
      normalizeObservation: true,
      normalizeReward: true,
      net: { hidden: [4], lstm: 4 },
    });
    const run = RunFolder.create(dir, {
      agent: "ppo",
      envId: "CartPole-NoVel-v1",
      envKwargs: {},
      seed: 1,
      config,
      backend: "wasm",
    });
    const trained = trainPpo(config, { envId: "CartPole-NoVel-v1", seed: 1, run });
    trained.net.dispose();
    run.close();
    // The 4 training envs' statistics, in an agent of 1 env (their running returns left behind).
    const { observation, reward } = trained.normalizer.getState();
    expect(observation!.count).toBeCloseTo(1e-4 + 4 + 512, 6); // the reset batch, then every step
    const agent = loadAgent(dir);
    expect(agent.normalizer.getState()).toEqual({ observation, reward, returns: [0] });
    // The loaded statistics are what evaluation normalizes with: (o − mean) / sqrt(var + 1e-8).
    const o = [0.1, -0.2];
    const normalized = Array.from(agent.normalizer.observations(o, 1));
    for (let j = 0; j < 2; j++) {
      const expected = (o[j] - observation!.mean[j]) / Math.sqrt(observation!.var[j] + 1e-8);
      expect(normalized[j]).toBeCloseTo(expected, 5);
    }
    // Evaluation leaves them as they are; CartPole pays 1 a step, so each return is its episode's length.
    const evaluation = evaluateAgent(agent, { episodes: 3, seed: 1, greedy: true });
    expect(agent.normalizer.getState()).toEqual({ observation, reward, returns: [0] });
    expect(evaluation.returns).toHaveLength(3);
    for (const r of evaluation.returns) expect(Number.isInteger(r) && r >= 1 && r <= 500).toBe(true);
    expect(evaluation.lengthMean).toBe(evaluation.returnMean);
    // Held-out seeds, but reproducible: the same seed gives the same episodes.
    expect(evaluateAgent(agent, { episodes: 3, seed: 1, greedy: true }).returns).toEqual(evaluation.returns);
    agent.net.dispose();
  });
});
