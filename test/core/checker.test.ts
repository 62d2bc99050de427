import { describe, expect, it } from "vitest";
import { Box, checkEnv, Discrete, Env, listEnvs, make, type ResetArgs } from "../../src";

/** A correct minimal env, broken in one way by each subclass below. */
class Walk extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-100, 100, [1], "float32");
  readonly actionSpace = new Discrete(2);
  protected x = 0;
  private started = false;
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    this.x = this.rng.integer(3);
    this.started = true;
    return { observation: Float32Array.of(this.x), info: {} };
  }
  step(action: number) {
    if (!this.started) throw new Error("Walk: step() called before reset()");
    if (action !== 0 && action !== 1) throw new Error(`Walk: step() got action ${action}`);
    this.x += action === 1 ? 1 : -1;
    return {
      observation: Float32Array.of(this.x),
      reward: 0,
      terminated: Math.abs(this.x) >= 10,
      truncated: false,
      info: {},
    };
  }
}

describe("checkEnv", () => {
  it("passes a correct env and lists what it checked", () => {
    const report = checkEnv(() => new Walk());
    expect(report.passed).toContain("step() before reset() is refused");
    expect(report.passed).toContain("seed 42 gives the same trajectory, bit for bit");
    expect(report.warnings).toContain("render() is not implemented");
  });

  it("catches randomness outside the seeded generator", () => {
    let calls = 0;
    class Leaky extends Walk {
      override reset(args?: ResetArgs) {
        const r = super.reset(args);
        this.x = calls++ % 3; // not drawn from this.rng
        return { ...r, observation: Float32Array.of(this.x) };
      }
    }
    expect(() => checkEnv(() => new Leaky())).toThrow(
      "checkEnv(Leaky): the same env reset twice with the same seed diverged at transition 0",
    );
  });

  it("catches observations outside the observation space", () => {
    class Escapes extends Walk {
      override step(action: number) {
        const r = super.step(action);
        return { ...r, observation: Float32Array.of(1000) };
      }
    }
    expect(() => checkEnv(new Escapes())).toThrow(
      "checkEnv(Escapes): step() #1 observation is not in the observation space Box(-100, 100, [1], float32): value 0 is 1000, outside [-100, 100]",
    );
  });

  it("catches wrong types in step results", () => {
    class Stringly extends Walk {
      override step(action: number) {
        return { ...super.step(action), terminated: 0 as unknown as boolean };
      }
    }
    expect(() => checkEnv(new Stringly())).toThrow(
      "checkEnv(Stringly): step() #1 terminated is 0; expected a boolean",
    );
  });

  it("catches envs that accept invalid actions", () => {
    class Lenient extends Walk {
      override step(action: number) {
        return super.step(action === 0 ? 0 : 1);
      }
    }
    expect(() => checkEnv(new Lenient())).toThrow(
      "checkEnv(Lenient): step(NaN) with an action outside Discrete(2) did not throw",
    );
    // make() adds the contract checks, so the same env registered passes.
  });

  it("catches render frames of the wrong size", () => {
    class BadFrame extends Walk {
      override render() {
        return { width: 4, height: 4, channels: 3 as const, data: new Uint8Array(10) };
      }
    }
    expect(() => checkEnv(new BadFrame())).toThrow(
      "checkEnv(BadFrame): render() frame of 4×4 has 10 bytes; expected 48",
    );
  });

  it.each(listEnvs().map((s) => s.id))("passes every registered env: %s", (id) => {
    expect(checkEnv(() => make(id)).passed.length).toBeGreaterThanOrEqual(5);
  });
});
