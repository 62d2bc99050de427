// The agents `pomdp train` knows, and loading a finished run's agent back (for `pomdp eval`).
import * as fs from "node:fs";
import * as path from "node:path";
import { type MakeOverrides, spec, type VectorEnv } from "../src/core";
import { BINARY_FILE, loadCheckpointFiles, MANIFEST_FILE } from "../src/nn";
import { VecNormalizer, type VecNormalizerState } from "../src/train/normalize";
import type { AgentConfigDefinition } from "../src/train/resolve";
import { RUN_FILES, readRunJson } from "../src/train/run_folder";
import { loadRunModules } from "../src/train/run_modules";
import { trainA2c, trainA2cAsync } from "./a2c";
import { AGENT_CONFIGS } from "./catalog";
import { type DqnConfig, dqnStepsPerUpdate, trainDqn, trainDqnAsync, trainDrqn, trainDrqnAsync } from "./dqn";
import { actorCriticFor, makeAgentVectorEnv, qNetworkFor } from "./env_setup";
import type { NetSpec } from "./net_config";
import { trainPpo, trainPpoAsync } from "./ppo";
import type { AgentNetwork } from "./tower";
import { AGENT_STATE_FILE } from "./train_checkpoint";
import type { TrainContext, TrainResult } from "./training_loop";

/**
 * A run's config, resolved as `pomdp train` resolves it: `resolveRunConfig(request, AGENT_CATALOG)`
 * (see src/train/resolve.ts).
 */
export { resolveResume, resolveRunConfig } from "../src/train/resolve";
export { AGENT_CATALOG, AGENT_CONFIGS } from "./catalog";

/** An agent `pomdp train --agent <name>` can run: its config (name, description, schema; catalog.ts) and its training. */
export interface AgentDefinition extends AgentConfigDefinition {
  train(config: never, ctx: TrainContext): TrainResult<AgentNetwork>;
  /** `train` giving the event loop a turn after every update (so Ctrl-C can stop it at a boundary). */
  trainAsync(config: never, ctx: TrainContext): Promise<TrainResult<AgentNetwork>>;
  /** The agent's network for the observations and actions of `env`, as evaluation acts with it. */
  network(env: VectorEnv, config: RunConfigFile["config"], seed: number): AgentNetwork;
  /** Env steps between two updates of the training loop (`onUpdate` calls), for a resolved config. */
  stepsPerUpdate(config: never): number;
  /** Env steps before the first gradient step (a replay agent's learningStarts; 0 otherwise). */
  stepsBeforeLearning(config: never): number;
}

/** PPO's and A2C's update: one rollout of numEnvs × numSteps, learning from the first. */
const rolloutSteps = (config: { numEnvs: number; numSteps: number }) => config.numEnvs * config.numSteps;

/** DQN's and DRQN's first gradient step: after learningStarts env steps of acting into replay. */
const replayStart = (config: DqnConfig) => config.learningStarts;

/** The actor-critic of a PPO or A2C run: `pomdp eval` samples its actions (or takes the likeliest). */
const actorCriticNetwork: AgentDefinition["network"] = (env, config, seed) =>
  actorCriticFor(env, config.net, seed);

/** The Q-network of a DQN or DRQN run: `pomdp eval` is ε-greedy with the run's final ε (or greedy). */
const qNetwork: AgentDefinition["network"] = (env, config, seed) => {
  const net = qNetworkFor(env, { ...config.net, sharedEncoder: true }, seed);
  net.epsilon = (config as unknown as DqnConfig).endE;
  return net;
};

/** The agents by name. */
export const AGENTS: Readonly<Record<string, AgentDefinition>> = {
  ppo: {
    ...AGENT_CONFIGS.ppo,
    train: trainPpo as AgentDefinition["train"],
    trainAsync: trainPpoAsync as AgentDefinition["trainAsync"],
    network: actorCriticNetwork,
    stepsPerUpdate: rolloutSteps as AgentDefinition["stepsPerUpdate"],
    stepsBeforeLearning: (() => 0) as AgentDefinition["stepsBeforeLearning"],
  },
  a2c: {
    ...AGENT_CONFIGS.a2c,
    train: trainA2c as AgentDefinition["train"],
    trainAsync: trainA2cAsync as AgentDefinition["trainAsync"],
    network: actorCriticNetwork,
    stepsPerUpdate: rolloutSteps as AgentDefinition["stepsPerUpdate"],
    stepsBeforeLearning: (() => 0) as AgentDefinition["stepsBeforeLearning"],
  },
  dqn: {
    ...AGENT_CONFIGS.dqn,
    train: trainDqn as AgentDefinition["train"],
    trainAsync: trainDqnAsync as AgentDefinition["trainAsync"],
    network: qNetwork,
    stepsPerUpdate: dqnStepsPerUpdate as AgentDefinition["stepsPerUpdate"],
    stepsBeforeLearning: replayStart as AgentDefinition["stepsBeforeLearning"],
  },
  drqn: {
    ...AGENT_CONFIGS.drqn,
    train: trainDrqn as AgentDefinition["train"],
    trainAsync: trainDrqnAsync as AgentDefinition["trainAsync"],
    network: qNetwork,
    stepsPerUpdate: dqnStepsPerUpdate as AgentDefinition["stepsPerUpdate"],
    stepsBeforeLearning: replayStart as AgentDefinition["stepsBeforeLearning"],
  },
};

/** The agent called `name`; an unknown name is an error listing the known ones. */
export function agentByName(name: string): AgentDefinition {
  const agent = AGENTS[name];
  if (!agent)
    throw new Error(`--agent "${name}": unknown agent; expected one of ${Object.keys(AGENTS).join(", ")}`);
  return agent;
}

/** What config.json of a run holds (the fields eval and experiments read). */
export interface RunConfigFile {
  agent: string;
  envId: string;
  envKwargs: MakeOverrides;
  seed: number;
  preset: string | null;
  config: {
    net: NetSpec;
    numEnvs: number;
    frameStack: number;
    previousAction: boolean;
    normalizeObservation: boolean;
    normalizeReward: boolean;
    gamma: number;
  } & Record<string, unknown>;
  backend: string;
}

/** A trained agent loaded from a run folder. */
export interface LoadedAgent {
  run: RunConfigFile;
  net: AgentNetwork;
  normalizer: VecNormalizer;
}

/** Which agent of a run to load: the final one, or the best of its periodic evaluations (config evalEvery). */
export type SavedAgent = "final" | "best";

/**
 * Loads a finished run's final weights and normalizer (frozen) into a new network of the run's agent
 * (an actor-critic, or a Q-network acting ε-greedily with the run's endE); `which` "best" loads the
 * agent its periodic evaluations kept instead. `envKwargs` replace the run's for the env the network
 * is built against (their observation shape must match).
 */
export function loadAgent(
  runDir: string,
  envKwargs?: MakeOverrides,
  which: SavedAgent = "final",
): LoadedAgent {
  const run = readRunJson<RunConfigFile>(runDir, RUN_FILES.config);
  if (
    typeof run?.agent !== "string" ||
    typeof run.envId !== "string" ||
    typeof run.config?.net !== "object"
  ) {
    throw new Error(
      `${path.join(runDir, RUN_FILES.config)} is not a run config (expected agent, envId, config.net)`,
    );
  }
  agentByName(run.agent); // an unknown agent is refused before anything is read
  const finalDir = path.join(runDir, RUN_FILES[which]);
  if (which === "best" && !fs.existsSync(finalDir)) {
    throw new Error(
      `${runDir} has no best agent (${RUN_FILES.best}/): it is kept only by runs trained with periodic evaluation (--eval-every)`,
    );
  }
  loadRunModules(path.join(runDir, RUN_FILES.config), run); // the run's --require'd env files
  spec(run.envId); // an unknown id (a user env not --require'd) fails here with a clear message
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(path.join(finalDir, file));
    } catch (err) {
      throw new Error(
        `cannot read checkpoint ${what} ${path.join(finalDir, file)}: ${(err as Error).message}`,
      );
    }
  };
  const manifest = read(MANIFEST_FILE, "manifest").toString("utf8");
  const weights = read(BINARY_FILE, "weights");
  return agentFromFiles(
    { run, manifest, weights, agentState: readRunJson<AgentStateFile>(finalDir, AGENT_STATE_FILE) },
    envKwargs,
    finalDir,
  );
}

/** What agent-state.json of a saved agent holds that loading it needs. */
export interface AgentStateFile {
  normalizer?: VecNormalizerState;
}

/** A saved agent's files, read: config.json, weights.json (text), weights.bin, agent-state.json. */
export interface SavedAgentFiles {
  run: RunConfigFile;
  manifest: string;
  weights: Uint8Array;
  agentState: AgentStateFile;
}

/**
 * {@link loadAgent} of files already read (the browser page gets them from a dropped run folder): a new
 * network of the run's agent with the saved weights, and its normalizer, frozen. `where` (the saved
 * agent's folder) names the files in messages. The run's env must be registered.
 */
export function agentFromFiles(
  files: SavedAgentFiles,
  envKwargs?: MakeOverrides,
  where = "final",
): LoadedAgent {
  const { run } = files;
  if (
    typeof run?.agent !== "string" ||
    typeof run.envId !== "string" ||
    typeof run.config?.net !== "object"
  ) {
    throw new Error(`${RUN_FILES.config} is not a run config (expected agent, envId, config.net)`);
  }
  const agent = agentByName(run.agent);
  spec(run.envId); // an unknown id (a user env not --require'd) fails here with a clear message
  const env = makeAgentVectorEnv(
    {
      ...run.config,
      envId: run.envId,
      envKwargs: { ...run.envKwargs, ...envKwargs },
      encoder: run.config.net.encoder,
    },
    1,
  );
  try {
    const net = agent.network(env, run.config, run.seed);
    try {
      loadCheckpointFiles(files.manifest, files.weights, net.params(), {
        manifestPath: `${where}/${MANIFEST_FILE}`,
        binPath: `${where}/${BINARY_FILE}`,
      });
      net.weightsChanged();
    } catch (err) {
      net.dispose();
      throw err;
    }
    const normalizer = new VecNormalizer({
      observationSize: net.observationSize,
      numEnvs: 1,
      observations: run.config.normalizeObservation,
      rewards: run.config.normalizeReward,
      gamma: run.config.gamma,
    });
    // The statistics only: the running returns of the training envs (kept for resuming) mean nothing
    // to an evaluation env, and their count is the training run's numEnvs.
    const { returns: _trainingReturns, ...statistics } = files.agentState.normalizer ?? {};
    normalizer.setState(statistics);
    normalizer.training = false;
    return { run, net, normalizer };
  } finally {
    env.close();
  }
}
