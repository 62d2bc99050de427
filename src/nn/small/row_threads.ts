/**
 * Helper threads for the small kernels under Node: worker_threads running the shared-heap build of the
 * kernels' module on the main thread's heap, to which `SmallKernels.runRows` hands part of a batch's
 * rows (the LSTM's forward and backward unrolls). Every row of an unroll depends only on the same row
 * of the previous step, so a thread runs all T steps of its rows with no barrier in between: one
 * handshake per unroll, not per step. Results are the same bit for bit with any thread count (each row
 * is computed by the same operations in the same order), which the tests check.
 *
 * The handshake is a few Int32 slots on a SharedArrayBuffer (Atomics.wait/notify, see row_worker.cjs).
 * A helper spins for {@link ROW_SPIN_MICROS} after a job before it sleeps, and the main thread spins on
 * a helper it waits for: a wake-up from sleep costs tens of µs, a spin a fraction of one.
 *
 * Node only: the browser page keeps one thread (a page is seldom cross-origin isolated).
 */
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import { ROW_FUNCTIONS, type RowHelpers, type SmallKernels, smallKernels } from "./kernels";

/** The worker script each helper runs. */
export const ROW_WORKER_SCRIPT = path.join(__dirname, "row_worker.cjs");

/** Most threads (the main one included) the kernels' row split uses. */
export const MAX_ROW_THREADS = 8;

/**
 * µs a helper spins for its next job before it sleeps: a training step hands it several jobs with gaps
 * of up to ~0.5 ms (the head, the loss, Adam) between them, and a wake-up from sleep costs ~25–40 µs
 * (measured here), up to a time slice when the machine is busy.
 */
export const ROW_SPIN_MICROS = 1000;

/** ms a helper may take to start, or to finish a job, before it is given up as broken. */
export const ROW_THREAD_TIMEOUT_MS = 30_000;

/** Slots of the control block (Int32 indices, and the byte range of the error text). */
const SLOTS = {
  SEQ: 0,
  DONE: 1,
  FN: 2,
  STATUS: 3,
  R0: 4,
  R1: 5,
  NARGS: 6,
  MESSAGE_LENGTH: 7,
  ARGS: 8,
  INTS: 32,
  MESSAGE_BYTE: 128,
  MESSAGE_BYTES: 896,
} as const;
const MAX_ARGS = SLOTS.INTS - SLOTS.ARGS;

/** The kernels' row threads now: how many, and why not more where fewer than asked for run. */
export interface RowThreadsInfo {
  /** Threads the row split uses, the calling one included (1: no helpers). */
  threads: number;
  /** Threads asked for. */
  requested: number;
  /** Why fewer threads than asked for run. */
  fallbackReason?: string;
}

let info: RowThreadsInfo = { threads: 1, requested: 1 };

/** The process's kernels' row threads as the last {@link startRowThreads} on them left them. */
export function rowThreadsInfo(): RowThreadsInfo {
  return info;
}

class WorkerHelpers implements RowHelpers {
  private readonly controls: Int32Array[];
  private readonly seqs: number[];

  constructor(
    private readonly workers: Worker[],
    controls: SharedArrayBuffer[],
  ) {
    this.controls = controls.map((c) => new Int32Array(c, 0, SLOTS.INTS));
    this.seqs = controls.map(() => 0);
  }

  get count(): number {
    return this.workers.length;
  }

  start(i: number, fn: number, args: readonly number[], r0: number, r1: number): void {
    if (args.length > MAX_ARGS) throw new Error(`row threads: ${args.length} arguments, at most ${MAX_ARGS}`);
    const ctl = this.controls[i];
    ctl[SLOTS.FN] = fn;
    ctl[SLOTS.NARGS] = args.length;
    for (let k = 0; k < args.length; k++) ctl[SLOTS.ARGS + k] = args[k];
    ctl[SLOTS.R0] = r0;
    ctl[SLOTS.R1] = r1;
    this.post(i);
  }

  /** Hands helper `i` the job written in its slots (bumps SEQ and wakes it). */
  private post(i: number): void {
    const ctl = this.controls[i];
    this.seqs[i] += 1;
    Atomics.store(ctl, SLOTS.SEQ, this.seqs[i]);
    Atomics.notify(ctl, SLOTS.SEQ);
  }

  finish(i: number): void {
    const ctl = this.controls[i];
    const seq = this.seqs[i];
    // Spin first: the helper started with this thread and has as many rows, so it is about done.
    for (let spins = 0; spins < 20_000 && Atomics.load(ctl, SLOTS.DONE) !== seq; spins++);
    const deadline = Date.now() + ROW_THREAD_TIMEOUT_MS;
    while (Atomics.load(ctl, SLOTS.DONE) !== seq) {
      if (Date.now() > deadline) throw new Error(`row threads: helper ${i + 1} did not finish its rows`);
      Atomics.wait(ctl, SLOTS.DONE, seq - 1, 100);
    }
    if (ctl[SLOTS.STATUS] !== 0) {
      const bytes = new Uint8Array(ctl.buffer, SLOTS.MESSAGE_BYTE, ctl[SLOTS.MESSAGE_LENGTH]).slice();
      const fn = ROW_FUNCTIONS[ctl[SLOTS.FN]];
      throw new Error(`row threads: helper ${i + 1} failed in ${fn}: ${new TextDecoder().decode(bytes)}`);
    }
  }

  /** Tells each helper to leave its loop; they end by themselves (they were unref'd when started). */
  stop(): void {
    this.controls.forEach((ctl, i) => {
      ctl[SLOTS.FN] = -1;
      this.post(i);
    });
  }
}

/** Why helper threads cannot run the kernels here, or null when they can. */
function rowThreadsProblem(kernels: SmallKernels): string | null {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available";
  if (!kernels.sharedHeap) return "the kernels' heap is not a shared memory";
  return null;
}

/** Starts one helper and resolves once it has instantiated the module, or rejects with why not. */
function startHelper(kernels: SmallKernels, control: SharedArrayBuffer, script: string): Promise<Worker> {
  const { Worker } = require("node:worker_threads") as typeof import("node:worker_threads");
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, {
      workerData: {
        kernelsModule: kernels.module,
        memory: kernels.memory,
        control,
        functions: ROW_FUNCTIONS,
        slots: SLOTS,
        spinMicros: ROW_SPIN_MICROS,
      },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`a helper did not start within ${ROW_THREAD_TIMEOUT_MS} ms`));
    }, ROW_THREAD_TIMEOUT_MS);
    worker.once("message", (message: { ready?: boolean; failed?: string }) => {
      clearTimeout(timer);
      if (message.ready === true) {
        worker.unref();
        resolve(worker);
      } else {
        void worker.terminate();
        reject(new Error(`a helper failed to start: ${message.failed}`));
      }
    });
    worker.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`a helper failed to start: ${err.message}`));
    });
  });
}

/**
 * Gives the kernels (the process's, by default) `threads` threads for their row split: `threads − 1`
 * helpers, replacing any running ones; 1 stops them. Where helpers cannot run (no shared memory, a
 * worker that fails to start) the kernels keep one thread and the returned info says why. Threads
 * beyond {@link MAX_ROW_THREADS} are not started.
 */
export async function startRowThreads(
  threads: number,
  kernels: SmallKernels = smallKernels(),
  script: string = ROW_WORKER_SCRIPT,
): Promise<RowThreadsInfo> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`startRowThreads: threads ${threads} is not a count of at least 1`);
  const wanted = Math.min(threads, MAX_ROW_THREADS);
  const isDefault = kernels === smallKernels();
  // The same count again (initBackend runs once per process, tests call it often): keep the helpers.
  if (isDefault && wanted > 1 && kernels.rowThreads === wanted) return info;
  kernels.setRowHelpers(null);
  const result = (r: RowThreadsInfo): RowThreadsInfo => {
    if (isDefault) info = r;
    return r;
  };
  if (wanted === 1) return result({ threads: 1, requested: threads });
  const problem = rowThreadsProblem(kernels);
  if (problem !== null) return result({ threads: 1, requested: threads, fallbackReason: problem });
  const controls = Array.from({ length: wanted - 1 }, () => new SharedArrayBuffer(1024));
  const started = await Promise.allSettled(controls.map((c) => startHelper(kernels, c, script)));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (failure !== undefined) {
    for (const worker of workers) void worker.terminate();
    return result({ threads: 1, requested: threads, fallbackReason: (failure.reason as Error).message });
  }
  kernels.setRowHelpers(new WorkerHelpers(workers, controls));
  return result({ threads: wanted, requested: threads });
}
