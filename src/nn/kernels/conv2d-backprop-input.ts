/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a plain loop, ~40 ms on the
 * Nature-DQN conv2 shape). It is also the forward pass of conv2dTranspose.
 *
 * cols[n, (kh,kw,c)] = sum_o dy[n, o] * W[kh,kw,c,o] is one XNNPACK matMul (dy [N,O] x W^T [O,K]);
 * col2im then scatter-adds each row of cols into dx, one contiguous run of KW*C floats per (row, kh).
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertFloat32,
  assertNHWC,
  free,
  heapF32,
  requireInputs,
  reshapeView,
  runWasmKernel,
  transposeWasm,
  WASM,
  type WasmKernelArgs,
} from "./wasm-util";

const NAME = "Conv2DBackpropInput";

function conv2dBackpropInputWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, filter } = requireInputs(NAME, inputs, "dy", "filter");
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertNHWC(NAME, dataFormat);
  assertFloat32(NAME, dy, filter);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const rows = batchSize * outHeight * outWidth;
  const patch = filterHeight * filterWidth * inChannels;

  // W^T is small; transposing it keeps the matMul on XNNPACK's fast untransposed path.
  const filterT = transposeWasm(backend, reshapeView(filter, [patch, outChannels]), [1, 0]);
  const cols = runWasmKernel(
    "BatchMatMul",
    backend,
    { a: reshapeView(dy, [1, rows, outChannels]), b: reshapeView(filterT, [1, outChannels, patch]) },
    { transposeA: false, transposeB: false },
  );
  const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], "float32");
  // Views taken after the last allocation (the heap may have grown).
  const dxValues = heapF32(backend, dx);
  const colValues = heapF32(backend, cols);
  dxValues.fill(0);
  const top = padInfo.top;
  const left = padInfo.left;
  const kRow = filterWidth * inChannels;
  let src = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++, src += patch) {
        const iw0 = ow * strideWidth - left;
        const kw0 = iw0 < 0 ? -iw0 : 0;
        const kw1 = Math.min(filterWidth, inWidth - iw0);
        if (kw1 <= kw0) continue;
        const runLength = (kw1 - kw0) * inChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= inHeight) continue;
          const dst = ((b * inHeight + ih) * inWidth + iw0 + kw0) * inChannels;
          const from = src + kh * kRow + kw0 * inChannels;
          for (let i = 0; i < runLength; i++) dxValues[dst + i] += colValues[from + i];
        }
      }
    }
  }
  free(backend, filterT, cols);
  return dx;
}

/** Kernel config of the wasm Conv2DBackpropInput patch (NHWC, float32, dilations 1, any stride/pad). */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc,
};
