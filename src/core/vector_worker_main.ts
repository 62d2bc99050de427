// The body of an AsyncVectorEnv worker: hosts some of the sub-envs, steps them on command, writes
// observations, rewards and flags straight into the shared buffers, and answers with the infos.
import { type MessagePort, workerData } from "node:worker_threads";
import type { Env, Info } from "./env";
import { make } from "./registry";
import type { BoxArray, DType } from "./spaces";
import { allocate } from "./spaces";

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

function viewOf(dtype: DType, buffer: SharedArrayBuffer): BoxArray {
  const probe = allocate(dtype, 0);
  const Ctor = probe.constructor as new (b: SharedArrayBuffer) => BoxArray;
  return new Ctor(buffer);
}

function handle(command: WorkerCommand): unknown {
  switch (command.cmd) {
    case "reset": {
      const infos: Info[] = [];
      envs.forEach((env, k) => {
        const i = setup.envIndices[k];
        const seed = command.seed === undefined ? undefined : command.seed + i;
        const { observation, info } = env.reset({ seed, options: command.options });
        observations.set(observation, i * setup.obsSize);
        rewards[i] = 0;
        flags[i] = 0;
        flags[numEnvs + i] = 0;
        infos.push(info);
      });
      return { infos };
    }
    case "step": {
      const infos: Info[] = [];
      envs.forEach((env, k) => {
        const i = setup.envIndices[k];
        const r = env.step(command.actions[k]);
        rewards[i] = r.reward;
        flags[i] = r.terminated ? 1 : 0;
        flags[numEnvs + i] = r.truncated ? 1 : 0;
        if (r.terminated || r.truncated) {
          const next = env.reset();
          observations.set(next.observation, i * setup.obsSize);
          infos.push({ ...next.info, finalObservation: r.observation.slice(), finalInfo: r.info });
        } else {
          observations.set(r.observation, i * setup.obsSize);
          infos.push(r.info);
        }
      });
      return { infos };
    }
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
