// Memory from pixels: Bakker's T-maze seen from above (PixelTMaze-v0, 20 × 52 grey, length 10), whose
// cue (the goal arm's end lit) is in the first frame only. A CNN on the last 4 frames has lost it 7
// steps before the junction, so it can only guess (≈ 50 % success); a CNN + LSTM can carry it. Each
// agent with its shipped preset (ppo-cnn-pixel-tmaze, ppo-cnn-lstm-pixel-tmaze): one strided CNN torso
// (dqn2013) shared by actor and critic, lr 1e-3. Seed 1 (150k steps, measured alone): the LSTM was above
// 90 % training success from 18k steps (with one relapse to ~55 % at 55k–62k) and scored 100 % on 100
// held-out episodes; FrameStack 4 stayed at 50 % and scored 49 %. 150k steps leaves room for slower
// seeds. A run took 3.5–4 min at one wasm thread on this 2-core machine (busy with another job): the
// grid of 10 runs about 20 min with 2 workers.
//   npx pomdp experiment pixels-memory [--quick] [--seeds N] [--workers N]

import { runExperimentScript } from "../src/cli/experiment";
import { defineExperiment } from "../src/train/experiment";

const PIXEL_TMAZE = {
  id: "PixelTMaze-v0",
  label: "T-maze from 20 × 52 grey frames (length 10)",
  metric: "successRate" as const,
  // A uniformly random policy's success rate (pomdp rollout PixelTMaze-v0 -e 1000).
  randomScore: 0.063,
  maxScore: 1,
  solvedAt: 0.9,
};

const experiment = defineExperiment({
  name: "pixels-memory",
  question:
    "When the cue is in the first frame only, does a CNN + LSTM remember it where a CNN on 4 stacked frames must guess?",
  agents: [
    { id: "framestack", label: "PPO (CNN + FrameStack 4)", args: ["--agent", "ppo", "--net", "cnn"] },
    { id: "lstm", label: "PPO (CNN + LSTM 128)", args: ["--agent", "ppo", "--net", "cnn", "--lstm", "128"] },
  ],
  envs: [PIXEL_TMAZE],
  steps: 150_000,
  seeds: 5,
  compare: [["lstm", "framestack"]],
  quick: {
    // About 5 minutes with one worker: 40k steps, 2 seeds, checking the plumbing. The learning rate
    // anneals over the budget, so 40k is not the 150k run cut short: measured, the LSTM's seed 2 learned
    // at ~30k (20 of 20 held-out episodes) and seed 1 had not yet (50 %); framestack 60 % and 70 %.
    steps: 40_000,
    seeds: 2,
    evalEpisodes: 20,
  },
});
export default experiment;

if (require.main === module) runExperimentScript(experiment, __filename);
