import { describe, expect, it } from "vitest";
import {
  argmaxRow,
  argmaxRowsInto,
  logProbsInto,
  logSoftmaxRowInto,
  lstmCellInto,
} from "../../src/nn/fast_path";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("typed-array fast path", () => {
  it("argmax takes the first of tied maxima (as torch.argmax), per row", () => {
    expect(argmaxRow([1, 3, 3, 2], 0, 4)).toBe(1);
    expect(argmaxRow([9, 0, 5, 5], 1, 3)).toBe(1);
    const out = new Int32Array(2);
    argmaxRowsInto(Float32Array.of(0, 2, 1, 5, 5, 0), 3, out);
    expect(Array.from(out)).toEqual([1, 0]);
  });

  it("log-softmax of a row by hand, stable for large logits; entropy = −Σ p log p", () => {
    const logits = Float32Array.of(1, 2, 3, 1000, 1000, 1000);
    const logP = new Float32Array(3);
    const p = new Float32Array(3);
    const z = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const entropy = logSoftmaxRowInto(logits, 0, 3, logP, p);
    for (let k = 0; k < 3; k++) expect(logP[k]).toBeCloseTo(k + 1 - z, 6);
    expect(entropy).toBeCloseTo(-[1, 2, 3].reduce((s, v) => s + Math.exp(v - z) * (v - z), 0), 6);
    logSoftmaxRowInto(logits, 1, 3, logP, p);
    expect(Array.from(p).map((v) => v.toFixed(6))).toEqual(["0.333333", "0.333333", "0.333333"]);
    const chosen = new Float32Array(2);
    logProbsInto(logits, 3, Int32Array.of(2, 0), chosen);
    expect(chosen[0]).toBeCloseTo(3 - z, 6);
    expect(chosen[1]).toBeCloseTo(-Math.log(3), 6);
  });

  it("the LSTM cell by hand: gates [i, f, o, g], c′ = f·c + i·g, h′ = o·tanh(c′), in place", () => {
    const z = Float64Array.of(0.5, -1, 2, 0.3, 1.5, 0.2, -0.7, -2); // H = 2: i, f, o, g rows of 2
    const c = Float32Array.of(0.4, -0.6);
    const h = new Float32Array(2);
    const gates = new Float32Array(8);
    const tanhC = new Float32Array(2);
    lstmCellInto(z, 0, 2, c, 0, c, h, 0, gates, tanhC);
    for (let j = 0; j < 2; j++) {
      const [i, f, o, g] = [sigmoid(z[j]), sigmoid(z[2 + j]), sigmoid(z[4 + j]), Math.tanh(z[6 + j])];
      const cNext = f * [0.4, -0.6][j] + i * g;
      expect(c[j]).toBeCloseTo(cNext, 6);
      expect(h[j]).toBeCloseTo(o * Math.tanh(cNext), 6);
      expect(tanhC[j]).toBeCloseTo(Math.tanh(cNext), 6);
      expect([gates[j], gates[2 + j], gates[4 + j], gates[6 + j]].map((v) => v.toFixed(5))).toEqual(
        [i, f, o, g].map((v) => v.toFixed(5)),
      );
    }
  });
});
