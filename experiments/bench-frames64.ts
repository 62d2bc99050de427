/**
 * Benchmark of the `frames64` CNN (CartPole-Pixels' encoder) on the wasm backend: the encoder as built
 * by `cnnPreset` with a policy (2) and a value (1) head, an Adam train step on a batch of 64x64 grey
 * frames, the forward pass of 4 frames (acting), and where a train step's time goes, kernel by kernel
 * (tf.profile).
 * Prints ONE JSON line (medians in ms after warm-up). Run: npx ts-node experiments/bench-frames64.ts
 * Options: --batch N (default 128, PPO's minibatch on CartPole-Pixels), --channels C (default 1),
 * --reps N (default 10), --warmup N (default 3); POMDP_BACKEND picks the backend (default wasm).
 */
import * as tf from "@tensorflow/tfjs";
import seedrandom from "seedrandom";
import { initBackend } from "../src/nn/backend";
import { medianMs as medianOf } from "../src/nn/bench";
import { cnnPreset } from "../src/nn/cnn";

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const BATCH = arg("batch", 128);
const CHANNELS = arg("channels", 1);
const REPS = arg("reps", 10);
const WARMUP = arg("warmup", 3);
const ACT_BATCH = 4;

const rng = seedrandom("bench-frames64");
/** Frames of bytes, scaled to [0, 1] as the agent's network scales them. */
function frames(n: number): tf.Tensor4D {
  const values = new Float32Array(n * 64 * 64 * CHANNELS);
  for (let i = 0; i < values.length; i++) values[i] = Math.floor(rng() * 256) / 255;
  return tf.tensor4d(values, [n, 64, 64, CHANNELS]);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const medianMs = (run: () => void) => round2(medianOf(run, WARMUP, REPS));

async function main(): Promise<void> {
  const backend = await initBackend(process.env.POMDP_BACKEND ?? "wasm");
  const encoder = cnnPreset("frames64", 1, { inputShape: [64, 64, CHANNELS] });
  const headRng = seedrandom("heads");
  const head = (units: number) =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: encoder.outputDim * units }, () => (2 * headRng() - 1) * 0.01),
        [encoder.outputDim, units],
      ),
    );
  const policyW = head(2);
  const valueW = head(1);
  const x = frames(BATCH);
  const xAct = frames(ACT_BATCH);
  const targets = tf.tensor2d(
    Float32Array.from({ length: BATCH * 3 }, () => rng()),
    [BATCH, 3],
  );
  const optimizer = tf.train.adam(2.5e-4);
  const loss = () =>
    tf.tidy(() => {
      const features = encoder.apply(x);
      const out = tf.concat([tf.matMul(features, policyW), tf.matMul(features, valueW)], 1);
      return tf.losses.meanSquaredError(targets, out) as tf.Scalar;
    });
  const trainStep = () => {
    const cost = optimizer.minimize(loss, true);
    cost?.dataSync();
    cost?.dispose();
  };
  const actStep = () => {
    const out = tf.tidy(() => tf.matMul(encoder.apply(xAct), policyW));
    out.dataSync();
    out.dispose();
  };

  const trainMs = medianMs(trainStep);
  const actMs = medianMs(actStep);
  const tensorsBefore = tf.memory().numTensors;
  trainStep();
  const leaked = tf.memory().numTensors - tensorsBefore;

  // Where a train step goes: kernel time summed by kernel name over one profiled step.
  const profile = await tf.profile(trainStep);
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) {
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  const kernelMs = Object.fromEntries(
    [...byKernel.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, ms]) => [name, round2(ms)]),
  );
  console.log(
    JSON.stringify({
      bench: "frames64-cnn",
      backend,
      batch: BATCH,
      channels: CHANNELS,
      reps: REPS,
      warmup: WARMUP,
      trainStepMs: trainMs,
      actForwardMs: actMs,
      actBatch: ACT_BATCH,
      profiledStepKernelMs: kernelMs,
      leakedTensorsPerStep: leaked,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
