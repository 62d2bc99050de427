// `pomdp pretrain-ae` and the autoencoder flags of `pomdp train`, spawned as a user runs them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPretrainFlags, type PretrainFlags } from "../../src/cli/pretrain_ae";
import { resolveTraining, type TrainFlags } from "../../src/cli/train";
import { BINARY_FILE, MANIFEST_FILE } from "../../src/nn/checkpoint";
import { ConfigError } from "../../src/train/config";
import { pomdp, ROOT } from "./helpers";

const ENV = "MiniGrid-Empty-5x5-v0";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "pretrain-cli-"));

/** The parameters of a checkpoint folder (weights.json + weights.bin), optimiser slots left out. */
function readWeights(dir: string): Map<string, Float32Array> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8"));
  const bytes = fs.readFileSync(path.join(dir, BINARY_FILE));
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const out = new Map<string, Float32Array>();
  for (const { name, shape, offset } of manifest.tensors as {
    name: string;
    shape: number[];
    offset: number;
  }[]) {
    if (name.startsWith("optimizer/")) continue;
    out.set(name, data.slice(offset, offset + shape.reduce((a, b) => a * b, 1)));
  }
  return out;
}

describe("pomdp pretrain-ae, then pomdp train --encoder-from", () => {
  it("pretrains, then trains from the encoder (frozen, with the online loss too): net.hidden comes from the folder", async () => {
    const dir = tmp();
    const ae = path.join(dir, "ae");
    const pretrain = pomdp(
      "pretrain-ae",
      "--env",
      ENV,
      "--frames",
      "300",
      "--epochs",
      "1",
      "--latent",
      "16",
      "--out",
      ae,
      "-q",
    );
    expect(pretrain.code).toBe(0);
    expect(JSON.parse(pretrain.stdout.trim().split("\n").pop()!)).toMatchObject({
      out: ae,
      frames: 300,
      heldOutFrames: 64,
    });
    for (const file of ["autoencoder.json", "weights.json", "weights.bin", "reconstructions.png"])
      expect(fs.existsSync(path.join(ae, file))).toBe(true);
    const run = path.join(dir, "run");
    const train = pomdp(
      "train",
      "--env",
      ENV,
      "--net",
      "cnn",
      "--encoder-from",
      path.relative(ROOT, ae),
      "--freeze-encoder",
      "--aux",
      "ae",
      "--aux-weight",
      "0.5",
      "--steps",
      "512",
      "--out",
      run,
      "-q",
    );
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
    const { config } = JSON.parse(fs.readFileSync(path.join(run, "config.json"), "utf8"));
    expect(config.net).toMatchObject({
      encoder: "cnn",
      hidden: [16],
      latentNorm: true, // from the folder: pretrain-ae's encoder ends in SAC+AE's LayerNorm + tanh
      sharedEncoder: true, // a CNN's default: one torso for actor and critic
      encoderFrom: ae,
      freezeEncoder: true,
      aux: "ae",
      auxWeight: 0.5,
    });
    const update = fs
      .readFileSync(path.join(run, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((l) => l.type === "update");
    // The encoder stayed the pretrained one (frozen); the decoder, which only the reconstruction loss
    // reaches, left the pretrained one: the reconstruction was in the optimiser's steps.
    const start = readWeights(ae);
    const final = readWeights(path.join(run, "final"));
    expect(update.reconLoss).toBeTypeOf("number");
    let decoderValues = 0;
    for (const tower of ["shared"]) {
      for (const [name, values] of start) {
        const trained = final.get(`${tower}/${name}`)!;
        expect(trained).toHaveLength(values.length);
        if (name.startsWith("encoder/")) expect(trained).toEqual(values);
        else if (name.endsWith("kernel")) expect(trained).not.toEqual(values);
        if (name.startsWith("decoder/")) decoderValues += values.length;
      }
    }
    expect(decoderValues).toBeGreaterThan(1000);
    expect(fs.existsSync(path.join(run, "reconstructions-512.png"))).toBe(true);
    // Refused before any run folder is made (resolveTraining runs before the folder), one line naming the problem.
    const flags = { agent: "ppo", seed: 1, steps: 512 };
    const cases: [Partial<TrainFlags>, string][] = [
      [{ env: "CartPole-v1", aux: "ae" }, 'ppo config: field "net.aux": "ae" needs net.encoder "cnn"'],
      [
        { env: ENV, net: "cnn", encoderFrom: ae, frameStack: 2 },
        `--encoder-from "${ae}": the autoencoder there was trained on observations of shape [7, 7, 3] (${ENV}), but this agent's are [7, 7, 6]`,
      ],
      [
        { env: ENV, net: "cnn", encoderFrom: dir },
        `--encoder-from "${dir}": not a pretrained autoencoder (autoencoder.json is missing)`,
      ],
      [
        { env: ENV, net: "cnn", auxDetach: true },
        'ppo config: field "net.auxDetach": true needs net.aux "ae"',
      ],
    ];
    for (const [given, message] of cases) {
      await expect(resolveTraining({ ...flags, ...given })).rejects.toThrow(message);
      await expect(resolveTraining({ ...flags, ...given })).rejects.toBeInstanceOf(ConfigError);
    }
    expect(() => checkPretrainFlags({ env: ENV, out: dir, net: "mlp" } as PretrainFlags)).toThrow(
      "pretrain-ae: --net mlp: the autoencoder is convolutional (its encoder is the agent's CNN); use --net cnn",
    );
  }, 120_000); // two spawned commands: ~15 s on a quiet machine
});
