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
 * The whole GRU unroll (PyTorch's equations, see gru.ts) as one custom-gradient op on the small-kernel
 * layer, as fusedLstmUnroll is the LSTM's: the input projection runs in TF.js (one matmul); the T
 * steps run as one call into the kernels' module in each direction (`gruForwardUnroll`,
 * `gruBackwardUnroll`: per step a gemm (h·U) and the SIMD cell), split by batch rows over the row
 * threads; the weight gradients run on the kernels. H must be a multiple of 4 (`Gru.unroll` falls back
 * to the op-by-op unroll otherwise).
 *
 * Inputs: xs [T, B, F], h0 [B, H], keep [T, B] (0 where an episode begins: h is zeroed before that
 * step), kernel [F, 3H], recurrentKernel [H, 3H], bias [3H], recurrentBias [3H]; gate order [r, z, n].
 * Output: h after each step [T, B, H].
 */
export function fusedGruUnroll(
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  keep: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  recurrentBias: tf.Tensor1D,
): tf.Tensor3D {
  const H = recurrentKernel.shape[0];
  if (H % 4 !== 0) throw new Error(`fusedGruUnroll: hidden size ${H} is not a multiple of 4`);
  return gruOp(xs, h0, keep, kernel, recurrentKernel, bias, recurrentBias) as tf.Tensor3D;
}

const gruOp = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's variadic signature
  ((...args: any[]) => {
    const [xs, h0, keep, kernel, recurrentKernel, bias, recurrentBias, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor1D,
      (tensors: tf.Tensor[]) => void,
    ];
    // Inputs may be intermediates freed before the backward pass: the tape keeps what is saved.
    save([xs, kernel, recurrentKernel]);
    const kernels = smallKernels();
    const [T, B] = xs.shape;
    const H = recurrentKernel.shape[0];
    const G = 3 * H;
    const BH = B * H;
    const BG = B * G;
    const keepValues = keep.dataSync() as Float32Array;
    // p: input projections; rec: one step's h·U; hPrev: the masked h each step starts from; out: h
    // after each step; gates [r, z, n] and recN (U_n·h + b_hn) of every step, for the backward pass.
    const [u, bh, p, rec, hPrev, out, gates, recN, keepHeap, ...operands] = workspace(forwardScratch, [
      H * G,
      G,
      T * BG,
      BG,
      T * BH,
      T * BH,
      T * BG,
      T * BH,
      T * B,
      ...projectionOperandSizes(T, B, xs.shape[2], 3 * H),
    ]);
    readInto(recurrentKernel, u);
    readInto(recurrentBias, bh);
    // The input projection of every step, straight into the workspace.
    projectInputsInto(xs, kernel, bias, p, operands);
    readInto(h0, hPrev);
    keepHeap.set(keepValues);
    kernels.gruForwardUnroll(p, rec, bh, hPrev, out, gates, recN, keepHeap, u, T, B, H);
    const value = tf.tensor3d(out, [T, B, H]);
    // Kept for the backward pass off the heap (another pass may reuse the workspace meanwhile).
    const gatesSaved = keepCopy(gates);
    const recNSaved = keepCopy(recN);
    const hPrevSaved = keepCopy(hPrev);

    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xsSaved, kernelSaved, recurrentSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      // dIn, dRec: gradients of the input pre-activations (x·W + b) and of the recurrent ones (h·U + b_h).
      const [uT, u, g, rn, hp, dIn, dRec, dh, dOut, dyValues, keepHeap] = workspace(backwardScratch, [
        G * H,
        H * G,
        T * BG,
        T * BH,
        T * BH,
        T * BG,
        T * BG,
        BH,
        BH,
        T * BH,
        T * B,
      ]);
      readInto(dy, dyValues);
      readInto(recurrentSaved, u);
      transposeInto(u, H, G, uT);
      g.set(gatesSaved);
      rn.set(recNSaved);
      hp.set(hPrevSaved);
      keepHeap.set(keepValues);
      releaseCopies(gatesSaved, recNSaved);
      // Per step, from the last: dh ← dOut·z (the direct path), then + dRec·Uᵀ, then the mask.
      kernels.gruBackwardUnroll(g, rn, hp, dOut, dIn, dRec, dh, dyValues, keepHeap, uT, T, B, H);
      // The state gradient first: projectionGradients may grow the heap (and so detach this view).
      const dh0 = tensorFrom(dh, [B, H]);
      const grads = projectionGradients(xsSaved, kernelSaved, hPrevSaved, dIn, dRec, true);
      return [
        grads.dxs,
        dh0,
        tf.zeros([T, B]),
        grads.dKernel,
        grads.dRecurrentKernel,
        grads.dBias,
        grads.dRecurrentBias as tf.Tensor1D,
      ];
    };
    return { value, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0],
);
