// Autoencoders in the agent loop: offline pretraining from a random agent's frames, agents started
// from (and frozen at) a pretrained encoder, and the online auxiliary reconstruction loss of PPO and
// DQN — gradients, metrics, pictures, resume, leaks and errors. Gridworld views (7 × 7 × 3) keep
// every test within seconds.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { A2cConfigSchema, trainA2c } from "../../agents/a2c";
import { ActorCritic } from "../../agents/actor_critic";
import { type PretrainedAutoencoder, pretrainAutoencoder } from "../../agents/autoencoder";
import { setUpActorCritic } from "../../agents/collector";
import { DqnConfigSchema, trainDqn } from "../../agents/dqn";
import { PpoConfigSchema, trainPpo } from "../../agents/ppo";
import { TrainingInterrupted } from "../../agents/training_loop";
import { initBackend, loadCheckpoint } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { metricLines } from "./helpers";

const ENV = "MiniGrid-Empty-5x5-v0";
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ae-"));
let pretrained: string;
let pretrainedMeta: PretrainedAutoencoder;

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  pretrained = path.join(tmp(), "ae");
  pretrainedMeta = pretrainAutoencoder(
    { envId: ENV, frames: 256, epochs: 1, latent: 16, seed: 3 },
    pretrained,
  );
});

/** A small PPO config on 7 × 7 × 3 views. */
function ppoConfig(net: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  return validateConfig(
    PpoConfigSchema,
    {
      totalSteps: 256,
      numEnvs: 2,
      numSteps: 32,
      numMinibatches: 2,
      updateEpochs: 2,
      net: { encoder: "cnn", hidden: [16], sharedEncoder: true, ...net },
      ...over,
    },
    "ppo",
  );
}

/**
 * Trains in a fresh run folder `name`, checks that no tensor outlives the run, and returns the folder
 * and its update lines.
 */
function trainedRun(
  name: string,
  train: (run: RunFolder) => { net: { dispose(): void } },
): { dir: string; updates: Record<string, number>[] } {
  const dir = path.join(tmp(), name);
  const run = RunFolder.create(dir, {});
  const before = tf.memory().numTensors;
  train(run).net.dispose();
  run.close();
  expect(tf.memory().numTensors).toBe(before);
  const updates = metricLines(dir)
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === "update");
  return { dir, updates };
}

/** Every variable's values, by parameter path. */
function snapshot(params: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...params].map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]));
}

describe("offline pretraining (pomdp pretrain-ae)", () => {
  it("lowers the held-out mse below half the mean frame's within seconds, seeded", () => {
    const out = path.join(tmp(), "ae");
    const args = { envId: ENV, frames: 2000, epochs: 10, latent: 32, learningRate: 3e-3, seed: 1 };
    const meta = pretrainAutoencoder(args, out);
    console.info(
      `pretrain-ae ${ENV}: held-out mse ${meta.heldOutMse.toExponential(3)} (mean frame ${meta.meanFrameMse.toExponential(3)}) in ${meta.seconds} s`,
    );
    // The decoder starts from the mean training frame: the first epoch is near its mse, the last well below.
    expect(meta.heldOutMseByEpoch[0]).toBeGreaterThan(meta.heldOutMse);
    expect(meta.heldOutMse).toBeLessThan(meta.meanFrameMse / 2);
    expect(meta).toMatchObject({
      observationShape: [7, 7, 3],
      observationBytes: true,
      preset: "gridworld7",
      hidden: [32],
    });
    for (const file of ["autoencoder.json", "weights.json", "weights.bin", "reconstructions.png"])
      expect(fs.existsSync(path.join(out, file))).toBe(true);
    // Same seed, same autoencoder; no tensor outlives the pretraining.
    const before = tf.memory().numTensors;
    const again = pretrainAutoencoder({ ...args, epochs: 1 }, path.join(tmp(), "ae"));
    expect(again.heldOutMseByEpoch[0]).toBe(meta.heldOutMseByEpoch[0]);
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000); // ~4 s on an idle core
});

describe("agents started from a pretrained encoder", () => {
  it("--encoder-from loads identical weights into every tower's encoder (and, with --aux ae, decoder)", () => {
    const config = ppoConfig({ encoderFrom: pretrained, sharedEncoder: false, aux: "ae" });
    const { env, net } = setUpActorCritic(config, { envId: ENV, seed: 1 });
    env.close();
    const [actor, critic] = net.encoderParams(true);
    // encoder: 3 convs, a dense layer, the LayerNorm's gain and bias; decoder: a dense layer, 3
    // transposed convs and an un-pooling
    expect(actor.size).toBe(8 + 2 + 2 + 2 * 4);
    const fromFile = new Map([...actor].map(([k, v]) => [k, tf.variable(tf.zerosLike(v))]));
    loadCheckpoint(pretrained, fromFile);
    for (const [k, v] of fromFile) {
      expect(actor.get(k)!.dataSync()).toEqual(v.dataSync());
      expect(critic.get(k)!.dataSync()).toEqual(v.dataSync());
      v.dispose();
    }
    net.dispose();
  });

  it("--freeze-encoder leaves the encoder unchanged after updates while the heads learn", () => {
    const before = tf.memory().numTensors;
    const { env, net } = setUpActorCritic(
      ppoConfig({ encoderFrom: pretrained, latentNorm: true, freezeEncoder: true }),
      {
        envId: ENV,
        seed: 1,
      },
    );
    env.close();
    const initial = snapshot(net.params());
    net.dispose();
    const result = trainPpo(ppoConfig({ encoderFrom: pretrained, latentNorm: true, freezeEncoder: true }), {
      envId: ENV,
      seed: 1,
    });
    let encoderValues = 0;
    for (const [k, v] of result.net.params()) {
      const same = maxDiff(v.dataSync(), initial.get(k)!) === 0;
      if (k.startsWith("shared/encoder/")) {
        expect(same).toBe(true);
        encoderValues++;
      } else if (k.endsWith("kernel")) expect(same).toBe(false);
    }
    expect(encoderValues).toBe(10); // 3 convs, a dense layer, the LayerNorm: 5 × (weights, bias)
    result.net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("DQN starts from the pretrained encoder too", () => {
    const config = validateConfig(
      DqnConfigSchema,
      {
        totalSteps: 64,
        learningStarts: 1_000,
        logEvery: 32,
        net: { encoder: "cnn", hidden: [16], encoderFrom: pretrained, latentNorm: true, freezeEncoder: true },
      },
      "dqn",
    );
    const result = trainDqn(config, { envId: ENV, seed: 1 });
    const [params] = result.net.encoderParams();
    const fromFile = new Map([...params].map(([k, v]) => [k, tf.variable(tf.zerosLike(v))]));
    loadCheckpoint(pretrained, fromFile);
    for (const [k, v] of fromFile) {
      expect(params.get(k)!.dataSync()).toEqual(v.dataSync());
      v.dispose();
    }
    result.net.dispose();
  });

  it("names the mismatch: another observation shape, other dense layers, no such folder, not a pretrained folder", () => {
    const stacked = path.join(tmp(), "stacked");
    pretrainAutoencoder({ envId: ENV, frameStack: 2, frames: 64, epochs: 1, latent: 16, seed: 1 }, stacked);
    expect(() => trainPpo(ppoConfig({ encoderFrom: stacked }), { envId: ENV, seed: 1 })).toThrow(
      `net.encoderFrom "${stacked}": the autoencoder there was trained on observations of shape [7, 7, 6] (${ENV}, frame stack 2), but this agent's are [7, 7, 3]; pretrain one on the agent's env and wrappers (pomdp pretrain-ae --env …)`,
    );
    expect(() =>
      trainPpo(ppoConfig({ encoderFrom: pretrained, hidden: [64] }), { envId: ENV, seed: 1 }),
    ).toThrow(
      `net.encoderFrom "${pretrained}": its encoder has dense layers [16] after the convolutions, but this agent's net.hidden is [64]; set net.hidden to [16] (pomdp train --encoder-from does)`,
    );
    expect(() => trainPpo(ppoConfig({ encoderFrom: pretrained }), { envId: ENV, seed: 1 })).toThrow(
      `net.encoderFrom "${pretrained}": its encoder ends in a LayerNorm + tanh, but this agent's does not; set net.latentNorm to true (pomdp train --encoder-from does)`,
    );
    expect(() =>
      trainPpo(ppoConfig({ encoderFrom: pretrained, hidden: [64] }), { envId: ENV, seed: 1 }),
    ).toThrow(
      `net.encoderFrom "${pretrained}": its encoder has dense layers [16] after the convolutions, but this agent's net.hidden is [64]; set net.hidden to [16] (pomdp train --encoder-from does)`,
    );
    const missing = path.join(tmp(), "nothing");
    expect(() => trainPpo(ppoConfig({ encoderFrom: missing }), { envId: ENV, seed: 1 })).toThrow(
      `net.encoderFrom "${missing}": no such folder`,
    );
    const empty = tmp();
    expect(() => trainPpo(ppoConfig({ encoderFrom: empty }), { envId: ENV, seed: 1 })).toThrow(
      `net.encoderFrom "${empty}": not a pretrained autoencoder (autoencoder.json is missing); pass a folder written by pomdp pretrain-ae --out`,
    );
    expect(pretrainedMeta.observationShape).toEqual([7, 7, 3]);
  });
});

describe("the online auxiliary loss (--aux ae)", () => {
  /** Gradients of `loss` with respect to the shared encoder's variables (0 where none flows). */
  function encoderGradNorm(net: ActorCritic, loss: () => tf.Scalar): number {
    const vars = [...net.encoderParams()[0].values()];
    const { value, grads } = tf.variableGrads(loss, vars);
    let sum = 0;
    for (const g of Object.values(grads)) sum += tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
    return Math.sqrt(sum);
  }

  function network(auxDetach: boolean, detachActor?: boolean): ActorCritic {
    return new ActorCritic({
      observationShape: [7, 7, 3],
      observationBytes: true,
      numActions: 3,
      net: {
        encoder: "cnn",
        hidden: [16],
        activation: "relu",
        lstm: 0,
        sharedEncoder: true,
        aux: "ae",
        auxDetach,
        detachActor,
      },
      seed: 1,
    });
  }

  it("net.detachActor (the default with aux ae and a shared encoder): the policy's gradient stops at the encoder, the value's does not", () => {
    const before = tf.memory().numTensors;
    const obs = tf.tidy(() =>
      tf.round(tf.randomUniform([6, 7, 3 * 7], 0, 10, "float32", 3)).reshape([6, 7, 7, 3]),
    );
    const policy = (net: ActorCritic) => () => tf.sum(tf.square(net.forward(obs).logits)) as tf.Scalar;
    const value = (net: ActorCritic) => () => tf.sum(tf.square(net.forward(obs).value)) as tf.Scalar;
    const byDefault = network(false);
    const coupled = network(false, false);
    expect(byDefault.autoencoder.detachActor).toBe(true);
    expect(encoderGradNorm(byDefault, policy(byDefault))).toBe(0);
    expect(encoderGradNorm(byDefault, value(byDefault))).toBeGreaterThan(0);
    expect(encoderGradNorm(coupled, policy(coupled))).toBeGreaterThan(0);
    // The policy itself is the same function of the observations either way.
    const logits = (net: ActorCritic) => tf.tidy(() => Array.from(net.forward(obs).logits.dataSync()));
    expect(logits(byDefault)).toEqual(logits(coupled));
    byDefault.dispose();
    coupled.dispose();
    obs.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the reconstruction loss's gradient reaches the encoder; with auxDetach the RL loss's does not", () => {
    const before = tf.memory().numTensors;
    const obs = tf.tidy(() =>
      tf.round(tf.randomUniform([6, 7, 3 * 7], 0, 10, "float32", 2)).reshape([6, 7, 7, 3]),
    );
    const rl = (net: ActorCritic) => () => {
      const { logits, value } = net.forward(obs);
      return tf.add(tf.sum(tf.square(logits)), tf.sum(tf.square(value))) as tf.Scalar;
    };
    const both = (net: ActorCritic) => () => {
      const { logits, value, encodings } = net.forward(obs);
      const loss = tf.add(tf.sum(tf.square(logits)), tf.sum(tf.square(value))) as tf.Scalar;
      return tf.add(loss, net.reconstructionLoss(obs, encodings).loss) as tf.Scalar;
    };
    const recon = (net: ActorCritic) => () => net.reconstructionLoss(obs, net.forward(obs).encodings).loss;
    const attached = network(false);
    const detached = network(true);
    expect(encoderGradNorm(attached, rl(attached))).toBeGreaterThan(0);
    expect(encoderGradNorm(attached, recon(attached))).toBeGreaterThan(0);
    expect(encoderGradNorm(detached, rl(detached))).toBe(0);
    const reconOnly = encoderGradNorm(detached, recon(detached));
    expect(reconOnly).toBeGreaterThan(0);
    expect(encoderGradNorm(detached, both(detached))).toBeCloseTo(reconOnly, 5);
    expect(encoderGradNorm(attached, both(attached))).not.toBeCloseTo(reconOnly, 5);
    attached.dispose();
    detached.dispose();
    obs.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("PPO: update lines gain reconLoss, the run folder gets reconstructions-<step>.png, no tensor leaks", () => {
    const config = ppoConfig({ aux: "ae", auxWeight: 0.5, reconEvery: 2 });
    const { dir, updates } = trainedRun("ppo", (run) => trainPpo(config, { envId: ENV, seed: 1, run }));
    expect(updates).toHaveLength(4);
    // The decoder learns from the first updates on (8.97 → 8.86 here); that the reconstruction is in
    // the optimiser step itself, aux_update.test.ts checks gradient by gradient.
    expect(updates.at(-1)!.reconLoss).toBeLessThan(updates[0].reconLoss);
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith("reconstructions-"))
        .sort(),
    ).toEqual(["reconstructions-128.png", "reconstructions-256.png"]);
  });

  it("PPO with aux is saved and resumed with the agent: the resumed run equals the straight one", () => {
    const config = ppoConfig({ aux: "ae", reconEvery: 0, lstm: 8 }, { totalSteps: 320 });
    const straightDir = path.join(tmp(), "straight");
    const straight = RunFolder.create(straightDir, {});
    const straightNet = trainPpo(config, { envId: ENV, seed: 2, run: straight, checkpointEvery: 1 }).net;
    straight.close();
    const stoppedDir = path.join(tmp(), "stopped");
    const first = RunFolder.create(stoppedDir, {});
    let updates = 0;
    expect(() =>
      trainPpo(config, {
        envId: ENV,
        seed: 2,
        run: first,
        checkpointEvery: 1,
        onUpdate: () => updates++,
        shouldStop: () => updates >= 2,
      }),
    ).toThrow(TrainingInterrupted);
    first.close();
    const second = RunFolder.reopen(stoppedDir);
    const resumed = trainPpo(config, { envId: ENV, seed: 2, run: second, resume: true }).net;
    second.close();
    expect(metricLines(stoppedDir)).toEqual(metricLines(straightDir));
    const a = snapshot(straightNet.params());
    for (const [k, v] of snapshot(resumed.params())) expect(maxDiff(v, a.get(k)!)).toBe(0);
    expect([...a.keys()].some((k) => k.startsWith("shared/decoder/"))).toBe(true);
    straightNet.dispose();
    resumed.dispose();
  });

  it("A2C: the reconstruction loss joins its one step per rollout; update lines gain reconLoss; no leaks", () => {
    const config = validateConfig(
      A2cConfigSchema,
      {
        totalSteps: 160,
        numEnvs: 4,
        net: { encoder: "cnn", hidden: [16], sharedEncoder: true, aux: "ae", aeOptimizer: "joint" },
      },
      "a2c",
    );
    const { updates } = trainedRun("a2c", (run) => trainA2c(config, { envId: ENV, seed: 1, run }));
    expect(updates).toHaveLength(8);
    // RMSprop's steps of the whole rollout teach the decoder: the loss falls (8.6 → 7.1 through the
    // default LayerNorm + tanh bottleneck).
    expect(updates.at(-1)!.reconLoss).toBeLessThan(0.9 * updates[0].reconLoss);
  });

  it("DQN: gradient steps carry the reconstruction loss; update lines gain reconLoss; no leaks", () => {
    const config = validateConfig(
      DqnConfigSchema,
      {
        totalSteps: 128,
        learningStarts: 32,
        trainFrequency: 4,
        batchSize: 16,
        logEvery: 64,
        net: { encoder: "cnn", hidden: [16], aux: "ae", reconEvery: 1 },
      },
      "dqn",
    );
    const { dir, updates } = trainedRun("dqn", (run) => trainDqn(config, { envId: ENV, seed: 1, run }));
    // Update 1 has 7 gradient steps (env steps 36…60), update 2 has 16: its mean loss is lower.
    expect(updates.map((u) => u.gradientSteps)).toEqual([7, 16]);
    expect(updates[1].reconLoss).toBeLessThan(updates[0].reconLoss);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("reconstructions-"))).toHaveLength(2);
  });

  it("names what is wrong: --aux ae with --net mlp, auxDetach without aux, a frozen MLP", () => {
    const mlp = (net: Record<string, unknown>) =>
      validateConfig(PpoConfigSchema, { totalSteps: 64, net: { encoder: "mlp", ...net } }, "ppo");
    expect(() => trainPpo(mlp({ aux: "ae" }), { envId: "CartPole-v1", seed: 1 })).toThrow(
      'ppo config: field "net.aux": "ae" needs net.encoder "cnn" (--net cnn: it acts on a CNN encoder of images), got "mlp"',
    );
    expect(() => trainPpo(mlp({ freezeEncoder: true }), { envId: "CartPole-v1", seed: 1 })).toThrow(
      'ppo config: field "net.freezeEncoder": needs net.encoder "cnn" (--net cnn: it acts on a CNN encoder of images), got "mlp"',
    );
    expect(() => trainPpo(ppoConfig({ auxDetach: true }), { envId: ENV, seed: 1 })).toThrow(
      'ppo config: field "net.auxDetach": true needs net.aux "ae" (--aux ae): without a decoder a detached encoder learns nothing (for that, use net.freezeEncoder), got net.aux "none"',
    );
    expect(() => validateConfig(PpoConfigSchema, { net: { aux: "vae" } }, "ppo")).toThrow(
      'ppo config: field "net.aux": expected one of "none", "ae", got "vae"',
    );
    // SAC+AE's fields: the decoder's training needs a decoder; the bottleneck a CNN; detachActor a
    // critic that shares the encoder.
    expect(() => trainPpo(ppoConfig({ aeOptimizer: "joint" }), { envId: ENV, seed: 1 })).toThrow(
      'ppo config: field "net.aeOptimizer": "joint" needs net.aux "ae" (--aux ae: it trains the decoder), got net.aux "none"',
    );
    expect(() => trainPpo(mlp({ latentNorm: true }), { envId: "CartPole-v1", seed: 1 })).toThrow(
      'ppo config: field "net.latentNorm": true needs net.encoder "cnn" (it ends a CNN encoder), got "mlp"',
    );
    expect(() =>
      trainPpo(ppoConfig({ aux: "ae", sharedEncoder: false, detachActor: true }), { envId: ENV, seed: 1 }),
    ).toThrow(
      'ppo config: field "net.detachActor": true needs net.sharedEncoder true (it detaches the actor from the encoder the critic shares); with separate towers the actor\'s encoder would learn nothing',
    );
    expect(() => validateConfig(PpoConfigSchema, { net: { reconTarget: "bits8" } }, "ppo")).toThrow(
      'ppo config: field "net.reconTarget": expected one of "bits5", "scaled", got "bits8"',
    );
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
