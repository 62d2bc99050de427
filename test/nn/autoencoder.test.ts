import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import { mseLoss } from "../../src/nn/losses";
import { ClippedAdam } from "../../src/nn/optimizer";
import { testRng, useBackend } from "./helpers";

const SIDE = 16;

/** Gaussian blobs of random centre and width on a 16×16 canvas, values in [0, 1]. */
function blobs(n: number, seed: string): tf.Tensor4D {
  const rng = testRng(seed);
  const pixels = new Float32Array(n * SIDE * SIDE);
  for (let i = 0; i < n; i++) {
    const cy = 3 + 10 * rng.random();
    const cx = 3 + 10 * rng.random();
    const sigma = 1.5 + 1.5 * rng.random();
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        pixels[i * SIDE * SIDE + y * SIDE + x] = Math.exp(
          -((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma * sigma),
        );
      }
    }
  }
  return tf.tensor4d(pixels, [n, SIDE, SIDE, 1]);
}

describe("ConvAutoencoder", () => {
  beforeAll(() => useBackend("wasm"));

  it("reconstructs held-out blobs to mse < 0.004 through an 8-wide latent (32× smaller than the image)", () => {
    const train = blobs(256, "ae-train");
    const test = blobs(128, "ae-test");
    const ae = new ConvAutoencoder({ inputShape: [SIDE, SIDE, 1], filters: [8, 16], latentDim: 8, seed: 1 });
    const latent = tf.tidy(() => ae.encode(test));
    expect(latent.shape).toEqual([128, 8]);
    latent.dispose();
    // Baseline: the mean training image for every test image.
    const baseline = tf.tidy(() => mseLoss(tf.mean(train, 0, true), test).dataSync()[0]);
    const opt = new ClippedAdam(ae.params(), { learningRate: 3e-3 });
    const batches = tf.split(train, 4);
    for (let step = 0; step < 300; step++) {
      opt.minimize(() => ae.reconstructionLoss(batches[step % 4] as tf.Tensor4D));
    }
    const heldOut = tf.tidy(() => ae.reconstructionLoss(test).dataSync()[0]);
    console.info(
      `autoencoder: held-out mse ${heldOut.toFixed(5)} (mean-image baseline ${baseline.toFixed(4)})`,
    );
    expect(heldOut).toBeLessThan(0.004);
    expect(heldOut).toBeLessThan(baseline / 5);
    const recon = tf.tidy(() => ae.apply(test));
    expect(recon.shape).toEqual(test.shape);
    recon.dispose();
    ae.dispose();
    tf.dispose([train, test, ...batches]);
  }, 20_000); // ~2 s on an idle core

  it("fits images whose sides do not halve evenly (10 × 10 through two stride-2 layers: 10 → 5 → 3)", () => {
    const ae = new ConvAutoencoder({ inputShape: [10, 10, 1], filters: [4, 4], latentDim: 2, seed: 0 });
    const x = tf.zeros([2, 10, 10, 1]) as tf.Tensor4D;
    const recon = ae.apply(x);
    expect(recon.shape).toEqual([2, 10, 10, 1]);
    tf.dispose([x, recon]);
    ae.dispose();
  });
});
