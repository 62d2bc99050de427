import * as path from "node:path";
import { Command, Option } from "commander";
import { ConfigError } from "../train/config";
import { RunFolder } from "../train/run_folder";
import {
  parseBackendFlag,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  withRequire,
} from "./options";
import { parseJsonObject, parseSteps } from "./train";

/** Flags of `pomdp pretrain-ae`. */
export interface PretrainFlags {
  env?: string;
  out?: string;
  frames: number;
  heldOut?: number;
  net: "mlp" | "cnn";
  latent: number;
  epochs: number;
  batchSize: number;
  lr: number;
  frameStack: number;
  seed: number;
  envKwargs?: Record<string, unknown>;
  backend?: string;
  quiet?: boolean;
}

/** Checks the flags that need more than their parser; every refusal is one line naming the flag. */
export function checkPretrainFlags(flags: PretrainFlags): void {
  if (flags.env === undefined)
    throw new ConfigError("pretrain-ae: required option '-e, --env <id>' not specified");
  if (flags.out === undefined)
    throw new ConfigError(
      "pretrain-ae: required option '-o, --out <dir>' not specified (the folder --encoder-from reads)",
    );
  if (flags.net !== "cnn") {
    throw new ConfigError(
      `pretrain-ae: --net ${flags.net}: the autoencoder is convolutional (its encoder is the agent's CNN); use --net cnn`,
    );
  }
}

/** `pomdp pretrain-ae`: an autoencoder trained offline on a random agent's frames, for `pomdp train --encoder-from`. */
export function pretrainAeCommand(): Command {
  const command = new Command("pretrain-ae")
    .description(
      "collect frames with a uniformly random agent (seeded), train the agent's CNN encoder as an autoencoder on them, and write its weights, autoencoder.json (held-out mse) and reconstructions.png: pomdp train --net cnn --encoder-from <out> starts from it",
    )
    .option("-e, --env <id>", "registered env id with image observations (gridworlds: the 7×7×3 view)")
    .option("-o, --out <dir>", "folder to write (never overwritten)")
    .option("--frames <n>", "training frames (50000, 50k)", parseSteps, 50_000)
    .option("--held-out <n>", "held-out frames for the reported mse (default frames / 10)", parsePositiveInt)
    .addOption(
      new Option("--net <encoder>", "the encoder (an autoencoder of images is a CNN)")
        .choices(["mlp", "cnn"])
        .default("cnn"),
    )
    .option(
      "--latent <n>",
      "width of the latent vector: the encoder's dense layer (the agent's net.hidden)",
      parsePositiveInt,
      64,
    )
    .option("--epochs <n>", "passes over the training frames", parsePositiveInt, 5)
    .option("--batch-size <n>", "frames per gradient step", parsePositiveInt, 64)
    .option("--lr <x>", "Adam's step size", parsePositiveNumber, 1e-3)
    .option(
      "--frame-stack <k>",
      "stack the last k observations, as the agent will (--frame-stack of pomdp train)",
      parseNonNegativeInt,
      0,
    )
    .option(
      "-s, --seed <S>",
      "seed of the frames, held-out frames, initialisation and minibatches",
      parseNonNegativeInt,
      1,
    )
    .option("--env-kwargs <json>", "make() keyword arguments", parseJsonObject)
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option("-q, --quiet", "no progress lines")
    .action(async (flags: PretrainFlags) => {
      checkPretrainFlags(flags);
      const { spec } = await import("../core");
      spec(flags.env!); // unknown id → error with close ids
      const out = flags.out!;
      RunFolder.checkFree(out);
      const { initBackend } = await import("../nn/backend");
      const { nnLogger } = await import("../nn/log");
      await initBackend(flags.backend, nnLogger.child({}, { level: "warn" }));
      const { pretrainAutoencoder } = await import("../../agents/autoencoder");
      const result = pretrainAutoencoder(
        {
          envId: flags.env!,
          envKwargs: flags.envKwargs,
          frameStack: flags.frameStack,
          frames: flags.frames,
          heldOutFrames: flags.heldOut,
          latent: flags.latent,
          epochs: flags.epochs,
          batchSize: flags.batchSize,
          learningRate: flags.lr,
          seed: flags.seed,
          onEpoch: flags.quiet
            ? undefined
            : (p) =>
                console.error(
                  `epoch ${p.epoch}/${p.epochs} · train mse ${p.trainMse.toExponential(3)} · held-out mse ${p.heldOutMse.toExponential(3)} · ${p.seconds.toFixed(0)} s`,
                ),
        },
        out,
      );
      console.log(
        JSON.stringify({
          out: path.resolve(out),
          heldOutMse: result.heldOutMse,
          meanFrameMse: result.meanFrameMse,
          frames: result.frames,
          heldOutFrames: result.heldOutFrames,
          seconds: result.seconds,
        }),
      );
    });
  return withRequire(command);
}
