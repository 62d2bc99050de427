/**
 * UnsortedSegmentSum for the wasm backend (missing in tfjs-backend-wasm 4.22). The gradient of
 * tf.gather is an unsortedSegmentSum, so without it no embedding or gather can be trained on wasm.
 * One pass over x in typed arrays: out[ids[i]] += x[i]; ids outside [0, numSegments) are dropped, as in TF.
 */
import type * as tf from "@tensorflow/tfjs";
import { requireInputs, WASM, type WasmKernelArgs } from "./wasm-util";

const NAME = "UnsortedSegmentSum";

function unsortedSegmentSumWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, segmentIds } = requireInputs(NAME, inputs, "x", "segmentIds");
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`${NAME} on wasm (patched) supports float32 and int32 x only, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== "int32") {
    throw new Error(`${NAME} on wasm (patched) needs int32 segmentIds, got ${segmentIds.dtype}`);
  }
  const idRank = segmentIds.shape.length;
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views after the allocation (the heap may have grown).
  const outValues = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xValues = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  outValues.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    const dst = segment * inner;
    const src = i * inner;
    for (let j = 0; j < inner; j++) outValues[dst + j] += xValues[src + j];
  }
  return out;
}

/** Kernel config of the wasm UnsortedSegmentSum patch (float32/int32 x, int32 ids). */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
};
