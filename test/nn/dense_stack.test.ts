import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import type { Activation } from "../../src/nn/layers";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { DenseStackBinding } from "../../src/nn/small/dense_binding";
import { DenseStack } from "../../src/nn/small/dense_stack";
import { SmallKernels, smallKernels } from "../../src/nn/small/kernels";
import { testRng, useBackend } from "./helpers";

function normals(n: number, tag: string, scale = 1): Float32Array {
  const rng = testRng(tag);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** A stack holding the weights of `mlp` (non-zero biases set on both first). */
function stackOf(mlp: Mlp): DenseStack {
  const stack = new DenseStack({ sizes: mlp.sizes, activations: mlp.activations });
  mlp.kernels.forEach((kernel, l) => {
    mlp.biases[l].assign(tf.tensor1d(normals(mlp.sizes[l + 1], `bias${l}`, 0.3)));
    stack.kernel(l).set(kernel.dataSync());
    stack.bias(l).set(mlp.biases[l].dataSync());
  });
  return stack;
}

function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-3;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

const NETS: { name: string; sizes: number[]; activation: Activation }[] = [
  { name: "DQN's 4-120-84-2 ReLU", sizes: [4, 120, 84, 2], activation: "relu" },
  // Widths that are not multiples of 4: the kernels' ragged ends (tanh's tail, scalar columns).
  { name: "a 5-7-6-3 tanh", sizes: [5, 7, 6, 3], activation: "tanh" },
];

for (const backend of ["wasm", "cpu"] as const) {
  describe(`DenseStack against the TF.js graph (${backend} backend)`, () => {
    afterAll(async () => useBackend("wasm"));

    for (const { name, sizes, activation } of NETS) {
      for (const batch of [1, 3, 128]) {
        it(`${name}, batch ${batch}: the same outputs and gradients to float tolerance`, async () => {
          await useBackend(backend);
          const mlp = new Mlp({ sizes, activation, seed: 7 });
          const stack = stackOf(mlp);
          const x = normals(batch * sizes[0], `x${batch}`);
          const dOut = normals(batch * sizes[sizes.length - 1], `d${batch}`);
          const tensors = tf.memory().numTensors;

          stack.input(batch).set(x);
          const y = Float32Array.from(stack.forward(batch));
          const expected = tf.tidy(() => mlp.apply(tf.tensor2d(x, [batch, sizes[0]])).dataSync());
          expect(maxRelativeError(y, expected)).toBeLessThan(2e-6);

          stack.backward(dOut, batch);
          const { value, grads } = tf.variableGrads(() =>
            tf.sum(
              tf.mul(
                mlp.apply(tf.tensor2d(x, [batch, sizes[0]])),
                tf.tensor2d(dOut, [batch, y.length / batch]),
              ),
            ),
          );
          mlp.kernels.forEach((kernel, l) => {
            expect(
              maxRelativeError(stack.kernel(l, stack.grads), grads[kernel.name].dataSync()),
            ).toBeLessThan(1e-5);
            expect(
              maxRelativeError(stack.bias(l, stack.grads), grads[mlp.biases[l].name].dataSync()),
            ).toBeLessThan(1e-5);
          });
          for (const g of [value, ...Object.values(grads)]) g.dispose();
          expect(tf.memory().numTensors).toBe(tensors);
          stack.dispose();
          mlp.dispose();
        });
      }
    }
  });
}

describe("DenseStack", () => {
  it("Polyak blending rounds as TF.js does (float32 τ and 1 − τ), τ = 1 copies", () => {
    const a = new DenseStack({ sizes: [3, 4], activations: ["linear"] });
    const b = new DenseStack({ sizes: [3, 4], activations: ["linear"] });
    a.values.set(normals(a.size, "a"));
    b.values.set(normals(b.size, "b"));
    const before = Float32Array.from(b.values);
    b.blendFrom(a, 0.005);
    const f = Math.fround;
    for (let i = 0; i < b.size; i++)
      expect(b.values[i]).toBe(f(f(a.values[i] * f(0.005)) + f(before[i] * f(1 - 0.005))));
    b.blendFrom(a, 1);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    a.dispose();
    b.dispose();
  });

  it("refuses bad shapes, activations and a backward pass of another batch, by name", () => {
    expect(() => new DenseStack({ sizes: [4], activations: [] })).toThrow(
      "DenseStack: sizes must be ≥ 2 positive integers, got [4]",
    );
    expect(() => new DenseStack({ sizes: [4, 2], activations: ["sigmoid"] })).toThrow(
      'DenseStack: activation "sigmoid" is not one of linear, relu, tanh',
    );
    expect(() => new DenseStack({ sizes: [4, 3, 2], activations: ["relu"] })).toThrow(
      "DenseStack: 1 activations for 2 layers",
    );
    const stack = new DenseStack({ sizes: [2, 2], activations: ["relu"] });
    stack.input(4).fill(1);
    stack.forward(4);
    expect(() => stack.backward(new Float32Array(6), 3)).toThrow(
      "DenseStack.backward: batch 3, the forward pass had 4",
    );
    const other = new DenseStack({ sizes: [2, 3], activations: ["relu"] });
    expect(() => stack.copyFrom(other)).toThrow("DenseStack.copyFrom: sizes [2, 3] ≠ [2, 2]");
    stack.dispose();
    other.dispose();
  });

  it("gives its heap back when disposed", () => {
    const kernels = new SmallKernels();
    expect(kernels.freeBytes()).toBe(kernels.heapBytes());
    const stack = new DenseStack({
      sizes: [4, 120, 84, 2],
      activations: ["relu", "relu", "linear"],
      kernels,
    });
    stack.input(128).fill(0.5);
    stack.forward(128);
    stack.backward(new Float32Array(256).fill(1), 128);
    expect(kernels.freeBytes()).toBeLessThan(kernels.heapBytes());
    stack.dispose();
    expect(kernels.freeBytes()).toBe(kernels.heapBytes());
  });
});

describe("the dense kernels (src/nn/small)", () => {
  const kernels = smallKernels();

  it("relu and its gradient: exactly max(x, 0) and d·[y > 0] at every length (ragged ends too)", () => {
    for (const n of [1, 3, 4, 7, 33]) {
      const x = kernels.alloc(n);
      const d = kernels.alloc(n);
      const values = normals(n, `relu${n}`);
      const grads = normals(n, `relud${n}`);
      x.f32.set(values);
      kernels.reluInPlace(x.f32);
      expect(Array.from(x.f32)).toEqual(Array.from(values, (v) => Math.max(v, 0)));
      d.f32.set(grads);
      kernels.reluBackward(x.f32, d.f32);
      expect(Array.from(d.f32)).toEqual(Array.from(grads, (g, i) => (values[i] > 0 ? g : 0)));
      x.free();
      d.free();
    }
  });

  it("column sums: each column summed in order of rows in float32 (bit for bit), any width", () => {
    for (const [M, N] of [
      [1, 1],
      [3, 5],
      [128, 84],
      [7, 9],
    ]) {
      const d = kernels.alloc(M * N);
      const out = kernels.alloc(N);
      d.f32.set(normals(M * N, `cols${M}x${N}`));
      kernels.columnSums(d.f32, out.f32, M, N);
      const expected = new Float32Array(N);
      for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) expected[j] += d.f32[r * N + j];
      expect(Array.from(out.f32)).toEqual(Array.from(expected));
      d.free();
      out.free();
    }
  });
});

describe("Adam on the heap (SmallKernels.adamUpdate)", () => {
  it("matches ClippedAdam's double-precision loop to float32 rounding, ragged length, clip factor", () => {
    const kernels = smallKernels();
    const n = 37;
    const [p, g, m, v] = [0, 1, 2, 3].map(() => kernels.alloc(n));
    const values = normals(n, "adam-p");
    const grads = normals(n, "adam-g");
    const m0 = normals(n, "adam-m", 0.1);
    const v0 = Float32Array.from(normals(n, "adam-v", 0.1), (x) => x * x);
    p.f32.set(values);
    g.f32.set(grads);
    m.f32.set(m0);
    v.f32.set(v0);
    const [b1, b2, lr, eps, scale, t] = [0.9, 0.999, 1e-2, 1e-8, 0.7, 3];
    const stepSize = lr / (1 - b1 ** t);
    const inverseRoot = 1 / Math.sqrt(1 - b2 ** t);
    kernels.adamUpdate(p.f32, g.f32, m.f32, v.f32, scale, b1, b2, stepSize, inverseRoot, eps);
    for (let i = 0; i < n; i++) {
      const gs = grads[i] * scale;
      const mi = b1 * m0[i] + (1 - b1) * gs;
      const vi = b2 * v0[i] + (1 - b2) * gs * gs;
      const pi = values[i] - (stepSize * mi) / (Math.sqrt(vi) * inverseRoot + eps);
      expect(m.f32[i]).toBeCloseTo(mi, 6);
      expect(v.f32[i]).toBeCloseTo(vi, 6);
      expect(Math.abs(p.f32[i] - pi)).toBeLessThan(1e-6 * Math.max(1, Math.abs(pi)));
      expect(p.f32[i]).not.toBe(values[i]);
    }
    for (const r of [p, g, m, v]) r.free();
  });
});

describe("ClippedAdam.applyGradientArrays on heap views", () => {
  it("updates every parameter when its workspace has to grow the heap (views are taken again)", async () => {
    await useBackend("wasm");
    const kernels = smallKernels();
    // A parameter larger than any moments region before, and a heap with no free block to hold them.
    const mlp = new Mlp({ sizes: [256, 300, 3], activation: "relu", seed: 4 });
    const binding = new DenseStackBinding([mlp], mlp.params());
    binding.pull();
    const { stack } = binding;
    stack.grads.fill(0.01);
    const fillers = [];
    for (let largest = kernels.freeBytes(); largest >= 64; largest = kernels.freeBytes()) {
      fillers.push(kernels.alloc(Math.floor(largest / 4 / 2)));
      if (fillers.length > 64) break;
    }
    const heapBefore = kernels.heapBytes();
    const before = Float32Array.from(stack.values);
    const optimizer = new ClippedAdam(mlp.params(), { learningRate: 1e-2 });
    const { values, grads } = binding.paramViews();
    optimizer.applyGradientArrays(values, grads);
    expect(kernels.heapBytes()).toBeGreaterThan(heapBefore);
    const after = stack.values;
    // Adam's first step moves every value by about lr (sign of the gradient).
    for (let i = 0; i < after.length; i++) expect(before[i] - after[i]).toBeCloseTo(1e-2, 4);
    for (const f of fillers) f.free();
    binding.dispose();
    mlp.dispose();
  });
});
