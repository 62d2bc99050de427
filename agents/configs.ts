// The agents' configs: each agent's schema (fields, defaults, ranges; zod), the fields the agents
// share, and the checks across fields that a schema cannot make. The `net` schemas are in
// net_config.ts. Nothing here loads TF.js, so that a run's config is resolved and refused
// (src/train/resolve.ts, through agents/catalog.ts) before the networks load; each agent's file
// re-exports its own schema.
import { z } from "zod";
import { ConfigError } from "../src/train/config";
import { AUX_DEFAULTS, type AuxNetConfig, DrqnNetSchema, NetSchema, QNetSchema } from "./net_config";

/** The observation wrappers' fields of every agent's config (spread into each schema). */
export const ENV_WRAPPER_FIELDS = {
  /** Stack the last k observations (0 or 1: none). */
  frameStack: z.number().int().min(0).default(0),
  /** Append the previous action (one-hot) and reward to each observation (POPGym style). */
  previousAction: z.boolean().default(false),
};

/** The validated {@link ENV_WRAPPER_FIELDS}. */
export type EnvWrapperConfig = {
  [K in keyof typeof ENV_WRAPPER_FIELDS]: z.output<(typeof ENV_WRAPPER_FIELDS)[K]>;
};

/**
 * Periodic evaluation while training, as SB3's EvalCallback: every agent's config has these. The same
 * held-out episodes (env seeds from the run seed's own "eval/periodic" branch, never a training env's)
 * are played each time; the results are metrics.jsonl's `type: "eval"` lines, and the agent that
 * scored the best mean return is kept in the run's `best/` beside `final/`. Evaluating draws nothing
 * from the training's random streams, so it does not change what the run trains.
 */
export const EVAL_FIELDS = {
  /**
   * Evaluate every this many env steps, all envs counted (at the first update reaching each multiple,
   * and at the end of the run); 0: never.
   */
  evalEvery: z.number().int().min(0).default(0),
  /** Episodes per evaluation. */
  evalEpisodes: z.number().int().positive().default(10),
  /**
   * Act greedily (the likeliest action; DQN: ε = 0) instead of as the policy does (sampling; DQN:
   * ε-greedy with endE) — `pomdp eval`'s default is sampling too, so the final and periodic scores agree.
   */
  evalGreedy: z.boolean().default(false),
};

/** The validated {@link EVAL_FIELDS}. */
export type EvalConfig = { [K in keyof typeof EVAL_FIELDS]: z.output<(typeof EVAL_FIELDS)[K]> };

/** Config fields of every agent of the PPO family about observations and the network (spread into each schema). */
export const ACTOR_CRITIC_FIELDS = {
  /** The network. */
  net: NetSchema.default({}),
  /** Normalize observations with running statistics (SB3's VecNormalize). */
  normalizeObservation: z.boolean().default(false),
  /** Scale rewards by the running std of the discounted return (SB3's VecNormalize). */
  normalizeReward: z.boolean().default(false),
  ...ENV_WRAPPER_FIELDS,
  ...EVAL_FIELDS,
};

/** PPO's config: CleanRL's `ppo.py` arguments in camelCase, with its defaults. */
export const PpoConfigSchema = z
  .object({
    /** Env steps to train for, all envs counted. */
    totalSteps: z.number().int().positive().default(500_000),
    /** Envs stepped in parallel (one vector env). */
    numEnvs: z.number().int().positive().default(4),
    /** Steps per env per rollout; a rollout is numEnvs × numSteps transitions. */
    numSteps: z.number().int().positive().default(128),
    /** Adam's step size (annealed linearly to 0 when annealLr). */
    learningRate: z.number().positive().default(2.5e-4),
    /** Anneal the learning rate linearly to 0 over the run. */
    annealLr: z.boolean().default(true),
    /** Discount. */
    gamma: z.number().min(0).max(1).default(0.99),
    /** GAE's λ. */
    gaeLambda: z.number().min(0).max(1).default(0.95),
    /** Minibatches per epoch (recurrent: groups of whole envs, so numEnvs must divide by it). */
    numMinibatches: z.number().int().positive().default(4),
    /** Passes over each rollout. */
    updateEpochs: z.number().int().positive().default(4),
    /** Normalize advantages per minibatch. */
    normAdv: z.boolean().default(true),
    /** Surrogate clipping ε (and the value clip when clipVloss). */
    clipCoef: z.number().positive().default(0.2),
    /**
     * Anneal the surrogate's clip linearly to 0 with the learning rate (SB3's `lin_0.2` clip range);
     * the value clip stays clipCoef (CleanRL clips the value with clip_coef; SB3 schedules its
     * clip_range_vf apart from clip_range).
     */
    annealClip: z.boolean().default(false),
    /** Clip the value loss around the rollout's values, as CleanRL. */
    clipVloss: z.boolean().default(true),
    /** Entropy bonus weight (at the start of the run when entCoefEnd is set). */
    entCoef: z.number().min(0).default(0.01),
    /**
     * The entropy bonus weight at the end of the run, reached linearly from entCoef over the updates
     * (an entropy schedule: explore widely first, then settle); null keeps entCoef throughout.
     */
    entCoefEnd: z.number().min(0).nullable().default(null),
    /** Value loss weight. */
    vfCoef: z.number().min(0).default(0.5),
    /** Global gradient-norm clip. */
    maxGradNorm: z.number().positive().default(0.5),
    /** Stop an update's epochs early when the approximate KL exceeds this (null: never). */
    targetKl: z.number().positive().nullable().default(null),
    /** Adam's ε (CleanRL: 1e-5). */
    adamEps: z.number().positive().default(1e-5),
    ...ACTOR_CRITIC_FIELDS,
  })
  .strict();

/** A validated PPO config. */
export type PpoConfig = z.infer<typeof PpoConfigSchema>;

/** A2C's config: SB3's `A2C` arguments in camelCase, with its defaults (numEnvs: RL Zoo's CartPole). */
export const A2cConfigSchema = z
  .object({
    /** Env steps to train for, all envs counted. */
    totalSteps: z.number().int().positive().default(500_000),
    /** Envs stepped in parallel (one vector env); RL Zoo's CartPole setting (SB3's own default is 1). */
    numEnvs: z.number().int().positive().default(8),
    /** Steps per env per rollout (SB3's n_steps); one update per numEnvs × numSteps transitions. */
    numSteps: z.number().int().positive().default(5),
    /** The optimiser's step size (annealed linearly to 0 when annealLr). */
    learningRate: z.number().positive().default(7e-4),
    /** Anneal the learning rate linearly to 0 over the run (SB3: a `lin_7e-4` schedule). */
    annealLr: z.boolean().default(false),
    /** Discount. */
    gamma: z.number().min(0).max(1).default(0.99),
    /** GAE's λ; 1 = n-step returns bootstrapped from the value after the rollout (SB3's default). */
    gaeLambda: z.number().min(0).max(1).default(1),
    /** Entropy bonus weight. */
    entCoef: z.number().min(0).default(0),
    /** Value loss weight. */
    vfCoef: z.number().min(0).default(0.5),
    /** Global gradient-norm clip. */
    maxGradNorm: z.number().positive().default(0.5),
    /** RMSprop's ε (added to the root of the squared-gradient average; also Adam's ε when !useRmsProp). */
    rmsPropEps: z.number().positive().default(1e-5),
    /** RMSprop (α 0.99, PyTorch's formulation, as SB3); false = Adam. */
    useRmsProp: z.boolean().default(true),
    /** Normalize advantages over the rollout. */
    normalizeAdvantage: z.boolean().default(false),
    ...ACTOR_CRITIC_FIELDS,
  })
  .strict();

/** A validated A2C config. */
export type A2cConfig = z.infer<typeof A2cConfigSchema>;

/** DQN's config: CleanRL's `dqn.py` arguments in camelCase, with its defaults. */
export const DqnConfigSchema = z
  .object({
    /** Env steps to train for, all envs counted. */
    totalSteps: z.number().int().positive().default(500_000),
    /** Envs stepped in parallel (one vector env); CleanRL's dqn.py runs one. */
    numEnvs: z.number().int().positive().default(1),
    /** Adam's step size. */
    learningRate: z.number().positive().default(2.5e-4),
    /** Transitions the replay buffer holds (all envs together). */
    bufferSize: z.number().int().positive().default(10_000),
    /** Discount. */
    gamma: z.number().min(0).max(1).default(0.99),
    /** Target network update rate: 1 = hard copy, < 1 = Polyak averaging θ' ← τθ + (1 − τ)θ'. */
    tau: z.number().gt(0).max(1).default(1),
    /** Env steps between target network updates. */
    targetNetworkFrequency: z.number().int().positive().default(500),
    /** Transitions per minibatch (DRQN: sequences per minibatch). */
    batchSize: z.number().int().positive().default(128),
    /** ε at the start of the schedule. */
    startE: z.number().min(0).max(1).default(1),
    /** ε at its end, and the ε of `pomdp eval` without --greedy (CleanRL's dqn_eval). */
    endE: z.number().min(0).max(1).default(0.05),
    /** Fraction of totalSteps over which ε falls linearly from startE to endE. */
    explorationFraction: z.number().gt(0).max(1).default(0.5),
    /** Env steps before the first gradient step (the buffer fills with ε-greedy transitions). */
    learningStarts: z.number().int().min(0).default(10_000),
    /** Env steps between gradient steps. */
    trainFrequency: z.number().int().positive().default(10),
    /** Double DQN: the online network picks the next action, the target network values it. */
    double: z.boolean().default(false),
    /** TD loss: mean squared error (CleanRL's dqn.py) or Huber with δ = 1 (Nature DQN, SB3). */
    loss: z.enum(["mse", "huber"]).default("mse"),
    /** Global gradient-norm clip (null: none, as CleanRL's dqn.py; SB3's DQN: 10). */
    maxGradNorm: z.number().positive().nullable().default(null),
    /** Adam's ε (PyTorch's default 1e-8, as CleanRL's dqn.py). */
    adamEps: z.number().positive().default(1e-8),
    /** DRQN: steps per replayed sequence (the steps that are trained on). */
    sequenceLength: z.number().int().positive().default(8),
    /** DRQN: steps replayed before each sequence only to warm its LSTM state up (R2D2's burn-in). */
    burnIn: z.number().int().min(0).default(0),
    /**
     * DRQN: where a replayed sequence's LSTM state starts: `zero` (DRQN's bootstrapped random
     * updates) or `stored`, the state the env acted with at the first replayed step (R2D2).
     */
    initialState: z.enum(["zero", "stored"]).default("zero"),
    /** Env steps per metrics update line (means of its gradient steps) and per checkpoint unit. */
    logEvery: z.number().int().positive().default(1000),
    /** The Q-network (CleanRL's dqn.py QNetwork by default: 120-84 ReLU, then a linear Q head). */
    net: QNetSchema.default({}),
    ...ENV_WRAPPER_FIELDS,
    ...EVAL_FIELDS,
  })
  .strict();

/** A validated DQN config. */
export type DqnConfig = z.infer<typeof DqnConfigSchema>;

/** DRQN's config: DQN's with a memory core (default an LSTM of 64 units) and minibatches of 32 sequences by default (`--agent drqn`). */
export const DrqnConfigSchema = DqnConfigSchema.extend({
  /** Sequences per minibatch (DRQN's paper: 32), each of sequenceLength steps. */
  batchSize: z.number().int().positive().default(32),
  /** The Q-network: DQN's with a memory core (default an LSTM of 64: net.lstm; or net.memory with net.memorySize). */
  net: DrqnNetSchema.default({}),
});

/**
 * The checks the schema cannot make, across fields: an autoencoder, a pretrained or a frozen encoder
 * needs a CNN encoder, and auxDetach needs the decoder. Throws a {@link ConfigError} naming the field.
 */
export function checkAuxConfig(net: AuxNetConfig, agent: string): void {
  const fail = (field: string, why: string) =>
    new ConfigError(`${agent} config: field "net.${field}": ${why}`);
  const aux = net.aux ?? AUX_DEFAULTS.aux;
  if (net.encoder !== "cnn") {
    const needsCnn = `needs net.encoder "cnn" (--net cnn: it acts on a CNN encoder of images), got "${net.encoder}"`;
    if (aux !== "none") throw fail("aux", `"${aux}" ${needsCnn}`);
    if (net.encoderFrom !== undefined) throw fail("encoderFrom", needsCnn);
    if (net.freezeEncoder) throw fail("freezeEncoder", needsCnn);
  }
  if (net.auxDetach && aux !== "ae") {
    throw fail(
      "auxDetach",
      `true needs net.aux "ae" (--aux ae): without a decoder a detached encoder learns nothing (for that, use net.freezeEncoder), got net.aux "${aux}"`,
    );
  }
  if (net.latentNorm && net.encoder !== "cnn")
    throw fail("latentNorm", `true needs net.encoder "cnn" (it ends a CNN encoder), got "${net.encoder}"`);
  for (const field of [
    "aeOptimizer",
    "aeLearningRate",
    "latentPenalty",
    "decoderWeightDecay",
    "reconTarget",
  ] as const) {
    if (net[field] !== undefined && aux !== "ae")
      throw fail(
        field,
        `${JSON.stringify(net[field])} needs net.aux "ae" (--aux ae: it trains the decoder), got net.aux "${aux}"`,
      );
  }
  if (net.detachActor) {
    if (agent === "dqn" || agent === "drqn")
      throw fail("detachActor", `true is for actor-critic agents (ppo, a2c); ${agent} has no actor`);
    if (net.sharedEncoder === false)
      throw fail(
        "detachActor",
        "true needs net.sharedEncoder true (it detaches the actor from the encoder the critic shares); with separate towers the actor's encoder would learn nothing",
      );
  }
}
