// `pomdp pretrain-ae` (its flags are in commands.ts).
import * as path from "node:path";
import { ConfigError } from "../train/config";
import { RunFolder } from "../train/run_folder";

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
export async function pretrainAeAction(flags: PretrainFlags): Promise<void> {
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
}
