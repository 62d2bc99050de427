// The autoencoder's reconstruction loss is part of the agent's optimiser step (net.aux "ae"), for
// PPO, A2C and DQN: one update of each is one optimiser step, watched where the agent hands its
// gradients to the optimiser. The reconstruction gradient is computed apart, with tf.grads, from the
// same weights and the observations the step reconstructed.
//  - With net.auxDetach, the RL loss has no path into the encoder: the encoder's gradient is exactly
//    β·∇(reconstruction loss), its change is the optimiser's first step from that gradient (positive
//    cosine with −∇), and the step lowers the reconstruction loss.
//  - Without it, the RL loss's gradient adds to the encoder's: its gradient and change differ from
//    the reconstruction-only ones.
// A reconstruction computed outside the optimiser step (metered but not differentiated) leaves the
// detached encoder and the decoder unchanged, and fails every one of these.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { A2cConfigSchema, trainA2c } from "../../agents/a2c";
import { ActorCritic } from "../../agents/actor_critic";
import { DqnConfigSchema, trainDqn } from "../../agents/dqn";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import type { QNetwork } from "../../agents/q_network";
import type { TrainContext } from "../../agents/training_loop";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { metricLines } from "./helpers";
import { change, cosine, gather, norm, recordSteps, relativeError } from "./steps";

const ENV = "MiniGrid-Empty-5x5-v0";
const BETA = 0.5;
const LR = 1e-3;

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
});

type Net = ActorCritic | QNetwork;

/** How each agent is run for exactly one optimiser step, and what its optimiser's first step is. */
interface AgentCase {
  name: string;
  /** Prefix of the tower's parameter paths (then "encoder/…", "decoder/…"). */
  tower: string;
  train(net: Record<string, unknown>, ctx: TrainContext): { net: Net };
  /** The first step of the agent's optimiser from gradient g (no clipping): Adam or RMSprop. */
  firstStep(g: Float32Array): Float32Array;
}

// The "joint" way (the reconstruction inside the RL optimiser's step), without SAC+AE's extra terms
// and bottleneck, so that the RL-only run below has the same network.
const cnn = (auxDetach: boolean) => ({
  encoder: "cnn",
  hidden: [16],
  aux: "ae",
  auxWeight: BETA,
  auxDetach,
  reconEvery: 0,
  aeOptimizer: "joint",
  latentNorm: false,
  latentPenalty: 0,
  decoderWeightDecay: 0,
  detachActor: false,
});

/** The fields of cnn() that need a decoder, unset (an RL-only run). */
const NO_AE = {
  aux: "none",
  auxDetach: undefined,
  aeOptimizer: undefined,
  latentPenalty: undefined,
  decoderWeightDecay: undefined,
};

const CASES: AgentCase[] = [
  {
    name: "PPO",
    tower: "shared/",
    // One update of 2 envs × 8 steps, one epoch of one minibatch: one Adam step.
    train: (net, ctx) =>
      trainPpo(
        validateConfig(
          PpoConfigSchema,
          {
            totalSteps: 16,
            numEnvs: 2,
            numSteps: 8,
            numMinibatches: 1,
            updateEpochs: 1,
            learningRate: LR,
            maxGradNorm: 1e6,
            net: { ...net, sharedEncoder: true },
          },
          "ppo",
        ),
        ctx,
      ),
    // Adam's first step: m̂ = g, v̂ = g², so Δ = −lr·g / (|g| + ε), ε = adamEps 1e-5.
    firstStep: (g) => g.map((x) => (-LR * x) / (Math.abs(x) + 1e-5)),
  },
  {
    name: "A2C",
    tower: "shared/",
    // One rollout of 2 envs × 8 steps: one RMSprop step.
    train: (net, ctx) =>
      trainA2c(
        validateConfig(
          A2cConfigSchema,
          {
            totalSteps: 16,
            numEnvs: 2,
            numSteps: 8,
            learningRate: LR,
            maxGradNorm: 1e6,
            net: { ...net, sharedEncoder: true },
          },
          "a2c",
        ),
        ctx,
      ),
    // RMSprop's first step: s = (1 − α)·g², so Δ = −lr·g / (√(1 − α)·|g| + ε), α 0.99, ε 1e-5.
    firstStep: (g) => g.map((x) => (-LR * x) / (Math.sqrt(0.01) * Math.abs(x) + 1e-5)),
  },
  {
    name: "DQN",
    tower: "q/",
    // 32 env steps; a gradient step at env step g when g > 16 and g % 20 = 0: only g = 20.
    train: (net, ctx) =>
      trainDqn(
        validateConfig(
          DqnConfigSchema,
          {
            totalSteps: 32,
            logEvery: 32,
            learningStarts: 16,
            trainFrequency: 20,
            batchSize: 8,
            learningRate: LR,
            net,
          },
          "dqn",
        ),
        ctx,
      ),
    // Adam's first step with ε = 1e-8 (CleanRL's dqn.py), no clipping (maxGradNorm null).
    firstStep: (g) => g.map((x) => (-LR * x) / (Math.abs(x) + 1e-8)),
  },
];

/** The reconstruction loss and its gradient by parameter path, at the given weights, with tf.grads. */
function reconstruction(
  net: Net,
  weights: Map<string, Float32Array>,
  obs: { values: Float32Array; shape: number[] },
): { loss: number; grads: Map<string, Float32Array> } {
  for (const [k, v] of net.params()) tf.tidy(() => v.assign(tf.tensor(weights.get(k)!, v.shape)));
  const names = [...net.params().keys()].filter((k) => k.includes("/encoder/") || k.includes("/decoder/"));
  const variables = names.map((k) => net.params().get(k)!);
  const out = { loss: 0, grads: new Map<string, Float32Array>() };
  tf.tidy(() => {
    const x = tf.tensor(obs.values, obs.shape);
    const f = () => {
      const encodings = net instanceof ActorCritic ? net.forward(x).encodings : net.forward(x).encodings;
      return net.reconstructionLoss(x, encodings).loss;
    };
    const { value, grads } = tf.variableGrads(f, variables);
    out.loss = value.dataSync()[0];
    names.forEach((k, i) => {
      out.grads.set(k, grads[variables[i].name].dataSync() as Float32Array);
    });
  });
  return out;
}

/**
 * Trains the agent with `net` (over the CNN of cnn()) for its one optimiser step: the step as the
 * optimiser saw it, the observations its reconstruction loss was given (none without a decoder),
 * the trained network and the run folder.
 */
function train(agent: AgentCase, net: Record<string, unknown>) {
  const seen: { values: Float32Array; shape: number[] }[] = [];
  // Both networks' reconstructionLoss: their shared base class's.
  const towerPrototype: Pick<Net, "reconstructionLoss"> = Object.getPrototypeOf(ActorCritic.prototype);
  const original = towerPrototype.reconstructionLoss;
  const spy = vi.spyOn(towerPrototype, "reconstructionLoss").mockImplementation(function (
    this: Net,
    observations,
    encodings,
    noiseSeed,
  ) {
    seen.push({ values: (observations.dataSync() as Float32Array).slice(), shape: [...observations.shape] });
    return original.call(this, observations, encodings, noiseSeed);
  });
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aux-step-")), "run");
  const run = RunFolder.create(dir, {});
  try {
    const { steps, result } = recordSteps(() =>
      agent.train({ ...cnn(false), ...net }, { envId: ENV, seed: 3, run }),
    );
    expect(steps).toHaveLength(1);
    return { step: steps[0], seen, net: result.net, dir };
  } finally {
    spy.mockRestore();
    run.close();
  }
}

/**
 * One optimiser step with the decoder, and apart from the agent the reconstruction loss and its
 * gradient at the weights before and after the step, on the observations the step reconstructed;
 * and the update's metrics line.
 */
function oneStep(agent: AgentCase, auxDetach: boolean) {
  const before = tf.memory().numTensors;
  const { step, seen, net, dir } = train(agent, { auxDetach });
  expect(seen).toHaveLength(1); // the step's one reconstruction, of its minibatch
  const atStart = reconstruction(net, step.before, seen[0]);
  const atEnd = reconstruction(net, step.after, seen[0]);
  net.dispose();
  expect(tf.memory().numTensors).toBe(before);
  const update = metricLines(dir)
    .map((l) => JSON.parse(l))
    .find((l) => l.type === "update");
  const reconGrad = (part: string) => gather(atStart.grads, `${agent.tower}${part}/`).map((g) => BETA * g);
  return { step, update, atStart, atEnd, reconGrad };
}

describe("the reconstruction loss is in the agent's optimiser step (net.aux ae)", () => {
  for (const agent of CASES) {
    it(`${agent.name}: with auxDetach the encoder learns from β·∇(reconstruction) alone; without, from it and the RL loss`, () => {
      const enc = `${agent.tower}encoder/`;
      const dec = `${agent.tower}decoder/`;
      const detached = oneStep(agent, true);
      const { step } = detached;
      const encoderGrad = detached.reconGrad("encoder");
      const decoderGrad = detached.reconGrad("decoder");
      expect(encoderGrad.length).toBeGreaterThan(1000);
      // The gradients the optimiser was given: β·∇(reconstruction) for the encoder and the decoder.
      expect(relativeError(gather(step.grads, enc), encoderGrad)).toBeLessThan(1e-4);
      expect(relativeError(gather(step.grads, dec), decoderGrad)).toBeLessThan(1e-4);
      // The weights moved by the optimiser's first step from those gradients: down the reconstruction loss.
      const encoderChange = change(step, enc);
      expect(relativeError(encoderChange, agent.firstStep(encoderGrad))).toBeLessThan(1e-3);
      expect(relativeError(change(step, dec), agent.firstStep(decoderGrad))).toBeLessThan(1e-3);
      expect(
        cosine(
          encoderChange,
          encoderGrad.map((g) => -g),
        ),
      ).toBeGreaterThan(0.3);
      expect(detached.atEnd.loss).toBeLessThan(detached.atStart.loss);
      // The update line's reconLoss is that step's reconstruction loss.
      expect(detached.update.reconLoss).toBeCloseTo(detached.atStart.loss, 5);

      // The RL loss alone (no decoder; the same initial weights, rollout and minibatch): its gradient
      // reaches the encoder.
      const rl = train(agent, NO_AE);
      rl.net.dispose();
      expect(gather(rl.step.before, enc)).toEqual(gather(step.before, enc));
      const rlGrad = gather(rl.step.grads, enc);
      expect(norm(rlGrad)).toBeGreaterThan(0.05 * norm(encoderGrad));
      // Not detached: the encoder's gradient is the sum of both; the decoder's is the reconstruction's.
      const attached = oneStep(agent, false);
      expect(relativeError(attached.reconGrad("encoder"), encoderGrad)).toBeLessThan(1e-6);
      const sum = rlGrad.map((g, i) => g + encoderGrad[i]);
      expect(relativeError(gather(attached.step.grads, enc), sum)).toBeLessThan(1e-4);
      expect(relativeError(gather(attached.step.grads, dec), decoderGrad)).toBeLessThan(1e-4);
    }, 60_000);
  }
});

describe("SAC+AE's own autoencoder step (net.aeOptimizer 'separate', the default with aux ae)", () => {
  it("PPO: after the RL step, one step of the autoencoder's Adam (lr 1e-3) moves encoder and decoder down the reconstruction loss; with auxDetach the RL step leaves the encoder alone", () => {
    const ppo = CASES[0];
    const seen: { values: Float32Array; shape: number[] }[] = [];
    const towerPrototype: Pick<Net, "autoencoderLoss"> = Object.getPrototypeOf(ActorCritic.prototype);
    const original = towerPrototype.autoencoderLoss;
    const spy = vi.spyOn(towerPrototype, "autoencoderLoss").mockImplementation(function (
      this: Net,
      observations,
      noiseSeed,
    ) {
      seen.push({
        values: (observations.dataSync() as Float32Array).slice(),
        shape: [...observations.shape],
      });
      return original.call(this, observations, noiseSeed);
    });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ae-step-")), "run");
    const run = RunFolder.create(dir, {});
    let recorded: ReturnType<typeof recordSteps<{ net: Net }>>;
    try {
      // SAC+AE's defaults: separate Adam, LayerNorm + tanh bottleneck, latent penalty, decoder decay.
      const net = { encoder: "cnn", hidden: [16], aux: "ae", auxDetach: true, reconEvery: 0 };
      recorded = recordSteps(() => ppo.train(net, { envId: ENV, seed: 3, run }));
    } finally {
      spy.mockRestore();
      run.close();
    }
    const { steps, result } = recorded;
    const trained = result.net as ActorCritic;
    expect(trained.autoencoder).toMatchObject({
      aeOptimizer: "separate",
      latentNorm: true,
      latentPenalty: 1e-6,
      decoderWeightDecay: 1e-7,
      detachActor: true,
    });
    expect(trained.reconTarget()).toBe("scaled"); // gridworld codes, not pixels
    expect(steps.map((s) => [s.kind, s.learningRate])).toEqual([
      ["ClippedAdam", LR],
      ["ClippedAdam", 1e-3],
    ]);
    const [rlStep, aeStep] = steps;
    // The RL step: a zero gradient into the detached encoder (its weights stay), none into the decoder.
    const rlEncoder = gather(rlStep.grads, "shared/encoder/");
    expect(rlEncoder.length).toBeGreaterThan(1000);
    expect(norm(rlEncoder)).toBe(0);
    expect(norm(change(rlStep, "shared/encoder/"))).toBe(0);
    expect(gather(rlStep.grads, "shared/decoder/")).toHaveLength(0);
    expect(norm(gather(rlStep.grads, "actorHead/"))).toBeGreaterThan(0);
    // The autoencoder step: the gradient of its loss (mse + penalty + decay) at the weights it started
    // from, on the minibatch's observations; its change is Adam's first step (ε 1e-8) from it.
    expect(seen).toHaveLength(1);
    expect([...aeStep.grads.keys()].every((k) => /^shared\/(encoder|decoder)\//.test(k))).toBe(true);
    const names = [...aeStep.grads.keys()];
    const variables = names.map((k) => trained.params().get(k)!);
    const lossAt = (weights: Map<string, Float32Array>) => {
      for (const [k, v] of trained.params())
        if (weights.has(k)) tf.tidy(() => v.assign(tf.tensor(weights.get(k)!, v.shape)));
      return tf.tidy(() => {
        const x = tf.tensor(seen[0].values, seen[0].shape);
        const { value, grads } = tf.variableGrads(() => trained.autoencoderLoss(x).loss, variables);
        return { loss: value.dataSync()[0], grads: names.map((_, i) => grads[variables[i].name].dataSync()) };
      });
    };
    const start = lossAt(aeStep.before);
    const expected = Float32Array.from(start.grads.flatMap((g) => Array.from(g)));
    expect(relativeError(gather(aeStep.grads, "shared/"), expected)).toBeLessThan(1e-4);
    const firstStep = expected.map((g) => (-1e-3 * g) / (Math.abs(g) + 1e-8));
    expect(relativeError(change(aeStep, "shared/"), firstStep)).toBeLessThan(1e-3);
    expect(lossAt(aeStep.after).loss).toBeLessThan(start.loss);
    trained.dispose();
  }, 60_000);
});
