import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Copies a float32 tensor's values into `dest` (at `offset`). On wasm it copies straight from the
 * backend's heap: `dataSync()` there slices a fresh ArrayBuffer per call (~0.5 ms for 131k values,
 * most of it allocation), where one `set` from a heap view is a memcpy. Other backends read back.
 */
export function readInto(tensor: tf.Tensor, dest: Float32Array, offset = 0): void {
  if (tensor.dtype !== "float32") throw new Error(`readInto: expected a float32 tensor, got ${tensor.dtype}`);
  if (offset + tensor.size > dest.length) {
    throw new Error(`readInto: ${tensor.size} values do not fit at ${offset} in ${dest.length}`);
  }
  if (tf.getBackend() === "wasm") {
    const backend = tf.backend() as unknown as BackendWasm;
    dest.set(backend.typedArrayFromHeap(tensor) as Float32Array, offset);
  } else {
    dest.set(tensor.dataSync() as Float32Array, offset);
  }
}

/**
 * A tensor of `values` (a heap view, say). wasm copies the values into its own heap at once; the
 * cpu backend keeps the array it is given, so it gets a copy that later kernel calls cannot change.
 */
export function tensorFrom(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === "wasm" ? values : Float32Array.from(values), shape, "float32");
}
