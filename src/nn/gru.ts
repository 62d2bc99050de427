import * as tf from "@tensorflow/tfjs";
import { fusedGruUnroll } from "./gru-fused";
import { zerosInit } from "./init";
import { fastTanh } from "./layers";
import { checkCoreInputs, type MemoryState, type MemoryUnrollResult } from "./memory_core";
import { makeVariable } from "./params";
import { StepwiseCore, type StepwiseCoreArgs } from "./stepwise_core";

/** Arguments of {@link Gru}. */
export type GruArgs = StepwiseCoreArgs;

/**
 * GRU with PyTorch's nn.GRU equations (cuDNN's variant: the reset gate is applied after the recurrent
 * matmul, so the recurrent projection of all three gates is one matmul; Cho et al. 2014 reset h before
 * it instead):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h′ = (1 − z) ⊙ n + z ⊙ h.
 * Gate order in the kernels is [r, z, n]: `kernel` [F, 3H] and `recurrentKernel` [H, 3H] orthogonal,
 * `bias` (b_i·) and `recurrentBias` (b_h·) [3H] zero. State [h].
 */
export class Gru extends StepwiseCore {
  readonly kind = "gru" as const;
  /** Bias of the recurrent projection [3H] (b_hr, b_hz, b_hn; b_hn sits inside r ⊙ (…)). */
  readonly recurrentBias: tf.Variable<tf.Rank.R1>;

  /** Creates the weights from the seed. */
  constructor(args: GruArgs) {
    super("Gru", args, 3);
    this.recurrentBias = makeVariable(
      zerosInit,
      [3 * args.hiddenDim],
      args.seed,
      "recurrentBias",
      this.paramMap,
    ) as tf.Variable<tf.Rank.R1>;
  }

  /**
   * Runs xs [T, B, F] from [h] as one fused op (gru-fused.ts: the gate arithmetic on typed arrays, a
   * hand-written backward pass); `resets` [T, B] is 1 where an episode begins (h is zeroed before that
   * step). Equal to {@link unrollOpByOp}, forward and gradients (tested).
   */
  override unroll(xs: tf.Tensor3D, state: MemoryState, resets?: tf.Tensor2D): MemoryUnrollResult {
    checkCoreInputs("Gru.unroll", false, this, ["h"], xs, state, resets);
    return tf.tidy(() => {
      const [steps, batch] = xs.shape;
      const keep = (resets === undefined ? tf.ones([steps, batch]) : tf.sub(1, resets)) as tf.Tensor2D;
      const outputs = fusedGruUnroll(
        xs,
        state[0],
        keep,
        this.kernel,
        this.recurrentKernel,
        this.bias,
        this.recurrentBias,
      );
      const h = tf.reshape(tf.slice(outputs, [steps - 1, 0, 0], [1, batch, this.hiddenDim]), [
        batch,
        this.hiddenDim,
      ]) as tf.Tensor2D;
      return { outputs, state: [h] };
    });
  }

  protected cell(projected: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    const H = this.hiddenDim;
    const batch = projected.shape[0];
    const recurrent = tf.add(tf.matMul(h, this.recurrentKernel), this.recurrentBias) as tf.Tensor2D;
    const rz = tf.sigmoid(
      tf.add(tf.slice(projected, [0, 0], [batch, 2 * H]), tf.slice(recurrent, [0, 0], [batch, 2 * H])),
    );
    const [r, z] = tf.split(rz, 2, 1) as tf.Tensor2D[];
    const n = fastTanh(
      tf.add(
        tf.slice(projected, [0, 2 * H], [batch, H]),
        tf.mul(r, tf.slice(recurrent, [0, 2 * H], [batch, H])),
      ),
    );
    // h′ = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n).
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
  }
}
