// MLP or LSTM? PPO without memory, with the last 4 observations, and with an LSTM, on tasks where
// one observation is enough (CartPole-v1) and where it is not (no velocities, noise, T-maze, Minigrid
// Memory). Equal budgets per env; scores are the final agents on 100 held-out episodes.
//   npx pomdp experiment mlp-vs-lstm [--quick] [--seeds N] [--workers N]
import { defineExperiment } from "../src/train/experiment";

export default defineExperiment({
  name: "mlp-vs-lstm",
  question:
    "Does an agent with memory (LSTM) beat memoryless ones (MLP, MLP + 4 stacked frames) where one observation is not enough?",
  agents: [
    { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo"] },
    { id: "framestack", label: "PPO (MLP + FrameStack 4)", args: ["--agent", "ppo", "--frame-stack", "4"] },
    { id: "lstm", label: "PPO (LSTM 64)", args: ["--agent", "ppo", "--lstm", "64"] },
  ],
  envs: [
    { id: "CartPole-v1", label: "CartPole (fully observed)", randomScore: 22, maxScore: 500 },
    { id: "CartPole-NoVel-v1", label: "CartPole, no velocities", randomScore: 22, maxScore: 500 },
    {
      id: "CartPole-Noisy-v1",
      label: "CartPole, no velocities, noisy positions",
      randomScore: 22,
      maxScore: 500,
    },
    { id: "TMaze-v0", label: "T-maze (length 10)", metric: "successRate", randomScore: 0, maxScore: 1 },
  ],
  steps: 300_000,
  seeds: 5,
  compare: [
    ["lstm", "mlp"],
    ["lstm", "framestack"],
    ["framestack", "mlp"],
  ],
  quick: {
    agents: [
      { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo"] },
      { id: "lstm", label: "PPO (LSTM 64)", args: ["--agent", "ppo", "--lstm", "64"] },
    ],
    envs: [{ id: "CartPole-NoVel-v1", label: "CartPole, no velocities", randomScore: 22, maxScore: 500 }],
    steps: 80_000,
    seeds: 3,
    compare: [["lstm", "mlp"]],
    evalEpisodes: 20,
  },
});
