import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { argmaxRows, CategoricalPolicyHead, QHead, sampleCategorical, ValueHead } from "../../src/nn/heads";
import { crossEntropyLoss, huberLoss, mseLoss } from "../../src/nn/losses";
import { ClippedAdam } from "../../src/nn/optimizer";
import { maxAbsDiff, testRng, useBackend } from "./helpers";

describe("heads", () => {
  beforeAll(() => useBackend("wasm"));

  it("give Q-values [B, A], values [B] and logits [B, A] with CleanRL's output scales", () => {
    const features = tf.randomNormal([5, 8], 0, 1, "float32", 1) as tf.Tensor2D;
    const q = new QHead({ inputDim: 8, numActions: 3, seed: 1 });
    const v = new ValueHead({ inputDim: 8, hidden: [16], seed: 1 });
    const pi = new CategoricalPolicyHead({ inputDim: 8, numActions: 3, seed: 1 });
    const [qs, vs, logits] = [q.apply(features), v.apply(features), pi.apply(features)];
    expect(qs.shape).toEqual([5, 3]);
    expect(vs.shape).toEqual([5]);
    expect(logits.shape).toEqual([5, 3]);
    // Policy output gain 0.01: near-uniform initial policy.
    expect(tf.max(tf.abs(logits)).dataSync()[0]).toBeLessThan(0.1);
    expect(tf.max(tf.abs(qs)).dataSync()[0]).toBeGreaterThan(0.1);
    expect(Array.from(argmaxRows(tf.tensor2d([0, 2, 1, 5, 0, 0], [2, 3])))).toEqual([1, 0]);
    for (const h of [q, v, pi]) h.dispose();
    tf.dispose([features, qs, vs, logits]);
  });

  it("log-prob and entropy match the formulas", () => {
    const pi = new CategoricalPolicyHead({ inputDim: 2, numActions: 3, seed: 0 });
    const rows = [
      [1, 2, 0.5],
      [-1, 0, 3],
    ];
    const logits = tf.tensor2d(rows);
    const logP = pi.logProb(logits, tf.tensor1d([2, 0], "int32")).dataSync();
    const entropy = pi.entropy(logits).dataSync();
    const expectedLogP: number[] = [];
    const expectedEntropy: number[] = [];
    for (const [r, row] of rows.entries()) {
      const z = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      expectedLogP.push(row[[2, 0][r]] - z);
      expectedEntropy.push(-row.reduce((s, x) => s + Math.exp(x - z) * (x - z), 0));
    }
    expect(maxAbsDiff(logP, expectedLogP)).toBeLessThan(1e-5);
    expect(maxAbsDiff(entropy, expectedEntropy)).toBeLessThan(1e-5);
    const uniform = pi.entropy(tf.zeros([1, 3]) as tf.Tensor2D).dataSync()[0];
    expect(uniform).toBeCloseTo(Math.log(3), 5);
    pi.dispose();
  });

  it("samples with the seeded RNG: frequencies follow the softmax, same seed same actions", () => {
    const logits = tf.tensor2d([[Math.log(0.2), Math.log(0.5), Math.log(0.3)]]);
    const big = tf.tile(logits, [20000, 1]) as tf.Tensor2D;
    const actions = sampleCategorical(big, testRng(7));
    const counts = [0, 0, 0];
    for (const a of actions) counts[a]++;
    expect(
      maxAbsDiff(
        counts.map((c) => c / 20000),
        [0.2, 0.5, 0.3],
      ),
    ).toBeLessThan(0.015);
    expect(Array.from(sampleCategorical(big, testRng(7)).subarray(0, 50))).toEqual(
      Array.from(actions.subarray(0, 50)),
    );
    expect(Array.from(sampleCategorical(big, testRng(8)).subarray(0, 50))).not.toEqual(
      Array.from(actions.subarray(0, 50)),
    );
    // The project's core Rng drives it the same way (same alea stream for the same seed).
    expect(Array.from(sampleCategorical(big, testRng(7)).subarray(0, 50))).toEqual(
      Array.from(actions.subarray(0, 50)),
    );
    // The Float32Array form (fast acting path) draws the same as the tensor form.
    const row = Float32Array.from(logits.dataSync());
    expect(sampleCategorical(row, testRng(9))[0]).toBe(sampleCategorical(logits, testRng(9))[0]);
    tf.dispose([logits, big]);
  });
});

describe("losses", () => {
  beforeAll(() => useBackend("wasm"));

  it("mse, Huber and cross-entropy give the textbook values", () => {
    const pred = tf.tensor1d([0, 0.5, 3, -2]);
    const target = tf.tensor1d([0, 0, 0, 0]);
    expect(mseLoss(pred, target).dataSync()[0]).toBeCloseTo((0.25 + 9 + 4) / 4, 5);
    // Huber, delta 1: 0.5 d² inside, |d| − 0.5 outside.
    expect(huberLoss(pred, target).dataSync()[0]).toBeCloseTo((0 + 0.125 + 2.5 + 1.5) / 4, 5);
    // delta 2: 0.5 d² inside, 2(|d| − 1) outside.
    expect(huberLoss(pred, target, 2).dataSync()[0]).toBeCloseTo((0 + 0.125 + 4 + 2) / 4, 5);
    const logits = tf.tensor2d([
      [2, 0],
      [0, 0],
    ]);
    const ce = (Math.log(1 + Math.exp(-2)) + Math.log(2)) / 2;
    expect(crossEntropyLoss(logits, tf.tensor1d([0, 1], "int32")).dataSync()[0]).toBeCloseTo(ce, 5);
    expect(crossEntropyLoss(logits, tf.tensor2d([1, 0, 0, 1], [2, 2])).dataSync()[0]).toBeCloseTo(ce, 5);
  });

  it("Huber's gradient is clipped to ±delta", () => {
    const g = tf.grad((x: tf.Tensor) => huberLoss(x, tf.zeros([3])))(tf.tensor1d([0.5, 4, -4]));
    expect(maxAbsDiff(g.dataSync(), [0.5 / 3, 1 / 3, -1 / 3])).toBeLessThan(1e-6);
  });
});

describe("ClippedAdam", () => {
  beforeAll(() => useBackend("wasm"));

  /** Reference Adam (PyTorch's update) in float64. */
  function referenceAdam(p: number[], grads: number[][], lr: number, eps: number): number[] {
    const m = p.map(() => 0);
    const v = p.map(() => 0);
    const out = [...p];
    grads.forEach((g, k) => {
      const t = k + 1;
      for (let i = 0; i < p.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        const mHat = m[i] / (1 - 0.9 ** t);
        const vHat = v[i] / (1 - 0.999 ** t);
        out[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    return out;
  }

  it("applies PyTorch's Adam update", () => {
    const w = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const opt = new ClippedAdam(new Map([["w", w]]), { learningRate: 0.1, epsilon: 1e-8 });
    const grads = [
      [0.3, -1, 2],
      [0.1, 0.5, -0.2],
      [1, 1, 1],
    ];
    for (const g of grads) opt.applyGradients(new Map([["w", tf.tensor1d(g)]]));
    expect(maxAbsDiff(w.dataSync(), referenceAdam([1, -2, 0.5], grads, 0.1, 1e-8))).toBeLessThan(1e-5);
    expect(opt.step).toBe(3);
    w.dispose();
  });

  it("clips the global gradient norm across all parameters", () => {
    const a = tf.variable(tf.tensor1d([0, 0]));
    const b = tf.variable(tf.tensor1d([0]));
    const params = new Map([
      ["a", a],
      ["b", b],
    ]);
    const opt = new ClippedAdam(params, { learningRate: 0.1, maxGradNorm: 1 });
    // Gradients (3, 4) and (12): global norm 13, clipped to 1.
    const result = opt.minimize(
      () => tf.add(tf.sum(tf.mul(a, tf.tensor1d([3, 4]))), tf.sum(tf.mul(b, 12))) as tf.Scalar,
    );
    expect(result.gradNorm).toBeCloseTo(13, 4);
    const m = opt.getState().m;
    // First moment = 0.1 × clipped gradient.
    expect(maxAbsDiff([...m.get("a")!, ...m.get("b")!], [0.3 / 13, 0.4 / 13, 1.2 / 13])).toBeLessThan(1e-6);
    const unclipped = new ClippedAdam(params, { learningRate: 0.1 });
    unclipped.minimize(() => tf.sum(tf.mul(a, tf.tensor1d([3, 4]))) as tf.Scalar);
    expect(maxAbsDiff(unclipped.getState().m.get("a")!, [0.3, 0.4])).toBeLessThan(1e-6);
    tf.dispose([a, b]);
  });
});
