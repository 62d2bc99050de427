// A DenseStack bound to the TF.js variables of the Mlps it stands for: which parameter path each heap
// view is, and the copies between the two. The variables stay the record between training phases
// (checkpoints, evaluation, the fast path read them); the heap holds the weights while a fused step runs.
import * as tf from "@tensorflow/tfjs";
import type { Mlp } from "../mlp";
import type { ParamMap } from "../params";
import { DenseStack } from "./dense_stack";
import { readInto, tensorFrom } from "./tensor_io";

/** One dense layer's variables and their paths in the network's ParamMap. */
interface LayerVariables {
  kernel: tf.Variable;
  bias: tf.Variable;
  kernelPath: string;
  biasPath: string;
}

/** The sizes and activations of `mlps` run one after the other (each one's input the last one's output). */
export function chainShape(mlps: readonly Mlp[]): { sizes: number[]; activations: Mlp["activations"] } {
  return {
    sizes: [mlps[0].sizes[0], ...mlps.flatMap((m) => m.sizes.slice(1))],
    activations: mlps.flatMap((m) => m.activations),
  };
}

/**
 * A {@link DenseStack} holding the layers of `mlps` (in order), bound to their variables, whose paths
 * are looked up in `params` (the network's ParamMap: the paths an optimiser's slots are keyed by).
 */
export class DenseStackBinding {
  readonly stack: DenseStack;
  private readonly layers: LayerVariables[];
  private views?: {
    buffer: ArrayBuffer;
    values: Map<string, Float32Array>;
    grads: Map<string, Float32Array>;
  };

  constructor(mlps: readonly Mlp[], params: ParamMap) {
    const pathOf = new Map<tf.Variable, string>();
    for (const [path, variable] of params) pathOf.set(variable, path);
    const find = (variable: tf.Variable) => {
      const path = pathOf.get(variable);
      if (path === undefined)
        throw new Error(`DenseStackBinding: variable ${variable.name} is not among the parameters`);
      return path;
    };
    this.layers = mlps.flatMap((mlp) =>
      mlp.kernels.map((kernel, l) => ({
        kernel,
        bias: mlp.biases[l],
        kernelPath: find(kernel),
        biasPath: find(mlp.biases[l]),
      })),
    );
    this.stack = new DenseStack(chainShape(mlps));
  }

  /** Copies the variables' values onto the heap. */
  pull(): void {
    this.layers.forEach((layer, l) => {
      readInto(layer.kernel, this.stack.kernel(l));
      readInto(layer.bias, this.stack.bias(l));
    });
  }

  /** Writes the heap's values to the variables. */
  push(): void {
    this.layers.forEach((layer, l) => {
      tf.tidy(() => {
        layer.kernel.assign(tensorFrom(this.stack.kernel(l), layer.kernel.shape));
        layer.bias.assign(tensorFrom(this.stack.bias(l), layer.bias.shape));
      });
    });
  }

  /** The heap's values and gradients as views keyed by parameter path (for ClippedOptimizer.applyGradientArrays). */
  paramViews(): { values: Map<string, Float32Array>; grads: Map<string, Float32Array> } {
    const { stack } = this;
    const buffer = stack.values.buffer as ArrayBuffer;
    if (this.views?.buffer !== buffer) {
      const values = new Map<string, Float32Array>();
      const grads = new Map<string, Float32Array>();
      this.layers.forEach((layer, l) => {
        values.set(layer.kernelPath, stack.kernel(l));
        values.set(layer.biasPath, stack.bias(l));
        grads.set(layer.kernelPath, stack.kernel(l, stack.grads));
        grads.set(layer.biasPath, stack.bias(l, stack.grads));
      });
      this.views = { buffer, values, grads };
    }
    return this.views;
  }

  /** Frees the heap. */
  dispose(): void {
    this.stack.dispose();
  }
}
