// What the browser bundle has for src/nn/wasm_threads.ts (src/web/build.ts swaps it in): that module
// builds tfjs-backend-wasm's threaded build under Node from files and worker_threads, which a browser
// neither has nor needs (there tfjs-backend-wasm starts its own threads where the page is cross-origin
// isolated). The settings' names and checks are the same; configuring Node threads is an error.
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import type * as NodeThreads from "../src/nn/wasm_threads";

export type { WasmBackendInfo, WasmBuild, WasmThreadsSetting } from "../src/nn/wasm_threads";

export const WASM_THREADS_ENV_VAR: typeof NodeThreads.WASM_THREADS_ENV_VAR = "POMDP_WASM_THREADS";
export const MAX_WASM_THREADS: typeof NodeThreads.MAX_WASM_THREADS = 8;

export const parseWasmThreads: typeof NodeThreads.parseWasmThreads = (
  value,
  source = WASM_THREADS_ENV_VAR,
) => {
  const text = value.trim();
  if (text === "auto") return "auto";
  const n = Number(text);
  if (text === "" || !Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`${source} "${value}": expected "auto" or an integer from 1 to ${MAX_WASM_THREADS}`);
  }
  return n;
};

/** In the browser tfjs-backend-wasm counts its own threads; a setting stands for itself, "auto" for 1. */
export const resolveWasmThreads: typeof NodeThreads.resolveWasmThreads = (setting) =>
  setting === "auto" ? 1 : setting;

/** A browser has no environment variables: "auto". */
export const wasmThreadsFromEnv: typeof NodeThreads.wasmThreadsFromEnv = () => "auto";

export const configureWasmThreads: typeof NodeThreads.configureWasmThreads = () => {
  throw new Error(
    "wasm threads are configured by tfjs-backend-wasm itself in the browser (initBrowserBackend), not by configureWasmThreads",
  );
};

/** The build tfjs-backend-wasm picked in this page, by its thread count. */
export const wasmBackendInfo: typeof NodeThreads.wasmBackendInfo = () => {
  const threads = getThreadsCount();
  return {
    build: threads > 1 ? "threaded-simd" : "simd",
    threads,
    requested: threads,
    choice: "chosen by tfjs-backend-wasm in the browser",
  };
};
