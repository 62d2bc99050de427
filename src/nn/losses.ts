import * as tf from "@tensorflow/tfjs";

/** Mean squared error over all elements (regression). */
export function mseLoss(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)));
}

/**
 * Log-probabilities of the chosen classes: sum(oneHot × logSoftmax) over the last axis. One-hot rather
 * than gather because gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 */
export function logProbOfLabels(logits: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const oneHot =
      labels.rank === 1
        ? tf.oneHot(tf.cast(labels as tf.Tensor1D, "int32"), numClasses)
        : (labels as tf.Tensor2D);
    return tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1) as tf.Tensor1D;
  });
}

/**
 * Mean cross-entropy of logits [B, K] against labels: class indices [B] or probabilities/one-hot [B, K].
 */
export function crossEntropyLoss(logits: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(logProbOfLabels(logits, labels))) as tf.Scalar);
}

/**
 * Mean Huber loss (= PyTorch's smooth_l1_loss for delta 1, DQN's TD loss): quadratic within ±delta,
 * linear outside.
 */
export function huberLoss(prediction: tf.Tensor, target: tf.Tensor, delta = 1): tf.Scalar {
  return tf.tidy(() => {
    const absError = tf.abs(tf.sub(prediction, target));
    const quadratic = tf.minimum(absError, delta);
    const linear = tf.sub(absError, quadratic);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear)));
  });
}
