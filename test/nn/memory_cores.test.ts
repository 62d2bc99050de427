import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { LstmFastPath } from "../../src/nn/fast_path";
import { StepwiseCoreFastPath } from "../../src/nn/fast_path_cores";
import { Gru } from "../../src/nn/gru";
import type { Lstm } from "../../src/nn/lstm";
import { makeMemoryCore } from "../../src/nn/memory";
import type { CoreKind, MemoryCore, MemoryState } from "../../src/nn/memory_core";
import { ClippedAdam } from "../../src/nn/optimizer";
import { Rnn } from "../../src/nn/rnn";
import { maxAbsDiff, randn, useBackend } from "./helpers";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const KINDS: CoreKind[] = ["rnn", "gru", "lstm"];

/** Sets every weight of `core` to seeded normals × `scale` (so that biases are not all zero). */
function randomiseWeights(core: MemoryCore, tag: string, scale = 0.5): void {
  for (const [path, v] of core.params()) tf.tidy(() => v.assign(randn(v.shape, `${tag}/${path}`, scale)));
}

/** [v[r, c]] of a row-major [rows, cols] array. */
const at = (v: ArrayLike<number>, cols: number, r: number, c: number) => v[r * cols + c];

/**
 * Plain references with separate weight slices and tf.tanh / tf.sigmoid (no fused tanh): what the
 * cores' autodiff gradients are compared with.
 */
function referenceStep(core: MemoryCore, x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
  const H = core.hiddenDim;
  const p = core.params();
  const W = p.get("kernel")! as tf.Tensor2D;
  const U = p.get("recurrentKernel")! as tf.Tensor2D;
  const b = p.get("bias")! as tf.Tensor1D;
  const block = (m: tf.Tensor2D, i: number) => tf.slice(m, [0, i * H], [m.shape[0], H]);
  const part = (v: tf.Tensor1D, i: number) => tf.slice(v, [i * H], [H]);
  const sum = (...terms: tf.Tensor[]) => terms.reduce((a, t) => tf.add(a, t));
  if (core.kind === "rnn") return tf.tanh(sum(tf.matMul(x, W), tf.matMul(h, U), b)) as tf.Tensor2D;
  const bh = p.get("recurrentBias")! as tf.Tensor1D;
  const gate = (i: number) =>
    sum(tf.matMul(x, block(W, i)), part(b, i), tf.matMul(h, block(U, i)), part(bh, i));
  const r = tf.sigmoid(gate(0));
  const z = tf.sigmoid(gate(1));
  const n = tf.tanh(
    tf.add(
      tf.add(tf.matMul(x, block(W, 2)), part(b, 2)),
      tf.mul(r, tf.add(tf.matMul(h, block(U, 2)), part(bh, 2))),
    ),
  );
  return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
}

function referenceUnroll(
  core: MemoryCore,
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  resets: tf.Tensor2D,
): tf.Tensor3D {
  const [T, B] = xs.shape;
  let h = h0;
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const keep = tf.sub(1, tf.reshape(tf.slice(resets, [t, 0], [1, B]), [B, 1]));
    const x = tf.reshape(tf.slice(xs, [t, 0, 0], [1, B, core.inputDim]), [B, core.inputDim]) as tf.Tensor2D;
    h = referenceStep(core, x, tf.mul(h, keep) as tf.Tensor2D);
    outputs.push(h);
  }
  return tf.stack(outputs) as tf.Tensor3D;
}

describe("memory cores: plain RNN and GRU beside the LSTM", () => {
  beforeAll(() => useBackend("wasm"));

  it("RNN, one step by hand: h′ = tanh(W_x x + W_h h + b)", () => {
    const rnn = new Rnn({ inputDim: 2, hiddenDim: 2, seed: 1 });
    const Wx = [0.5, -0.3, 0.2, 0.8];
    const Wh = [0.1, 0.4, -0.6, 0.2];
    const b = [0.05, -0.1];
    rnn.kernel.assign(tf.tensor2d(Wx, [2, 2]));
    rnn.recurrentKernel.assign(tf.tensor2d(Wh, [2, 2]));
    rnn.bias.assign(tf.tensor1d(b));
    const x = [1, -2];
    const h = [0.3, -0.7];
    const expected = [0, 1].map((j) =>
      Math.tanh(
        x[0] * at(Wx, 2, 0, j) +
          x[1] * at(Wx, 2, 1, j) +
          h[0] * at(Wh, 2, 0, j) +
          h[1] * at(Wh, 2, 1, j) +
          b[j],
      ),
    );
    const [next] = rnn.step(tf.tensor2d(x, [1, 2]), [tf.tensor2d(h, [1, 2])]);
    expect(maxAbsDiff(next.dataSync(), expected)).toBeLessThan(1e-6);
    rnn.dispose();
  });

  it("GRU, one step by hand (PyTorch's equations, r applied after the recurrent matmul)", () => {
    const gru = new Gru({ inputDim: 1, hiddenDim: 1, seed: 1 });
    // Gate order [r, z, n].
    const Wi = [0.7, -0.4, 1.1];
    const Wh = [0.3, 0.9, -0.5];
    const bi = [0.1, 0.2, -0.3];
    const bh = [-0.2, 0.05, 0.4];
    gru.kernel.assign(tf.tensor2d(Wi, [1, 3]));
    gru.recurrentKernel.assign(tf.tensor2d(Wh, [1, 3]));
    gru.bias.assign(tf.tensor1d(bi));
    gru.recurrentBias.assign(tf.tensor1d(bh));
    const x = 0.8;
    const h = -0.6;
    const r = sigmoid(Wi[0] * x + bi[0] + Wh[0] * h + bh[0]);
    const z = sigmoid(Wi[1] * x + bi[1] + Wh[1] * h + bh[1]);
    const n = Math.tanh(Wi[2] * x + bi[2] + r * (Wh[2] * h + bh[2]));
    const expected = (1 - z) * n + z * h;
    const [next] = gru.step(tf.tensor2d([x], [1, 1]), [tf.tensor2d([h], [1, 1])]);
    expect(next.dataSync()[0]).toBeCloseTo(expected, 6);
    // Cho et al.'s variant (r ⊙ h before the matmul) differs here: the check above can tell them apart.
    const cho = (1 - z) * Math.tanh(Wi[2] * x + bi[2] + Wh[2] * (r * h) + bh[2]) + z * h;
    expect(Math.abs(cho - expected)).toBeGreaterThan(1e-3);
    gru.dispose();
  });

  for (const kind of ["rnn", "gru"] as const) {
    it(`${kind}: unroll forward and autodiff gradients equal a plain reference's (resets mid-sequence)`, () => {
      const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: 4, seed: 7 });
      randomiseWeights(core, kind);
      const xs = randn([5, 3, 3], "ref-x") as tf.Tensor3D;
      const h0 = randn([3, 4], "ref-h", 0.5) as tf.Tensor2D;
      const resets = tf.tensor2d([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0], [5, 3]);
      const w = randn([5, 3, 4], "ref-w");
      const results = (run: (x: tf.Tensor3D, h: tf.Tensor2D) => tf.Tensor3D) => {
        const f = (x: tf.Tensor, h: tf.Tensor) =>
          tf.tidy(() => tf.sum(tf.mul(run(x as tf.Tensor3D, h as tf.Tensor2D), w)) as tf.Scalar);
        const { value, grads } = tf.variableGrads(() => f(xs, h0), [...core.params().values()]);
        const inputGrads = tf.grads(f)([xs, h0]);
        const all = [value, ...Object.values(grads), ...inputGrads].map((t) => Array.from(t.dataSync()));
        tf.dispose([value, ...Object.values(grads), ...inputGrads]);
        return all;
      };
      const ours = results((x, h) => core.unrollStates(x, [h], resets).outputs);
      const reference = results((x, h) => referenceUnroll(core, x, h, resets));
      expect(ours.length).toBe(1 + core.params().size + 2);
      for (let i = 0; i < ours.length; i++) expect(maxAbsDiff(ours[i], reference[i])).toBeLessThan(1e-5);
      // The gradients are not trivially zero.
      expect(Math.max(...ours[1].map(Math.abs))).toBeGreaterThan(1e-3);
      core.dispose();
      tf.dispose([xs, h0, resets, w]);
    });
  }

  // A width not a multiple of 4 runs op by op; one step used to break TF.js's Unpack gradient.
  for (const kind of KINDS) {
    it(`${kind}: a one-step unroll of width 3 (op by op) has gradients`, () => {
      const core = makeMemoryCore({ kind, inputDim: 2, hiddenDim: 3, seed: 2 });
      const xs = randn([1, 2, 2], "one-step") as tf.Tensor3D;
      const resets = tf.tensor2d([[0, 1]]);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(core.unrollStates(xs, core.zeroStates(2), resets).outputs) as tf.Scalar,
        [...core.params().values()],
      );
      expect(Object.keys(grads).length).toBe(core.params().size);
      expect(tf.norm(Object.values(grads)[0]).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads), xs, resets]);
      core.dispose();
    });
  }

  // hiddenDim 8: the fused ops (wasm gemm + SIMD cells) run when H is a multiple of 4.
  for (const kind of KINDS) {
    it(`${kind}: the fused unroll op equals the op-by-op unroll, forward and gradients`, () => {
      const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: 8, seed: 6 });
      randomiseWeights(core, `fused-${kind}`);
      const xs = randn([7, 3, 3], "fused-x") as tf.Tensor3D;
      // Step 4 resets every row (the zero-state path); row 1 also resets at t = 1.
      const resets = tf.tensor2d([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0], [7, 3]);
      const w = randn([7, 3, 8], "fused-w");
      const opByOp = core as unknown as { unrollOpByOp: MemoryCore["unrollStates"] };
      const asStates = (state: MemoryState) =>
        kind === "lstm" ? ({ h: state[0], c: state[1] } as never) : state;
      const results = (unroll: (xs: tf.Tensor3D, state: MemoryState) => MemoryState, h0: tf.Tensor2D) => {
        const f = (x: tf.Tensor, h: tf.Tensor) =>
          tf.tidy(() => {
            const state =
              kind === "lstm" ? [h as tf.Tensor2D, tf.mul(h, 0.5) as tf.Tensor2D] : [h as tf.Tensor2D];
            const [outputs, ...last] = unroll(x as tf.Tensor3D, state);
            return tf.add(tf.sum(tf.mul(outputs, w)), tf.sum(tf.square(last[last.length - 1])));
          });
        const { value, grads } = tf.variableGrads(() => f(xs, h0) as tf.Scalar, [...core.params().values()]);
        const inputGrads = tf.grads(f)([xs, h0]);
        const all = [value, ...Object.values(grads), ...inputGrads].map((t) => Array.from(t.dataSync()));
        tf.dispose([value, ...Object.values(grads), ...inputGrads]);
        return all;
      };
      const fused = (x: tf.Tensor3D, state: MemoryState) => {
        const r = core.unrollStates(x, state, resets);
        return [r.outputs, ...r.state] as MemoryState;
      };
      const reference = (x: tf.Tensor3D, state: MemoryState) => {
        const r =
          kind === "lstm"
            ? (() => {
                const l = (
                  core as unknown as {
                    unrollOpByOp: (...a: unknown[]) => {
                      outputs: tf.Tensor3D;
                      state: { h: tf.Tensor2D; c: tf.Tensor2D };
                    };
                  }
                ).unrollOpByOp(x, asStates(state), resets);
                return { outputs: l.outputs, state: [l.state.h, l.state.c] };
              })()
            : opByOp.unrollOpByOp.call(core, x, state, resets);
        return [r.outputs, ...r.state] as MemoryState;
      };
      for (const h0 of [randn([3, 8], "fused-h") as tf.Tensor2D, tf.zeros([3, 8]) as tf.Tensor2D]) {
        const ours = results(fused, h0);
        const ref = results(reference, h0);
        expect(ours.length).toBe(1 + core.params().size + 2);
        for (let i = 0; i < ours.length; i++) expect(maxAbsDiff(ours[i], ref[i])).toBeLessThan(2e-5);
        expect(Math.max(...ours[1].map(Math.abs))).toBeGreaterThan(1e-3);
        h0.dispose();
      }
      core.dispose();
      tf.dispose([xs, resets, w]);
    });
  }

  for (const kind of KINDS) {
    it(`${kind}: step() repeated equals unroll(), resets included`, () => {
      const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: 5, seed: 4 });
      const xs = randn([6, 2, 3], "step-x") as tf.Tensor3D;
      const resets = tf.tensor2d([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], [6, 2]);
      const start = Array.from({ length: core.stateCount }, (_, i) => randn([2, 5], `s${i}`) as tf.Tensor2D);
      const { outputs, state } = core.unrollStates(xs, start, resets);
      let s: MemoryState = start;
      const stepped: number[] = [];
      for (let t = 0; t < 6; t++) {
        const next = tf.tidy(() => {
          const x = tf.reshape(tf.slice(xs, [t, 0, 0], [1, 2, 3]), [2, 3]) as tf.Tensor2D;
          const reset = tf.reshape(tf.slice(resets, [t, 0], [1, 2]), [2]) as tf.Tensor1D;
          return core.stepStates(x, s, reset);
        });
        if (t > 0) tf.dispose(s);
        s = next;
        stepped.push(...s[0].dataSync());
      }
      expect(maxAbsDiff(stepped, outputs.dataSync())).toBeLessThan(1e-6);
      expect(s.length).toBe(state.length);
      for (let i = 0; i < s.length; i++)
        expect(maxAbsDiff(s[i].dataSync(), state[i].dataSync())).toBeLessThan(1e-6);
      core.dispose();
      tf.dispose([xs, resets, ...start, outputs, ...state, ...s]);
    });

    it(`${kind}: reset masks stop state and gradient crossing episode boundaries`, () => {
      const core = makeMemoryCore({ kind, inputDim: 2, hiddenDim: 4, seed: 5 });
      const first = randn([5, 1, 2], "episode-a") as tf.Tensor3D;
      const second = randn([4, 1, 2], "episode-b") as tf.Tensor3D;
      const joined = tf.concat([first, second]) as tf.Tensor3D;
      const resets = tf.tensor2d([0, 0, 0, 0, 0, 1, 0, 0, 0], [9, 1]);
      const run = (xs: tf.Tensor3D, state: MemoryState, r?: tf.Tensor2D) =>
        core.unrollStates(xs, state, r).outputs;
      const fresh = tf.tidy(() => run(second, core.zeroStates(1)).dataSync());
      const masked = tf.tidy(() => tf.slice(run(joined, core.zeroStates(1), resets), 5).dataSync());
      const leaking = tf.tidy(() => tf.slice(run(joined, core.zeroStates(1)), 5).dataSync());
      expect(maxAbsDiff(masked, fresh)).toBeLessThan(1e-6);
      expect(maxAbsDiff(leaking, fresh)).toBeGreaterThan(1e-3);
      // A reset at t = 0 ignores the state passed in.
      const stale = Array.from({ length: core.stateCount }, () => tf.fill([1, 4], 2) as tf.Tensor2D);
      const resetAtStart = tf.tensor2d([1, 0, 0, 0], [4, 1]);
      const fromStale = tf.tidy(() => run(second, stale, resetAtStart).dataSync());
      expect(maxAbsDiff(fromStale, fresh)).toBeLessThan(1e-6);
      // And one step with reset 1 from the stale state equals one step from zeros.
      const x0 = tf.tidy(() => tf.reshape(tf.slice(second, 0, 1), [1, 2]) as tf.Tensor2D);
      const fromReset = tf.tidy(() => core.stepStates(x0, stale, tf.ones([1]) as tf.Tensor1D)[0].dataSync());
      expect(maxAbsDiff(fromReset, fresh.subarray(0, 4))).toBeLessThan(1e-6);
      const dJoined = tf.grad((x: tf.Tensor) =>
        tf.sum(tf.slice(run(x as tf.Tensor3D, core.zeroStates(1), resets), 5)),
      )(joined);
      const grad = dJoined.dataSync();
      expect(maxAbsDiff(grad.subarray(0, 10), new Float32Array(10))).toBe(0);
      expect(maxAbsDiff(grad.subarray(10), new Float32Array(8))).toBeGreaterThan(1e-4);
      core.dispose();
      tf.dispose([first, second, joined, resets, ...stale, resetAtStart, x0, dJoined]);
    });

    it(`${kind}: no tensor leaks over 50 training steps and 100 acting steps`, () => {
      const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: 6, seed: 0 });
      const xs = randn([5, 2, 3], 1) as tf.Tensor3D;
      const resets = tf.tensor2d([0, 0, 0, 1, 0, 0, 1, 0, 0, 0], [5, 2]);
      const opt = new ClippedAdam(core.params(), { learningRate: 1e-3, maxGradNorm: 0.5 });
      opt.minimize(() =>
        tf.tidy(
          () => tf.mean(tf.square(core.unrollStates(xs, core.zeroStates(2), resets).outputs)) as tf.Scalar,
        ),
      );
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) {
        opt.minimize(() =>
          tf.tidy(
            () => tf.mean(tf.square(core.unrollStates(xs, core.zeroStates(2), resets).outputs)) as tf.Scalar,
          ),
        );
      }
      expect(tf.memory().numTensors).toBe(before);
      let state = core.zeroStates(2);
      const x = randn([2, 3], 2) as tf.Tensor2D;
      for (let i = 0; i < 100; i++) {
        const next = core.stepStates(x, state);
        tf.dispose(state);
        state = next;
      }
      tf.dispose([...state, x]);
      expect(tf.memory().numTensors).toBe(before);
      core.dispose();
      tf.dispose([xs, resets]);
    });
  }

  // Width 4 runs the SIMD cells, width 3 the scalar ones.
  for (const kind of KINDS) {
    for (const H of [4, 3]) {
      it(`${kind}: the typed-array acting step (width ${H}) equals step(), and follows the weights after refresh()`, () => {
        const core = makeMemoryCore({ kind, inputDim: 3, hiddenDim: H, seed: 12 });
        randomiseWeights(core, `fast-${kind}`);
        const fast =
          kind === "lstm" ? new LstmFastPath(core as Lstm) : new StepwiseCoreFastPath(core as Gru | Rnn);
        const B = 3;
        const check = () => {
          // The state lives in a larger array (a second tower after it), as in RecurrentState.
          const hs = tf.tidy(() => Float32Array.from(randn([2 * B * H], `fast-h-${kind}`).dataSync()));
          const cs = tf.tidy(() => Float32Array.from(randn([2 * B * H], `fast-c-${kind}`).dataSync()));
          const offset = B * H;
          let state: MemoryState = [tf.tensor2d(hs.slice(offset), [B, H])];
          if (kind === "lstm") state.push(tf.tensor2d(cs.slice(offset), [B, H]));
          for (let t = 0; t < 4; t++) {
            const x = randn([B, 3], `fast-x${t}`) as tf.Tensor2D;
            if (fast instanceof LstmFastPath) fast.step(x.dataSync() as Float32Array, hs, cs, offset, B);
            else fast.step(x.dataSync() as Float32Array, hs, offset, B);
            const next = core.stepStates(x, state);
            expect(maxAbsDiff(hs.subarray(offset), next[0].dataSync())).toBeLessThan(1e-5);
            if (kind === "lstm")
              expect(maxAbsDiff(cs.subarray(offset), next[1].dataSync())).toBeLessThan(1e-5);
            tf.dispose([x, ...state]);
            state = next;
          }
          tf.dispose(state);
        };
        const before = tf.memory().numTensors;
        check();
        randomiseWeights(core, `fast-${kind}-changed`);
        fast.refresh();
        check();
        fast.dispose();
        expect(tf.memory().numTensors).toBe(before);
        core.dispose();
      });
    }
  }

  it("initialisation: orthogonal kernels (the RNN's recurrent matrix is orthogonal), zero biases, seeded", () => {
    const rnn = new Rnn({ inputDim: 3, hiddenDim: 6, seed: 9 });
    const gram = tf.tidy(() => tf.matMul(rnn.recurrentKernel, rnn.recurrentKernel, true, false).dataSync());
    const eye = Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    expect(maxAbsDiff(gram, eye)).toBeLessThan(1e-5);
    const gru = new Gru({ inputDim: 3, hiddenDim: 4, seed: 9 });
    // [H, 3H] is wide: orthonormal rows.
    const rows = tf.tidy(() => tf.matMul(gru.recurrentKernel, gru.recurrentKernel, false, true).dataSync());
    expect(
      maxAbsDiff(
        rows,
        Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
      ),
    ).toBeLessThan(1e-5);
    expect([...gru.params().keys()]).toEqual(["kernel", "recurrentKernel", "bias", "recurrentBias"]);
    for (const v of [gru.bias, gru.recurrentBias, rnn.bias])
      expect(Math.max(...v.dataSync().map(Math.abs))).toBe(0);
    const again = new Gru({ inputDim: 3, hiddenDim: 4, seed: 9 });
    const other = new Gru({ inputDim: 3, hiddenDim: 4, seed: 10 });
    expect(maxAbsDiff(again.kernel.dataSync(), gru.kernel.dataSync())).toBe(0);
    expect(maxAbsDiff(other.kernel.dataSync(), gru.kernel.dataSync())).toBeGreaterThan(1e-3);
    for (const c of [rnn, gru, again, other]) c.dispose();
  });

  it("bad inputs get errors naming the method and the argument", () => {
    const gru = new Gru({ inputDim: 3, hiddenDim: 4, seed: 1 });
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => gru.step(x, [tf.zeros([2, 5]) as tf.Tensor2D])).toThrow(
      "Gru.step: state[0] (h) must be a tensor of shape [B, H] = [2, 4] (B from x, H = hiddenDim), got shape [2, 5]",
    );
    expect(() => gru.step(x, [])).toThrow("Gru.step: state must be a list of 1 tensor(s) [h], got 0");
    expect(() => new Rnn({ inputDim: 3, hiddenDim: 0, seed: 1 })).toThrow(
      "Rnn: hiddenDim must be an integer ≥ 1, got 0",
    );
    gru.dispose();
    x.dispose();
  });
});
