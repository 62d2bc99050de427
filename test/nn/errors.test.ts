import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import { currentBackend } from "../../src/nn/backend";
import { CnnEncoder, cnnPreset } from "../../src/nn/cnn";
import { CategoricalPolicyHead, QHead, ValueHead } from "../../src/nn/heads";
import { zerosInit } from "../../src/nn/init";
import { Lstm, type LstmState } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { makeVariable } from "../../src/nn/params";
import { useBackend } from "./helpers";

// Vitest gives every file fresh modules and this file chooses no backend before the first block below
// runs (the second block's beforeAll does), so the first block sees no backend at all.
const backendAtStart = { ours: currentBackend(), tf: tf.engine().backendName ?? null };

/** TF.js has no backend chosen and none initialised (nothing made it pick one silently). */
function expectNoTfBackend(): void {
  expect(currentBackend()).toBeNull();
  expect(tf.engine().backendName ?? null).toBeNull();
  expect(Object.keys(tf.engine().registry)).toEqual([]);
}

const noBackend = (owner: string) =>
  `${owner}: no TF.js backend yet; call \`await initBackend()\` (from src/nn) before building networks`;

describe("building a block before initBackend()", () => {
  it("runs with no backend at all", () => {
    expect(backendAtStart).toEqual({ ours: null, tf: null });
    expectNoTfBackend();
  });

  const cases: [string, () => unknown, string][] = [
    ["Mlp", () => new Mlp({ sizes: [4, 2], seed: 0 }), noBackend("Mlp")],
    ["Lstm", () => new Lstm({ inputDim: 3, hiddenDim: 4, seed: 0 }), noBackend("Lstm")],
    [
      "CnnEncoder",
      () => new CnnEncoder({ inputShape: [8, 8, 1], convs: [{ filters: 4, kernelSize: 3 }], seed: 0 }),
      noBackend("CnnEncoder"),
    ],
    ["cnnPreset", () => cnnPreset("gridworld7", 0), noBackend("CnnEncoder")],
    [
      "ConvAutoencoder",
      () => new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [4], latentDim: 2, seed: 0 }),
      noBackend("ConvAutoencoder"),
    ],
    ["QHead", () => new QHead({ inputDim: 4, numActions: 2, seed: 0 }), noBackend("QHead")],
    ["ValueHead", () => new ValueHead({ inputDim: 4, seed: 0 }), noBackend("ValueHead")],
    [
      "CategoricalPolicyHead",
      () => new CategoricalPolicyHead({ inputDim: 4, numActions: 2, seed: 0 }),
      noBackend("CategoricalPolicyHead"),
    ],
    ["ClippedAdam", () => new ClippedAdam(new Map(), { learningRate: 1e-3 }), noBackend("ClippedAdam")],
    ["makeVariable", () => makeVariable(zerosInit, [2], 0, "w", new Map()), noBackend("makeVariable")],
  ];
  for (const [name, build, message] of cases) {
    it(`${name}: "${message}", and TF.js still has no backend`, () => {
      expect(build).toThrow(message);
      expectNoTfBackend();
    });
  }
});

describe("block arguments are checked", () => {
  beforeAll(() => useBackend("cpu"));

  const cases: [string, () => unknown, string][] = [
    // Mlp
    [
      "Mlp sizes too short",
      () => new Mlp({ sizes: [4], seed: 0 }),
      "Mlp: sizes must be a list of at least 2 integers ≥ 1 (widths from input to output), got [4]",
    ],
    [
      "Mlp sizes entry 0",
      () => new Mlp({ sizes: [4, 0, 2], seed: 0 }),
      "Mlp: sizes[1] must be an integer ≥ 1, got 0",
    ],
    [
      "Mlp sizes entry not an integer",
      () => new Mlp({ sizes: [4, 2.5], seed: 0 }),
      "Mlp: sizes[1] must be an integer ≥ 1, got 2.5",
    ],
    // Lstm
    [
      "Lstm hiddenDim 0",
      () => new Lstm({ inputDim: 3, hiddenDim: 0, seed: 0 }),
      "Lstm: hiddenDim must be an integer ≥ 1, got 0",
    ],
    [
      "Lstm hiddenDim not an integer",
      () => new Lstm({ inputDim: 3, hiddenDim: 1.5, seed: 0 }),
      "Lstm: hiddenDim must be an integer ≥ 1, got 1.5",
    ],
    [
      "Lstm inputDim NaN",
      () => new Lstm({ inputDim: Number.NaN, hiddenDim: 4, seed: 0 }),
      "Lstm: inputDim must be an integer ≥ 1, got NaN",
    ],
    [
      "Lstm inputDim negative",
      () => new Lstm({ inputDim: -3, hiddenDim: 4, seed: 0 }),
      "Lstm: inputDim must be an integer ≥ 1, got -3",
    ],
    // CnnEncoder
    [
      "CnnEncoder filters 0",
      () => new CnnEncoder({ inputShape: [8, 8, 1], convs: [{ filters: 0, kernelSize: 3 }], seed: 0 }),
      "CnnEncoder: convs[0].filters must be an integer ≥ 1, got 0",
    ],
    [
      "CnnEncoder kernelSize 0",
      () => new CnnEncoder({ inputShape: [8, 8, 1], convs: [{ filters: 4, kernelSize: 0 }], seed: 0 }),
      "CnnEncoder: convs[0].kernelSize must be an integer ≥ 1, got 0",
    ],
    [
      "CnnEncoder kernelSize not an integer",
      () => new CnnEncoder({ inputShape: [8, 8, 1], convs: [{ filters: 4, kernelSize: 2.5 }], seed: 0 }),
      "CnnEncoder: convs[0].kernelSize must be an integer ≥ 1, got 2.5",
    ],
    [
      "CnnEncoder strides 0",
      () =>
        new CnnEncoder({
          inputShape: [8, 8, 1],
          convs: [
            { filters: 4, kernelSize: 3 },
            { filters: 4, kernelSize: 3, strides: 0 },
          ],
          seed: 0,
        }),
      "CnnEncoder: convs[1].strides must be an integer ≥ 1, got 0",
    ],
    [
      "CnnEncoder pool 0",
      () =>
        new CnnEncoder({ inputShape: [8, 8, 1], convs: [{ filters: 4, kernelSize: 3, pool: 0 }], seed: 0 }),
      "CnnEncoder: convs[0].pool must be an integer ≥ 1, got 0",
    ],
    [
      "CnnEncoder padding unknown",
      () =>
        new CnnEncoder({
          inputShape: [8, 8, 1],
          convs: [{ filters: 4, kernelSize: 3, padding: "full" as "same" }],
          seed: 0,
        }),
      'CnnEncoder: convs[0].padding must be "valid" or "same", got "full"',
    ],
    [
      "CnnEncoder kernel larger than the map",
      () => new CnnEncoder({ inputShape: [4, 4, 1], convs: [{ filters: 4, kernelSize: 5 }], seed: 0 }),
      'CnnEncoder: convs[0] leaves an empty 0×0 map for inputShape [4, 4, 1]; use a smaller kernelSize, strides or pool, or padding "same"',
    ],
    [
      "CnnEncoder inputShape of rank 2",
      () =>
        new CnnEncoder({
          inputShape: [84, 84] as unknown as [number, number, number],
          convs: [{ filters: 4, kernelSize: 3 }],
          seed: 0,
        }),
      "CnnEncoder: inputShape must be [height, width, channels], got [84, 84]",
    ],
    [
      "CnnEncoder inputShape with 0 channels",
      () => new CnnEncoder({ inputShape: [84, 84, 0], convs: [{ filters: 4, kernelSize: 3 }], seed: 0 }),
      "CnnEncoder: inputShape[2] must be an integer ≥ 1, got 0",
    ],
    [
      "CnnEncoder dense 0",
      () =>
        new CnnEncoder({
          inputShape: [8, 8, 1],
          convs: [{ filters: 4, kernelSize: 3 }],
          dense: [0],
          seed: 0,
        }),
      "CnnEncoder: dense[0] must be an integer ≥ 1, got 0",
    ],
    // ConvAutoencoder
    [
      "ConvAutoencoder latentDim 0",
      () => new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [4], latentDim: 0, seed: 0 }),
      "ConvAutoencoder: latentDim must be an integer ≥ 1, got 0",
    ],
    [
      "ConvAutoencoder filters empty",
      () => new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [], latentDim: 2, seed: 0 }),
      "ConvAutoencoder: filters must be a non-empty list of integers ≥ 1 (channels per level), got []",
    ],
    [
      "ConvAutoencoder filters entry 0",
      () => new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [4, 0], latentDim: 2, seed: 0 }),
      "ConvAutoencoder: filters[1] must be an integer ≥ 1, got 0",
    ],
    [
      "ConvAutoencoder kernelSize 0",
      () =>
        new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [4], kernelSize: 0, latentDim: 2, seed: 0 }),
      "ConvAutoencoder: kernelSize must be an integer ≥ 1, got 0",
    ],
    [
      "ConvAutoencoder inputShape of rank 2",
      () =>
        new ConvAutoencoder({
          inputShape: [8, 8] as unknown as [number, number, number],
          filters: [4],
          latentDim: 2,
          seed: 0,
        }),
      "ConvAutoencoder: inputShape must be [height, width, channels], got [8, 8]",
    ],
    [
      "ConvAutoencoder convs and filters",
      () =>
        new ConvAutoencoder({
          inputShape: [10, 10, 1],
          filters: [4, 8],
          convs: [{ filters: 4, kernelSize: 3 }],
          latentDim: 2,
          seed: 0,
        }),
      "ConvAutoencoder: give either convs (the encoder's conv layers) or filters (its stride-2 shorthand), got both",
    ],
    // Heads
    [
      "QHead numActions 0",
      () => new QHead({ inputDim: 4, numActions: 0, seed: 0 }),
      "QHead: numActions must be an integer ≥ 1, got 0",
    ],
    [
      "CategoricalPolicyHead numActions not an integer",
      () => new CategoricalPolicyHead({ inputDim: 4, numActions: 2.5, seed: 0 }),
      "CategoricalPolicyHead: numActions must be an integer ≥ 1, got 2.5",
    ],
    [
      "QHead inputDim missing",
      () => new QHead({ numActions: 2, seed: 0 } as unknown as ConstructorParameters<typeof QHead>[0]),
      "QHead: inputDim must be an integer ≥ 1, got undefined",
    ],
    [
      "ValueHead inputDim 0",
      () => new ValueHead({ inputDim: 0, seed: 0 }),
      "ValueHead: inputDim must be an integer ≥ 1, got 0",
    ],
    [
      "CategoricalPolicyHead hidden entry 0",
      () => new CategoricalPolicyHead({ inputDim: 4, hidden: [64, 0], numActions: 2, seed: 0 }),
      "CategoricalPolicyHead: hidden[1] must be an integer ≥ 1, got 0",
    ],
    // ClippedAdam
    [
      "ClippedAdam learningRate NaN",
      () => new ClippedAdam(new Map(), { learningRate: Number.NaN }),
      "ClippedAdam: learningRate must be a finite number > 0, got NaN",
    ],
    [
      "ClippedAdam learningRate 0",
      () => new ClippedAdam(new Map(), { learningRate: 0 }),
      "ClippedAdam: learningRate must be a finite number > 0, got 0",
    ],
    [
      "ClippedAdam learningRate negative",
      () => new ClippedAdam(new Map(), { learningRate: -1e-3 }),
      "ClippedAdam: learningRate must be a finite number > 0, got -0.001",
    ],
    [
      "ClippedAdam beta1 1",
      () => new ClippedAdam(new Map(), { learningRate: 1e-3, beta1: 1 }),
      "ClippedAdam: beta1 must be a number in [0, 1), got 1",
    ],
    [
      "ClippedAdam beta2 negative",
      () => new ClippedAdam(new Map(), { learningRate: 1e-3, beta2: -0.1 }),
      "ClippedAdam: beta2 must be a number in [0, 1), got -0.1",
    ],
    [
      "ClippedAdam epsilon 0",
      () => new ClippedAdam(new Map(), { learningRate: 1e-3, epsilon: 0 }),
      "ClippedAdam: epsilon must be a finite number > 0, got 0",
    ],
    [
      "ClippedAdam maxGradNorm 0",
      () => new ClippedAdam(new Map(), { learningRate: 1e-3, maxGradNorm: 0 }),
      "ClippedAdam: maxGradNorm must be a number > 0 (or undefined: no clipping), got 0",
    ],
    [
      "ClippedAdam maxGradNorm NaN",
      () => new ClippedAdam(new Map(), { learningRate: 1e-3, maxGradNorm: Number.NaN }),
      "ClippedAdam: maxGradNorm must be a number > 0 (or undefined: no clipping), got NaN",
    ],
  ];
  for (const [name, build, message] of cases) {
    it(`${name}: "${message}"`, () => {
      const before = tf.memory().numTensors;
      expect(build).toThrow(message);
      // The check comes before any variable is made.
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe("Lstm inputs are checked (F = inputDim = 3, H = hiddenDim = 4)", () => {
  let lstm: Lstm;
  const tensors: tf.Tensor[] = [];
  /** Zeros of the given shape, freed after the block. */
  const zeros = <T extends tf.Tensor>(shape: number[]): T => {
    const t = tf.zeros(shape);
    tensors.push(t);
    return t as T;
  };
  const state = (hShape: number[], cShape = hShape): LstmState => ({
    h: zeros(hShape),
    c: zeros(cShape),
  });

  beforeAll(async () => {
    await useBackend("cpu");
    lstm = new Lstm({ inputDim: 3, hiddenDim: 4, seed: 0 });
  });
  afterAll(() => {
    lstm.dispose();
    tf.dispose(tensors);
  });

  const xsRule = "[T, B, F] with T ≥ 1, B ≥ 1 and F = inputDim = 3";
  const cases: [string, () => unknown, string][] = [
    [
      "unroll of length 0",
      () => lstm.unroll(zeros([0, 2, 3]), state([2, 4])),
      `Lstm.unroll: xs must be a tensor of shape ${xsRule}, got shape [0, 2, 3]`,
    ],
    [
      "unroll with the wrong input width",
      () => lstm.unroll(zeros([5, 2, 4]), state([2, 4])),
      `Lstm.unroll: xs must be a tensor of shape ${xsRule}, got shape [5, 2, 4]`,
    ],
    [
      "unroll of a rank-2 input",
      () => lstm.unroll(zeros([2, 3]), state([2, 4])),
      `Lstm.unroll: xs must be a tensor of shape ${xsRule}, got shape [2, 3]`,
    ],
    [
      "unrollOpByOp of length 0",
      () => lstm.unrollOpByOp(zeros([0, 2, 3]), state([2, 4])),
      `Lstm.unrollOpByOp: xs must be a tensor of shape ${xsRule}, got shape [0, 2, 3]`,
    ],
    [
      "unrollOpByOp with the wrong input width",
      () => lstm.unrollOpByOp(zeros([5, 2, 2]), state([2, 4])),
      `Lstm.unrollOpByOp: xs must be a tensor of shape ${xsRule}, got shape [5, 2, 2]`,
    ],
    [
      "unroll from a state of another batch size",
      () => lstm.unroll(zeros([5, 2, 3]), state([3, 4])),
      "Lstm.unroll: state.h must be a tensor of shape [B, H] = [2, 4] (B from xs, H = hiddenDim), got shape [3, 4]",
    ],
    [
      "unroll from a cell state of another width",
      () => lstm.unroll(zeros([5, 2, 3]), state([2, 4], [2, 5])),
      "Lstm.unroll: state.c must be a tensor of shape [B, H] = [2, 4] (B from xs, H = hiddenDim), got shape [2, 5]",
    ],
    [
      "unrollOpByOp from a state of another width",
      () => lstm.unrollOpByOp(zeros([5, 2, 3]), state([2, 8])),
      "Lstm.unrollOpByOp: state.h must be a tensor of shape [B, H] = [2, 4] (B from xs, H = hiddenDim), got shape [2, 8]",
    ],
    [
      "unroll with transposed resets",
      () => lstm.unroll(zeros([5, 2, 3]), state([2, 4]), zeros<tf.Tensor2D>([2, 5])),
      "Lstm.unroll: resets must be a tensor of shape [T, B] = [5, 2] (from xs), got shape [2, 5]",
    ],
    [
      "step with the wrong input width",
      () => lstm.step(zeros([2, 5]), state([2, 4])),
      "Lstm.step: x must be a tensor of shape [B, F] with B ≥ 1 and F = inputDim = 3, got shape [2, 5]",
    ],
    [
      "step on a sequence",
      () => lstm.step(zeros([5, 2, 3]), state([2, 4])),
      "Lstm.step: x must be a tensor of shape [B, F] with B ≥ 1 and F = inputDim = 3, got shape [5, 2, 3]",
    ],
    [
      "step from a state of another batch size",
      () => lstm.step(zeros([2, 3]), state([1, 4])),
      "Lstm.step: state.h must be a tensor of shape [B, H] = [2, 4] (B from x, H = hiddenDim), got shape [1, 4]",
    ],
    [
      "step without a state",
      () => lstm.step(zeros([2, 3]), undefined as unknown as LstmState),
      "Lstm.step: state.h must be a tensor of shape [B, H] = [2, 4] (B from x, H = hiddenDim), got undefined",
    ],
    [
      "step with a reset of another batch size",
      () => lstm.step(zeros([2, 3]), state([2, 4]), zeros<tf.Tensor1D>([3])),
      "Lstm.step: reset must be a tensor of shape [B] = [2] (from x), got shape [3]",
    ],
  ];
  for (const [name, run, message] of cases) {
    it(`${name}: "${message}"`, () => {
      expect(run).toThrow(message);
    });
  }

  it("correct shapes still run (step, unroll, unrollOpByOp)", () => {
    const s = state([2, 4]);
    const stepped = lstm.step(zeros([2, 3]), s, zeros<tf.Tensor1D>([2]));
    const fused = lstm.unroll(zeros([5, 2, 3]), s, zeros<tf.Tensor2D>([5, 2]));
    const opByOp = lstm.unrollOpByOp(zeros([5, 2, 3]), s);
    expect(stepped.h.shape).toEqual([2, 4]);
    expect(fused.outputs.shape).toEqual([5, 2, 4]);
    expect(opByOp.state.c.shape).toEqual([2, 4]);
    tf.dispose([stepped.h, stepped.c, fused.outputs, fused.state.h, fused.state.c]);
    tf.dispose([opByOp.outputs, opByOp.state.h, opByOp.state.c]);
  });
});
