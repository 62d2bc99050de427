// DRQN's replayed sequences with burn-in, from a buffer written by hand, and DRQN's gradient step on a
// batch written by hand: the first K (burn-in) steps only warm the LSTM state up and get no loss;
// the unroll starts from the state stored with the burn-in's first step; the loss covers the L
// steps after it, masked where the episode ended, against targets one step ahead.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { DrqnConfigSchema, trainDrqn } from "../../agents/dqn";
import type { QNetwork } from "../../agents/q_network";
import { RecurrentState } from "../../agents/recurrent_state";
import { ReplayBuffer, type SequenceBatch, sequenceBatch } from "../../agents/replay";
import type { TrainResult } from "../../agents/training_loop";
import type { UniformSource } from "../../src/core/rng";
import { initBackend } from "../../src/nn";
import { validateConfig } from "../../src/train/config";
import { RunFolder } from "../../src/train/run_folder";
import { silentLogger } from "../nn/helpers";
import { metricLines, registerTestEnvs } from "./helpers";
import { gather, norm, type RecordedStep, recordSteps, relativeError } from "./steps";

beforeAll(async () => {
  await initBackend("wasm", silentLogger);
  registerTestEnvs();
});

/**
 * Ten transitions of one env, t = 0 … 9: episode A is t = 0 … 3 (terminated at 3), episode B begins
 * at t = 4. Observation 10 + t, next observation 11 + t except the final one of A, 103; action t mod 3,
 * reward t / 10; stored state h = (100t + 1, 100t + 2), c = −h.
 */
function handBuffer(capacity: number): ReplayBuffer {
  const buffer = new ReplayBuffer({ capacity, numEnvs: 1, observationSize: 1, stateSize: 2 });
  for (let t = 0; t < 10; t++) {
    const h = Float32Array.of(100 * t + 1, 100 * t + 2);
    buffer.add({
      observations: Float32Array.of(10 + t),
      nextObservations: Float32Array.of(t === 3 ? 103 : 11 + t),
      actions: Int32Array.of(t % 3),
      rewards: Float32Array.of(t / 10),
      terminated: Uint8Array.of(t === 3 ? 1 : 0),
      truncated: Uint8Array.of(0),
      episodeStarts: Uint8Array.of(t === 0 || t === 4 ? 1 : 0),
      h,
      c: h.map((x) => -x),
    });
  }
  return buffer;
}

/** A uniform source that makes sampleSequences start sequence b at stored transition starts[b]. */
function startingAt(starts: number[], burnIn: number, size: number): UniformSource {
  const draws = starts.map((s) => (s - burnIn + 0.5) / (size - burnIn));
  return { random: () => draws.shift()! };
}

/** Rows t·B + b of a time-major array, one row per step. */
function byStep(a: ArrayLike<number>, B: number): number[][] {
  return Array.from({ length: a.length / B }, (_, t) => Array.from({ length: B }, (_, b) => a[t * B + b]));
}

describe("ReplayBuffer.sampleSequences: burn-in, stored state, padding (a buffer written by hand)", () => {
  it("K = 2 burn-in steps before each sequence of L = 3; the state stored with the burn-in's first step", () => {
    const buffer = handBuffer(20);
    const batch = sequenceBatch(4, 3, 2, 1, 2);
    // Sequences from t = 6 (all in B), 5 (burn-in from A's end into B), 2 (A ends inside it), 8 (the
    // buffer ends inside it).
    buffer.sampleSequences(startingAt([6, 5, 2, 8], 2, 10), batch);
    // Steps 0, 1 are the burn-in (t − 2, t − 1); 2, 3, 4 the sequence; 5 the next observation of its last step.
    expect(byStep(batch.observations, 4)).toEqual([
      [14, 13, 10, 16],
      [15, 14, 11, 17],
      [16, 15, 12, 18],
      [17, 16, 13, 19],
      [18, 17, 103, 20], // sequence 2: A's final observation after its last step; 3: the newest one's next
      [19, 18, 0, 0], // padding after an episode's (or the buffer's) end
    ]);
    // The state is zeroed where an episode begins: t = 4 (sequence 0's first burn-in step, sequence
    // 1's second) and t = 0 (sequence 2's first).
    expect(byStep(batch.episodeStarts, 4)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    // The L training steps: loss mask, actions, rewards and bootstrap flags of t, t + 1, t + 2.
    expect(byStep(batch.mask, 4)).toEqual([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    expect(byStep(batch.actions, 4)).toEqual([
      [0, 2, 2, 2],
      [1, 0, 0, 0],
      [2, 1, 0, 0],
    ]);
    expect(byStep(batch.rewards, 4)).toEqual([
      [0.6, 0.5, 0.2, 0.8].map(Math.fround),
      [0.7, 0.6, 0.3, 0.9].map(Math.fround),
      [0.8, 0.7, 0, 0].map(Math.fround),
    ]);
    expect(byStep(batch.bootstrap, 4)).toEqual([
      [1, 1, 1, 1],
      [1, 1, 0, 1], // A terminated at t = 3
      [1, 1, 0, 0],
    ]);
    // The stored state of each sequence's burn-in start: t = 4, 3, 0, 6.
    expect(Array.from(batch.h!)).toEqual([401, 402, 301, 302, 1, 2, 601, 602]);
    expect(Array.from(batch.c!)).toEqual([-401, -402, -301, -302, -1, -2, -601, -602]);
  });

  it("no burn-in: the sequence starts at its own stored state; a wrapped ring counts from its oldest", () => {
    const plain = handBuffer(20);
    const batch = sequenceBatch(2, 2, 0, 1, 2);
    plain.sampleSequences(startingAt([3, 7], 0, 10), batch);
    expect(byStep(batch.observations, 2)).toEqual([
      [13, 17],
      [103, 18],
      [0, 19],
    ]);
    expect(byStep(batch.mask, 2)).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(Array.from(batch.h!)).toEqual([301, 302, 701, 702]);
    // 8 slots after 10 transitions: the oldest held is t = 2, so index i is t = i + 2.
    const ring = handBuffer(8);
    expect([ring.size, ring.pos]).toEqual([8, 2]);
    const wrapped = sequenceBatch(1, 3, 2, 1, 2);
    ring.sampleSequences(startingAt([2], 2, 8), wrapped); // index 2: t = 4, burn-in from t = 2
    expect(Array.from(wrapped.observations)).toEqual([12, 13, 14, 15, 16, 17]);
    expect(Array.from(wrapped.episodeStarts)).toEqual([0, 0, 1, 0, 0, 0]); // B begins at the sequence's first step
    expect(Array.from(wrapped.h!)).toEqual([201, 202]);
  });
});

// DRQN's gradient step, on a batch written by hand (the replay sampler is replaced for it).
const B = 4;
const K = 2;
const L = 3;
const T = K + L + 1;
const F = 2; // the countdown's observation
const H = 4; // LSTM units
const GAMMA = 0.9;

/**
 * The hand-written batch: observations that differ at every step and sequence; sequence 0's episode
 * begins inside the burn-in, 1's ends after its second step (terminated), 2's begins at its first
 * training step, 3's first burn-in step begins an episode and it is truncated after one step.
 */
function handBatch(out: SequenceBatch): void {
  expect([out.sequences, out.burnIn, out.length, out.steps]).toEqual([B, K, L, T]);
  const length = [3, 2, 3, 1];
  out.observations.fill(0);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (t > K + length[b]) continue; // padding
      out.observations[(t * B + b) * F] = Math.sin(1 + t + 2 * b);
      out.observations[(t * B + b) * F + 1] = Math.cos(0.5 * t - b);
    }
  }
  out.episodeStarts.fill(0);
  out.episodeStarts[1 * B + 0] = 1;
  out.episodeStarts[K * B + 2] = 1;
  out.episodeStarts[0 * B + 3] = 1;
  for (let j = 0; j < L; j++) {
    for (let b = 0; b < B; b++) {
      const i = j * B + b;
      const real = j < length[b];
      out.mask[i] = real ? 1 : 0;
      out.actions[i] = real ? (j + b) % 2 : 0;
      out.rewards[i] = real ? 0.1 * (j + 1) * (b + 1) : 0;
      out.bootstrap[i] = real && !(b === 1 && j === 1) ? 1 : 0;
    }
  }
  if (out.h && out.c) {
    for (let k = 0; k < B * H; k++) {
      out.h[k] = 0.3 * Math.sin(k + 1);
      out.c[k] = 0.2 * Math.cos(k);
    }
  }
}

/** Q-values [steps · B × A] of `net` stepped one step at a time over steps from..to−1 of the batch. */
function stepwise(
  net: QNetwork,
  batch: SequenceBatch,
  state: RecurrentState,
  from: number,
  to: number,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = from; t < to; t++) {
    const next = net.initialState(B);
    const q = tf.tidy(
      () =>
        net
          .forward(
            net.observationTensor(batch.observations.subarray(t * B * F, (t + 1) * B * F), B),
            state,
            tf.tensor1d(batch.episodeStarts.subarray(t * B, (t + 1) * B)),
            next,
          )
          .q.dataSync() as Float32Array,
    );
    out.push(q);
    state = next;
  }
  return out;
}

/**
 * DRQN's loss on `batch`, worked out apart: the target network stepped over all T steps from the
 * initial state gives y_j = r_j + γ·bootstrap_j·max_a Q_target(step K + j + 1); the online network is
 * stepped over the K burn-in steps (no gradient), then unrolled over steps K … K + L − 1 from that
 * state; the loss is the masked mean of (Q(step K + j, a_j) − y_j)². Returns it and its gradient.
 */
function referenceStep(online: QNetwork, target: QNetwork, batch: SequenceBatch, initial: RecurrentState) {
  const qTarget = stepwise(target, batch, initial.copy(), 0, T);
  const A = 2;
  const y = new Float32Array(L * B);
  for (let j = 0; j < L; j++) {
    for (let b = 0; b < B; b++) {
      const next = qTarget[K + j + 1];
      const best = Math.max(next[b * A], next[b * A + 1]);
      y[j * B + b] = batch.rewards[j * B + b] + GAMMA * batch.bootstrap[j * B + b] * best;
    }
  }
  // The state after the burn-in, stepped one step at a time.
  let afterBurnIn = initial.copy();
  for (let t = 0; t < K; t++) {
    const next = online.initialState(B);
    tf.tidy(() => {
      online.forward(
        online.observationTensor(batch.observations.subarray(t * B * F, (t + 1) * B * F), B),
        afterBurnIn,
        tf.tensor1d(batch.episodeStarts.subarray(t * B, (t + 1) * B)),
        next,
      );
    });
    afterBurnIn = next;
  }
  const weight = batch.mask.reduce((a, m) => a + m, 0);
  const names = [...online.params().keys()];
  const variables = names.map((k) => online.params().get(k)!);
  const result = { loss: 0, grads: new Map<string, Float32Array>() };
  tf.tidy(() => {
    const obs = online.observationTensor(batch.observations.subarray(K * B * F, (K + L) * B * F), L * B);
    const starts = tf.tensor1d(batch.episodeStarts.subarray(K * B, (K + L) * B));
    const chosen = tf.oneHot(tf.tensor1d(batch.actions, "int32"), A);
    const { value, grads } = tf.variableGrads(() => {
      const { q } = online.forward(obs, afterBurnIn, starts);
      const qa = tf.sum(tf.mul(q, chosen), 1);
      const td = tf.sub(qa, tf.tensor1d(y));
      return tf.div(tf.sum(tf.mul(tf.tensor1d(batch.mask), tf.square(td))), weight) as tf.Scalar;
    }, variables);
    result.loss = value.dataSync()[0];
    names.forEach((k, i) => {
      result.grads.set(k, grads[variables[i].name].dataSync() as Float32Array);
    });
  });
  return result;
}

describe("DRQN's gradient step (a batch written by hand)", () => {
  for (const initialState of ["stored", "zero"] as const) {
    it(`burn-in K = 2 gets no loss; the loss covers the L = 3 steps after it, masked; initial state ${initialState}`, () => {
      const config = validateConfig(
        DrqnConfigSchema,
        {
          // 16 env steps; one gradient step, at env step 10 (> learningStarts 8, 10 % 10 = 0).
          totalSteps: 16,
          logEvery: 16,
          learningStarts: 8,
          trainFrequency: 10,
          targetNetworkFrequency: 1000, // the target stays the initial copy
          batchSize: B,
          sequenceLength: L,
          burnIn: K,
          initialState,
          gamma: GAMMA,
          net: { hidden: [6], lstm: H },
        },
        "drqn",
      );
      const sampled: SequenceBatch[] = [];
      const spy = vi.spyOn(ReplayBuffer.prototype, "sampleSequences").mockImplementation((_rng, out) => {
        handBatch(out);
        sampled.push(structuredClone(out));
      });
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drqn-step-")), "run");
      const run = RunFolder.create(dir, {});
      const tensors = tf.memory().numTensors;
      let recorded: { steps: RecordedStep[]; result: TrainResult<QNetwork> };
      try {
        recorded = recordSteps(() => trainDrqn(config, { envId: "TestCountdown-v0", seed: 5, run }));
      } finally {
        spy.mockRestore();
        run.close();
      }
      const { steps, result } = recorded;
      expect(steps).toHaveLength(1);
      expect(sampled).toHaveLength(1);
      const [batch] = sampled;
      expect(batch.h === undefined).toBe(initialState === "zero");
      // The online network as it was before the step; the target network is its initial copy, the same.
      const online = result.net;
      for (const [k, v] of online.params())
        tf.tidy(() => v.assign(tf.tensor(steps[0].before.get(k)!, v.shape)));
      const initial: RecurrentState =
        initialState === "stored"
          ? new RecurrentState(1, B, H, batch.h!.slice(), batch.c!.slice())
          : online.initialState(B);
      const reference = referenceStep(online, online, batch, initial);
      online.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      // The step's loss (its update line) and every gradient are the reference's.
      const update = metricLines(dir)
        .map((l) => JSON.parse(l))
        .find((l) => l.type === "update");
      expect(update.gradientSteps).toBe(1);
      expect(update.tdLoss).toBeCloseTo(reference.loss, 5);
      expect(reference.loss).toBeGreaterThan(0.01);
      for (const [name, grad] of reference.grads) {
        const taken = steps[0].grads.get(name)!;
        expect(relativeError(taken, grad), name).toBeLessThan(1e-4);
      }
      // Every part learns, the LSTM too (through the L steps after the burn-in).
      for (const part of ["q/encoder/", "q/lstm/", "head/"])
        expect(norm(gather(steps[0].grads, part))).toBeGreaterThan(0);
    }, 60_000);
  }
});
