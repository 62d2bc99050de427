// The body of an AsyncVectorEnv worker: hosts some of the sub-envs, steps them on command, writes
// observations, rewards and flags straight into the shared buffers, and posts a message only when
// there is something to say (an info that is not empty, an error, an answer to reset or close).
//
// After start-up the worker never returns to its event loop: it waits for commands with
// Atomics.wait on its control words (see CONTROL in vector_protocol.ts) and reads the rare
// messages with receiveMessageOnPort.
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import type { Env, Info } from "./env";
import { make } from "./registry";
import type { BoxArray, DType } from "./spaces";
import { allocate } from "./spaces";
import { type BatchBuffers, loadWrapModule, resetSubEnv, stepSubEnv } from "./vector";
import {
  CONTROL,
  OP_STEP,
  REPLY_MESSAGE,
  REPLY_NONE,
  type WorkerBuffers,
  type WorkerCommand,
  type WorkerReply,
  type WorkerSetup,
} from "./vector_protocol";

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);
const base = setup.workerIndex * CONTROL.words;

function answer(seq: number, message: WorkerReply | undefined): void {
  if (message !== undefined) setup.port.postMessage(message);
  Atomics.store(control, base + CONTROL.reply, message === undefined ? REPLY_NONE : REPLY_MESSAGE);
  Atomics.store(control, base + CONTROL.done, seq);
  Atomics.notify(control, base + CONTROL.done);
}

function viewOf(dtype: DType, buffer: SharedArrayBuffer): BoxArray {
  const Ctor = allocate(dtype, 0).constructor as new (b: SharedArrayBuffer) => BoxArray;
  return new Ctor(buffer);
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let envs: Env<BoxArray, unknown>[] = [];
let started = false;
try {
  for (const module of setup.preload) require(module);
  const wrap = setup.wrapModule === undefined ? undefined : loadWrapModule(setup.wrapModule);
  envs = setup.envIndices.map(() => {
    const env = make(setup.envId, setup.overrides);
    return wrap ? wrap(env) : env;
  });
  const first = envs[0];
  answer(0, {
    ready: { observationSpace: first.observationSpace.toJSON(), actionSpace: first.actionSpace.toJSON() },
  });
  started = true;
} catch (err) {
  answer(0, { error: messageOf(err) });
}

let buffers: BatchBuffers;
let sharedActions: Float64Array;

function attach(shared: WorkerBuffers): void {
  const flags = new Uint8Array(shared.flags);
  const numEnvs = flags.length / 2;
  buffers = {
    observations: viewOf(shared.dtype, shared.observations),
    obsSize: shared.obsSize,
    rewards: new Float64Array(shared.rewards),
    terminated: flags.subarray(0, numEnvs),
    truncated: flags.subarray(numEnvs),
  };
  sharedActions = new Float64Array(shared.actions);
}

/** The reply to a reset or step: only the infos that are not empty (none: no message at all). */
function infosReply(infos: Info[]): WorkerReply | undefined {
  const filled: [number, Info][] = [];
  infos.forEach((info, k) => {
    if (Object.keys(info).length > 0) filled.push([setup.envIndices[k], info]);
  });
  return filled.length > 0 ? { infos: filled } : undefined;
}

function handle(command: WorkerCommand): WorkerReply | undefined {
  switch (command.cmd) {
    case "attach":
      attach(command);
      return undefined;
    case "reset":
      return infosReply(envs.map((env, k) => resetSubEnv(env, setup.envIndices[k], command, buffers)));
    case "step":
      return infosReply(
        envs.map((env, k) => stepSubEnv(env, command.actions[k], setup.envIndices[k], buffers)),
      );
    case "close":
      for (const env of envs) env.close();
      return { closed: true };
  }
}

/** The message the main thread posted before raising `command` (it is already queued). */
function receiveCommand(seq: number): WorkerCommand {
  for (;;) {
    const received = receiveMessageOnPort(setup.port);
    if (received) return received.message as WorkerCommand;
    Atomics.wait(control, base + CONTROL.command, seq, 1); // not expected: pause 1 ms, look again
  }
}

function serve(): void {
  let seen = 0;
  for (;;) {
    // A bounded wait, so that a worker whose main thread is gone never hangs for good.
    Atomics.wait(control, base + CONTROL.command, seen, 1000);
    const seq = Atomics.load(control, base + CONTROL.command);
    if (seq === seen) continue;
    seen = seq;
    let command: WorkerCommand;
    if (Atomics.load(control, base + CONTROL.op) === OP_STEP) {
      const actions = setup.envIndices.map((i) => sharedActions[i]);
      command = { cmd: "step", actions };
    } else {
      command = receiveCommand(seq);
    }
    try {
      answer(seq, handle(command));
    } catch (err) {
      answer(seq, { error: messageOf(err) });
    }
    if (command.cmd === "close") break;
  }
  setup.port.close();
}

if (started) serve();
