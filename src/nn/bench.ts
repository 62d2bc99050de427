import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng";
import { backendFacts, initBackend } from "./backend";
import { cnnPreset } from "./cnn";
import { QHead } from "./heads";
import { readValues } from "./layers";
import { mseLoss } from "./losses";
import { makeMemoryCore } from "./memory";
import type { CoreKind } from "./memory_core";
import { Mlp } from "./mlp";
import { ClippedAdam } from "./optimizer";
import { joinParams } from "./params";
import { DenseStackBinding } from "./small/dense_binding";

/** Figures printed by `pomdp bench nn`: milliseconds per step (µs for acting), median after warm-up. */
export interface NnBenchResult {
  /** TF.js backend the figures were measured on. */
  backend: string;
  /** On wasm: the binary (`threaded-simd` or `simd`), see src/nn/wasm_threads.ts. */
  wasmBuild?: string;
  /** On wasm: the threads XNNPACK used (`POMDP_WASM_THREADS`, default auto: the idle cores). */
  wasmThreads?: number;
  /** On wasm: how the thread count was chosen, e.g. "2" or "auto (2 cores, load average 0.31)". */
  wasmThreadsChoice?: string;
  /** On wasm, when threads were asked for but unavailable: why it runs single-threaded. */
  wasmThreadsFallback?: string;
  /** TF.js version. */
  tfjs: string;
  /**
   * Adam step of an MLP 4-64-64-2 tanh on a batch of 256, mse loss (ms): the fused step of the
   * small-kernel layer (src/nn/small/dense_stack.ts), as DQN's Q-network trains.
   */
  mlpTrainMs: number;
  /** The same step as a TF.js graph (variableGrads of the loss, then ClippedAdam) (ms). */
  mlpGraphTrainMs: number;
  /** Adam step of LSTM(64) over [T 16, B 32, F 4] (time-major) with a dense output per step (ms). */
  lstmTrainMs: number;
  /** The same step with a GRU(64) (ms). */
  gruTrainMs: number;
  /** The same step with the plain tanh RNN(64) (ms). */
  rnnTrainMs: number;
  /** Adam step of the Nature-DQN CNN (+ Q head) on 32 × 84 × 84 × 4 (ms). Not on `cpu`: see `skipped`. */
  cnnTrainMs?: number;
  /** On `cpu` only, in place of `cnnTrainMs`: the same step on 4 × 84 × 84 × 4 (ms). */
  cnnTrainMsBatch4?: number;
  /** Forward pass of that CNN on 32 × 84 × 84 × 4, read back (ms). */
  cnnFwdMs: number;
  /**
   * CPU time of the main thread per Nature-CNN forward pass while `cnnFwdMs` was measured (ms; Linux
   * only, from /proc, 10 ms ticks over all repetitions). On a busy machine the wall clock mostly measures
   * waiting for a core; this is the work on the critical path, an estimate of the quiet wall time (with
   * several wasm threads, when the pool's threads keep up: see `cnnFwdPoolCpuMs`).
   */
  cnnFwdMainCpuMs?: number;
  /** CPU time of this process's other threads per forward pass (the wasm pool, V8's helpers) (ms). */
  cnnFwdPoolCpuMs?: number;
  /** The same as `cnnFwdMainCpuMs` for the training step (`cnnTrainMs`). */
  cnnTrainMainCpuMs?: number;
  /** The same as `cnnFwdPoolCpuMs` for the training step. */
  cnnTrainPoolCpuMs?: number;
  /** Batch-1 action of the MLP, forward + read-back, on the typed-array fast path (µs). */
  mlpActUs: number;
  /** Figures left out on this backend, each with the reason (empty when none was). */
  skipped: Record<string, string>;
}

/** Receives one line of progress per figure, before and after it is measured (the CLI: stderr). */
export type BenchProgress = (line: string) => void;

/**
 * The pure-JS `cpu` backend takes about 30 s per Adam step of the Nature CNN at batch 32 on this
 * project's 2-core machines (the old figure's 24 steps took over 10 minutes), so on `cpu` that step is
 * measured at this batch instead, with fewer repetitions.
 */
export const CPU_CNN_TRAIN_BATCH = 4;

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

/** Milliseconds per clock tick of /proc's thread times (USER_HZ is 100 on Linux). */
const TICK_MS = 10;

/** CPU ms of this process's main thread and of its other threads so far (Linux /proc), or null. */
export function threadCpuMs(): { main: number; other: number } | null {
  const dir = "/proc/self/task";
  if (!fs.existsSync(dir)) return null;
  let main = 0;
  let other = 0;
  for (const tid of fs.readdirSync(dir)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`${dir}/${tid}/stat`, "utf8");
    } catch {
      continue; // a thread that ended meanwhile
    }
    // Fields after the command name "(…)": state is the 3rd field, utime and stime the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    if (Number(tid) === process.pid) main += ms;
    else other += ms;
  }
  return { main, other };
}

/** Runs `measure` and returns its result with the main and other threads' CPU ms per repetition. */
function withThreadCpu<T>(reps: number, measure: () => T): { value: T; main?: number; other?: number } {
  const before = threadCpuMs();
  const value = measure();
  const after = threadCpuMs();
  if (before === null || after === null) return { value };
  return {
    value,
    main: round((after.main - before.main) / reps, 1),
    other: round((after.other - before.other) / reps, 1),
  };
}

/**
 * Measures the networks of the PyTorch comparison with the project's blocks on the current
 * backend (`backendName`, else as {@link initBackend} chooses), reporting each figure to `progress` as it
 * goes. On `cpu` the Nature-CNN training step is measured at batch {@link CPU_CNN_TRAIN_BATCH}
 * (`cnnTrainMsBatch4`; `skipped` says why) and both CNN figures with fewer repetitions, so the whole run
 * takes about a minute instead of over a quarter of an hour. Leaves no tensors behind.
 */
export async function benchNn(
  backendName?: string,
  progress: BenchProgress = () => {},
): Promise<NnBenchResult> {
  const backend = await initBackend(backendName);
  const tensorsBefore = tf.memory().numTensors;
  const rng = new Rng(0);
  const onCpu = backend === "cpu";
  const cnnTrainBatch = onCpu ? CPU_CNN_TRAIN_BATCH : 32;
  const cnnTrainName = onCpu ? `cnnTrainMsBatch${CPU_CNN_TRAIN_BATCH}` : "cnnTrainMs";
  const skipped: Record<string, string> = {};
  if (onCpu) {
    skipped.cnnTrainMs =
      "a batch-32 Adam step of the Nature CNN takes about 30 s on the pure-JS cpu backend (over 10 min " +
      `for the figure); measured at batch ${CPU_CNN_TRAIN_BATCH} instead: ${cnnTrainName}`;
  }
  const figure = (name: string, what: string, unit: string, digits: number, run: () => number) => {
    progress(`bench nn (${backend}): ${name}: ${what}…`);
    const start = performance.now();
    const value = round(run(), digits);
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    progress(`bench nn (${backend}): ${name} = ${value} ${unit} (measured in ${seconds} s)`);
    return value;
  };
  if (onCpu) progress(`bench nn (cpu): skipping cnnTrainMs: ${skipped.cnnTrainMs}`);

  // MLP 4-64-64-2 tanh, batch 256.
  const mlp = new Mlp({ sizes: [4, 64, 64, 2], activation: "tanh", seed: 1 });
  const mlpOpt = new ClippedAdam(mlp.params(), { learningRate: 1e-3 });
  const mlpX = randomTensor([256, 4], rng) as tf.Tensor2D;
  const mlpY = randomTensor([256, 2], rng);
  const mlpGraphTrainMs = figure(
    "mlpGraphTrainMs",
    "MLP 4-64-64-2 Adam step, batch 256, TF.js graph",
    "ms",
    3,
    () => medianMs(() => mlpOpt.minimize(() => mseLoss(mlp.apply(mlpX), mlpY)), 20, 200),
  );
  const mlpTrainMs = figure(
    "mlpTrainMs",
    "MLP 4-64-64-2 Adam step, batch 256, fused on the heap",
    "ms",
    3,
    () => fusedMlpStepMs(mlp, mlpOpt, mlpX, mlpY),
  );

  // Batch-1 acting on the fast path: forward + the values in hand.
  const fast = mlp.fastPath();
  const obs = new Float32Array([0.1, -0.2, 0.3, 0.05]);
  let sink = 0;
  const actReps = 20000;
  const mlpActUs = figure("mlpActUs", "batch-1 MLP action on the fast path", "µs", 2, () => {
    const ms = medianMs(
      () => {
        for (let i = 0; i < actReps; i++) sink += fast.forward(obs)[0];
      },
      3,
      15,
    );
    return (ms * 1000) / actReps;
  });
  if (Number.isNaN(sink)) throw new Error("bench: NaN in MLP output");

  // Each memory core (64 units) over [T 16, B 32, F 4] with a dense output per step; the peer is
  // experiments/peers/torch_recurrent.py (nn.LSTM / nn.GRU / nn.RNN on the same shapes).
  const seqX = randomTensor([16, 32, 4], rng) as tf.Tensor3D;
  const seqY = randomTensor([16 * 32, 1], rng);
  const coreStepMs = (kind: CoreKind): number => {
    const core = makeMemoryCore({ kind, inputDim: 4, hiddenDim: 64, seed: 2 });
    const out = new Mlp({ sizes: [64, 1], seed: 3 });
    const opt = new ClippedAdam(joinParams({ core, out }), { learningRate: 1e-3 });
    try {
      return figure(`${kind}TrainMs`, `${kind.toUpperCase()}(64) Adam step over [16, 32, 4]`, "ms", 2, () =>
        medianMs(
          () =>
            opt.minimize(() => {
              const { outputs } = core.unrollStates(seqX, core.zeroStates(32));
              return mseLoss(out.apply(tf.reshape(outputs, [16 * 32, 64]) as tf.Tensor2D), seqY);
            }),
          5,
          50,
        ),
      );
    } finally {
      core.dispose();
      out.dispose();
    }
  };
  const lstmTrainMs = coreStepMs("lstm");
  const gruTrainMs = coreStepMs("gru");
  const rnnTrainMs = coreStepMs("rnn");

  // Nature CNN on 32 × 84 × 84 × 4 with a 6-action Q head.
  const cnn = cnnPreset("natureDqn", 4);
  const qHead = new QHead({ inputDim: cnn.outputDim, numActions: 6, seed: 5 });
  const cnnOpt = new ClippedAdam(joinParams({ cnn, q: qHead }), { learningRate: 1e-4 });
  const frames = tf.tidy(() => tf.abs(randomTensor([32, 84, 84, 4], rng)) as tf.Tensor4D);
  const targets = randomTensor([32, 6], rng);
  // Enough repetitions that the median is steady on a shared 2-core machine (about 3 s in all on wasm);
  // on cpu, where one step takes seconds, fewer.
  // CPU per repetition counts the warm-up runs too (a few of 41 and 21; they cost the same).
  const fwdReps = onCpu ? 9 : 41;
  const fwdWarmup = onCpu ? 1 : 3;
  let fwdCpu: { main?: number; other?: number } = {};
  const cnnFwdMs = figure("cnnFwdMs", "Nature CNN forward, batch 32", "ms", 2, () => {
    const measured = withThreadCpu(fwdReps + fwdWarmup, () =>
      medianMs(() => readValues(() => qHead.apply(cnn.apply(frames))), fwdWarmup, fwdReps),
    );
    fwdCpu = measured;
    return measured.value;
  });
  const trainFrames = frames.slice([0, 0, 0, 0], [cnnTrainBatch, -1, -1, -1]);
  const trainTargets = targets.slice([0, 0], [cnnTrainBatch, -1]);
  const trainReps = onCpu ? 5 : 21;
  const trainWarmup = onCpu ? 1 : 3;
  let trainCpu: { main?: number; other?: number } = {};
  const cnnTrainMs = figure(cnnTrainName, `Nature CNN Adam step, batch ${cnnTrainBatch}`, "ms", 1, () => {
    const measured = withThreadCpu(trainReps + trainWarmup, () =>
      medianMs(
        () => cnnOpt.minimize(() => mseLoss(qHead.apply(cnn.apply(trainFrames)), trainTargets)),
        trainWarmup,
        trainReps,
      ),
    );
    trainCpu = measured;
    return measured.value;
  });

  for (const t of [mlpX, mlpY, seqX, seqY, frames, targets, trainFrames, trainTargets]) t.dispose();
  for (const block of [mlp, cnn, qHead]) block.dispose();
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`bench: ${leaked} tensors leaked`);
  return {
    ...backendFacts(),
    backend,
    tfjs: tf.version.tfjs,
    mlpTrainMs,
    mlpGraphTrainMs,
    lstmTrainMs,
    gruTrainMs,
    rnnTrainMs,
    ...(onCpu ? { cnnTrainMsBatch4: cnnTrainMs } : { cnnTrainMs }),
    cnnFwdMs,
    ...(fwdCpu.main === undefined ? {} : { cnnFwdMainCpuMs: fwdCpu.main, cnnFwdPoolCpuMs: fwdCpu.other }),
    ...(trainCpu.main === undefined || onCpu
      ? {}
      : { cnnTrainMainCpuMs: trainCpu.main, cnnTrainPoolCpuMs: trainCpu.other }),
    mlpActUs,
    skipped,
  };
}

if (require.main === module) {
  benchNn(undefined, (line) => console.error(line))
    .then((result) => console.log(JSON.stringify(result)))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}

/**
 * Median time of an mse Adam step of `mlp` on (x, y) fused on the small-kernel heap: forward, the
 * loss's gradient 2(ŷ − y)/n, backward, ClippedAdam on the heap views.
 */
function fusedMlpStepMs(mlp: Mlp, optimizer: ClippedAdam, x: tf.Tensor2D, y: tf.Tensor): number {
  const binding = new DenseStackBinding([mlp], mlp.params());
  try {
    binding.pull();
    const [B, F] = x.shape;
    const inputs = x.dataSync() as Float32Array;
    const targets = y.dataSync() as Float32Array;
    const dOut = new Float32Array(targets.length);
    const { stack } = binding;
    return medianMs(
      () => {
        stack.input(B).set(inputs.subarray(0, B * F));
        const out = stack.forward(B);
        for (let i = 0; i < dOut.length; i++) dOut[i] = (2 * (out[i] - targets[i])) / dOut.length;
        stack.backward(dOut, B);
        const { values, grads } = binding.paramViews();
        optimizer.applyGradientArrays(values, grads);
      },
      20,
      200,
    );
  } finally {
    binding.push();
    binding.dispose();
  }
}
