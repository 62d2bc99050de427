/**
 * DepthwiseConv2dNativeBackpropFilter / BackpropInput for the wasm backend (tfjs-backend-wasm 4.22 has
 * neither, so depthwise and separable convolutions cannot train on wasm). A depthwise conv has C*M
 * times fewer MACs than a full one, so a single typed-array loop with channels innermost is enough.
 */
import * as tf from "@tensorflow/tfjs";
import { assertFloat32, assertNHWC, requireInputs, WASM, type WasmKernelArgs } from "./wasm-util";

type Conv2DInfo = tf.backend_util.Conv2DInfo;

/**
 * Visits every (output pixel, filter tap) pair of a depthwise conv that reads inside the input, with the
 * offsets of x[b,ih,iw,0], dy[b,oh,ow,0] and W[kh,kw,0,0].
 */
function forEachTap(info: Conv2DInfo, visit: (xAt: number, dyAt: number, wAt: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, dyAt += outChannels) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padInfo.top + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - padInfo.left + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            visit(
              ((b * inHeight + ih) * inWidth + iw) * inChannels,
              dyAt,
              (kh * filterWidth + kw) * outChannels,
            );
          }
        }
      }
    }
  }
}

function depthwiseInfo(
  xShape: number[],
  filterShape: number[],
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs | tf.DepthwiseConv2dNativeBackpropInputAttrs,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    "channelsLast",
  );
}

const FILTER_NAME = "DepthwiseConv2dNativeBackpropFilter";

function depthwiseBackpropFilterWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, dy } = requireInputs(FILTER_NAME, inputs, "x", "dy");
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNHWC(FILTER_NAME, (a as { dataFormat?: string }).dataFormat);
  assertFloat32(FILTER_NAME, x, dy);
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  const inChannels = info.inChannels;
  const multiplier = info.outChannels / inChannels;
  const dW = backend.makeOutput(a.filterShape, "float32");
  // Views after the allocation (the heap may have grown).
  const dWValues = backend.typedArrayFromHeap(dW) as Float32Array;
  const xValues = backend.typedArrayFromHeap(x) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  dWValues.fill(0);
  forEachTap(info, (xAt, dyAt, wAt) => {
    for (let c = 0, o = 0; c < inChannels; c++) {
      const xValue = xValues[xAt + c];
      for (let m = 0; m < multiplier; m++, o++) dWValues[wAt + o] += xValue * dyValues[dyAt + o];
    }
  });
  return dW;
}

const INPUT_NAME = "DepthwiseConv2dNativeBackpropInput";

function depthwiseBackpropInputWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, filter } = requireInputs(INPUT_NAME, inputs, "dy", "filter");
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertNHWC(INPUT_NAME, (a as { dataFormat?: string }).dataFormat);
  assertFloat32(INPUT_NAME, dy, filter);
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  const inChannels = info.inChannels;
  const multiplier = info.outChannels / inChannels;
  const dx = backend.makeOutput(a.inputShape, "float32");
  const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
  const wValues = backend.typedArrayFromHeap(filter) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  dxValues.fill(0);
  forEachTap(info, (xAt, dyAt, wAt) => {
    for (let c = 0, o = 0; c < inChannels; c++) {
      let sum = 0;
      for (let m = 0; m < multiplier; m++, o++) sum += wValues[wAt + o] * dyValues[dyAt + o];
      dxValues[xAt + c] += sum;
    }
  });
  return dx;
}

/** Kernel config of the wasm DepthwiseConv2dNativeBackpropFilter patch (NHWC float32, any stride/pad/dilation). */
export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: FILTER_NAME,
  backendName: WASM,
  kernelFunc: depthwiseBackpropFilterWasm as unknown as tf.KernelFunc,
};

/** Kernel config of the wasm DepthwiseConv2dNativeBackpropInput patch (NHWC float32, any stride/pad/dilation). */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: INPUT_NAME,
  backendName: WASM,
  kernelFunc: depthwiseBackpropInputWasm as unknown as tf.KernelFunc,
};
