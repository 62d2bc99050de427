import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ActorCritic } from "../../agents/actor_critic";
import { RolloutCollector } from "../../agents/collector";
import { actorCriticFor, makeAgentVectorEnv } from "../../agents/env_setup";
import { computeGae, gatherSequences, RolloutBuffer } from "../../agents/rollout";
import { SyncVectorEnv } from "../../src/core";
import { Rng } from "../../src/core/rng";
import { initBackend } from "../../src/nn";
import { VecNormalizer } from "../../src/train/normalize";
import { silentLogger } from "../nn/helpers";
import { CountdownEnv, registerTestEnvs } from "./helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const mlpNet = {
  encoder: "mlp" as const,
  hidden: [8],
  activation: "tanh" as const,
  lstm: 0,
  sharedEncoder: false,
};

describe("GAE", () => {
  it("matches hand-computed advantages and returns, without bootstrapping across an episode end", () => {
    const buf = new RolloutBuffer(3, 1, 1);
    buf.rewards.set([1, 2, 3]);
    buf.values.set([0.5, 0.6, 0.7]);
    buf.ended.set([0, 1, 0]);
    computeGae(buf, [0.4], 0.9, 0.8);
    // t=2: 3 + 0.9·0.4 − 0.7 = 2.66; t=1 ended: 2 − 0.6 = 1.4; t=0: 1 + 0.9·0.6 − 0.5 + 0.9·0.8·1.4 = 2.048
    expect(Array.from(buf.advantages)).toEqual([2.048, 1.4, 2.66].map(Math.fround));
    expect(Array.from(buf.returns).map((x) => Number(x.toFixed(5)))).toEqual([2.548, 2, 3.36]);
  });

  it("keeps envs apart in the time-major layout (row t·N + i)", () => {
    const buf = new RolloutBuffer(2, 2, 1);
    buf.rewards.set([1, 10, 1, 10]); // env 0 earns 1, env 1 earns 10
    buf.values.fill(0);
    computeGae(buf, [0, 0], 1, 1);
    expect(Array.from(buf.advantages)).toEqual([2, 20, 1, 10]);
  });

  it("λ = 1 gives discounted n-step returns bootstrapped from the last value", () => {
    const buf = new RolloutBuffer(3, 1, 1);
    buf.rewards.set([1, 1, 1]);
    buf.values.set([0, 0, 0]);
    computeGae(buf, [10], 0.5, 1);
    expect(Array.from(buf.returns)).toEqual([1 + 0.5 + 0.25 + 0.125 * 10, 1 + 0.5 + 0.25 * 10, 1 + 0.5 * 10]);
  });
});

describe("rollout collection", () => {
  function collectOnce(truncate: boolean) {
    const env = new SyncVectorEnv([() => new CountdownEnv(3, truncate)]);
    const net = new ActorCritic({ observationShape: [2], numActions: 2, net: mlpNet, seed: 3 });
    const normalizer = new VecNormalizer({
      observationSize: 2,
      numEnvs: 1,
      observations: false,
      rewards: false,
      gamma: 0.9,
    });
    const collector = new RolloutCollector(env, net, normalizer, new Rng(1), 0.9, 0);
    const buf = new RolloutBuffer(4, 1, 2);
    const episodes: number[] = [];
    collector.collect(buf, (e) => episodes.push(e.return));
    const finalValue = net.stateValue(Float32Array.of(0, 1));
    net.dispose();
    return { buf, episodes, finalValue };
  }

  it("a truncated episode bootstraps from its final observation's value; a terminated one does not", () => {
    const terminated = collectOnce(false);
    expect(Array.from(terminated.buf.rewards)).toEqual([1, 1, 1, 1]);
    expect(Array.from(terminated.buf.ended)).toEqual([0, 0, 1, 0]);
    expect(Array.from(terminated.buf.episodeStarts)).toEqual([1, 0, 0, 1]);
    expect(terminated.episodes).toEqual([3]);
    const truncated = collectOnce(true);
    expect(truncated.buf.rewards[2]).toBeCloseTo(1 + 0.9 * truncated.finalValue, 6);
    expect(truncated.finalValue).not.toBe(0);
    expect(Array.from(truncated.buf.ended)).toEqual([0, 0, 1, 0]);
    expect(truncated.episodes).toEqual([3]);
  });
});

describe("recurrent state at episode boundaries", () => {
  const lstmNet = {
    encoder: "mlp" as const,
    hidden: [8],
    activation: "tanh" as const,
    lstm: 6,
    sharedEncoder: false,
  };

  const cores = [
    ["LSTM", lstmNet],
    ["GRU", { ...lstmNet, lstm: 0, memory: "gru" as const, memorySize: 6 }],
    ["RNN", { ...lstmNet, lstm: 0, memory: "rnn" as const, memorySize: 6 }],
  ] as const;
  for (const [core, coreNet] of cores)
    it(`zeroes the ${core} state of exactly the env whose episode ended, while acting and in the update's replay`, () => {
      // Two sub-envs whose episodes end at different steps (lengths 2 and 3).
      const env = new SyncVectorEnv([() => new CountdownEnv(2), () => new CountdownEnv(3)]);
      const net = new ActorCritic({ observationShape: [2], numActions: 2, net: coreNet, seed: 5 });
      expect(net.memory.kind).toBe(core.toLowerCase());
      const normalizer = new VecNormalizer({
        observationSize: 2,
        numEnvs: 2,
        observations: false,
        rewards: false,
        gamma: 0.9,
      });
      const collector = new RolloutCollector(env, net, normalizer, new Rng(2), 0.9, 0);
      const buf = new RolloutBuffer(7, 2, 2);
      collector.collect(buf, () => {});
      expect(Array.from({ length: 7 }, (_, t) => buf.episodeStarts[2 * t])).toEqual([1, 0, 1, 0, 1, 0, 1]);
      expect(Array.from({ length: 7 }, (_, t) => buf.episodeStarts[2 * t + 1])).toEqual([
        1, 0, 0, 1, 0, 0, 1,
      ]);

      // Reference: each env alone, its own state zeroed only at its own episode starts.
      for (const i of [0, 1]) {
        const state = net.initialState(1);
        for (let t = 0; t < 7; t++) {
          const row = 2 * t + i;
          const obs = buf.observations.subarray(row * 2, row * 2 + 2);
          const { values } = net.act(obs, 1, new Rng(0), state, [buf.episodeStarts[row]]);
          expect(values[0]).toBeCloseTo(buf.values[row], 6);
        }
      }

      // Replay (the update's path): unroll from the stored initial state with the stored reset masks.
      const before = tf.memory().numTensors;
      const mb = gatherSequences(buf, Int32Array.of(1, 0), net);
      const replayed = tf.tidy(() => {
        const ev = net.evaluate(
          net.observationTensor(mb.observations, mb.rows),
          tf.tensor1d(mb.actions, "int32"),
          mb.initialState,
          tf.tensor1d(mb.episodeStarts!),
        );
        return tf.stack([ev.value, ev.logProb]);
      });
      const [values, logProbs] = (replayed.arraySync() as number[][]).map((r) => Float32Array.from(r));
      replayed.dispose();
      for (let k = 0; k < mb.rows; k++) {
        expect(values[k]).toBeCloseTo(mb.values[k], 5);
        expect(logProbs[k]).toBeCloseTo(mb.logProbs[k], 5);
      }
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
    });

  it("replays a Minigrid Memory rollout exactly as it was acted on (one-hot views, shared LSTM, many episode ends)", () => {
    const N = 4;
    const T = 64;
    const env = makeAgentVectorEnv(
      // Truncated at 20 steps: an untrained agent's episodes end often inside a rollout.
      {
        envId: "MiniGrid-MemoryS7-v0",
        envKwargs: { maxSteps: 20 },
        encoder: "mlp",
        frameStack: 0,
        previousAction: false,
      },
      N,
    );
    const net = actorCriticFor(
      env,
      { encoder: "mlp", hidden: [16], activation: "tanh", lstm: 32, forgetBias: 1, sharedEncoder: true },
      3,
    );
    const F = env.singleObservationSpace.size;
    const normalizer = new VecNormalizer({
      observationSize: F,
      numEnvs: N,
      observations: false,
      rewards: false,
      gamma: 0.99,
    });
    const collector = new RolloutCollector(env, net, normalizer, new Rng(2), 0.99, 5);
    const buf = new RolloutBuffer(T, N, F);
    let starts = 0;
    for (let rollout = 0; rollout < 2; rollout++) {
      collector.collect(buf, () => {});
      for (let k = 0; k < T * N; k++) starts += buf.episodeStarts[k];
      for (let i = 0; i < N; i++) {
        const mb = gatherSequences(buf, Int32Array.of(i), net);
        const out = tf.tidy(() => {
          const ev = net.evaluate(
            net.observationTensor(mb.observations, mb.rows),
            tf.tensor1d(mb.actions, "int32"),
            mb.initialState,
            tf.tensor1d(mb.episodeStarts!),
          );
          return tf.stack([ev.value, ev.logProb]);
        });
        const [values, logProbs] = out.arraySync() as number[][];
        out.dispose();
        for (let k = 0; k < mb.rows; k++) {
          expect(values[k]).toBeCloseTo(mb.values[k], 5);
          expect(logProbs[k]).toBeCloseTo(mb.logProbs[k], 5);
        }
      }
    }
    expect(starts).toBeGreaterThan(4 * N); // episodes ended and began inside the rollouts
    net.dispose();
  });
});

describe("agent envs", () => {
  it("gridworld views become one-hot vectors for an MLP and 7×7×3 bytes for a CNN", () => {
    const mlp = makeAgentVectorEnv(
      { envId: "MiniGrid-Empty-5x5-v0", encoder: "mlp", frameStack: 0, previousAction: false },
      2,
    );
    expect(mlp.singleObservationSpace.dtype).toBe("float32");
    const cnn = makeAgentVectorEnv(
      { envId: "MiniGrid-Empty-5x5-v0", encoder: "cnn", frameStack: 0, previousAction: false },
      2,
    );
    expect(cnn.singleObservationSpace.shape).toEqual([7, 7, 3]);
    expect(cnn.singleObservationSpace.dtype).toBe("uint8");
    const stacked = makeAgentVectorEnv(
      { envId: "CartPole-NoVel-v1", encoder: "mlp", frameStack: 4, previousAction: true },
      1,
    );
    expect(stacked.singleObservationSpace.size).toBe(4 * (2 + 2 + 1));
  });
});
