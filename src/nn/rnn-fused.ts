import * as tf from "@tensorflow/tfjs";
import { smallKernels } from "./small/kernels";
import { readInto, tensorFrom } from "./small/tensor_io";
import {
  backwardScratch,
  forwardScratch,
  keepCopy,
  releaseCopies,
  transposeInto,
  workspace,
} from "./small/unroll_buffers";
import { projectInputsInto, projectionGradients, projectionOperandSizes } from "./small/unroll_io";

/**
 * The plain RNN's unroll, h_t = tanh(x_t·W_x + b + h_{t−1}·W_h), as one custom-gradient op on the
 * small-kernel layer, as fusedLstmUnroll is the LSTM's: the input projection in TF.js; the T steps as
 * one call into the kernels' module (`rnnForwardUnroll`: per step a gemm, h·W_h accumulated onto the
 * projection, and a SIMD tanh), backpropagation through time in reverse the same way
 * (`rnnBackwardUnroll`), both split by batch rows over the row threads; the weight gradients on the
 * kernels. H must be a multiple of 4 (`Rnn.unroll` falls back to the op-by-op unroll otherwise).
 *
 * Inputs: xs [T, B, F], h0 [B, H], keep [T, B] (0 where an episode begins: h is zeroed before that
 * step), kernel [F, H], recurrentKernel [H, H], bias [H]. Output: h after each step [T, B, H].
 */
export function fusedRnnUnroll(
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  keep: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor3D {
  const H = recurrentKernel.shape[0];
  if (H % 4 !== 0) throw new Error(`fusedRnnUnroll: hidden size ${H} is not a multiple of 4`);
  return rnnOp(xs, h0, keep, kernel, recurrentKernel, bias) as tf.Tensor3D;
}

const rnnOp = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's variadic signature
  ((...args: any[]) => {
    const [xs, h0, keep, kernel, recurrentKernel, bias, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      (tensors: tf.Tensor[]) => void,
    ];
    // Inputs may be intermediates freed before the backward pass: the tape keeps what is saved.
    save([xs, kernel, recurrentKernel]);
    const kernels = smallKernels();
    const [T, B] = xs.shape;
    const H = recurrentKernel.shape[0];
    const BH = B * H;
    const keepValues = keep.dataSync() as Float32Array;
    // out: the projections, each step's becoming its h in place; hPrev: the masked h each step starts from.
    const [w, out, hPrev, keepHeap, ...operands] = workspace(forwardScratch, [
      H * H,
      T * BH,
      T * BH,
      T * B,
      ...projectionOperandSizes(T, B, xs.shape[2], H),
    ]);
    readInto(recurrentKernel, w);
    // The input projection of every step, straight into the workspace.
    projectInputsInto(xs, kernel, bias, out, operands);
    readInto(h0, hPrev);
    keepHeap.set(keepValues);
    kernels.rnnForwardUnroll(out, hPrev, keepHeap, w, T, B, H);
    const value = tf.tensor3d(out, [T, B, H]);
    // Kept for the backward pass off the heap (another pass may reuse the workspace meanwhile).
    const outSaved = keepCopy(out);
    const hPrevSaved = keepCopy(hPrev);

    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xsSaved, kernelSaved, recurrentSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      // dZ: gradient of each step's pre-activation.
      const [wT, w, h, dZ, dh, dyValues, keepHeap] = workspace(backwardScratch, [
        H * H,
        H * H,
        T * BH,
        T * BH,
        BH,
        T * BH,
        T * B,
      ]);
      readInto(dy, dyValues);
      readInto(recurrentSaved, w);
      transposeInto(w, H, H, wT);
      h.set(outSaved);
      keepHeap.set(keepValues);
      releaseCopies(outSaved);
      kernels.rnnBackwardUnroll(h, dZ, dh, dyValues, keepHeap, wT, T, B, H);
      // The state gradient first: projectionGradients may grow the heap (and so detach this view).
      const dh0 = tensorFrom(dh, [B, H]);
      const grads = projectionGradients(xsSaved, kernelSaved, hPrevSaved, dZ, dZ);
      return [grads.dxs, dh0, tf.zeros([T, B]), grads.dKernel, grads.dRecurrentKernel, grads.dBias];
    };
    return { value, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0],
);
