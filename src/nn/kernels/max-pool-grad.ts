/**
 * MaxPoolGrad for the wasm backend, replacing the stock kernel (a 2x2/2 pool over 32x40x40x32:
 * stock 27 ms, this one 7-8 ms). For each pooling window it finds the first maximum of the input
 * (padding never wins, as in the cpu backend) and adds the window's dy there. Unlike cpu, a window of
 * only NaN or -Infinity sends its gradient to its first pixel instead of nowhere.
 */
import * as tf from "@tensorflow/tfjs";
import { assertFloat32, requireInputs, WASM, type WasmKernelArgs } from "./wasm-util";

const NAME = "MaxPoolGrad";

function maxPoolGradWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, input } = requireInputs(NAME, inputs, "dy", "input");
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  assertFloat32(NAME, dy, input);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const dx = backend.makeOutput(input.shape, "float32");
  // Views after the allocation (the heap may have grown).
  const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
  const xValues = backend.typedArrayFromHeap(input) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  dxValues.fill(0);
  const C = inChannels;
  const tiles2x2 = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2;
  if (tiles2x2 && padInfo.top === 0 && padInfo.left === 0) {
    pool2x2Grad(xValues, dyValues, dxValues, batchSize, inHeight, inWidth, C, outHeight, outWidth);
    return dx;
  }
  // Per window, channels innermost: contiguous reads (measured 1.5x faster than a scan per channel).
  const best = new Float32Array(C);
  const bestAt = new Int32Array(C);
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * inWidth * C;
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - padInfo.top;
      const ihMin = Math.max(0, ih0);
      const ihMax = Math.min(inHeight, ih0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, dyAt += C) {
        const iw0 = ow * strideWidth - padInfo.left;
        const iwMin = Math.max(0, iw0);
        const iwMax = Math.min(inWidth, iw0 + filterWidth);
        if (ihMin >= ihMax || iwMin >= iwMax) continue;
        // The window's first pixel seeds the maxima; later ones win only when strictly greater,
        // so the first maximum in window order wins, as on the cpu backend.
        const first = batchBase + (ihMin * inWidth + iwMin) * C;
        for (let c = 0; c < C; c++) {
          best[c] = xValues[first + c];
          bestAt[c] = first + c;
        }
        for (let ih = ihMin; ih < ihMax; ih++) {
          for (let iw = ih === ihMin ? iwMin + 1 : iwMin; iw < iwMax; iw++) {
            const base = batchBase + (ih * inWidth + iw) * C;
            for (let c = 0; c < C; c++) {
              const value = xValues[base + c];
              if (value > best[c]) {
                best[c] = value;
                bestAt[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) dxValues[bestAt[c]] += dyValues[dyAt + c];
      }
    }
  }
  return dx;
}

/**
 * The common 2x2/2 pool without padding: windows tile the input, so each window's dy goes to its first
 * maximum (order: top-left, top-right, bottom-left, bottom-right) with no accumulation. Windows that
 * would cross the input's edge do not exist (outHeight = floor(H / 2)). 3-4x faster than the general loop.
 */
function pool2x2Grad(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  batchSize: number,
  inHeight: number,
  inWidth: number,
  C: number,
  outHeight: number,
  outWidth: number,
): void {
  const rowStride = inWidth * C;
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      let topLeft = (b * inHeight + 2 * oh) * rowStride;
      for (let ow = 0; ow < outWidth; ow++, topLeft += 2 * C, dyAt += C) {
        const topRight = topLeft + C;
        const bottomLeft = topLeft + rowStride;
        const bottomRight = bottomLeft + C;
        for (let c = 0; c < C; c++) {
          let at = topLeft + c;
          let best = x[at];
          if (x[topRight + c] > best) {
            at = topRight + c;
            best = x[at];
          }
          if (x[bottomLeft + c] > best) {
            at = bottomLeft + c;
            best = x[at];
          }
          if (x[bottomRight + c] > best) at = bottomRight + c;
          dx[at] = dy[dyAt + c];
        }
      }
    }
  }
}

/** Kernel config of the wasm MaxPoolGrad patch (NHWC float32, dilations 1). */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: maxPoolGradWasm as unknown as tf.KernelFunc,
};
