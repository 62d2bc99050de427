/**
 * Helpers for kernels that run on the tfjs wasm backend: calling the backend's own (XNNPACK-backed)
 * kernels directly, without the engine or the gradient tape, and managing the TensorInfos they return.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export const WASM = "wasm";

/** Arguments every wasm kernel function receives; the backend is the wasm one by registration. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/** A kernel function for the wasm backend, typed with the wasm backend. */
export type WasmKernelFunc = (args: WasmKernelArgs) => tf.TensorInfo;

/**
 * Runs a kernel registered for 'wasm' on TensorInfos. The result belongs to the caller: free it with
 * {@link free} unless it is the kernel's output. Runs the kernel registered now (possibly a patch).
 */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (config === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return config.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/** The same data under another shape of equal size; a borrowed view, never to be freed. */
export function reshapeView(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Releases intermediate TensorInfos made inside a kernel. */
export function free(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Transposes with the wasm kernel; the result belongs to the caller. */
export function transposeWasm(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasmKernel("Transpose", backend, { x }, { perm });
}

/** Float32 view of a tensor's bytes on the wasm heap. Take it after the last allocation: the heap may grow. */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Throws unless every tensor is float32, naming the kernel. */
export function assertFloat32(kernel: string, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== "float32") {
      throw new Error(`${kernel} on wasm (patched) supports float32 only, got ${info.dtype}`);
    }
  }
}

/** Throws unless the data format is NHWC (channels last), naming the kernel. */
export function assertNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`${kernel} on wasm (patched) supports dataFormat NHWC only, got ${String(dataFormat)}`);
  }
}

/** The named inputs of a kernel call, each required; throws naming the kernel and a missing input. */
export function requireInputs<K extends string>(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  ...names: K[]
): Record<K, tf.TensorInfo> {
  const out = {} as Record<K, tf.TensorInfo>;
  for (const name of names) {
    const info = inputs[name];
    if (info === undefined) throw new Error(`${kernel}: missing input '${name}'`);
    out[name] = info;
  }
  return out;
}

/** A stock kernel's config with another kernel function; the stock setup/dispose hooks are kept. */
export function withKernelFunc(stock: tf.KernelConfig, kernelFunc: WasmKernelFunc): tf.KernelConfig {
  return {
    kernelName: stock.kernelName,
    backendName: stock.backendName,
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  };
}
