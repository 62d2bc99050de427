import * as tf from "@tensorflow/tfjs";
import { fastTanh } from "./layers";
import { fusedRnnUnroll } from "./rnn-fused";
import { StepwiseCore, type StepwiseCoreArgs } from "./stepwise_core";

/** Arguments of {@link Rnn}. */
export type RnnArgs = StepwiseCoreArgs;

/**
 * The lecture's plain (Elman) RNN: h_t = tanh(W_x x_t + W_h h_{t−1} + b), one weight matrix on the
 * input (`kernel` [F, H]), one on the previous output (`recurrentKernel` [H, H], orthogonal: its
 * singular values are 1 at the start, so h neither blows up nor dies over the first steps) and one
 * bias [H] (zero). State [h].
 */
export class Rnn extends StepwiseCore {
  readonly kind = "rnn" as const;

  /** Creates the weights from the seed. */
  constructor(args: RnnArgs) {
    super("Rnn", args, 1);
  }

  protected fused(xs: tf.Tensor3D, h0: tf.Tensor2D, keep: tf.Tensor2D): tf.Tensor3D {
    return fusedRnnUnroll(xs, h0, keep, this.kernel, this.recurrentKernel, this.bias);
  }

  protected cell(projected: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    return fastTanh(tf.add(projected, tf.matMul(h, this.recurrentKernel)) as tf.Tensor2D);
  }
}
