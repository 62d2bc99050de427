// The built-in agents as a run's config resolution (src/train/resolve.ts) needs them: each agent's
// schema and cross-field checks, the presets, and how to read a pretrained encoder's folder and a
// run's checkpoint. It loads no TF.js — only the fit of a pretrained encoder to the env and the
// checkpoint of a resumed run load the networks' modules — so a bad config is refused at once.

import { registerBuiltinEnvs } from "../envs";
import type { Box } from "../src/core";
import type { JsonObject } from "../src/train/config";
import type { AgentCatalog, AgentConfigDefinition } from "../src/train/resolve";
import {
  A2cConfigSchema,
  checkAuxConfig,
  DqnConfigSchema,
  DrqnConfigSchema,
  PpoConfigSchema,
} from "./configs";
import type { AuxNetConfig } from "./net_config";
import { autoencoderSettings } from "./net_config";
import { PRESETS } from "./presets";
import { checkPretrainedFits, readPretrainedAutoencoder } from "./pretrained";

// Runs are resolved against the built-in envs without importing the library entry first.
registerBuiltinEnvs();

/** The checks across the `net` fields (autoencoder, pretrained and frozen encoders) of agent `name`. */
function netChecks(name: string): (config: JsonObject) => void {
  return (config) => checkAuxConfig(config.net as AuxNetConfig, name);
}

/** The agents `pomdp train --agent <name>` knows, as config resolution sees them. */
export const AGENT_CONFIGS = {
  ppo: {
    name: "ppo",
    description:
      "PPO (CleanRL's ppo.py); recurrent PPO with a memory core: net.memory rnn|gru|lstm, or net.lstm > 0 (CleanRL's ppo_atari_lstm.py)",
    schema: PpoConfigSchema,
    check: netChecks("ppo"),
  },
  a2c: {
    name: "a2c",
    description:
      "A2C (Stable-Baselines3's A2C: RMSprop, n-step returns); recurrent A2C with a memory core (net.memory, or net.lstm > 0)",
    schema: A2cConfigSchema,
    check: netChecks("a2c"),
  },
  dqn: {
    name: "dqn",
    description:
      "DQN (CleanRL's dqn.py: replay, target network, ε-greedy); Double DQN with double=true; DRQN with a memory core (net.memory, or net.lstm > 0)",
    schema: DqnConfigSchema,
    check: netChecks("dqn"),
  },
  drqn: {
    name: "drqn",
    description:
      "DRQN (Hausknecht & Stone 2015): DQN with a memory core (an LSTM of 64 by default; net.lstm, or net.memory with net.memorySize) on replayed sequences of one episode",
    schema: DrqnConfigSchema,
    check: netChecks("drqn"),
  },
} as const satisfies Record<string, AgentConfigDefinition>;

/** The built-in agents, their presets, pretrained encoders and checkpoints: `resolveRunConfig(request, AGENT_CATALOG)`. */
export const AGENT_CATALOG: AgentCatalog = {
  agents: Object.values(AGENT_CONFIGS),
  presets: PRESETS,
  pretrainedEncoder: {
    encoderFields: (dir, what) => {
      const meta = readPretrainedAutoencoder(dir, what);
      return { hidden: meta.hidden, latentNorm: meta.latentNorm ?? false };
    },
    async checkFits(dir, what, run) {
      const meta = readPretrainedAutoencoder(dir, what);
      // The observations as the agent sees them: the env with the config's wrappers.
      const { makeAgentEnv } = await import("./env_setup");
      const env = makeAgentEnv({
        envId: run.envId,
        envKwargs: run.envKwargs,
        encoder: "cnn",
        frameStack: run.config.frameStack as number,
        previousAction: run.config.previousAction as boolean,
      });
      try {
        const space = env.observationSpace as Box;
        const net = run.config.net as { hidden: number[] } & Parameters<typeof autoencoderSettings>[0];
        checkPretrainedFits(meta, space.shape, space.dtype === "uint8", net.hidden, dir, what, {
          latentNorm: autoencoderSettings(net).latentNorm,
        });
      } finally {
        env.close?.();
      }
    },
  },
  async readCheckpoint(runDir) {
    const { readTrainCheckpoint } = await import("./train_checkpoint");
    return readTrainCheckpoint(runDir);
  },
};
