/**
 * Kernel patches for the tfjs wasm backend (tfjs-backend-wasm 4.22): kernels it lacks for training
 * (Conv2DBackpropFilter, UnsortedSegmentSum, the two depthwise-conv gradients) and stock kernels slow enough to dominate a train step
 * (BatchMatMul with transposes, Conv2DBackpropInput, MaxPoolGrad, Sum over leading axes, Slice). Figures: experiments/bench-conv-kernels.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { makeBatchMatMulConfig } from "./batch-matmul";
import { conv2dBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2dBackpropInputConfig } from "./conv2d-backprop-input";
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from "./depthwise-conv2d-backprop";
import { maxPoolGradConfig } from "./max-pool-grad";
import { makeSliceConfig } from "./slice";
import { makeSumConfig } from "./sum";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum";
import { WASM } from "./wasm-util";

/** Marks configs registered by this module, so that registration is idempotent across module copies. */
const PATCH_MARK = Symbol.for("pomdp-workbench.wasmKernelPatch");

type MarkedConfig = tf.KernelConfig & { [PATCH_MARK]?: true };

/** A patch either fills a kernel wasm lacks or replaces the stock one (built from it). */
interface KernelPatch {
  kernelName: string;
  build: (stock: tf.KernelConfig | undefined) => tf.KernelConfig;
}

/** Keeps the stock kernel's setup/dispose hooks: the engine runs them when it (re)initialises wasm. */
function replacing(config: tf.KernelConfig): (stock: tf.KernelConfig | undefined) => tf.KernelConfig {
  return (stock) => ({ ...config, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
}

/** A patch that calls the stock kernel for the cases it leaves alone, so the stock one must exist. */
function wrapping(
  kernelName: string,
  make: (stock: tf.KernelConfig) => tf.KernelConfig,
): (stock: tf.KernelConfig | undefined) => tf.KernelConfig {
  return (stock) => {
    if (stock === undefined) throw new Error(`stock wasm ${kernelName} missing`);
    return make(stock);
  };
}

const PATCHES: KernelPatch[] = [
  { kernelName: "Conv2DBackpropFilter", build: replacing(conv2dBackpropFilterConfig) },
  { kernelName: "UnsortedSegmentSum", build: replacing(unsortedSegmentSumConfig) },
  { kernelName: "DepthwiseConv2dNativeBackpropFilter", build: replacing(depthwiseBackpropFilterConfig) },
  { kernelName: "DepthwiseConv2dNativeBackpropInput", build: replacing(depthwiseBackpropInputConfig) },
  { kernelName: "Conv2DBackpropInput", build: replacing(conv2dBackpropInputConfig) },
  { kernelName: "MaxPoolGrad", build: replacing(maxPoolGradConfig) },
  { kernelName: "Sum", build: wrapping("Sum", makeSumConfig) },
  { kernelName: "BatchMatMul", build: wrapping("BatchMatMul", makeBatchMatMulConfig) },
  { kernelName: "Slice", build: wrapping("Slice", makeSliceConfig) },
];

/** Names of the wasm kernels {@link registerWasmKernels} registers or replaces. */
export const WASM_KERNEL_PATCHES: readonly string[] = PATCHES.map((p) => p.kernelName);

/** Stock configs replaced by a patch, to restore them. */
const stockConfigs = new Map<string, tf.KernelConfig | undefined>();

function isPatched(config: tf.KernelConfig | undefined): boolean {
  return config !== undefined && (config as MarkedConfig)[PATCH_MARK] === true;
}

/**
 * Registers every wasm kernel patch for backend 'wasm'. Idempotent, and safe under any backend (it
 * touches only 'wasm' kernels); does nothing until `@tensorflow/tfjs-backend-wasm` is imported. Call it
 * after `await tf.setBackend('wasm'); await tf.ready()`. Replaced stock kernels come back with
 * {@link restoreStockWasmKernels}.
 */
export function registerWasmKernels(): void {
  // The stock BatchMatMul is registered on import of tfjs-backend-wasm; without it there is nothing to patch.
  if (tf.getKernel("BatchMatMul", WASM) === undefined) return;
  for (const patch of PATCHES) {
    const current = tf.getKernel(patch.kernelName, WASM);
    if (isPatched(current)) continue;
    const config = patch.build(current) as MarkedConfig;
    config[PATCH_MARK] = true;
    stockConfigs.set(patch.kernelName, current);
    if (current !== undefined) tf.unregisterKernel(patch.kernelName, WASM);
    tf.registerKernel(config);
  }
}

/**
 * Undoes {@link registerWasmKernels} for the named kernels (default: all): stock kernels come back,
 * kernels wasm lacks are unregistered. For benchmarks comparing stock and patched kernels.
 */
export function restoreStockWasmKernels(kernelNames: readonly string[] = WASM_KERNEL_PATCHES): void {
  for (const name of kernelNames) {
    if (!isPatched(tf.getKernel(name, WASM))) continue;
    tf.unregisterKernel(name, WASM);
    const stock = stockConfigs.get(name);
    if (stock !== undefined) tf.registerKernel(stock);
    stockConfigs.delete(name);
  }
}
