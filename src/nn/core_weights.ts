// The weights every memory core (LSTM, GRU, RNN) starts from, made one way for all of them.
import type * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { requirePositiveInteger } from "./check";
import { type Initializer, orthogonalInit, zerosInit } from "./init";
import { makeVariable, type ParamMap } from "./params";

/** What {@link makeCoreWeights} reads of a core's arguments. */
export interface CoreWeightArgs {
  inputDim: number;
  hiddenDim: number;
  /** Orthogonal-init gain of both kernels (default 1). */
  gain?: number;
  seed: Seed;
}

/** A memory core's weights; width = gate blocks × H. */
export interface CoreWeights {
  /** Input kernel [F, width]. */
  kernel: tf.Variable<tf.Rank.R2>;
  /** Recurrent kernel [H, width]. */
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  /** Bias [width]. */
  bias: tf.Variable<tf.Rank.R1>;
}

/**
 * Checks `owner`'s sizes (naming it in errors), then makes its kernels orthogonal (gain `args.gain`)
 * and its bias (`biasInit`, zero by default), in this order, from the seed's streams "kernel",
 * "recurrentKernel" and "bias", into `paramMap`.
 */
export function makeCoreWeights(
  owner: string,
  args: CoreWeightArgs,
  gates: number,
  paramMap: ParamMap,
  biasInit: Initializer = zerosInit,
): CoreWeights {
  requireBackend(owner);
  const { inputDim, hiddenDim, seed } = args;
  requirePositiveInteger(owner, "inputDim", inputDim);
  requirePositiveInteger(owner, "hiddenDim", hiddenDim);
  const gain = args.gain ?? 1;
  const width = gates * hiddenDim;
  const kernel = makeVariable(orthogonalInit(gain), [inputDim, width], seed, "kernel", paramMap);
  const recurrentKernel = makeVariable(
    orthogonalInit(gain),
    [hiddenDim, width],
    seed,
    "recurrentKernel",
    paramMap,
  );
  const bias = makeVariable(biasInit, [width], seed, "bias", paramMap);
  return {
    kernel: kernel as tf.Variable<tf.Rank.R2>,
    recurrentKernel: recurrentKernel as tf.Variable<tf.Rank.R2>,
    bias: bias as tf.Variable<tf.Rank.R1>,
  };
}
