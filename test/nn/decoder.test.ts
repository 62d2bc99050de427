// The decoder built from an encoder's layer shapes fits every CNN preset (7 × 7 views, 64 × 64 and
// 84 × 84 frames, stacked frames) and awkward stacks (pools and strides that drop a remainder).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import { CNN_PRESETS, type CnnPresetName, type ConvLayerSpec, cnnPreset } from "../../src/nn/cnn";
import { ConvDecoder, decoderSteps } from "../../src/nn/decoder";
import { randn, useBackend } from "./helpers";

beforeAll(() => useBackend("wasm"));

/** Builds a preset encoder on `shape`, then its decoder; checks the reconstruction's shape and leaks. */
function roundTrip(preset: CnnPresetName, shape: [number, number, number], latent = 16): void {
  const encoder = cnnPreset(preset, 1, { inputShape: shape, dense: [latent] });
  const decoder = new ConvDecoder({
    inputShape: shape,
    convs: [...CNN_PRESETS[preset].convs],
    latentDim: latent,
    seed: 2,
  });
  const x = tf.randomUniform([2, ...shape], 0, 1, "float32", 3) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const recon = tf.tidy(() => decoder.apply(encoder.apply(x)));
  expect(recon.shape).toEqual([2, ...shape]);
  const values = recon.dataSync();
  expect(values.every((v) => v >= 0 && v <= 1)).toBe(true); // sigmoid output
  recon.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(x);
  encoder.dispose();
  decoder.dispose();
}

describe("ConvDecoder: reconstruction shape = input shape", () => {
  const cases: [CnnPresetName, [number, number, number]][] = [
    ["gridworld7", [7, 7, 3]],
    ["gridworld7", [7, 7, 12]], // FrameStack(4) of the view
    ["dqn2013", [48, 48, 1]], // CartPole-Pixels-v1
    ["dqn2013", [48, 48, 4]], // FrameStack(4) of grey frames
    ["dqn2013", [64, 64, 3]], // strides that drop a remainder: 64 → 15 → 6
    ["natureDqn", [84, 84, 4]],
    ["natureDqn", [84, 84, 1]],
  ];
  for (const [preset, shape] of cases) {
    it(`${preset} on [${shape.join(", ")}]`, () => roundTrip(preset, shape));
  }

  it("stacks whose pools and strides drop a remainder: the steps lead back to the input shape", () => {
    const convs: ConvLayerSpec[] = [
      { filters: 4, kernelSize: 3, strides: 2, pool: 2 }, // 13 → 6 → 3
      { filters: 6, kernelSize: 2, strides: 1, padding: "same", pool: 2 }, // 3 → 3 → 1
    ];
    const steps = decoderSteps([13, 11, 2], convs);
    expect(steps.map((s) => [s.kind, s.from, s.to])).toEqual([
      ["unpool", [1, 1, 6], [3, 2, 6]],
      ["conv", [3, 2, 6], [3, 2, 4]],
      ["unpool", [3, 2, 4], [6, 5, 4]],
      ["conv", [6, 5, 4], [13, 11, 2]],
    ]);
    const ae = new ConvAutoencoder({ inputShape: [13, 11, 2], convs, latentDim: 5, seed: 0 });
    const x = tf.sigmoid(randn([3, 13, 11, 2], 1)) as tf.Tensor4D;
    const recon = ae.apply(x);
    expect(recon.shape).toEqual([3, 13, 11, 2]);
    // Every parameter of the decoder gets a gradient.
    const { grads, value } = tf.variableGrads(
      () => ae.reconstructionLoss(x),
      [...ae.decoder.params().values()],
    );
    for (const g of Object.values(grads)) expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, recon, value, ...Object.values(grads)]);
    ae.dispose();
  });

  it("the loss compares the reconstruction with the scaled input (bytes × 1/255)", () => {
    const ae = new ConvAutoencoder({
      inputShape: [7, 7, 3],
      convs: [...CNN_PRESETS.gridworld7.convs],
      latentDim: 4,
      inputScale: 1 / 255,
      seed: 3,
    });
    const bytes = tf.tidy(() => tf.round(tf.mul(tf.sigmoid(randn([2, 7, 7, 3], 2)), 255))) as tf.Tensor4D;
    const loss = ae.reconstructionLoss(bytes).dataSync()[0];
    const expected = tf.tidy(
      () => tf.mean(tf.squaredDifference(ae.apply(bytes), tf.div(bytes, 255))).dataSync()[0],
    );
    expect(loss).toBeCloseTo(expected, 6);
    expect(loss).toBeLessThan(1); // on the scale of [0, 1], not of bytes
    bytes.dispose();
    ae.dispose();
  });

  it("names what is wrong", () => {
    expect(() => new ConvDecoder({ inputShape: [7, 7, 3], convs: [], latentDim: 4, seed: 0 })).toThrow(
      "ConvDecoder: convs must be the encoder's conv layers (at least one), got []",
    );
    expect(
      () =>
        new ConvDecoder({
          inputShape: [7, 7, 3],
          convs: [{ filters: 2, kernelSize: 2 }],
          latentDim: 0,
          seed: 0,
        }),
    ).toThrow("ConvDecoder: latentDim must be an integer ≥ 1, got 0");
  });
});
