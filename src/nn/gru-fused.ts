import * as tf from "@tensorflow/tfjs";
import { readValues } from "./layers";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The whole GRU unroll (PyTorch's equations, see gru.ts) as one custom-gradient op, as
 * fusedLstmUnroll is the LSTM's: the matmuls run in TF.js (the input projection of all steps, one per
 * step on h each way, three at the end of the backward pass), the gate arithmetic on Float32Arrays
 * instead of a dozen kernel dispatches per step in each direction.
 *
 * Inputs: xs [T, B, F], h0 [B, H], keep [T, B] (0 where an episode begins: h is zeroed before that
 * step), kernel [F, 3H], recurrentKernel [H, 3H], bias [3H], recurrentBias [3H]; gate order [r, z, n].
 * Output: h after each step [T, B, H].
 */
export function fusedGruUnroll(
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  keep: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  recurrentBias: tf.Tensor1D,
): tf.Tensor3D {
  return gruOp(xs, h0, keep, kernel, recurrentKernel, bias, recurrentBias) as tf.Tensor3D;
}

const gruOp = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's variadic signature
  ((...args: any[]) => {
    const [xs, h0, keep, kernel, recurrentKernel, bias, recurrentBias, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor1D,
      (tensors: tf.Tensor[]) => void,
    ];
    // Inputs may be intermediates freed before the backward pass: the tape keeps what is saved.
    save([xs, kernel, recurrentKernel]);
    const [T, B, F] = xs.shape;
    const H = recurrentKernel.shape[0];
    const G = 3 * H;
    const BH = B * H;
    const BG = B * G;
    const projected = readValues(() =>
      tf.fused.matMul({ a: tf.reshape(xs, [T * B, F]) as tf.Tensor2D, b: kernel, bias }),
    ) as Float32Array;
    const recurrentBiasValues = recurrentBias.dataSync() as Float32Array;
    const keepValues = keep.dataSync() as Float32Array;
    // Saved for the backward pass: masked previous h, the gates r, z, n and the recurrent n-projection.
    const hPrevAll = new Float32Array(T * BH);
    const gatesAll = new Float32Array(T * BG);
    const recurrentNAll = new Float32Array(T * BH);
    const result = new Float32Array(T * BH);
    let h: Float32Array = Float32Array.from(h0.dataSync() as Float32Array);
    for (let t = 0; t < T; t++) {
      const hp = hPrevAll.subarray(t * BH, (t + 1) * BH);
      let anyState = false;
      for (let b = 0; b < B; b++) {
        const k = keepValues[t * B + b];
        for (let j = 0; j < H; j++) {
          hp[b * H + j] = h[b * H + j] * k;
          if (hp[b * H + j] !== 0) anyState = true;
        }
      }
      const recurrent = anyState
        ? (readValues(() => tf.matMul(tf.tensor2d(hp, [B, H]), recurrentKernel)) as Float32Array)
        : null;
      const next = result.subarray(t * BH, (t + 1) * BH);
      for (let b = 0; b < B; b++) {
        const p = (t * B + b) * G;
        const q = b * G;
        for (let j = 0; j < H; j++) {
          const rec = (g: number) =>
            (recurrent ? recurrent[q + g * H + j] : 0) + recurrentBiasValues[g * H + j];
          const r = sigmoid(projected[p + j] + rec(0));
          const z = sigmoid(projected[p + H + j] + rec(1));
          const recN = rec(2);
          const n = Math.tanh(projected[p + 2 * H + j] + r * recN);
          const n0 = b * H + j;
          next[n0] = n + z * (hp[n0] - n);
          gatesAll[p + j] = r;
          gatesAll[p + H + j] = z;
          gatesAll[p + 2 * H + j] = n;
          recurrentNAll[t * BH + n0] = recN;
        }
      }
      h = next;
    }
    const value = tf.tensor3d(result, [T, B, H]);

    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xsSaved, kernelSaved, recurrentSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      // Transposed once: a transposeB matmul on wasm transposes its operand on every call.
      const recurrentT = tf.transpose(recurrentSaved) as tf.Tensor2D;
      const dyValues = dy.dataSync() as Float32Array;
      // Gradients of the input pre-activations (x·W + b) and of the recurrent ones (h·U + b_h).
      const dInput = new Float32Array(T * BG);
      const dRecurrent = new Float32Array(T * BG);
      let dh = new Float32Array(BH);
      for (let t = T - 1; t >= 0; t--) {
        const hp = hPrevAll.subarray(t * BH, (t + 1) * BH);
        const dHp = new Float32Array(BH);
        for (let b = 0; b < B; b++) {
          const p = (t * B + b) * G;
          for (let j = 0; j < H; j++) {
            const n0 = b * H + j;
            const r = gatesAll[p + j];
            const z = gatesAll[p + H + j];
            const n = gatesAll[p + 2 * H + j];
            const dOut = dh[n0] + dyValues[t * BH + n0];
            const dn = dOut * (1 - z) * (1 - n * n);
            const dr = dn * recurrentNAll[t * BH + n0] * r * (1 - r);
            const dz = dOut * (hp[n0] - n) * z * (1 - z);
            dInput[p + j] = dr;
            dInput[p + H + j] = dz;
            dInput[p + 2 * H + j] = dn;
            dRecurrent[p + j] = dr;
            dRecurrent[p + H + j] = dz;
            dRecurrent[p + 2 * H + j] = dn * r;
            dHp[n0] = dOut * z;
          }
        }
        const fromRecurrent = readValues(() =>
          tf.matMul(tf.tensor2d(dRecurrent.subarray(t * BG, (t + 1) * BG), [B, G]), recurrentT),
        ) as Float32Array;
        dh = new Float32Array(BH);
        for (let b = 0; b < B; b++) {
          const k = keepValues[t * B + b];
          for (let j = 0; j < H; j++) dh[b * H + j] = (dHp[b * H + j] + fromRecurrent[b * H + j]) * k;
        }
      }
      recurrentT.dispose();
      return tf.tidy(() => {
        const dIn = tf.tensor2d(dInput, [T * B, G]);
        const dRec = tf.tensor2d(dRecurrent, [T * B, G]);
        const xFlat = tf.reshape(xsSaved, [T * B, F]) as tf.Tensor2D;
        const hPrev = tf.tensor2d(hPrevAll, [T * B, H]);
        return [
          tf.reshape(tf.matMul(dIn, kernelSaved, false, true), [T, B, F]),
          tf.tensor2d(dh, [B, H]),
          tf.zeros([T, B]),
          tf.matMul(xFlat, dIn, true, false),
          tf.matMul(hPrev, dRec, true, false),
          tf.sum(dIn, 0),
          tf.sum(dRec, 0),
        ];
      });
    };
    return { value, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0],
);
