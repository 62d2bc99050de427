/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none).
 *
 * The filter gradient dW[kh,kw,c,o] = sum_{b,oh,ow} x[b, oh*s+kh-top, ow*s+kw-left, c] * dy[b,oh,ow,o]
 * is itself a forward convolution: take x as a batch of C images [C,H,W,B] with B channels, and dy as a
 * filter [OH,OW,B,O] dilated by the stride. The backend's XNNPACK conv then does the work; measured
 * faster than im2col + matMul on the Nature-DQN shapes (see experiments/bench-conv-kernels.ts).
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertFloat32,
  assertNHWC,
  free,
  requireInputs,
  runWasmKernel,
  transposeWasm,
  WASM,
  type WasmKernelArgs,
} from "./wasm-util";

const NAME = "Conv2DBackpropFilter";

function conv2dBackpropFilterWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, dy } = requireInputs(NAME, inputs, "x", "dy");
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertNHWC(NAME, dataFormat);
  assertFloat32(NAME, x, dy);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  // Rows/cols of the padded input the forward conv read; x beyond them is cropped, missing ones padded.
  const spanH = (outHeight - 1) * strideHeight + filterHeight;
  const spanW = (outWidth - 1) * strideWidth + filterWidth;
  const usedH = Math.min(inHeight, spanH - padInfo.top);
  const usedW = Math.min(inWidth, spanW - padInfo.left);
  if (usedH <= 0 || usedW <= 0 || batchSize === 0) {
    // Every tap reads padding: the gradient is zero.
    return backend.makeOutput(filterShape, "float32");
  }
  const toFree: tf.TensorInfo[] = [];
  let xUsed = x;
  if (usedH < inHeight || usedW < inWidth) {
    xUsed = runWasmKernel(
      "Slice",
      backend,
      { x },
      { begin: [0, 0, 0, 0], size: [batchSize, usedH, usedW, inChannels] },
    );
    toFree.push(xUsed);
  }
  const xT = transposeWasm(backend, xUsed, [3, 1, 2, 0]); // [C, H, W, B]
  const dyT = transposeWasm(backend, dy, [1, 2, 0, 3]); // [OH, OW, B, O]
  toFree.push(xT, dyT);
  const explicitPad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [padInfo.top, spanH - padInfo.top - usedH],
    [padInfo.left, spanW - padInfo.left - usedW],
    [0, 0],
  ];
  const dWT = runWasmKernel(
    "Conv2D",
    backend,
    { x: xT, filter: dyT },
    { strides: 1, pad: explicitPad, dilations: [strideHeight, strideWidth], dataFormat: "NHWC" },
  ); // [C, KH, KW, O]
  toFree.push(dWT);
  const dW = transposeWasm(backend, dWT, [1, 2, 0, 3]);
  free(backend, ...toFree);
  if (dW.shape.join() !== [filterHeight, filterWidth, inChannels, outChannels].join()) {
    free(backend, dW);
    throw new Error(`${NAME} (wasm patch): internal shape mismatch ${dW.shape} vs ${filterShape}`);
  }
  return dW;
}

/** Kernel config of the wasm Conv2DBackpropFilter patch (NHWC, float32, dilations 1, any stride/pad). */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
};
