// Does an autoencoder help an agent that sees pixels? The lecture's ways of training one beside RL,
// on one pixel task (CartPole-Pixels-v1: 48 × 48 grey, the last 4 frames), every agent PPO with the
// preset ppo-cnn-cartpole-pixels and the same encoder (the dqn2013 torso ending in SAC+AE's LayerNorm
// + tanh, 256 features, shared by actor and critic):
//   none          the RL loss alone trains the encoder;
//   aux           + an online decoder as SAC+AE trains it (its own Adam step after each RL step, the
//                 5-bit target, latent penalty, decoder weight decay; the policy's gradient stops at
//                 the encoder, the value's and the reconstruction's train it);
//   aux-detached  the same, but the encoder learns from the reconstruction alone;
//   ae-frozen     the encoder of an autoencoder pretrained offline on a random agent's frames
//                 (pomdp pretrain-ae, the same decoder), kept as it is;
//   ae-finetune   that encoder, trained on by the RL loss.
// Equal budgets: 100k steps × 5 seeds, as the SAC+AE and CURL papers compare at 100k: the frame stack
// solves this env at 300k–450k and is at returns of 110–150 by 100k, so the question is which way
// learns faster. Cost, one wasm thread a run: ~4 minutes without a decoder, ~15 with one (its
// transposed convolutions and a second encoder pass per minibatch: 79–86 against 222 steps/s with
// both cores busy), so the 25 runs take about 1 h 40 min with 2 workers on this 2-core machine.
//   npx ts-node experiments/pixels-autoencoder.ts [--quick] [--seeds N] [--workers N]
//        pretrains the autoencoder (seed 1, 50k frames; skipped when its folder exists), then runs
//        the grid, scores and report; its reconstructions.png sits beside the scores
//   npx pomdp experiment pixels-autoencoder [--quick]   the grid alone, once the autoencoder exists
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExperimentScriptArgs, runExperimentAndReport } from "../src/cli/experiment";
import {
  defineExperiment,
  type ExperimentEnv,
  LocalProcessExecutor,
  resolveSpec,
} from "../src/train/experiment";

/** The latent width of every encoder: the dqn2013 preset's dense layer (the pretrained one is made with it). */
const LATENT = 256;

/** Where the pretrained autoencoder of an env is kept (the full and quick versions share it). */
export function pretrainedDir(envId: string, quick = false): string {
  return path.join(__dirname, "results", "pixels-autoencoder-pretrained", `${envId}${quick ? "-quick" : ""}`);
}

/** PPO with the preset's shared CNN torso, ending in SAC+AE's LayerNorm + tanh bottleneck. */
const PPO_CNN = [
  "--agent",
  "ppo",
  "--net",
  "cnn",
  "--set",
  `net.hidden=[${LATENT}]`,
  "--set",
  "net.latentNorm=true",
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

function envs(quick: boolean): ExperimentEnv[] {
  return [
    pixelEnv(
      {
        id: "CartPole-Pixels-v1",
        label: "CartPole from 48 × 48 grey frames, 4 stacked",
        randomScore: 22,
        maxScore: 500,
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
    { id: "none", label: "PPO (CNN)", args: PPO_CNN },
    // The two agents with a decoder run 3 seeds: each of their runs costs ~25 min of one core with both
    // busy (63–84 steps/s against 210–330 without a decoder); the report says so.
    { id: "aux", label: "PPO (CNN + online AE, SAC+AE)", args: [...PPO_CNN, "--aux", "ae"], seeds: 3 },
    {
      id: "aux-detached",
      label: "PPO (CNN trained by the AE alone)",
      args: [...PPO_CNN, "--aux", "ae", "--aux-detach"],
      seeds: 3,
    },
    { id: "ae-frozen", label: "PPO (CNN from a pretrained AE, frozen)", args: PPO_CNN },
    { id: "ae-finetune", label: "PPO (CNN from a pretrained AE, fine-tuned)", args: PPO_CNN },
  ],
  envs: envs(false),
  steps: 100_000,
  seeds: 5,
  compare: [
    ["aux", "none"],
    ["aux-detached", "none"],
    ["ae-frozen", "none"],
    ["ae-finetune", "none"],
    ["aux", "aux-detached"],
    ["ae-finetune", "ae-frozen"],
  ],
  evalEpisodes: 100,
  quick: { envs: envs(true), steps: 10_240, seeds: 1, evalEpisodes: 10 },
});

export default experiment;

/** `pomdp pretrain-ae` flags of an env's autoencoder (the quick version: fewer frames and epochs). */
export function pretrainArgs(env: ExperimentEnv, quick: boolean): string[] {
  return [
    "pretrain-ae",
    "--env",
    env.id,
    ...(env.args ?? []),
    "--frame-stack",
    "4",
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
