import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Logger } from "pino";
import {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  type BackendName,
  type PageBackendName,
  parseBackendName,
} from "./backend_names";
import { registerWasmKernels } from "./kernels";
import { nnLogger } from "./log";
import { rowThreadsInfo, startRowThreads } from "./small/row_threads";
import {
  configureWasmThreads,
  MAX_WASM_THREADS,
  parseWasmThreads,
  resolveWasmThreads,
  WASM_THREADS_ENV_VAR,
  type WasmBackendInfo,
  type WasmThreadsSetting,
  wasmBackendInfo,
  wasmThreadsFromEnv,
} from "./wasm_threads";
import { gateWasmKernels } from "./wasm_threads_gate";

export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  type BackendName,
  MAX_WASM_THREADS,
  parseBackendName,
  parseWasmThreads,
  WASM_THREADS_ENV_VAR,
  type WasmBackendInfo,
  type WasmThreadsSetting,
};

let chosen: BackendName | PageBackendName | null = null;

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Threads of the wasm backend (default: `POMDP_WASM_THREADS`, else "auto": the idle cores, at most 8). */
  wasmThreads?: WasmThreadsSetting;
}

/** Loads tfjs-node (an optional dependency whose install fails without internet); throws if absent. */
function loadTensorflowBinding(): void {
  // A plain require so that a missing optional package is a catchable error, not a load-time failure.
  require("@tensorflow/tfjs-node");
  if (!tf.findBackendFactory("tensorflow")) {
    throw new Error("@tensorflow/tfjs-node loaded but registered no 'tensorflow' backend");
  }
}

async function activate(name: BackendName, options: { wasmThreads: WasmThreadsSetting }): Promise<void> {
  if (name === "tensorflow") loadTensorflowBinding();
  if (name === "wasm") configureWasmThreads(options.wasmThreads);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`TF.js backend '${name}' failed to initialise`);
  await tf.ready();
  if (name === "wasm") {
    registerWasmKernels();
    gateWasmKernels();
  }
}

/**
 * Chooses and initialises the TF.js backend; the one place that does. Order of precedence: the `name`
 * argument (the CLI's `--backend`), then `POMDP_BACKEND`, then the first of tensorflow (tfjs-node), wasm,
 * cpu that initialises. A forced backend that fails is an error; the choice is logged and returned (record
 * it in the run's config, with {@link backendFacts}) and {@link currentBackend} reports it afterwards.
 *
 * On wasm the thread count comes from `options.wasmThreads`, else `POMDP_WASM_THREADS`, else "auto" (the
 * idle cores by the load average, at most 8; see ./wasm_threads): more than one runs tfjs-backend-wasm's
 * multi-threaded build, which
 * falls back to the single-threaded build with a logged warning when threads are unavailable. The log
 * line names the build and its threads.
 */
export async function initBackend(
  name?: string,
  logger: Logger = nnLogger,
  options: InitBackendOptions = {},
): Promise<BackendName> {
  // Checked first, so that a bad POMDP_WASM_THREADS is an error even when wasm is only a candidate.
  const wasmThreads = options.wasmThreads ?? wasmThreadsFromEnv();
  const envValue = process.env[BACKEND_ENV_VAR];
  let forced: BackendName | undefined;
  let source = "auto";
  if (name !== undefined) {
    forced = parseBackendName(name, "backend");
    source = "argument";
  } else if (envValue !== undefined && envValue !== "") {
    forced = parseBackendName(envValue, `${BACKEND_ENV_VAR} value`);
    source = BACKEND_ENV_VAR;
  }
  if (forced !== undefined) {
    try {
      await activate(forced, { wasmThreads });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`backend '${forced}' (from ${source}) could not be initialised: ${reason}`);
    }
    chosen = forced;
  } else {
    const failures: string[] = [];
    for (const candidate of BACKEND_NAMES) {
      try {
        await activate(candidate, { wasmThreads });
        chosen = candidate;
        break;
      } catch (err) {
        failures.push(`${candidate}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      }
    }
    if (chosen === null) throw new Error(`no TF.js backend could be initialised (${failures.join("; ")})`);
    if (failures.length > 0) logger.debug({ failures }, "backends skipped");
  }
  const wasm = chosen === "wasm" ? wasmBackendInfo() : null;
  // The small kernels' row threads (the LSTM's unrolls) take the same thread count as the wasm backend.
  const rows = await startRowThreads(wasm?.requested ?? resolveWasmThreads(wasmThreads));
  if (wasm === null) {
    logger.info({ backend: chosen, source }, `TF.js backend: ${chosen}`);
  } else {
    if (wasm.fallbackReason !== undefined) {
      logger.warn(
        { backend: chosen, wasmThreadsRequested: wasm.requested, reason: wasm.fallbackReason },
        `wasm: ${wasm.requested} threads asked for, running single-threaded: ${wasm.fallbackReason}`,
      );
    }
    logger.info(
      {
        backend: chosen,
        source,
        wasmBuild: wasm.build,
        wasmThreads: wasm.threads,
        wasmThreadsChoice: wasm.choice,
      },
      `TF.js backend: wasm (${wasm.build} build, ${wasm.threads} thread${wasm.threads === 1 ? "" : "s"}: ${wasm.choice})`,
    );
  }
  if (rows.fallbackReason !== undefined) {
    logger.warn(
      { kernelRowThreadsRequested: rows.requested, reason: rows.fallbackReason },
      `small kernels: ${rows.requested} threads asked for, running on one: ${rows.fallbackReason}`,
    );
  }
  // initBackend picks among Node's backends only.
  return chosen as BackendName;
}

/**
 * The browser page's backend (web/, bundled by src/web/build.ts). On `wasm` (the default):
 * tfjs-backend-wasm fetching its `.wasm` files from `wasmPrefix` (a URL folder ending in "/" on the
 * page's own server, no CDN), with the same kernel patches as {@link initBackend} on wasm, so that the
 * page computes what `pomdp train` computes. tfjs-backend-wasm picks its own build there: the
 * multi-threaded one only where the page is cross-origin isolated (SharedArrayBuffer), else the
 * single-threaded SIMD one. On `webgl`: TF.js's WebGL backend (in a Web Worker it draws on an
 * OffscreenCanvas); its sums run in another order on the GPU, so its runs differ from Node's in the last
 * bits and then more. Throws where the browser offers no WebGL. Not for Node.
 */
export async function initBrowserBackend(
  wasmPrefix: string,
  name: PageBackendName = "wasm",
): Promise<PageBackendName> {
  if (name === "webgl") {
    const ok = tf.findBackendFactory("webgl") !== null && (await tf.setBackend("webgl"));
    if (!ok) throw new Error("TF.js backend 'webgl' failed to initialise: this browser offers no WebGL here");
    await tf.ready();
    chosen = "webgl";
    return chosen;
  }
  setWasmPaths(wasmPrefix);
  const ok = await tf.setBackend("wasm");
  if (!ok) throw new Error(`TF.js backend 'wasm' failed to initialise (its .wasm files from ${wasmPrefix})`);
  await tf.ready();
  registerWasmKernels();
  gateWasmKernels();
  chosen = "wasm";
  return chosen;
}

/**
 * What the current backend runs on, for run configs and bench output: `{ backend }`, and on wasm its
 * build, thread count and how it was chosen (`wasmBuild`, `wasmThreads`, `wasmThreadsChoice`) and the
 * reason for a fallback to one thread (`wasmThreadsFallback`).
 */
export function backendFacts(): Record<string, string | number> {
  if (chosen === null) return {};
  const facts: Record<string, string | number> = { backend: chosen };
  if (chosen !== "webgl") facts.kernelRowThreads = rowThreadsInfo().threads;
  const wasm = chosen === "wasm" ? wasmBackendInfo() : null;
  if (wasm !== null) {
    facts.wasmBuild = wasm.build;
    facts.wasmThreads = wasm.threads;
    facts.wasmThreadsChoice = wasm.choice;
    if (wasm.threadsMinFlops !== undefined) facts.wasmThreadsMinFlops = wasm.threadsMinFlops;
    if (wasm.fallbackReason !== undefined) facts.wasmThreadsFallback = wasm.fallbackReason;
  }
  return facts;
}

/** The backend chosen by the last {@link initBackend}, or null before it ran. */
export function currentBackend(): BackendName | PageBackendName | null {
  return chosen;
}

/**
 * The current backend; before {@link initBackend} ran, an error naming `owner` (the block being built),
 * rather than TF.js silently picking a backend of its own or failing obscurely. Every block calls it first.
 */
export function requireBackend(owner: string): BackendName | PageBackendName {
  if (chosen === null) {
    throw new Error(
      `${owner}: no TF.js backend yet; call \`await initBackend()\` (from src/nn) before building networks`,
    );
  }
  return chosen;
}
