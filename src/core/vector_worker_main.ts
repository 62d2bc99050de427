// The body of an AsyncVectorEnv worker: hosts some of the sub-envs, steps them on command, writes
// observations, rewards and flags straight into the shared buffers, and answers with the infos.
import { type MessagePort, workerData } from "node:worker_threads";
import type { Env } from "./env";
import { make } from "./registry";
import type { BoxArray, DType } from "./spaces";
import { allocate } from "./spaces";
import { type BatchBuffers, resetSubEnv, stepSubEnv } from "./vector";

/** What the main thread hands each worker. */
export interface WorkerSetup {
  port: MessagePort;
  preload: string[];
  envId: string;
  overrides: Record<string, unknown>;
  /** Global indices of the sub-envs this worker hosts. */
  envIndices: number[];
  workerIndex: number;
  dtype: DType;
  obsSize: number;
  observations: SharedArrayBuffer;
  rewards: SharedArrayBuffer;
  flags: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** A command from the main thread. */
export type WorkerCommand =
  | { cmd: "reset"; seed?: number; options?: Record<string, unknown> }
  | { cmd: "step"; actions: unknown[] }
  | { cmd: "close" };

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);

function respond(message: unknown): void {
  setup.port.postMessage(message);
  Atomics.store(control, setup.workerIndex, 1);
  Atomics.notify(control, setup.workerIndex);
}

let envs: Env<BoxArray, unknown>[] = [];
try {
  for (const module of setup.preload) require(module);
  envs = setup.envIndices.map(() => make(setup.envId, setup.overrides));
} catch (err) {
  respond({ error: err instanceof Error ? err.message : String(err) });
}

const observations = viewOf(setup.dtype, setup.observations);
const rewards = new Float64Array(setup.rewards);
const flags = new Uint8Array(setup.flags); // [terminated × N, truncated × N]
const numEnvs = rewards.length;
const buffers: BatchBuffers = {
  observations,
  obsSize: setup.obsSize,
  rewards,
  terminated: flags.subarray(0, numEnvs),
  truncated: flags.subarray(numEnvs),
};

function viewOf(dtype: DType, buffer: SharedArrayBuffer): BoxArray {
  const probe = allocate(dtype, 0);
  const Ctor = probe.constructor as new (b: SharedArrayBuffer) => BoxArray;
  return new Ctor(buffer);
}

function handle(command: WorkerCommand): unknown {
  switch (command.cmd) {
    case "reset":
      return { infos: envs.map((env, k) => resetSubEnv(env, setup.envIndices[k], command, buffers)) };
    case "step":
      return {
        infos: envs.map((env, k) => stepSubEnv(env, command.actions[k], setup.envIndices[k], buffers)),
      };
    case "close":
      for (const env of envs) env.close();
      return { closed: true };
  }
}

setup.port.on("message", (command: WorkerCommand) => {
  try {
    respond({ result: handle(command) });
  } catch (err) {
    respond({ error: err instanceof Error ? err.message : String(err) });
  }
  if (command.cmd === "close") setup.port.close();
});
