import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { MlpBatchFastPath } from "../../src/nn/fast_path";
import { fastTanh } from "../../src/nn/layers";
import { crossEntropyLoss, mseLoss } from "../../src/nn/losses";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { accuracy, maxAbsDiff, testRng, useBackend } from "./helpers";

/** y = sin(2 x0) + x1² − 0.5 x0 x1 on [-1, 1]², a smooth nonlinear target. */
function regressionData(n: number, seed: string): { x: tf.Tensor2D; y: tf.Tensor2D; variance: number } {
  const rng = testRng(seed);
  const xs = new Float32Array(2 * n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.random() - 1;
    const b = 2 * rng.random() - 1;
    xs[2 * i] = a;
    xs[2 * i + 1] = b;
    ys[i] = Math.sin(2 * a) + b * b - 0.5 * a * b;
  }
  const mean = ys.reduce((s, v) => s + v, 0) / n;
  const variance = ys.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  return { x: tf.tensor2d(xs, [n, 2]), y: tf.tensor2d(ys, [n, 1]), variance };
}

/** Two interleaved spirals (3 classes), not linearly separable. */
function spiralData(n: number, seed: string): { x: tf.Tensor2D; labels: Int32Array } {
  const rng = testRng(seed);
  const xs = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const r = rng.random();
    const angle = (k * 2 * Math.PI) / 3 + 3 * r + 0.2 * rng.normal();
    xs[2 * i] = r * Math.cos(angle);
    xs[2 * i + 1] = r * Math.sin(angle);
    labels[i] = k;
  }
  return { x: tf.tensor2d(xs, [n, 2]), labels };
}

describe("Mlp", () => {
  beforeAll(() => useBackend("wasm"));

  it("fits a nonlinear regression with mse (held-out mse < 2% of the target variance)", () => {
    const train = regressionData(512, "reg-train");
    const test = regressionData(256, "reg-test");
    const mlp = new Mlp({ sizes: [2, 64, 64, 1], activation: "tanh", seed: 1 });
    const opt = new ClippedAdam(mlp.params(), { learningRate: 3e-3 });
    const before = tf.tidy(() => mseLoss(mlp.apply(test.x), test.y).dataSync()[0]);
    for (let i = 0; i < 600; i++) opt.minimize(() => mseLoss(mlp.apply(train.x), train.y));
    const after = tf.tidy(() => mseLoss(mlp.apply(test.x), test.y).dataSync()[0]);
    console.info(
      `mlp regression: held-out mse ${before.toFixed(4)} → ${after.toFixed(5)} (variance ${test.variance.toFixed(3)})`,
    );
    expect(after).toBeLessThan(0.02 * test.variance);
    expect(after).toBeLessThan(before / 10);
    mlp.dispose();
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it("classifies 3 spirals with cross-entropy (held-out accuracy > 90%, chance 33%)", () => {
    const train = spiralData(600, "spiral-train");
    const test = spiralData(300, "spiral-test");
    const labels = tf.tensor1d(train.labels, "int32");
    const mlp = new Mlp({ sizes: [2, 64, 64, 3], activation: "relu", seed: 2 });
    const opt = new ClippedAdam(mlp.params(), { learningRate: 1e-2 });
    let loss = Number.NaN;
    for (let i = 0; i < 400; i++)
      loss = opt.minimize(() => crossEntropyLoss(mlp.apply(train.x), labels)).loss;
    const predicted = tf.tidy(() => tf.argMax(mlp.apply(test.x), -1).dataSync());
    console.info(
      `mlp spirals: train loss ${loss.toFixed(3)}, held-out accuracy ${accuracy(predicted, test.labels)}`,
    );
    expect(loss).toBeLessThan(0.3);
    expect(accuracy(predicted, test.labels)).toBeGreaterThan(0.9);
    mlp.dispose();
    tf.dispose([train.x, test.x, labels]);
  });

  it("typed-array fast path equals the TF.js forward, also after training", () => {
    for (const activation of ["tanh", "relu", "sigmoid"] as const) {
      const mlp = new Mlp({ sizes: [4, 64, 64, 2], activation, outputGain: 0.5, seed: 3 });
      const fast = mlp.fastPath();
      const rng = testRng(activation);
      const check = () => {
        for (let trial = 0; trial < 20; trial++) {
          const obs = Float32Array.from({ length: 4 }, () => rng.normal());
          const reference = tf.tidy(() => mlp.apply(tf.tensor2d(obs, [1, 4])).dataSync());
          expect(maxAbsDiff(fast.forward(obs), reference)).toBeLessThan(1e-5);
        }
      };
      check();
      const opt = new ClippedAdam(mlp.params(), { learningRate: 0.05 });
      const x = tf.randomNormal([8, 4], 0, 1, "float32", 5) as tf.Tensor2D;
      opt.minimize(() => tf.sum(mlp.apply(x)) as tf.Scalar);
      const stale = Float32Array.from(fast.forward([0.3, -0.1, 0.2, 0.4]));
      fast.refresh();
      expect(maxAbsDiff(stale, fast.forward([0.3, -0.1, 0.2, 0.4]))).toBeGreaterThan(1e-3);
      check();
      mlp.dispose();
      x.dispose();
    }
  });

  it("fastTanh matches Math.tanh and its gradient 1 − tanh²", () => {
    const xs = Array.from({ length: 41 }, (_, i) => (i - 20) / 4);
    const x = tf.tensor1d(xs);
    const y = fastTanh(x).dataSync();
    const dy = tf
      .grad((t: tf.Tensor) => tf.sum(fastTanh(t)))(x)
      .dataSync();
    expect(maxAbsDiff(y, xs.map(Math.tanh))).toBeLessThan(2e-7);
    expect(
      maxAbsDiff(
        dy,
        xs.map((v) => 1 - Math.tanh(v) ** 2),
      ),
    ).toBeLessThan(1e-6);
    x.dispose();
  });

  it("rejects bad sizes and wrong input lengths", () => {
    expect(() => new Mlp({ sizes: [4], seed: 0 })).toThrow(/sizes/);
    const mlp = new Mlp({ sizes: [4, 2], seed: 0 });
    expect(() => mlp.fastPath().forward([1, 2, 3])).toThrow(/input length 3/);
    mlp.dispose();
  });
});

describe("MlpBatchFastPath on the small-kernel heap", () => {
  beforeAll(() => useBackend("wasm"));

  /** Inputs as acting sees them: mostly zeros (one-hot views) with a few values, including −0. */
  function sparseInputs(batch: number, width: number, tag: string): Float32Array {
    const rng = testRng(tag);
    return Float32Array.from({ length: batch * width }, (_, i) =>
      i % 7 === 3 ? -0 : rng.random() < 0.3 ? rng.normal() : 0,
    );
  }

  it("float32 inputs give the JS loop's outputs bit for bit (zeros skipped, ragged widths, every activation)", () => {
    for (const [sizes, activation] of [
      [[37, 13, 6], "tanh"],
      [[980, 64, 3], "relu"],
      [[4, 64, 64, 2], "tanh"],
      [[9, 5, 1], "sigmoid"],
    ] as const) {
      const mlp = new Mlp({ sizes: [...sizes], seed: 4, activation });
      const path = new MlpBatchFastPath(mlp);
      for (const batch of [1, 3, 8]) {
        const x = sparseInputs(batch, sizes[0], `fp${sizes[0]}-${batch}`);
        const heap = Float32Array.from(path.forward(x, batch));
        // A number[] input takes the loop (it may hold values a float32 cannot; these it can).
        const loop = Float32Array.from(path.forward(Array.from(x), batch));
        expect(heap.length).toBe(batch * sizes[sizes.length - 1]);
        expect(Array.from(heap), `${sizes} batch ${batch}`).toEqual(Array.from(loop));
      }
      mlp.dispose();
    }
  });

  it("two paths taking turns each see their own weights, and refresh() brings in new ones", () => {
    const a = new Mlp({ sizes: [20, 8, 2], seed: 1 });
    const b = new Mlp({ sizes: [20, 8, 2], seed: 2 });
    const [pa, pb] = [new MlpBatchFastPath(a), new MlpBatchFastPath(b)];
    const x = sparseInputs(2, 20, "turns");
    const loopA = Array.from(pa.forward(Array.from(x), 2));
    const loopB = Array.from(pb.forward(Array.from(x), 2));
    expect(loopA).not.toEqual(loopB);
    for (let i = 0; i < 3; i++) {
      expect(Array.from(pa.forward(x, 2))).toEqual(loopA);
      expect(Array.from(pb.forward(x, 2))).toEqual(loopB);
    }
    // New weights in a: the snapshot keeps the old ones until refresh().
    a.kernels[0].assign(tf.mul(a.kernels[0], 2));
    expect(Array.from(pa.forward(x, 2))).toEqual(loopA);
    pa.refresh();
    const after = Array.from(pa.forward(x, 2));
    expect(after).not.toEqual(loopA);
    expect(after).toEqual(Array.from(pa.forward(Array.from(x), 2)));
    a.dispose();
    b.dispose();
  });
});
