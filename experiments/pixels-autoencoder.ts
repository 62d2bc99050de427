// Does an autoencoder help an agent that sees pixels? The lecture's two ways of training one beside
// RL: PPO with a plain CNN, with the CNN plus an online reconstruction loss (--aux ae, as SAC-AE and
// UNREAL), and with the CNN started from an autoencoder pretrained offline on a random agent's frames
// (pomdp pretrain-ae), frozen or fine-tuned; on CartPole from 64 × 64 grey frames and on DoorKey-5x5
// seen as 84 × 84 RGB views (experiments/rgb_gridworld.ts). Equal budgets per env.
//   npx ts-node experiments/pixels-autoencoder.ts [--quick] [--seeds N] [--workers N]
//        pretrains one autoencoder per env (seed 1, 50k frames; skipped when its folder exists), then
//        runs the grid, scores and report; its reconstructions.png sits beside the scores
//   npx pomdp experiment pixels-autoencoder [--quick]   the grid alone, once the autoencoders exist
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExperimentScriptArgs, runExperimentAndReport } from "../src/cli/experiment";
import {
  defineExperiment,
  type ExperimentEnv,
  LocalProcessExecutor,
  resolveSpec,
} from "../src/train/experiment";

/** The latent width of every encoder: the CNN's dense layer (the pretrained ones are made with it). */
const LATENT = 64;

/** Where the pretrained autoencoder of an env is kept (the full and quick versions share it). */
export function pretrainedDir(envId: string, quick = false): string {
  return path.join(__dirname, "results", "pixels-autoencoder-pretrained", `${envId}${quick ? "-quick" : ""}`);
}

/** PPO with a shared CNN encoder (as CleanRL's Atari PPO) and one dense layer of LATENT units. */
const PPO_CNN = [
  "--agent",
  "ppo",
  "--net",
  "cnn",
  "--set",
  "net.sharedEncoder=true",
  "--set",
  `net.hidden=[${LATENT}]`,
];

/** An env of the experiment, its pretrained-encoder agents pointed at its own autoencoder. */
function pixelEnv(env: Omit<ExperimentEnv, "agentArgs">, quick: boolean): ExperimentEnv {
  const dir = pretrainedDir(env.id, quick);
  return {
    ...env,
    agentArgs: {
      "ae-frozen": ["--encoder-from", dir, "--freeze-encoder"],
      "ae-finetune": ["--encoder-from", dir],
    },
  };
}

const RGB_MODULE = path.join(__dirname, "rgb_gridworld.ts");

function envs(quick: boolean): ExperimentEnv[] {
  return [
    pixelEnv(
      { id: "CartPole-Pixels-v1", label: "CartPole from 64 × 64 frames", randomScore: 22, maxScore: 500 },
      quick,
    ),
    pixelEnv(
      {
        id: "MiniGrid-DoorKey-5x5-Rgb-v0",
        label: "DoorKey-5x5 from 84 × 84 RGB views",
        args: ["--require", RGB_MODULE],
        metric: "successRate",
        randomScore: 0,
        maxScore: 1,
      },
      quick,
    ),
  ];
}

const experiment = defineExperiment({
  name: "pixels-autoencoder",
  question:
    "Does an autoencoder help PPO learn from pixels: as an online reconstruction loss beside the RL loss, or pretrained offline on a random agent's frames (frozen or fine-tuned)?",
  agents: [
    { id: "cnn", label: "PPO (CNN)", args: PPO_CNN },
    { id: "cnn-aux", label: "PPO (CNN + online AE loss)", args: [...PPO_CNN, "--aux", "ae"] },
    { id: "ae-frozen", label: "PPO (CNN from a pretrained AE, frozen)", args: PPO_CNN },
    { id: "ae-finetune", label: "PPO (CNN from a pretrained AE, fine-tuned)", args: PPO_CNN },
  ],
  envs: envs(false),
  steps: 500_000,
  seeds: 5,
  compare: [
    ["cnn-aux", "cnn"],
    ["ae-frozen", "cnn"],
    ["ae-finetune", "cnn"],
    ["ae-finetune", "ae-frozen"],
  ],
  evalEpisodes: 100,
  quick: { envs: envs(true), steps: 20_000, seeds: 2, evalEpisodes: 10 },
});

export default experiment;

/** `pomdp pretrain-ae` flags of an env's autoencoder (the quick version: fewer frames and epochs). */
export function pretrainArgs(env: ExperimentEnv, quick: boolean): string[] {
  return [
    "pretrain-ae",
    "--env",
    env.id,
    ...(env.args ?? []),
    "--latent",
    String(LATENT),
    "--frames",
    quick ? "2000" : "50000",
    "--epochs",
    quick ? "1" : "5",
    "--seed",
    "1",
    "--out",
    pretrainedDir(env.id, quick),
    "-q",
  ];
}

async function main(): Promise<void> {
  const script = `npx ts-node experiments/pixels-autoencoder.ts`;
  const opts = parseExperimentScriptArgs(script);
  const quick = opts.quick === true;
  const spec = resolveSpec(experiment, { quick, seeds: opts.seeds });
  const executor = new LocalProcessExecutor(opts.workers ?? 1);
  // 1. One autoencoder per env, pretrained on a random agent's frames (skipped when it exists).
  await Promise.all(
    spec.envs.map(async (env) => {
      if (opts.scoreOnly) return;
      if (fs.existsSync(path.join(pretrainedDir(env.id, quick), "autoencoder.json"))) return;
      await executor.run(pretrainArgs(env, quick), `pretrain-ae ${env.id}`);
    }),
  );
  // 2. The grid, its scores and report (as `pomdp experiment pixels-autoencoder` runs them).
  await runExperimentAndReport(experiment, opts, [script, ...process.argv.slice(2)].join(" "));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
