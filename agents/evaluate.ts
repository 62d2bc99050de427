// Evaluation of an agent on held-out seeds: episodes of one env, the recurrent state carried through
// each episode and zeroed between them, normalization statistics frozen. `pomdp eval` evaluates a
// finished run's agent; the training loop evaluates the agent it trains every `evalEvery` steps
// (SB3's EvalCallback), on the same held-out episodes each time.

import { type MakeOverrides, spec as registeredSpec } from "../src/core";
import { deriveSeed, Rng } from "../src/core/rng";
import type { VecNormalizer } from "../src/train/normalize";
import { type EnvSetup, makeAgentVectorEnv } from "./env_setup";
import type { LoadedAgent } from "./index";
import type { AgentNetwork } from "./tower";

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
  /** Share of episodes whose return is above the env's declared `successAbove` (absent when it declares none). */
  successRate?: number;
  /** The env's `successAbove` behind `successRate`. */
  successAbove?: number;
  returns: number[];
  greedy: boolean;
  seed: number;
  envId: string;
  envKwargs: MakeOverrides;
}

/** Returns and lengths of the episodes an evaluation played. */
export interface Episodes {
  returns: number[];
  lengths: number[];
}

/**
 * Plays `episodes` episodes of the env `setup` describes with one env, acting with `net` (its state
 * zeroed at each episode's start) on observations normalized by `normalizer`'s statistics without
 * updating them. Env seeds and the action stream derive from `seed` alone, so the same seed plays the
 * same episodes whatever the training did.
 */
export function playEpisodes(
  net: AgentNetwork,
  normalizer: Pick<VecNormalizer, "normalize">,
  setup: EnvSetup,
  options: { episodes: number; seed: number; greedy: boolean },
): Episodes {
  const env = makeAgentVectorEnv(setup, 1);
  const rng = new Rng(deriveSeed(options.seed, "eval/actions"));
  const returns: number[] = [];
  const lengths: number[] = [];
  try {
    let obs = normalizer.normalize(env.reset({ seed: deriveSeed(options.seed, "eval/env") }).observations, 1);
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
      obs = normalizer.normalize(step.observations, 1);
    }
  } finally {
    env.close();
  }
  return { returns, lengths };
}

/** Mean and population std of returns and lengths, and the success rate where the env declares success. */
export function summarizeEpisodes(
  envId: string,
  { returns, lengths }: Episodes,
): Pick<
  EvaluationResult,
  "returnMean" | "returnStd" | "lengthMean" | "lengthStd" | "successRate" | "successAbove"
> {
  const [returnMean, returnStd] = meanStd(returns);
  const [lengthMean, lengthStd] = meanStd(lengths);
  const successAbove = registeredSpec(envId).successAbove;
  return {
    returnMean,
    returnStd,
    lengthMean,
    lengthStd,
    ...(successAbove === undefined
      ? {}
      : { successRate: returns.filter((r) => r > successAbove).length / returns.length, successAbove }),
  };
}

/** Runs `episodes` episodes of the agent's env and reports mean and std of return and length. */
export function evaluateAgent(agent: LoadedAgent, options: EvaluateOptions): EvaluationResult {
  const { run, net, normalizer } = agent;
  const envKwargs = { ...run.envKwargs, ...options.envKwargs };
  const played = playEpisodes(
    net,
    normalizer,
    { ...run.config, envId: run.envId, envKwargs, encoder: run.config.net.encoder },
    options,
  );
  return {
    episodes: options.episodes,
    ...summarizeEpisodes(run.envId, played),
    returns: played.returns,
    greedy: options.greedy,
    seed: options.seed,
    envId: run.envId,
    envKwargs,
  };
}

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return [mean, std];
}
