import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requirePositiveIntegers } from "./check";
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

/**
 * Batch-1 forward of an {@link Mlp} on plain Float32Arrays: no tensors, no kernel dispatch, no read-back,
 * so acting costs a few microseconds. Holds a snapshot of the weights: `refresh()` after each update.
 */
export class MlpFastPath {
  private readonly kernels: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private readonly buffers: Float32Array[] = [];

  /** Snapshots the weights of `mlp`. */
  constructor(private readonly mlp: Mlp) {
    for (let l = 0; l < mlp.kernels.length; l++) this.buffers.push(new Float32Array(mlp.sizes[l + 1]));
    this.refresh();
  }

  /** Copies the current weights of the network. */
  refresh(): void {
    this.kernels.length = 0;
    this.biases.length = 0;
    for (let l = 0; l < this.mlp.kernels.length; l++) {
      this.kernels.push(this.mlp.kernels[l].dataSync() as Float32Array);
      this.biases.push(this.mlp.biases[l].dataSync() as Float32Array);
    }
  }

  /**
   * Output for one input vector. The returned array is reused by the next call: copy it to keep it.
   */
  forward(input: ArrayLike<number>): Float32Array {
    const sizes = this.mlp.sizes;
    let x: ArrayLike<number> = input;
    if (input.length !== sizes[0]) throw new Error(`MlpFastPath: input length ${input.length} ≠ ${sizes[0]}`);
    for (let l = 0; l < this.kernels.length; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const w = this.kernels[l];
      const out = this.buffers[l];
      out.set(this.biases[l]);
      // Row-major [in, out]: the inner loop walks contiguous memory.
      for (let i = 0; i < nIn; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * nOut;
        for (let j = 0; j < nOut; j++) out[j] += xi * w[row + j];
      }
      applyInPlace(out, this.mlp.activations[l]);
      x = out;
    }
    return x as Float32Array;
  }
}

/**
 * Batched forward of an {@link Mlp} on plain Float32Arrays: B rows at once, for acting in a vector of
 * envs without tensors. Same snapshot semantics as {@link MlpFastPath}: `refresh()` after an update.
 */
export class MlpBatchFastPath {
  private readonly kernels: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private buffers: Float32Array[] = [];
  private capacity = 0;

  /** Snapshots the weights of `mlp`. */
  constructor(private readonly mlp: Mlp) {
    this.refresh();
  }

  /** Copies the current weights of the network. */
  refresh(): void {
    this.kernels.length = 0;
    this.biases.length = 0;
    for (let l = 0; l < this.mlp.kernels.length; l++) {
      this.kernels.push(this.mlp.kernels[l].dataSync() as Float32Array);
      this.biases.push(this.mlp.biases[l].dataSync() as Float32Array);
    }
  }

  /**
   * Outputs [B, out] (row-major) for inputs [B, in]. The returned array is reused by the next call with
   * the same or a smaller batch: copy it to keep it.
   */
  forward(input: ArrayLike<number>, batch: number): Float32Array {
    const sizes = this.mlp.sizes;
    if (input.length !== batch * sizes[0]) {
      throw new Error(`MlpBatchFastPath: input length ${input.length} ≠ batch ${batch} × ${sizes[0]}`);
    }
    if (batch > this.capacity) {
      this.buffers = sizes.slice(1).map((n) => new Float32Array(batch * n));
      this.capacity = batch;
    }
    let x: ArrayLike<number> = input;
    for (let l = 0; l < this.kernels.length; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const w = this.kernels[l];
      const bias = this.biases[l];
      const out = this.buffers[l];
      for (let b = 0; b < batch; b++) {
        const o = b * nOut;
        out.set(bias, o);
        const xo = b * nIn;
        for (let i = 0; i < nIn; i++) {
          const xi = x[xo + i];
          if (xi === 0) continue;
          const row = i * nOut;
          for (let j = 0; j < nOut; j++) out[o + j] += xi * w[row + j];
        }
      }
      applyInPlace(out.subarray(0, batch * nOut), this.mlp.activations[l]);
      x = out;
    }
    return (x as Float32Array).subarray(0, batch * sizes[sizes.length - 1]);
  }
}

function applyInPlace(v: Float32Array, activation: Activation): void {
  switch (activation) {
    case "linear":
      return;
    case "relu":
      for (let j = 0; j < v.length; j++) if (v[j] < 0) v[j] = 0;
      return;
    case "tanh":
      for (let j = 0; j < v.length; j++) v[j] = Math.tanh(v[j]);
      return;
    case "sigmoid":
      for (let j = 0; j < v.length; j++) v[j] = 1 / (1 + Math.exp(-v[j]));
      return;
  }
}
