import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AsyncVectorEnv,
  Box,
  Discrete,
  Env,
  ImageOnly,
  MultiDiscrete,
  make,
  makeVec,
  type ResetArgs,
  Rng,
  register,
  SyncVectorEnv,
  type VectorEnv,
} from "../../src";
import { wrap as frameStack3 } from "./fixtures/frame_stack_wrap";
import "./fixtures/echo_env"; // registers Test-Echo-v0 here; the workers preload it

const FIXTURES = path.join(__dirname, "fixtures");

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

  it("has batched spaces: observations a Box of [numEnvs, ...shape], actions a MultiDiscrete", () => {
    const vec = makeVec("CartPole-v1", 3);
    const single = vec.singleObservationSpace;
    expect(vec.observationSpace).toBeInstanceOf(Box);
    expect(vec.observationSpace.shape).toEqual([3, 4]);
    expect(vec.observationSpace.dtype).toBe("float32");
    expect(Array.from(vec.observationSpace.low)).toEqual([...single.low, ...single.low, ...single.low]);
    expect(Array.from(vec.observationSpace.high)).toEqual([...single.high, ...single.high, ...single.high]);
    expect(vec.observationSpace.contains(vec.reset({ seed: 1 }).observations)).toBe(true);
    expect(vec.actionSpace).toBeInstanceOf(MultiDiscrete);
    expect(String(vec.actionSpace)).toBe("MultiDiscrete([2, 2, 2])");
    const actions = vec.actionSpace.sample(new Rng(0));
    expect(vec.actionSpace.contains(actions)).toBe(true);
    expect(vec.step(actions).rewards.length).toBe(3);

    const pixels = makeVec("CartPole-Pixels-v1", 2, { overrides: { width: 8, height: 6 } });
    expect(String(pixels.observationSpace)).toBe("Box(0, 255, [2, 6, 8, 1], uint8)");
  });

  it("has no batched action space for actions that are not Discrete", () => {
    class Steered extends Countdown {
      override readonly actionSpace = new Box(-1, 1, [1], "float32") as never;
    }
    const vec = new SyncVectorEnv([() => new Steered(2), () => new Steered(2)]);
    expect(vec.observationSpace.shape).toEqual([2, 2]);
    expect(() => vec.actionSpace).toThrow(
      "vector env of Steered: actionSpace needs Discrete actions (it is a MultiDiscrete of one per sub-env), got Box(-1, 1, [1], float32); use singleActionSpace",
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

describe("makeVec options", () => {
  it("rejects unknown and contradictory options with the key and the allowed ones", () => {
    expect(() => makeVec("CartPole-v1", 2, { asynch: true } as never)).toThrow(
      'makeVec(CartPole-v1): unknown option "asynch"; expected one of overrides, async, preload, wrap, wrapModule, numWorkers',
    );
    expect(() => makeVec("CartPole-v1", 2, { async: true, wrap: (env) => env })).toThrow(
      "makeVec(CartPole-v1): wrap is not supported with async (a function cannot reach a worker); use wrapModule",
    );
    const identity = path.join(FIXTURES, "identity_wrap.js");
    expect(() => makeVec("CartPole-v1", 2, { wrap: (env) => env, wrapModule: identity })).toThrow(
      "makeVec(CartPole-v1): give wrap or wrapModule, not both",
    );
    expect(() => makeVec("CartPole-v1", 2, { wrapModule: "fixtures/identity_wrap.js" })).toThrow(
      'makeVec(CartPole-v1): wrapModule must be an absolute module path, got "fixtures/identity_wrap.js"',
    );
    expect(() => makeVec("CartPole-v1", 0)).toThrow(
      "makeVec(CartPole-v1): numEnvs must be an integer ≥ 1, got 0",
    );
  });

  it("wraps every sub-env with the wrap function of a wrapModule, or says what is wrong with it", () => {
    const vec = makeVec("CartPole-v1", 2, { wrapModule: path.join(FIXTURES, "identity_wrap.js") });
    expect(vec.observationSpace.shape).toEqual([2, 4]);
    const noWrap = path.join(FIXTURES, "no_wrap.js");
    expect(() => makeVec("CartPole-v1", 2, { wrapModule: noWrap })).toThrow(
      `makeVec(CartPole-v1): wrapModule ${noWrap} exports no function "wrap" (nor a default function); expected (env) => Env`,
    );
    const returnsNumber = path.join(FIXTURES, "wrap_returns_number.js");
    expect(() => makeVec("CartPole-v1", 2, { wrapModule: returnsNumber })).toThrow(
      `makeVec(CartPole-v1): the wrap function of ${returnsNumber} returned 42; expected an Env`,
    );
    const missing = path.join(FIXTURES, "no_such_wrap.js");
    expect(() => makeVec("CartPole-v1", 2, { wrapModule: missing })).toThrow(
      `makeVec(CartPole-v1): wrapModule ${missing}: no such module`,
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
      const a = asyncVec.step(actions as never); // makeVec's type says numbers; these env's actions are text
      const s = syncVec.step(actions as never);
      expect(Array.from(a.observations)).toEqual(Array.from(s.observations));
      expect(Array.from(a.rewards)).toEqual(Array.from(s.rewards));
      expect(Array.from(a.terminated)).toEqual(Array.from(s.terminated));
      expect(Array.from(a.truncated)).toEqual(Array.from(s.truncated));
      expect(a.infos).toEqual(s.infos);
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

  it("wraps its sub-envs in the workers with a wrapModule: the same observations as sync with the same wrapper", () => {
    const asyncVec = makeVec("CartPole-NoVel-v1", 4, {
      async: true,
      wrapModule: path.join(FIXTURES, "frame_stack_wrap.ts"),
    });
    opened.push(asyncVec);
    const syncVec = makeVec("CartPole-NoVel-v1", 4, { wrap: frameStack3 });
    expect(asyncVec.observationSpace.toJSON()).toEqual(syncVec.observationSpace.toJSON());
    expect(asyncVec.observationSpace.shape).toEqual([4, 3, 2]);
    expect(String(asyncVec.actionSpace)).toBe("MultiDiscrete([2, 2, 2, 2])");
    expect(Array.from(asyncVec.reset({ seed: 7 }).observations)).toEqual(
      Array.from(syncVec.reset({ seed: 7 }).observations),
    );
    let ends = 0;
    for (let t = 0; t < 60; t++) {
      const actions = Int32Array.from({ length: 4 }, (_, i) => ((t * 5 + i) >> 1) % 2);
      const a = asyncVec.step(actions);
      const s = syncVec.step(actions);
      expect(Array.from(a.observations)).toEqual(Array.from(s.observations));
      expect(a.infos).toEqual(s.infos);
      ends += s.terminated.reduce((x, y) => x + y, 0);
    }
    expect(ends).toBeGreaterThan(0);
  }, 60_000);

  it("takes the default export of a wrapModule, and reports a wrapModule without a wrap function", () => {
    const vec = makeVec("CartPole-NoVel-v1", 1, {
      async: true,
      wrapModule: path.join(FIXTURES, "default_wrap.ts"),
    });
    opened.push(vec);
    expect(vec.singleObservationSpace.shape).toEqual([2, 2]);
    const noWrap = path.join(FIXTURES, "no_wrap.js");
    expect(() => makeVec("CartPole-v1", 1, { async: true, wrapModule: noWrap })).toThrow(
      `AsyncVectorEnv(CartPole-v1) worker 0: wrapModule ${noWrap} exports no function "wrap" (nor a default function); expected (env) => Env`,
    );
  }, 60_000);

  it("posts actions that are not numbers, and infos that are not empty, like the sync one", () => {
    const preload = [path.join(FIXTURES, "echo_env.ts")];
    const asyncVec = makeVec("Test-Echo-v0", 3, { async: true, preload, numWorkers: 2 });
    opened.push(asyncVec);
    const syncVec = makeVec("Test-Echo-v0", 3);
    expect(() => asyncVec.actionSpace).toThrow(
      "vector env of Test-Echo-v0: actionSpace needs Discrete actions (it is a MultiDiscrete of one per sub-env), got Text(0, 8); use singleActionSpace",
    );
    expect(asyncVec.reset().infos).toEqual(syncVec.reset().infos);
    for (const actions of [
      ["a", "bb", ""],
      ["ccc", "", "d"],
      ["", "", "eeee"],
      ["x", "y", "z"],
    ]) {
      const a = asyncVec.step(actions as never); // makeVec's type says numbers; these env's actions are text
      const s = syncVec.step(actions as never);
      expect(Array.from(a.observations)).toEqual(Array.from(s.observations));
      expect(Array.from(a.rewards)).toEqual(Array.from(s.rewards));
      expect(Array.from(a.terminated)).toEqual(Array.from(s.terminated));
      expect(a.infos).toEqual(s.infos);
    }
    expect(asyncVec.step(["a", "b", "c"] as never).infos[2]).toEqual({ said: "c" });
  }, 60_000);
});
