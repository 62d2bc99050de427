import { afterAll, describe, expect, it } from "vitest";
import {
  AsyncVectorEnv,
  Box,
  Discrete,
  Env,
  ImageOnly,
  make,
  makeVec,
  type ResetArgs,
  register,
  SyncVectorEnv,
  type VectorEnv,
} from "../../src";

/** Ends after `length` steps; observation [episode seed marker, step]; the first obs carries the seed. */
class Countdown extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-Infinity, Infinity, [2], "float32");
  readonly actionSpace = new Discrete(2);
  private t = 0;
  private marker = 0;
  constructor(readonly length: number) {
    super();
  }
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    this.t = 0;
    this.marker = this.rng.random();
    return { observation: Float32Array.of(this.marker, 0), info: { resetInfo: true } };
  }
  step(action: number) {
    this.t++;
    return {
      observation: Float32Array.of(this.marker, this.t),
      reward: action + this.t,
      terminated: this.t >= this.length,
      truncated: false,
      info: { t: this.t },
    };
  }
}
register("Test-Countdown-v0", (kw) => new Countdown(kw.length as number), { kwargs: { length: 3 } });

describe("SyncVectorEnv", () => {
  it("batches observations into one typed array and seeds sub-env i with seed + i", () => {
    const vec = makeVec("CartPole-v1", 3);
    const { observations } = vec.reset({ seed: 10 });
    expect(observations).toBeInstanceOf(Float32Array);
    expect(observations.length).toBe(12);
    for (let i = 0; i < 3; i++) {
      const single = make("CartPole-v1").reset({ seed: 10 + i }).observation as Float32Array;
      expect(Array.from(observations.subarray(4 * i, 4 * i + 4))).toEqual(Array.from(single));
    }
  });

  it("steps each sub-env like the single env, with rewards and flags as typed arrays", () => {
    const vec = makeVec("CartPole-v1", 2);
    const singles = [make("CartPole-v1"), make("CartPole-v1")];
    vec.reset({ seed: 0 });
    singles.forEach((e, i) => {
      e.reset({ seed: i });
    });
    for (let t = 0; t < 5; t++) {
      const actions = Int32Array.of(t % 2, (t + 1) % 2);
      const r = vec.step(actions);
      expect(r.rewards).toBeInstanceOf(Float64Array);
      expect(r.terminated).toBeInstanceOf(Uint8Array);
      singles.forEach((e, i) => {
        const s = e.step(actions[i]);
        expect(Array.from(r.observations.subarray(4 * i, 4 * i + 4))).toEqual(
          Array.from(s.observation as Float32Array),
        );
        expect(r.rewards[i]).toBe(s.reward);
      });
    }
  });

  it("autoresets in the same step: final observation and info in infos, next episode's first observation returned", () => {
    const vec = new SyncVectorEnv([
      () => make("Test-Countdown-v0", { length: 2 }),
      () => make("Test-Countdown-v0", { length: 3 }),
    ]);
    const first = Array.from(vec.reset({ seed: 5 }).observations);
    vec.step([0, 0]);
    const r = vec.step([1, 1]);
    expect(Array.from(r.terminated)).toEqual([1, 0]);
    expect(Array.from(r.truncated)).toEqual([0, 0]);
    expect(r.rewards[0]).toBe(3);
    const info0 = r.infos[0] as {
      finalObservation: Float32Array;
      finalInfo: { t: number };
      resetInfo: boolean;
    };
    expect(Array.from(info0.finalObservation)).toEqual([first[0], 2]);
    expect(info0.finalInfo).toEqual({ t: 2 });
    expect(info0.resetInfo).toBe(true);
    // Sub-env 0 already shows the new episode's first observation (its marker continues the stream).
    expect(r.observations[1]).toBe(0);
    expect(r.observations[0]).not.toBe(first[0]);
    expect(r.infos[1]).toEqual({ t: 2 });
    // The final observation is a copy: later steps do not change it.
    vec.step([0, 0]);
    expect(Array.from(info0.finalObservation)).toEqual([first[0], 2]);
  });

  it("checks every action before stepping any sub-env", () => {
    const vec = makeVec("CartPole-v1", 3);
    vec.reset({ seed: 0 });
    const before = Array.from(vec.step([0, 0, 0]).observations);
    expect(() => vec.step([1, 1, 2])).toThrow(
      "CartPole-v1: step() got action 2; expected an integer in Discrete(2): 0 … 1 (sub-env 2)",
    );
    expect(() => vec.step([1, 1])).toThrow(
      "vector env of CartPole-v1: step() expected 3 actions, got [1, 1]",
    );
    const after = make("CartPole-v1");
    after.reset({ seed: 0 });
    after.step(0);
    expect(Array.from(vec.step([1, 1, 1]).observations.subarray(0, 4))).toEqual(
      Array.from(after.step(1).observation as Float32Array),
    );
    expect(before.length).toBe(12);
  });

  it("batches gridworld views through ImageOnly, from the library entry", () => {
    const vec = makeVec("MiniGrid-MemoryS7-v0", 3, { wrap: (env) => new ImageOnly(env) });
    const { observations } = vec.reset({ seed: 4 });
    expect(observations).toBeInstanceOf(Uint8Array);
    expect(observations.length).toBe(3 * 7 * 7 * 3);
    const single = new ImageOnly(make("MiniGrid-MemoryS7-v0"));
    expect(Array.from(observations.subarray(147, 294))).toEqual(
      Array.from(single.reset({ seed: 5 }).observation),
    );
    expect(() => makeVec("MiniGrid-MemoryS7-v0", 2)).toThrow(
      "observations must be a Box to batch into one array",
    );
  });

  it("refuses step before reset and non-Box observations", () => {
    expect(() => makeVec("CartPole-v1", 2).step([0, 0])).toThrow(
      "vector env of CartPole-v1: step() called before reset(); call reset() first",
    );
    class Words extends Countdown {
      override readonly observationSpace = new Discrete(3) as never;
    }
    expect(() => new SyncVectorEnv([() => new Words(1)])).toThrow(
      "vector env of Words: observations must be a Box to batch into one array, got Discrete(3)",
    );
  });
});

describe("AsyncVectorEnv", () => {
  const opened: VectorEnv[] = [];
  afterAll(() => {
    for (const v of opened) v.close();
  });

  it("gives the same results as SyncVectorEnv for the same seeds and actions, episode ends included", () => {
    const asyncVec = makeVec("CartPole-v1", 4, { async: true });
    opened.push(asyncVec);
    const syncVec = makeVec("CartPole-v1", 4);
    expect(asyncVec).toBeInstanceOf(AsyncVectorEnv);
    expect(Array.from(asyncVec.reset({ seed: 3 }).observations)).toEqual(
      Array.from(syncVec.reset({ seed: 3 }).observations),
    );
    let ends = 0;
    for (let t = 0; t < 120; t++) {
      const actions = Int32Array.from({ length: 4 }, (_, i) => ((t * 7 + i * 3) >> 2) % 2);
      const a = asyncVec.step(actions);
      const s = syncVec.step(actions);
      expect(Array.from(a.observations)).toEqual(Array.from(s.observations));
      expect(Array.from(a.rewards)).toEqual(Array.from(s.rewards));
      expect(Array.from(a.terminated)).toEqual(Array.from(s.terminated));
      expect(Array.from(a.truncated)).toEqual(Array.from(s.truncated));
      for (let i = 0; i < 4; i++) {
        if (s.terminated[i]) {
          ends++;
          expect(Array.from((a.infos[i] as { finalObservation: Float32Array }).finalObservation)).toEqual(
            Array.from((s.infos[i] as { finalObservation: Float32Array }).finalObservation),
          );
        }
      }
    }
    expect(ends).toBeGreaterThan(4);
  }, 60_000);

  it("reports errors from the worker and refuses bad actions in this thread", () => {
    const vec = makeVec("CartPole-v1", 2, { async: true });
    opened.push(vec);
    expect(() => vec.step([0, 0])).toThrow("step() called before reset()");
    vec.reset({ seed: 0 });
    expect(() => vec.step([0, 5])).toThrow(
      "CartPole-v1: step() got action 5; expected an integer in Discrete(2): 0 … 1 (sub-env 1)",
    );
    vec.close();
    expect(() => vec.reset()).toThrow("vector env of CartPole-v1: used after close()");
  }, 60_000);
});
