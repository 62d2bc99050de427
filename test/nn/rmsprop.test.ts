import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint, MANIFEST_FILE, saveCheckpoint } from "../../src/nn/checkpoint";
import { mseLoss } from "../../src/nn/losses";
import { Mlp } from "../../src/nn/mlp";
import { ClippedAdam, ClippedRmsprop } from "../../src/nn/optimizer";
import { maxAbsDiff, randn, testRng, useBackend } from "./helpers";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "nn-rmsprop-"));

beforeAll(() => useBackend("wasm"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The message `fn` throws (the tests compare it exactly). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

/**
 * PyTorch's `torch.optim.RMSprop` step without momentum or centring, in float64:
 * square_avg.mul_(alpha).addcmul_(grad, grad, value=1 − alpha); param.addcdiv_(grad, square_avg.sqrt().add_(eps), value=−lr).
 */
function torchRmsprop(p: number[], grads: number[][], lr: number, alpha: number, eps: number): number[] {
  const squareAvg = p.map(() => 0);
  const out = [...p];
  for (const g of grads) {
    for (let i = 0; i < p.length; i++) {
      squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g[i] * g[i];
      out[i] -= (lr * g[i]) / (Math.sqrt(squareAvg[i]) + eps);
    }
  }
  return out;
}

describe("ClippedRmsprop", () => {
  it("two steps by hand (α 0.99, ε 1e-5, as SB3's A2C)", () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new ClippedRmsprop(new Map([["w", w]]), { learningRate: 0.01, alpha: 0.99, epsilon: 1e-5 });
    // Step 1, g = (2, −1): s = 0.01·g² = (0.04, 0.01), √s = (0.2, 0.1);
    // w = (1 − 0.01·2/0.20001, −2 + 0.01·1/0.10001) = (0.9000050, −1.9000100).
    opt.applyGradients(new Map([["w", tf.tensor1d([2, -1])]]));
    expect(maxAbsDiff(opt.getState().squareAvg.get("w")!, [0.04, 0.01])).toBeLessThan(1e-8);
    expect(maxAbsDiff(w.dataSync(), [0.900005, -1.90001])).toBeLessThan(1e-6);
    // Step 2, g = (1, 3): s = 0.99·(0.04, 0.01) + 0.01·(1, 9) = (0.0496, 0.0999), √s = (0.2227106, 0.3160696);
    // w = (0.9000050 − 0.01/0.2227206, −1.9000100 − 0.03/0.3160796) = (0.8551057, −1.9949228).
    opt.applyGradients(new Map([["w", tf.tensor1d([1, 3])]]));
    expect(maxAbsDiff(opt.getState().squareAvg.get("w")!, [0.0496, 0.0999])).toBeLessThan(1e-8);
    expect(maxAbsDiff(w.dataSync(), [0.8551057, -1.9949228])).toBeLessThan(1e-6);
    expect(opt.step).toBe(2);
    w.dispose();
  });

  it("follows PyTorch's formula over many steps (defaults α 0.99, ε 1e-8)", () => {
    const rng = testRng("rmsprop-reference");
    const start = [0.3, -1.2, 2.5, 0, 0.01];
    const grads = Array.from({ length: 20 }, () => start.map(() => rng.normal() * 3));
    const w = tf.variable(tf.tensor1d(start));
    const opt = new ClippedRmsprop(new Map([["w", w]]), { learningRate: 1e-3 });
    expect([opt.alpha, opt.epsilon]).toEqual([0.99, 1e-8]);
    for (const g of grads) opt.applyGradients(new Map([["w", tf.tensor1d(g)]]));
    expect(maxAbsDiff(w.dataSync(), torchRmsprop(start, grads, 1e-3, 0.99, 1e-8))).toBeLessThan(1e-5);
    w.dispose();
  });

  it("clips the global gradient norm across all parameters before the average", () => {
    const a = tf.variable(tf.tensor1d([0, 0]));
    const b = tf.variable(tf.tensor1d([0]));
    const params = new Map([
      ["a", a],
      ["b", b],
    ]);
    const opt = new ClippedRmsprop(params, { learningRate: 0.1, maxGradNorm: 0.5 });
    // Gradients (3, 4) and (12): global norm 13, clipped to 0.5 → (3, 4, 12) · 0.5/13.
    const result = opt.minimize(
      () => tf.add(tf.sum(tf.mul(a, tf.tensor1d([3, 4]))), tf.sum(tf.mul(b, 12))) as tf.Scalar,
    );
    expect(result.gradNorm).toBeCloseTo(13, 4);
    const s = opt.getState().squareAvg;
    const clipped = [3, 4, 12].map((g) => (g * 0.5) / 13);
    expect(
      maxAbsDiff(
        [...s.get("a")!, ...s.get("b")!],
        clipped.map((g) => 0.01 * g * g),
      ),
    ).toBeLessThan(1e-8);
    tf.dispose([a, b]);
  });

  it("getState / setState: a copy continues exactly as the original", () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const u = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = new ClippedRmsprop(new Map([["w", w]]), { learningRate: 0.05 });
    const grads = [
      [1, -1, 0.5],
      [0.2, 0.3, -4],
    ];
    opt.applyGradients(new Map([["w", tf.tensor1d(grads[0])]]));
    u.assign(w);
    const copy = new ClippedRmsprop(new Map([["w", u]]), { learningRate: 0.05 });
    copy.setState(opt.getState());
    expect(copy.step).toBe(1);
    opt.applyGradients(new Map([["w", tf.tensor1d(grads[1])]]));
    copy.applyGradients(new Map([["w", tf.tensor1d(grads[1])]]));
    expect(Array.from(u.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(
      messageOf(() => copy.setState({ step: 1, squareAvg: new Map([["w", new Float32Array(2)]]) })),
    ).toBe('ClippedRmsprop state squareAvg of "w" has 2 values, expected 3');
    expect(messageOf(() => copy.setState({ step: 1, squareAvg: new Map() }))).toBe(
      'ClippedRmsprop state has no squareAvg for parameter "w"',
    );
    tf.dispose([w, u]);
  });

  it("checks its arguments with errors naming the argument", () => {
    const cases: [() => unknown, string][] = [
      [
        () => new ClippedRmsprop(new Map(), { learningRate: 0 }),
        "ClippedRmsprop: learningRate must be a finite number > 0, got 0",
      ],
      [
        () => new ClippedRmsprop(new Map(), { learningRate: 1e-3, alpha: 1 }),
        "ClippedRmsprop: alpha must be a number in [0, 1), got 1",
      ],
      [
        () => new ClippedRmsprop(new Map(), { learningRate: 1e-3, epsilon: 0 }),
        "ClippedRmsprop: epsilon must be a finite number > 0, got 0",
      ],
      [
        () => new ClippedRmsprop(new Map(), { learningRate: 1e-3, maxGradNorm: -1 }),
        "ClippedRmsprop: maxGradNorm must be a number > 0 (or undefined: no clipping), got -1",
      ],
    ];
    for (const [make, message] of cases) expect(messageOf(make)).toBe(message);
  });
});

describe("checkpoints of either optimiser", () => {
  const x = () => randn([6, 3], "rmsprop-x");
  const target = () => randn([6, 2], "rmsprop-y");
  const loss = (mlp: Mlp) => () => mseLoss(mlp.apply(x() as tf.Tensor2D), target());
  const trainStep = (opt: ClippedAdam | ClippedRmsprop, mlp: Mlp) =>
    tf.tidy(() => {
      opt.minimize(loss(mlp));
    });

  it("RMSprop round trip: slots saved as optimizer/squareAvg/<path>, identical continued training", () => {
    const net = new Mlp({ sizes: [3, 4, 2], seed: 1 });
    const opt = new ClippedRmsprop(net.params(), { learningRate: 1e-2, epsilon: 1e-5, maxGradNorm: 0.5 });
    for (let i = 0; i < 3; i++) trainStep(opt, net);
    const dir = path.join(root, "rmsprop");
    saveCheckpoint(dir, net.params(), opt);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8"));
    expect(manifest.optimizer).toEqual({ kind: "ClippedRmsprop", step: 3 });
    expect(manifest.tensors.map((t: { name: string }) => t.name)).toEqual([
      ...net.params().keys(),
      ...[...net.params().keys()].map((p) => `optimizer/squareAvg/${p}`),
    ]);

    const other = new Mlp({ sizes: [3, 4, 2], seed: 2 });
    const otherOpt = new ClippedRmsprop(other.params(), {
      learningRate: 1e-2,
      epsilon: 1e-5,
      maxGradNorm: 0.5,
    });
    loadCheckpoint(dir, other.params(), otherOpt);
    expect(otherOpt.step).toBe(3);
    expect(otherOpt.getState().squareAvg).toEqual(opt.getState().squareAvg);
    trainStep(opt, net);
    trainStep(otherOpt, other);
    for (const [p, v] of net.params())
      expect(Array.from(other.params().get(p)!.dataSync())).toEqual(Array.from(v.dataSync()));
    net.dispose();
    other.dispose();
  });

  it("Adam's slots keep their names m and v (older checkpoints load)", () => {
    const net = new Mlp({ sizes: [3, 2], seed: 1 });
    const opt = new ClippedAdam(net.params(), { learningRate: 1e-2 });
    trainStep(opt, net);
    const dir = path.join(root, "adam");
    saveCheckpoint(dir, net.params(), opt);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8"));
    expect(manifest.optimizer).toEqual({ kind: "ClippedAdam", step: 1 });
    expect(manifest.tensors.map((t: { name: string }) => t.name)).toEqual([
      "dense0/kernel",
      "dense0/bias",
      "optimizer/m/dense0/kernel",
      "optimizer/m/dense0/bias",
      "optimizer/v/dense0/kernel",
      "optimizer/v/dense0/bias",
    ]);
    net.dispose();
  });

  it("an optimiser of the other kind is an error naming both kinds; nothing is assigned", () => {
    const net = new Mlp({ sizes: [3, 2], seed: 1 });
    const adam = new ClippedAdam(net.params(), { learningRate: 1e-2 });
    trainStep(adam, net);
    const dir = path.join(root, "kinds");
    saveCheckpoint(dir, net.params(), adam);
    const other = new Mlp({ sizes: [3, 2], seed: 7 });
    const before = Array.from(other.kernels[0].dataSync());
    const rmsprop = new ClippedRmsprop(other.params(), { learningRate: 1e-2 });
    const manifestPath = path.join(dir, MANIFEST_FILE);
    expect(messageOf(() => loadCheckpoint(dir, other.params(), rmsprop))).toBe(
      `checkpoint ${manifestPath}: optimizer state is ClippedAdam, expected ClippedRmsprop`,
    );
    expect(Array.from(other.kernels[0].dataSync())).toEqual(before);
    expect(rmsprop.step).toBe(0);
    const rmspropDir = path.join(root, "kinds-rmsprop");
    saveCheckpoint(rmspropDir, other.params(), rmsprop);
    expect(messageOf(() => loadCheckpoint(rmspropDir, net.params(), adam))).toBe(
      `checkpoint ${path.join(rmspropDir, MANIFEST_FILE)}: optimizer state is ClippedRmsprop, expected ClippedAdam`,
    );
    net.dispose();
    other.dispose();
  });
});
