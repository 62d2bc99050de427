// Does PPO learn MiniGrid-DoorKey-5x5 from the agent's 7×7×3 view? With the gridworld7 CNN (conv,
// max-pool, 2 convs) as in Minigrid's PPO baselines (rl-starter-files, which solve it within ~100k–300k
// steps), and with an MLP on the same view for comparison. The preset ppo-minigrid-doorkey-5x5 sets
// everything else; "solved" is a mean return of 0.9 over the last 100 training episodes.
//   npx pomdp experiment doorkey-cnn [--quick] [--seeds N] [--workers N]

import { runExperimentScript } from "../src/cli/experiment";
import { defineExperiment, type ExperimentAgent } from "../src/train/experiment";

const CNN: ExperimentAgent = { id: "cnn", label: "PPO (CNN)", args: ["--agent", "ppo", "--net", "cnn"] };

const experiment = defineExperiment({
  name: "doorkey-cnn",
  question:
    "Does PPO with a CNN on the 7×7×3 view reach a mean return of 0.9 on MiniGrid-DoorKey-5x5 within 300k steps, and does the CNN matter (vs an MLP on the same view)?",
  agents: [CNN, { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo", "--net", "mlp"] }],
  envs: [
    {
      id: "MiniGrid-DoorKey-5x5-v0",
      label: "DoorKey-5x5 (7×7×3 view)",
      // A uniformly random policy: mean return 0.03 over 1000 episodes (`pomdp rollout -e 1000`).
      randomScore: 0.03,
      maxScore: 1,
      solvedAt: 0.9,
    },
  ],
  steps: 300_000,
  seeds: 5,
  compare: [["cnn", "mlp"]],
  quick: {
    agents: [CNN],
    steps: 100_000,
    seeds: 2,
    compare: [],
  },
});
export default experiment;

if (require.main === module) runExperimentScript(experiment, __filename);
