/**
 * Benchmark of the wasm kernel patches (src/nn/kernels) on the Nature-DQN CNN: conv 32 8x8/4, conv 64
 * 4x4/2, conv 64 3x3/1, dense 512, 6 Q-values; batch 32 x 84 x 84 x 4 NHWC; Adam train step.
 * Prints ONE JSON line (medians in ms after warm-up). Run: npx ts-node experiments/bench-conv-kernels.ts
 * Options: --reps N (default 20), --warmup N (default 5).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import seedrandom from "seedrandom";
import { medianMs as medianOf } from "../src/nn/bench";
import { registerWasmKernels, restoreStockWasmKernels } from "../src/nn/kernels";

const BATCH = 32;
const ACTIONS = 6;
const CONVS = [
  { filter: [8, 8, 4, 32], stride: 4 },
  { filter: [4, 4, 32, 64], stride: 2 },
  { filter: [3, 3, 64, 64], stride: 1 },
] as const;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const REPS = arg("reps", 20);
const WARMUP = arg("warmup", 5);

const rng = seedrandom("bench-conv-kernels");
function randomTensor(shape: number[], scale: number): tf.Tensor {
  const values = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng() - 1) * scale;
  return tf.tensor(values, shape);
}

/** Median wall time of `run` in ms, to 0.01 ms. */
function medianMs(run: () => void): number {
  return Math.round(medianOf(run, WARMUP, REPS) * 100) / 100;
}

/** The Nature-DQN network as raw ops on variables (fused conv + bias + relu, as tf.layers runs it). */
function natureCnn() {
  const convW = CONVS.map((c) =>
    tf.variable(randomTensor([...c.filter], 1 / Math.sqrt(c.filter[0] * c.filter[1] * c.filter[2]))),
  );
  const convB = CONVS.map((c) => tf.variable(tf.zeros([c.filter[3]])));
  const denseW = tf.variable(randomTensor([3136, 512], 1 / Math.sqrt(3136)));
  const denseB = tf.variable(tf.zeros([512]));
  const headW = tf.variable(randomTensor([512, ACTIONS], 1 / Math.sqrt(512)));
  const headB = tf.variable(tf.zeros([ACTIONS]));
  const forward = (x: tf.Tensor4D): tf.Tensor2D => {
    let h = x;
    CONVS.forEach((c, i) => {
      h = tf.fused.conv2d({
        x: h,
        filter: convW[i] as tf.Tensor4D,
        strides: c.stride,
        pad: "valid",
        bias: convB[i],
        activation: "relu",
      });
    });
    const flat = h.reshape([BATCH, 3136]) as tf.Tensor2D;
    const hidden = tf.fused.matMul({ a: flat, b: denseW as tf.Tensor2D, bias: denseB, activation: "relu" });
    return tf.fused.matMul({ a: hidden, b: headW as tf.Tensor2D, bias: headB }) as tf.Tensor2D;
  };
  return { forward, variables: [...convW, ...convB, denseW, denseB, headW, headB] };
}

/** Filter gradient as JS im2col (transposed, [K, N]) + one XNNPACK matMul: the option the patch beat. */
function filterGradIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  stride: number,
): tf.Tensor {
  const backend = tf.backend() as BackendWasm;
  const [B, H, W, C] = x.shape;
  const [, OH, OW, O] = dy.shape;
  const [KH, KW] = filterShape;
  const N = B * OH * OW;
  const K = KH * KW * C;
  const patches = backend.makeOutput([K, N], "float32");
  const p = backend.typedArrayFromHeap(patches) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let c = 0; c < C; c++) {
        let at = ((kh * KW + kw) * C + c) * N;
        for (let b = 0; b < B; b++)
          for (let oh = 0; oh < OH; oh++) {
            const base = ((b * H + oh * stride + kh) * W + kw) * C + c;
            for (let ow = 0; ow < OW; ow++) p[at++] = xv[base + ow * stride * C];
          }
      }
  const patchTensor = tf.engine().makeTensorFromTensorInfo(patches);
  const dW = tf.matMul(patchTensor, dy.reshape([N, O]));
  patchTensor.dispose();
  return dW;
}

async function main(): Promise<void> {
  await tf.setBackend("wasm");
  await tf.ready();
  const x = randomTensor([BATCH, 84, 84, 4], 1) as tf.Tensor4D;
  const actions = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % ACTIONS),
      "int32",
    ),
    ACTIONS,
  );
  const targets = randomTensor([BATCH], 1);
  const net = natureCnn();
  const optimizer = tf.train.adam(1e-4);
  const loss = () => net.forward(x).mul(actions).sum(1).sub(targets).square().mean() as tf.Scalar;

  const forwardMs = () =>
    medianMs(() => {
      const q = tf.tidy(() => net.forward(x));
      q.dataSync();
      q.dispose();
    });
  const trainMs = () =>
    medianMs(() => {
      const cost = optimizer.minimize(loss, true);
      cost?.dataSync();
      cost?.dispose();
    });

  // Stock: the forward pass needs no patch; training cannot run without a Conv2DBackpropFilter.
  restoreStockWasmKernels();
  const stockForward = forwardMs();
  // Missing kernels filled, stock BatchMatMul/Conv2DBackpropInput/MaxPoolGrad kept.
  registerWasmKernels();
  restoreStockWasmKernels(["BatchMatMul", "Conv2DBackpropInput", "MaxPoolGrad"]);
  const trainOnlyMissing = trainMs();
  registerWasmKernels();
  const patchedForward = forwardMs();
  const patchedTrain = trainMs();
  const tensorsBefore = tf.memory().numTensors;
  trainMs();
  const leakedPerStep = (tf.memory().numTensors - tensorsBefore) / (WARMUP + REPS);

  // The filter-gradient kernel alone, per layer, on the activations of the network.
  const filterGrad: number[] = [];
  const filterGradIm2colMs: number[] = [];
  let input: tf.Tensor4D = x;
  for (const c of CONVS) {
    const y = tf.conv2d(input, randomTensor([...c.filter], 0.1) as tf.Tensor4D, c.stride, "valid");
    const dy = randomTensor(y.shape, 1) as tf.Tensor4D;
    const attrs = { strides: c.stride, pad: "valid", dataFormat: "NHWC", filterShape: [...c.filter] };
    filterGrad.push(
      medianMs(() => {
        const dW = tf.engine().runKernel("Conv2DBackpropFilter", { x: input, dy }, attrs) as tf.Tensor;
        dW.dataSync();
        dW.dispose();
      }),
    );
    filterGradIm2colMs.push(
      medianMs(() => {
        const dW = filterGradIm2col(input, dy, c.filter, c.stride);
        dW.dataSync();
        dW.dispose();
      }),
    );
    if (input !== x) input.dispose();
    dy.dispose();
    input = tf.relu(y) as tf.Tensor4D;
    y.dispose();
  }
  const sum = (xs: number[]) => Math.round(xs.reduce((p, v) => p + v, 0) * 100) / 100;

  console.log(
    JSON.stringify({
      bench: "nature-cnn-wasm",
      batch: BATCH,
      reps: REPS,
      warmup: WARMUP,
      simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
      threads: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
      forwardMs: { stock: stockForward, patched: patchedForward },
      trainStepMs: { onlyMissingKernels: trainOnlyMissing, patched: patchedTrain },
      filterGradMs: { perLayer: filterGrad, total: sum(filterGrad) },
      filterGradIm2colMs: { perLayer: filterGradIm2colMs, total: sum(filterGradIm2colMs) },
      leakedTensorsPerStep: leakedPerStep,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
