import * as tf from "@tensorflow/tfjs";
import { fusedGruUnroll } from "./gru-fused";
import { zerosInit } from "./init";
import { fastTanh } from "./layers";
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

  protected fused(xs: tf.Tensor3D, h0: tf.Tensor2D, keep: tf.Tensor2D): tf.Tensor3D {
    return fusedGruUnroll(xs, h0, keep, this.kernel, this.recurrentKernel, this.bias, this.recurrentBias);
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
