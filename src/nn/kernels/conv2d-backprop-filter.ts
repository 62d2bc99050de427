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
  heapF32,
  requireInputs,
  reshapeView,
  runWasmKernel,
  transposeWasm,
  WASM,
  type WasmKernelArgs,
} from "./wasm-util";

const NAME = "Conv2DBackpropFilter";

/**
 * A first layer on large frames (few input channels, a dy of >= 32 x 32 pixels) takes the im2col path:
 * as a convolution "filter" such a dy suits XNNPACK badly. Measured on frames64's first layer (batch
 * 128 x 64 x 64 x 1 -> 16): 270-350 ms as a convolution, 64-85 ms by im2col. With more input channels
 * the two draw level (frames64's second layer, 32 x 32 x 16 -> 32: ~480 ms each) or the convolution
 * wins (its third layer 2x, the Nature CNN's layers up to 2x); figures from a side-by-side run of both paths on these shapes.
 */
const IM2COL_MAX_IN_CHANNELS = 4;
const IM2COL_MIN_OUTPUT_PIXELS = 32 * 32;

/**
 * dW = cols^T dy: cols^T [K = KH*KW*C, N = B*OH*OW] holds each tap's input pixels (0 where the tap reads
 * padding), written row by row in JS, then one untransposed XNNPACK matMul with dy [N, O].
 */
function filterGradIm2col(
  backend: WasmKernelArgs["backend"],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const N = batchSize * outHeight * outWidth;
  const K = filterHeight * filterWidth * C;
  const colsT = backend.makeOutput([1, K, N], "float32");
  // Views after the allocation (the heap may have grown).
  const cols = heapF32(backend, colsT);
  const xValues = heapF32(backend, x);
  const step = strideWidth * C; // from one output column's input pixel to the next
  let at = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      // Output columns whose tap (kh, kw) reads inside the image: iw = ow*s + kw - left in [0, W).
      const shift = kw - padInfo.left;
      const owLo = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
      const owHi = Math.max(owLo, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
      for (let c = 0; c < C; c++) {
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++, at += outWidth) {
            const ih = oh * strideHeight + kh - padInfo.top;
            if (ih < 0 || ih >= inHeight) {
              cols.fill(0, at, at + outWidth);
              continue;
            }
            const rowBase = ((b * inHeight + ih) * inWidth + shift) * C + c;
            if (owLo > 0) cols.fill(0, at, at + owLo);
            for (let ow = owLo, from = rowBase + owLo * step; ow < owHi; ow++, from += step)
              cols[at + ow] = xValues[from];
            if (owHi < outWidth) cols.fill(0, at + owHi, at + outWidth);
          }
        }
      }
    }
  }
  const dW = runWasmKernel(
    "BatchMatMul",
    backend,
    { a: colsT, b: reshapeView(dy, [1, N, outChannels]) },
    { transposeA: false, transposeB: false },
  );
  free(backend, colsT);
  return reshapeView(dW, [filterHeight, filterWidth, C, outChannels]);
}

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
  if (inChannels <= IM2COL_MAX_IN_CHANNELS && outHeight * outWidth >= IM2COL_MIN_OUTPUT_PIXELS) {
    return filterGradIm2col(backend, x, dy, info);
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
