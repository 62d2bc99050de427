// Where an experiment's runs run: the executor interface the runner (./experiment.ts) talks to, and
// its local implementation (child processes of this machine). The Slurm executor is in
// ./slurm_executor.ts; a queue on another engine (BullMQ/Redis, Kubernetes jobs) implements the same.
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import pLimit from "p-limit";
import { PARENT_PID_ENV } from "./parent_watch";

/**
 * One run of an experiment as the runner hands it over: the commands that start it, resume it and
 * evaluate it. Which of start and resume applies is decided when the run actually starts (by then a
 * batch system may have requeued it after it wrote a checkpoint).
 */
export interface RunTask {
  /** The run folder's name, `<agent>--<env>--s<seed>`: unique within its experiment. */
  name: string;
  /** The run folder (where its progress is read from). */
  dir: string;
  /** `pomdp train` arguments that start the run from scratch in `dir` (`--out dir --restart`). */
  start: string[];
  /** `pomdp train` arguments that resume it from `dir/checkpoint` (used when that folder exists). */
  resume: string[];
  /** `pomdp eval` arguments that write `dir/eval.json` once the run has trained. */
  evaluate: string[];
}

/**
 * Runs commands of the `pomdp` CLI somewhere: the one thing the runner needs from a machine. The
 * local executor runs them as child processes here; an executor for a batch system or a distributed
 * queue implements `run`, and `runTask` when it restarts runs on its own (Slurm's requeue), without
 * changing the runner or the experiments.
 */
export interface Executor {
  /** Runs `pomdp <args>` to completion; resolves with its stdout, rejects with its last stderr line. */
  run(args: string[], label: string): Promise<string>;
  /** How many runs it takes at once (Infinity: all of them; the cluster's scheduler decides). */
  readonly concurrency: number;
  /**
   * Trains a run (resuming it from `dir/checkpoint` when that exists when it starts, else starting it)
   * and evaluates it, as one unit the executor may restart; resolves once `dir/eval.json` is written,
   * rejects with why the run failed (its name first). Without it the runner calls `run` for each step.
   */
  runTask?(task: RunTask): Promise<void>;
  /**
   * Queues the run and resolves at once with a line saying where it is (`--detach`): for executors
   * whose runs go on without this process.
   */
  submit?(task: RunTask): Promise<string>;
}

/** Threads of the wasm backend for each of `concurrency` runs at once: the cores shared out, 1 to 8. */
export function wasmThreadsPerRun(concurrency: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(8, Math.floor(cores / Math.max(1, concurrency))));
}

/**
 * Runs `pomdp` commands as child processes of this machine, `workers` at a time (p-limit). The children
 * watch this process (POMDP_PARENT_PID): killed, even with SIGKILL, it leaves no run training.
 */
export class LocalProcessExecutor implements Executor {
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    readonly concurrency: number = Math.max(1, os.availableParallelism()),
    private readonly bin = path.join(__dirname, "..", "bin.js"),
  ) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new Error(`--workers must be an integer ≥ 1, got ${concurrency}`);
    }
    this.limit = pLimit(concurrency);
  }

  run(args: string[], label: string): Promise<string> {
    return this.limit(
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [this.bin, ...args], {
            stdio: ["ignore", "pipe", "pipe"],
            env: {
              ...process.env,
              POMDP_LOG_LEVEL: process.env.POMDP_LOG_LEVEL ?? "warn",
              // The cores are shared by the runs in flight: each wasm run gets its share of threads
              // (src/nn/wasm_threads.ts), unless the user chose a count.
              POMDP_WASM_THREADS:
                process.env.POMDP_WASM_THREADS ?? String(wasmThreadsPerRun(this.concurrency)),
              [PARENT_PID_ENV]: String(process.pid),
            },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d) => {
            stdout += d;
          });
          child.stderr.on("data", (d) => {
            stderr += d;
          });
          child.on("error", reject);
          child.on("exit", (code, signal) => {
            if (code === 0) resolve(stdout);
            else {
              const last = stderr.trim().split("\n").pop() ?? "";
              reject(new Error(`${label}: exit ${code ?? signal}${last ? `: ${last}` : ""}`));
            }
          });
        }),
    );
  }
}
