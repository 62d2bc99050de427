import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import seedrandom from "seedrandom";
import { beforeAll, describe, expect, it } from "vitest";
import { registerWasmKernels, restoreStockWasmKernels, WASM_KERNEL_PATCHES } from "../../src/nn/kernels";

const TOLERANCE = 1e-4;

/** Seeded uniform values in [-scale, scale]. */
function uniform(shape: number[], seed: string, scale = 1): Float32Array {
  const rng = seedrandom(seed);
  const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng() - 1) * scale;
  return out;
}

/** Runs `compute` on a backend and returns its outputs as plain arrays (no tensor survives). */
async function on(backend: "cpu" | "wasm", compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const outs = tf.tidy(compute);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Asserts that wasm and cpu give the same values (within TOLERANCE) and that the values are not all zero. */
async function expectWasmMatchesCpu(compute: () => tf.Tensor[]): Promise<void> {
  const reference = await on("cpu", compute);
  const patched = await on("wasm", compute);
  expect(patched.length).toBe(reference.length);
  for (let i = 0; i < reference.length; i++) {
    expect(maxAbsDiff(patched[i], reference[i])).toBeLessThanOrEqual(TOLERANCE);
    expect(reference[i].some((v) => v !== 0)).toBe(true);
  }
}

/** Gradients of sum(f(...) * r) for a fixed random r, so that dy is not all ones. */
function weightedGrads(
  f: (...args: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  seed: string,
): tf.Tensor[] {
  const shape = tf.tidy(() => f(...inputs).shape);
  const weights = tf.tensor(uniform(shape, seed), shape);
  return tf.grads((...args: tf.Tensor[]) =>
    f(...args)
      .mul(weights)
      .sum(),
  )(inputs);
}

function wasmBackend(): BackendWasm {
  return tf.findBackend("wasm") as BackendWasm;
}

beforeAll(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  registerWasmKernels();
});

type Stride = number | [number, number];
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: Stride;
  pad: "same" | "valid";
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 1, pad: "same" },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 1, pad: "valid" },
  { x: [3, 11, 10, 2], filter: [4, 4, 2, 5], stride: 2, pad: "same" },
  // (11 - 4) % 2 = 1: the last input row is never read, the filter gradient must crop it.
  { x: [3, 11, 10, 2], filter: [4, 4, 2, 5], stride: 2, pad: "valid" },
  { x: [2, 20, 20, 4], filter: [8, 8, 4, 6], stride: 4, pad: "valid" },
  { x: [1, 17, 13, 4], filter: [5, 3, 4, 3], stride: 4, pad: "same" },
  { x: [4, 7, 7, 8], filter: [1, 1, 8, 8], stride: 1, pad: "valid" },
  { x: [2, 8, 9, 3], filter: [3, 2, 3, 4], stride: [2, 1], pad: "same" },
  { x: [5, 6, 6, 16], filter: [3, 3, 16, 1], stride: 2, pad: "valid" },
  // First layers on large frames (<= 4 channels, dy >= 32 x 32): the filter gradient's im2col path.
  { x: [2, 32, 33, 1], filter: [3, 3, 1, 4], stride: 1, pad: "same" },
  { x: [2, 66, 64, 3], filter: [5, 5, 3, 4], stride: 2, pad: "same" },
  { x: [1, 40, 40, 2], filter: [4, 4, 2, 3], stride: 1, pad: "valid" },
  // (67 - 3) % 2 = 0 but (68 - 3) % 2 = 1: the last column is never read.
  { x: [1, 67, 68, 4], filter: [3, 3, 4, 2], stride: 2, pad: "valid" },
  // Stride 1 with >= 16 x 16 output pixels: the input gradient as one "full" forward convolution.
  { x: [2, 16, 16, 3], filter: [3, 3, 3, 4], stride: 1, pad: "same" },
  // An even kernel pads 'same' unevenly (1 before, 2 after).
  { x: [1, 20, 18, 2], filter: [4, 4, 2, 3], stride: 1, pad: "same" },
  { x: [1, 19, 17, 2], filter: [3, 2, 2, 3], stride: 1, pad: "valid" },
];

describe("wasm conv2d gradients match cpu", () => {
  for (const c of CONV_CASES) {
    it(`x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, async () => {
      const xValues = uniform(c.x, `x${c.x}`);
      const filterValues = uniform(c.filter, `f${c.filter}`, 0.5);
      await expectWasmMatchesCpu(() =>
        weightedGrads(
          (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
          [tf.tensor(xValues, c.x), tf.tensor(filterValues, c.filter)],
          `dy${c.x}${c.stride}${c.pad}`,
        ),
      );
    });
  }

  it("Nature-DQN first layer (84x84x4, 8x8 stride 4, 32 filters)", async () => {
    const xShape = [2, 84, 84, 4];
    const filterShape = [8, 8, 4, 32];
    const xValues = uniform(xShape, "nature-x");
    const filterValues = uniform(filterShape, "nature-w", 0.1);
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 4, "valid"),
        [tf.tensor(xValues, xShape), tf.tensor(filterValues, filterShape)],
        "nature-dy",
      ),
    );
  });

  it("explicit padding wider than the kernel (no 'full' convolution form) at stride 1", async () => {
    const xShape = [1, 18, 16, 2];
    const filterShape = [3, 3, 2, 3];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [4, 1],
      [0, 3],
      [0, 0],
    ];
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad),
        [
          tf.tensor(uniform(xShape, "wide-x"), xShape),
          tf.tensor(uniform(filterShape, "wide-w", 0.5), filterShape),
        ],
        "wide-dy",
      ),
    );
  });

  it("fused conv2d with bias and relu (the tf.layers path)", async () => {
    const xValues = uniform([2, 10, 10, 3], "fx");
    const filterValues = uniform([3, 3, 3, 4], "fw", 0.5);
    const biasValues = uniform([4], "fb", 0.1);
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (x, w, b) =>
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            strides: 2,
            pad: "same",
            bias: b,
            activation: "relu",
          }),
        [
          tf.tensor(xValues, [2, 10, 10, 3]),
          tf.tensor(filterValues, [3, 3, 3, 4]),
          tf.tensor(biasValues, [4]),
        ],
        "fdy",
      ),
    );
  });

  it("rejects NCHW with an error naming the format", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          "Conv2DBackpropFilter",
          { x, dy },
          { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 2, 2] },
        ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});

interface TransposeCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  outputShape: [number, number, number, number];
  stride: number;
  pad: "same" | "valid";
}

const TRANSPOSE_CASES: TransposeCase[] = [
  { x: [2, 5, 5, 4], filter: [3, 3, 2, 4], outputShape: [2, 10, 10, 2], stride: 2, pad: "same" },
  { x: [2, 4, 4, 3], filter: [4, 4, 5, 3], outputShape: [2, 10, 10, 5], stride: 2, pad: "valid" },
  { x: [1, 6, 6, 2], filter: [3, 3, 3, 2], outputShape: [1, 8, 8, 3], stride: 1, pad: "valid" },
  { x: [3, 3, 3, 8], filter: [8, 8, 4, 8], outputShape: [3, 16, 16, 4], stride: 4, pad: "valid" },
];

describe("wasm conv2dTranspose (deconvolution) forward and gradients match cpu", () => {
  for (const c of TRANSPOSE_CASES) {
    it(`x ${c.x} filter ${c.filter} -> ${c.outputShape} stride ${c.stride} ${c.pad}`, async () => {
      const xValues = uniform(c.x, `tx${c.x}`);
      const filterValues = uniform(c.filter, `tf${c.filter}`, 0.5);
      const deconv = (x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, c.outputShape, c.stride, c.pad);
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor(xValues, c.x);
        const w = tf.tensor(filterValues, c.filter);
        return [deconv(x, w), ...weightedGrads(deconv, [x, w], `tdy${c.x}`)];
      });
    });
  }
});

describe("wasm depthwise and separable conv gradients match cpu", () => {
  const cases: {
    x: [number, number, number, number];
    filter: [number, number, number, number];
    stride: number;
    pad: "same" | "valid";
  }[] = [
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 2], stride: 1, pad: "same" },
    { x: [3, 10, 11, 4], filter: [4, 3, 4, 1], stride: 2, pad: "valid" },
  ];
  for (const c of cases) {
    it(`depthwise x ${c.x} filter ${c.filter} stride ${c.stride} ${c.pad}`, async () => {
      const xValues = uniform(c.x, `dx${c.x}`);
      const filterValues = uniform(c.filter, `dw${c.filter}`, 0.5);
      await expectWasmMatchesCpu(() =>
        weightedGrads(
          (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
          [tf.tensor(xValues, c.x), tf.tensor(filterValues, c.filter)],
          `ddy${c.x}`,
        ),
      );
    });
  }

  it("separableConv2d (depthwise then pointwise)", async () => {
    const xValues = uniform([2, 8, 8, 3], "sx");
    const depthValues = uniform([3, 3, 3, 2], "sd", 0.5);
    const pointValues = uniform([1, 1, 6, 4], "sp", 0.5);
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (x, d, p) => tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 2, "same"),
        [
          tf.tensor(xValues, [2, 8, 8, 3]),
          tf.tensor(depthValues, [3, 3, 3, 2]),
          tf.tensor(pointValues, [1, 1, 6, 4]),
        ],
        "sdy",
      ),
    );
  });
});

describe("wasm maxPool gradient matches cpu", () => {
  const cases: {
    x: [number, number, number, number];
    size: number | [number, number];
    stride: number;
    pad: "same" | "valid";
  }[] = [
    { x: [2, 8, 8, 3], size: 2, stride: 2, pad: "valid" },
    { x: [2, 9, 9, 3], size: 3, stride: 2, pad: "same" },
    { x: [1, 7, 6, 5], size: [3, 2], stride: 1, pad: "same" },
    { x: [3, 11, 11, 2], size: 3, stride: 2, pad: "valid" },
    // 2x2/2 without padding has its own loop; odd sides leave a row and a column outside every window.
    { x: [2, 9, 7, 4], size: 2, stride: 2, pad: "valid" },
    { x: [1, 6, 6, 16], size: 2, stride: 2, pad: "same" },
  ];
  for (const c of cases) {
    it(`x ${c.x} size ${c.size} stride ${c.stride} ${c.pad}`, async () => {
      const xValues = uniform(c.x, `mx${c.x}`);
      await expectWasmMatchesCpu(() =>
        weightedGrads(
          (x) => tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad),
          [tf.tensor(xValues, c.x)],
          `mdy${c.x}`,
        ),
      );
    });
  }
});

describe("wasm maxPool gradient sends a tie to the window's first maximum, as cpu does", () => {
  it("2x2/2 windows of equal values", async () => {
    // Values in {0, 1, 2}: most windows hold their maximum twice or more.
    const xValues = uniform([2, 8, 8, 3], "ties").map((v) => Math.floor((v + 1) * 1.5));
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"),
        [tf.tensor(xValues, [2, 8, 8, 3])],
        "tdy",
      ),
    );
  });
});

describe("wasm sum matches cpu (leading axes on the patch, others on the stock kernel)", () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [3, 4, 5, 6], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 4, 5, 6], axis: [2, 0, 1], keepDims: true },
    { shape: [3, 4, 5, 6], axis: [-4, -3], keepDims: false },
    { shape: [7, 5], axis: 0, keepDims: false },
    { shape: [7, 1], axis: [0], keepDims: true },
    { shape: [3, 4, 5], axis: [1], keepDims: false },
    { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 4, 5], axis: [0, 2], keepDims: true },
  ];
  for (const c of cases) {
    it(`shape ${c.shape} axis ${c.axis} keepDims ${c.keepDims}`, async () => {
      const values = uniform(c.shape, `sum${c.shape}${c.axis}`);
      const cpu = await on("cpu", () => [tf.sum(tf.tensor(values, c.shape), c.axis, c.keepDims)]);
      await tf.setBackend("wasm");
      const out = tf.sum(tf.tensor(values, c.shape), c.axis, c.keepDims);
      const cpuShape = tf.tidy(() => tf.sum(tf.zeros(c.shape), c.axis, c.keepDims).shape);
      expect(out.shape).toEqual(cpuShape);
      expect(maxAbsDiff(out.dataSync(), cpu[0])).toBeLessThanOrEqual(TOLERANCE);
      out.dispose();
    });
  }

  it("gives the stock kernel's bits (float32 sums in the same order)", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(uniform([64, 9, 9, 16], "sum-bits", 100), [64, 9, 9, 16]);
    const patched = tf.sum(x, [0, 1, 2]);
    restoreStockWasmKernels(["Sum"]);
    const stock = tf.sum(x, [0, 1, 2]);
    registerWasmKernels();
    expect(Array.from(patched.dataSync())).toEqual(Array.from(stock.dataSync()));
    tf.dispose([x, patched, stock]);
  });

  it("int32 sums stay exact (stock kernel)", async () => {
    await tf.setBackend("wasm");
    const out = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32"), 0);
    expect(out.dtype).toBe("int32");
    expect(Array.from(out.dataSync())).toEqual([9, 12]);
    out.dispose();
  });
});

describe("wasm slice (patched: no read-back of the input) matches cpu", () => {
  const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [17, 3, 4], begin: [0, 0, 0], size: [16, 3, 4] }, // contiguous: leading rows
    { shape: [17, 3, 4], begin: [16, 0, 0], size: [1, 3, 4] },
    { shape: [5, 6], begin: [1, 2], size: [3, 3] }, // strided
    { shape: [2, 3, 4, 5], begin: [1, 0, 1, 2], size: [1, 3, 2, -1] },
    { shape: [3, 2, 2, 2, 3], begin: [0, 1, 0, 1, 1], size: [3, 1, 2, 1, 2] }, // rank 5
    { shape: [9], begin: [2], size: [5] },
    { shape: [4, 4], begin: [1, 1], size: [0, 2] }, // empty
  ];
  for (const c of cases) {
    it(`shape ${c.shape} begin ${c.begin} size ${c.size}`, async () => {
      const values = uniform(c.shape, `slice${c.shape}${c.begin}`);
      const cpu = await on("cpu", () => [tf.slice(tf.tensor(values, c.shape), c.begin, c.size)]);
      await tf.setBackend("wasm");
      const x = tf.tensor(values, c.shape);
      const out = tf.slice(x, c.begin, c.size);
      expect(Array.from(out.dataSync())).toEqual(Array.from(cpu[0]));
      const ints = tf.slice(tf.cast(tf.mul(x, 100), "int32"), c.begin, c.size);
      expect(ints.dtype).toBe("int32");
      expect(Array.from(ints.dataSync())).toEqual(Array.from(cpu[0], (v) => Math.trunc(v * 100)));
      tf.dispose([x, out, ints]);
    });
  }
});

describe("wasm gather gradient (UnsortedSegmentSum) matches cpu", () => {
  it("axis 0 with repeated indices", async () => {
    const table = uniform([10, 6], "table");
    const indices = [3, 0, 3, 9, 7, 3, 1];
    await expectWasmMatchesCpu(() =>
      weightedGrads((t) => tf.gather(t, tf.tensor1d(indices, "int32")), [tf.tensor(table, [10, 6])], "gdy"),
    );
  });

  it("axis 1 with 2-D indices", async () => {
    const x = uniform([4, 10, 3], "gx");
    await expectWasmMatchesCpu(() =>
      weightedGrads(
        (t) =>
          tf.gather(
            t,
            tf.tensor2d(
              [
                [1, 2, 2],
                [9, 0, 1],
              ],
              [2, 3],
              "int32",
            ),
            1,
          ),
        [tf.tensor(x, [4, 10, 3])],
        "gdy2",
      ),
    );
  });

  it("unsortedSegmentSum sums rows per segment and drops out-of-range ids", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const sums = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 5], "int32"), 3);
    expect(sums.shape).toEqual([3, 2]);
    expect(Array.from(sums.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    tf.dispose([x, sums]);
  });
});

describe("wasm matMul with transposes matches cpu", () => {
  const cases: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
    { a: [5, 7], b: [7, 3], tA: false, tB: false },
    { a: [7, 5], b: [7, 3], tA: true, tB: false },
    { a: [5, 7], b: [3, 7], tA: false, tB: true },
    { a: [7, 5], b: [3, 7], tA: true, tB: true },
    // Small left operand, large right one: computed as (B A^T)^T.
    { a: [4, 30], b: [200, 30], tA: false, tB: true },
    { a: [1, 7, 5], b: [1, 7, 3], tA: true, tB: false },
    { a: [3, 5, 7], b: [3, 3, 7], tA: false, tB: true },
  ];
  for (const c of cases) {
    it(`a ${c.a} b ${c.b} transposeA ${c.tA} transposeB ${c.tB}`, async () => {
      const a = uniform(c.a, `a${c.a}`);
      const b = uniform(c.b, `b${c.b}`);
      await expectWasmMatchesCpu(() => {
        const ta = tf.tensor(a, c.a);
        const tb = tf.tensor(b, c.b);
        return [
          tf.matMul(ta, tb, c.tA, c.tB),
          ...weightedGrads((p, q) => tf.matMul(p, q, c.tA, c.tB), [ta, tb], "mm"),
        ];
      });
    });
  }
});

describe("training graphs on wasm", () => {
  it("CNN + maxPool + deconv + gather + LSTM cell: every variable gradient matches cpu", async () => {
    const x = uniform([2, 12, 12, 2], "net-x");
    const w1 = uniform([3, 3, 2, 4], "net-w1", 0.5);
    const w2 = uniform([3, 3, 3, 4], "net-w2", 0.5);
    const emb = uniform([5, 8], "net-emb");
    const lstmKernel = uniform([8 + 6, 4 * 6], "net-lstm", 0.3);
    const lstmBias = uniform([4 * 6], "net-lstm-b", 0.1);
    await expectWasmMatchesCpu(() => {
      const params = [w1, w2, emb, lstmKernel, lstmBias].map((v, i) =>
        tf.tensor(v, [[3, 3, 2, 4], [3, 3, 3, 4], [5, 8], [14, 24], [24]][i]),
      );
      const loss = (p1: tf.Tensor, p2: tf.Tensor, pEmb: tf.Tensor, pK: tf.Tensor, pB: tf.Tensor) => {
        const h = tf.relu(
          tf.conv2d(tf.tensor(x, [2, 12, 12, 2]) as tf.Tensor4D, p1 as tf.Tensor4D, 1, "same"),
        );
        const pooled = tf.maxPool(h, 2, 2, "valid");
        const decoded = tf.conv2dTranspose(pooled, p2 as tf.Tensor4D, [2, 12, 12, 3], 2, "same");
        const tokens = tf.gather(pEmb, tf.tensor1d([1, 4], "int32")) as tf.Tensor2D;
        let c = tf.zeros([2, 6]) as tf.Tensor2D;
        let hState = tf.zeros([2, 6]) as tf.Tensor2D;
        for (let step = 0; step < 2; step++) {
          [c, hState] = tf.basicLSTMCell(
            tf.scalar(1),
            pK as tf.Tensor2D,
            pB as tf.Tensor1D,
            tokens,
            c,
            hState,
          );
        }
        return decoded.square().mean().add(hState.sum());
      };
      return tf.grads(loss)(params);
    });
  });
});

describe("housekeeping", () => {
  it("patched kernels leak no tensors and no backend buffers", async () => {
    await tf.setBackend("wasm");
    const backend = wasmBackend();
    const x = tf.tensor(uniform([2, 11, 10, 3], "leak-x"), [2, 11, 10, 3]) as tf.Tensor4D;
    const w = tf.tensor(uniform([4, 4, 3, 5], "leak-w"), [4, 4, 3, 5]) as tf.Tensor4D;
    const table = tf.tensor(uniform([6, 3], "leak-t"), [6, 3]);
    const step = () => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) =>
        tf
          .maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "valid"), 2, 1, "same")
          .sum()
          .add(tf.matMul(t, t, true, false).sum())
          .add(tf.gather(t, tf.tensor1d([0, 5, 5], "int32")).sum()),
      )([x, w, table]);
      tf.dispose(grads);
    };
    step();
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(buffersBefore);
    tf.dispose([x, w, table]);
  });

  it("registration is idempotent and leaves other backends' kernels alone", async () => {
    const configsBefore = WASM_KERNEL_PATCHES.map((name) => tf.getKernel(name, "wasm"));
    const cpuBefore = tf.getKernel("Conv2DBackpropFilter", "cpu");
    await tf.setBackend("cpu");
    registerWasmKernels();
    registerWasmKernels();
    await tf.setBackend("wasm");
    registerWasmKernels();
    expect(WASM_KERNEL_PATCHES.map((name) => tf.getKernel(name, "wasm"))).toEqual(configsBefore);
    expect(tf.getKernel("Conv2DBackpropFilter", "cpu")).toBe(cpuBefore);
    // Registering twice must not wrap the matMul patch in itself: still correct.
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const product = tf.matMul(a, a, true, false);
    expect(Array.from(product.dataSync())).toEqual([35, 44, 44, 56]);
    tf.dispose([a, product]);
  });

  it("restoring stock kernels and registering again round-trips", async () => {
    await tf.setBackend("wasm");
    const patchedMatMul = tf.getKernel("BatchMatMul", "wasm");
    restoreStockWasmKernels();
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeUndefined();
    const restored = tf.getKernel("BatchMatMul", "wasm");
    expect(restored).not.toBe(patchedMatMul);
    registerWasmKernels();
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    expect(tf.getKernel("BatchMatMul", "wasm")).not.toBe(restored);
  });
});
