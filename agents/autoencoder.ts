// The offline mode of the lecture's autoencoder: frames collected by a uniformly random agent (seeded),
// an autoencoder trained on them whose encoder is the very CNN encoder an agent builds for those
// observations, its held-out mse, and the folder `pomdp train --encoder-from` starts an agent from.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Discrete, MakeOverrides, VectorEnv } from "../src/core";
import { deriveSeed, Rng } from "../src/core/rng";
import { ClippedAdam, ConvAutoencoder, loadCheckpoint, saveCheckpoint } from "../src/nn";
import { writeReconstructionsPng } from "../src/report/reconstructions";
import { makeAgentVectorEnv } from "./env_setup";
import { AUX_DEFAULTS } from "./net_config";
import {
  AUTOENCODER_FILE,
  checkPretrainedFits,
  FORMAT,
  type PretrainedAutoencoder,
  readPretrainedAutoencoder,
} from "./pretrained";
import { cnnEncoderFor, cnnPresetFor, decoderFor } from "./tower";

// What a pretrained folder holds, read and checked without TF.js, is in pretrained.ts.
export { checkPretrainedFits, type PretrainedAutoencoder, readPretrainedAutoencoder } from "./pretrained";

/** Name of the picture of held-out frames and their reconstructions. */
const RECONSTRUCTIONS_FILE = "reconstructions.png";

/** Arguments of {@link pretrainAutoencoder}. */
export interface PretrainArgs {
  /** Registered env id whose observations are images (gridworld views are taken as 7 × 7 × 3 codes). */
  envId: string;
  /** `make` keyword arguments. */
  envKwargs?: MakeOverrides;
  /** Stack the last k observations along channels, as the agent will (0 or 1: none). */
  frameStack?: number;
  /** Frames to train on (collected by a uniformly random agent). */
  frames: number;
  /** Held-out frames, from envs and actions of their own streams, for the reported mse (default frames / 10, at least 64). */
  heldOutFrames?: number;
  /** Width of the latent vector: the encoder's dense layer after the convolutions (an agent's net.hidden = [latent]). */
  latent: number;
  /** End the encoder in SAC+AE's LayerNorm + tanh, as agents with aux "ae" do by default (default true). */
  latentNorm?: boolean;
  /** λ of the L2 penalty on the latent (default SAC+AE's 1e-6). */
  latentPenalty?: number;
  /** The decoder's weight decay (default SAC+AE's 1e-7). */
  decoderWeightDecay?: number;
  /** Passes over the training frames. */
  epochs: number;
  /** Frames per gradient step (default 64). */
  batchSize?: number;
  /** Adam's step size (default 1e-3). */
  learningRate?: number;
  /** Envs stepped side by side while collecting (default 8). */
  numEnvs?: number;
  /** The root of the run's seeds: collection, held-out collection, initialisation, minibatches. */
  seed: number;
  /** Called after every epoch. */
  onEpoch?: (progress: {
    epoch: number;
    epochs: number;
    trainMse: number;
    heldOutMse: number;
    seconds: number;
  }) => void;
}

/** Frames of a uniformly random agent: `count × F` values (bytes when the observations are bytes). */
export interface Frames {
  data: Uint8Array | Float32Array;
  count: number;
  shape: number[];
  bytes: boolean;
}

/**
 * `count` observations of `env` (every sub-env, every step, from `reset({ seed })`) under uniformly
 * random actions drawn from `rng`.
 */
function collectFrames(env: VectorEnv, count: number, seed: number, rng: Rng): Frames {
  const space = env.singleObservationSpace;
  const F = space.size;
  const bytes = space.dtype === "uint8";
  const data = bytes ? new Uint8Array(count * F) : new Float32Array(count * F);
  const N = env.numEnvs;
  const n = (env.singleActionSpace as Discrete).n;
  const actions = new Int32Array(N);
  let observations = env.reset({ seed }).observations as ArrayLike<number>;
  let filled = 0;
  while (filled < count) {
    const take = Math.min(N, count - filled);
    data.set((observations as Uint8Array).subarray(0, take * F), filled * F);
    filled += take;
    if (filled >= count) break;
    for (let i = 0; i < N; i++) actions[i] = rng.integer(n);
    observations = env.step(actions).observations as ArrayLike<number>;
  }
  return { data, count, shape: [...space.shape], bytes };
}

/** Rows `rows` of `frames` as a float tensor [rows, H, W, C]. */
function batchTensor(frames: Frames, rows: ArrayLike<number>): tf.Tensor4D {
  const F = frames.data.length / frames.count;
  const out = new Float32Array(rows.length * F);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let j = 0; j < F; j++) out[i * F + j] = frames.data[r * F + j];
  }
  const [h, w, c] = frames.shape;
  return tf.tensor4d(out, [rows.length, h, w, c]);
}

/** Mean squared error between the scaled frames and their reconstructions (no gradient). */
function meanSquaredError(ae: ConvAutoencoder, frames: Frames, chunk = 256): number {
  let total = 0;
  for (let start = 0; start < frames.count; start += chunk) {
    const rows = Int32Array.from({ length: Math.min(chunk, frames.count - start) }, (_, i) => start + i);
    const loss = tf.tidy(() => ae.reconstructionLoss(batchTensor(frames, rows)));
    total += loss.dataSync()[0] * rows.length;
    loss.dispose();
  }
  return total / frames.count;
}

/** The mean of the frames, scaled. */
function meanFrame(frames: Frames, scale: number): Float32Array {
  const F = frames.data.length / frames.count;
  const sum = new Float64Array(F);
  for (let r = 0; r < frames.count; r++) for (let j = 0; j < F; j++) sum[j] += frames.data[r * F + j];
  return Float32Array.from(sum, (v) => (v / frames.count) * scale);
}

/** Held-out mse of predicting each frame by the mean training frame `mean` (scaled). */
function meanFrameMse(mean: Float32Array, heldOut: Frames, scale: number): number {
  const F = mean.length;
  let sum = 0;
  for (let r = 0; r < heldOut.count; r++) {
    for (let j = 0; j < F; j++) sum += (heldOut.data[r * F + j] * scale - mean[j]) ** 2;
  }
  return sum / (heldOut.count * F);
}

/**
 * Offline pretraining: collects frames with a uniformly random agent (envs seeded from the seed tree's
 * "ae/env", actions from "ae/actions"; the held-out frames from "ae/heldOutEnv" and "ae/heldOutActions"),
 * trains the encoder an agent would build for these observations (its preset CNN with dense [latent])
 * and its decoder on the mse between scaled frames and reconstructions, and writes into `out`: the
 * weights ("encoder/…", "decoder/…"), `autoencoder.json` and `reconstructions.png` (held-out frames
 * over their reconstructions). Returns the description.
 */
export function pretrainAutoencoder(args: PretrainArgs, out: string): PretrainedAutoencoder {
  const started = performance.now();
  const frameStack = args.frameStack ?? 0;
  const setup = {
    envId: args.envId,
    envKwargs: args.envKwargs,
    encoder: "cnn" as const,
    frameStack,
    previousAction: false,
  };
  const heldOutCount = args.heldOutFrames ?? Math.max(64, Math.round(args.frames / 10));
  const collect = (count: number, envPurpose: string, actionPurpose: string) => {
    const env = makeAgentVectorEnv(setup, args.numEnvs ?? 8);
    try {
      const shape = env.singleObservationSpace.shape;
      if (shape.length !== 3) {
        throw new Error(
          `pretrain-ae: ${args.envId} has observations of shape [${shape.join(", ")}]; an autoencoder of images needs [H, W, C]`,
        );
      }
      cnnPresetFor(shape); // no preset → the agent's own error, before any frame is collected
      return collectFrames(
        env,
        count,
        deriveSeed(args.seed, envPurpose),
        new Rng(deriveSeed(args.seed, actionPurpose)),
      );
    } finally {
      env.close();
    }
  };
  const train = collect(args.frames, "ae/env", "ae/actions");
  const heldOut = collect(heldOutCount, "ae/heldOutEnv", "ae/heldOutActions");
  const latentNorm = args.latentNorm ?? true;
  const lossArgs = {
    target: "scaled" as const,
    latentPenalty: args.latentPenalty ?? AUX_DEFAULTS.latentPenalty,
    decoderWeightDecay: args.decoderWeightDecay ?? AUX_DEFAULTS.decoderWeightDecay,
  };
  const encoder = cnnEncoderFor(
    train.shape,
    [args.latent],
    train.bytes,
    deriveSeed(args.seed, "init/ae/encoder"),
    latentNorm,
  );
  const decoder = decoderFor(encoder, deriveSeed(args.seed, "init/ae/decoder"));
  const ae = new ConvAutoencoder({ encoder, decoder });
  const scale = encoder.args.inputScale ?? 1;
  // The decoder starts from the mean training frame (its output is linear) and learns the rest.
  const mean = meanFrame(train, scale);
  decoder.setOutputBias(mean);
  const params = ae.params();
  try {
    const learningRate = args.learningRate ?? 1e-3;
    const batchSize = Math.min(args.batchSize ?? 64, train.count);
    const optimizer = new ClippedAdam(params, { learningRate });
    const shuffle = new Rng(deriveSeed(args.seed, "ae/minibatches"));
    const order = Int32Array.from({ length: train.count }, (_, i) => i);
    const trainMse: number[] = [];
    const heldOutMseByEpoch: number[] = [];
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      shuffle.shuffle(order);
      let sum = 0;
      let steps = 0;
      for (let start = 0; start + batchSize <= train.count; start += batchSize) {
        const rows = order.subarray(start, start + batchSize);
        const x = batchTensor(train, rows);
        sum += optimizer.minimize(() => ae.reconstructionLoss(x, lossArgs)).loss;
        steps += 1;
        x.dispose();
      }
      trainMse.push(sum / steps);
      heldOutMseByEpoch.push(meanSquaredError(ae, heldOut));
      args.onEpoch?.({
        epoch,
        epochs: args.epochs,
        trainMse: sum / steps,
        heldOutMse: heldOutMseByEpoch[heldOutMseByEpoch.length - 1],
        seconds: (performance.now() - started) / 1000,
      });
    }
    const result: PretrainedAutoencoder = {
      format: FORMAT,
      version: 1,
      envId: args.envId,
      envKwargs: args.envKwargs ?? {},
      frameStack,
      observationShape: train.shape,
      observationBytes: train.bytes,
      preset: cnnPresetFor(train.shape),
      hidden: [args.latent],
      latentNorm,
      latentPenalty: lossArgs.latentPenalty,
      decoderWeightDecay: lossArgs.decoderWeightDecay,
      frames: train.count,
      heldOutFrames: heldOut.count,
      epochs: args.epochs,
      batchSize,
      learningRate,
      seed: args.seed,
      trainMse,
      heldOutMseByEpoch,
      heldOutMse:
        heldOutMseByEpoch.length > 0
          ? heldOutMseByEpoch[heldOutMseByEpoch.length - 1]
          : meanSquaredError(ae, heldOut),
      meanFrameMse: meanFrameMse(mean, heldOut, scale),
      seconds: Math.round((performance.now() - started) / 10) / 100,
    };
    fs.mkdirSync(out, { recursive: true });
    saveCheckpoint(out, params);
    writePicture(ae, heldOut, path.join(out, RECONSTRUCTIONS_FILE));
    fs.writeFileSync(path.join(out, AUTOENCODER_FILE), `${JSON.stringify(result, null, 1)}\n`);
    return result;
  } finally {
    encoder.dispose();
    decoder.dispose();
  }
}

/** The first 8 held-out frames over their reconstructions. */
function writePicture(ae: ConvAutoencoder, frames: Frames, file: string): void {
  const rows = Int32Array.from({ length: Math.min(8, frames.count) }, (_, i) =>
    Math.floor((i * frames.count) / Math.min(8, frames.count)),
  );
  const both = tf.tidy(() => {
    const x = batchTensor(frames, rows);
    const scaled = tf.mul(x, ae.encoder.args.inputScale ?? 1);
    return tf.concat([tf.reshape(scaled, [-1]), tf.reshape(ae.apply(x), [-1])]);
  });
  const values = both.dataSync() as Float32Array;
  both.dispose();
  const half = values.length / 2;
  const [h, w, c] = frames.shape;
  writeReconstructionsPng(file, {
    inputs: values.slice(0, half),
    outputs: values.slice(half),
    shape: [h, w, c],
  });
}

/** What {@link loadPretrainedEncoder} needs of a network (ActorCritic and QNetwork have it). */
export interface PretrainableNet {
  readonly observationShape: readonly number[];
  readonly observationBytes: boolean;
  readonly hasDecoder: boolean;
  readonly spec: { hidden: readonly number[] };
  readonly autoencoder: { latentNorm: boolean };
  encoderParams(withDecoder?: boolean): Map<string, tf.Variable>[];
  weightsChanged(): void;
}

/**
 * What a run's set-up does with net.encoderFrom: a new run loads it into `net` (see
 * {@link loadPretrainedEncoder}); a resumed one does nothing, as its checkpoint holds the encoder as
 * trained so far. On an error `cleanUp` runs (dispose what the set-up built) before it is rethrown.
 */
export function startFromPretrained(
  net: PretrainableNet,
  encoderFrom: string | undefined,
  resume: boolean | undefined,
  cleanUp: () => void,
): void {
  if (encoderFrom === undefined || resume) return;
  try {
    loadPretrainedEncoder(net, encoderFrom);
  } catch (err) {
    cleanUp();
    throw err;
  }
}

/**
 * Starts every CNN encoder of `net` (and, when it has decoders, every decoder) from the weights of a
 * pretrained autoencoder's folder, after checking that it was made for the same observations (shape
 * and scaling) and the same dense layers; every mismatch is an error naming both sides.
 */
function loadPretrainedEncoder(
  net: PretrainableNet,
  dir: string,
  what = "net.encoderFrom",
): PretrainedAutoencoder {
  const meta = readPretrainedAutoencoder(dir, what);
  checkPretrainedFits(meta, net.observationShape, net.observationBytes, net.spec.hidden, dir, what, {
    latentNorm: net.autoencoder.latentNorm,
  });
  const fail = (why: string) => new Error(`${what} "${dir}": ${why}`);
  for (const params of net.encoderParams(net.hasDecoder)) {
    try {
      loadCheckpoint(dir, params);
    } catch (err) {
      throw fail((err as Error).message);
    }
  }
  net.weightsChanged();
  return meta;
}
