// Tuned defaults per (agent, env id), as RL Zoo's hyperparameter files: picked automatically by
// `pomdp train`, named in config.json; `--preset none` trains with the plain defaults.
import { findPreset as findPresetIn, type Preset, presetByName as presetIn } from "../src/train/resolve";

export type { Preset };

/** Minigrid Memory maps with a preset, and the budget each gets. */
const MEMORY_SIZES: readonly [number, number][] = [
  [7, 1_000_000],
  [11, 1_000_000],
  [13, 1_000_000],
];

/** CleanRL ppo.py's settings, as both CartPole-Pixels presets use them (500k steps). */
const CARTPOLE_PIXELS_PPO = {
  totalSteps: 500_000,
  numEnvs: 4,
  numSteps: 128,
  learningRate: 2.5e-4,
  annealLr: true,
  numMinibatches: 4,
  updateEpochs: 4,
  clipCoef: 0.2,
  entCoef: 0.01,
} as const;

/** Every preset. */
export const PRESETS: readonly Preset[] = [
  {
    name: "ppo-cartpole",
    agent: "ppo",
    envId: "CartPole-v1",
    memory: "any",
    source:
      "CleanRL ppo.py defaults: 4 envs × 128 steps, lr 2.5e-4 annealed, 4 minibatches × 4 epochs, separate 64-64 tanh actor and critic",
    config: {
      numEnvs: 4,
      numSteps: 128,
      learningRate: 2.5e-4,
      annealLr: true,
      gamma: 0.99,
      gaeLambda: 0.95,
      numMinibatches: 4,
      updateEpochs: 4,
      clipCoef: 0.2,
      entCoef: 0.01,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      adamEps: 1e-5,
      net: { encoder: "mlp", hidden: [64, 64], activation: "tanh", sharedEncoder: false },
    },
  },
  {
    name: "ppo-lstm-cartpole-novel",
    agent: "ppo",
    envId: "CartPole-NoVel-v1",
    memory: "recurrent",
    source:
      "RL Zoo ppo_lstm CartPoleNoVel-v1: 8 envs × 32 steps, 1 minibatch × 20 epochs, lr 1e-3 and clip 0.2 annealed, γ 0.98, λ 0.8, no entropy bonus, VecNormalize, separate actor and critic LSTMs (enable_critic_lstm), unclipped value loss weighted as SB3's (vf 0.5 × mse); a 64-unit tanh layer before each LSTM",
    config: {
      // RL Zoo's n_timesteps: every seed of 1–5 solved it within this budget (experiments/results).
      totalSteps: 100_000,
      numEnvs: 8,
      numSteps: 32,
      learningRate: 1e-3,
      annealLr: true,
      annealClip: true,
      gamma: 0.98,
      gaeLambda: 0.8,
      numMinibatches: 1,
      updateEpochs: 20,
      entCoef: 0,
      clipVloss: false,
      // SB3's value loss is vf_coef · mse; ours is vfCoef · ½·mse, so 1.0 here is SB3's 0.5.
      vfCoef: 1,
      normalizeObservation: true,
      normalizeReward: true,
      net: { encoder: "mlp", hidden: [64], activation: "tanh", sharedEncoder: false },
    },
  },
  {
    name: "ppo-lstm-tmaze",
    agent: "ppo",
    envId: "TMaze-v0",
    memory: "recurrent",
    source:
      "CleanRL ppo.py defaults except: lr 1e-3, one encoder and LSTM shared by actor and critic, forget-gate bias 1 (with CleanRL's bias 0 and separate towers, seed 1 stayed at 50 % success for 150k steps; with these, 100 % from ~60k)",
    config: {
      totalSteps: 200_000,
      learningRate: 1e-3,
      net: { encoder: "mlp", hidden: [64, 64], activation: "tanh", sharedEncoder: true, forgetBias: 1 },
    },
  },
  ...MEMORY_SIZES.map(
    ([size, totalSteps]): Preset => ({
      name: `ppo-minigrid-memory-s${size}`,
      agent: "ppo",
      envId: `MiniGrid-MemoryS${size}-v0`,
      memory: "any",
      source:
        "CleanRL ppo.py defaults (8 envs × 128 steps) except: entropy bonus 0.08 (with 0.01 the policy settles on guessing, 50 % success, before it learns to turn back and look at the cue; with 0.03 one S7 run of five learned, with 0.05 two of three), lr 1e-3, one 64-unit encoder (and LSTM) shared by actor and critic, forget-gate bias 1 (as ppo-lstm-tmaze); the same for memoryless networks so that only memory differs. With LSTM 128 on S7, seeds 1, 2 and 3 reached ≥ 90 % success at 733k, 430k and 667k steps; on S11 and S13 no agent got above 56 % within 500k steps (mlp-vs-lstm, seeds 1–2)",
      config: {
        totalSteps,
        numEnvs: 8,
        learningRate: 1e-3,
        entCoef: 0.08,
        net: { encoder: "mlp", hidden: [64], activation: "tanh", sharedEncoder: true, forgetBias: 1 },
      },
    }),
  ),
  {
    name: "ppo-minigrid-doorkey-5x5",
    agent: "ppo",
    envId: "MiniGrid-DoorKey-5x5-v0",
    memory: "any",
    source:
      "rl-starter-files (Minigrid's PPO baselines) defaults: 16 envs × 128 steps, lr 1e-3 constant, Adam ε 1e-8, batches of 256 (8 minibatches) × 4 epochs, γ 0.99, λ 0.95, entropy 0.01, value loss 0.5 × mse, the gridworld7 CNN on the 7×7×3 view's codes (unscaled) shared by actor and critic, then a 64-unit layer",
    config: {
      totalSteps: 300_000,
      numEnvs: 16,
      numSteps: 128,
      learningRate: 1e-3,
      annealLr: false,
      gamma: 0.99,
      gaeLambda: 0.95,
      numMinibatches: 8,
      updateEpochs: 4,
      clipCoef: 0.2,
      entCoef: 0.01,
      // rl-starter-files' value loss is 0.5 · mse; ours is vfCoef · ½·mse.
      vfCoef: 1,
      maxGradNorm: 0.5,
      adamEps: 1e-8,
      net: { encoder: "cnn", hidden: [64], activation: "tanh", sharedEncoder: true },
    },
  },
  {
    name: "ppo-cnn-cartpole-pixels",
    agent: "ppo",
    envId: "CartPole-Pixels-v1",
    memory: "none",
    source:
      "CleanRL ppo.py's settings (4 envs × 128 steps, lr 2.5e-4 annealed, 4 minibatches × 4 epochs, clip 0.2, entropy 0.01) with ppo_atari.py's network: one CNN torso shared by actor and critic (dqn2013: 16 8×8/4, 32 4×4/2, dense 256) on the last 4 frames of the 48 × 48 bold picture",
    config: {
      ...CARTPOLE_PIXELS_PPO,
      frameStack: 4,
      net: { encoder: "cnn", sharedEncoder: true },
    },
  },
  {
    name: "ppo-cnn-lstm-cartpole-pixels",
    agent: "ppo",
    envId: "CartPole-Pixels-v1",
    memory: "recurrent",
    source:
      "ppo-cnn-cartpole-pixels with one frame and an LSTM of 128 after the shared CNN torso (as CleanRL's ppo_atari_lstm.py: torso, LSTM 128, heads); minibatches of whole env sequences",
    config: {
      ...CARTPOLE_PIXELS_PPO,
      net: { encoder: "cnn", sharedEncoder: true, lstm: 128 },
    },
  },
  {
    name: "ppo-cnn-pixel-tmaze",
    agent: "ppo",
    envId: "PixelTMaze-v0",
    memory: "none",
    source:
      "ppo-lstm-tmaze's settings (CleanRL ppo.py defaults except lr 1e-3) with ppo_atari.py's network: one CNN torso shared by actor and critic (dqn2013: 16 8×8/4, 32 4×4/2, dense 256) on the last 4 frames of the 20 × 52 picture; the cue is in the first frame only, so by the junction (10 steps on) it is out of the stack: the memoryless baseline of ppo-cnn-lstm-pixel-tmaze. Seed 1, 150k steps: 50 % success throughout training, 49 % of 100 held-out episodes (it learns the way to the junction, then guesses)",
    config: {
      totalSteps: 150_000,
      learningRate: 1e-3,
      frameStack: 4,
      net: { encoder: "cnn", sharedEncoder: true },
    },
  },
  {
    name: "ppo-cnn-lstm-pixel-tmaze",
    agent: "ppo",
    envId: "PixelTMaze-v0",
    memory: "recurrent",
    source:
      "ppo-lstm-tmaze (CleanRL ppo.py defaults except lr 1e-3, forget-gate bias 1, one torso and LSTM shared by actor and critic) with the CNN torso of ppo-cnn-pixel-tmaze on one frame and an LSTM of 128 after it (as CleanRL's ppo_atari_lstm.py). Seed 1, 150k steps: ≥ 90 % success over the last 100 training episodes from 18k steps, a relapse to 55–60 % between 55k and 62k, then 97–100 % from 67k; 100 % of 100 held-out episodes at the end (return 4.0, 11 steps)",
    config: {
      totalSteps: 150_000,
      learningRate: 1e-3,
      net: { encoder: "cnn", sharedEncoder: true, lstm: 128, forgetBias: 1 },
    },
  },
  {
    name: "a2c-cartpole",
    agent: "a2c",
    envId: "CartPole-v1",
    memory: "none",
    source:
      "RL Zoo a2c.yml CartPole-v1: 8 envs, no entropy bonus, otherwise SB3's A2C defaults: 5 steps, lr 7e-4 constant, RMSprop (α 0.99, ε 1e-5), γ 0.99, λ 1, vf 0.5, grad clip 0.5, separate 64-64 tanh actor and critic",
    config: {
      numEnvs: 8,
      numSteps: 5,
      learningRate: 7e-4,
      annealLr: false,
      gamma: 0.99,
      gaeLambda: 1,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      rmsPropEps: 1e-5,
      useRmsProp: true,
      normalizeAdvantage: false,
      net: { encoder: "mlp", hidden: [64, 64], activation: "tanh", sharedEncoder: false },
    },
  },
  {
    name: "dqn-cartpole",
    agent: "dqn",
    envId: "CartPole-v1",
    memory: "none",
    source:
      "CleanRL dqn.py defaults: 1 env, 500k steps, Adam lr 2.5e-4, buffer 10k, γ 0.99, hard target copy (τ 1) every 500 steps, batch 128, ε 1 → 0.05 over half the run, learning from 10k steps, a gradient step every 10 steps, mse TD loss, Q-network 120-84 ReLU",
    config: {
      totalSteps: 500_000,
      numEnvs: 1,
      learningRate: 2.5e-4,
      bufferSize: 10_000,
      gamma: 0.99,
      tau: 1,
      targetNetworkFrequency: 500,
      batchSize: 128,
      startE: 1,
      endE: 0.05,
      explorationFraction: 0.5,
      learningStarts: 10_000,
      trainFrequency: 10,
      loss: "mse",
      net: { encoder: "mlp", hidden: [120, 84], activation: "relu" },
    },
  },
  ...(["CartPole-Flicker-v1", "CartPole-NoVel-v1"] as const).map(
    (envId): Preset => ({
      name: envId === "CartPole-Flicker-v1" ? "drqn-cartpole-flicker" : "drqn-cartpole-novel",
      agent: "drqn",
      envId,
      memory: "any",
      source:
        "the flicker experiment's DRQN (experiments/flicker.ts): CleanRL dqn.py defaults except lr 1e-3 and a 64-unit ReLU encoder, LSTM 64, 32 sequences of 8 steps after a burn-in of 4 from the state stored while acting (R2D2), 200k steps; on Flicker p = 0.5 it evaluated at 245 [182, 308] over 5 seeds, on NoVel IQM 130 [81, 217] (5 seeds: 61–254); with lr 2.5e-4 a 100k-step trial reached 82 instead of 252",
      config: {
        totalSteps: 200_000,
        learningRate: 1e-3,
        batchSize: 32,
        sequenceLength: 8,
        burnIn: 4,
        initialState: "stored",
        net: { encoder: "mlp", hidden: [64], activation: "relu", lstm: 64 },
      },
    }),
  ),
];

/**
 * The preset for an agent on an env, for a memoryless or recurrent network: the one `pomdp train`
 * picks when `--preset` is not given (undefined when there is none).
 */
export function findPreset(agent: string, envId: string, recurrent: boolean): Preset | undefined {
  return findPresetIn(PRESETS, agent, envId, recurrent);
}

/** The preset called `name`; an unknown name is an error listing the known ones. */
export function presetByName(name: string): Preset {
  return presetIn(PRESETS, name);
}
