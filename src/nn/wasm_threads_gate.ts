/**
 * Threads for big ops only, on the multi-threaded wasm build.
 *
 * XNNPACK splits every op it runs over its thread pool, however small. A split costs a wake-up of the
 * other threads and a wait for the slowest; for the MLP and LSTM's small products that is more than the
 * op itself, and on a busy machine each wait may last a scheduler time slice. tfjs's C++ passes one
 * global pool pointer (`tfjs::backend::threadpool`) to XNNPACK on every call, and XNNPACK runs an op on
 * the calling thread alone when that pointer is null. So the pointer stays null, and the convolutions
 * and matrix products estimated at {@link WASM_THREADS_MIN_FLOPS} or more set it for their own call.
 * Results do not change: XNNPACK sums every output element on one thread in the same order either way.
 *
 * The pointer's address is read from the binary: the exported `get_threads_count` starts by loading it
 * (`i32.const ADDRESS; i32.load`). If the binary does not match that pattern, the gate is off and every
 * op uses the pool, as upstream.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { WASM } from "./kernels/wasm-util";

/** Ops estimated below this many floating-point operations run on one thread (about 0.5 ms there). */
export const WASM_THREADS_MIN_FLOPS = 1e7;

/** Where the pool pointer lives in a module's memory, and the pool to put there for a big op. */
interface Gate {
  memory: { buffer: ArrayBufferLike };
  address: number;
  pool: number;
}

/** Gates of threaded modules, keyed by the module (a BackendWasm's `wasm`). */
const gates = new WeakMap<object, Gate>();

/** Marks kernel configs wrapped here. */
const GATE_MARK = Symbol.for("pomdp-workbench.wasmThreadsGate");
type MarkedConfig = tf.KernelConfig & { [GATE_MARK]?: true };

/**
 * The address of tfjs's `threadpool` pointer: the constant that the exported function
 * `get_threads_count` loads first. Null when the binary does not have that shape.
 */
export function threadpoolAddress(wasm: Uint8Array): number | null {
  let p = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = wasm[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < wasm.length);
    return result;
  };
  const skipLimits = () => {
    const flags = wasm[p++];
    leb();
    if (flags & 1) leb();
  };
  let importedFunctions = 0;
  let target = -1;
  let code = -1;
  while (p < wasm.length) {
    const id = wasm[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const length = leb(); // module name, then field name
          p += length;
        }
        const kind = wasm[p++];
        if (kind === 0) {
          leb();
          importedFunctions++;
        } else if (kind === 1) {
          p++;
          skipLimits();
        } else if (kind === 2) {
          skipLimits();
        } else if (kind === 3) {
          p += 2;
        } else {
          return null;
        }
      }
    } else if (id === 7) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const length = leb();
        const name = Buffer.from(wasm.subarray(p, p + length)).toString("utf8");
        p += length;
        const kind = wasm[p++];
        const index = leb();
        if (kind === 0 && name === "get_threads_count") target = index;
      }
    } else if (id === 10) {
      code = p;
    }
    p = end;
  }
  if (target < importedFunctions || code < 0) return null;
  p = code;
  const count = leb();
  for (let i = 0; i < count; i++) {
    const size = leb();
    const end = p + size;
    if (i + importedFunctions === target) {
      const groups = leb();
      for (let g = 0; g < groups; g++) {
        leb();
        p++;
      }
      if (wasm[p++] !== 0x41) return null; // i32.const
      const address = leb();
      if (wasm[p] !== 0x28) return null; // i32.load
      return address;
    }
    p = end;
  }
  return null;
}

/**
 * Turns the gate on for a threaded module whose pool was just created: notes the pool and nulls the
 * pointer. The address is checked first through `getThreadsCount` (the C++ `get_threads_count`, which
 * reads the pointer): it must answer -1 with the word at the address nulled and the pool's thread count
 * with it restored. Returns false (and leaves the pool on for every op) when any of that fails.
 */
export function gateThreadpool(
  module: object,
  memory: { buffer: ArrayBufferLike },
  address: number,
  getThreadsCount: () => number,
): boolean {
  if (address <= 0 || address % 4 !== 0 || address + 4 > memory.buffer.byteLength) return false;
  const view = new Int32Array(memory.buffer, address, 1);
  const pool = view[0];
  const threads = getThreadsCount();
  if (pool === 0 || threads < 1) return false;
  view[0] = 0;
  const nulled = getThreadsCount();
  view[0] = pool;
  if (nulled !== -1 || getThreadsCount() !== threads) return false;
  gates.set(module, { memory, address, pool });
  view[0] = 0;
  return true;
}

/** Runs `fn` with the module's pool on when `flops` reaches the threshold (nested calls restore it). */
function withPool<T>(backend: BackendWasm, flops: number, fn: () => T): T {
  const gate = backend.wasm === null ? undefined : gates.get(backend.wasm);
  if (gate === undefined || flops < WASM_THREADS_MIN_FLOPS) return fn();
  const view = new Int32Array(gate.memory.buffer, gate.address, 1);
  const before = view[0];
  view[0] = gate.pool;
  try {
    return fn();
  } finally {
    view[0] = before;
  }
}

const size = (info: tf.TensorInfo | undefined): number => (info ? info.shape.reduce((a, b) => a * b, 1) : 0);

/** Output rows (batch × height × width) of a conv over `x` with `strides`, padding ignored. */
function convRows(x: tf.TensorInfo | undefined, strides: unknown): number {
  if (x === undefined) return 0;
  const [b, h, w] = x.shape;
  const [sh, sw] = Array.isArray(strides) ? strides : [strides ?? 1, strides ?? 1];
  return b * Math.ceil(h / Number(sh)) * Math.ceil(w / Number(sw));
}

/** Estimated floating-point operations of each gated kernel from its inputs and attributes. */
const FLOPS: Record<string, (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => number> = {
  Conv2D: (i, a) => 2 * convRows(i.x, a.strides) * size(i.filter),
  FusedConv2D: (i, a) => 2 * convRows(i.x, a.strides) * size(i.filter),
  DepthwiseConv2dNative: (i, a) => 2 * convRows(i.x, a.strides) * size(i.filter),
  FusedDepthwiseConv2D: (i, a) => 2 * convRows(i.x, a.strides) * size(i.filter),
  Conv2DBackpropInput: (i) => 2 * (size(i.dy) / (i.dy?.shape[3] || 1)) * size(i.filter),
  Conv2DBackpropFilter: (i, a) =>
    2 * (size(i.dy) / (i.dy?.shape[3] || 1)) * (a.filterShape as number[]).reduce((x, y) => x * y, 1),
  BatchMatMul: (i, a) => 2 * size(i.a) * (i.b?.shape.at(a.transposeB ? -2 : -1) ?? 0),
  _FusedMatMul: (i, a) => 2 * size(i.a) * (i.b?.shape.at(a.transposeB ? -2 : -1) ?? 0),
};

/** Names of the kernels that may run on several threads. */
export const GATED_KERNELS: readonly string[] = Object.keys(FLOPS);

/**
 * Wraps the registered 'wasm' kernels of {@link GATED_KERNELS} (stock or patched) so that big calls run
 * with the pool on. Idempotent; call it after the kernel patches are registered. On the single-threaded
 * build (no gate) the wrappers only call through.
 */
export function gateWasmKernels(): void {
  for (const name of GATED_KERNELS) {
    const config = tf.getKernel(name, WASM) as MarkedConfig | undefined;
    if (config === undefined || config[GATE_MARK]) continue;
    const inner = config.kernelFunc;
    const flops = FLOPS[name];
    const wrapped: MarkedConfig = {
      ...config,
      kernelFunc: (args) =>
        withPool(args.backend as BackendWasm, flops(args.inputs, args.attrs ?? {}), () => inner(args)),
    };
    wrapped[GATE_MARK] = true;
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(wrapped);
  }
}

/** Whether big ops of the current module run on its pool while small ones run on one thread. */
export function isGated(backend: BackendWasm): boolean {
  return backend.wasm !== null && gates.has(backend.wasm);
}
