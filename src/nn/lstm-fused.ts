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
 * The whole LSTM unroll as one custom-gradient op on the small-kernel layer (src/nn/small): the input
 * projection of all steps runs in TF.js (one matmul); the T steps run as one call into the kernels'
 * module (`lstmForwardUnroll`: per step h·Wh accumulated onto the projection by gemm, then the cell's
 * pointwise part in SIMD), and BPTT likewise (`lstmBackwardUnroll`), both split by batch rows over the
 * kernels' row threads where there are any; the weight gradients at the end run on the kernels too.
 * This replaces a TF.js matmul per step (tensor, XNNPACK packing Wh, read-back) and scalar gate
 * arithmetic. H must be a multiple of 4 (`Lstm.unroll` falls back to its op-by-op unroll otherwise).
 *
 * Gate layout of the [·, 4H] kernels: [input, forget, output, cell].
 *
 * Inputs: xs [T, B, F], h0 [B, H], c0 [B, H], keep [T, B] (0 where an episode begins: the state is
 * zeroed before that step), kernel [F, 4H], recurrentKernel [H, 4H], bias [4H].
 * Output: [T + 1, B, H]: h after each step, then the final c (so that c gets a gradient too).
 */
export function fusedLstmUnroll(
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  keep: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor3D {
  const H = recurrentKernel.shape[0];
  if (H % 4 !== 0) throw new Error(`fusedLstmUnroll: hidden size ${H} is not a multiple of 4`);
  return lstmOp(xs, h0, c0, keep, kernel, recurrentKernel, bias) as tf.Tensor3D;
}

const lstmOp = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's variadic signature
  ((...args: any[]) => {
    const [xs, h0, c0, keep, kernel, recurrentKernel, bias, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
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
    const G = 4 * H;
    const BH = B * H;
    const BG = B * G;
    const keepValues = keep.dataSync() as Float32Array;
    // z: pre-activations, then (in place) the gates of every step; hPrev, cPrev: the masked states
    // each step starts from; out: h of every step and the final c; tanhC: tanh(c′) of every step.
    const [wh, z, hPrev, cPrev, out, tanhC, keepHeap, ...operands] = workspace(forwardScratch, [
      H * G,
      T * BG,
      T * BH,
      T * BH,
      (T + 1) * BH,
      T * BH,
      T * B,
      ...projectionOperandSizes(T, B, xs.shape[2], 4 * H),
    ]);
    readInto(recurrentKernel, wh);
    // The input projection of every step, straight into the workspace.
    projectInputsInto(xs, kernel, bias, z, operands);
    // The running c lives in out's last row (c of step t is only needed by step t + 1).
    readInto(c0, out.subarray(T * BH));
    readInto(h0, hPrev);
    keepHeap.set(keepValues);
    kernels.lstmForwardUnroll(z, hPrev, cPrev, out, tanhC, keepHeap, wh, T, B, H);
    const value = tf.tensor3d(out, [T + 1, B, H]);
    // Kept for the backward pass off the heap (another pass may reuse the workspace meanwhile).
    const gatesSaved = keepCopy(z);
    const hPrevSaved = keepCopy(hPrev);
    const cPrevSaved = keepCopy(cPrev);
    const tanhCSaved = keepCopy(tanhC);

    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xsSaved, kernelSaved, recurrentSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const [whT, wh, gates, tc, cp, dZ, dh, dc, dyValues, keepHeap] = workspace(backwardScratch, [
        G * H,
        H * G,
        T * BG,
        T * BH,
        T * BH,
        T * BG,
        BH,
        BH,
        (T + 1) * BH,
        T * B,
      ]);
      readInto(dy, dyValues);
      // dh_{t−1} = dz_t · Whᵀ: Wh transposed once.
      readInto(recurrentSaved, wh);
      transposeInto(wh, H, G, whT);
      gates.set(gatesSaved);
      tc.set(tanhCSaved);
      cp.set(cPrevSaved);
      keepHeap.set(keepValues);
      releaseCopies(gatesSaved, tanhCSaved, cPrevSaved);
      kernels.lstmBackwardUnroll(gates, tc, cp, dh, dc, dZ, dyValues, keepHeap, whT, T, B, H);
      // The state gradients first: projectionGradients may grow the heap (and so detach these views).
      const dh0 = tensorFrom(dh, [B, H]);
      const dc0 = tensorFrom(dc, [B, H]);
      const grads = projectionGradients(xsSaved, kernelSaved, hPrevSaved, dZ, dZ);
      return [grads.dxs, dh0, dc0, tf.zeros([T, B]), grads.dKernel, grads.dRecurrentKernel, grads.dBias];
    };
    return { value, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0],
);
