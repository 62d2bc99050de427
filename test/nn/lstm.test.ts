import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { crossEntropyLoss } from "../../src/nn/losses";
import { Lstm } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { joinParams } from "../../src/nn/params";
import { accuracy, maxAbsDiff, randn, testRng, useBackend } from "./helpers";

const LAG = 10;
const STEPS = LAG + 1;

/**
 * Cue-recall POMDP: at t = 0 a bit (±1) is shown with a cue flag; the next 10 steps show random
 * distractor bits without the flag, plus Gaussian noise. Target at the last step: the cued bit.
 * Inputs [T, B, 3] = (bit, flag, noise).
 */
function recallData(n: number, seed: string): { xs: tf.Tensor3D; labels: Int32Array } {
  const rng = testRng(seed);
  const values = new Float32Array(STEPS * n * 3);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    labels[b] = rng.integer(2);
    for (let t = 0; t < STEPS; t++) {
      const at = (t * n + b) * 3;
      const bit = t === 0 ? labels[b] : rng.integer(2);
      values[at] = 2 * bit - 1 + 0.3 * rng.normal();
      values[at + 1] = t === 0 ? 1 : 0;
      values[at + 2] = rng.normal();
    }
  }
  return { xs: tf.tensor3d(values, [STEPS, n, 3]), labels };
}

describe("Lstm", () => {
  beforeAll(() => useBackend("wasm"));

  it(`recalls the bit cued ${LAG} steps earlier through noise; an MLP on the current input stays at chance`, () => {
    const train = recallData(512, "recall-train");
    const test = recallData(256, "recall-test");
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 16, forgetBias: 1, seed: 1 });
    const head = new Mlp({ sizes: [16, 2], seed: 2 });
    const opt = new ClippedAdam(joinParams({ lstm, head }), { learningRate: 1e-2, maxGradNorm: 1 });
    const batchX = tf.split(train.xs, 8, 1) as tf.Tensor3D[];
    const batchY = Array.from({ length: 8 }, (_, i) =>
      tf.tensor1d(train.labels.subarray(i * 64, i * 64 + 64), "int32"),
    );
    const logitsOf = (xs: tf.Tensor3D) =>
      tf.tidy(() => {
        const { state } = lstm.unroll(xs, lstm.zeroState(xs.shape[1]));
        return head.apply(state.h);
      });
    for (let step = 0; step < 250; step++) {
      const i = step % 8;
      opt.minimize(() => crossEntropyLoss(logitsOf(batchX[i]), batchY[i]));
    }
    const lstmAcc = accuracy(
      tf.tidy(() => tf.argMax(logitsOf(test.xs), -1).dataSync()),
      test.labels,
    );

    // Memoryless baseline: the same head size on the current (last) input only.
    const mlp = new Mlp({ sizes: [3, 16, 2], activation: "relu", seed: 3 });
    const mlpOpt = new ClippedAdam(mlp.params(), { learningRate: 1e-2 });
    const lastOf = (xs: tf.Tensor3D) =>
      tf.reshape(tf.slice(xs, [STEPS - 1, 0, 0], [1, -1, 3]), [-1, 3]) as tf.Tensor2D;
    const trainLabels = tf.tensor1d(train.labels, "int32");
    for (let step = 0; step < 250; step++) {
      mlpOpt.minimize(() => crossEntropyLoss(mlp.apply(lastOf(train.xs)), trainLabels));
    }
    const mlpAcc = accuracy(
      tf.tidy(() => tf.argMax(mlp.apply(lastOf(test.xs)), -1).dataSync()),
      test.labels,
    );
    console.info(
      `lstm recall (lag ${LAG}): held-out accuracy LSTM ${lstmAcc}, MLP on current input ${mlpAcc}`,
    );
    expect(lstmAcc).toBeGreaterThan(0.95);
    expect(Math.abs(mlpAcc - 0.5)).toBeLessThan(0.1);
    lstm.dispose();
    head.dispose();
    mlp.dispose();
    tf.dispose([train.xs, test.xs, trainLabels, ...batchX, ...batchY]);
  });

  it("the fused unroll op equals the op-by-op unroll, forward and gradients", () => {
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 5, forgetBias: 1, seed: 6 });
    const xs = randn([7, 3, 3], "fused-x") as tf.Tensor3D;
    const resets = tf.tensor2d([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], [7, 3]);
    const h0 = randn([3, 5], "fused-h") as tf.Tensor2D;
    const c0 = randn([3, 5], "fused-c") as tf.Tensor2D;
    const w = randn([7, 3, 5], "fused-w");
    const results = (unroll: typeof lstm.unroll) => {
      const f = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor) =>
        tf.tidy(() => {
          const r = unroll.call(lstm, x as tf.Tensor3D, { h: h as tf.Tensor2D, c: c as tf.Tensor2D }, resets);
          return tf.add(tf.sum(tf.mul(r.outputs, w)), tf.sum(tf.mul(r.state.c, r.state.h)));
        });
      const { value, grads } = tf.variableGrads(
        () => f(xs, h0, c0) as tf.Scalar,
        [...lstm.params().values()],
      );
      const inputGrads = tf.grads(f)([xs, h0, c0]);
      const all = [value, ...Object.values(grads), ...inputGrads].map((t) => Array.from(t.dataSync()));
      tf.dispose([value, ...Object.values(grads), ...inputGrads]);
      return all;
    };
    const fused = results(lstm.unroll);
    const reference = results(lstm.unrollOpByOp);
    expect(fused.length).toBe(7);
    for (let i = 0; i < fused.length; i++) expect(maxAbsDiff(fused[i], reference[i])).toBeLessThan(1e-5);
    lstm.dispose();
    tf.dispose([xs, resets, h0, c0, w]);
  });

  it("step() repeated equals unroll()", () => {
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 5, seed: 4 });
    const xs = randn([6, 2, 3], "step-x") as tf.Tensor3D;
    const resets = tf.tensor2d([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], [6, 2]);
    const start = { h: randn([2, 5], "h0") as tf.Tensor2D, c: randn([2, 5], "c0") as tf.Tensor2D };
    const { outputs, state } = lstm.unroll(xs, start, resets);
    let s = start;
    const stepped: number[] = [];
    for (let t = 0; t < 6; t++) {
      const next = tf.tidy(() => {
        const x = tf.reshape(tf.slice(xs, [t, 0, 0], [1, 2, 3]), [2, 3]) as tf.Tensor2D;
        const reset = tf.reshape(tf.slice(resets, [t, 0], [1, 2]), [2]) as tf.Tensor1D;
        return lstm.step(x, s, reset);
      });
      if (t > 0) tf.dispose([s.h, s.c]);
      s = next;
      stepped.push(...s.h.dataSync());
    }
    expect(maxAbsDiff(stepped, outputs.dataSync())).toBeLessThan(1e-6);
    expect(maxAbsDiff(s.c.dataSync(), state.c.dataSync())).toBeLessThan(1e-6);
    lstm.dispose();
    tf.dispose([xs, resets, start.h, start.c, outputs, state.h, state.c, s.h, s.c]);
  });

  it("reset masks stop state and gradient leaking across episode boundaries", () => {
    const lstm = new Lstm({ inputDim: 2, hiddenDim: 4, forgetBias: 1, seed: 5 });
    const first = randn([5, 1, 2], "episode-a") as tf.Tensor3D;
    const second = randn([4, 1, 2], "episode-b") as tf.Tensor3D;
    const joined = tf.concat([first, second]) as tf.Tensor3D;
    const resets = tf.tensor2d([0, 0, 0, 0, 0, 1, 0, 0, 0], [9, 1]);
    const fresh = tf.tidy(() => lstm.unroll(second, lstm.zeroState(1)).outputs.dataSync());
    const masked = tf.tidy(() =>
      tf.slice(lstm.unroll(joined, lstm.zeroState(1), resets).outputs, 5).dataSync(),
    );
    const leaking = tf.tidy(() => tf.slice(lstm.unroll(joined, lstm.zeroState(1)).outputs, 5).dataSync());
    expect(maxAbsDiff(masked, fresh)).toBeLessThan(1e-6);
    // Without the mask the first episode's state carries over (so the check above can fail).
    expect(maxAbsDiff(leaking, fresh)).toBeGreaterThan(1e-3);
    // A reset at t = 0 ignores whatever state is passed in.
    const stale = { h: tf.onesLike(tf.zeros([1, 4])) as tf.Tensor2D, c: tf.fill([1, 4], 3) as tf.Tensor2D };
    const resetAtStart = tf.tensor2d([1, 0, 0, 0], [4, 1]);
    const fromStale = tf.tidy(() => lstm.unroll(second, stale, resetAtStart).outputs.dataSync());
    expect(maxAbsDiff(fromStale, fresh)).toBeLessThan(1e-6);
    // BPTT: the loss on the second episode has no gradient w.r.t. the first episode's inputs.
    const dJoined = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.slice(lstm.unroll(x as tf.Tensor3D, lstm.zeroState(1), resets).outputs, 5)),
    )(joined);
    const grad = dJoined.dataSync();
    expect(maxAbsDiff(grad.subarray(0, 10), new Float32Array(10))).toBe(0);
    expect(maxAbsDiff(grad.subarray(10), new Float32Array(8))).toBeGreaterThan(1e-4);
    lstm.dispose();
    tf.dispose([first, second, joined, resets, stale.h, stale.c, resetAtStart, dJoined]);
  });
});
