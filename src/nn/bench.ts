import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng";
import { initBackend } from "./backend";
import { cnnPreset } from "./cnn";
import { QHead } from "./heads";
import { readValues } from "./layers";
import { mseLoss } from "./losses";
import { Lstm } from "./lstm";
import { Mlp } from "./mlp";
import { ClippedAdam } from "./optimizer";
import { joinParams } from "./params";

/** Figures printed by `pomdp bench nn`: milliseconds per step (µs for acting), median after warm-up. */
export interface NnBenchResult {
  /** TF.js backend the figures were measured on. */
  backend: string;
  /** Adam step of an MLP 4-64-64-2 tanh on a batch of 256 (ms). */
  mlpTrainMs: number;
  /** Adam step of LSTM(64) over [16, 32, 4] with a dense output per step (ms). */
  lstmTrainMs: number;
  /** Adam step of the Nature-DQN CNN (+ Q head) on 32 × 84 × 84 × 4 (ms). */
  cnnTrainMs: number;
  /** Forward pass of that CNN on the same batch, read back (ms). */
  cnnFwdMs: number;
  /** Batch-1 action of the MLP, forward + read-back, on the typed-array fast path (µs). */
  mlpActUs: number;
}

function randomTensor(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * scale;
  return tf.tensor(values, shape);
}

/** Median duration in ms of `fn` over `reps` runs after `warmup` runs. */
export function medianMs(fn: () => void, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * Measures the networks of the PyTorch comparison with the project's blocks on the current
 * backend (`backendName`, else as {@link initBackend} chooses). Leaves no tensors behind.
 */
export async function benchNn(backendName?: string): Promise<NnBenchResult> {
  const backend = await initBackend(backendName);
  const tensorsBefore = tf.memory().numTensors;
  const rng = new Rng(0);

  // MLP 4-64-64-2 tanh, batch 256.
  const mlp = new Mlp({ sizes: [4, 64, 64, 2], activation: "tanh", seed: 1 });
  const mlpOpt = new ClippedAdam(mlp.params(), { learningRate: 1e-3 });
  const mlpX = randomTensor([256, 4], rng) as tf.Tensor2D;
  const mlpY = randomTensor([256, 2], rng);
  const mlpTrainMs = medianMs(() => mlpOpt.minimize(() => mseLoss(mlp.apply(mlpX), mlpY)), 20, 200);

  // Batch-1 acting on the fast path: forward + the values in hand.
  const fast = mlp.fastPath();
  const obs = new Float32Array([0.1, -0.2, 0.3, 0.05]);
  let sink = 0;
  const actReps = 20000;
  const mlpActMs = medianMs(
    () => {
      for (let i = 0; i < actReps; i++) sink += fast.forward(obs)[0];
    },
    3,
    15,
  );
  if (Number.isNaN(sink)) throw new Error("bench: NaN in MLP output");

  // LSTM(64) over [16, 32, 4] with a dense output per step.
  const lstm = new Lstm({ inputDim: 4, hiddenDim: 64, seed: 2 });
  const lstmOut = new Mlp({ sizes: [64, 1], seed: 3 });
  const lstmOpt = new ClippedAdam(joinParams({ lstm, out: lstmOut }), { learningRate: 1e-3 });
  const seqX = randomTensor([16, 32, 4], rng) as tf.Tensor3D;
  const seqY = randomTensor([16 * 32, 1], rng);
  const lstmTrainMs = medianMs(
    () =>
      lstmOpt.minimize(() => {
        const state = lstm.zeroState(32);
        const { outputs } = lstm.unroll(seqX, state);
        return mseLoss(lstmOut.apply(tf.reshape(outputs, [16 * 32, 64]) as tf.Tensor2D), seqY);
      }),
    5,
    50,
  );

  // Nature CNN on 32 × 84 × 84 × 4 with a 6-action Q head.
  const cnn = cnnPreset("natureDqn", 4);
  const qHead = new QHead({ inputDim: cnn.outputDim, numActions: 6, seed: 5 });
  const cnnOpt = new ClippedAdam(joinParams({ cnn, q: qHead }), { learningRate: 1e-4 });
  const frames = tf.tidy(() => tf.abs(randomTensor([32, 84, 84, 4], rng)) as tf.Tensor4D);
  const targets = randomTensor([32, 6], rng);
  // Enough repetitions that the median is steady on a shared 2-core machine (about 3 s in all).
  const cnnFwdMs = medianMs(() => readValues(() => qHead.apply(cnn.apply(frames))), 3, 41);
  const cnnTrainMs = medianMs(
    () => cnnOpt.minimize(() => mseLoss(qHead.apply(cnn.apply(frames)), targets)),
    3,
    21,
  );

  for (const t of [mlpX, mlpY, seqX, seqY, frames, targets]) t.dispose();
  for (const block of [mlp, lstm, lstmOut, cnn, qHead]) block.dispose();
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`bench: ${leaked} tensors leaked`);
  return {
    backend,
    mlpTrainMs: round(mlpTrainMs, 3),
    lstmTrainMs: round(lstmTrainMs, 2),
    cnnTrainMs: round(cnnTrainMs, 1),
    cnnFwdMs: round(cnnFwdMs, 2),
    mlpActUs: round((mlpActMs * 1000) / actReps, 2),
  };
}

if (require.main === module) {
  benchNn()
    .then((result) => console.log(JSON.stringify(result)))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
