// What the PPO family shares beyond the rollout: the `net` schema, the training loop around an
// agent's update (metrics, progress, speed, final save), and the run context.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { Discrete } from "../src/core";
import { deriveSeed, Rng } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { type ClippedOptimizer, saveCheckpoint } from "../src/nn";
import { VecNormalizer } from "../src/train/normalize";
import { type RunFolder, type RunSummary, writeJsonAtomic } from "../src/train/run_folder";
import { makeAgentVectorEnv, observationInfo } from "./env_setup";
import { ActorCritic, type NetSpec } from "./networks";
import { type FinishedEpisode, RolloutBuffer, RolloutCollector } from "./rollout";

/** The `net` field of an agent's config. */
export const NetSchema = z
  .object({
    /** `mlp` for vector observations, `cnn` for images (preset chosen by image size). */
    encoder: z.enum(["mlp", "cnn"]).default("mlp"),
    /** Encoder layer widths (CleanRL: two layers of 64). */
    hidden: z.array(z.number().int().positive()).default([64, 64]),
    /** Encoder activation (CleanRL: tanh). */
    activation: z.enum(["tanh", "relu"]).default("tanh"),
    /** LSTM hidden size after the encoder; 0 = no memory. */
    lstm: z.number().int().min(0).default(0),
    /** Initial bias of the LSTM's forget gate: 0 as CleanRL; 1 (Jozefowicz et al. 2015, Keras) keeps memories longer at the start. */
    forgetBias: z.number().default(0),
    /** One encoder for actor and critic, or one each (CleanRL's ppo.py: separate). */
    sharedEncoder: z.boolean().default(false),
  })
  .strict();

/** Config fields of every agent of the PPO family about observations and the network (spread into each schema). */
export const ACTOR_CRITIC_FIELDS = {
  /** The network. */
  net: NetSchema.default({}),
  /** Normalise observations with running statistics (SB3's VecNormalize). */
  normalizeObservation: z.boolean().default(false),
  /** Scale rewards by the running std of the discounted return (SB3's VecNormalize). */
  normalizeReward: z.boolean().default(false),
  /** Stack the last k observations (0 or 1: none). */
  frameStack: z.number().int().min(0).default(0),
  /** Append the previous action and reward to observations (POPGym style). */
  previousAction: z.boolean().default(false),
};

/** The config fields {@link setUpActorCritic} reads. */
export interface ActorCriticSetupConfig {
  numEnvs: number;
  numSteps: number;
  gamma: number;
  net: NetSpec;
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
 * from "init/…"), the normaliser, the rollout buffer and the collector of a run.
 */
export function setUpActorCritic(config: ActorCriticSetupConfig, ctx: TrainContext): ActorCriticSetup {
  const N = config.numEnvs;
  const env = makeAgentVectorEnv(
    { ...config, envId: ctx.envId, envKwargs: ctx.envKwargs, encoder: config.net.encoder },
    N,
  );
  let net: ActorCritic;
  try {
    const obsInfo = observationInfo(env, config.net.encoder);
    net = new ActorCritic({
      observationShape: obsInfo.shape,
      observationBytes: obsInfo.bytes,
      numActions: (env.singleActionSpace as Discrete).n,
      net: config.net,
      seed: ctx.seed,
    });
  } catch (err) {
    env.close();
    throw err;
  }
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

/** What a run returns: its summary plus the trained network (the caller disposes it). */
export interface TrainResult {
  summary: RunSummary;
  net: ActorCritic;
  normalizer: VecNormalizer;
}

/** What an agent's update reports. */
export interface UpdateOutcome {
  updateSeconds: number;
  metrics: Record<string, number>;
}

/** Arguments of {@link trainingLoop}. */
export interface TrainingLoopArgs {
  ctx: TrainContext;
  agent: string;
  net: ActorCritic;
  optimizer: ClippedOptimizer;
  normalizer: VecNormalizer;
  collector: RolloutCollector;
  env: VectorEnv;
  rngs: Record<string, Rng>;
  numUpdates: number;
  /** Env steps per update, all envs counted. */
  stepsPerUpdate: number;
  /** One iteration: collect a rollout (calling onEpisode per finished episode) and update. */
  update: (update: number, onEpisode: (e: FinishedEpisode) => void) => UpdateOutcome;
}

/**
 * Runs `numUpdates` iterations of an agent's update, writing metrics.jsonl lines (episodes and
 * updates), reporting progress, and at the end the final state and summary.json.
 */
export function trainingLoop(args: TrainingLoopArgs): TrainResult {
  const { ctx, net, collector, numUpdates } = args;
  const run = ctx.run;
  const recent: number[] = [];
  const onEpisode = (e: FinishedEpisode) => {
    recent.push(e.return);
    if (recent.length > 20) recent.shift();
    run?.metric({ type: "episode", step: e.step, return: e.return, length: e.length });
    ctx.onEpisode?.(e);
  };
  const totalSteps = numUpdates * args.stepsPerUpdate;
  const started = performance.now();
  let updateSeconds = 0;
  run?.logger.info(
    {
      agent: args.agent,
      envId: ctx.envId,
      seed: ctx.seed,
      numUpdates,
      stepsPerUpdate: args.stepsPerUpdate,
      parameters: net.parameterCount(),
    },
    "run started",
  );
  try {
    for (let update = 1; update <= numUpdates; update++) {
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
      run.logger.info(summary, "run finished");
    }
    return { summary, net, normalizer: args.normalizer };
  } finally {
    args.env.close();
  }
}

/** Name of the JSON file beside the weights in a saved agent folder. */
export const AGENT_STATE_FILE = "agent-state.json";

/** Writes weights + optimiser (weights.json/bin) and normaliser + RNG states (agent-state.json). */
export function saveAgentState(
  dir: string,
  args: Pick<TrainingLoopArgs, "net" | "optimizer" | "normalizer" | "rngs" | "collector">,
): void {
  fs.mkdirSync(dir, { recursive: true });
  saveCheckpoint(dir, args.net.params(), args.optimizer);
  const rngs: Record<string, unknown> = {};
  for (const [name, rng] of Object.entries(args.rngs)) rngs[name] = rng.getState();
  writeJsonAtomic(path.join(dir, AGENT_STATE_FILE), {
    step: args.collector.step,
    normalizer: args.normalizer.getState(),
    rngs,
  });
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
