// Evaluation of a trained agent on held-out seeds: episodes of one env, the recurrent state carried
// through each episode and zeroed between them, normalization statistics frozen.

import type { MakeOverrides } from "../src/core";
import { deriveSeed, Rng } from "../src/core/rng";
import { makeAgentVectorEnv } from "./env_setup";
import type { LoadedAgent } from "./index";

/** Options of {@link evaluateAgent}. */
export interface EvaluateOptions {
  /** Number of episodes. */
  episodes: number;
  /** Evaluation seed: env seeds and action sampling derive from it, never from the run's training seeds. */
  seed: number;
  /** Take the most probable action instead of sampling. */
  greedy: boolean;
  /** `make` keyword arguments over the run's (e.g. another flicker rate). */
  envKwargs?: MakeOverrides;
}

/** What `pomdp eval` reports. */
export interface EvaluationResult {
  episodes: number;
  returnMean: number;
  returnStd: number;
  lengthMean: number;
  lengthStd: number;
  returns: number[];
  greedy: boolean;
  seed: number;
  envId: string;
  envKwargs: MakeOverrides;
}

/** Runs `episodes` episodes of the agent's env and reports mean and std of return and length. */
export function evaluateAgent(agent: LoadedAgent, options: EvaluateOptions): EvaluationResult {
  const { run, net, normalizer } = agent;
  const envKwargs = { ...run.envKwargs, ...options.envKwargs };
  const env = makeAgentVectorEnv(
    { ...run.config, envId: run.envId, envKwargs, encoder: run.config.net.encoder },
    1,
  );
  const rng = new Rng(deriveSeed(options.seed, "eval/actions"));
  const returns: number[] = [];
  const lengths: number[] = [];
  try {
    let obs = normalizer.observations(
      env.reset({ seed: deriveSeed(options.seed, "eval/env") }).observations,
      1,
    );
    const state = net.initialState(1);
    const starts = Uint8Array.of(1);
    let episodeReturn = 0;
    let episodeLength = 0;
    while (returns.length < options.episodes) {
      const { actions } = net.act(obs, 1, rng, state, starts, options.greedy);
      const step = env.step(actions);
      episodeReturn += step.rewards[0];
      episodeLength += 1;
      starts[0] = step.terminated[0] || step.truncated[0] ? 1 : 0;
      if (starts[0]) {
        returns.push(episodeReturn);
        lengths.push(episodeLength);
        episodeReturn = 0;
        episodeLength = 0;
      }
      obs = normalizer.observations(step.observations, 1);
    }
  } finally {
    env.close();
  }
  return {
    episodes: options.episodes,
    ...meanStd("return", returns),
    ...meanStd("length", lengths),
    returns,
    greedy: options.greedy,
    seed: options.seed,
    envId: run.envId,
    envKwargs,
  } as EvaluationResult;
}

function meanStd(name: string, xs: number[]): Record<string, number> {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { [`${name}Mean`]: mean, [`${name}Std`]: std };
}
