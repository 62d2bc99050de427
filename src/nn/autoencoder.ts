import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requireImageShape, requirePositiveInteger, requirePositiveIntegers } from "./check";
import { CnnEncoder, type ConvLayerSpec } from "./cnn";
import { ConvDecoder } from "./decoder";
import type { Activation } from "./layers";
import { joinParams, type Parameterised, type ParamMap } from "./params";

/**
 * What a reconstruction is compared with: "scaled", the encoder's input as it reads it (bytes ×
 * inputScale); "bits5", SAC+AE's target for pixel bytes (Yarats et al. 2019, after Kingma & Dhariwal
 * 2018): the byte reduced to 5 bits (floor(x / 8) / 32), dequantised by uniform noise in [0, 1/32),
 * minus 0.5, so that the decoder cannot spend itself on the 3 low bits and its linear output is centred.
 */
export type ReconTarget = "scaled" | "bits5";

/** The reconstruction loss's terms beside the mse. */
export interface ReconstructionLossArgs {
  /** What the decoder's output is compared with (see {@link ReconTarget}). */
  target: ReconTarget;
  /** λ of the L2 penalty on the latent: λ · (mean over rows of ½‖z‖²) (SAC+AE: 1e-6; default 0). */
  latentPenalty?: number;
  /**
   * λ of the decoder's weight decay, as PyTorch Adam's weight_decay (an L2 term, not AdamW's): (λ/2) ·
   * Σ θ² over the decoder's parameters joins the loss, whose gradient λθ is what Adam adds (SAC+AE:
   * 1e-7; default 0).
   */
  decoderWeightDecay?: number;
  /** Seed of the "bits5" dequantisation noise, drawn by the caller from its seeded stream. */
  noiseSeed?: number;
}

/** 1/255: the input scale of pixel bytes, the only input "bits5" applies to. */
const PIXEL_SCALE = 1 / 255;

/**
 * The target of a reconstruction of `observations` (as the env gives them, [N, H, W, C]) for an
 * encoder that scales its input by `inputScale`: see {@link ReconTarget}.
 */
export function reconstructionTarget(
  observations: tf.Tensor,
  inputScale: number,
  target: ReconTarget,
  noiseSeed = 0,
): tf.Tensor4D {
  return tf.tidy(() => {
    if (target === "scaled")
      return (inputScale === 1 ? observations : tf.mul(observations, inputScale)) as tf.Tensor4D;
    if (Math.abs(inputScale - PIXEL_SCALE) > 1e-12)
      throw new Error(
        `reconstruction target "bits5" needs pixel bytes (an encoder input scale of 1/255), got an input scale of ${inputScale}; use "scaled"`,
      );
    const bins = tf.div(tf.floor(tf.div(observations, 8)), 32);
    const noise = tf.randomUniform(observations.shape, 0, 1 / 32, "float32", noiseSeed);
    return tf.sub(tf.add(bins, noise), 0.5) as tf.Tensor4D;
  });
}

/**
 * The autoencoder's loss for encoder outputs `latent` of `observations`: the mse between the decoder's
 * reconstruction and the target, plus the latent penalty and the decoder's weight decay; `mse` is the
 * first term alone (what the metrics report).
 */
export function autoencoderLoss(
  latent: tf.Tensor2D,
  decoder: ConvDecoder,
  observations: tf.Tensor,
  inputScale: number,
  args: ReconstructionLossArgs,
): { loss: tf.Scalar; mse: tf.Scalar } {
  return tf.tidy(() => {
    const target = reconstructionTarget(observations, inputScale, args.target, args.noiseSeed);
    const mse = decoder.loss(latent, target);
    let loss: tf.Scalar = mse;
    if ((args.latentPenalty ?? 0) > 0) {
      const penalty = tf.mean(tf.mul(tf.sum(tf.square(latent), 1), 0.5));
      loss = tf.add(loss, tf.mul(penalty, args.latentPenalty!));
    }
    if ((args.decoderWeightDecay ?? 0) > 0) {
      const squares = [...decoder.params().values()].map((v) => tf.sum(tf.square(v)));
      loss = tf.add(loss, tf.mul(tf.addN(squares), args.decoderWeightDecay! / 2));
    }
    return { loss, mse };
  });
}

/** Arguments of {@link ConvAutoencoder}. */
export interface AutoencoderArgs {
  /** Image shape [H, W, C]. */
  inputShape: [number, number, number];
  /** The encoder's conv stack (any strides, paddings, pools); the decoder mirrors it. */
  convs?: ConvLayerSpec[];
  /** Shorthand for `convs`: channels of stride-2 "same"-padded convolutions, e.g. [16, 32]. */
  filters?: number[];
  /** Square kernel size of the `filters` shorthand's convolutions (default 3). */
  kernelSize?: number;
  /** Widths of hidden dense layers between the flattened conv map and the latent (default none). */
  dense?: number[];
  /** Width of the latent vector (a linear dense layer). */
  latentDim: number;
  /** Factor applied to the input first, e.g. 1/255 for byte pixels; the loss compares with the scaled input (default 1). */
  inputScale?: number;
  /** Activation of the reconstruction (default "sigmoid", for pixels in [0, 1]). */
  outputActivation?: Activation;
  /** Run seed. */
  seed: Seed;
}

/**
 * Convolutional autoencoder: a {@link CnnEncoder} (conv layers, then dense layers to a linear latent
 * vector) and a {@link ConvDecoder} built from the encoder's layer shapes (dense → reshape →
 * transposed convolutions); trained on the mse between the scaled input and its reconstruction.
 */
export class ConvAutoencoder implements Parameterised {
  /** Images → latent vectors (conv layers and a linear dense layer). */
  readonly encoder: CnnEncoder;
  /** Latent vectors → images of the input's shape. */
  readonly decoder: ConvDecoder;

  /**
   * Creates encoder and decoder with seeded weights from `args`, or pairs an existing encoder with its
   * decoder (`pomdp pretrain-ae` pairs an agent's own CNN encoder with the decoder of its layer shapes).
   */
  constructor(args: AutoencoderArgs | { encoder: CnnEncoder; decoder: ConvDecoder }) {
    if ("encoder" in args) {
      this.encoder = args.encoder;
      this.decoder = args.decoder;
      return;
    }
    requireBackend("ConvAutoencoder");
    requireImageShape("ConvAutoencoder", "inputShape", args.inputShape);
    requirePositiveInteger("ConvAutoencoder", "latentDim", args.latentDim);
    if ((args.convs === undefined) === (args.filters === undefined)) {
      throw new Error(
        `ConvAutoencoder: give either convs (the encoder's conv layers) or filters (its stride-2 shorthand), got ${args.convs === undefined ? "neither" : "both"}`,
      );
    }
    if (args.kernelSize !== undefined)
      requirePositiveInteger("ConvAutoencoder", "kernelSize", args.kernelSize);
    const convs =
      args.convs ??
      requirePositiveIntegers("ConvAutoencoder", "filters", args.filters, 1, "channels per level").map(
        (filters) => ({ filters, kernelSize: args.kernelSize ?? 3, strides: 2, padding: "same" as const }),
      );
    this.encoder = new CnnEncoder({
      inputShape: args.inputShape,
      convs,
      dense: [...(args.dense ?? []), args.latentDim],
      outputActivation: "linear",
      inputScale: args.inputScale,
      seed: deriveSeed(args.seed, "encoder"),
    });
    this.decoder = new ConvDecoder({
      inputShape: args.inputShape,
      convs,
      latentDim: args.latentDim,
      outputActivation: args.outputActivation,
      seed: deriveSeed(args.seed, "decoder"),
    });
  }

  /** Latent vectors [B, latentDim] of images [B, H, W, C]. */
  encode(images: tf.Tensor4D): tf.Tensor2D {
    return this.encoder.apply(images);
  }

  /** Reconstructed (scaled) images [B, H, W, C] from latent vectors. */
  decode(latent: tf.Tensor2D): tf.Tensor4D {
    return this.decoder.apply(latent);
  }

  /** Reconstruction [B, H, W, C] of images, on the scale of the scaled input. */
  apply(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decode(this.encode(images)));
  }

  /**
   * Mean squared error between the scaled images and their reconstruction; with `args`, the loss of
   * {@link autoencoderLoss} (its target, latent penalty and decoder weight decay).
   */
  reconstructionLoss(images: tf.Tensor4D, args: ReconstructionLossArgs = { target: "scaled" }): tf.Scalar {
    return tf.tidy(
      () =>
        autoencoderLoss(this.encode(images), this.decoder, images, this.encoder.args.inputScale ?? 1, args)
          .loss,
    );
  }

  /** Parameters "encoder/…" and "decoder/…". */
  params(): ParamMap {
    return joinParams({ encoder: this.encoder, decoder: this.decoder });
  }

  /** Frees the variables. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
