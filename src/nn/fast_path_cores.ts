// The acting fast path of the GRU and the plain RNN, as LstmFastPath is the LSTM's: the projections
// come from one TF.js matmul on [x, h] (wasm's is far faster than a JavaScript loop), the gate
// arithmetic runs on the typed arrays of the recurrent state, which it updates in place.
import * as tf from "@tensorflow/tfjs";
import type { Gru } from "./gru";
import { readValues } from "./layers";
import type { Rnn } from "./rnn";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One step of a {@link Gru} or {@link Rnn} over a batch on typed arrays, the same arithmetic as their
 * `step`. The RNN stacks [W_x; W_h] ([F + H, H]); the GRU a block-diagonal [[W_i, 0], [0, W_h]]
 * ([F + H, 6H]) so that one matmul gives the input and the recurrent projections apart (its reset gate
 * multiplies the recurrent one alone). `refresh()` after an update.
 */
export class StepwiseCoreFastPath {
  private stacked?: tf.Tensor2D;
  private bias?: tf.Tensor1D;
  private xh = new Float32Array(0);

  constructor(private readonly core: Gru | Rnn) {}

  /** Drops the stacked weights: the next step reads the current ones. */
  refresh(): void {
    this.stacked?.dispose();
    this.bias?.dispose();
    this.stacked = undefined;
    this.bias = undefined;
  }

  /** Frees the stacked weights. */
  dispose(): void {
    this.refresh();
  }

  private weights(): { stacked: tf.Tensor2D; bias: tf.Tensor1D } {
    if (this.stacked === undefined || this.bias === undefined) {
      const core = this.core;
      [this.stacked, this.bias] = tf.tidy(() => {
        if (core.kind === "rnn") {
          return [tf.concat([core.kernel, core.recurrentKernel], 0) as tf.Tensor2D, tf.clone(core.bias)];
        }
        const [F, G] = core.kernel.shape;
        const H = core.hiddenDim;
        const top = tf.concat([core.kernel, tf.zeros([F, G])], 1);
        const bottom = tf.concat([tf.zeros([H, G]), core.recurrentKernel], 1);
        return [
          tf.concat([top, bottom], 0) as tf.Tensor2D,
          tf.concat([core.bias, core.recurrentBias]) as tf.Tensor1D,
        ];
      });
    }
    return { stacked: this.stacked, bias: this.bias };
  }

  /** x [B, F] → h [B, H] updated in place (a view at `offset` into the state array). */
  step(x: Float32Array, h: Float32Array, offset: number, batch: number): void {
    const F = this.core.inputDim;
    const H = this.core.hiddenDim;
    const K = F + H;
    const { stacked, bias } = this.weights();
    if (this.xh.length !== batch * K) this.xh = new Float32Array(batch * K);
    const xh = this.xh;
    for (let b = 0; b < batch; b++) {
      xh.set(x.subarray(b * F, (b + 1) * F), b * K);
      xh.set(h.subarray(offset + b * H, offset + (b + 1) * H), b * K + F);
    }
    const z = readValues(() =>
      tf.fused.matMul({ a: tf.tensor2d(xh, [batch, K]), b: stacked, bias }),
    ) as Float32Array;
    if (this.core.kind === "rnn") {
      for (let b = 0; b < batch; b++)
        for (let j = 0; j < H; j++) h[offset + b * H + j] = Math.tanh(z[b * H + j]);
      return;
    }
    // Row b of z: [input r, z, n | recurrent r, z, n], each H wide.
    for (let b = 0; b < batch; b++) {
      const row = b * 6 * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(z[row + j] + z[row + 3 * H + j]);
        const u = sigmoid(z[row + H + j] + z[row + 4 * H + j]);
        const n = Math.tanh(z[row + 2 * H + j] + r * z[row + 5 * H + j]);
        const at = offset + b * H + j;
        h[at] = n + u * (h[at] - n);
      }
    }
  }
}
