// What the main thread of an AsyncVectorEnv and its workers (vector_worker_main.ts) share: the
// set-up data, the commands and replies, and the layout of the control words in shared memory.
import type { MessagePort } from "node:worker_threads";
import type { Info } from "./env";
import type { DType } from "./spaces";

/** What the main thread hands each worker. */
export interface WorkerSetup {
  port: MessagePort;
  preload: string[];
  envId: string;
  overrides: Record<string, unknown>;
  /** Absolute path of a module exporting `wrap(env) => Env`, applied to every sub-env after `make`. */
  wrapModule?: string;
  /** Global indices of the sub-envs this worker hosts. */
  envIndices: number[];
  workerIndex: number;
  /** `CONTROL.words` Int32 words per worker. */
  control: SharedArrayBuffer;
}

/**
 * The shared batch buffers, sent once the spaces are known (the first command after start-up): the
 * worker writes its sub-envs' slots of them.
 */
export interface WorkerBuffers {
  dtype: DType;
  obsSize: number;
  observations: SharedArrayBuffer;
  rewards: SharedArrayBuffer;
  /** `[terminated × numEnvs, truncated × numEnvs]`, one byte each. */
  flags: SharedArrayBuffer;
  /** One action per sub-env (Float64), for the fast step (`OP_STEP`). */
  actions: SharedArrayBuffer;
}

/**
 * The control words of worker `w`, at `w * CONTROL.words + offset` in the shared Int32Array. The main
 * thread writes `op`, then increments `command` and notifies; the worker answers by writing `reply`,
 * then setting `done` to the command's number and notifying. `done` starts at -1; the worker sets it to
 * 0 once started (its first message says whether it could make its envs).
 */
export const CONTROL = { words: 4, command: 0, op: 1, done: 2, reply: 3 } as const;
/** `op`: step with the numeric actions in the shared `actions` buffer. */
export const OP_STEP = 1;
/** `op`: a `WorkerCommand` waits on the port. */
export const OP_MESSAGE = 2;
/** `reply`: nothing to read (every info of the step was empty). */
export const REPLY_NONE = 0;
/** `reply`: a `WorkerReply` waits on the port. */
export const REPLY_MESSAGE = 1;

/** A command from the main thread (sent as a message, with `op` = `OP_MESSAGE`). */
export type WorkerCommand =
  | ({ cmd: "attach" } & WorkerBuffers)
  | { cmd: "reset"; seed?: number; options?: Record<string, unknown> }
  | { cmd: "step"; actions: unknown[] }
  | { cmd: "close" };

/** A message from a worker. */
export type WorkerReply =
  /** Start-up done: the spaces of its (wrapped) sub-envs, as `toJSON()` descriptions. */
  | { ready: { observationSpace: unknown; actionSpace: unknown } }
  /** The infos that are not empty, as [global sub-env index, info] pairs; every other info is `{}`. */
  | { infos: [number, Info][] }
  | { closed: true }
  | { error: string };
