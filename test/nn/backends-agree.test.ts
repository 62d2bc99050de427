import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ConvAutoencoder } from "../../src/nn/autoencoder";
import type { BackendName } from "../../src/nn/backend";
import { CnnEncoder } from "../../src/nn/cnn";
import { CategoricalPolicyHead, QHead, ValueHead } from "../../src/nn/heads";
import { crossEntropyLoss, huberLoss, mseLoss } from "../../src/nn/losses";
import { Lstm } from "../../src/nn/lstm";
import { Mlp } from "../../src/nn/mlp";
import { Composite, type Parameterised, type ParamMap } from "../../src/nn/params";
import { maxAbsDiff, randn, useBackend } from "./helpers";

/** Forward output and loss gradients of one block, as plain arrays keyed by name. */
type Results = Map<string, Float32Array>;

/** Builds a block (same seed on each backend), runs its forward pass and its gradients. */
type Case = () => { net: Parameterised; output: () => tf.Tensor; loss: () => tf.Scalar };

function run(make: Case): Results {
  const { net, output, loss } = make();
  const results: Results = new Map();
  results.set(
    "output",
    tf.tidy(() => output().dataSync() as Float32Array),
  );
  const params: ParamMap = net.params();
  const { value, grads } = tf.variableGrads(loss, [...params.values()]);
  results.set("loss", value.dataSync() as Float32Array);
  for (const [path, variable] of params)
    results.set(`grad ${path}`, grads[variable.name].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  net.dispose();
  return results;
}

const cases: Record<string, Case> = {
  mlp: () => {
    const mlp = new Mlp({ sizes: [4, 16, 16, 3], activation: "tanh", seed: 1 });
    const x = randn([5, 4], "x") as tf.Tensor2D;
    return { net: mlp, output: () => mlp.apply(x), loss: () => mseLoss(mlp.apply(x), randn([5, 3], "y")) };
  },
  cnn: () => {
    const cnn = new CnnEncoder({
      inputShape: [9, 9, 3],
      convs: [
        { filters: 4, kernelSize: 3, strides: 1, pool: 2 },
        { filters: 5, kernelSize: 2, strides: 2, padding: "same" },
      ],
      dense: [6],
      seed: 2,
    });
    const x = randn([3, 9, 9, 3], "img") as tf.Tensor4D;
    const w = randn([3, 6], "w");
    return { net: cnn, output: () => cnn.apply(x), loss: () => tf.sum(tf.mul(cnn.apply(x), w)) as tf.Scalar };
  },
  lstm: () => {
    const lstm = new Lstm({ inputDim: 3, hiddenDim: 6, forgetBias: 1, seed: 3 });
    const xs = randn([5, 2, 3], "xs") as tf.Tensor3D;
    const resets = tf.tensor2d([0, 1, 0, 0, 1, 0, 0, 0, 0, 1], [5, 2]);
    const start = { h: randn([2, 6], "h") as tf.Tensor2D, c: randn([2, 6], "c") as tf.Tensor2D };
    const w = randn([5, 2, 6], "w");
    return {
      net: lstm,
      output: () => lstm.unroll(xs, start, resets).outputs,
      loss: () => tf.sum(tf.mul(lstm.unroll(xs, start, resets).outputs, w)) as tf.Scalar,
    };
  },
  autoencoder: () => {
    const ae = new ConvAutoencoder({ inputShape: [8, 8, 2], filters: [3, 4], latentDim: 3, seed: 4 });
    const x = tf.sigmoid(randn([2, 8, 8, 2], "img")) as tf.Tensor4D;
    return { net: ae, output: () => ae.apply(x), loss: () => ae.reconstructionLoss(x) };
  },
  heads: () => {
    const q = new QHead({ inputDim: 4, numActions: 3, seed: 5 });
    const pi = new CategoricalPolicyHead({ inputDim: 4, numActions: 3, hidden: [8], outputGain: 1, seed: 5 });
    const v = new ValueHead({ inputDim: 4, seed: 5 });
    const f = randn([6, 4], "f") as tf.Tensor2D;
    const actions = tf.tensor1d([0, 1, 2, 2, 1, 0], "int32");
    const target = randn([6], "t", 3);
    return {
      net: new Composite({ q, pi, v }),
      output: () => tf.concat([q.apply(f), pi.apply(f), tf.reshape(v.apply(f), [6, 1])], 1),
      loss: () =>
        tf.addN([
          huberLoss(tf.max(q.apply(f), -1), target),
          crossEntropyLoss(pi.apply(f), actions),
          tf.mean(pi.entropy(pi.apply(f))),
          tf.mean(pi.logProb(pi.apply(f), actions)),
          mseLoss(v.apply(f), target),
        ]) as tf.Scalar,
    };
  },
};

async function runAll(backend: BackendName): Promise<Map<string, Results>> {
  await useBackend(backend);
  return new Map(Object.entries(cases).map(([name, make]) => [name, run(make)]));
}

describe("wasm and cpu backends agree", async () => {
  const cpu = await runAll("cpu");
  const wasm = await runAll("wasm");
  for (const name of Object.keys(cases)) {
    it(`${name}: forward pass and every gradient within 1e-4`, () => {
      const a = cpu.get(name)!;
      const b = wasm.get(name)!;
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [key, values] of a) {
        const scale = Math.max(1, ...Array.from(values, Math.abs));
        expect(maxAbsDiff(values, b.get(key)!) / scale, `${name} ${key}`).toBeLessThan(1e-4);
        // Non-trivial values, so agreement means something.
        expect(Math.max(...Array.from(values, Math.abs)), `${name} ${key}`).toBeGreaterThan(0);
      }
    });
  }
});
