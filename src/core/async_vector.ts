import * as os from "node:os";
import * as path from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { requirePositiveInteger } from "./describe";
import type { Info } from "./env";
import { beforeResetError } from "./order_enforcing";
import { listEnvs, make } from "./registry";
import { allocate, type Box, type BoxArray, type Space } from "./spaces";
import {
  checkVectorActions,
  checkVectorResetArgs,
  requireBoxSpace,
  type VectorEnv,
  type VectorResetArgs,
  type VectorResetResult,
  type VectorStepResult,
} from "./vector";
import type { WorkerCommand, WorkerSetup } from "./vector_worker_main";

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
  /** Worker threads to spread the sub-envs over; default min(numEnvs, number of CPUs). */
  numWorkers?: number;
  /** Milliseconds to wait for a worker's answer before failing; default 60 000. */
  timeoutMs?: number;
}

interface WorkerHandle {
  worker: Worker;
  port: MessagePort;
  envIndices: number[];
}

/**
 * Steps its sub-envs in `worker_threads`, in parallel: for envs whose step is expensive (pixel
 * rendering). Same results as `SyncVectorEnv` for the same seeds and actions, and the same
 * synchronous interface: observations, rewards and flags travel through shared memory, the main
 * thread waits with `Atomics.wait`, and infos come back as messages.
 */
export class AsyncVectorEnv<A = number> implements VectorEnv<A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space<A>;
  private readonly workers: WorkerHandle[] = [];
  private readonly control: Int32Array;
  private readonly observations: BoxArray;
  private readonly rewards: Float64Array;
  private readonly flags: Uint8Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Info[];
  private readonly timeoutMs: number;
  private readonly envName: string;
  private hasReset = false;
  private closed = false;

  constructor(args: AsyncVectorEnvArgs) {
    const { envId, numEnvs, overrides = {}, preload } = args;
    requirePositiveInteger("AsyncVectorEnv", "numEnvs", numEnvs);
    if (!Array.isArray(preload) || preload.some((p) => !path.isAbsolute(p))) {
      throw new Error(
        "AsyncVectorEnv: preload must be a list of absolute module paths that register the env",
      );
    }
    this.numEnvs = numEnvs;
    this.envName = envId;
    this.timeoutMs = args.timeoutMs ?? 60_000;
    const numWorkers = Math.max(1, Math.min(numEnvs, args.numWorkers ?? os.availableParallelism()));
    this.control = new Int32Array(new SharedArrayBuffer(4 * numWorkers));

    // The spaces come from one env made here; load the preload modules only if this thread lacks the id.
    if (!listEnvs().some((s) => s.id === envId)) for (const module of preload) require(module);
    const probe = make(envId, overrides);
    this.singleObservationSpace = requireBoxSpace(probe.name, probe.observationSpace);
    this.singleActionSpace = probe.actionSpace as Space<A>;
    probe.close();

    const { dtype, size } = this.singleObservationSpace;
    const obsBuffer = new SharedArrayBuffer(allocate(dtype, 1).BYTES_PER_ELEMENT * size * numEnvs);
    this.observations = new (allocate(dtype, 0).constructor as new (b: SharedArrayBuffer) => BoxArray)(
      obsBuffer,
    );
    const rewardBuffer = new SharedArrayBuffer(8 * numEnvs);
    const flagBuffer = new SharedArrayBuffer(2 * numEnvs);
    this.rewards = new Float64Array(rewardBuffer);
    this.flags = new Uint8Array(flagBuffer);
    this.terminated = this.flags.subarray(0, numEnvs);
    this.truncated = this.flags.subarray(numEnvs);
    this.infos = new Array(numEnvs).fill({});

    for (let w = 0; w < numWorkers; w++) {
      const envIndices: number[] = [];
      for (let i = w; i < numEnvs; i += numWorkers) envIndices.push(i);
      this.workers.push(
        this.spawn(
          { envId, overrides, preload, envIndices, workerIndex: w, dtype, obsSize: size },
          obsBuffer,
          rewardBuffer,
          flagBuffer,
        ),
      );
    }
  }

  private spawn(
    base: Omit<WorkerSetup, "port" | "observations" | "rewards" | "flags" | "control">,
    observations: SharedArrayBuffer,
    rewards: SharedArrayBuffer,
    flags: SharedArrayBuffer,
  ): WorkerHandle {
    const { port1, port2 } = new MessageChannel();
    const control = this.control.buffer as SharedArrayBuffer;
    const setup: WorkerSetup = { ...base, port: port2, observations, rewards, flags, control };
    const worker = new Worker(path.join(__dirname, "vector_worker.js"), {
      workerData: setup,
      transferList: [port2],
      execArgv: [],
    });
    worker.unref();
    return { worker, port: port1, envIndices: base.envIndices };
  }

  /** Sends a command to every worker first, then collects the answers (so the workers run in parallel). */
  private broadcast(commands: WorkerCommand[]): unknown[] {
    this.workers.forEach((w, k) => {
      Atomics.store(this.control, k, 0);
      w.port.postMessage(commands[k]);
    });
    return this.workers.map((w, k) => this.await(w, k));
  }

  private request(handle: WorkerHandle, index: number, command: WorkerCommand): unknown {
    Atomics.store(this.control, index, 0);
    handle.port.postMessage(command);
    return this.await(handle, index);
  }

  private await(handle: WorkerHandle, index: number): unknown {
    // A worker may first report a start-up error, then the answer: read messages until one arrives.
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const received = receiveMessageOnPort(handle.port);
      if (received) {
        const message = received.message as { result?: unknown; error?: string };
        if (message.error !== undefined)
          throw new Error(`AsyncVectorEnv(${this.envName}) worker ${index}: ${message.error}`);
        return message.result;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `AsyncVectorEnv(${this.envName}): worker ${index} did not answer within ${this.timeoutMs} ms`,
        );
      Atomics.wait(this.control, index, 0, Math.min(left, 1000));
      Atomics.store(this.control, index, 0);
    }
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.ensureOpen();
    checkVectorResetArgs(this.envName, args);
    const answers = this.broadcast(
      this.workers.map(() => ({ cmd: "reset", seed: args.seed, options: args.options })),
    );
    this.collectInfos(answers);
    this.hasReset = true;
    return { observations: this.observations, infos: this.infos };
  }

  step(actions: ArrayLike<A>): VectorStepResult {
    this.ensureOpen();
    if (!this.hasReset) throw beforeResetError(`vector env of ${this.envName}`, "step()");
    checkVectorActions(this.envName, this.singleActionSpace, this.numEnvs, actions);
    const answers = this.broadcast(
      this.workers.map((w) => ({ cmd: "step", actions: w.envIndices.map((i) => actions[i]) })),
    );
    this.collectInfos(answers);
    return {
      observations: this.observations,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  private collectInfos(answers: unknown[]): void {
    answers.forEach((answer, k) => {
      const { infos } = answer as { infos: Info[] };
      this.workers[k].envIndices.forEach((i, j) => {
        this.infos[i] = infos[j];
      });
    });
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`vector env of ${this.envName}: used after close()`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [k, w] of this.workers.entries()) {
      try {
        this.request(w, k, { cmd: "close" });
      } catch {
        // A worker that cannot answer is terminated below anyway.
      }
      void w.worker.terminate();
    }
  }
}
