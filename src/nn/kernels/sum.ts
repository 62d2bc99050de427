/**
 * Sum for the wasm backend when the reduced axes are the leading ones (x [outer..., inner...] summed
 * over outer): the bias gradient of every conv and dense layer. The stock kernel transposes the reduced
 * axes innermost first, which on a conv layer's output gradient (128 x 64 x 64 x 16) took ~150 ms; one
 * pass adding rows takes a third of that, with the same bits. Any other reduction (or a non-float32 input) runs the stock kernel.
 */
import type * as tf from "@tensorflow/tfjs";
import {
  heapF32,
  requireInputs,
  type WasmKernelArgs,
  type WasmKernelFunc,
  withKernelFunc,
} from "./wasm-util";

/** The sorted, non-negative reduced axes, or null when they are not exactly 0..k-1 with k < rank. */
function leadingAxes(axis: number | number[], rank: number): number | null {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return null;
  return axes.length;
}

/** Wraps the stock wasm Sum with the leading-axes fast path; keeps its setup/dispose hooks. */
export function makeSumConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const stockFunc = stock.kernelFunc as unknown as WasmKernelFunc;
  const sumWasm = (args: WasmKernelArgs): tf.TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = requireInputs("Sum", inputs, "x");
    const { axis, keepDims } = (attrs ?? {}) as unknown as tf.SumAttrs;
    const reduced = x.dtype === "float32" ? leadingAxes(axis, x.shape.length) : null;
    if (reduced === null) return stockFunc(args);
    const inner = x.shape.slice(reduced).reduce((p, d) => p * d, 1);
    const outShape = keepDims
      ? [...x.shape.slice(0, reduced).map(() => 1), ...x.shape.slice(reduced)]
      : x.shape.slice(reduced);
    const out = backend.makeOutput(outShape, "float32");
    // Views after the allocation (the heap may have grown).
    const xValues = heapF32(backend, x);
    const outValues = heapF32(backend, out);
    // float32 accumulators added in the stock kernel's order: bit-identical results (a float32 sum
    // computed in double and rounded is the float32 sum), so runs made before the patch replay exactly.
    outValues.fill(0);
    for (let base = 0; base < xValues.length; base += inner) {
      for (let j = 0; j < inner; j++) outValues[j] += xValues[base + j];
    }
    return out;
  };
  return withKernelFunc(stock, sumWasm);
}
