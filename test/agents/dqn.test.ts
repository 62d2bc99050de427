import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bestValue,
  type DqnConfig,
  DqnConfigSchema,
  DrqnConfigSchema,
  linearSchedule,
  ReplayCollector,
  softUpdate,
  tdLoss,
  trainDqn,
  trainDrqn,
} from "../../agents/dqn";
import { evaluateAgent } from "../../agents/evaluate";
import { loadAgent } from "../../agents/index";
import { findPreset } from "../../agents/presets";
import { QNetwork } from "../../agents/q_network";
import { ReplayBuffer } from "../../agents/replay";
import { TrainingInterrupted } from "../../agents/training_loop";
import { Rng } from "../../src/core/rng";
import { SyncVectorEnv } from "../../src/core/vector";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { VecNormalizer } from "../../src/train/normalize";
import { RunFolder } from "../../src/train/run_folder";
import "../../experiments/custom_env"; // RememberBit-v0
import { silentLogger } from "../nn/helpers";
import { CountdownEnv, metricLines, registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "dqn-"));

/** A small DQN config for tiny tasks. */
function smallConfig(
  over: Record<string, unknown> = {},
  schema: typeof DqnConfigSchema | typeof DrqnConfigSchema = DqnConfigSchema,
): DqnConfig {
  return validateConfig(
    schema,
    {
      totalSteps: 2000,
      bufferSize: 1000,
      learningStarts: 100,
      trainFrequency: 2,
      batchSize: 16,
      targetNetworkFrequency: 50,
      explorationFraction: 0.3,
      learningRate: 3e-3,
      logEvery: 100,
      net: { hidden: [16] },
      ...over,
    },
    "dqn",
  );
}

describe("DQN's pieces", () => {
  it("ε falls linearly from startE to endE over the exploration steps, then stays (CleanRL's linear_schedule)", () => {
    expect(linearSchedule(1, 0.05, 250_000, 0)).toBe(1);
    expect(linearSchedule(1, 0.05, 250_000, 125_000)).toBeCloseTo(0.525, 12);
    expect(linearSchedule(1, 0.05, 250_000, 250_000)).toBeCloseTo(0.05, 12);
    expect(linearSchedule(1, 0.05, 250_000, 400_000)).toBe(0.05);
  });

  it("the target network: a hard copy with τ = 1, Polyak averaging with τ < 1", () => {
    const net = () => ({ observationShape: [3], numActions: 2, net: mlp([4]) });
    const online = new QNetwork({ ...net(), seed: 1 });
    const target = new QNetwork({ ...net(), seed: 2 });
    const values = (q: QNetwork) => [...q.params().values()].map((v) => Array.from(v.dataSync()));
    const before = values(target);
    const source = values(online);
    expect(before).not.toEqual(source);
    softUpdate(target.params(), online.params(), 0.25);
    const mixed = values(target);
    for (let l = 0; l < mixed.length; l++)
      for (let i = 0; i < mixed[l].length; i++)
        expect(mixed[l][i]).toBeCloseTo(0.25 * source[l][i] + 0.75 * before[l][i], 6);
    softUpdate(target.params(), online.params(), 1);
    expect(values(target)).toEqual(source);
    online.dispose();
    target.dispose();
  });

  it("the Double DQN target: the online network picks the action, the target network values it", () => {
    // One next observation, 3 actions: target Q [1, 5, 2], online Q [4, 0, 3].
    const q = Float32Array.of(1, 5, 2, 4, 0, 3);
    expect(bestValue(q, 0, 3, false)).toBe(5); // DQN: max of the target's
    expect(bestValue(q, 0, 3, true)).toBe(1); // Double: the target's value of the online argmax (action 0)
    // y = r + γ·(1 − terminated)·value: 0.5 + 0.9·1 with Double DQN, 0.5 + 0.9·5 with DQN.
    expect(0.5 + 0.9 * bestValue(q, 0, 3, true)).toBeCloseTo(1.4, 12);
  });

  it("the TD loss op: value and gradient of mse and Huber against autodiff, masked rows left out", () => {
    const q = tf.tensor2d([3, -1, 0.5, 2, 4, 4, -2, 1], [4, 2]);
    const actions = Int32Array.of(0, 1, 0, 1);
    const targets = Float32Array.of(1, -0.5, 4, 0);
    const mask = Float32Array.of(1, 1, 0, 1);
    for (const kind of ["mse", "huber"] as const) {
      const reference = (x: tf.Tensor2D) => {
        const chosen = tf.sum(tf.mul(x, tf.oneHot(tf.tensor1d(actions, "int32"), 2)), 1);
        const error = tf.sub(chosen, tf.tensor1d(targets));
        const abs = tf.abs(error);
        const quadratic = tf.minimum(abs, 1);
        const each =
          kind === "mse"
            ? tf.square(error)
            : tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(abs, quadratic));
        return tf.div(tf.sum(tf.mul(each, tf.tensor1d(mask))), 3) as tf.Scalar;
      };
      const stats = { tdLoss: 0, qMean: 0 };
      const ours = tf.valueAndGrad((x: tf.Tensor) =>
        tdLoss(x as tf.Tensor2D, actions, targets, mask, kind, stats),
      )(q);
      const theirs = tf.valueAndGrad((x: tf.Tensor) => reference(x as tf.Tensor2D))(q);
      expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0], 5);
      expect(Array.from(ours.grad.dataSync())).toEqual(
        Array.from(theirs.grad.dataSync()).map((v) => expect.closeTo(v, 5)),
      );
      expect(stats.tdLoss).toBeCloseTo(theirs.value.dataSync()[0], 5);
      expect(stats.qMean).toBeCloseTo((3 + 2 + 1) / 3, 6);
      tf.dispose([ours.value, ours.grad, theirs.value, theirs.grad]);
    }
    q.dispose();
  });
});

function mlp(hidden: number[], lstm = 0, core: "lstm" | "gru" | "rnn" = "lstm") {
  const memory = core === "lstm" || lstm === 0 ? { lstm } : { lstm: 0, memory: core, memorySize: lstm };
  return { encoder: "mlp" as const, hidden, activation: "relu" as const, ...memory, sharedEncoder: true };
}

/** Two countdown envs whose episodes end at different steps (lengths 2 and 3). */
function countdowns(truncate: boolean): SyncVectorEnv {
  return new SyncVectorEnv([() => new CountdownEnv(2, truncate), () => new CountdownEnv(3, truncate)]);
}

function collector(env: SyncVectorEnv, net: QNetwork): ReplayCollector {
  const normalizer = new VecNormalizer({
    observationSize: 2,
    numEnvs: 2,
    observations: false,
    rewards: false,
    gamma: 0.99,
  });
  return new ReplayCollector(env, net, normalizer, new Rng(1), 0);
}

describe("DQN's collector", () => {
  it("terminated vs truncated: the bootstrap mask stores termination only; the next observation is the final one", () => {
    for (const truncate of [false, true]) {
      const net = new QNetwork({ observationShape: [2], numActions: 2, net: mlp([4]), seed: 1 });
      const env = countdowns(truncate);
      const buffer = new ReplayBuffer({ capacity: 20, numEnvs: 2, observationSize: 2 });
      const c = collector(env, net);
      const episodes: number[] = [];
      for (let t = 0; t < 6; t++) c.collect(buffer, (e) => episodes.push(e.length));
      expect(episodes).toEqual([2, 3, 2, 2, 3]);
      // Env 0 ends at its steps 2, 4, 6 (rows 1, 3, 5); env 1 at 3, 6 (rows 2, 5).
      const ended = [0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1];
      const byRow = (a: Uint8Array) =>
        Array.from({ length: 12 }, (_, k) => a[(k % 6) * 2 + Math.floor(k / 6)]);
      expect(byRow(buffer.ended)).toEqual(ended);
      expect(byRow(buffer.terminated)).toEqual(truncate ? new Array(12).fill(0) : ended);
      // The final observation (0 steps left) is the next observation where an episode ended.
      expect(Array.from(buffer.nextObservations.subarray(0, 2))).toEqual([0.5, 1]); // env 0, step 1
      expect(Array.from(buffer.nextObservations.subarray(4, 6))).toEqual([0, 1]); // env 0, its last step
      expect(byRow(buffer.episodeStarts)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0]);
      env.close();
      net.dispose();
    }
  });

  for (const core of ["lstm", "gru", "rnn"] as const)
    it(`DRQN: the ${core.toUpperCase()} state is zeroed per env where its episode ended, and only there`, () => {
      const net = new QNetwork({ observationShape: [2], numActions: 2, net: mlp([4], 3, core), seed: 2 });
      net.epsilon = 0;
      const env = countdowns(false);
      const buffer = new ReplayBuffer({
        capacity: 20,
        numEnvs: 2,
        observationSize: 2,
        stateSize: 3,
        stateParts: net.stateParts,
      });
      const c = collector(env, net);
      for (let t = 0; t < 6; t++) c.collect(buffer, () => {});
      // The stored state (what each env acted with) is zero exactly at episode starts.
      for (let slot = 0; slot < 6; slot++) {
        for (let e = 0; e < 2; e++) {
          const row = slot * 2 + e;
          const h = buffer.h.subarray(row * 3, row * 3 + 3);
          expect(h.every((v) => v === 0)).toBe(buffer.episodeStarts[row] === 1);
        }
      }
      // Each env's state is that of a single env acting on its own episode from a zero state.
      for (let e = 0; e < 2; e++) {
        const state = net.initialState(1);
        for (let slot = 0; slot < 6; slot++) {
          const row = slot * 2 + e;
          net.act(
            buffer.observations.subarray(row * 2, row * 2 + 2),
            1,
            new Rng(0),
            state,
            [buffer.episodeStarts[row]],
            true,
          );
        }
        expect(Array.from(c.state.h.subarray(e * 3, e * 3 + 3))).toEqual(Array.from(state.h));
        expect(Array.from(c.state.c.subarray(e * 3, e * 3 + 3))).toEqual(Array.from(state.c));
      }
      expect(c.state.c.length).toBe(core === "lstm" ? 6 : 0);
      env.close();
      net.dispose();
    });
});

describe("DQN learns tiny tasks in seconds", () => {
  it("a two-armed bandit: the greedy policy pulls the paying arm", () => {
    const dir = path.join(tmp(), "run");
    const config = smallConfig({ totalSteps: 1500 });
    const run = RunFolder.create(dir, {
      agent: "dqn",
      envId: "TestBandit-v0",
      envKwargs: {},
      seed: 1,
      config,
    });
    const result = trainDqn(config, { envId: "TestBandit-v0", seed: 1, run });
    run.close();
    result.net.dispose();
    const agent = loadAgent(dir);
    expect(evaluateAgent(agent, { episodes: 50, seed: 3, greedy: true }).returnMean).toBe(1);
    // Without --greedy: ε-greedy with endE (0.05), so about 2.5 % of pulls are of the wrong arm.
    expect(evaluateAgent(agent, { episodes: 400, seed: 3, greedy: false }).returnMean).toBeGreaterThan(0.94);
    agent.net.dispose();
  });

  it("a one-step memory task (RememberBit, delay 1): DRQN succeeds, DQN cannot", () => {
    const dir = tmp();
    const train = (lstm: number) => {
      const agent = lstm > 0 ? "drqn" : "dqn";
      const config = smallConfig(
        { totalSteps: 3000, sequenceLength: 2, numEnvs: 2, net: { hidden: [16], lstm } },
        lstm > 0 ? DrqnConfigSchema : DqnConfigSchema,
      );
      const ctx = { envId: "RememberBit-v0", envKwargs: { delay: 1 }, seed: 2 };
      const run = RunFolder.create(path.join(dir, agent), { agent, ...ctx, config });
      const result = (lstm > 0 ? trainDrqn : trainDqn)(config, { ...ctx, run });
      run.close();
      result.net.dispose();
      // The final agent acting greedily, its LSTM state carried through each episode.
      const loaded = loadAgent(path.join(dir, agent));
      const evaluation = evaluateAgent(loaded, { episodes: 100, seed: 5, greedy: true });
      loaded.net.dispose();
      return { training: result.summary.finalReturnMean20 ?? Number.NaN, eval: evaluation.returnMean };
    };
    // Returns are +1 (right) or −1 (wrong); training still explores with ε = 0.05.
    const drqn = train(16);
    expect(drqn.training).toBeGreaterThanOrEqual(0.8);
    expect(drqn.eval).toBe(1);
    const dqn = train(0);
    expect(dqn.training).toBeLessThan(0.5);
    expect(dqn.eval).toBeLessThan(0.5);
  });

  for (const core of ["gru", "rnn"] as const) {
    it(`the same task with a ${core.toUpperCase()} core (stored states, burn-in): DRQN succeeds, and its run loads`, () => {
      const dir = tmp();
      const config = smallConfig(
        {
          totalSteps: 3000,
          sequenceLength: 2,
          burnIn: 1,
          initialState: "stored",
          numEnvs: 2,
          net: { hidden: [16], memory: core, memorySize: 16 },
        },
        DrqnConfigSchema,
      );
      expect(config.initialState).toBe("stored");
      const ctx = { envId: "RememberBit-v0", envKwargs: { delay: 1 }, seed: 2 };
      const run = RunFolder.create(dir, { agent: "drqn", ...ctx, config });
      const result = trainDrqn(config, { ...ctx, run });
      run.close();
      expect(result.net.memory).toEqual({ kind: core, size: 16 });
      result.net.dispose();
      const loaded = loadAgent(dir);
      const evaluation = evaluateAgent(loaded, { episodes: 100, seed: 5, greedy: true });
      loaded.net.dispose();
      expect(result.summary.finalReturnMean20 ?? Number.NaN).toBeGreaterThanOrEqual(0.8);
      expect(evaluation.returnMean).toBe(1);
    }, 60_000);
  }
});

describe("DQN and DRQN runs", () => {
  const variants: [string, Record<string, unknown>][] = [
    ["DQN", {}],
    [
      "Double DQN with Huber loss, Polyak τ and 3 envs",
      { double: true, loss: "huber", tau: 0.1, numEnvs: 3 },
    ],
    ["DRQN from zero states", { net: { hidden: [8], lstm: 4 }, sequenceLength: 3 }],
    [
      "Double DRQN with a burn-in from stored states, 2 envs",
      {
        net: { hidden: [8], lstm: 4 },
        sequenceLength: 3,
        burnIn: 2,
        initialState: "stored",
        double: true,
        numEnvs: 2,
      },
    ],
    ...(["gru", "rnn"] as const).map((core): [string, Record<string, unknown>] => [
      `DRQN with a ${core.toUpperCase()}, a burn-in from stored states, 2 envs`,
      {
        net: { hidden: [8], memory: core, memorySize: 4 },
        sequenceLength: 3,
        burnIn: 2,
        initialState: "stored",
        numEnvs: 2,
      },
    ]),
  ];

  it.each(variants)("%s: the same seed gives the same metrics.jsonl, another seed others", (_, over) => {
    const dir = tmp();
    const metrics = (seed: number, name: string) => {
      const config = smallConfig({ totalSteps: 600, ...over });
      const run = RunFolder.create(path.join(dir, name), { seed });
      trainDqn(config, { envId: "CartPole-NoVel-v1", seed, run }).net.dispose();
      run.close();
      return metricLines(path.join(dir, name));
    };
    const a = metrics(7, "a");
    expect(a.length).toBeGreaterThan(10);
    expect(a.filter((l) => l.includes('"tdLoss":') && !l.includes('"tdLoss":null')).length).toBeGreaterThan(
      3,
    );
    expect(metrics(7, "b")).toEqual(a);
    expect(metrics(8, "c")).not.toEqual(a);
  });

  it.each(variants)("%s: leaks no tensors over its updates", (_, over) => {
    const config = smallConfig({ totalSteps: 1000, trainFrequency: 1, learningStarts: 50, ...over });
    const before = tf.memory().numTensors;
    let afterFirst = -1;
    const result = trainDqn(config, {
      envId: "CartPole-v1",
      seed: 1,
      onUpdate: (p) => {
        if (p.update === 2) afterFirst = tf.memory().numTensors;
        else if (p.update > 2) expect(tf.memory().numTensors).toBe(afterFirst);
      },
    });
    expect(afterFirst).toBeGreaterThan(0);
    result.net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stopped after update 6 and resumed (replay buffer, target network, ε, streams from the checkpoint): the same metrics and weights as one straight run", () => {
    const config = smallConfig({
      totalSteps: 1200,
      net: { hidden: [8], lstm: 4 },
      sequenceLength: 3,
      burnIn: 1,
      initialState: "stored",
      numEnvs: 2,
    });
    const ctx = { envId: "CartPole-NoVel-v1", seed: 4 };
    const straightDir = path.join(tmp(), "straight");
    const straight = RunFolder.create(straightDir, {});
    trainDrqn(config, { ...ctx, run: straight, checkpointEvery: 4 }).net.dispose();
    straight.close();

    const stoppedDir = path.join(tmp(), "stopped");
    const first = RunFolder.create(stoppedDir, {});
    let updates = 0;
    expect(() =>
      trainDrqn(config, {
        ...ctx,
        run: first,
        checkpointEvery: 4,
        onUpdate: () => updates++,
        shouldStop: () => updates >= 6,
      }),
    ).toThrow(TrainingInterrupted);
    first.close();
    const checkpoint = path.join(stoppedDir, "checkpoint");
    expect(fs.readdirSync(checkpoint).sort()).toEqual([
      "replay",
      "target",
      "train-state.json",
      "weights.bin",
      "weights.json",
    ]);
    const second = RunFolder.reopen(stoppedDir);
    const result = trainDrqn(config, { ...ctx, run: second, resume: true });
    second.close();
    result.net.dispose();
    expect(result.summary.steps).toBe(1200);
    expect(metricLines(stoppedDir)).toEqual(metricLines(straightDir));
    expect(fs.readFileSync(path.join(stoppedDir, "final/weights.bin"))).toEqual(
      fs.readFileSync(path.join(straightDir, "final/weights.bin")),
    );
  });
});

describe("DQN config", () => {
  it("has CleanRL's dqn.py defaults, the preset names them, and a bad value names its field", () => {
    const defaults = {
      totalSteps: 500_000,
      numEnvs: 1,
      learningRate: 2.5e-4,
      bufferSize: 10_000,
      gamma: 0.99,
      tau: 1,
      targetNetworkFrequency: 500,
      batchSize: 128,
      startE: 1,
      endE: 0.05,
      explorationFraction: 0.5,
      learningStarts: 10_000,
      trainFrequency: 10,
      double: false,
      loss: "mse",
      maxGradNorm: null,
      net: { encoder: "mlp", hidden: [120, 84], activation: "relu", lstm: 0 },
    };
    expect(validateConfig(DqnConfigSchema, {}, "dqn")).toMatchObject(defaults);
    const preset = findPreset("dqn", "CartPole-v1", false);
    expect(preset?.name).toBe("dqn-cartpole");
    expect(validateConfig(DqnConfigSchema, preset?.config, "dqn")).toEqual(
      validateConfig(DqnConfigSchema, {}, "dqn"),
    );
    expect(validateConfig(DrqnConfigSchema, {}, "drqn")).toMatchObject({ batchSize: 32, net: { lstm: 64 } });
    // The flicker experiment's DRQN settings are the presets of the CartPole POMDPs.
    for (const envId of ["CartPole-Flicker-v1", "CartPole-NoVel-v1"]) {
      const drqn = findPreset("drqn", envId, false);
      expect(validateConfig(DrqnConfigSchema, drqn?.config, "drqn")).toMatchObject({
        learningRate: 1e-3,
        burnIn: 4,
        initialState: "stored",
        net: { hidden: [64], lstm: 64 },
      });
    }
    expect(() => validateConfig(DqnConfigSchema, { tau: 0 }, "dqn")).toThrow(
      'dqn config: field "tau": expected > 0, got 0',
    );
    expect(() => validateConfig(DqnConfigSchema, { loss: "l1" }, "dqn")).toThrow(
      'dqn config: field "loss": expected one of "mse", "huber", got "l1"',
    );
    expect(() => validateConfig(DqnConfigSchema, { net: { sharedEncoder: true } }, "dqn")).toThrow(
      'dqn config: unknown field "sharedEncoder" in "net"',
    );
    expect(() => validateConfig(DrqnConfigSchema, { net: { lstm: 0 } }, "drqn")).toThrow(
      'drqn config: field "net.lstm": expected > 0, got 0',
    );
  });
});

describe("pomdp train --agent dqn and pomdp eval", () => {
  it("writes a run folder with tdLoss, qMean and epsilon on its update lines; eval loads the Q-network", () => {
    const dir = path.join(tmp(), "run");
    const bin = path.join(__dirname, "../../src/bin.js");
    const env = { ...process.env, POMDP_LOG_LEVEL: "warn" };
    const train = spawnSync(
      process.execPath,
      [
        bin,
        "train",
        "-e",
        "CartPole-v1",
        "--agent",
        "dqn",
        "--steps",
        "3000",
        "--set",
        "learningStarts=1000",
        "--out",
        dir,
        "-q",
      ],
      { encoding: "utf8", env },
    );
    expect(train.stderr).toBe("");
    expect(train.status).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    expect(config).toMatchObject({ agent: "dqn", preset: "dqn-cartpole" });
    const updates = fs
      .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === "update");
    expect(updates.length).toBe(3);
    // ε falls over half of the 3000 steps: at 1000 steps it is 1 − 0.95 · 999 / 1500.
    expect(updates[0]).toMatchObject({
      step: 1000,
      gradientSteps: 0,
      tdLoss: null,
      epsilon: expect.closeTo(1 - (0.95 * 999) / 1500, 9),
    });
    expect(updates[2]).toMatchObject({ step: 3000, gradientSteps: 100, epsilon: 0.05 });
    expect(updates[2].tdLoss).toBeGreaterThan(0);
    expect(typeof updates[2].qMean).toBe("number");
    const evaluation = spawnSync(process.execPath, [bin, "eval", dir, "--episodes", "3", "--greedy"], {
      encoding: "utf8",
      env,
    });
    expect(evaluation.status).toBe(0);
    expect(JSON.parse(evaluation.stdout)).toMatchObject({ episodes: 3, greedy: true, envId: "CartPole-v1" });
  }, 60_000);
});
