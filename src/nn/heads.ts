import * as tf from "@tensorflow/tfjs";
import type { Seed, UniformSource } from "../core/rng";
import { requireBackend } from "./backend";
import { requirePositiveInteger, requirePositiveIntegers } from "./check";
import { type SoftmaxParts, softmaxParts } from "./fast_path";
import { type Activation, readValues } from "./layers";
import { logProbOfLabels } from "./losses";
import { Mlp } from "./mlp";
import type { Parameterised, ParamMap } from "./params";

/** Arguments shared by the heads. */
export interface HeadArgs {
  /** Width of the feature vector the head reads. */
  inputDim: number;
  /** Widths of hidden layers before the output layer (default none: one linear layer). */
  hidden?: number[];
  /** Activation of the hidden layers (default "tanh"). */
  activation?: Activation;
  /** Orthogonal-init gain of the output layer (defaults: Q 1, policy 0.01, value 1, as CleanRL). */
  outputGain?: number;
  /** Run seed. */
  seed: Seed;
}

/** Arguments of {@link QHead}. */
export interface QHeadArgs extends HeadArgs {
  /** Number of discrete actions. */
  numActions: number;
}

/** Arguments of {@link CategoricalPolicyHead}. */
export interface CategoricalPolicyHeadArgs extends HeadArgs {
  /** Number of discrete actions. */
  numActions: number;
}

abstract class MlpHead implements Parameterised {
  /** The layers of the head. */
  readonly net: Mlp;

  /** `numActions` is undefined for a one-output head. */
  protected constructor(owner: string, args: HeadArgs, numActions: number | undefined, defaultGain: number) {
    requireBackend(owner);
    requirePositiveInteger(owner, "inputDim", args.inputDim);
    if (args.hidden !== undefined) requirePositiveIntegers(owner, "hidden", args.hidden, 0);
    if (numActions !== undefined) requirePositiveInteger(owner, "numActions", numActions);
    this.net = new Mlp({
      sizes: [args.inputDim, ...(args.hidden ?? []), numActions ?? 1],
      activation: args.activation,
      outputGain: args.outputGain ?? defaultGain,
      seed: args.seed,
    });
  }

  /** Parameters of the layers. */
  params(): ParamMap {
    return this.net.params();
  }

  /** Frees the variables. */
  dispose(): void {
    this.net.dispose();
  }
}

/** Action values Q(s, ·) [B, A] from features [B, F]. */
export class QHead extends MlpHead {
  /** Creates the head. */
  constructor(args: QHeadArgs) {
    super("QHead", args, args.numActions, 1);
  }

  /** Q-values [B, A]. */
  apply(features: tf.Tensor2D): tf.Tensor2D {
    return this.net.apply(features);
  }
}

/** State value V(s) [B] from features [B, F]. */
export class ValueHead extends MlpHead {
  /** Creates the head. */
  constructor(args: HeadArgs) {
    super("ValueHead", args, undefined, 1);
  }

  /** Values [B]. */
  apply(features: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.net.apply(features), [-1]) as tf.Tensor1D);
  }
}

/** Categorical policy π(·|s): logits [B, A] from features [B, F], with log-prob, entropy and sampling. */
export class CategoricalPolicyHead extends MlpHead {
  /** Creates the head. */
  constructor(args: CategoricalPolicyHeadArgs) {
    super("CategoricalPolicyHead", args, args.numActions, 0.01);
  }

  /** Logits [B, A]. */
  apply(features: tf.Tensor2D): tf.Tensor2D {
    return this.net.apply(features);
  }

  /** log π(a|s) [B] of the given actions [B] (one-hot × log-softmax, differentiable on wasm). */
  logProb(logits: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
    return logProbOfLabels(logits, actions);
  }

  /** Entropy of π(·|s) [B]. */
  entropy(logits: tf.Tensor2D): tf.Tensor1D {
    return categoricalEntropy(logits);
  }

  /** One action per row, drawn with the given seeded RNG (e.g. the project's core `Rng`). */
  sample(logits: tf.Tensor2D, rng: UniformSource): Int32Array {
    return sampleCategorical(logits, rng);
  }
}

/** Entropy [B] of categorical distributions given by logits [B, A]. */
export function categoricalEntropy(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), -1)) as tf.Tensor1D;
  });
}

/**
 * Draws one index per row of logits [B, A] — a tensor, or a row-major Float32Array of B × `numActions`
 * values (default: one row) — by inverse CDF with a seeded RNG, so that runs replay exactly;
 * `tf.multinomial` treats seed 0 as "random" and is not used. `out` (length B) is filled if given.
 */
export function sampleCategorical(
  logits: tf.Tensor2D | Float32Array,
  rng: UniformSource,
  numActions?: number,
  out?: Int32Array,
): Int32Array {
  let cols: number;
  let values: Float32Array;
  if (logits instanceof Float32Array) {
    cols = numActions ?? logits.length;
    if (!Number.isInteger(cols) || cols < 1 || logits.length % cols !== 0) {
      throw new Error(
        `sampleCategorical: ${logits.length} logits do not split into rows of numActions = ${cols}`,
      );
    }
    values = logits;
  } else {
    cols = logits.shape[1];
    values = logits.dataSync() as Float32Array;
  }
  const rows = values.length / cols;
  const actions = out ?? new Int32Array(rows);
  const parts: SoftmaxParts = { max: 0, total: 0 };
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const { max, total } = softmaxParts(values, base, cols, parts);
    const u = rng.random() * total;
    let cumulative = 0;
    let chosen = cols - 1;
    for (let a = 0; a < cols; a++) {
      cumulative += Math.exp(values[base + a] - max);
      if (u < cumulative) {
        chosen = a;
        break;
      }
    }
    actions[r] = chosen;
  }
  return actions;
}

/** Index of the largest value per row (greedy action) of Q-values or logits. */
export function argmaxRows(values: tf.Tensor2D): Int32Array {
  return readValues(() => tf.argMax(values, -1)) as Int32Array;
}
