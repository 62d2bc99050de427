import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { CnnEncoder } from "../../src/nn/cnn";
import { Lstm } from "../../src/nn/lstm";
import { makeMemoryCore } from "../../src/nn/memory";
import { randn, useBackend } from "./helpers";

/**
 * Compares the analytic gradient of `loss` w.r.t. each variable with central finite differences on
 * every entry (tiny sizes), in float32 on the cpu backend. Returns the worst relative error.
 */
function worstGradientError(loss: () => tf.Scalar, variables: tf.Variable[], eps = 1e-2): number {
  const { grads } = tf.variableGrads(loss, variables);
  let worst = 0;
  for (const variable of variables) {
    const analytic = grads[variable.name].dataSync();
    const base = Float32Array.from(variable.dataSync());
    const evaluate = (values: Float32Array) => {
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      return tf.tidy(() => loss().dataSync()[0]);
    };
    for (let i = 0; i < base.length; i++) {
      const shifted = Float32Array.from(base);
      shifted[i] = base[i] + eps;
      const up = evaluate(shifted);
      shifted[i] = base[i] - eps;
      const down = evaluate(shifted);
      const numeric = (up - down) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric)));
    }
    evaluate(base);
  }
  tf.dispose(grads);
  return worst;
}

describe("finite-difference gradient checks (cpu, float32)", () => {
  beforeAll(() => useBackend("cpu"));

  it("CNN encoder (conv + max-pool + conv + dense, tanh so the loss is smooth)", () => {
    const cnn = new CnnEncoder({
      inputShape: [6, 6, 2],
      convs: [
        { filters: 3, kernelSize: 2, pool: 2 },
        { filters: 2, kernelSize: 2, strides: 1, padding: "same" },
      ],
      dense: [3],
      activation: "tanh",
      seed: 11,
    });
    const images = randn([2, 6, 6, 2], "cnn-x") as tf.Tensor4D;
    const weights = randn([2, 3], "cnn-w");
    const loss = () => tf.sum(tf.mul(cnn.apply(images), weights)) as tf.Scalar;
    expect(worstGradientError(loss, [...cnn.params().values()])).toBeLessThan(2e-3);
    cnn.dispose();
    tf.dispose([images, weights]);
  });

  it("CNN encoder with the fused conv + relu path", () => {
    const cnn = new CnnEncoder({
      inputShape: [5, 5, 1],
      convs: [{ filters: 2, kernelSize: 2, pool: 2 }],
      dense: [2],
      outputActivation: "linear",
      seed: 12,
    });
    const images = randn([2, 5, 5, 1], "relu-x") as tf.Tensor4D;
    const loss = () => tf.sum(tf.square(cnn.apply(images))) as tf.Scalar;
    // eps small enough not to cross a relu kink or a max-pool tie at this seed.
    expect(worstGradientError(loss, [...cnn.params().values()], 1e-3)).toBeLessThan(5e-3);
    cnn.dispose();
    images.dispose();
  });

  // hiddenDim 4: the fused op with the wasm cells (a width not a multiple of 4 runs op by op).
  it("LSTM unroll with a reset in the middle (BPTT through time and the mask)", () => {
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 4, forgetBias: 1, seed: 13 });
    const xs = randn([4, 2, 3], "lstm-x") as tf.Tensor3D;
    const h0 = randn([2, 4], "lstm-h0", 0.5) as tf.Tensor2D;
    const c0 = randn([2, 4], "lstm-c0", 0.5) as tf.Tensor2D;
    // Row 1 starts a new episode at t = 0, row 0 at t = 2.
    const resets = tf.tensor2d([0, 1, 0, 0, 1, 0, 0, 0], [4, 2]);
    const weights = randn([4, 2, 4], "lstm-w");
    const loss = () =>
      tf.tidy(() => {
        const { outputs, state } = lstm.unroll(xs, { h: h0, c: c0 }, resets);
        return tf.add(tf.sum(tf.mul(outputs, weights)), tf.sum(state.c)) as tf.Scalar;
      });
    expect(worstGradientError(loss, [...lstm.params().values()])).toBeLessThan(2e-3);
    // Gradients w.r.t. the inputs and the initial state too.
    const f = (x: tf.Tensor, h: tf.Tensor) =>
      tf.sum(tf.mul(lstm.unroll(x as tf.Tensor3D, { h: h as tf.Tensor2D, c: c0 }, resets).outputs, weights));
    const [dx, dh] = tf.grads(f)([xs, h0]);
    const xVar = tf.variable(xs);
    const hVar = tf.variable(h0);
    const g = () => f(xVar, hVar) as tf.Scalar;
    expect(worstGradientError(g, [xVar, hVar])).toBeLessThan(2e-3);
    // Batch row 1 is reset at t = 0: its initial state gets no gradient.
    expect(Array.from(dh.dataSync().slice(4, 8), Math.abs)).toEqual([0, 0, 0, 0]);
    expect(tf.norm(dh).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.norm(dx).dataSync()[0]).toBeGreaterThan(0);
    lstm.dispose();
    tf.dispose([xs, h0, c0, resets, weights, dx, dh, xVar, hVar]);
  });

  for (const kind of ["rnn", "gru"] as const) {
    it(`${kind.toUpperCase()} unroll with a reset in the middle (BPTT through time and the mask)`, () => {
      const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: 4, seed: 14 });
      // Non-zero biases, so that their gradients are checked at a generic point.
      for (const [path, v] of core.params()) {
        if (path.toLowerCase().includes("bias"))
          tf.tidy(() => v.assign(randn(v.shape, `${kind}-${path}`, 0.3)));
      }
      const xs = randn([4, 2, 3], `${kind}-x`) as tf.Tensor3D;
      const h0 = randn([2, 4], `${kind}-h0`, 0.5) as tf.Tensor2D;
      // Row 1 starts a new episode at t = 0, row 0 at t = 2.
      const resets = tf.tensor2d([0, 1, 0, 0, 1, 0, 0, 0], [4, 2]);
      const weights = randn([4, 2, 4], `${kind}-w`);
      const f = (x: tf.Tensor, h: tf.Tensor) =>
        tf.tidy(() => {
          const { outputs, state } = core.unrollStates(x as tf.Tensor3D, [h as tf.Tensor2D], resets);
          return tf.add(tf.sum(tf.mul(outputs, weights)), tf.sum(tf.square(state[0]))) as tf.Scalar;
        });
      expect(worstGradientError(() => f(xs, h0), [...core.params().values()])).toBeLessThan(2e-3);
      const [dx, dh] = tf.grads(f)([xs, h0]);
      const xVar = tf.variable(xs);
      const hVar = tf.variable(h0);
      expect(worstGradientError(() => f(xVar, hVar), [xVar, hVar])).toBeLessThan(2e-3);
      // Batch row 1 is reset at t = 0: its initial state gets no gradient.
      expect(Array.from(dh.dataSync().slice(4, 8), Math.abs)).toEqual([0, 0, 0, 0]);
      expect(tf.norm(dh).dataSync()[0]).toBeGreaterThan(0);
      expect(tf.norm(dx).dataSync()[0]).toBeGreaterThan(0);
      core.dispose();
      tf.dispose([xs, h0, resets, weights, dx, dh, xVar, hVar]);
    });
  }
});
