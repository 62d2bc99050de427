// The vector env an agent trains on (`make` per sub-env, then the observation wrappers its config asks
// for) and the networks built for it: the set-up every agent starts from.

import { registerBuiltinEnvs } from "../envs";
import { ImageOnly, OneHotPartialView } from "../envs/gridworld";
import {
  Box,
  Dict,
  Discrete,
  type Env,
  type MakeOverrides,
  make,
  SyncVectorEnv,
  type VectorEnv,
} from "../src/core";
import { FrameStack, PreviousAction } from "../src/wrappers";
import { ActorCritic } from "./actor_critic";
import { type PretrainableNet, startFromPretrained } from "./autoencoder";
import type { EnvWrapperConfig } from "./configs";
import type { NetSpec } from "./net_config";
import { QNetwork } from "./q_network";
import type { NetworkArgs } from "./tower";
import type { TrainContext } from "./training_loop";

// Agents train on the built-in envs without importing the library entry first.
registerBuiltinEnvs();

// The wrapper fields of the config (ENV_WRAPPER_FIELDS) are in configs.ts, which loads without TF.js.
export type { EnvWrapperConfig } from "./configs";

/** The env part of an agent's config. */
export interface EnvSetup extends EnvWrapperConfig {
  /** Registered env id. */
  envId: string;
  /** Keyword arguments for `make` (e.g. `{ flickerProb: 0.2 }`). */
  envKwargs?: MakeOverrides;
  /** `mlp` flattens observations (gridworld views become one-hot); `cnn` keeps images. */
  encoder: "mlp" | "cnn";
}

/** One wrapped sub-env, as the agent sees it. */
// biome-ignore lint/suspicious/noExplicitAny: envs of any observation type go through here
export function makeAgentEnv(setup: EnvSetup): Env<any, number> {
  // biome-ignore lint/suspicious/noExplicitAny: narrowed by the checks below
  let env: Env<any, number> = make(setup.envId, setup.envKwargs ?? {});
  if (!(env.actionSpace instanceof Discrete)) {
    throw new Error(`${setup.envId}: the PPO family needs a Discrete action space, got ${env.actionSpace}`);
  }
  const space = env.observationSpace;
  if (space instanceof Dict && "image" in space.spaces) {
    // Gridworlds: the CNN reads the 7×7×3 image; an MLP reads its one-hot encoding.
    env = setup.encoder === "cnn" ? new ImageOnly(env) : new OneHotPartialView(env);
  } else if (!(space instanceof Box)) {
    throw new Error(`${setup.envId}: observations must be a Box (or a gridworld view), got ${space}`);
  }
  if (setup.previousAction) env = new PreviousAction(env);
  if (setup.frameStack > 1) env = new FrameStack(env, setup.frameStack);
  return env;
}

/** `numEnvs` wrapped copies as a synchronous vector env. */
export function makeAgentVectorEnv(setup: EnvSetup, numEnvs: number): VectorEnv {
  return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => makeAgentEnv(setup)));
}

/**
 * A network's arguments for the (wrapped) observations and actions of `env`: `mlp` reads observations
 * flattened, `cnn` as images; byte observations are scaled inside the network.
 */
function networkArgsFor(env: VectorEnv, net: NetSpec, seed: number): NetworkArgs {
  const space = env.singleObservationSpace;
  return {
    observationShape: net.encoder === "mlp" ? [space.size] : [...space.shape],
    observationBytes: space.dtype === "uint8",
    numActions: (env.singleActionSpace as Discrete).n,
    net,
    seed,
  };
}

/** The actor-critic (PPO, A2C) for the observations and actions of `env`. */
export function actorCriticFor(env: VectorEnv, net: NetSpec, seed: number): ActorCritic {
  return new ActorCritic(networkArgsFor(env, net, seed));
}

/** The Q-network (DQN, DRQN) for the observations and actions of `env`. */
export function qNetworkFor(env: VectorEnv, net: NetSpec, seed: number): QNetwork {
  return new QNetwork(networkArgsFor(env, net, seed));
}

/**
 * The vector env of a run (its wrappers from `config`) and the networks `build` makes for it, the
 * first of which a new run with net.encoderFrom starts from that pretrained autoencoder. Each network
 * seeds its blocks from the run's seed tree ("init/…"). If anything fails, what was made is freed.
 */
export function setUpEnvAndNetworks<N extends PretrainableNet & { dispose(): void }>(
  config: EnvWrapperConfig & { numEnvs: number; net: { encoder: "mlp" | "cnn"; encoderFrom?: string } },
  ctx: TrainContext,
  build: (env: VectorEnv) => N[],
): { env: VectorEnv; nets: N[] } {
  const env = makeAgentVectorEnv(
    {
      frameStack: config.frameStack,
      previousAction: config.previousAction,
      envId: ctx.envId,
      envKwargs: ctx.envKwargs,
      encoder: config.net.encoder,
    },
    config.numEnvs,
  );
  let nets: N[];
  try {
    nets = build(env);
  } catch (err) {
    env.close();
    throw err;
  }
  startFromPretrained(nets[0], config.net.encoderFrom, ctx.resume, () => {
    for (const net of nets) net.dispose();
    env.close();
  });
  return { env, nets };
}
