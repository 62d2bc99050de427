import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { a2cStep } from "../../agents/a2c";
import { FusedA2cStep } from "../../agents/a2c_fused";
import { ActorCritic } from "../../agents/actor_critic";
import { AutoencoderTraining } from "../../agents/aux_ae";
import { A2cConfigSchema } from "../../agents/configs";
import { type Minibatch, normalized } from "../../agents/rollout";
import { Rng } from "../../src/core/rng";
import { ClippedAdam, type ClippedOptimizer, ClippedRmsprop } from "../../src/nn";
import { expectHeapGrowthChangesNothing, growHeapOnEveryAlloc, useBackend } from "../nn/helpers";

const F = 4;
const A = 3;
const N = 40;
const net = {
  encoder: "mlp" as const,
  hidden: [16, 12],
  activation: "tanh" as const,
  lstm: 0,
  sharedEncoder: false,
};

function rollouts(count: number): Minibatch[] {
  const rng = new Rng(5);
  return Array.from({ length: count }, () => {
    const f = (n: number, g: () => number) => Float32Array.from({ length: n }, g);
    return {
      observations: f(N * F, () => rng.normal()),
      actions: Int32Array.from({ length: N }, () => Math.floor(rng.random() * A)),
      logProbs: new Float32Array(N),
      values: new Float32Array(N),
      advantages: f(N, () => rng.normal()),
      returns: f(N, () => 3 * rng.normal()),
      rows: N,
    };
  });
}

const weights = (m: ActorCritic) => [...m.params().values()].map((v) => Float32Array.from(v.dataSync()));

for (const backend of ["wasm", "cpu"] as const) {
  describe(`A2C's fused step against the TF.js graph step (${backend} backend)`, () => {
    afterAll(async () => useBackend("wasm"));

    for (const variant of [
      { optimizer: "RMSprop", entCoef: 0, normalizeAdvantage: false },
      { optimizer: "Adam", entCoef: 0.05, normalizeAdvantage: true },
    ]) {
      it(`${variant.optimizer}, entropy ${variant.entCoef}${variant.normalizeAdvantage ? ", normalized advantages" : ""}: the same loss terms and weights after 20 steps`, async () => {
        await useBackend(backend);
        const config = A2cConfigSchema.parse({
          entCoef: variant.entCoef,
          normalizeAdvantage: variant.normalizeAdvantage,
          useRmsProp: variant.optimizer === "RMSprop",
          net,
        });
        const make = (): { ac: ActorCritic; opt: ClippedOptimizer } => {
          const ac = new ActorCritic({ observationShape: [F], numActions: A, net, seed: 9 });
          const args = { learningRate: 3e-3, epsilon: 1e-5, maxGradNorm: 0.5 };
          const opt =
            variant.optimizer === "RMSprop"
              ? new ClippedRmsprop(ac.params(), { ...args, alpha: 0.99 })
              : new ClippedAdam(ac.params(), args);
          return { ac, opt };
        };
        const graph = make();
        const fused = make();
        const step = FusedA2cStep.tryCreate(fused.ac, fused.opt, config)!;
        expect(step).toBeDefined();
        const ae = new AutoencoderTraining(graph.ac, config.net, 1);
        const tensors = tf.memory().numTensors;
        for (const batch of rollouts(20)) {
          const expected = a2cStep(graph.ac, graph.opt, batch, config, ae);
          const advantages = variant.normalizeAdvantage ? normalized(batch.advantages) : batch.advantages;
          const got = step.step(batch, advantages);
          for (const key of ["policyLoss", "valueLoss", "entropy"] as const)
            expect(Math.abs(got[key] - expected[key])).toBeLessThan(
              2e-4 * Math.max(1, Math.abs(expected[key])),
            );
        }
        expect(tf.memory().numTensors).toBe(tensors);
        const want = weights(graph.ac);
        weights(fused.ac).forEach((w, k) => {
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - want[k][i])).toBeLessThan(2e-4);
        });
        step.dispose();
        graph.ac.dispose();
        fused.ac.dispose();
      });
    }
  });
}

describe("FusedA2cStep when the heap grows mid-step", () => {
  it("each allocation of the first step growing the heap (every view detached) changes nothing", async () => {
    await useBackend("wasm");
    const config = A2cConfigSchema.parse({ net });
    const run = (growEveryAlloc: boolean) => {
      const ac = new ActorCritic({ observationShape: [F], numActions: A, net, seed: 9 });
      const opt = new ClippedRmsprop(ac.params(), {
        learningRate: 3e-3,
        epsilon: 1e-5,
        maxGradNorm: 0.5,
        alpha: 0.99,
      });
      const step = FusedA2cStep.tryCreate(ac, opt, config)!;
      const spy = growEveryAlloc ? growHeapOnEveryAlloc() : undefined;
      const stats = [];
      try {
        for (const batch of rollouts(3)) {
          stats.push(step.step(batch, batch.advantages));
          spy?.mockRestore();
        }
      } finally {
        spy?.mockRestore();
      }
      const result = { stats, weights: weights(ac) };
      step.dispose();
      ac.dispose();
      return result;
    };
    expectHeapGrowthChangesNothing(run);
  });
});

describe("FusedA2cStep.tryCreate", () => {
  it("declines a shared encoder and a memory core (the graph step runs them)", async () => {
    await useBackend("wasm");
    const config = A2cConfigSchema.parse({});
    for (const spec of [
      { ...net, sharedEncoder: true },
      { ...net, lstm: 8 },
    ]) {
      const ac = new ActorCritic({ observationShape: [F], numActions: A, net: spec, seed: 1 });
      const opt = new ClippedRmsprop(ac.params(), { learningRate: 1e-3 });
      expect(FusedA2cStep.tryCreate(ac, opt, config)).toBeUndefined();
      ac.dispose();
    }
  });
});
