import * as tf from "@tensorflow/tfjs";
import { describeValue } from "../core/describe";
import { deriveSeed, type Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requireImageShape, requirePositiveInteger, requirePositiveIntegers } from "./check";
import { CnnEncoder } from "./cnn";
import { orthogonalInit, zerosInit } from "./init";
import { type Activation, activate, denseForward } from "./layers";
import { mseLoss } from "./losses";
import { joinParams, makeVariable, type Parameterised, type ParamMap } from "./params";

/** Arguments of {@link ConvAutoencoder}. */
export interface AutoencoderArgs {
  /** Image shape [H, W, C]; H and W must be divisible by 2^(number of conv layers). */
  inputShape: [number, number, number];
  /** Channels of the stride-2 conv layers of the encoder (mirrored by the decoder), e.g. [16, 32]. */
  filters: number[];
  /** Square kernel size of every (de)convolution (default 3). */
  kernelSize?: number;
  /** Width of the latent vector. */
  latentDim: number;
  /** Activation of the reconstruction (default "sigmoid", for pixels in [0, 1]). */
  outputActivation?: Activation;
  /** Run seed. */
  seed: Seed;
}

/**
 * Convolutional autoencoder: stride-2 conv encoder → dense latent vector → dense → stride-2
 * deconvolution (conv2dTranspose) decoder; trained on reconstruction MSE to learn features.
 */
export class ConvAutoencoder implements Parameterised {
  /** Images → latent vectors (conv layers and a linear dense layer). */
  readonly encoder: CnnEncoder;
  /** Latent → first decoder map kernel and bias. */
  readonly latentKernel: tf.Variable<tf.Rank.R2>;
  /** Bias of the latent → map layer. */
  readonly latentBias: tf.Variable<tf.Rank.R1>;
  /** Filter [k, k, out, in] of each deconvolution, from the smallest map up. */
  readonly deconvFilters: tf.Variable<tf.Rank.R4>[] = [];
  /** Bias of each deconvolution. */
  readonly deconvBiases: tf.Variable<tf.Rank.R1>[] = [];
  private readonly decoderParams: ParamMap = new Map();
  private readonly bottleneck: [number, number, number];
  private readonly kernelSize: number;

  /** Creates encoder and decoder with seeded weights. */
  constructor(readonly args: AutoencoderArgs) {
    requireBackend("ConvAutoencoder");
    const [height, width, channels] = requireImageShape("ConvAutoencoder", "inputShape", args.inputShape);
    const levels = requirePositiveIntegers(
      "ConvAutoencoder",
      "filters",
      args.filters,
      1,
      "channels per level",
    ).length;
    requirePositiveInteger("ConvAutoencoder", "latentDim", args.latentDim);
    if (args.kernelSize !== undefined)
      requirePositiveInteger("ConvAutoencoder", "kernelSize", args.kernelSize);
    const factor = 2 ** levels;
    if (height % factor !== 0 || width % factor !== 0) {
      throw new Error(
        `ConvAutoencoder: inputShape height and width must be divisible by 2^${levels} = ${factor} ` +
          `(one stride-2 layer per filters entry), got ${describeValue(args.inputShape)}`,
      );
    }
    this.kernelSize = args.kernelSize ?? 3;
    this.encoder = new CnnEncoder({
      inputShape: args.inputShape,
      convs: args.filters.map((filters) => ({
        filters,
        kernelSize: this.kernelSize,
        strides: 2,
        padding: "same",
      })),
      dense: [args.latentDim],
      outputActivation: "linear",
      seed: deriveSeed(args.seed, "encoder"),
    });
    this.bottleneck = [height / factor, width / factor, args.filters[levels - 1]];
    const mapSize = this.bottleneck[0] * this.bottleneck[1] * this.bottleneck[2];
    const seed = deriveSeed(args.seed, "decoder");
    this.latentKernel = makeVariable(
      orthogonalInit(Math.SQRT2),
      [args.latentDim, mapSize],
      seed,
      "latent/kernel",
      this.decoderParams,
    ) as tf.Variable<tf.Rank.R2>;
    this.latentBias = makeVariable(
      zerosInit,
      [mapSize],
      seed,
      "latent/bias",
      this.decoderParams,
    ) as tf.Variable<tf.Rank.R1>;
    // Decoder channels: reversed encoder channels, ending in the image channels.
    const outs = [...args.filters.slice(0, -1)].reverse().concat([channels]);
    let inChannels = args.filters[levels - 1];
    for (const [i, outChannels] of outs.entries()) {
      const last = i === outs.length - 1;
      const shape = [this.kernelSize, this.kernelSize, outChannels, inChannels];
      this.deconvFilters.push(
        makeVariable(
          orthogonalInit(last ? 1 : Math.SQRT2),
          shape,
          seed,
          `deconv${i}/filter`,
          this.decoderParams,
        ) as tf.Variable<tf.Rank.R4>,
      );
      this.deconvBiases.push(
        makeVariable(
          zerosInit,
          [outChannels],
          seed,
          `deconv${i}/bias`,
          this.decoderParams,
        ) as tf.Variable<tf.Rank.R1>,
      );
      inChannels = outChannels;
    }
  }

  /** Latent vectors [B, latentDim] of images [B, H, W, C]. */
  encode(images: tf.Tensor4D): tf.Tensor2D {
    return this.encoder.apply(images);
  }

  /** Reconstructed images [B, H, W, C] from latent vectors. */
  decode(latent: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const batch = latent.shape[0];
      let [h, w] = this.bottleneck;
      const map = denseForward(latent, this.latentKernel, this.latentBias, "relu");
      let x = tf.reshape(map, [batch, ...this.bottleneck]) as tf.Tensor4D;
      for (let i = 0; i < this.deconvFilters.length; i++) {
        const last = i === this.deconvFilters.length - 1;
        h *= 2;
        w *= 2;
        const outChannels = this.deconvFilters[i].shape[2];
        x = tf.add(
          tf.conv2dTranspose(x, this.deconvFilters[i], [batch, h, w, outChannels], 2, "same"),
          this.deconvBiases[i],
        );
        x = activate(x, last ? (this.args.outputActivation ?? "sigmoid") : "relu");
      }
      return x;
    });
  }

  /** Reconstruction [B, H, W, C] of images. */
  apply(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decode(this.encode(images)));
  }

  /** Mean squared reconstruction error of a batch. */
  reconstructionLoss(images: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => mseLoss(this.apply(images), images));
  }

  /** Parameters "encoder/…" and "decoder/…". */
  params(): ParamMap {
    return joinParams({
      encoder: this.encoder,
      decoder: { params: () => this.decoderParams, dispose: () => {} },
    });
  }

  /** Frees the variables. */
  dispose(): void {
    this.encoder.dispose();
    for (const v of this.decoderParams.values()) v.dispose();
  }
}
