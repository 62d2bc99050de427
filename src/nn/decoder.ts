// The decoder half of an autoencoder, built from a CNN encoder's own layer shapes so that it fits any
// encoder: dense → reshape to the last conv map → for each conv layer, last first, an un-pooling
// transposed convolution (where the encoder max-pools) and the conv's transposed convolution, back to
// the input's height, width and channels.
import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { invalidArgument, requireImageShape, requirePositiveInteger } from "./check";
import { type ConvLayerSpec, convOutputSize } from "./cnn";
import { orthogonalInit, zerosInit } from "./init";
import { type Activation, activate, denseForward } from "./layers";
import { mseLoss } from "./losses";
import { makeVariable, type Parameterised, type ParamMap } from "./params";

/** Arguments of {@link ConvDecoder}: the shapes of the encoder it mirrors. */
export interface ConvDecoderArgs {
  /** The encoder's input [height, width, channels]: the reconstruction's shape. */
  inputShape: readonly [number, number, number];
  /** The encoder's conv stack (any kernel sizes, strides, paddings and pools). */
  convs: readonly ConvLayerSpec[];
  /** Width of the latent vector the decoder reads (the encoder's output width). */
  latentDim: number;
  /** Activation of the reconstruction (default "sigmoid", for inputs scaled into [0, 1]). */
  outputActivation?: Activation;
  /**
   * Orthogonal-init gain of the last layer (default 1). A small gain (0.1) with a linear output starts
   * the reconstructions near the output bias (zero, or the mean frame after setOutputBias) rather than
   * at large noise the optimiser must first undo.
   */
  outputGain?: number;
  /** Seed of the decoder's initialiser (a child of the run seed). */
  seed: Seed;
}

/** One step of the decoder: a transposed convolution from `from` to `to` ([h, w, c] each). */
interface Step {
  /** What the step undoes: conv layer i, or the max-pool after it. */
  kind: "conv" | "unpool";
  from: [number, number, number];
  to: [number, number, number];
  kernelSize: number;
  strides: number;
  padding: "valid" | "same";
  /** Rows and columns of zeros added at the bottom and right (a pool that dropped a remainder). */
  padBottom: number;
  padRight: number;
}

/**
 * The decoder steps that mirror a conv stack, first step first: for each conv layer from the last,
 * its max-pool undone by a stride-`pool` transposed convolution (plus zero rows or columns where the
 * pool dropped a remainder), then the conv undone by its transposed convolution (same kernel size,
 * stride and padding), which yields exactly the conv's input shape.
 */
export function decoderSteps(
  inputShape: readonly [number, number, number],
  convs: readonly ConvLayerSpec[],
): Step[] {
  const steps: Step[] = [];
  let input: [number, number, number] = [inputShape[0], inputShape[1], inputShape[2]];
  for (const conv of convs) {
    const s = conv.strides ?? 1;
    const pad = conv.padding ?? "valid";
    const convOut: [number, number, number] = [
      convOutputSize(input[0], conv.kernelSize, s, pad),
      convOutputSize(input[1], conv.kernelSize, s, pad),
      conv.filters,
    ];
    if (convOut[0] < 1 || convOut[1] < 1) {
      throw new Error(
        `ConvDecoder: the conv stack leaves an empty ${convOut[0]}×${convOut[1]} map for inputShape [${inputShape.join(", ")}]`,
      );
    }
    const layer: Step[] = [
      {
        kind: "conv",
        from: convOut,
        to: input,
        kernelSize: conv.kernelSize,
        strides: s,
        padding: pad,
        padBottom: 0,
        padRight: 0,
      },
    ];
    let output = convOut;
    if (conv.pool !== undefined) {
      const p = conv.pool;
      const pooled: [number, number, number] = [
        Math.floor(convOut[0] / p),
        Math.floor(convOut[1] / p),
        conv.filters,
      ];
      if (pooled[0] < 1 || pooled[1] < 1) {
        throw new Error(
          `ConvDecoder: a ${p}×${p} pool leaves an empty map after a ${convOut[0]}×${convOut[1]} conv output`,
        );
      }
      layer.unshift({
        kind: "unpool",
        from: pooled,
        to: convOut,
        kernelSize: p,
        strides: p,
        padding: "valid",
        padBottom: convOut[0] - pooled[0] * p,
        padRight: convOut[1] - pooled[1] * p,
      });
      output = pooled;
    }
    steps.unshift(...layer);
    input = output;
  }
  return steps;
}

/**
 * The decoder of a convolutional autoencoder, mirroring an encoder's layer shapes (see
 * {@link decoderSteps}): latent → dense (ReLU) → the last conv map → transposed convolutions (ReLU
 * between them) → an image of the encoder's input shape. Fits every {@link CnnEncoder}: strides other
 * than 2, "valid" padding, max-pools, sides that do not halve evenly (7 × 7 views, 84 × 84 frames).
 */
export class ConvDecoder implements Parameterised {
  /** The reconstruction's shape [H, W, C]. */
  readonly outputShape: [number, number, number];
  /** The map the dense layer is reshaped to: the encoder's last conv map [h, w, c]. */
  readonly mapShape: [number, number, number];
  /** Latent → map kernel [latentDim, h·w·c] and bias. */
  readonly latentKernel: tf.Variable<tf.Rank.R2>;
  readonly latentBias: tf.Variable<tf.Rank.R1>;
  /** Filter [k, k, out channels, in channels] of each transposed convolution, first step first. */
  readonly filters: tf.Variable<tf.Rank.R4>[] = [];
  /**
   * Bias of each transposed convolution: one per channel, except the last step's, which has one per
   * output value [H, W, C] so that the static part of the frames (a background) costs the rest nothing.
   */
  readonly biases: tf.Variable[] = [];
  private readonly steps: Step[];
  private readonly paramMap: ParamMap = new Map();

  /** Creates the layers with seeded weights. */
  constructor(readonly args: ConvDecoderArgs) {
    requireBackend("ConvDecoder");
    this.outputShape = requireImageShape("ConvDecoder", "inputShape", args.inputShape);
    requirePositiveInteger("ConvDecoder", "latentDim", args.latentDim);
    if (!Array.isArray(args.convs) || args.convs.length === 0)
      throw invalidArgument("ConvDecoder", "convs", "the encoder's conv layers (at least one)", args.convs);
    this.steps = decoderSteps(this.outputShape, args.convs);
    this.mapShape = [...this.steps[0].from];
    const mapSize = this.mapShape[0] * this.mapShape[1] * this.mapShape[2];
    this.latentKernel = makeVariable(
      orthogonalInit(Math.SQRT2),
      [args.latentDim, mapSize],
      args.seed,
      "latent/kernel",
      this.paramMap,
    ) as tf.Variable<tf.Rank.R2>;
    this.latentBias = makeVariable(
      zerosInit,
      [mapSize],
      args.seed,
      "latent/bias",
      this.paramMap,
    ) as tf.Variable<tf.Rank.R1>;
    for (const [i, step] of this.steps.entries()) {
      const last = i === this.steps.length - 1;
      const shape = [step.kernelSize, step.kernelSize, step.to[2], step.from[2]];
      this.filters.push(
        makeVariable(
          orthogonalInit(last ? (args.outputGain ?? 1) : Math.SQRT2),
          shape,
          args.seed,
          `deconv${i}/filter`,
          this.paramMap,
        ) as tf.Variable<tf.Rank.R4>,
      );
      const biasShape = last ? [...step.to] : [step.to[2]];
      this.biases.push(makeVariable(zerosInit, biasShape, args.seed, `deconv${i}/bias`, this.paramMap));
    }
  }

  /**
   * Sets the bias of the last layer, one value per output [H, W, C] (row-major), e.g. to the mean
   * training frame: the decoder then starts by predicting it and learns what differs from it (with
   * the default "sigmoid" output, pass pre-activations, i.e. logits).
   */
  setOutputBias(values: Float32Array): void {
    const bias = this.biases[this.biases.length - 1];
    if (values.length !== bias.size)
      throw invalidArgument(
        "ConvDecoder.setOutputBias",
        "values",
        `${bias.size} values [${bias.shape.join(", ")}]`,
        `${values.length} values`,
      );
    tf.tidy(() => bias.assign(tf.tensor(values, bias.shape, "float32")));
  }

  /** Reconstructions [B, H, W, C] of latent vectors [B, latentDim]. */
  apply(latent: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const batch = latent.shape[0];
      const map = denseForward(latent, this.latentKernel, this.latentBias, "relu");
      let x = tf.reshape(map, [batch, ...this.mapShape]) as tf.Tensor4D;
      for (const [i, step] of this.steps.entries()) {
        const last = i === this.steps.length - 1;
        const [h, w, c] = step.to;
        const outShape: [number, number, number, number] = [batch, h - step.padBottom, w - step.padRight, c];
        x = tf.conv2dTranspose(x, this.filters[i], outShape, step.strides, step.padding);
        if (step.padBottom > 0 || step.padRight > 0) {
          x = tf.pad(x, [
            [0, 0],
            [0, step.padBottom],
            [0, step.padRight],
            [0, 0],
          ]);
        }
        x = activate(tf.add(x, this.biases[i]), last ? (this.args.outputActivation ?? "sigmoid") : "relu");
      }
      return x;
    });
  }

  /** Mean squared error between the reconstruction of `latent` and `target` (the scaled input). */
  loss(latent: tf.Tensor2D, target: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => mseLoss(this.apply(latent), target));
  }

  /** Parameters keyed "latent/kernel|bias" and "deconv<i>/filter|bias". */
  params(): ParamMap {
    return this.paramMap;
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.paramMap.values()) v.dispose();
  }
}
