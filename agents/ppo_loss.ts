// PPO's loss as one custom-gradient op: the surrogate, value and entropy terms are computed on
// Float32Arrays from the logits and values, with their gradients written out by hand. On the small
// tensors of a PPO minibatch ([N, A] logits, [N] values) the ~150 kernels that autodiff would run
// (log-softmax, one-hot, ratio, clipping, max, means, and their gradients) cost far more in dispatch
// than in arithmetic; here they are two read-backs and two uploads. Tested against autodiff.
import * as tf from "@tensorflow/tfjs";
import { logSoftmaxRowInto } from "../src/nn";

/** The per-minibatch data of PPO's loss (typed arrays of N rows). */
export interface PpoLossData {
  actions: Int32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
}

/** Coefficients of PPO's loss. */
export interface PpoLossCoefficients {
  /** Surrogate clip ε. */
  clip: number;
  /** Clip the value loss around the old values. */
  clipVloss: boolean;
  /** The value clip ε_V (with clipVloss): CleanRL's clip_coef, not annealed with the surrogate's ε. */
  valueClip: number;
  entCoef: number;
  vfCoef: number;
}

/** The loss terms and diagnostics of the last evaluation. */
export interface PpoLossStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFrac: number;
}

/**
 * L = mean(max(−Â·r, −Â·clip(r, 1 ± ε))) + c_v · ½·mean(max((V − R)², (V_old + clip(V − V_old, ±ε_V) − R)²))
 *     − c_e · mean(H[π]),  r = exp(log π(a|o) − log π_old(a|o)),
 * from logits [N, A] and values [N]; differentiable in both. `stats` receives the terms.
 * Ties of the maxima split the gradient evenly, as torch.maximum does.
 */
export function ppoLoss(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  data: PpoLossData,
  coefficients: PpoLossCoefficients,
  stats?: PpoLossStats,
): tf.Scalar {
  const op = tf.customGrad(((logitsIn: tf.Tensor, valuesIn: tf.Tensor) => {
    const [N, A] = logitsIn.shape as [number, number];
    const z = logitsIn.dataSync() as Float32Array;
    const v = valuesIn.dataSync() as Float32Array;
    const { clip, clipVloss, valueClip, entCoef, vfCoef } = coefficients;
    const dLogits = new Float32Array(N * A);
    const dValues = new Float32Array(N);
    const p = new Float32Array(A);
    const logP = new Float32Array(A);
    let policyLoss = 0;
    let valueLoss = 0;
    let entropySum = 0;
    let kl = 0;
    let clipped = 0;
    for (let i = 0; i < N; i++) {
      const row = i * A;
      const entropy = logSoftmaxRowInto(z, i, A, logP, p);
      entropySum += entropy;
      // Surrogate.
      const a = data.actions[i];
      const logRatio = logP[a] - data.oldLogProbs[i];
      const ratio = Math.exp(logRatio);
      const adv = data.advantages[i];
      const clippedRatio = Math.min(1 + clip, Math.max(1 - clip, ratio));
      const unclippedTerm = -adv * ratio;
      const clippedTerm = -adv * clippedRatio;
      policyLoss += Math.max(unclippedTerm, clippedTerm);
      kl += ratio - 1 - logRatio;
      if (Math.abs(ratio - 1) > clip) clipped++;
      // d/dr of max(−Â·r, −Â·clip(r)): the chosen branch's slope (the clipped one is flat outside the range).
      const inRange = ratio > 1 - clip && ratio < 1 + clip ? 1 : 0;
      const dRatio =
        unclippedTerm > clippedTerm
          ? -adv
          : unclippedTerm < clippedTerm
            ? -adv * inRange
            : -adv * 0.5 * (1 + inRange);
      // dr/dz_k = r·(1[k = a] − p_k); dH/dz_k = −p_k·(log p_k + H).
      for (let k = 0; k < A; k++) {
        const dPolicy = dRatio * ratio * ((k === a ? 1 : 0) - p[k]);
        const dEntropy = -p[k] * (logP[k] + entropy);
        dLogits[row + k] = (dPolicy - entCoef * dEntropy) / N;
      }
      // Value loss.
      const error = v[i] - data.returns[i];
      if (clipVloss) {
        const delta = v[i] - data.oldValues[i];
        const clippedDelta = Math.min(valueClip, Math.max(-valueClip, delta));
        const clippedError = data.oldValues[i] + clippedDelta - data.returns[i];
        const a2 = error * error;
        const b2 = clippedError * clippedError;
        valueLoss += 0.5 * Math.max(a2, b2);
        const deltaInRange = delta > -valueClip && delta < valueClip ? 1 : 0;
        const dUnclipped = error;
        const dClipped = clippedError * deltaInRange;
        dValues[i] =
          (vfCoef * (a2 > b2 ? dUnclipped : a2 < b2 ? dClipped : 0.5 * (dUnclipped + dClipped))) / N;
      } else {
        valueLoss += 0.5 * error * error;
        dValues[i] = (vfCoef * error) / N;
      }
    }
    policyLoss /= N;
    valueLoss /= N;
    const entropyMean = entropySum / N;
    if (stats) {
      stats.policyLoss = policyLoss;
      stats.valueLoss = valueLoss;
      stats.entropy = entropyMean;
      stats.approxKl = kl / N;
      stats.clipFrac = clipped / N;
    }
    const loss = policyLoss + vfCoef * valueLoss - entCoef * entropyMean;
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => {
        const scale = dy.dataSync()[0];
        if (scale !== 1) {
          for (let j = 0; j < dLogits.length; j++) dLogits[j] *= scale;
          for (let j = 0; j < dValues.length; j++) dValues[j] *= scale;
        }
        return [tf.tensor2d(dLogits, [N, A]), tf.tensor1d(dValues)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(logits, values) as tf.Scalar;
}
