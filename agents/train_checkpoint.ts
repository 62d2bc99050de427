// The checkpoint of a training run (checkpoint/train-state.json beside the weights) and the saved
// agent state (final/agent-state.json): their format, writing, reading with checks that name what is
// wrong, and restoring a freshly set-up run from one, so a resumed run continues every stream.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Rng, RngState } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { loadCheckpoint, saveCheckpoint } from "../src/nn";
import type { VecNormalizerState } from "../src/train/normalize";
import type { CheckpointFacts } from "../src/train/resolve";
import {
  RUN_FILES,
  type RunFolder,
  recoverFolder,
  writeFolderAtomic,
  writeJsonAtomic,
} from "../src/train/run_folder";
import type { BestEvaluation, TrainableNet, TrainingLoopArgs } from "./training_loop";

/** The layer of a vector env that cannot save its state, or undefined when all can. */
export function vectorStateBlocker(env: VectorEnv): string | undefined {
  if (typeof env.stateBlocker !== "function" || typeof env.getState !== "function")
    return `the vector env ${env.constructor.name}`;
  return env.stateBlocker();
}

/** Name of the JSON file beside the weights in a saved agent folder. */
export const AGENT_STATE_FILE = "agent-state.json";

/** Writes weights + optimiser (weights.json/bin) and normalizer + RNG states (agent-state.json). */
export function saveAgentState(
  dir: string,
  args: Pick<TrainingLoopArgs<TrainableNet>, "net" | "optimizer" | "normalizer" | "rngs" | "collector">,
): void {
  fs.mkdirSync(dir, { recursive: true });
  saveCheckpoint(dir, args.net.params(), args.optimizer);
  writeJsonAtomic(path.join(dir, AGENT_STATE_FILE), {
    step: args.collector.step,
    normalizer: args.normalizer.getState(),
    rngs: rngStates(args.rngs),
  });
}

function rngStates(rngs: Record<string, Rng>): Record<string, RngState> {
  const out: Record<string, RngState> = {};
  for (const [name, rng] of Object.entries(rngs)) out[name] = rng.getState();
  return out;
}

/** Name of the JSON file of a training checkpoint (beside weights.json/bin in `checkpoint/`). */
const CHECKPOINT_STATE_FILE = "train-state.json";
const CHECKPOINT_FORMAT = "pomdp-train-checkpoint";

/** What `checkpoint/train-state.json` holds: where the run is, and every state besides the weights. */
export interface TrainCheckpoint extends CheckpointFacts {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** Length of metrics.jsonl when the checkpoint was written (a resume truncates it to this). */
  metricsBytes: number;
  seconds: number;
  updateSeconds: number;
  /** Returns of the last 20 training episodes. */
  recent: number[];
  normalizer: VecNormalizerState;
  rngs: Record<string, RngState>;
  /** The collector's position ({@link CollectorState} for the PPO family). */
  collector: object;
  /** The vector env's state; null when an env cannot save it (`envBlocker` names it). */
  env: unknown;
  envBlocker?: string;
  /** The best periodic evaluation so far (its agent is in best/); absent before the first. */
  bestEval?: BestEvaluation;
}

export function saveTrainCheckpoint(
  run: RunFolder,
  args: TrainingLoopArgs<TrainableNet>,
  at: {
    update: number;
    recent: number[];
    seconds: number;
    updateSeconds: number;
    envBlocker?: string;
    bestEval?: BestEvaluation;
  },
): void {
  const state: TrainCheckpoint = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    agent: args.agent,
    envId: args.ctx.envId,
    seed: args.ctx.seed,
    update: at.update,
    numUpdates: args.numUpdates,
    step: args.collector.step,
    metricsBytes: run.metricsBytes(),
    seconds: at.seconds,
    updateSeconds: at.updateSeconds,
    recent: [...at.recent],
    normalizer: args.normalizer.getState(),
    rngs: rngStates(args.rngs),
    collector: args.collector.getState(),
    env: at.envBlocker === undefined ? args.env.getState!() : null,
    ...(at.envBlocker === undefined ? {} : { envBlocker: at.envBlocker }),
    ...(at.bestEval === undefined ? {} : { bestEval: at.bestEval }),
  };
  writeFolderAtomic(run.checkpointDir, (dir) => {
    saveCheckpoint(dir, args.net.params(), args.optimizer);
    args.checkpointExtra?.write(dir);
    fs.writeFileSync(path.join(dir, CHECKPOINT_STATE_FILE), `${JSON.stringify(state)}\n`);
  });
}

/**
 * Reads and checks the checkpoint of the run in `runDir`; errors say what is wrong: no checkpoint,
 * a corrupt one, or one that cannot resume because an env does not save its state.
 */
export function readTrainCheckpoint(runDir: string): TrainCheckpoint {
  const dir = path.join(runDir, RUN_FILES.checkpoint);
  recoverFolder(dir);
  const file = path.join(dir, CHECKPOINT_STATE_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(
      `no checkpoint to resume from (${path.join(RUN_FILES.checkpoint, CHECKPOINT_STATE_FILE)} is missing): the run stopped before its first checkpoint; start it again`,
    );
  }
  let state: TrainCheckpoint;
  try {
    state = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`corrupt checkpoint ${file}: not JSON (${(err as Error).message})`);
  }
  const ok =
    state !== null &&
    typeof state === "object" &&
    state.format === CHECKPOINT_FORMAT &&
    state.version === 1 &&
    [state.update, state.numUpdates, state.step, state.metricsBytes].every(
      (v) => Number.isSafeInteger(v) && v >= 0,
    ) &&
    Array.isArray(state.recent) &&
    typeof state.rngs === "object" &&
    typeof state.collector === "object" &&
    typeof state.normalizer === "object" &&
    (state.bestEval === undefined ||
      (Number.isSafeInteger(state.bestEval?.step) && typeof state.bestEval?.returnMean === "number"));
  if (!ok) {
    throw new Error(
      `corrupt checkpoint ${file}: expected a ${CHECKPOINT_FORMAT} version 1 file with update, step, metricsBytes, rngs, collector and normalizer`,
    );
  }
  if (state.env === null || state.env === undefined) {
    throw new Error(
      `cannot resume: the env ${state.envBlocker ?? "of the run"} does not save its state (it has no getState/setState), so the checkpoint holds no env state`,
    );
  }
  return state;
}

/** Loads the checkpoint of `run` into a freshly set-up run; returns where the run was. */
export function restoreCheckpoint(run: RunFolder, args: TrainingLoopArgs<TrainableNet>): TrainCheckpoint {
  let state: TrainCheckpoint;
  try {
    state = readTrainCheckpoint(run.dir);
  } catch (err) {
    throw new Error(`${run.dir}: ${(err as Error).message}`);
  }
  const file = path.join(run.checkpointDir, CHECKPOINT_STATE_FILE);
  if (state.agent !== args.agent || state.envId !== args.ctx.envId || state.seed !== args.ctx.seed) {
    throw new Error(
      `checkpoint ${file} is of ${state.agent} on ${state.envId} seed ${state.seed}, not ${args.agent} on ${args.ctx.envId} seed ${args.ctx.seed}`,
    );
  }
  if (state.numUpdates !== args.numUpdates) {
    throw new Error(
      `checkpoint ${file} is of a run of ${state.numUpdates} updates, but the config gives ${args.numUpdates}`,
    );
  }
  const blocker = vectorStateBlocker(args.env);
  if (blocker !== undefined)
    throw new Error(
      `${run.dir}: cannot resume: the env ${blocker} does not save its state (it has no getState/setState)`,
    );
  for (const name of Object.keys(args.rngs)) {
    if (!(name in state.rngs))
      throw new Error(`checkpoint ${file} has no state of the "${name}" random stream`);
  }
  const what = (part: string, err: unknown) =>
    new Error(`checkpoint ${file}: cannot restore the ${part}: ${(err as Error).message}`);
  loadCheckpoint(run.checkpointDir, args.net.params(), args.optimizer);
  args.net.weightsChanged();
  try {
    args.normalizer.setState(state.normalizer);
  } catch (err) {
    throw what("normalizer", err);
  }
  try {
    for (const [name, rng] of Object.entries(args.rngs)) rng.setState(state.rngs[name]);
  } catch (err) {
    throw what("random streams", err);
  }
  try {
    args.collector.setState(state.collector as never);
  } catch (err) {
    throw what("collector", err);
  }
  try {
    args.checkpointExtra?.read(run.checkpointDir);
  } catch (err) {
    throw new Error(`checkpoint ${run.checkpointDir}: ${(err as Error).message}`);
  }
  try {
    args.env.setState!(state.env);
  } catch (err) {
    throw what("envs", err);
  }
  run.truncateMetrics(state.metricsBytes);
  return state;
}
