"use strict";
// Entry script of each pthread worker of tfjs-backend-wasm's multi-threaded SIMD build under Node's
// worker_threads (src/nn/wasm_threads.ts starts them). The package ships Emscripten's worker script only as
// a string meant for a `blob:` URL, which Node's Worker refuses (ERR_WORKER_PATH); that script already
// speaks worker_threads, so this file runs it as its own body: the same code, from a file.
//
// A failure while the worker sets itself up is reported to the main thread as
// { cmd: "pomdp:workerFailed", reason } instead of thrown: Emscripten's main-thread handler rethrows a
// worker's error, which would end the process instead of letting it fall back to one thread.
const { parentPort } = require("node:worker_threads");

const FAILED = "pomdp:workerFailed";

function report(stage, err) {
  const reason = err instanceof Error ? err.message : String(err);
  parentPort.postMessage({ cmd: FAILED, reason: `pthread worker ${stage}: ${reason}` });
}

try {
  const {
    wasmWorkerContents,
  } = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");
  // The string holds "\n" escapes that its template literal turned into newlines inside string
  // literals; tfjs-backend-wasm escapes them back the same way before making its Blob.
  const body = wasmWorkerContents.replace(/\n/g, "\\n");
  // The script uses `require` and `__filename` as a CommonJS module body does; it sets `self.onmessage`
  // (self is the global object), which its parentPort listener calls for every message.
  new Function("require", "__filename", body)(require, __filename);
  const handle = globalThis.onmessage;
  globalThis.onmessage = (event) => {
    if (event.data?.cmd !== "load") return handle(event);
    // Loading evaluates the glue and instantiates the shared wasm module: report, do not throw.
    try {
      return handle(event);
    } catch (err) {
      report("could not load the wasm module", err);
    }
  };
} catch (err) {
  report("could not start", err);
}
