/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a plain loop, ~40 ms on the
 * Nature-DQN conv2 shape). It is also the forward pass of conv2dTranspose.
 *
 * cols[n, (kh,kw,c)] = sum_o dy[n, o] * W[kh,kw,c,o] is one XNNPACK matMul (dy [N,O] x W^T [O,K]);
 * col2im then scatter-adds each row of cols into dx, one contiguous run of KW*C floats per (row, kh).
 * Large stride-1 gradients instead run as one forward convolution (inputGradByConv).
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

/**
 * Stride-1 gradients of at least this many pixels per image run as one forward convolution (below);
 * smaller ones (the gridworld and Nature-CNN layers) keep the matMul + col2im path and its bits.
 */
const FULL_CONV_MIN_OUTPUT_PIXELS = 16 * 16;

/**
 * With stride 1, dx is the "full" convolution of dy with the filter flipped in space and its channel
 * axes swapped: dx[ih] = sum_kh dy[ih + kh' - (KH-1-top)] W'[kh'] with kh' = KH-1-kh, i.e. a forward
 * conv padded by KH-1-top before and KH-1-bottom after. XNNPACK runs it at the forward pass's speed,
 * where matMul + col2im took ~2.5x as long (frames64's 32 x 32 x 16 -> 32 layer). Null when a side's
 * padding exceeds KH-1 (no such "full" padding exists).
 */
function inputGradByConv(
  backend: WasmKernelArgs["backend"],
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels: O, padInfo } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const top = KH - 1 - padInfo.top;
  const left = KW - 1 - padInfo.left;
  const bottom = inHeight + KH - 1 - outHeight - top;
  const right = inWidth + KW - 1 - outWidth - left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  const flipped = backend.makeOutput([KH, KW, O, C], "float32");
  const w = heapF32(backend, filter);
  const f = heapF32(backend, flipped);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let c = 0; c < C; c++)
        for (let o = 0; o < O; o++) {
          f[(((KH - 1 - kh) * KW + (KW - 1 - kw)) * O + o) * C + c] = w[((kh * KW + kw) * C + c) * O + o];
        }
  const dx = runWasmKernel(
    "Conv2D",
    backend,
    { x: dy, filter: flipped },
    {
      strides: 1,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dilations: 1,
      dataFormat: "NHWC",
    },
  );
  free(backend, flipped);
  return dx;
}

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
  if (strideHeight === 1 && strideWidth === 1 && outHeight * outWidth >= FULL_CONV_MIN_OUTPUT_PIXELS) {
    const dx = inputGradByConv(backend, dy, filter, info);
    if (dx !== null) return dx;
  }
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
