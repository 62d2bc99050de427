// The TF.js ends of the fused unrolls (lstm-fused.ts, gru-fused.ts, rnn-fused.ts): the input
// projection of every step at the start, and at the end of the backward pass the gradients that are
// big products (XNNPACK does those well) from the pre-activation gradients on the kernels' heap.
import * as tf from "@tensorflow/tfjs";
import { computeInto, tensorFrom } from "./tensor_io";
import { releaseCopies } from "./unroll_buffers";

/** x_t·W + b of every step, xs [T, B, F] · kernel [F, G] + bias, into `dest` ([T·B, G] values). */
export function projectInputsInto(
  xs: tf.Tensor3D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  dest: Float32Array,
): void {
  const [T, B, F] = xs.shape;
  computeInto(() => tf.fused.matMul({ a: tf.reshape(xs, [T * B, F]) as tf.Tensor2D, b: kernel, bias }), dest);
}

/** The gradients of an unroll's projections and of its input sequence. */
export interface ProjectionGradients {
  /** Of xs [T, B, F]. */
  dxs: tf.Tensor3D;
  /** Of the input kernel [F, G]. */
  dKernel: tf.Tensor2D;
  /** Of the recurrent kernel [H, G]. */
  dRecurrentKernel: tf.Tensor2D;
  /** Of the input bias [G]. */
  dBias: tf.Tensor1D;
  /** Of the recurrent bias [G] (the GRU's b_h), when asked for. */
  dRecurrentBias?: tf.Tensor1D;
}

/**
 * From dIn [T·B, G] (the gradient of every step's x·W + b) and dRec [T·B, G] (of h_{t−1}·U; the same
 * array where one pre-activation holds both, as in the LSTM and the RNN), with xs and the kernel saved
 * by the forward pass and hPrev [T·B, H] (the masked states each step started from, a buffer from
 * `keepCopy`, given back here): dxs = dIn·Wᵀ, dW = xᵀ·dIn, dU = hPrevᵀ·dRec, db = Σ dIn, and with
 * `recurrentBias` dbh = Σ dRec.
 */
export function projectionGradients(
  xs: tf.Tensor3D,
  kernel: tf.Tensor2D,
  hPrev: Float32Array,
  dIn: Float32Array,
  dRec: Float32Array,
  recurrentBias = false,
): ProjectionGradients {
  const [T, B, F] = xs.shape;
  const G = kernel.shape[1];
  const H = hPrev.length / (T * B);
  const grads = tf.tidy(() => {
    const dInT = tensorFrom(dIn, [T * B, G]) as tf.Tensor2D;
    const dRecT = dRec === dIn ? dInT : (tensorFrom(dRec, [T * B, G]) as tf.Tensor2D);
    const xFlat = tf.reshape(xs, [T * B, F]) as tf.Tensor2D;
    const hPrevT = tensorFrom(hPrev, [T * B, H]) as tf.Tensor2D;
    return {
      dxs: tf.reshape(tf.matMul(dInT, kernel, false, true), [T, B, F]) as tf.Tensor3D,
      dKernel: tf.matMul(xFlat, dInT, true, false) as tf.Tensor2D,
      dRecurrentKernel: tf.matMul(hPrevT, dRecT, true, false) as tf.Tensor2D,
      dBias: tf.sum(dInT, 0) as tf.Tensor1D,
      ...(recurrentBias ? { dRecurrentBias: tf.sum(dRecT, 0) as tf.Tensor1D } : {}),
    };
  });
  releaseCopies(hPrev);
  return grads;
}
