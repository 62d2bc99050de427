// What the agents need of a memory core, whatever its kind: a zero state, one acting step and an unroll
// over [T, B, F] with an episode-start mask. The state is a list of [B, H] tensors whose first entry is
// h, the output: [h, c] for the LSTM, [h] for the GRU and the plain RNN.
import * as tf from "@tensorflow/tfjs";
import { requireShape, sameShape } from "./check";
import type { Parameterised } from "./params";

/** The memory cores: "none" (no memory) or one of the recurrent cells. */
export const MEMORY_KINDS = ["none", "rnn", "gru", "lstm"] as const;
/** A memory core's kind, or "none". */
export type MemoryKind = (typeof MEMORY_KINDS)[number];
/** The kind of an actual core. */
export type CoreKind = Exclude<MemoryKind, "none">;

/** How a label names each core (record's memory strip, logs). */
export const CORE_LABELS: Record<CoreKind, string> = { rnn: "RNN", gru: "GRU", lstm: "LSTM" };

/** A memory core's state: [B, H] tensors, h first (LSTM [h, c]; GRU and RNN [h]). */
export type MemoryState = tf.Tensor2D[];

/** Result of {@link MemoryCore.unrollStates}. */
export type MemoryUnrollResult = {
  /** h after every step [T, B, H]. */
  outputs: tf.Tensor3D;
  /** The state after the last step. */
  state: MemoryState;
};

/** A recurrent core as the agents use it (implemented by Lstm, Gru and Rnn). */
export interface MemoryCore extends Parameterised {
  /** Which core. */
  readonly kind: CoreKind;
  /** Width F of the inputs. */
  readonly inputDim: number;
  /** Width H of each state tensor (and of the output h). */
  readonly hiddenDim: number;
  /** Number of [B, H] tensors in the state: 2 for the LSTM (h, c), 1 for the GRU and the RNN (h). */
  readonly stateCount: number;
  /** An all-zero state of batch `batch` (the caller disposes it). */
  zeroStates(batch: number): MemoryState;
  /** One step x [B, F] from `state`; where `reset` [B] is 1 the state is zeroed first. */
  stepStates(x: tf.Tensor2D, state: MemoryState, reset?: tf.Tensor1D): MemoryState;
  /** The sequence xs [T, B, F] from `state`; `resets` [T, B] is 1 where an episode begins. Differentiable. */
  unrollStates(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult;
}

/**
 * Checks the inputs of a core's step (x [B, F]) or unroll (xs [T, B, F], T ≥ 1): F = inputDim, each
 * state tensor [B, H] (named `stateNames`), resets [B] or [T, B]; errors name the method and argument.
 */
export function checkCoreInputs(
  method: string,
  single: boolean,
  core: { inputDim: number; hiddenDim: number },
  stateNames: readonly string[],
  x: tf.Tensor2D | tf.Tensor3D,
  state: readonly tf.Tensor2D[],
  resets?: tf.Tensor1D | tf.Tensor2D,
): void {
  const F = core.inputDim;
  const H = core.hiddenDim;
  const name = single ? "x" : "xs";
  const dims = single ? "[B, F] with" : "[T, B, F] with T ≥ 1,";
  requireShape(
    method,
    name,
    x,
    `${dims} B ≥ 1 and F = inputDim = ${F}`,
    (s) => s.length === (single ? 2 : 3) && s.every((d) => d >= 1) && s[s.length - 1] === F,
  );
  if (!Array.isArray(state) || state.length !== stateNames.length) {
    throw new Error(
      `${method}: state must be a list of ${stateNames.length} tensor(s) [${stateNames.join(", ")}], got ${
        Array.isArray(state) ? `${state.length}` : typeof state
      }`,
    );
  }
  const batch = x.shape[x.shape.length - 2];
  for (const [i, key] of stateNames.entries()) {
    requireShape(
      method,
      `state[${i}] (${key})`,
      state[i],
      `[B, H] = [${batch}, ${H}] (B from ${name}, H = hiddenDim)`,
      (s) => sameShape(s, [batch, H]),
    );
  }
  if (resets !== undefined) {
    const expected = x.shape.slice(0, -1);
    requireShape(
      method,
      single ? "reset" : "resets",
      resets,
      `${single ? "[B]" : "[T, B]"} = [${expected.join(", ")}] (from ${name})`,
      (s) => sameShape(s, expected),
    );
  }
}

/**
 * The T steps of a time-major tensor [T, …] as T tensors [… ]: tf.unstack, except for T = 1, where
 * TF.js's gradient of a one-output Unpack fails ("Argument tensors passed to stack must be a
 * `Tensor[]`"), so a reshape is used.
 */
export function unstackSteps<R extends tf.Tensor>(x: tf.Tensor): R[] {
  return (x.shape[0] === 1 ? [tf.reshape(x, x.shape.slice(1))] : tf.unstack(x)) as R[];
}
