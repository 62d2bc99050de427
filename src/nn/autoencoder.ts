import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requireImageShape, requirePositiveInteger, requirePositiveIntegers } from "./check";
import { CnnEncoder, type ConvLayerSpec } from "./cnn";
import { ConvDecoder } from "./decoder";
import type { Activation } from "./layers";
import { joinParams, type Parameterised, type ParamMap } from "./params";

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

  /** Mean squared error between the scaled images and their reconstruction. */
  reconstructionLoss(images: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => {
      const scale = this.encoder.args.inputScale ?? 1;
      return this.decoder.loss(this.encode(images), scale === 1 ? images : tf.mul(images, scale));
    });
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
