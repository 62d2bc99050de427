import { describe, expect, it } from "vitest";
import { Box, Discrete, Env, listEnvs, make, type ResetArgs, register, spec, TimeLimit } from "../../src";

/** A tiny env used to exercise the registry: counts steps, never ends by itself. */
class Counter extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, Infinity, [1], "float32");
  readonly actionSpace = new Discrete(3);
  private count = 0;
  constructor(readonly start = 0) {
    super();
  }
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    this.count = this.start;
    return { observation: Float32Array.of(this.count), info: {} };
  }
  step(action: number) {
    this.count += action;
    return {
      observation: Float32Array.of(this.count),
      reward: action,
      terminated: false,
      truncated: false,
      info: {},
    };
  }
}

register("Test-Counter-v0", (kw) => new Counter(kw.start as number), {
  maxEpisodeSteps: 3,
  kwargs: { start: 0 },
});

describe("registry", () => {
  it("registers built-in envs on import of the library entry", () => {
    const ids = listEnvs().map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "CartPole-v1",
        "CartPole-NoVel-v1",
        "CartPole-Noisy-v1",
        "CartPole-Flicker-v1",
      ]),
    );
    expect(spec("CartPole-v1").maxEpisodeSteps).toBe(500);
  });

  it("make adds the time limit from the spec, and an override changes or removes it", () => {
    const env = make("Test-Counter-v0");
    expect(env).toBeInstanceOf(TimeLimit);
    env.reset();
    expect([env.step(1).truncated, env.step(1).truncated, env.step(1).truncated]).toEqual([
      false,
      false,
      true,
    ]);
    const longer = make("Test-Counter-v0", { maxEpisodeSteps: 5 });
    longer.reset();
    for (let t = 0; t < 4; t++) expect(longer.step(0).truncated).toBe(false);
    expect(longer.step(0).truncated).toBe(true);
    const unlimited = make("Test-Counter-v0", { maxEpisodeSteps: null });
    unlimited.reset();
    for (let t = 0; t < 10; t++) expect(unlimited.step(0).truncated).toBe(false);
    expect(unlimited.spec?.maxEpisodeSteps).toBeUndefined();
  });

  it("passes kwargs overrides to the factory and records them in the spec", () => {
    const env = make("Test-Counter-v0", { start: 10 });
    expect(Array.from(env.reset().observation as Float32Array)).toEqual([10]);
    expect(env.spec).toMatchObject({ id: "Test-Counter-v0", kwargs: { start: 10 }, maxEpisodeSteps: 3 });
    expect(env.unwrapped).toBeInstanceOf(Counter);
    expect(env.unwrapped.spec?.id).toBe("Test-Counter-v0");
  });

  it("names close ids for an unknown id", () => {
    expect(() => make("CartPol-v1")).toThrow(
      'No env registered with id "CartPol-v1". Did you mean CartPole-v1?',
    );
    expect(() => make("cartpole-novel-v1")).toThrow("Did you mean CartPole-NoVel-v1");
    expect(() => make("Zzzzzzzzzzzz")).toThrow(
      'No env registered with id "Zzzzzzzzzzzz". (`pomdp envs` lists them all)',
    );
  });

  it("refuses unknown overrides, a bad time limit, a duplicate id and a malformed id", () => {
    expect(() => make("Test-Counter-v0", { begin: 1 })).toThrow(
      'make(Test-Counter-v0): unknown option "begin"; expected one of maxEpisodeSteps, start',
    );
    expect(() => make("CartPole-NoVel-v1", { noiseStd: 1 })).toThrow('unknown option "noiseStd"');
    expect(() => make("Test-Counter-v0", { maxEpisodeSteps: 0 })).toThrow(
      "make(Test-Counter-v0): maxEpisodeSteps must be an integer ≥ 1 or null, got 0",
    );
    expect(() => register("Test-Counter-v0", () => new Counter())).toThrow(
      'register: "Test-Counter-v0" is already registered; pick another id or pass { override: true }',
    );
    expect(() => register("bad id!", () => new Counter())).toThrow('register: id "bad id!" is malformed');
  });

  it("enforces the contract on user envs: order, actions and reset arguments", () => {
    const env = make("Test-Counter-v0");
    expect(() => env.step(1)).toThrow("Test-Counter-v0: step() called before reset(); call reset() first");
    env.reset({ seed: 1 });
    expect(() => env.step(3)).toThrow(
      "Test-Counter-v0: step() got action 3; expected an integer in Discrete(3): 0 … 2",
    );
    expect(() => env.step(Number.NaN)).toThrow("Test-Counter-v0: step() got action NaN");
    expect(() => env.reset({ seed: "1" } as never)).toThrow(
      'Test-Counter-v0: reset() got seed "1"; expected a non-negative integer',
    );
    expect(() => env.reset({ options: 5 } as never)).toThrow(
      "Test-Counter-v0: reset() got options 5; expected an object",
    );
  });
});
