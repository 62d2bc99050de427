import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type PpoLossStats, ppoLoss } from "../../agents/ppo_loss";
import { Rng } from "../../src/core/rng";
import { categoricalEntropy, initBackend, logProbOfLabels } from "../../src/nn";
import { silentLogger } from "../nn/helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
});

/** CleanRL's PPO loss written with TF.js ops: the autodiff reference. */
function referenceLoss(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  d: {
    actions: Int32Array;
    oldLogProbs: Float32Array;
    advantages: Float32Array;
    returns: Float32Array;
    oldValues: Float32Array;
  },
  c: { clip: number; clipVloss: boolean; valueClip: number; entCoef: number; vfCoef: number },
): tf.Scalar {
  const logRatio = tf.sub(
    logProbOfLabels(logits, tf.tensor1d(d.actions, "int32")),
    tf.tensor1d(d.oldLogProbs),
  );
  const ratio = tf.exp(logRatio);
  const adv = tf.tensor1d(d.advantages);
  const policy = tf.mean(
    tf.maximum(
      tf.mul(tf.neg(adv), ratio),
      tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c.clip, 1 + c.clip)),
    ),
  );
  const returns = tf.tensor1d(d.returns);
  const oldValues = tf.tensor1d(d.oldValues);
  const unclipped = tf.square(tf.sub(values, returns));
  const value = c.clipVloss
    ? tf.mul(
        0.5,
        tf.mean(
          tf.maximum(
            unclipped,
            tf.square(
              tf.sub(
                tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -c.valueClip, c.valueClip)),
                returns,
              ),
            ),
          ),
        ),
      )
    : tf.mul(0.5, tf.mean(unclipped));
  return tf.add(
    tf.sub(policy, tf.mul(c.entCoef, tf.mean(categoricalEntropy(logits)))),
    tf.mul(c.vfCoef, value),
  ) as tf.Scalar;
}

describe("ppoLoss (hand-written gradient)", () => {
  for (const clipVloss of [true, false]) {
    it(`equals autodiff of CleanRL's loss in value and gradient (clipVloss ${clipVloss})`, () => {
      const rng = new Rng(3);
      const N = 64;
      const A = 3;
      const z = Float32Array.from({ length: N * A }, () => rng.normal());
      const v = Float32Array.from({ length: N }, () => rng.normal());
      // Old log-probs near the current ones, so that some ratios fall inside the clip range and some outside.
      const current = tf.tidy(() =>
        logProbOfLabels(
          tf.tensor2d(z, [N, A]),
          tf.tensor1d(
            Int32Array.from({ length: N }, (_, i) => i % A),
            "int32",
          ),
        ).dataSync(),
      );
      const data = {
        actions: Int32Array.from({ length: N }, (_, i) => i % A),
        oldLogProbs: Float32Array.from(current, (x) => x + 0.3 * rng.normal()),
        advantages: Float32Array.from({ length: N }, () => rng.normal()),
        returns: Float32Array.from({ length: N }, () => rng.normal()),
        oldValues: Float32Array.from(v, (x) => x + 0.3 * rng.normal()),
      };
      // Distinct surrogate and value clips: each must act where it belongs.
      const coefficients = { clip: 0.2, clipVloss, valueClip: 0.1, entCoef: 0.01, vfCoef: 0.5 };
      const stats: PpoLossStats = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFrac: 0 };
      const before = tf.memory().numTensors;
      const grads = (f: (l: tf.Tensor2D, val: tf.Tensor1D) => tf.Scalar) =>
        tf.tidy(() => {
          const g = tf.grads((l: tf.Tensor, val: tf.Tensor) => f(l as tf.Tensor2D, val as tf.Tensor1D));
          const [dl, dv] = g([tf.tensor2d(z, [N, A]), tf.tensor1d(v)]);
          return {
            loss: f(tf.tensor2d(z, [N, A]), tf.tensor1d(v)).dataSync()[0],
            dl: dl.dataSync().slice(),
            dv: dv.dataSync().slice(),
          };
        });
      const mine = grads((l, val) => ppoLoss(l, val, data, coefficients, stats));
      const reference = grads((l, val) => referenceLoss(l, val, data, coefficients));
      expect(tf.memory().numTensors).toBe(before);
      expect(mine.loss).toBeCloseTo(reference.loss, 5);
      for (let i = 0; i < N * A; i++) expect(mine.dl[i]).toBeCloseTo(reference.dl[i], 6);
      for (let i = 0; i < N; i++) expect(mine.dv[i]).toBeCloseTo(reference.dv[i], 6);
      expect(stats.clipFrac).toBeGreaterThan(0.1);
      expect(stats.clipFrac).toBeLessThan(0.9);
      expect(stats.approxKl).toBeGreaterThan(0);
    });
  }
});
