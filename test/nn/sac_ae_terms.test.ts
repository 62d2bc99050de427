// SAC+AE's pieces in src/nn: the LayerNorm + tanh bottleneck of a CNN encoder, the "bits5" target
// and the loss's latent penalty and decoder weight decay, each against hand-computed values.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { autoencoderLoss, CnnEncoder, ConvDecoder, reconstructionTarget } from "../../src/nn";
import { useBackend } from "./helpers";

beforeAll(() => useBackend("wasm"));

describe("SAC+AE's autoencoder terms", () => {
  it("latentNorm: the encoder's output is tanh(LayerNorm(dense)): rows of atanh(output) have mean 0 and variance 1", () => {
    const before = tf.memory().numTensors;
    const args = {
      inputShape: [20, 20, 1] as [number, number, number],
      convs: [{ filters: 4, kernelSize: 8, strides: 4 }],
      dense: [12],
      outputActivation: "linear" as const,
      seed: 5,
    };
    const plain = new CnnEncoder(args);
    const normed = new CnnEncoder({ ...args, latentNorm: true });
    expect([...normed.params().keys()].slice(-2)).toEqual(["norm/gain", "norm/bias"]);
    const x = tf.randomUniform([3, 20, 20, 1], 0, 1, "float32", 7) as tf.Tensor4D;
    const dense = tf.tidy(() => plain.apply(x).arraySync()) as number[][];
    const out = tf.tidy(() => normed.apply(x).arraySync()) as number[][];
    for (const [r, row] of out.entries()) {
      const pre = row.map(Math.atanh);
      const mean = pre.reduce((a, b) => a + b, 0) / pre.length;
      const variance = pre.reduce((a, b) => a + (b - mean) ** 2, 0) / pre.length;
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(variance).toBeCloseTo(1, 3);
      // Same weights (same seed) before the norm: the normalised dense output, by hand.
      const m = dense[r].reduce((a, b) => a + b, 0) / dense[r].length;
      const v = dense[r].reduce((a, b) => a + (b - m) ** 2, 0) / dense[r].length;
      for (const [j, y] of row.entries())
        expect(y).toBeCloseTo(Math.tanh((dense[r][j] - m) / Math.sqrt(v + 1e-5)), 4);
    }
    x.dispose();
    plain.dispose();
    normed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('"bits5": floor(x / 8) / 32 plus noise in [0, 1/32), minus 0.5; the same seed gives the same noise', () => {
    const bytes = tf.tensor4d([0, 7, 8, 100, 255, 254], [1, 1, 6, 1]);
    const a = Array.from(reconstructionTarget(bytes, 1 / 255, "bits5", 11).dataSync());
    const b = Array.from(reconstructionTarget(bytes, 1 / 255, "bits5", 11).dataSync());
    const c = Array.from(reconstructionTarget(bytes, 1 / 255, "bits5", 12).dataSync());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const bins = [0, 0, 1, 12, 31, 31].map((k) => k / 32 - 0.5);
    a.forEach((y, i) => {
      expect(y).toBeGreaterThanOrEqual(bins[i] - 1e-7);
      expect(y).toBeLessThan(bins[i] + 1 / 32);
    });
    expect(Array.from(reconstructionTarget(bytes, 1 / 255, "scaled").dataSync())).toEqual(
      Array.from(tf.tidy(() => tf.mul(bytes, 1 / 255).dataSync())),
    );
    expect(() => reconstructionTarget(bytes, 1, "bits5")).toThrow(
      'reconstruction target "bits5" needs pixel bytes (an encoder input scale of 1/255), got an input scale of 1; use "scaled"',
    );
    bytes.dispose();
  });

  it("the loss is mse + λz · mean(½‖z‖²) + (λw / 2) · Σ θ² over the decoder", () => {
    const before = tf.memory().numTensors;
    const decoder = new ConvDecoder({
      inputShape: [8, 8, 1],
      convs: [{ filters: 2, kernelSize: 4, strides: 4 }],
      latentDim: 3,
      outputActivation: "linear",
      seed: 2,
    });
    const z = tf.tensor2d([
      [1, -2, 0.5],
      [0, 3, -1],
    ]);
    const obs = tf.randomUniform([2, 8, 8, 1], 0, 255, "float32", 4);
    const plain = autoencoderLoss(z, decoder, obs, 1 / 255, { target: "scaled" });
    const terms = autoencoderLoss(z, decoder, obs, 1 / 255, {
      target: "scaled",
      latentPenalty: 0.1,
      decoderWeightDecay: 0.01,
    });
    const mse = plain.mse.dataSync()[0];
    expect(plain.loss.dataSync()[0]).toBe(mse);
    expect(terms.mse.dataSync()[0]).toBe(mse);
    // ½‖z‖²: ½(1 + 4 + 0.25) = 2.625 and ½(0 + 9 + 1) = 5; their mean 3.8125.
    let squares = 0;
    for (const v of decoder.params().values()) for (const w of v.dataSync()) squares += w * w;
    expect(terms.loss.dataSync()[0]).toBeCloseTo(mse + 0.1 * 3.8125 + (0.01 / 2) * squares, 5);
    tf.dispose([z, obs, plain.loss, plain.mse, terms.loss, terms.mse]);
    decoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
