import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { graphTdStep, softUpdate } from "../../agents/dqn";
import { QNetwork } from "../../agents/q_network";
import { transitionBatch } from "../../agents/replay";
import { FusedTdStep } from "../../agents/td_fused";
import { Rng } from "../../src/core/rng";
import { ClippedAdam } from "../../src/nn";
import { expectHeapGrowthChangesNothing, growHeapOnEveryAlloc, useBackend } from "../nn/helpers";

const F = 4;
const A = 3;
const B = 32;
const net = () => ({
  observationShape: [F],
  numActions: A,
  net: {
    encoder: "mlp" as const,
    hidden: [24, 20],
    activation: "relu" as const,
    lstm: 0,
    sharedEncoder: true,
  },
});

/** Online and target networks (the target a copy, as DQN starts) and Adam, the same for every seed. */
function learner() {
  const online = new QNetwork({ ...net(), seed: 3 });
  const target = new QNetwork({ ...net(), seed: 3 });
  // A target that differs from the online network, so that a wrong one shows in the targets.
  for (const v of target.params().values()) v.assign(tf.mul(v, 0.9));
  const optimizer = new ClippedAdam(online.params(), { learningRate: 1e-2, maxGradNorm: 10 });
  return { online, target, optimizer };
}

/** The k-th batch of random transitions (observations, next observations, actions, rewards, bootstraps). */
function batches(count: number) {
  const rng = new Rng(11);
  return Array.from({ length: count }, () => {
    const batch = transitionBatch(B, F);
    for (let i = 0; i < batch.observations.length; i++) batch.observations[i] = rng.normal();
    for (let i = 0; i < B; i++) {
      batch.actions[i] = Math.floor(rng.random() * A);
      batch.rewards[i] = rng.normal();
      batch.bootstrap[i] = rng.random() < 0.1 ? 0 : 1;
    }
    return batch;
  });
}

const weights = (q: QNetwork) => [...q.params().values()].map((v) => Float32Array.from(v.dataSync()));

for (const backend of ["wasm", "cpu"] as const) {
  describe(`DQN's fused TD step against the TF.js graph step (${backend} backend)`, () => {
    afterAll(async () => useBackend("wasm"));

    for (const settings of [
      { loss: "mse" as const, double: false },
      { loss: "huber" as const, double: true },
    ]) {
      it(`${settings.loss}${settings.double ? ", Double DQN" : ""}: the same losses, Q means and weights after 25 Adam steps`, async () => {
        await useBackend(backend);
        const config = { ...settings, batchSize: B, gamma: 0.99 };
        const data = batches(25);
        const graph = learner();
        const fused = learner();
        const graphStep = graphTdStep(graph.online, graph.target, graph.optimizer, config);
        const fusedStep = FusedTdStep.tryCreate(fused.online, fused.target, fused.optimizer, config, B)!;
        expect(fusedStep).toBeDefined();
        const tensors = tf.memory().numTensors;
        fusedStep.pull();
        for (const batch of data) {
          const expected = { ...graphStep(batch) };
          const got = fusedStep.step(batch);
          expect(Math.abs(got.tdLoss - expected.tdLoss)).toBeLessThan(1e-4 * Math.max(1, expected.tdLoss));
          expect(Math.abs(got.qMean - expected.qMean)).toBeLessThan(
            1e-4 * Math.max(1, Math.abs(expected.qMean)),
          );
        }
        fusedStep.push();
        expect(tf.memory().numTensors).toBe(tensors);
        expect(fused.optimizer.step).toBe(25);
        const want = weights(graph.online);
        weights(fused.online).forEach((w, k) => {
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - want[k][i])).toBeLessThan(1e-4);
        });
        // The target network: Polyak averaging on the heap as softUpdate does it in the graph.
        fusedStep.pull();
        fusedStep.updateTarget(0.25);
        fusedStep.push();
        softUpdate(graph.target.params(), graph.online.params(), 0.25);
        const wantTarget = weights(graph.target);
        weights(fused.target).forEach((w, k) => {
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - wantTarget[k][i])).toBeLessThan(1e-4);
        });
        // Acting reads the heap while the step exists, the variables' fast path after dispose: same Q.
        const obs = data[0].observations.subarray(0, 2 * F);
        const heapQ = Float32Array.from(fused.online.qValuesForActing(obs, 2));
        fusedStep.dispose();
        fused.online.weightsChanged();
        const fastQ = fused.online.qValuesForActing(obs, 2);
        for (let i = 0; i < heapQ.length; i++) expect(Math.abs(heapQ[i] - fastQ[i])).toBeLessThan(1e-5);
        for (const l of [graph, fused]) {
          l.online.dispose();
          l.target.dispose();
        }
      });
    }
  });
}

describe("FusedTdStep when the heap grows mid-step", () => {
  it("each allocation of the first steps growing the heap (every view detached) changes nothing (Double DQN)", async () => {
    await useBackend("wasm");
    const config = { loss: "huber" as const, double: true, batchSize: B, gamma: 0.99 };
    const run = (growEveryAlloc: boolean) => {
      const l = learner();
      const spy = growEveryAlloc ? growHeapOnEveryAlloc() : undefined;
      const stats = [];
      try {
        const step = FusedTdStep.tryCreate(l.online, l.target, l.optimizer, config, B)!;
        step.pull();
        for (const batch of batches(3)) stats.push({ ...step.step(batch) });
        step.push();
        step.dispose();
      } finally {
        spy?.mockRestore();
      }
      const result = { stats, weights: weights(l.online) };
      l.online.dispose();
      l.target.dispose();
      return result;
    };
    expectHeapGrowthChangesNothing(run);
  });
});

describe("FusedTdStep.tryCreate", () => {
  it("declines networks the heap does not run: a memory core", async () => {
    await useBackend("wasm");
    const args = { ...net(), net: { ...net().net, lstm: 8 } };
    const online = new QNetwork({ ...args, seed: 1 });
    const target = new QNetwork({ ...args, seed: 1 });
    const optimizer = new ClippedAdam(online.params(), { learningRate: 1e-3 });
    expect(
      FusedTdStep.tryCreate(online, target, optimizer, { gamma: 0.99, double: false, loss: "mse" }, 8),
    ).toBeUndefined();
    online.dispose();
    target.dispose();
  });
});
