import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requirePositiveIntegers } from "./check";
import { MlpFastPath } from "./fast_path";
import { orthogonalInit, zerosInit } from "./init";
import { type Activation, denseForward } from "./layers";
import { makeVariable, type Parameterised, type ParamMap } from "./params";

/** Arguments of {@link Mlp}. */
export interface MlpArgs {
  /** Widths from input to output, e.g. [4, 64, 64, 2]; [in, out] is a single linear layer. */
  sizes: number[];
  /** Activation after every hidden layer (default "tanh", as CleanRL's PPO). */
  activation?: Activation;
  /** Activation after the output layer (default "linear"). */
  outputActivation?: Activation;
  /** Orthogonal-init gain of the hidden layers (default sqrt(2), as CleanRL). */
  hiddenGain?: number;
  /** Orthogonal-init gain of the output layer (default 1; CleanRL uses 0.01 for a policy, 1 for a value). */
  outputGain?: number;
  /** Run seed; each kernel gets its own stream derived from it and its path. */
  seed: Seed;
}

/** Multi-layer perceptron: dense layers with orthogonal kernels and zero biases. */
export class Mlp implements Parameterised {
  /** Kernel [in, out] of each layer. */
  readonly kernels: tf.Variable<tf.Rank.R2>[] = [];
  /** Bias [out] of each layer. */
  readonly biases: tf.Variable<tf.Rank.R1>[] = [];
  /** Activation of each layer (hidden ones, then the output one). */
  readonly activations: Activation[];
  /** Layer widths from input to output. */
  readonly sizes: readonly number[];
  private readonly paramMap: ParamMap = new Map();

  /** Creates the layers with seeded weights. */
  constructor(args: MlpArgs) {
    requireBackend("Mlp");
    requirePositiveIntegers("Mlp", "sizes", args.sizes, 2, "widths from input to output");
    this.sizes = [...args.sizes];
    const layers = args.sizes.length - 1;
    const hiddenGain = args.hiddenGain ?? Math.SQRT2;
    const outputGain = args.outputGain ?? 1;
    this.activations = [];
    for (let l = 0; l < layers; l++) {
      const last = l === layers - 1;
      const shape = [args.sizes[l], args.sizes[l + 1]];
      const kernel = makeVariable(
        orthogonalInit(last ? outputGain : hiddenGain),
        shape,
        args.seed,
        `dense${l}/kernel`,
        this.paramMap,
      );
      const bias = makeVariable(zerosInit, [args.sizes[l + 1]], args.seed, `dense${l}/bias`, this.paramMap);
      this.kernels.push(kernel as tf.Variable<tf.Rank.R2>);
      this.biases.push(bias as tf.Variable<tf.Rank.R1>);
      this.activations.push(last ? (args.outputActivation ?? "linear") : (args.activation ?? "tanh"));
    }
  }

  /** Input width. */
  get inputDim(): number {
    return this.sizes[0];
  }

  /** Output width. */
  get outputDim(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Forward pass of a batch [B, in] → [B, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (let l = 0; l < this.kernels.length; l++) {
        h = denseForward(h, this.kernels[l], this.biases[l], this.activations[l]);
      }
      return h;
    });
  }

  /** A plain-typed-array copy of the current weights for batch-1 acting; call `refresh` after training. */
  fastPath(): MlpFastPath {
    return new MlpFastPath(this);
  }

  /** Parameters keyed "dense<l>/kernel" and "dense<l>/bias". */
  params(): ParamMap {
    return this.paramMap;
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.paramMap.values()) v.dispose();
  }
}
