import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ActorCritic } from "../../agents/actor_critic";
import { type NetInput, NetSchema, QNetSchema } from "../../agents/net_config";
import { cnnEncoderFor } from "../../agents/tower";
import { Rng } from "../../src/core/rng";
import { initBackend, loadCheckpoint, saveCheckpoint } from "../../src/nn";
import { silentLogger } from "../nn/helpers";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
});

const spec = (over: Partial<NetInput> = {}): NetInput => ({
  encoder: "mlp",
  hidden: [64, 64],
  activation: "tanh",
  lstm: 0,
  sharedEncoder: false,
  ...over,
});

function randomObs(rows: number, size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * size }, () => rng.normal());
}

/** Logits and values of the TF.js graph (evaluate's path) for every action, to compare with acting. */
function graphOutputs(net: ActorCritic, obs: Float32Array, rows: number, actions: Int32Array) {
  return tf.tidy(() => {
    const ev = net.evaluate(
      net.observationTensor(obs, rows),
      tf.tensor1d(actions, "int32"),
      net.recurrent ? net.initialState(rows) : undefined,
    );
    return { logProb: ev.logProb.dataSync().slice(), value: ev.value.dataSync().slice() };
  });
}

describe("ActorCritic", () => {
  it("actor and critic towers start from different weights (each block its own seed)", () => {
    const net = new ActorCritic({ observationShape: [4], numActions: 2, net: spec(), seed: 1 });
    const params = net.params();
    const actor = params.get("actor/encoder/dense0/kernel")!.dataSync();
    const critic = params.get("critic/encoder/dense0/kernel")!.dataSync();
    expect(Array.from(actor)).not.toEqual(Array.from(critic));
    // Same seed → same network; another seed → another.
    const again = new ActorCritic({ observationShape: [4], numActions: 2, net: spec(), seed: 1 });
    expect(Array.from(again.params().get("actor/encoder/dense0/kernel")!.dataSync())).toEqual(
      Array.from(actor),
    );
    const other = new ActorCritic({ observationShape: [4], numActions: 2, net: spec(), seed: 2 });
    expect(Array.from(other.params().get("actor/encoder/dense0/kernel")!.dataSync())).not.toEqual(
      Array.from(actor),
    );
    for (const n of [net, again, other]) n.dispose();
  });

  const variants: [string, Partial<NetInput>][] = [
    ["separate MLP towers", {}],
    ["shared encoder with LSTM", { sharedEncoder: true, lstm: 16, hidden: [32] }],
    ["separate towers with LSTM", { lstm: 8, hidden: [16] }],
    ["shared encoder with GRU", { sharedEncoder: true, memory: "gru", memorySize: 16, hidden: [32] }],
    ["separate towers with GRU", { memory: "gru", memorySize: 8, hidden: [16] }],
    ["separate towers with RNN", { memory: "rnn", memorySize: 8, hidden: [16] }],
  ];
  for (const [name, over] of variants) {
    it(`typed-array acting equals the TF.js graph (${name}), also after the weights change`, () => {
      const net = new ActorCritic({ observationShape: [5], numActions: 3, net: spec(over), seed: 4 });
      const B = 6;
      const check = () => {
        const obs = randomObs(B, 5, 9);
        const state = net.initialState(B);
        const acted = net.act(obs, B, new Rng(3), state, new Uint8Array(B).fill(1));
        const actions = acted.actions.slice();
        const graph = graphOutputs(net, obs, B, actions);
        for (let b = 0; b < B; b++) {
          expect(acted.values[b]).toBeCloseTo(graph.value[b], 5);
          expect(acted.logProbs[b]).toBeCloseTo(graph.logProb[b], 5);
        }
      };
      check();
      // Change the weights as an optimiser step would; the fast path must follow.
      for (const v of net.params().values())
        tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.1, "float32", 7))));
      net.weightsChanged();
      check();
      net.dispose();
    });
  }

  it("samples B rows with one draw each, reproducibly, and greedy takes the argmax", () => {
    const net = new ActorCritic({
      observationShape: [3],
      numActions: 4,
      net: spec({ hidden: [8] }),
      seed: 5,
    });
    const obs = randomObs(64, 3, 1);
    const a = net.act(obs, 64, new Rng(11)).actions.slice();
    const b = net.act(obs, 64, new Rng(11)).actions.slice();
    expect(Array.from(a)).toEqual(Array.from(b));
    const greedy = net.act(obs, 64, new Rng(11), undefined, undefined, true);
    for (let r = 0; r < 64; r++) {
      // The greedy action has the highest log-prob among the 4.
      expect(greedy.logProbs[r]).toBeGreaterThanOrEqual(Math.log(0.25) - 1e-6);
    }
    net.dispose();
  });

  it("rejects observations of the wrong size with a message naming the sizes", () => {
    const net = new ActorCritic({
      observationShape: [3],
      numActions: 2,
      net: spec({ hidden: [4] }),
      seed: 1,
    });
    expect(() => net.act(new Float32Array(5), 2, new Rng(1))).toThrow(
      "ActorCritic.act: 5 observation values for a batch of 2 × 3",
    );
    net.dispose();
  });

  const cores: [string, Partial<NetInput>][] = [
    ["lstm", { lstm: 8 }],
    ["gru", { memory: "gru", memorySize: 8 }],
    ["rnn", { memory: "rnn", memorySize: 8 }],
  ];
  for (const [core, memory] of cores)
    it(`save → load gives the same actions and values (round trip through a checkpoint, ${core})`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ac-"));
      const net = new ActorCritic({
        observationShape: [4],
        numActions: 2,
        net: spec({ ...memory, hidden: [16] }),
        seed: 7,
      });
      // The core's weights are saved under its kind.
      expect(
        [...net.params().keys()].filter((k) => k.startsWith("actor/") && !k.includes("encoder")),
      ).toEqual(
        ["kernel", "recurrentKernel", "bias", ...(core === "gru" ? ["recurrentBias"] : [])].map(
          (w) => `actor/${core}/${w}`,
        ),
      );
      saveCheckpoint(dir, net.params());
      const loaded = new ActorCritic({
        observationShape: [4],
        numActions: 2,
        net: spec({ ...memory, hidden: [16] }),
        seed: 99,
      });
      loadCheckpoint(dir, loaded.params());
      loaded.weightsChanged();
      const obs = randomObs(3, 4, 2);
      const s1 = net.initialState(3);
      const s2 = loaded.initialState(3);
      for (let t = 0; t < 5; t++) {
        const a = net.act(obs, 3, new Rng(t), s1);
        const actions = a.actions.slice();
        const values = a.values.slice();
        const b = loaded.act(obs, 3, new Rng(t), s2);
        expect(Array.from(b.actions)).toEqual(Array.from(actions));
        expect(Array.from(b.values)).toEqual(Array.from(values));
      }
      net.dispose();
      loaded.dispose();
      fs.rmSync(dir, { recursive: true });
    });

  it("net.hidden and net.sharedEncoder default by encoder: the MLP's [64, 64] in two towers, a CNN's preset dense layers (dqn2013: 256) in one", () => {
    expect(NetSchema.parse({}).hidden).toEqual([64, 64]);
    expect(NetSchema.parse({}).sharedEncoder).toBe(false);
    expect(NetSchema.parse({ encoder: "cnn" }).sharedEncoder).toBe(true);
    expect(NetSchema.parse({ encoder: "cnn", sharedEncoder: false }).sharedEncoder).toBe(false);
    expect("sharedEncoder" in QNetSchema.parse({ encoder: "cnn" })).toBe(false);
    expect(QNetSchema.parse({}).hidden).toEqual([120, 84]);
    expect(NetSchema.parse({ encoder: "cnn" }).hidden).toEqual([]);
    expect(NetSchema.parse({ encoder: "cnn", hidden: [32] }).hidden).toEqual([32]);
    const denseShapes = (net: ActorCritic) =>
      [...net.params()].filter(([k]) => /^shared\/encoder\/dense\d\/kernel$/.test(k)).map(([, v]) => v.shape);
    const preset = new ActorCritic({
      observationShape: [64, 64, 1],
      observationBytes: true,
      numActions: 2,
      net: { encoder: "cnn" },
      seed: 1,
    });
    const own = new ActorCritic({
      observationShape: [64, 64, 1],
      observationBytes: true,
      numActions: 2,
      net: { encoder: "cnn", hidden: [64, 64] },
      seed: 1,
    });
    try {
      // dqn2013 on 64 × 64: (64 − 8) / 4 + 1 = 15, then (15 − 4) / 2 + 1 = 6: a 6 × 6 × 32 map.
      expect(denseShapes(preset)).toEqual([[6 * 6 * 32, 256]]);
      expect(denseShapes(own)).toEqual([
        [6 * 6 * 32, 64],
        [64, 64],
      ]);
    } finally {
      preset.dispose();
      own.dispose();
    }
  });

  for (const [core, memory] of cores)
    it(`a CNN encoder on 7×7×3 bytes acts through the graph with one read-back and leaks nothing (${core})`, () => {
      const net = new ActorCritic({
        observationShape: [7, 7, 3],
        observationBytes: true,
        numActions: 7,
        net: spec({ encoder: "cnn", hidden: [32], ...memory, sharedEncoder: true }),
        seed: 3,
      });
      const obs = Uint8Array.from({ length: 2 * 147 }, (_, i) => (i * 7) % 11);
      const state = net.initialState(2);
      const before = tf.memory().numTensors;
      const acted = net.act(obs, 2, new Rng(1), state, Uint8Array.of(1, 1));
      expect(acted.actions.length).toBe(2);
      expect(state.h.some((x) => x !== 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
    });

  it("a CNN reads gridworld codes as they are and pixel bytes scaled by 1/255; float images unscaled", () => {
    const scales = [
      cnnEncoderFor([7, 7, 3], [4], true, 1),
      cnnEncoderFor([7, 7, 12], [4], true, 1),
      cnnEncoderFor([64, 64, 1], [4], true, 1),
      cnnEncoderFor([84, 84, 3], [4], true, 1),
      cnnEncoderFor([64, 64, 1], [4], false, 1),
    ].map((e) => {
      const scale = e.args.inputScale;
      e.dispose();
      return scale;
    });
    expect(scales).toEqual([1, 1, 1 / 255, 1 / 255, 1]);
  });
});
