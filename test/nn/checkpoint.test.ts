import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BINARY_FILE,
  loadCheckpoint,
  MANIFEST_FILE,
  readCheckpointMetadata,
  saveCheckpoint,
} from "../../src/nn/checkpoint";
import { cnnPreset } from "../../src/nn/cnn";
import { QHead } from "../../src/nn/heads";
import { mseLoss } from "../../src/nn/losses";
import { Lstm } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam } from "../../src/nn/optimizer";
import { Composite } from "../../src/nn/params";
import { randn, useBackend } from "./helpers";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "nn-checkpoint-"));

function makeNet(seed: number): Composite {
  return new Composite({
    torso: cnnPreset("gridworld7", seed),
    core: new Lstm({ inputDim: 64, hiddenDim: 8, seed }),
    q: new QHead({ inputDim: 8, numActions: 3, seed }),
  });
}

function forward(net: Composite, images: tf.Tensor4D): Float32Array {
  const { torso, core, q } = net.parts as { torso: ReturnType<typeof cnnPreset>; core: Lstm; q: QHead };
  return tf.tidy(() => {
    const features = torso.apply(images);
    const { state } = core.unroll(tf.reshape(features, [2, 2, 64]) as tf.Tensor3D, core.zeroState(2));
    return q.apply(state.h).dataSync() as Float32Array;
  });
}

describe("checkpoints", () => {
  beforeAll(() => useBackend("wasm"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("round trip: identical outputs and identical continued training", () => {
    const images = tf.abs(randn([4, 7, 7, 3], 1)) as tf.Tensor4D;
    const target = randn([2, 3], 2);
    const net = makeNet(1);
    const trainable = (n: Composite) => () => {
      const { torso, core, q } = n.parts as { torso: ReturnType<typeof cnnPreset>; core: Lstm; q: QHead };
      const features = torso.apply(images);
      const { state } = core.unroll(tf.reshape(features, [2, 2, 64]) as tf.Tensor3D, core.zeroState(2));
      return mseLoss(q.apply(state.h), target);
    };
    const opt = new ClippedAdam(net.params(), { learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) opt.minimize(trainable(net));
    const dir = path.join(root, "ok");
    saveCheckpoint(dir, net.params(), opt, { seed: 1, note: "test" });
    expect(fs.existsSync(path.join(dir, MANIFEST_FILE)) && fs.existsSync(path.join(dir, BINARY_FILE))).toBe(
      true,
    );

    const other = makeNet(99);
    const otherOpt = new ClippedAdam(other.params(), { learningRate: 1e-2 });
    expect(forward(other, images)).not.toEqual(forward(net, images));
    const metadata = loadCheckpoint(dir, other.params(), otherOpt);
    expect(metadata).toEqual({ seed: 1, note: "test" });
    expect(readCheckpointMetadata(dir)).toEqual({ seed: 1, note: "test" });
    expect(forward(other, images)).toEqual(forward(net, images));
    expect(otherOpt.step).toBe(3);
    // Same optimiser state: one more step keeps both networks identical.
    opt.minimize(trainable(net));
    otherOpt.minimize(trainable(other));
    expect(forward(other, images)).toEqual(forward(net, images));
    net.dispose();
    other.dispose();
    tf.dispose([images, target]);
  });

  describe("corrupt or mismatched files are clear errors", () => {
    let mlp: Mlp;
    beforeAll(() => {
      mlp = new Mlp({ sizes: [3, 4, 2], seed: 0 });
    });
    const fresh = (name: string) => {
      const dir = path.join(root, name);
      saveCheckpoint(dir, mlp.params());
      return { dir, bin: path.join(dir, BINARY_FILE), manifest: path.join(dir, MANIFEST_FILE) };
    };

    it("truncated binary", () => {
      const { dir, bin } = fresh("truncated");
      fs.truncateSync(bin, 20);
      expect(() => loadCheckpoint(dir, mlp.params())).toThrow(
        new RegExp(
          `${bin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 20 bytes, expected ${4 * (12 + 4 + 8 + 2)}`,
        ),
      );
    });

    it("altered binary", () => {
      const { dir, bin } = fresh("flipped");
      const bytes = fs.readFileSync(bin);
      bytes[5] ^= 0xff;
      fs.writeFileSync(bin, bytes);
      expect(() => loadCheckpoint(dir, mlp.params())).toThrow(/weights\.bin: CRC-32 differs/);
    });

    it("manifest that is not JSON, or not ours", () => {
      const { dir, manifest } = fresh("garbage");
      fs.writeFileSync(manifest, "{ not json");
      expect(() => loadCheckpoint(dir, mlp.params())).toThrow(
        /corrupt checkpoint manifest .*weights\.json: not JSON/,
      );
      fs.writeFileSync(manifest, JSON.stringify({ format: "keras" }));
      expect(() => loadCheckpoint(dir, mlp.params())).toThrow(/weights\.json is not a pomdp-nn-checkpoint/);
    });

    it("missing folder", () => {
      expect(() => loadCheckpoint(path.join(root, "nowhere"), mlp.params())).toThrow(
        /cannot read checkpoint manifest/,
      );
    });

    it("network of another shape, or without the saved optimiser", () => {
      const { dir } = fresh("mismatch");
      const wider = new Mlp({ sizes: [3, 5, 2], seed: 0 });
      expect(() => loadCheckpoint(dir, wider.params())).toThrow(
        /weights\.json: tensor "dense0\/kernel" has shape \[3,4\], expected \[3,5\]/,
      );
      const deeper = new Mlp({ sizes: [3, 4, 2, 2], seed: 0 });
      expect(() => loadCheckpoint(dir, deeper.params())).toThrow(/has no tensor "dense2\/kernel"/);
      const opt = new ClippedAdam(mlp.params(), { learningRate: 1 });
      expect(() => loadCheckpoint(dir, mlp.params(), opt)).toThrow(/has no optimizer state/);
      // A failed load assigns nothing.
      const before = Array.from(wider.kernels[1].dataSync());
      expect(() => loadCheckpoint(dir, wider.params())).toThrow();
      expect(Array.from(wider.kernels[1].dataSync())).toEqual(before);
      wider.dispose();
      deeper.dispose();
    });
  });
});
