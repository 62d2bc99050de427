import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { makeCoreWeights } from "./core_weights";
import {
  type CoreKind,
  checkCoreInputs,
  type MemoryCore,
  type MemoryState,
  type MemoryUnrollResult,
  unstackSteps,
} from "./memory_core";
import type { Parameterised, ParamMap } from "./params";

/** Arguments of {@link Gru} and {@link Rnn}. */
export interface StepwiseCoreArgs {
  /** Width F of each input vector. */
  inputDim: number;
  /** Width H of the hidden state h (also the output). */
  hiddenDim: number;
  /** Orthogonal-init gain of both kernels (default 1, as the LSTM's and CleanRL's recurrent PPO). */
  gain?: number;
  /** Run seed: each weight gets the stream of `deriveSeed(seed, <its name>)`, as the LSTM's. */
  seed: Seed;
}

/**
 * A core whose state is h alone. `unroll` runs the core's fused op (small-kernel layer) and
 * `unrollOpByOp` the reference on TF.js tensors (autodiff gives BPTT): the input projection of all
 * steps is one matmul [T·B, F]·[F, G·H] up front, then one step's arithmetic ({@link cell}) per
 * timestep. Weights: kernel [F, G·H] and recurrentKernel [H, G·H] orthogonal (gain
 * `gain`), bias [G·H] zero; G is the number of gate blocks (GRU 3, RNN 1).
 */
export abstract class StepwiseCore implements MemoryCore, Parameterised {
  abstract readonly kind: CoreKind;
  /** Input kernel [F, G·H]. */
  readonly kernel: tf.Variable<tf.Rank.R2>;
  /** Recurrent kernel [H, G·H]. */
  readonly recurrentKernel: tf.Variable<tf.Rank.R2>;
  /** Bias added to the input projection [G·H]. */
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly stateCount = 1;
  protected readonly paramMap: ParamMap = new Map();

  protected constructor(
    /** The block's name in errors ("Gru", "Rnn"). */
    protected readonly owner: string,
    args: StepwiseCoreArgs,
    gates: number,
  ) {
    const weights = makeCoreWeights(owner, args, gates, this.paramMap);
    this.kernel = weights.kernel;
    this.recurrentKernel = weights.recurrentKernel;
    this.bias = weights.bias;
    this.inputDim = args.inputDim;
    this.hiddenDim = args.hiddenDim;
  }

  /** One step's arithmetic from the projected input x·W + b [B, G·H] and the (masked) previous h. */
  protected abstract cell(projected: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D;

  /** All-zero state [h] of batch `batchSize` (the caller disposes it). */
  zeroState(batchSize: number): MemoryState {
    return [tf.zeros([batchSize, this.hiddenDim])];
  }

  /** One step x [B, F] from [h]; where `reset` [B] is 1 an episode begins and h is zeroed first. */
  step(x: tf.Tensor2D, state: MemoryState, reset?: tf.Tensor1D): MemoryState {
    checkCoreInputs(`${this.owner}.step`, true, this, ["h"], x, state, reset);
    return tf.tidy(() => {
      const projected = tf.add(tf.matMul(x, this.kernel), this.bias) as tf.Tensor2D;
      const h =
        reset === undefined
          ? state[0]
          : (tf.mul(state[0], tf.sub(1, tf.reshape(reset, [-1, 1]))) as tf.Tensor2D);
      return [this.cell(projected, h)];
    });
  }

  /**
   * The fused unroll of xs [T, B, F] from h0 [B, H] (gru-fused.ts, rnn-fused.ts): h after each step
   * [T, B, H]; `keep` [T, B] is 0 where an episode begins. Called with H a multiple of 4.
   */
  protected abstract fused(xs: tf.Tensor3D, h0: tf.Tensor2D, keep: tf.Tensor2D): tf.Tensor3D;

  /**
   * Runs xs [T, B, F] from [h]; `resets` [T, B] is 1 where an episode begins at that step (h is zeroed
   * before it, so neither state nor gradient crosses the boundary). One fused op with a hand-written
   * backward pass when H is a multiple of 4 (its SIMD cells take 4 units at a time), op by op
   * otherwise; the two agree, forward and gradients (tested).
   */
  unroll(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult {
    if (this.hiddenDim % 4 !== 0) return this.opByOp(`${this.owner}.unroll`, xs, state, resets);
    checkCoreInputs(`${this.owner}.unroll`, false, this, ["h"], xs, state, resets);
    return tf.tidy(() => {
      const [steps, batch] = xs.shape;
      const keep = (resets === undefined ? tf.ones([steps, batch]) : tf.sub(1, resets)) as tf.Tensor2D;
      const outputs = this.fused(xs, state[0], keep);
      const h = tf.reshape(tf.slice(outputs, [steps - 1, 0, 0], [1, batch, this.hiddenDim]), [
        batch,
        this.hiddenDim,
      ]) as tf.Tensor2D;
      return { outputs, state: [h] };
    });
  }

  /** {@link unroll} op by op on TF.js tensors, autodiff for BPTT: the reference a fused unroll is tested against. */
  unrollOpByOp(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult {
    return this.opByOp(`${this.owner}.unrollOpByOp`, xs, state, resets);
  }

  private opByOp(
    method: string,
    xs: tf.Tensor3D,
    state: MemoryState,
    resets?: tf.Tensor2D,
  ): MemoryUnrollResult {
    checkCoreInputs(method, false, this, ["h"], xs, state, resets);
    return tf.tidy(() => {
      const [steps, batch, features] = xs.shape;
      const width = this.kernel.shape[1];
      const projectedAll = tf.reshape(
        tf.fused.matMul({ a: tf.reshape(xs, [steps * batch, features]), b: this.kernel, bias: this.bias }),
        [steps, batch, width],
      );
      const projected = unstackSteps<tf.Tensor2D>(projectedAll);
      const keeps =
        resets === undefined
          ? undefined
          : unstackSteps<tf.Tensor2D>(tf.reshape(tf.sub(1, resets), [steps, batch, 1]));
      let h = state[0];
      const outputs: tf.Tensor2D[] = [];
      for (let t = 0; t < steps; t++) {
        const keep = keeps?.[t];
        h = this.cell(projected[t], keep === undefined ? h : (tf.mul(h, keep) as tf.Tensor2D));
        outputs.push(h);
      }
      return { outputs: tf.stack(outputs) as tf.Tensor3D, state: [h] };
    });
  }

  zeroStates(batch: number): MemoryState {
    return this.zeroState(batch);
  }

  stepStates(x: tf.Tensor2D, state: MemoryState, reset?: tf.Tensor1D): MemoryState {
    return this.step(x, state, reset);
  }

  unrollStates(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult {
    return this.unroll(xs, state, resets);
  }

  /** Parameters "kernel", "recurrentKernel", "bias" (and the GRU's "recurrentBias"). */
  params(): ParamMap {
    return this.paramMap;
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.paramMap.values()) v.dispose();
  }
}
