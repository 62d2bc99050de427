"use strict";
// A helper thread of the small kernels (started by row_threads.ts): it instantiates the shared-heap
// build of the kernels' module on the main thread's heap and runs the row functions it is handed on
// its part of a batch. The handshake is on the Int32Array `control` (slots named in row_threads.ts):
// the main thread writes a job and bumps SEQ; this thread runs it, writes STATUS (and an error text),
// sets DONE to SEQ and notifies. Between jobs it spins for `spinMicros`, then sleeps on SEQ.
const { workerData, parentPort } = require("node:worker_threads");

const { kernelsModule, memory, control, functions, slots, spinMicros } = workerData;
const ctl = new Int32Array(control, 0, slots.INTS);
const message = new Uint8Array(control, slots.MESSAGE_BYTE, slots.MESSAGE_BYTES);

/** The row functions of the module instantiated on the shared heap, or null after telling why not. */
function instantiate() {
  try {
    const instance = new WebAssembly.Instance(kernelsModule, { env: { memory } });
    const fns = functions.map((name) => instance.exports[name]);
    const missing = functions.filter((_, i) => typeof fns[i] !== "function");
    if (missing.length > 0) throw new Error(`the module exports no ${missing.join(", ")}`);
    return fns;
  } catch (err) {
    parentPort.postMessage({ failed: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

const fns = instantiate();
if (fns !== null) {
  parentPort.postMessage({ ready: true });
  serve(fns);
}

/** Runs the jobs the main thread hands over until it says stop (FN < 0). */
function serve(fns) {
  const now = () => performance.now();
  let seen = 0;
  for (;;) {
    if (Atomics.load(ctl, slots.SEQ) === seen) {
      const until = now() + spinMicros / 1000;
      while (Atomics.load(ctl, slots.SEQ) === seen && now() < until);
      while (Atomics.load(ctl, slots.SEQ) === seen) Atomics.wait(ctl, slots.SEQ, seen);
    }
    seen = Atomics.load(ctl, slots.SEQ);
    const fn = ctl[slots.FN];
    if (fn < 0) break;
    const args = [];
    for (let i = 0; i < ctl[slots.NARGS]; i++) args.push(ctl[slots.ARGS + i]);
    args.push(ctl[slots.R0], ctl[slots.R1]);
    try {
      fns[fn](...args);
      ctl[slots.STATUS] = 0;
    } catch (err) {
      const text = new TextEncoder().encode(String(err instanceof Error ? err.message : err));
      const length = Math.min(text.length, message.length);
      message.set(text.subarray(0, length));
      ctl[slots.MESSAGE_LENGTH] = length;
      ctl[slots.STATUS] = 1;
    }
    Atomics.store(ctl, slots.DONE, seen);
    Atomics.notify(ctl, slots.DONE);
  }
}
