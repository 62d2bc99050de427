import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  REPLAY_FILES,
  ReplayBuffer,
  sequenceBatch,
  transitionBatch,
  type VectorTransitions,
} from "../../agents/replay";
import { Rng } from "../../src/core/rng";

/** One vector step of N envs whose observation is [value] and next observation [value + 0.5]. */
function step(
  values: number[],
  over: Partial<Record<"terminated" | "truncated" | "episodeStarts", number[]>> = {},
): VectorTransitions {
  const N = values.length;
  return {
    observations: Float32Array.from(values),
    nextObservations: Float32Array.from(values, (v) => v + 0.5),
    actions: Int32Array.from(values),
    rewards: Float32Array.from(values, (v) => v / 10),
    terminated: Uint8Array.from(over.terminated ?? new Array(N).fill(0)),
    truncated: Uint8Array.from(over.truncated ?? new Array(N).fill(0)),
    episodeStarts: Uint8Array.from(over.episodeStarts ?? new Array(N).fill(0)),
  };
}

describe("ReplayBuffer: a ring of transitions", () => {
  it("wraps around: keeps the last `capacity` transitions, overwriting the oldest", () => {
    const buffer = new ReplayBuffer({ capacity: 5, numEnvs: 1, observationSize: 1 });
    for (let t = 0; t < 3; t++) buffer.add(step([t]));
    expect([buffer.size, buffer.pos, buffer.full]).toEqual([3, 3, false]);
    for (let t = 3; t < 7; t++) buffer.add(step([t]));
    expect([buffer.size, buffer.pos, buffer.full]).toEqual([5, 2, true]);
    expect(Array.from(buffer.actions)).toEqual([5, 6, 2, 3, 4]);
    // Sampling draws only what is stored, each stored transition about equally often.
    const batch = transitionBatch(1000, 1);
    buffer.sample(new Rng(1), batch);
    const counts = new Map<number, number>();
    for (const a of batch.actions) counts.set(a, (counts.get(a) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([2, 3, 4, 5, 6]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(150);
    // Each row: its observation, its next observation B rows later, reward and action alike.
    for (let k = 0; k < batch.rows; k++) {
      const a = batch.actions[k];
      expect(batch.observations[k]).toBe(a);
      expect(batch.observations[batch.rows + k]).toBe(a + 0.5);
      expect(batch.rewards[k]).toBeCloseTo(a / 10, 6);
    }
  });

  it("splits the capacity between envs (SB3's buffer_size / n_envs) and samples every env", () => {
    const buffer = new ReplayBuffer({ capacity: 6, numEnvs: 2, observationSize: 1 });
    expect(buffer.slots).toBe(3);
    for (let t = 0; t < 4; t++) buffer.add(step([10 * t, 10 * t + 1]));
    const batch = transitionBatch(400, 1);
    buffer.sample(new Rng(2), batch);
    expect(new Set(batch.actions)).toEqual(new Set([10, 11, 20, 21, 30, 31]));
  });

  it("stores terminated as the bootstrap mask: a truncated episode still bootstraps", () => {
    const buffer = new ReplayBuffer({ capacity: 3, numEnvs: 3, observationSize: 1 });
    buffer.add(step([1, 2, 3], { terminated: [1, 0, 0], truncated: [0, 1, 0] }));
    expect(Array.from(buffer.terminated)).toEqual([1, 0, 0]);
    expect(Array.from(buffer.ended)).toEqual([1, 1, 0]);
    const batch = transitionBatch(60, 1);
    buffer.sample(new Rng(3), batch);
    for (let k = 0; k < 60; k++) expect(batch.bootstrap[k]).toBe(batch.actions[k] === 1 ? 0 : 1);
  });

  it("names the bad argument", () => {
    expect(() => new ReplayBuffer({ capacity: 0, numEnvs: 1, observationSize: 4 })).toThrow(
      "ReplayBuffer: capacity must be an integer ≥ 1, got 0",
    );
    expect(() => new ReplayBuffer({ capacity: 10, numEnvs: 1.5, observationSize: 4 })).toThrow(
      "ReplayBuffer: numEnvs must be an integer ≥ 1, got 1.5",
    );
    expect(() =>
      new ReplayBuffer({ capacity: 10, numEnvs: 1, observationSize: 1 }).sample(
        new Rng(1),
        transitionBatch(2, 1),
      ),
    ).toThrow("ReplayBuffer.sample: the buffer is empty");
    const states = new ReplayBuffer({ capacity: 10, numEnvs: 1, observationSize: 1, stateSize: 2 });
    expect(() => states.add(step([1]))).toThrow(
      "ReplayBuffer.add: this buffer stores recurrent states; pass h and c",
    );
  });
});

/**
 * Two envs with episodes of different lengths; each observation is episodeId · 100 + step in episode,
 * each next observation the next step's (the final observation where the episode ended).
 */
function episodesBuffer(capacity: number, stateSize = 0): ReplayBuffer {
  const buffer = new ReplayBuffer({ capacity, numEnvs: 2, observationSize: 1, stateSize });
  const lengths = [
    [3, 1, 5, 2, 7, 4, 3, 6, 2, 5, 8, 3],
    [6, 2, 2, 9, 1, 4, 5, 3, 3, 7, 2, 6],
  ];
  const episode = [0, 0];
  const t = [0, 0];
  for (let k = 0; k < 40; k++) {
    const obs: number[] = [];
    const starts: number[] = [];
    const ended: number[] = [];
    for (let e = 0; e < 2; e++) {
      obs.push((e * 20 + episode[e]) * 100 + t[e]);
      starts.push(t[e] === 0 ? 1 : 0);
      ended.push(t[e] === lengths[e][episode[e]] - 1 ? 1 : 0);
    }
    const s = step(obs, { episodeStarts: starts, terminated: [ended[0], 0], truncated: [0, ended[1]] });
    s.nextObservations = Float32Array.from(obs, (v) => v + 1);
    if (stateSize > 0) {
      s.h = Float32Array.from({ length: 2 * stateSize }, (_, i) => obs[Math.floor(i / stateSize)]);
      s.c = Float32Array.from(s.h, (v) => -v);
    }
    buffer.add(s);
    for (let e = 0; e < 2; e++) {
      if (ended[e]) {
        episode[e] += 1;
        t[e] = 0;
      } else t[e] += 1;
    }
  }
  return buffer;
}

describe("ReplayBuffer: sequences for DRQN", () => {
  it("never cross an episode's end: padded and masked after it, the final observation one step later", () => {
    const buffer = episodesBuffer(50); // 25 slots per env: the ring has wrapped
    expect(buffer.full).toBe(true);
    const L = 4;
    const batch = sequenceBatch(64, L, 0, 1);
    const rng = new Rng(4);
    let padded = 0;
    for (let draw = 0; draw < 20; draw++) {
      buffer.sampleSequences(rng, batch);
      for (let b = 0; b < 64; b++) {
        const obs = (t: number) => batch.observations[t * 64 + b];
        const episodeOf = (v: number) => Math.floor(v / 100);
        let length = 0;
        while (length < L && batch.mask[length * 64 + b] === 1) length++;
        expect(length).toBeGreaterThan(0);
        for (let j = 0; j < length; j++) {
          expect(episodeOf(obs(j))).toBe(episodeOf(obs(0))); // one episode
          if (j > 0) expect(obs(j)).toBe(obs(j - 1) + 1); // consecutive steps
          if (j > 0) expect(batch.episodeStarts[j * 64 + b]).toBe(0);
          expect(batch.actions[j * 64 + b]).toBe(obs(j));
        }
        // One step after the last: its next observation; then zeros, mask 0.
        expect(obs(length)).toBe(obs(length - 1) + 1);
        for (let j = length; j < L; j++) {
          expect(batch.mask[j * 64 + b]).toBe(0);
          expect(obs(j + 1)).toBe(0);
        }
        if (length < L) padded++;
        // Only env 0's episodes terminate; env 1's are truncated and keep bootstrapping.
        const last = (length - 1) * 64 + b;
        const env1 = obs(0) >= 2000;
        if (env1) expect(batch.bootstrap[last]).toBe(1);
      }
    }
    expect(padded).toBeGreaterThan(100);
  });

  it("burn-in: the steps before the start, resets where an episode begins, the stored state of the first", () => {
    const buffer = episodesBuffer(80, 3);
    const K = 3;
    const batch = sequenceBatch(32, 2, K, 1, 3);
    buffer.sampleSequences(new Rng(5), batch);
    for (let b = 0; b < 32; b++) {
      const obs = (t: number) => batch.observations[t * 32 + b];
      const sameEnv = (v: number) => (v >= 2000 ? 1 : 0);
      for (let t = 0; t < K + 1; t++) {
        expect(sameEnv(obs(t))).toBe(sameEnv(obs(K)));
        // An episode's first step (step 0 of it) resets the state.
        expect(batch.episodeStarts[t * 32 + b]).toBe(obs(t) % 100 === 0 ? 1 : 0);
        if (t > 0 && obs(t) % 100 !== 0) expect(obs(t)).toBe(obs(t - 1) + 1);
      }
      expect(Array.from(batch.h!.subarray(b * 3, b * 3 + 3))).toEqual([obs(0), obs(0), obs(0)]);
      expect(Array.from(batch.c!.subarray(b * 3, b * 3 + 3))).toEqual([-obs(0), -obs(0), -obs(0)]);
    }
    expect(() =>
      new ReplayBuffer({ capacity: 8, numEnvs: 1, observationSize: 1 }).sampleSequences(
        new Rng(1),
        sequenceBatch(2, 2, 3, 1),
      ),
    ).toThrow("ReplayBuffer.sampleSequences: 0 transitions per env, a sequence needs more than burnIn = 3");
  });

  it("saves and loads whole (the checkpoint's copy); refuses another size or a corrupt file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "replay-"));
    const buffer = episodesBuffer(50, 2);
    buffer.save(dir);
    const loaded = new ReplayBuffer({ capacity: 50, numEnvs: 2, observationSize: 1, stateSize: 2 });
    loaded.load(dir);
    expect([loaded.pos, loaded.full]).toEqual([buffer.pos, buffer.full]);
    const a = sequenceBatch(16, 3, 1, 1, 2);
    const b = sequenceBatch(16, 3, 1, 1, 2);
    buffer.sampleSequences(new Rng(6), a);
    loaded.sampleSequences(new Rng(6), b);
    expect(b).toEqual(a);
    expect(() =>
      new ReplayBuffer({ capacity: 40, numEnvs: 2, observationSize: 1, stateSize: 2 }).load(dir),
    ).toThrow(
      `the replay buffer in ${path.join(dir, REPLAY_FILES.manifest)} has slots 25, this run's has 20`,
    );
    const data = path.join(dir, REPLAY_FILES.data);
    const bytes = fs.readFileSync(data);
    bytes[10] ^= 1;
    fs.writeFileSync(data, bytes);
    expect(() => loaded.load(dir)).toThrow(
      `corrupt replay buffer ${data}: its length or CRC-32 differs from ${path.join(dir, REPLAY_FILES.manifest)}`,
    );
  });
});
