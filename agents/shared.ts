// What every agent shares: the training loop around an agent's update (metrics, progress, speed,
// checkpoints, final save), and the run context; and what the PPO family shares beyond the rollout
// (its set-up). The `net` schema and the PPO family's observation fields are in configs.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { deriveSeed, Rng, type RngState } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { type ClippedOptimizer, loadCheckpoint, type Parameterised, saveCheckpoint } from "../src/nn";
import { VecNormalizer, type VecNormalizerState } from "../src/train/normalize";
import {
  DEFAULT_CHECKPOINT_EVERY,
  RUN_FILES,
  type RunFolder,
  type RunSummary,
  recoverFolder,
  writeFolderAtomic,
  writeJsonAtomic,
} from "../src/train/run_folder";
import { startFromPretrained } from "./autoencoder";
import { actorCriticFor, makeAgentVectorEnv } from "./env_setup";
import type { ActorCritic, NetSpec } from "./networks";
import { type CollectorState, type FinishedEpisode, RolloutBuffer, RolloutCollector } from "./rollout";

/** The config fields {@link setUpActorCritic} reads. */
export interface ActorCriticSetupConfig {
  numEnvs: number;
  numSteps: number;
  gamma: number;
  net: NetSpec & { encoderFrom?: string };
  normalizeObservation: boolean;
  normalizeReward: boolean;
  frameStack: number;
  previousAction: boolean;
}

/** What every PPO-family run is made of before its optimiser. */
export interface ActorCriticSetup {
  env: VectorEnv;
  net: ActorCritic;
  normalizer: VecNormalizer;
  buffer: RolloutBuffer;
  collector: RolloutCollector;
  /** The action-sampling stream (seed tree purpose "actions"). */
  actionRng: Rng;
}

/**
 * Builds the vector env (base seed from the seed tree's "env"), the actor-critic (each block seeded
 * from "init/…"; a new run with net.encoderFrom starts its CNN encoder from that pretrained
 * autoencoder), the normaliser, the rollout buffer and the collector of a run.
 */
export function setUpActorCritic(config: ActorCriticSetupConfig, ctx: TrainContext): ActorCriticSetup {
  const N = config.numEnvs;
  const env = makeAgentVectorEnv(
    { ...config, envId: ctx.envId, envKwargs: ctx.envKwargs, encoder: config.net.encoder },
    N,
  );
  let net: ActorCritic;
  try {
    net = actorCriticFor(env, config.net, ctx.seed);
  } catch (err) {
    env.close();
    throw err;
  }
  startFromPretrained(net, config.net.encoderFrom, ctx.resume, () => {
    net.dispose();
    env.close();
  });
  const normalizer = new VecNormalizer({
    observationSize: net.observationSize,
    numEnvs: N,
    observations: config.normalizeObservation,
    rewards: config.normalizeReward,
    gamma: config.gamma,
  });
  const actionRng = new Rng(deriveSeed(ctx.seed, "actions"));
  const buffer = new RolloutBuffer(config.numSteps, N, net.observationSize);
  const collector = new RolloutCollector(
    env,
    net,
    normalizer,
    actionRng,
    config.gamma,
    deriveSeed(ctx.seed, "env"),
  );
  return { env, net, normalizer, buffer, collector, actionRng };
}

/** What a training run is given besides the agent's config. */
export interface TrainContext {
  /** Registered env id. */
  envId: string;
  /** `make` keyword arguments. */
  envKwargs?: Record<string, unknown>;
  /** The run's seed: the root of its seed tree. */
  seed: number;
  /** Where metrics, logs and the final state go (none: nothing is written). */
  run?: RunFolder;
  /** Called after every update (progress line, tests). */
  onUpdate?: (progress: UpdateProgress) => void;
  /** Called for every finished training episode. */
  onEpisode?: (episode: FinishedEpisode) => void;
  /**
   * Write a checkpoint into the run folder every this many updates (0: only when stopped); default
   * {@link DEFAULT_CHECKPOINT_EVERY}. Needs `run`. Checkpoints never change what the run computes.
   */
  checkpointEvery?: number;
  /** Also write one when this many seconds passed since the last (0: never); default 60. */
  checkpointSeconds?: number;
  /** Continue the run in `run` from its checkpoint (see {@link readTrainCheckpoint}) instead of starting it. */
  resume?: boolean;
  /**
   * Asked after every update: when it returns true, the loop writes a checkpoint and throws
   * {@link TrainingInterrupted} (how Ctrl-C stops `pomdp train`).
   */
  shouldStop?: () => boolean;
}

export { DEFAULT_CHECKPOINT_EVERY };

/** Thrown by the training loop when `shouldStop` asked it to stop; a checkpoint has been written. */
export class TrainingInterrupted extends Error {
  constructor(
    /** Updates completed (and saved). */
    readonly update: number,
    readonly numUpdates: number,
    /** Env steps completed. */
    readonly step: number,
    /** The checkpoint folder written. */
    readonly checkpointDir: string | undefined,
    /** The env layer that does not save its state (the checkpoint cannot resume the run), if any. */
    readonly envBlocker?: string,
  ) {
    super(`training stopped after update ${update} of ${numUpdates} (${step} steps)`);
    this.name = "TrainingInterrupted";
  }
}

/** What `onUpdate` hears. */
export interface UpdateProgress {
  update: number;
  numUpdates: number;
  step: number;
  totalSteps: number;
  sps: number;
  /** Mean return of the last 20 training episodes (NaN before the first). */
  returnMean20: number;
  seconds: number;
}

/** What the training loop needs of an agent's network: its parameters, and to hear when they change. */
export interface TrainableNet extends Parameterised {
  /** Number of trainable values. */
  parameterCount(): number;
  /** The weights changed (optimiser step, checkpoint load): typed-array copies must be refreshed. */
  weightsChanged(): void;
}

/**
 * What the training loop needs of an agent's acting side (the rollout collector, DQN's replay
 * collector): the env steps so far, where the time went, and its position as JSON for checkpoints.
 */
export interface LoopCollector {
  /** Env steps so far, all envs counted. */
  step: number;
  /** Seconds spent stepping envs and acting (the summary's breakdown). */
  envSeconds: number;
  actSeconds: number;
  getState(): object;
  /** Continues from {@link getState}'s JSON; throws naming the bad field. */
  setState(state: never): void;
}

/** What a run returns: its summary plus the trained network (the caller disposes it). */
export interface TrainResult<N extends TrainableNet = ActorCritic> {
  summary: RunSummary;
  net: N;
  normalizer: VecNormalizer;
}

/** What an agent's update reports. */
export interface UpdateOutcome {
  updateSeconds: number;
  metrics: Record<string, number>;
}

/** Arguments of {@link trainingLoop}. */
export interface TrainingLoopArgs<N extends TrainableNet = ActorCritic> {
  ctx: TrainContext;
  agent: string;
  net: N;
  optimizer: ClippedOptimizer;
  normalizer: VecNormalizer;
  collector: LoopCollector;
  env: VectorEnv;
  rngs: Record<string, Rng>;
  numUpdates: number;
  /** Env steps per update, all envs counted. */
  stepsPerUpdate: number;
  /** One iteration: collect a rollout (calling onEpisode per finished episode) and update. */
  update: (update: number, onEpisode: (e: FinishedEpisode) => void) => UpdateOutcome;
  /**
   * More of the run's state than the loop knows of (DQN: the target network and the replay buffer),
   * written into each checkpoint folder and read back on resume.
   */
  checkpointExtra?: {
    write(dir: string): void;
    read(dir: string): void;
  };
}

/**
 * Runs `numUpdates` iterations of an agent's update, writing metrics.jsonl lines (episodes and
 * updates), reporting progress, checkpoints, and at the end the final state and summary.json.
 */
export function trainingLoop<N extends TrainableNet>(args: TrainingLoopArgs<N>): TrainResult<N> {
  const loop = loopSteps(args);
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
  }
}

/**
 * {@link trainingLoop} that gives the event loop a turn after every update, so that signals (Ctrl-C)
 * and timers are handled while training runs.
 */
export async function trainingLoopAsync<N extends TrainableNet>(
  args: TrainingLoopArgs<N>,
): Promise<TrainResult<N>> {
  const loop = loopSteps(args);
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The loop itself, yielding after every update. */
function* loopSteps<N extends TrainableNet>(
  args: TrainingLoopArgs<N>,
): Generator<void, TrainResult<N>, void> {
  const { ctx, net, collector, numUpdates } = args;
  const run = ctx.run;
  try {
    let recent: number[] = [];
    let firstUpdate = 1;
    let pastSeconds = 0;
    let updateSeconds = 0;
    if (ctx.resume) {
      if (!run) throw new Error("trainingLoop: resume needs a run folder");
      const saved = restoreCheckpoint(run, args);
      recent = saved.recent;
      firstUpdate = saved.update + 1;
      pastSeconds = saved.seconds;
      updateSeconds = saved.updateSeconds;
    }
    const onEpisode = (e: FinishedEpisode) => {
      recent.push(e.return);
      if (recent.length > 20) recent.shift();
      run?.metric({ type: "episode", step: e.step, return: e.return, length: e.length });
      ctx.onEpisode?.(e);
    };
    const totalSteps = numUpdates * args.stepsPerUpdate;
    const started = performance.now() - pastSeconds * 1000;
    const every = ctx.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    const everySeconds = ctx.checkpointSeconds ?? 60;
    let lastCheckpoint = performance.now();
    const envBlocker = run ? vectorStateBlocker(args.env) : undefined;
    run?.logger.info(
      {
        agent: args.agent,
        envId: ctx.envId,
        seed: ctx.seed,
        numUpdates,
        stepsPerUpdate: args.stepsPerUpdate,
        parameters: net.parameterCount(),
        ...(ctx.resume ? { resumedAfterUpdate: firstUpdate - 1, step: collector.step } : {}),
      },
      ctx.resume ? "run resumed" : "run started",
    );
    if (run && envBlocker !== undefined) {
      run.logger.warn(
        { env: envBlocker },
        "the env does not save its state: checkpoints cannot resume this run",
      );
    }
    const checkpoint = (update: number) => {
      if (!run) return undefined;
      const seconds = (performance.now() - started) / 1000;
      saveTrainCheckpoint(run, args, { update, recent, seconds, updateSeconds, envBlocker });
      lastCheckpoint = performance.now();
      return run.checkpointDir;
    };
    for (let update = firstUpdate; update <= numUpdates; update++) {
      const outcome = args.update(update, onEpisode);
      updateSeconds += outcome.updateSeconds;
      const seconds = (performance.now() - started) / 1000;
      const sps = Math.round(collector.step / seconds);
      run?.metric({
        type: "update",
        step: collector.step,
        sps,
        ...outcome.metrics,
        rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      });
      ctx.onUpdate?.({
        update,
        numUpdates,
        step: collector.step,
        totalSteps,
        sps,
        returnMean20: recent.length > 0 ? mean(recent) : Number.NaN,
        seconds,
      });
      if (update < numUpdates) {
        if (ctx.shouldStop?.()) {
          const dir = checkpoint(update);
          run?.logger.info({ update, step: collector.step }, "run stopped; checkpoint written");
          throw new TrainingInterrupted(update, numUpdates, collector.step, dir, envBlocker);
        }
        const due =
          (every > 0 && update % every === 0) ||
          (everySeconds > 0 && performance.now() - lastCheckpoint >= everySeconds * 1000);
        if (due) checkpoint(update);
        yield;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const summary: RunSummary = {
      steps: collector.step,
      seconds: round(seconds, 2),
      sps: Math.round(collector.step / seconds),
      finalReturnMean20: recent.length > 0 ? round(mean(recent), 2) : null,
      parameters: net.parameterCount(),
      secondsIn: {
        env: round(collector.envSeconds, 2),
        acting: round(collector.actSeconds, 2),
        update: round(updateSeconds, 2),
      },
    };
    if (run) {
      saveAgentState(run.finalDir, args);
      run.summary(summary);
      // A finished run is not resumed: its checkpoint has served.
      fs.rmSync(run.checkpointDir, { recursive: true, force: true });
      run.logger.info(summary, "run finished");
    }
    return { summary, net, normalizer: args.normalizer };
  } finally {
    args.env.close();
  }
}

/** The layer of a vector env that cannot save its state, or undefined when all can. */
export function vectorStateBlocker(env: VectorEnv): string | undefined {
  if (typeof env.stateBlocker !== "function" || typeof env.getState !== "function")
    return `the vector env ${env.constructor.name}`;
  return env.stateBlocker();
}

/** Name of the JSON file beside the weights in a saved agent folder. */
export const AGENT_STATE_FILE = "agent-state.json";

/** Writes weights + optimiser (weights.json/bin) and normaliser + RNG states (agent-state.json). */
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
export const CHECKPOINT_STATE_FILE = "train-state.json";
const CHECKPOINT_FORMAT = "pomdp-train-checkpoint";

/** What `checkpoint/train-state.json` holds: where the run is, and every state besides the weights. */
export interface TrainCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  agent: string;
  envId: string;
  seed: number;
  /** Updates completed. */
  update: number;
  numUpdates: number;
  /** Env steps completed. */
  step: number;
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
}

function saveTrainCheckpoint(
  run: RunFolder,
  args: TrainingLoopArgs<TrainableNet>,
  at: { update: number; recent: number[]; seconds: number; updateSeconds: number; envBlocker?: string },
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
    typeof state.normalizer === "object";
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
function restoreCheckpoint(run: RunFolder, args: TrainingLoopArgs<TrainableNet>): TrainCheckpoint {
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
    throw what("normaliser", err);
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

/** 1 − Var(R − V) / Var(R): how much of the returns' variance the value function explains. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = values.length;
  let meanR = 0;
  let meanD = 0;
  for (let i = 0; i < n; i++) {
    meanR += returns[i];
    meanD += returns[i] - values[i];
  }
  meanR /= n;
  meanD /= n;
  let varR = 0;
  let varD = 0;
  for (let i = 0; i < n; i++) {
    varR += (returns[i] - meanR) ** 2;
    varD += (returns[i] - values[i] - meanD) ** 2;
  }
  return varR === 0 ? Number.NaN : 1 - varD / varR;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** (x − mean) / (std + 1e-8), std with Bessel's correction as torch's. */
export function normalised(x: Float32Array): Float32Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (x[i] - mean) ** 2;
  const std = Math.sqrt(sq / Math.max(1, n - 1));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) / (std + 1e-8);
  return out;
}
