import * as os from "node:os";
import * as path from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { requirePositiveInteger } from "./describe";
import type { Info } from "./env";
import { beforeResetError } from "./order_enforcing";
import {
  allocate,
  type Box,
  type BoxArray,
  type MultiDiscrete,
  type Space,
  type SpaceJSON,
  spaceFromJSON,
} from "./spaces";
import {
  batchBoxSpace,
  batchDiscreteSpace,
  checkVectorActions,
  checkVectorResetArgs,
  requireBoxSpace,
  requireWrapModulePath,
  type VectorEnv,
  type VectorResetArgs,
  type VectorResetResult,
  type VectorStepResult,
} from "./vector";
import {
  CONTROL,
  OP_MESSAGE,
  OP_STEP,
  REPLY_MESSAGE,
  type WorkerBuffers,
  type WorkerCommand,
  type WorkerReply,
  type WorkerSetup,
} from "./vector_protocol";

/** Options of `AsyncVectorEnv`. */
export interface AsyncVectorEnvArgs {
  /** Registered id of the env (`make(envId, overrides)` runs in each worker). */
  envId: string;
  /** Number of sub-envs. */
  numEnvs: number;
  /** Passed to `make` in the workers. */
  overrides?: Record<string, unknown>;
  /**
   * Absolute paths of modules each worker loads before `make` — the ones that register the env
   * (the library entry `src/index.ts` for built-in envs; your own module for yours).
   */
  preload: string[];
  /**
   * Absolute path of a module whose export `wrap` (or default export) is a function `(env) => Env`:
   * each worker loads it and wraps every sub-env it makes (a function cannot be sent to a worker;
   * see `loadWrapModule`).
   */
  wrapModule?: string;
  /** Worker threads to spread the sub-envs over; default min(numEnvs, number of CPUs). */
  numWorkers?: number;
  /** Milliseconds to wait for a worker's answer before failing; default 60 000. */
  timeoutMs?: number;
}

interface WorkerHandle {
  worker: Worker;
  port: MessagePort;
  envIndices: number[];
  /** Number of the last command sent (the worker's `done` word reaches it when answered). */
  seq: number;
}

const EMPTY_INFO: Info = Object.freeze({}) as Info;

/**
 * Steps its sub-envs in `worker_threads`, in parallel: for envs whose step is expensive (large pixel
 * observations). Same results as `SyncVectorEnv` for the same seeds and actions, and the same
 * synchronous interface. Observations, rewards, flags and numeric actions travel through shared
 * memory; the main thread wakes the workers and waits for them with `Atomics.notify`/`Atomics.wait`;
 * a worker posts a message only for infos that are not empty (episode ends, mostly), errors, and
 * the answers to `reset` and `close`. Each step still costs a wake-up round trip per worker (tens
 * of µs), so it pays off only when a step is slower than that and cores are free (see the README).
 * The env is made (and `preload`, `wrapModule` loaded) in the workers only; its spaces come from them.
 */
export class AsyncVectorEnv<A = number> implements VectorEnv<A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space<A>;
  readonly observationSpace: Box;
  private batchedActionSpace: MultiDiscrete | undefined;
  private readonly workers: WorkerHandle[] = [];
  private readonly control: Int32Array;
  private readonly observations: BoxArray;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly actions: Float64Array;
  private readonly infos: Info[];
  private readonly timeoutMs: number;
  private readonly envName: string;
  private hasReset = false;
  private closed = false;

  constructor(args: AsyncVectorEnvArgs) {
    const { envId, numEnvs, overrides = {}, preload, wrapModule } = args;
    requirePositiveInteger("AsyncVectorEnv", "numEnvs", numEnvs);
    if (!Array.isArray(preload) || preload.some((p) => typeof p !== "string" || !path.isAbsolute(p))) {
      throw new Error(
        "AsyncVectorEnv: preload must be a list of absolute module paths that register the env",
      );
    }
    if (wrapModule !== undefined) requireWrapModulePath(wrapModule, "AsyncVectorEnv");
    if (args.numWorkers !== undefined)
      requirePositiveInteger("AsyncVectorEnv", "numWorkers", args.numWorkers);
    this.numEnvs = numEnvs;
    this.envName = envId;
    this.timeoutMs = args.timeoutMs ?? 60_000;
    const numWorkers = Math.min(numEnvs, args.numWorkers ?? os.availableParallelism());
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.words * numWorkers));
    for (let w = 0; w < numWorkers; w++) this.control[w * CONTROL.words + CONTROL.done] = -1;

    for (let w = 0; w < numWorkers; w++) {
      const envIndices: number[] = [];
      for (let i = w; i < numEnvs; i += numWorkers) envIndices.push(i);
      this.workers.push(this.spawn({ envId, overrides, preload, wrapModule, envIndices, workerIndex: w }));
    }

    try {
      // Each worker makes its envs and reports their spaces (the env is never made in this thread).
      const spaces = this.workers.map((w, k) => {
        const reply = this.await(w, k) as { ready: { observationSpace: SpaceJSON; actionSpace: SpaceJSON } };
        return reply.ready;
      });
      this.singleObservationSpace = requireBoxSpace(envId, spaceFromJSON(spaces[0].observationSpace));
      this.singleActionSpace = spaceFromJSON(spaces[0].actionSpace) as Space<A>;
    } catch (err) {
      this.terminateAll();
      throw err;
    }
    this.observationSpace = batchBoxSpace(this.singleObservationSpace, numEnvs);

    const { dtype, size } = this.singleObservationSpace;
    const shared: WorkerBuffers = {
      dtype,
      obsSize: size,
      observations: new SharedArrayBuffer(allocate(dtype, 1).BYTES_PER_ELEMENT * size * numEnvs),
      rewards: new SharedArrayBuffer(8 * numEnvs),
      flags: new SharedArrayBuffer(2 * numEnvs),
      actions: new SharedArrayBuffer(8 * numEnvs),
    };
    const Ctor = allocate(dtype, 0).constructor as new (b: SharedArrayBuffer) => BoxArray;
    this.observations = new Ctor(shared.observations);
    this.rewards = new Float64Array(shared.rewards);
    const flags = new Uint8Array(shared.flags);
    this.terminated = flags.subarray(0, numEnvs);
    this.truncated = flags.subarray(numEnvs);
    this.actions = new Float64Array(shared.actions);
    this.infos = new Array(numEnvs).fill(EMPTY_INFO);
    this.broadcast(this.workers.map(() => ({ cmd: "attach", ...shared })));
  }

  get actionSpace(): MultiDiscrete {
    this.batchedActionSpace ??= batchDiscreteSpace(this.envName, this.singleActionSpace, this.numEnvs);
    return this.batchedActionSpace;
  }

  private spawn(base: Omit<WorkerSetup, "port" | "control">): WorkerHandle {
    const { port1, port2 } = new MessageChannel();
    const control = this.control.buffer as SharedArrayBuffer;
    const setup: WorkerSetup = { ...base, port: port2, control };
    const worker = new Worker(path.join(__dirname, "vector_worker.js"), {
      workerData: setup,
      transferList: [port2],
      execArgv: [],
    });
    worker.unref();
    return { worker, port: port1, envIndices: base.envIndices, seq: 0 };
  }

  /** Raises worker `k`'s command word (after posting `command`, if any) and wakes it. */
  private send(k: number, command: WorkerCommand | undefined): void {
    const handle = this.workers[k];
    const at = k * CONTROL.words;
    if (command !== undefined) handle.port.postMessage(command);
    Atomics.store(this.control, at + CONTROL.op, command === undefined ? OP_STEP : OP_MESSAGE);
    Atomics.store(this.control, at + CONTROL.command, ++handle.seq);
    Atomics.notify(this.control, at + CONTROL.command);
  }

  /**
   * Sends a command to every worker first (`undefined`: a step with the shared actions), then
   * collects the answers, so that the workers run in parallel.
   */
  private broadcast(commands: (WorkerCommand | undefined)[]): (WorkerReply | undefined)[] {
    for (let k = 0; k < this.workers.length; k++) this.send(k, commands[k]);
    return this.workers.map((w, k) => this.await(w, k));
  }

  /** Waits until worker `k` has answered its last command; its message, if it posted one. */
  private await(handle: WorkerHandle, k: number): WorkerReply | undefined {
    const at = k * CONTROL.words;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(this.control, at + CONTROL.done);
      if (done === handle.seq) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `AsyncVectorEnv(${this.envName}): worker ${k} did not answer within ${this.timeoutMs} ms`,
        );
      Atomics.wait(this.control, at + CONTROL.done, done, Math.min(left, 1000));
    }
    if (Atomics.load(this.control, at + CONTROL.reply) !== REPLY_MESSAGE) return undefined;
    // The worker posted before it raised `done`, so the message is already queued.
    const received = receiveMessageOnPort(handle.port);
    if (!received) throw new Error(`AsyncVectorEnv(${this.envName}) worker ${k}: its answer is missing`);
    const message = received.message as WorkerReply;
    if ("error" in message) throw new Error(`AsyncVectorEnv(${this.envName}) worker ${k}: ${message.error}`);
    return message;
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.ensureOpen();
    checkVectorResetArgs(this.envName, args);
    const replies = this.broadcast(
      this.workers.map(() => ({ cmd: "reset", seed: args.seed, options: args.options })),
    );
    this.collectInfos(replies);
    this.hasReset = true;
    return { observations: this.observations, infos: this.infos };
  }

  step(actions: ArrayLike<A>): VectorStepResult {
    this.ensureOpen();
    if (!this.hasReset) throw beforeResetError(`vector env of ${this.envName}`, "step()");
    checkVectorActions(this.envName, this.singleActionSpace, this.numEnvs, actions);
    let numeric = true;
    for (let i = 0; i < this.numEnvs; i++) {
      const action = actions[i];
      if (typeof action === "number") this.actions[i] = action;
      else numeric = false;
    }
    // Numeric actions go through shared memory; any other kind is posted to each worker.
    const replies = this.broadcast(
      this.workers.map((w) =>
        numeric ? undefined : { cmd: "step" as const, actions: w.envIndices.map((i) => actions[i]) },
      ),
    );
    this.collectInfos(replies);
    return {
      observations: this.observations,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  /** Empty infos everywhere, except those the workers sent. */
  private collectInfos(replies: (WorkerReply | undefined)[]): void {
    this.infos.fill(EMPTY_INFO);
    for (const reply of replies) {
      if (reply !== undefined && "infos" in reply) for (const [i, info] of reply.infos) this.infos[i] = info;
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`vector env of ${this.envName}: used after close()`);
  }

  private terminateAll(): void {
    this.closed = true;
    for (const w of this.workers) void w.worker.terminate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [k, w] of this.workers.entries()) {
      try {
        this.send(k, { cmd: "close" });
        this.await(w, k);
      } catch {
        // A worker that cannot answer is terminated below anyway.
      }
      void w.worker.terminate();
    }
  }
}
