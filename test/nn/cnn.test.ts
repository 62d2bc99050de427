import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { CnnEncoder, cnnPreset } from "../../src/nn/cnn";
import { crossEntropyLoss } from "../../src/nn/losses";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { Composite } from "../../src/nn/params";
import { accuracy, testRng, useBackend } from "./helpers";

const SIDE = 12;

/** Filled 3×3 squares (label 0) vs 5×5 plus-crosses (label 1), both 9 pixels, at random positions, noisy. */
function shapesData(n: number, seed: string): { images: tf.Tensor4D; flat: tf.Tensor2D; labels: Int32Array } {
  const rng = testRng(seed);
  const pixels = new Float32Array(n * SIDE * SIDE);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * SIDE * SIDE;
    for (let p = 0; p < SIDE * SIDE; p++) pixels[base + p] = 0.2 * rng.normal();
    const label = rng.integer(2);
    labels[i] = label;
    // Top-left corner of the 5×5 box holding either shape.
    const top = rng.integer(SIDE - 4);
    const left = rng.integer(SIDE - 4);
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 5; c++) {
        const on = label === 0 ? r >= 1 && r <= 3 && c >= 1 && c <= 3 : r === 2 || c === 2;
        if (on) pixels[base + (top + r) * SIDE + left + c] += 1;
      }
    }
  }
  const images = tf.tensor4d(pixels, [n, SIDE, SIDE, 1]);
  return { images, flat: tf.reshape(images, [n, SIDE * SIDE]) as tf.Tensor2D, labels };
}

function paramCount(net: { params(): Map<string, tf.Variable> }): number {
  let n = 0;
  for (const v of net.params().values()) n += v.size;
  return n;
}

describe("CnnEncoder", () => {
  beforeAll(() => useBackend("wasm"));

  it("computes the flatten size of the presets from the input shape", () => {
    const expected = { natureDqn: [3136, 512], gridworld7: [64, 64], dqn2013: [512, 256] } as const;
    for (const [name, [flat, out]] of Object.entries(expected)) {
      const cnn = cnnPreset(name as keyof typeof expected, 0);
      expect([cnn.flattenDim, cnn.outputDim]).toEqual([flat, out]);
      const [h, w, c] = cnn.args.inputShape;
      const y = tf.tidy(() => cnn.apply(tf.zeros([2, h, w, c])));
      expect(y.shape).toEqual([2, out]);
      y.dispose();
      cnn.dispose();
    }
    const wide = cnnPreset("natureDqn", 0, { inputShape: [84, 84, 1], dense: [] });
    expect(wide.flattenDim).toBe(7 * 7 * 64);
    expect(wide.outputDim).toBe(3136);
    wide.dispose();
    expect(
      () => new CnnEncoder({ inputShape: [4, 4, 1], convs: [{ filters: 1, kernelSize: 5 }], seed: 0 }),
    ).toThrow(/empty/);
  });

  it("conv + max-pool tells squares from crosses at random positions better than a larger MLP", () => {
    const train = shapesData(200, "shapes-train");
    const test = shapesData(400, "shapes-test");
    const trainLabels = tf.tensor1d(train.labels, "int32");
    const cnn = new Composite({
      torso: new CnnEncoder({
        inputShape: [SIDE, SIDE, 1],
        convs: [
          { filters: 8, kernelSize: 3, pool: 2 },
          // Pooling the 3×3 map whole: a global max, so position stops mattering.
          { filters: 8, kernelSize: 3, pool: 3 },
        ],
        seed: 1,
      }),
      out: new Mlp({ sizes: [8, 2], seed: 2 }),
    });
    const torso = cnn.parts.torso as CnnEncoder;
    const cnnOut = cnn.parts.out as Mlp;
    const mlp = new Mlp({ sizes: [SIDE * SIDE, 32, 2], activation: "relu", seed: 3 });
    expect(paramCount(mlp)).toBeGreaterThan(paramCount(cnn));
    const cnnOpt = new ClippedAdam(cnn.params(), { learningRate: 1e-2 });
    const mlpOpt = new ClippedAdam(mlp.params(), { learningRate: 1e-2 });
    for (let step = 0; step < 150; step++) {
      cnnOpt.minimize(() => crossEntropyLoss(cnnOut.apply(torso.apply(train.images)), trainLabels));
      mlpOpt.minimize(() => crossEntropyLoss(mlp.apply(train.flat), trainLabels));
    }
    const cnnPred = tf.tidy(() => tf.argMax(cnnOut.apply(torso.apply(test.images)), -1).dataSync());
    const mlpPred = tf.tidy(() => tf.argMax(mlp.apply(test.flat), -1).dataSync());
    const mlpTrainPred = tf.tidy(() => tf.argMax(mlp.apply(train.flat), -1).dataSync());
    const cnnAcc = accuracy(cnnPred, test.labels);
    const mlpAcc = accuracy(mlpPred, test.labels);
    console.info(
      `shapes: held-out accuracy CNN ${cnnAcc} (${paramCount(cnn)} params), MLP ${mlpAcc} (${paramCount(mlp)} params, train ${accuracy(mlpTrainPred, train.labels)})`,
    );
    expect(cnnAcc).toBeGreaterThan(0.95);
    expect(cnnAcc - mlpAcc).toBeGreaterThan(0.1);
    cnn.dispose();
    mlp.dispose();
    tf.dispose([train.images, train.flat, test.images, test.flat, trainLabels]);
  });
});
