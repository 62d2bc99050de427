// The TF.js ends of the fused unrolls (lstm-fused.ts, gru-fused.ts, rnn-fused.ts): the input
// projection of every step at the start (one TF.js matMul), and at the end of the backward pass the
// gradients of the weights, biases and inputs from the pre-activation gradients on the kernels' heap.
import type * as tf from "@tensorflow/tfjs";
import { Scratch, smallKernels } from "./kernels";
import { readInto, tensorFrom } from "./tensor_io";
import { releaseCopies, transposeInto, workspace } from "./unroll_buffers";

/** The heap's room for {@link projectInputsInto}'s operands: [T·B·F, F·G, G] values. */
export function projectionOperandSizes(T: number, B: number, F: number, G: number): number[] {
  return [T * B * F, F * G, G];
}

/**
 * x_t·W + b of every step, xs [T, B, F] · kernel [F, G] + bias, into `dest` ([T·B, G] values), as one
 * gemm on the kernels' heap (split by rows over the row threads when big): each output is the bias
 * plus the products in order of k, which is what TF.js's wasm matMul (XNNPACK) gives bit for bit, at
 * the cost of neither a tensor nor a read-back. `operands` are heap views of
 * {@link projectionOperandSizes} for x, W and b (from the caller's workspace: growing the heap here
 * would detach `dest`).
 */
export function projectInputsInto(
  xs: tf.Tensor3D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  dest: Float32Array,
  operands: Float32Array[],
): void {
  const [T, B, F] = xs.shape;
  const G = kernel.shape[1];
  const [x, w, b] = operands;
  readInto(xs, x);
  readInto(kernel, w);
  readInto(bias, b);
  smallKernels().matmulInto(dest, x, w, T * B, F, G, { rowInit: b });
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

const projectionScratch = new Scratch();

/**
 * From dIn [T·B, G] (the gradient of every step's x·W + b) and dRec [T·B, G] (of h_{t−1}·U; the same
 * array where one pre-activation holds both, as in the LSTM and the RNN), both views of the kernels'
 * heap, with xs and the kernel saved by the forward pass and hPrev [T·B, H] (the masked states each
 * step started from, a buffer from `keepCopy`, given back here): dxs = dIn·Wᵀ, dW = xᵀ·dIn,
 * dU = hPrevᵀ·dRec, db = Σ dIn, and with `recurrentBias` dbh = Σ dRec — on the kernel layer (gemm,
 * column sums: in-order float32 sums), where TF.js spent ~1.8 ms of the LSTM bench's step on these
 * transposed products. Its workspace may grow the heap: views the caller still needs must be read first.
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
  const N = T * B;
  const H = hPrev.length / N;
  const kernels = smallKernels();
  // Where dIn and dRec are: the workspace may grow the heap, which detaches every view of it.
  const dInAt = [dIn.byteOffset, dIn.length] as const;
  const dRecAt = [dRec.byteOffset, dRec.length] as const;
  const sameArray = dRec === dIn;
  const [x, w, wT, h, dx, dW, dU, db, dbh] = workspace(projectionScratch, [
    N * F,
    F * G,
    G * F,
    N * H,
    N * F,
    F * G,
    H * G,
    G,
    G,
  ]);
  const dInView = kernels.viewOf(...dInAt);
  const dRecView = sameArray ? dInView : kernels.viewOf(...dRecAt);
  readInto(xs, x);
  readInto(kernel, w);
  transposeInto(w, F, G, wT);
  h.set(hPrev);
  releaseCopies(hPrev);
  kernels.matmulInto(dx, dInView, wT, N, G, F);
  kernels.matmulInto(dW, x, dInView, F, N, G, { transposeA: true });
  kernels.matmulInto(dU, h, dRecView, H, N, G, { transposeA: true });
  kernels.columnSums(dInView, db, N, G);
  if (recurrentBias) kernels.columnSums(dRecView, dbh, N, G);
  return {
    dxs: tensorFrom(dx, [T, B, F]) as tf.Tensor3D,
    dKernel: tensorFrom(dW, [F, G]) as tf.Tensor2D,
    dRecurrentKernel: tensorFrom(dU, [H, G]) as tf.Tensor2D,
    dBias: tensorFrom(db, [G]) as tf.Tensor1D,
    ...(recurrentBias ? { dRecurrentBias: tensorFrom(dbh, [G]) as tf.Tensor1D } : {}),
  };
}
