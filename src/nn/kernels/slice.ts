/**
 * Slice for the wasm backend without a read-back. The stock kernel reads its whole input with
 * `readSync` (which slices a fresh ArrayBuffer of the input's size) before copying the part it keeps:
 * ~0.5 ms for a [17, 32, 64] LSTM output of which it keeps all but one row, on every slice of every
 * step. This one copies the kept runs from the input's heap view into the output's, the same values.
 * Strings run the stock kernel.
 */
import type * as tf from "@tensorflow/tfjs";
import { slice_util, util } from "@tensorflow/tfjs";
import { requireInputs, type WasmKernelArgs, type WasmKernelFunc, withKernelFunc } from "./wasm-util";

/** Wraps the stock wasm Slice; keeps its setup/dispose hooks. */
export function makeSliceConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockFunc = stock.kernelFunc as unknown as WasmKernelFunc;
  const sliceWasm = (args: WasmKernelArgs): tf.TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = requireInputs("Slice", inputs, "x");
    if (x.dtype === "string") return stockFunc(args);
    const { begin, size } = (attrs ?? {}) as unknown as tf.SliceAttrs;
    const [begin_, size_] = slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = backend.makeOutput(size_, x.dtype);
    const count = util.sizeFromShape(size_);
    if (count === 0) return out;
    // Views after the allocation (the heap may have grown).
    const xValues = backend.typedArrayFromHeap(x);
    const outValues = backend.typedArrayFromHeap(out);
    const strides = util.computeStrides(x.shape);
    if (slice_util.isSliceContinous(x.shape, begin_, size_)) {
      const offset = slice_util.computeFlatOffset(begin_, strides);
      outValues.set(xValues.subarray(offset, offset + count));
      return out;
    }
    // Copy runs along the last axis, walking the other axes like an odometer.
    const rank = x.shape.length;
    const run = size_[rank - 1];
    const index = new Array<number>(rank - 1).fill(0);
    for (let at = 0; at < count; at += run) {
      let offset = begin_[rank - 1];
      for (let d = 0; d < rank - 1; d++) offset += (begin_[d] + index[d]) * strides[d];
      outValues.set(xValues.subarray(offset, offset + run), at);
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d] < size_[d]) break;
        index[d] = 0;
      }
    }
    return out;
  };
  return withKernelFunc(stock, sliceWasm);
}
