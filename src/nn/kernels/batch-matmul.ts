/**
 * BatchMatMul for the wasm backend with transposed operands rewritten to the untransposed form.
 *
 * Stock wasm runs untransposed 2-D products on XNNPACK (~45 GFLOP/s) but any transposeA/transposeB on
 * a naive loop (~1-2 GFLOP/s): 63 ms for a dense layer's weight gradient x^T dy that XNNPACK does in 4 ms.
 * Every matMul gradient has a transposed operand, so training hits that path on every dense layer.
 * XNNPACK packs the right operand per call, so the rewrite keeps the larger operand on the left.
 * Batched products (batch > 1) stay on the stock kernel: they are on the slow path either way.
 */
import type * as tf from "@tensorflow/tfjs";
import {
  free,
  requireInputs,
  transposeWasm,
  type WasmKernelArgs,
  type WasmKernelFunc,
  withKernelFunc,
} from "./wasm-util";

/** Permutation swapping the last two axes. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchSize(info: tf.TensorInfo): number {
  return info.shape.slice(0, -2).reduce((p, d) => p * d, 1);
}

function size(info: tf.TensorInfo): number {
  return info.shape.reduce((p, d) => p * d, 1);
}

/**
 * Wraps the stock wasm BatchMatMul so that transposed products run as transposes plus an untransposed
 * product. Keeps the stock setup/dispose hooks so a re-initialised backend still sets the stock kernel up.
 */
export function makeBatchMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockFunc = stock.kernelFunc as unknown as WasmKernelFunc;
  const plain = (backend: WasmKernelArgs["backend"], a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo =>
    stockFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });

  const batchMatMulWasm = (args: WasmKernelArgs): tf.TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { a, b } = requireInputs("BatchMatMul", inputs, "a", "b");
    const { transposeA, transposeB } = (attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
    if (
      (!transposeA && !transposeB) ||
      batchSize(a) !== 1 ||
      batchSize(b) !== 1 ||
      a.dtype !== "float32" ||
      b.dtype !== "float32"
    ) {
      return stockFunc(args);
    }
    const permA = swapLastTwo(a.shape.length);
    const permB = swapLastTwo(b.shape.length);
    if (transposeA && transposeB) {
      // A^T B^T = (B A)^T
      const ba = plain(backend, b, a);
      const out = transposeWasm(backend, ba, swapLastTwo(ba.shape.length));
      free(backend, ba);
      return out;
    }
    if (transposeA) {
      const aT = transposeWasm(backend, a, permA);
      const out = plain(backend, aT, b);
      free(backend, aT);
      return out;
    }
    // A B^T: transpose B (then XNNPACK packs all of it), or compute (B A^T)^T when A is the smaller.
    const rowsA = a.shape[a.shape.length - 2];
    const rowsB = b.shape[b.shape.length - 2];
    if (2 * size(a) + rowsA * rowsB < 2 * size(b)) {
      const aT = transposeWasm(backend, a, permA);
      const baT = plain(backend, b, aT);
      const out = transposeWasm(backend, baT, swapLastTwo(baT.shape.length));
      free(backend, aT, baT);
      return out;
    }
    const bT = transposeWasm(backend, b, permB);
    const out = plain(backend, a, bT);
    free(backend, bT);
    return out;
  };

  return withKernelFunc(stock, batchMatMulWasm);
}
