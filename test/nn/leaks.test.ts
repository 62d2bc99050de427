import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import { CnnEncoder } from "../../src/nn/cnn";
import { CategoricalPolicyHead, QHead, ValueHead } from "../../src/nn/heads";
import { huberLoss, mseLoss } from "../../src/nn/losses";
import { Lstm } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { joinParams, type Parameterised } from "../../src/nn/params";
import { randn, testRng, useBackend } from "./helpers";

/** Runs 100 training steps and asserts that the live tensor count is back where it started. */
function expectNoLeak(net: Parameterised, loss: () => tf.Scalar): void {
  const opt = new ClippedAdam(net.params(), { learningRate: 1e-3, maxGradNorm: 0.5 });
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) opt.minimize(loss);
  expect(tf.memory().numTensors).toBe(before);
}

describe("no tensor leaks over 100 training steps", () => {
  beforeAll(() => useBackend("wasm"));

  it("MLP", () => {
    const mlp = new Mlp({ sizes: [4, 16, 2], seed: 0 });
    const x = randn([8, 4], 1) as tf.Tensor2D;
    const y = randn([8, 2], 2);
    expectNoLeak(mlp, () => mseLoss(mlp.apply(x), y));
    const fast = mlp.fastPath();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) fast.forward([1, 2, 3, 4]);
    fast.refresh();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("CNN encoder with max-pool", () => {
    const cnn = new CnnEncoder({
      inputShape: [8, 8, 2],
      convs: [{ filters: 4, kernelSize: 3, pool: 2 }],
      dense: [4],
      seed: 0,
    });
    const x = randn([4, 8, 8, 2], 1) as tf.Tensor4D;
    expectNoLeak(cnn, () => tf.mean(tf.square(cnn.apply(x))) as tf.Scalar);
  });

  it("LSTM unroll with resets, and stepping with explicit state", () => {
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 8, seed: 0 });
    const xs = randn([5, 2, 3], 1) as tf.Tensor3D;
    const resets = tf.tensor2d([0, 0, 0, 1, 0, 0, 1, 0, 0, 0], [5, 2]);
    expectNoLeak(lstm, () =>
      tf.tidy(() => {
        const { outputs } = lstm.unroll(xs, lstm.zeroState(2), resets);
        return tf.mean(tf.square(outputs)) as tf.Scalar;
      }),
    );
    const before = tf.memory().numTensors;
    let state = lstm.zeroState(2);
    const x = randn([2, 3], 2) as tf.Tensor2D;
    for (let i = 0; i < 100; i++) {
      const next = lstm.step(x, state);
      tf.dispose([state.h, state.c]);
      state = next;
    }
    tf.dispose([state.h, state.c, x]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("autoencoder", () => {
    const ae = new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [4, 4], latentDim: 3, seed: 0 });
    const x = tf.sigmoid(randn([2, 8, 8, 1], 1)) as tf.Tensor4D;
    expectNoLeak(ae, () => ae.reconstructionLoss(x));
  });

  it("heads: Q with Huber, policy log-prob + entropy, value; sampling", () => {
    const q = new QHead({ inputDim: 4, numActions: 3, seed: 0 });
    const pi = new CategoricalPolicyHead({ inputDim: 4, numActions: 3, hidden: [8], seed: 0 });
    const v = new ValueHead({ inputDim: 4, seed: 0 });
    const net = { params: () => joinParams({ q, pi, v }), dispose: () => {} };
    const features = randn([6, 4], 1) as tf.Tensor2D;
    const actions = tf.tensor1d([0, 1, 2, 0, 1, 2], "int32");
    const targets = randn([6], 2);
    expectNoLeak(net, () =>
      tf.tidy(() => {
        const logits = pi.apply(features);
        const qTaken = tf.sum(tf.mul(q.apply(features), tf.oneHot(actions, 3)), -1);
        return tf.addN([
          huberLoss(qTaken, targets),
          tf.neg(tf.mean(pi.logProb(logits, actions))),
          tf.neg(tf.mean(pi.entropy(logits))),
          mseLoss(v.apply(features), targets),
        ]) as tf.Scalar;
      }),
    );
    const rng = testRng(0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const logits = pi.apply(features);
      pi.sample(logits, rng);
      logits.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
