// What a folder `pomdp pretrain-ae` wrote holds (autoencoder.json: how the autoencoder was made, its
// observations and dense layers), read and checked against an agent without TF.js: run config
// resolution (--encoder-from) reads it before the networks load. autoencoder.ts writes and loads it.
import * as fs from "node:fs";
import * as path from "node:path";
import type { MakeOverrides } from "../src/core";

/** Name of the description file of a pretrained autoencoder's folder (beside weights.json/bin). */
export const AUTOENCODER_FILE = "autoencoder.json";
/** The `format` field of autoencoder.json. */
export const FORMAT = "pomdp-autoencoder";

/** What `autoencoder.json` holds: how the autoencoder was made and how well it reconstructs. */
export interface PretrainedAutoencoder {
  format: typeof FORMAT;
  version: 1;
  envId: string;
  envKwargs: MakeOverrides;
  frameStack: number;
  /** One observation's [H, W, C], as the agent sees it. */
  observationShape: number[];
  /** Whether observations are bytes (scaled inside the encoder by its preset's byteScale). */
  observationBytes: boolean;
  /** The CNN preset of the encoder. */
  preset: string;
  /** The encoder's dense layers after the convolutions (an agent's net.hidden). */
  hidden: number[];
  /** Whether the encoder ends in SAC+AE's LayerNorm + tanh (an agent's net.latentNorm); absent in older folders: false. */
  latentNorm?: boolean;
  /** λ of the L2 penalty on the latent and of the decoder's weight decay it was trained with (absent: 0). */
  latentPenalty?: number;
  decoderWeightDecay?: number;
  frames: number;
  heldOutFrames: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Mean training-batch mse of each epoch. */
  trainMse: number[];
  /** Held-out mse after each epoch; the last is the autoencoder's. */
  heldOutMseByEpoch: number[];
  heldOutMse: number;
  /** Held-out mse of predicting every frame by the mean training frame: what the autoencoder must beat. */
  meanFrameMse: number;
  seconds: number;
}

/** Reads and checks `autoencoder.json` of a folder `pomdp pretrain-ae` wrote; errors name the folder and the problem. */
export function readPretrainedAutoencoder(dir: string, what = "net.encoderFrom"): PretrainedAutoencoder {
  const fail = (why: string) => new Error(`${what} "${dir}": ${why}`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw fail("no such folder");
  const file = path.join(dir, AUTOENCODER_FILE);
  if (!fs.existsSync(file))
    throw fail(
      `not a pretrained autoencoder (${AUTOENCODER_FILE} is missing); pass a folder written by pomdp pretrain-ae --out`,
    );
  let meta: PretrainedAutoencoder;
  try {
    meta = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw fail(`${AUTOENCODER_FILE} is corrupt: not JSON (${(err as Error).message})`);
  }
  const ok =
    meta !== null &&
    typeof meta === "object" &&
    meta.format === FORMAT &&
    meta.version === 1 &&
    Array.isArray(meta.observationShape) &&
    Array.isArray(meta.hidden) &&
    typeof meta.observationBytes === "boolean";
  if (!ok)
    throw fail(
      `${AUTOENCODER_FILE} is not a ${FORMAT} version 1 file with observationShape, observationBytes and hidden`,
    );
  return meta;
}

/**
 * Checks that a pretrained autoencoder fits an agent's encoder: the same observation shape and
 * scaling, the same dense layers after the convolutions. Every mismatch is an error naming both sides.
 */
export function checkPretrainedFits(
  meta: PretrainedAutoencoder,
  observationShape: readonly number[],
  observationBytes: boolean,
  hidden: readonly number[],
  dir: string,
  what = "net.encoderFrom",
  agent: { latentNorm: boolean } = { latentNorm: false },
): void {
  const fail = (why: string) => new Error(`${what} "${dir}": ${why}`);
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  if (shape(meta.observationShape) !== shape(observationShape)) {
    throw fail(
      `the autoencoder there was trained on observations of shape ${shape(meta.observationShape)} (${meta.envId}${meta.frameStack > 1 ? `, frame stack ${meta.frameStack}` : ""}), but this agent's are ${shape(observationShape)}; pretrain one on the agent's env and wrappers (pomdp pretrain-ae --env …)`,
    );
  }
  if (meta.observationBytes !== observationBytes) {
    throw fail(
      `the autoencoder there read ${meta.observationBytes ? "bytes" : "float observations"}, but this agent reads ${observationBytes ? "bytes" : "floats"}`,
    );
  }
  if (shape(meta.hidden) !== shape(hidden)) {
    throw fail(
      `its encoder has dense layers ${shape(meta.hidden)} after the convolutions, but this agent's net.hidden is ${shape(hidden)}; set net.hidden to ${JSON.stringify(meta.hidden)} (pomdp train --encoder-from does)`,
    );
  }
  const norm = meta.latentNorm ?? false;
  if (norm !== agent.latentNorm) {
    throw fail(
      `its encoder ${norm ? "ends" : "does not end"} in a LayerNorm + tanh, but this agent's ${agent.latentNorm ? "does" : "does not"}; set net.latentNorm to ${norm} (pomdp train --encoder-from does)`,
    );
  }
}
