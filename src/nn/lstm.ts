import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireShape, sameShape } from "./check";
import { makeCoreWeights } from "./core_weights";
import { type Initializer, zerosInit } from "./init";
import { fastTanh } from "./layers";
import { fusedLstmUnroll } from "./lstm-fused";
import { type MemoryCore, type MemoryState, type MemoryUnrollResult, unstackSteps } from "./memory_core";
import type { Parameterised, ParamMap } from "./params";

/** Arguments of {@link Lstm}. */
export interface LstmArgs {
  /** Width F of each input vector. */
  inputDim: number;
  /** Width H of the hidden and cell state. */
  hiddenDim: number;
  /** Orthogonal-init gain of both kernels (default 1, as CleanRL's recurrent PPO). */
  gain?: number;
  /** Initial bias of the forget gate (default 0, as CleanRL; 1 helps long memories). */
  forgetBias?: number;
  /** Run seed. */
  seed: Seed;
}

/** Recurrent state of an {@link Lstm}: hidden h [B, H] and cell c [B, H]. */
export type LstmState = {
  /** Hidden state (also the output of the last step). */
  h: tf.Tensor2D;
  /** Cell state. */
  c: tf.Tensor2D;
};

/** Result of {@link Lstm.unroll}. */
export type LstmUnrollResult = {
  /** Hidden state after every step [T, B, H]. */
  outputs: tf.Tensor3D;
  /** State after the last step. */
  state: LstmState;
};

/**
 * LSTM core with the four gates fused: one [·, 4H] matmul per step on h, the input projection of all
 * timesteps done as one matmul up front. Gate order in the kernels is [input, forget, output, cell] so
 * that the three sigmoid gates are one contiguous slice.
 */
export class Lstm implements MemoryCore, Parameterised {
  readonly kind = "lstm" as const;
  /** State [h, c]. */
  readonly stateCount = 2;
  /** Input kernel [F, 4H]. */
  readonly kernel: tf.Variable<tf.Rank.R2>;
  /** Recurrent kernel [H, 4H]. */
  readonly recurrentKernel: tf.Variable<tf.Rank.R2>;
  /** Gate bias [4H]. */
  readonly bias: tf.Variable<tf.Rank.R1>;
  /** Width F of the inputs. */
  readonly inputDim: number;
  /** Width H of the state. */
  readonly hiddenDim: number;
  private readonly paramMap: ParamMap = new Map();

  /** Creates the weights from the seed. */
  constructor(args: LstmArgs) {
    const { hiddenDim } = args;
    const forgetBias = args.forgetBias ?? 0;
    const biasInit: Initializer =
      forgetBias === 0
        ? zerosInit
        : (shape) => {
            const b = new Float32Array(shape[0]);
            b.fill(forgetBias, hiddenDim, 2 * hiddenDim);
            return b;
          };
    const weights = makeCoreWeights("Lstm", args, 4, this.paramMap, biasInit);
    this.kernel = weights.kernel;
    this.recurrentKernel = weights.recurrentKernel;
    this.bias = weights.bias;
    this.inputDim = args.inputDim;
    this.hiddenDim = hiddenDim;
  }

  /** All-zero state for a batch of `batchSize` (the caller disposes it). */
  zeroState(batchSize: number): LstmState {
    return { h: tf.zeros([batchSize, this.hiddenDim]), c: tf.zeros([batchSize, this.hiddenDim]) };
  }

  /**
   * One timestep: x [B, F] and the previous state → the new state (its h is the output). Where
   * `reset` [B] is 1 an episode begins and the previous state is zeroed first.
   */
  step(x: tf.Tensor2D, state: LstmState, reset?: tf.Tensor1D): LstmState {
    this.checkInputs("Lstm.step", x, state, reset);
    return tf.tidy(() => {
      const projected = tf.add(tf.matMul(x, this.kernel), this.bias) as tf.Tensor2D;
      const keep = reset === undefined ? undefined : (tf.sub(1, tf.reshape(reset, [-1, 1])) as tf.Tensor2D);
      return this.cell(projected, state.h, state.c, keep);
    });
  }

  /**
   * Runs the sequence xs [T, B, F] from `state`; `resets` [T, B] is 1 where an episode begins at that step
   * (the state is zeroed before it). Differentiable end to end (backpropagation through time). One
   * fused op (lstm-fused.ts) when H is a multiple of 4, {@link unrollOpByOp} otherwise.
   */
  unroll(xs: tf.Tensor3D, state: LstmState, resets?: tf.Tensor2D): LstmUnrollResult {
    this.checkInputs("Lstm.unroll", xs, state, resets);
    // The fused op's SIMD cell takes 4 units at a time.
    if (this.hiddenDim % 4 !== 0) return this.unrollOpByOp(xs, state, resets);
    return tf.tidy(() => {
      const [steps, batch] = xs.shape;
      const keep = resets === undefined ? tf.ones([steps, batch]) : tf.sub(1, resets);
      const all = fusedLstmUnroll(
        xs,
        state.h,
        state.c,
        keep as tf.Tensor2D,
        this.kernel,
        this.recurrentKernel,
        this.bias,
      );
      const outputs = tf.slice(all, [0, 0, 0], [steps, batch, this.hiddenDim]) as tf.Tensor3D;
      const h = tf.reshape(tf.slice(all, [steps - 1, 0, 0], [1, batch, this.hiddenDim]), [
        batch,
        this.hiddenDim,
      ]);
      const c = tf.reshape(tf.slice(all, [steps, 0, 0], [1, batch, this.hiddenDim]), [batch, this.hiddenDim]);
      return { outputs, state: { h: h as tf.Tensor2D, c: c as tf.Tensor2D } };
    });
  }

  /**
   * Same result as {@link unroll}, op by op on TF.js tensors (fused gate matmul, input projection
   * precomputed): the reference the fused op is tested against, and a fallback.
   */
  unrollOpByOp(xs: tf.Tensor3D, state: LstmState, resets?: tf.Tensor2D): LstmUnrollResult {
    this.checkInputs("Lstm.unrollOpByOp", xs, state, resets);
    return tf.tidy(() => {
      const [steps, batch, features] = xs.shape;
      const h4 = 4 * this.hiddenDim;
      // Input projection of every timestep in one matmul.
      const projectedAll = tf.reshape(
        tf.fused.matMul({ a: tf.reshape(xs, [steps * batch, features]), b: this.kernel, bias: this.bias }),
        [steps, batch, h4],
      );
      const projected = unstackSteps<tf.Tensor2D>(projectedAll);
      const keeps =
        resets === undefined
          ? undefined
          : unstackSteps<tf.Tensor2D>(tf.reshape(tf.sub(1, resets), [steps, batch, 1]));
      let h = state.h;
      let c = state.c;
      const outputs: tf.Tensor2D[] = [];
      for (let t = 0; t < steps; t++) {
        const next = this.cell(projected[t], h, c, keeps?.[t]);
        h = next.h;
        c = next.c;
        outputs.push(h);
      }
      return { outputs: tf.stack(outputs) as tf.Tensor3D, state: { h, c } };
    });
  }

  /**
   * Checks the inputs of `step` (x [B, F]) or of an unroll (xs [T, B, F] with T ≥ 1): F = inputDim,
   * state h and c [B, H], resets [B] or [T, B]; each error names the method, the argument and the shape.
   */
  private checkInputs(
    method: string,
    x: tf.Tensor2D | tf.Tensor3D,
    state: LstmState,
    resets?: tf.Tensor1D | tf.Tensor2D,
  ): void {
    const F = this.inputDim;
    const H = this.hiddenDim;
    const single = method === "Lstm.step";
    const name = single ? "x" : "xs";
    const dims = single ? "[B, F] with" : "[T, B, F] with T ≥ 1,";
    requireShape(
      method,
      name,
      x,
      `${dims} B ≥ 1 and F = inputDim = ${F}`,
      (s) => s.length === (single ? 2 : 3) && s.every((d) => d >= 1) && s[s.length - 1] === F,
    );
    const batch = x.shape[x.shape.length - 2];
    for (const key of ["h", "c"] as const) {
      requireShape(
        method,
        `state.${key}`,
        (state as Partial<LstmState> | undefined)?.[key] as tf.Tensor2D,
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

  /** The gate arithmetic of one step given the projected input (x·Wx + b). */
  private cell(projected: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, keep?: tf.Tensor2D): LstmState {
    const H = this.hiddenDim;
    if (keep !== undefined) {
      h = tf.mul(h, keep);
      c = tf.mul(c, keep);
    }
    const z = tf.add(projected, tf.matMul(h, this.recurrentKernel)) as tf.Tensor2D;
    const batch = z.shape[0];
    const gates = tf.sigmoid(tf.slice(z, [0, 0], [batch, 3 * H]));
    const candidate = fastTanh(tf.slice(z, [0, 3 * H], [batch, H]));
    const [inputGate, forgetGate, outputGate] = tf.split(gates, 3, 1) as tf.Tensor2D[];
    const cNext = tf.add(tf.mul(forgetGate, c), tf.mul(inputGate, candidate)) as tf.Tensor2D;
    const hNext = tf.mul(outputGate, fastTanh(cNext)) as tf.Tensor2D;
    return { h: hNext, c: cNext };
  }

  /** {@link zeroState} as the list [h, c] (the {@link MemoryCore} interface). */
  zeroStates(batch: number): MemoryState {
    const { h, c } = this.zeroState(batch);
    return [h, c];
  }

  /** {@link step} on the list [h, c]. */
  stepStates(x: tf.Tensor2D, state: MemoryState, reset?: tf.Tensor1D): MemoryState {
    const { h, c } = this.step(x, { h: state[0], c: state[1] }, reset);
    return [h, c];
  }

  /** {@link unroll} (the fused op) on the list [h, c]. */
  unrollStates(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult {
    const { outputs, state: last } = this.unroll(xs, { h: state[0], c: state[1] }, resets);
    return { outputs, state: [last.h, last.c] };
  }

  /** Parameters "kernel", "recurrentKernel", "bias". */
  params(): ParamMap {
    return this.paramMap;
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.paramMap.values()) v.dispose();
  }
}
