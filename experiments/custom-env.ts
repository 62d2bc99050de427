// An experiment on your own env: PPO without memory (MLP) and with an LSTM on RememberBit-v0, the
// env of experiments/custom_env.ts, loaded into every run with `--require` (the env's `args`).
// The cue is shown at the first step only, so an MLP can but guess (50 % success).
//   npx pomdp experiment experiments/custom-env.ts [--quick] [--seeds N] [--workers N] [--out DIR]

import * as path from "node:path";
import { runExperimentScript } from "../src/cli/experiment";
import { defineExperiment } from "../src/train/experiment";

/** The module that registers RememberBit-v0; absolute, so each `pomdp train` run finds it. */
const CUSTOM_ENV = path.join(__dirname, "custom_env.ts");

const experiment = defineExperiment({
  name: "custom-env",
  question: "Does PPO need memory (an LSTM) to repeat a cue bit it saw 5 steps earlier?",
  agents: [
    { id: "mlp", label: "PPO (MLP)", args: ["--agent", "ppo"] },
    { id: "lstm", label: "PPO (LSTM 32)", args: ["--agent", "ppo", "--lstm", "32"] },
  ],
  envs: [
    {
      id: "RememberBit-v0",
      label: "RememberBit (delay 5)",
      // Every flag `pomdp train` needs for this env: load the module that registers it, set its kwargs.
      args: ["--require", CUSTOM_ENV, "--env-kwargs", '{"delay":5}'],
      metric: "successRate", // return +1 (right) or -1 (wrong): success is a return above 0
      successAbove: 0,
      randomScore: 0.5,
      maxScore: 1,
      solvedAt: 0.95,
    },
  ],
  steps: 100_000,
  seeds: 5,
  compare: [["lstm", "mlp"]],
  evalEpisodes: 100,
  quick: { steps: 40_000, seeds: 2, evalEpisodes: 20 },
});
export default experiment;

if (require.main === module) runExperimentScript(experiment, __filename);
