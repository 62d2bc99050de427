import { beforeAll, describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import { cnnPreset } from "../../src/nn/cnn";
import { Gru } from "../../src/nn/gru";
import { CategoricalPolicyHead } from "../../src/nn/heads";
import { glorotUniformInit, orthogonalInit } from "../../src/nn/init";
import { Lstm } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import type { Parameterised } from "../../src/nn/params";
import { Rnn } from "../../src/nn/rnn";
import { maxAbsDiff, testRng, useBackend } from "./helpers";

function snapshot(net: Parameterised): Map<string, number[]> {
  return new Map([...net.params()].map(([k, v]) => [k, Array.from(v.dataSync())]));
}

const builders: Record<string, (seed: number) => Parameterised> = {
  mlp: (seed) => new Mlp({ sizes: [4, 8, 2], seed }),
  cnn: (seed) => cnnPreset("gridworld7", seed),
  lstm: (seed) => new Lstm({ inputDim: 3, hiddenDim: 4, seed }),
  gru: (seed) => new Gru({ inputDim: 3, hiddenDim: 4, seed }),
  rnn: (seed) => new Rnn({ inputDim: 3, hiddenDim: 4, seed }),
  autoencoder: (seed) => new ConvAutoencoder({ inputShape: [8, 8, 1], filters: [2, 4], latentDim: 2, seed }),
  policy: (seed) => new CategoricalPolicyHead({ inputDim: 4, numActions: 3, hidden: [5], seed }),
};

describe("seeded initialisation", () => {
  beforeAll(() => useBackend("wasm"));

  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: same seed → same weights, another seed → other weights`, () => {
      const [a, b, c] = [build(42), build(42), build(43)];
      const [sa, sb, sc] = [snapshot(a), snapshot(b), snapshot(c)];
      expect(sa).toEqual(sb);
      for (const [path, values] of sa) {
        // Biases start at zero whatever the seed; every kernel differs.
        if (values.some((x) => x !== 0)) expect(maxAbsDiff(values, sc.get(path)!)).toBeGreaterThan(1e-3);
      }
      for (const net of [a, b, c]) net.dispose();
    });
  }

  it("layers of one network get different streams", () => {
    const mlp = new Mlp({ sizes: [8, 8, 8], seed: 1 });
    const [w0, w1] = mlp.kernels.map((k) => Array.from(k.dataSync()));
    expect(maxAbsDiff(w0, w1)).toBeGreaterThan(1e-3);
    mlp.dispose();
  });

  it("orthogonal init: WᵀW = gain² I (tall) and WWᵀ = gain² I (wide), conv kernels flattened", () => {
    const cases: [number[], number][] = [
      [[64, 16], Math.SQRT2],
      [[16, 64], 0.01],
      [[3, 3, 4, 8], 1],
    ];
    for (const [shape, gain] of cases) {
      const w = orthogonalInit(gain)(shape, testRng(1));
      const cols = shape[shape.length - 1];
      const rows = w.length / cols;
      const k = Math.min(rows, cols);
      for (let p = 0; p < k; p++) {
        for (let q = 0; q < k; q++) {
          let dot = 0;
          for (let i = 0; i < Math.max(rows, cols); i++) {
            dot += rows >= cols ? w[i * cols + p] * w[i * cols + q] : w[p * cols + i] * w[q * cols + i];
          }
          expect(dot).toBeCloseTo(p === q ? gain * gain : 0, 5);
        }
      }
    }
  });

  it("glorot uniform stays within its limit and uses it", () => {
    const w = glorotUniformInit([20, 30], testRng(3));
    const limit = Math.sqrt(6 / 50);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
  });

  it("Rng: reproducible streams, normals with mean 0 and variance 1", () => {
    const a = testRng("x");
    const b = testRng("x");
    const draws = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(draws);
    const rng = testRng(5);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
  });
});
