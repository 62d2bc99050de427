// PPO's schedules and early stop, watched step by step: the learning rate of every minibatch step of
// update u is (1 − (u − 1)/numUpdates)·lr with annealLr (CleanRL's frac), the surrogate's clip range
// likewise with annealClip while the value clip keeps clipCoef (CleanRL clips the value with
// clip_coef; SB3 schedules clip_range_vf apart from clip_range), and targetKl ends an update's
// epochs after the first epoch whose last minibatch's approximate KL exceeds it (CleanRL's check).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import type { PpoLossCoefficients, PpoLossStats } from "../../agents/ppo_loss";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { silentLogger } from "../nn/helpers";
import { registerTestEnvs } from "./helpers";
import { recordSteps } from "./steps";

/** What each evaluation of PPO's loss was given and found: one per minibatch step. */
const calls = vi.hoisted(() => [] as { coefficients: PpoLossCoefficients; stats: PpoLossStats }[]);

vi.mock("../../agents/ppo_loss", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../agents/ppo_loss")>();
  return {
    ...actual,
    ppoLoss: (...args: Parameters<typeof actual.ppoLoss>) => {
      const loss = actual.ppoLoss(...args);
      calls.push({ coefficients: { ...args[3] }, stats: { ...args[4]! } });
      return loss;
    },
  };
});

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

const M = 2; // minibatches per epoch
const E = 4; // epochs per update

/** A PPO run on CartPole of 4 updates of 2 envs × 16 steps, E epochs × M minibatches each. */
function run(over: Record<string, unknown>) {
  const config = validateConfig(
    PpoConfigSchema,
    {
      totalSteps: 4 * 32 + 31, // numUpdates = floor(159 / 32) = 4: the rest is dropped, as CleanRL
      numEnvs: 2,
      numSteps: 16,
      numMinibatches: M,
      updateEpochs: E,
      learningRate: 0.01,
      clipCoef: 0.3,
      net: { hidden: [8] },
      ...over,
    },
    "ppo",
  );
  calls.length = 0;
  const stepsBefore: number[] = []; // loss evaluations before each update's end
  const tensors = tf.memory().numTensors;
  const { steps, result } = recordSteps(
    () => trainPpo(config, { envId: "CartPole-v1", seed: 7, onUpdate: () => stepsBefore.push(calls.length) }),
    false,
  );
  result.net.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(steps).toHaveLength(calls.length); // one optimiser step per loss evaluation
  // Per update: its steps' learning rates and loss calls.
  const bounds = [0, ...stepsBefore];
  const updates = stepsBefore.map((end, u) => ({
    learningRates: steps.slice(bounds[u], end).map((s) => s.learningRate),
    calls: calls.slice(bounds[u], end),
  }));
  return { updates, summary: result.summary };
}

describe("PPO's schedules (CleanRL's frac = 1 − (update − 1)/numUpdates)", () => {
  it("annealLr: every step of update u uses frac·lr; without it, lr throughout", () => {
    const annealed = run({ annealLr: true });
    expect(annealed.updates).toHaveLength(4);
    expect(annealed.summary.steps).toBe(128);
    const expected = [1, 0.75, 0.5, 0.25].map((frac) => frac * 0.01);
    annealed.updates.forEach((u, i) => {
      expect(u.learningRates).toHaveLength(E * M);
      for (const lr of u.learningRates) expect(lr).toBeCloseTo(expected[i], 12);
    });
    const constant = run({ annealLr: false });
    for (const u of constant.updates) expect(u.learningRates).toEqual(new Array(E * M).fill(0.01));
  }, 60_000);

  it("annealClip scales the surrogate's clip the same way; the value clip stays clipCoef", () => {
    const annealed = run({ annealClip: true, clipVloss: true });
    const expected = [1, 0.75, 0.5, 0.25].map((frac) => frac * 0.3);
    annealed.updates.forEach((u, i) => {
      expect(u.calls).toHaveLength(E * M);
      for (const { coefficients } of u.calls) {
        expect(coefficients.clip).toBeCloseTo(expected[i], 12);
        expect(coefficients.valueClip).toBe(0.3);
        expect(coefficients.clipVloss).toBe(true);
      }
    });
    const fixed = run({ annealClip: false });
    for (const u of fixed.updates)
      for (const { coefficients } of u.calls)
        expect([coefficients.clip, coefficients.valueClip]).toEqual([0.3, 0.3]);
  }, 60_000);
});

describe("PPO's entropy schedule (entCoefEnd)", () => {
  it("every step of update u weights the entropy by entCoef + (entCoefEnd − entCoef)·(u − 1)/numUpdates", () => {
    const scheduled = run({ entCoef: 0.08, entCoefEnd: 0.02 });
    const expected = [0, 0.25, 0.5, 0.75].map((done) => 0.08 + (0.02 - 0.08) * done);
    scheduled.updates.forEach((u, i) => {
      expect(u.calls).toHaveLength(E * M);
      for (const { coefficients } of u.calls) expect(coefficients.entCoef).toBeCloseTo(expected[i], 12);
    });
    // Without it, entCoef throughout.
    for (const u of run({ entCoef: 0.08 }).updates)
      for (const { coefficients } of u.calls) expect(coefficients.entCoef).toBe(0.08);
  }, 60_000);
});

describe("PPO's targetKl", () => {
  it("stops an update's epochs after the first whose last minibatch's approximate KL exceeds it", () => {
    // Without a target every update runs all E epochs. The KL after each epoch's last step need not
    // grow (update 1 here: ≈ 4.7e-4, 4.0e-5, 5.1e-4, 1.3e-3).
    const full = run({ targetKl: null });
    const first = full.updates[0].calls;
    expect(first).toHaveLength(E * M);
    const klAfterEpoch = [0, 1, 2, 3].map((e) => first[e * M + M - 1].stats.approxKl);
    // A target above the KL after epoch 1 that a later epoch's exceeds: update 1 stops after that epoch.
    const later = klAfterEpoch.slice(1).filter((kl) => kl > klAfterEpoch[0]);
    expect(later.length).toBeGreaterThan(0);
    const targetKl = (klAfterEpoch[0] + Math.min(...later)) / 2;
    const epochs = 1 + klAfterEpoch.findIndex((kl) => kl > targetKl);
    expect(epochs).toBeGreaterThan(1);
    expect(epochs).toBeLessThan(E + 1);
    const stopped = run({ targetKl });
    expect(stopped.updates[0].calls).toHaveLength(epochs * M);
    // Those epochs are the full run's, step for step (the same seed, nothing else changed).
    expect(stopped.updates[0].calls.map((c) => c.stats.approxKl)).toEqual(
      first.slice(0, epochs * M).map((c) => c.stats.approxKl),
    );
    // Every update: M × (1 + the first epoch whose last KL exceeds the target) steps, else E × M.
    for (const u of stopped.updates) {
      const kls = u.calls.map((c) => c.stats.approxKl);
      const over = [0, 1, 2, 3].findIndex((e) => kls[e * M + M - 1] > targetKl);
      expect(u.calls).toHaveLength((over === -1 ? E : over + 1) * M);
    }
    expect(stopped.summary.steps).toBe(128); // an early stop shortens the update, not the rollouts
    // A target no KL reaches changes nothing; one every KL exceeds leaves one epoch per update.
    for (const u of run({ targetKl: 1e9 }).updates) expect(u.calls).toHaveLength(E * M);
    for (const u of run({ targetKl: 1e-12 }).updates) expect(u.calls).toHaveLength(M);
  }, 60_000);
});
