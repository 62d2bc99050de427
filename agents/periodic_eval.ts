// Periodic evaluation while training (SB3's EvalCallback): every `evalEvery` env steps the training
// loop plays the run's held-out episodes with the current agent, writes a `type: "eval"` line and
// keeps the agent with the best mean return so far in `best/`.
import { deriveSeed } from "../src/core/rng";
import type { VecNormalizer } from "../src/train/normalize";
import type { EvalMetric } from "../src/train/run_folder";
import type { EnvWrapperConfig, EvalConfig } from "./configs";
import type { EnvSetup } from "./env_setup";
import { playEpisodes, summarizeEpisodes } from "./evaluate";
import type { AgentNetwork } from "./tower";

/** What the training loop needs to evaluate the agent it trains. */
export interface PeriodicEvaluation {
  /** Env steps between evaluations (> 0). */
  every: number;
  episodes: number;
  greedy: boolean;
  /** The env as the agent sees it (its wrappers), made afresh for each evaluation. */
  setup: EnvSetup;
  /** The network being trained. */
  net: AgentNetwork;
  /** Root of the evaluation's env seeds and actions: the run seed's "eval/periodic" branch. */
  seed: number;
  /** DQN: the ε to act with while evaluating (its final ε), the training's ε restored afterwards. */
  epsilon?: number;
}

/** A run's {@link PeriodicEvaluation}, or undefined when its config's evalEvery is 0. */
export function periodicEvaluation(
  config: EvalConfig & EnvWrapperConfig & { net: { encoder: "mlp" | "cnn" } },
  ctx: { envId: string; envKwargs?: Record<string, unknown>; seed: number },
  net: AgentNetwork,
  epsilon?: number,
): PeriodicEvaluation | undefined {
  if (config.evalEvery === 0) return undefined;
  return {
    every: config.evalEvery,
    episodes: config.evalEpisodes,
    greedy: config.evalGreedy,
    setup: {
      envId: ctx.envId,
      envKwargs: ctx.envKwargs,
      encoder: config.net.encoder,
      frameStack: config.frameStack,
      previousAction: config.previousAction,
    },
    net,
    seed: deriveSeed(ctx.seed, "eval/periodic"),
    epsilon,
  };
}

/** The first multiple of `every` after `step`: when the next evaluation is due. */
export function nextEvaluationStep(step: number, every: number): number {
  return (Math.floor(step / every) + 1) * every;
}

/** Plays the evaluation's episodes with the network as it is now; the metrics line of the result. */
export function evaluateNow(e: PeriodicEvaluation, normalizer: VecNormalizer, step: number): EvalMetric {
  const started = performance.now();
  const q = e.net as { epsilon?: number };
  const trainingEpsilon = q.epsilon;
  if (e.epsilon !== undefined) q.epsilon = e.epsilon;
  try {
    const played = playEpisodes(e.net, normalizer, e.setup, {
      episodes: e.episodes,
      seed: e.seed,
      greedy: e.greedy,
    });
    const { returnMean, returnStd, lengthMean, successRate } = summarizeEpisodes(e.setup.envId, played);
    return {
      type: "eval",
      step,
      episodes: e.episodes,
      greedy: e.greedy,
      returnMean,
      returnStd,
      lengthMean,
      ...(successRate === undefined ? {} : { successRate }),
      seconds: Math.round(performance.now() - started) / 1000,
    };
  } finally {
    if (e.epsilon !== undefined) q.epsilon = trainingEpsilon;
  }
}
