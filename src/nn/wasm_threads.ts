/**
 * The multi-threaded SIMD build of tfjs-backend-wasm under Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded build (XNNPACK on a pthreadpool of Emscripten pthreads, each a
 * worker) but switches it off in Node (upstream issue 3830): its bundle hands Emscripten a `blob:` URL
 * for the worker script and for its own glue code, and Node's `Worker` refuses both (ERR_WORKER_PATH).
 * The package also ships the parts as files (`wasm-out/`): the Emscripten glue, the wasm binary, and
 * the worker script as a string. So this module builds the threaded Emscripten module itself, with
 *
 * - the worker script from a file: `wasm_threads_worker.cjs` runs the package's worker script, which
 *   already speaks `worker_threads` (`parentPort`, `require`);
 * - the glue from its file (`mainScriptUrlOrBlob`), which each worker evaluates to instantiate the
 *   shared wasm module;
 * - `emscripten_num_logical_cores` answering twice the wanted thread count: the C++ side caps XNNPACK's
 *   pool at logical cores / 2 (it assumes two hyperthreads per core), which is 1 on a 2-core machine;
 *
 * and registers it as the 'wasm' backend (the stock `BackendWasm` class, so every wasm kernel and the
 * patches of `./kernels` run unchanged). When threads are unavailable (no SharedArrayBuffer or shared
 * wasm memory, no SIMD, a missing file, a worker that does not start in time) it falls back to the
 * stock single-threaded SIMD build and says why.
 *
 * XNNPACK splits a convolution or matrix product over output tiles, and each output element is summed by
 * one thread in the same order as with one thread, so results do not depend on the thread count (the
 * tests compare the builds bit for bit on the CNN's forward pass and gradients).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { BackendWasm, getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { gateThreadpool, threadpoolAddress, WASM_THREADS_MIN_FLOPS } from "./wasm_threads_gate";

/** Environment variable choosing the wasm backend's threads: "auto" (default) or a count 1…8. */
export const WASM_THREADS_ENV_VAR = "POMDP_WASM_THREADS";

/**
 * Most threads the threaded build can use: it starts 8 pthread workers up front (PTHREAD_POOL_SIZE) and
 * its C++ side caps XNNPACK's pool at 8.
 */
export const MAX_WASM_THREADS = 8;

/**
 * A thread count, or "auto": the idle cores when the backend starts, i.e. the cores this process may use
 * (`os.availableParallelism()`) less the 1-minute load average, rounded, at least 1 and at most 8. On a
 * machine already busy (other trainings, or an experiment's other workers) a second thread costs more
 * than it brings: each multi-threaded op waits for a thread the scheduler has not run yet (measured
 * here at load 10 on 2 cores: MLP and LSTM steps 2-4× slower, the CNN no faster). Threads do not change
 * results (see above), so this choice only changes speed.
 */
export type WasmThreadsSetting = number | "auto";

/** Which wasm binary runs: the multi-threaded SIMD one, or the stock single-threaded SIMD one. */
export type WasmBuild = "threaded-simd" | "simd";

/** What the wasm backend runs on, for logs, run configs and bench output. */
export interface WasmBackendInfo {
  /** The binary in use. */
  build: WasmBuild;
  /** Threads XNNPACK uses (the calling thread included); 1 on the single-threaded build. */
  threads: number;
  /** Threads asked for (the setting resolved). */
  requested: number;
  /** How that count was chosen: the count itself, or "auto (2 cores, load average 0.4)". */
  choice: string;
  /**
   * On the threaded build: ops estimated below this many flops run on one thread (see
   * wasm_threads_gate.ts); 0 when every op uses the pool.
   */
  threadsMinFlops?: number;
  /** Why the threaded build is not in use although more than one thread was asked for. */
  fallbackReason?: string;
}

/** Seconds the threaded module may take to start its workers before the single-threaded build is used. */
export const WASM_THREADS_START_TIMEOUT_MS = 30_000;

const PACKAGE = "@tensorflow/tfjs-backend-wasm";
const GLUE_MODULE = `${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`;
const WORKER_CONTENTS_MODULE = `${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`;
const WASM_BINARY = "tfjs-backend-wasm-threaded-simd.wasm";
/** tfjs-backend-wasm registers 'wasm' with this priority. */
const WASM_PRIORITY = 2;

/** The worker script every pthread worker runs. */
export const WASM_WORKER_SCRIPT = path.join(__dirname, "wasm_threads_worker.cjs");
/** Command of the message by which the worker script reports a failure to start. */
const WORKER_FAILED = "pomdp:workerFailed";
/** The worker script in use: {@link WASM_WORKER_SCRIPT} except in tests of the fallback. */
let workerScript = WASM_WORKER_SCRIPT;

/**
 * Test hook: the worker script later threaded modules start (default {@link WASM_WORKER_SCRIPT}), to
 * check that a worker which fails to start leads to the single-threaded build. Not for other uses.
 */
export function setWasmWorkerScriptForTests(file: string = WASM_WORKER_SCRIPT): void {
  workerScript = file;
}

/** Checks a thread setting from the environment or an argument; a bad one is an error naming it. */
export function parseWasmThreads(value: string, source = WASM_THREADS_ENV_VAR): WasmThreadsSetting {
  const text = value.trim();
  if (text === "auto") return "auto";
  const n = Number(text);
  if (text === "" || !Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`${source} "${value}": expected "auto" or an integer from 1 to ${MAX_WASM_THREADS}`);
  }
  return n;
}

/** The setting in `POMDP_WASM_THREADS`, "auto" when unset or empty. */
export function wasmThreadsFromEnv(): WasmThreadsSetting {
  const value = process.env[WASM_THREADS_ENV_VAR];
  return value === undefined || value.trim() === "" ? "auto" : parseWasmThreads(value);
}

/** The thread count "auto" stands for given the cores and the 1-minute load average (see {@link WasmThreadsSetting}). */
export function autoWasmThreads(cores: number, load: number): number {
  const idle = Math.round(cores - (Number.isFinite(load) ? Math.max(0, load) : 0));
  return Math.max(1, Math.min(MAX_WASM_THREADS, cores, idle));
}

/** The thread count a setting stands for now. */
export function resolveWasmThreads(setting: WasmThreadsSetting): number {
  return resolveWithChoice(setting).threads;
}

function resolveWithChoice(setting: WasmThreadsSetting): { threads: number; choice: string } {
  if (setting !== "auto") return { threads: setting, choice: String(setting) };
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const load = os.loadavg()[0];
  return {
    threads: autoWasmThreads(cores, load),
    choice: `auto (${cores} core${cores === 1 ? "" : "s"}, load average ${load.toFixed(2)})`,
  };
}

/** The parts of the WebAssembly API used here (the project's `lib` has no DOM types, which declare it). */
interface WebAssemblyApi {
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => { buffer: ArrayBufferLike };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance; module: WasmModule }>;
}
/** An opaque `WebAssembly.Instance`. */
type WasmInstance = { readonly exports: object };
/** An opaque `WebAssembly.Module`. */
type WasmModule = object;
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The parts of Emscripten's pthread runtime used here. */
interface PThreadRuntime {
  unusedWorkers: Worker[];
  runningWorkers: Worker[];
  terminateAllThreads(): void;
}

/** The threaded Emscripten module, before and after tfjs's `tfjs` bridge is attached. */
interface ThreadedModule {
  wasmMemory: { buffer: ArrayBufferLike };
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => unknown;
  PThread: PThreadRuntime;
  tfjs?: Record<string, unknown>;
}

/** Configuration object Emscripten's factory takes (it becomes the module). */
interface FactoryConfig {
  locateFile(file: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: WasmInstance, module: WasmModule) => void,
  ): Record<string, never>;
  onAbort(what: unknown): void;
  PThread?: PThreadRuntime;
}

type ThreadedFactory = (config: FactoryConfig) => Promise<ThreadedModule>;

interface ThreadedFiles {
  glue: string;
  wasm: string;
}

/** Reason the threaded build cannot run in this process, or null when it can. */
export async function threadedWasmProblem(): Promise<string | null> {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available";
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) return "shared WebAssembly memory is not supported";
  } catch (err) {
    return `shared WebAssembly memory is not supported (${errorText(err)})`;
  }
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) return "WebAssembly SIMD is not supported";
  try {
    locateThreadedFiles();
  } catch (err) {
    return errorText(err);
  }
  return null;
}

/** Paths of the threaded build's files; throws naming a missing one. */
function locateThreadedFiles(): ThreadedFiles {
  let glue: string;
  try {
    glue = require.resolve(GLUE_MODULE);
  } catch {
    throw new Error(`${GLUE_MODULE} is missing (is ${PACKAGE} installed?)`);
  }
  const wasm = path.join(path.dirname(glue), WASM_BINARY);
  if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing`);
  if (!fs.existsSync(workerScript)) throw new Error(`worker script ${workerScript} is missing`);
  let contents: unknown;
  try {
    contents = require(WORKER_CONTENTS_MODULE).wasmWorkerContents;
  } catch (err) {
    throw new Error(`${WORKER_CONTENTS_MODULE} does not load: ${errorText(err)}`);
  }
  if (typeof contents !== "string") throw new Error(`${WORKER_CONTENTS_MODULE} has no wasmWorkerContents`);
  return { glue, wasm };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null && "message" in err) return String(err.message);
  return String(err);
}

/**
 * Starts a threaded Emscripten module whose XNNPACK pool will take `threads` threads, with tfjs's
 * `tfjs` bridge attached as tfjs-backend-wasm's own `init()` does. Rejects (after stopping any workers it
 * started) when it does not start within {@link WASM_THREADS_START_TIMEOUT_MS}.
 */
async function startThreadedModule(threads: number, files: ThreadedFiles): Promise<ThreadedModule> {
  const factory = require(files.glue) as ThreadedFactory;
  let failure: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  const config: FactoryConfig = {
    locateFile: (file, prefix) => {
      if (file.endsWith(".worker.js")) return workerScript;
      if (file.endsWith(".wasm")) return files.wasm;
      return prefix + file;
    },
    // Each worker evaluates the glue from this file (tfjs passes a Blob, which Node cannot load).
    mainScriptUrlOrBlob: files.glue,
    instantiateWasm: (imports, receive) => {
      // The C++ side takes min(wanted, logical cores / 2) threads; make the cap the wanted count.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(fs.readFileSync(files.wasm), imports).then(
        ({ instance, module }) => receive(instance, module),
        (err) => failure?.(new Error(`instantiating ${files.wasm} failed: ${errorText(err)}`)),
      );
      return {};
    },
    onAbort: (what) => failure?.(new Error(`the threaded wasm module aborted: ${errorText(what)}`)),
  };
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`its pthread workers did not start within ${WASM_THREADS_START_TIMEOUT_MS} ms`)),
      WASM_THREADS_START_TIMEOUT_MS,
    );
  });
  try {
    const ready = factory(config);
    // The factory started the pre-started workers synchronously. The worker script reports its own
    // failures as a message (see wasm_threads_worker.cjs); an error thrown in a worker before Emscripten
    // listens to it would otherwise end the process (an 'error' event nobody listens to).
    for (const worker of config.PThread?.unusedWorkers ?? []) {
      const onFailure = (err: unknown) => failure?.(new Error(`a pthread worker failed: ${errorText(err)}`));
      worker.on("message", (message: { cmd?: unknown; reason?: unknown }) => {
        if (message?.cmd === WORKER_FAILED) failure?.(new Error(String(message.reason)));
      });
      worker.on("error", onFailure);
      // Emscripten's 'error' listener calls `worker.onerror`, which it sets to a handler that rethrows
      // (ending the process). Until the module has started, an error means falling back instead; after,
      // a crashed thread still ends the process (the main thread would otherwise wait for it forever).
      let glueOnError: ((err: unknown) => void) | undefined;
      Object.defineProperty(worker, "onerror", {
        configurable: true,
        get: () => (err: unknown) => (started ? glueOnError?.(err) : onFailure(err)),
        set: (handler: (err: unknown) => void) => {
          glueOnError = handler;
        },
      });
    }
    const module = await Promise.race([ready, failed, timeout]);
    started = true;
    // The bridge tfjs-backend-wasm's init() attaches to its own module.
    module.tfjs = {
      init: module.cwrap("init", null, []),
      initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
      getThreadsCount: module.cwrap("get_threads_count", "number", []),
      registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
      disposeData: module.cwrap("dispose_data", null, ["number"]),
      dispose: module.cwrap("dispose", null, []),
    };
    return module;
  } catch (err) {
    config.PThread?.terminateAllThreads();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The stock BackendWasm on a threaded module. Its constructor creates XNNPACK's pool (taking `threads`
 * - 1 of the 8 pre-started workers; the calling thread is the other). The workers left unused are stopped
 * (nothing else starts threads), and the pool's workers unreferenced so they never keep Node running.
 */
function threadedBackend(module: ThreadedModule, threads: number, files: ThreadedFiles): BackendWasm {
  setThreadsCount(threads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
  for (const worker of module.PThread.runningWorkers) worker.unref();
  const address = allOpsThreaded() ? null : threadpoolAddressOf(files.wasm);
  const count = module.tfjs?.getThreadsCount as () => number;
  gatedModules.set(module, address !== null && gateThreadpool(module, module.wasmMemory, address, count));
  return backend;
}

/** `POMDP_WASM_THREADS_ALL_OPS=1`: every op on the pool, as upstream (for comparisons). */
function allOpsThreaded(): boolean {
  return process.env.POMDP_WASM_THREADS_ALL_OPS === "1";
}

const addressOfFile = new Map<string, number | null>();

/** The pool pointer's address in a wasm binary (see wasm_threads_gate.ts), read once per file. */
function threadpoolAddressOf(file: string): number | null {
  if (!addressOfFile.has(file)) addressOfFile.set(file, threadpoolAddress(fs.readFileSync(file)));
  return addressOfFile.get(file) ?? null;
}

/** Whether each threaded module runs only big ops on its pool. */
const gatedModules = new WeakMap<object, boolean>();

/** tfjs-backend-wasm's own factory for 'wasm' (the single-threaded SIMD build in Node). */
const stockFactory = tf.findBackendFactory("wasm");

/** Thread count the 'wasm' factory registered here was made for; 0 while tfjs's own is registered. */
let registeredThreads = 0;
/** What the last 'wasm' backend created runs on. */
let lastInfo: WasmBackendInfo | null = null;
/** How the thread count of the last {@link configureWasmThreads} was chosen. */
let registeredChoice = "";

/** The factory of a 'wasm' backend on `threads` threads, falling back to the stock one. */
function threadedFactory(threads: number): () => Promise<tf.KernelBackend> {
  return async () => {
    const problem = await threadedWasmProblem();
    let reason = problem;
    if (problem === null) {
      try {
        const files = locateThreadedFiles();
        const module = await startThreadedModule(threads, files);
        const backend = threadedBackend(module, threads, files);
        lastInfo = { build: "threaded-simd", threads: getThreadsCount(), requested: threads, choice: "" };
        lastInfo.threadsMinFlops = gatedModules.get(module) ? WASM_THREADS_MIN_FLOPS : 0;
        return backend;
      } catch (err) {
        reason = `the threaded build failed to start: ${errorText(err)}`;
      }
    }
    if (stockFactory === null) throw new Error(`${PACKAGE} registered no 'wasm' backend`);
    setThreadsCount(1);
    const backend = await stockFactory();
    lastInfo = { build: "simd", threads: 1, requested: threads, choice: "" };
    if (reason !== null) lastInfo.fallbackReason = reason;
    return backend;
  };
}

/**
 * Makes 'wasm' a backend on `setting`'s threads (default: `POMDP_WASM_THREADS`, else "auto"): the
 * threaded build for more than one thread, the stock single-threaded build for one. Only registers the
 * factory: `tf.setBackend('wasm')` then creates the backend, and {@link wasmBackendInfo} says what it
 * runs on. A change of thread count disposes the current 'wasm' backend and its tensors.
 */
export function configureWasmThreads(setting: WasmThreadsSetting = wasmThreadsFromEnv()): number {
  const { threads, choice } = resolveWithChoice(setting);
  registeredChoice = choice;
  if (threads === registeredThreads && tf.findBackendFactory("wasm") !== null) return threads;
  if (stockFactory === null) throw new Error(`${PACKAGE} registered no 'wasm' backend`);
  if (tf.findBackendFactory("wasm") !== null) tf.removeBackend("wasm");
  if (threads === 1) {
    setThreadsCount(1);
    tf.registerBackend(
      "wasm",
      async () => {
        const backend = await stockFactory();
        lastInfo = { build: "simd", threads: 1, requested: 1, choice: "" };
        return backend;
      },
      WASM_PRIORITY,
    );
  } else {
    tf.registerBackend("wasm", threadedFactory(threads), WASM_PRIORITY);
  }
  registeredThreads = threads;
  lastInfo = null;
  return threads;
}

/** What the current 'wasm' backend runs on; null before one was created through this module. */
export function wasmBackendInfo(): WasmBackendInfo | null {
  return lastInfo === null ? null : { ...lastInfo, choice: registeredChoice };
}
