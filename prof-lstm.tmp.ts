import * as tf from "@tensorflow/tfjs";
import { Rng } from "./src/core/rng";
import { initBackend } from "./src/nn/backend";
import { mseLoss } from "./src/nn/losses";
import { makeMemoryCore } from "./src/nn/memory";
import { Mlp } from "./src/nn/mlp";
import { ClippedAdam } from "./src/nn/optimizer";
import { joinParams } from "./src/nn/params";
import { medianMs } from "./src/nn/bench";
async function main() {
  await initBackend("wasm");
  const rng = new Rng(1);
  const seqX = tf.randomNormal([16, 32, 4], 0, 1, "float32", 1) as tf.Tensor3D;
  const seqY = tf.randomNormal([16 * 32, 1], 0, 1, "float32", 2);
  const kind = (process.argv[2] ?? "lstm") as "lstm";
  const core = makeMemoryCore({ kind, inputDim: 4, hiddenDim: 64, seed: 2 });
  const out = new Mlp({ sizes: [64, 1], seed: 3 });
  const opt = new ClippedAdam(joinParams({ core, out }), { learningRate: 1e-3 });
  const step = () => opt.minimize(() => {
    const { outputs } = core.unrollStates(seqX, core.zeroStates(32));
    return mseLoss(out.apply(tf.reshape(outputs, [16 * 32, 64]) as tf.Tensor2D), seqY);
  });
  console.log("median ms", medianMs(step, 10, 100));
  const fwd = () => tf.tidy(() => { const { outputs } = core.unrollStates(seqX, core.zeroStates(32)); return mseLoss(out.apply(tf.reshape(outputs, [16 * 32, 64]) as tf.Tensor2D), seqY).dataSync(); });
  console.log("fwd+loss median ms", medianMs(fwd, 10, 100));
  await parts(core, out, opt, seqX, seqY);
  console.log("median ms", medianMs(step, 10, 100));
  const prof = await tf.profile(() => { for (let i = 0; i < 20; i++) step(); });
  const by: Record<string, [number, number]> = {};
  for (const k of prof.kernels) { const e = (by[k.name] ??= [0, 0]); e[0] += (k.kernelTimeMs as number); e[1]++; }
  const rows = Object.entries(by).map(([n, [t, c]]) => [n, +(t / 20).toFixed(3), c / 20] as const).sort((a, b) => b[1] - a[1]);
  console.log(rows);
  void rng;
}
main();
export async function parts(core: any, out: any, opt: any, seqX: tf.Tensor3D, seqY: tf.Tensor) {
  const lossFn = () => { const { outputs } = core.unrollStates(seqX, core.zeroStates(32)); return mseLoss(out.apply(tf.reshape(outputs, [16 * 32, 64]) as tf.Tensor2D), seqY) as tf.Scalar; };
  const grads = () => { const { value, grads } = tf.variableGrads(lossFn, opt.varList); value.dataSync(); for (const g of Object.values(grads)) (g as tf.Tensor).dispose(); value.dispose(); };
  console.log("variableGrads ms", medianMs(grads, 10, 100));
  const gradsData = () => { const { value, grads } = tf.variableGrads(lossFn, opt.varList); value.dataSync(); for (const g of Object.values(grads)) { (g as tf.Tensor).dataSync(); (g as tf.Tensor).dispose(); } value.dispose(); };
  console.log("variableGrads+dataSync ms", medianMs(gradsData, 10, 100));
}
