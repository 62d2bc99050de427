import { describe, expect, it } from "vitest";
import { Box, checkEnv, Discrete, Env, listEnvs, make, type ResetArgs, type RngState } from "../../src";

/** A correct minimal env, broken in one way by each subclass below. */
class Walk extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-100, 100, [1], "float32");
  readonly actionSpace = new Discrete(2);
  protected x = 0;
  protected started = false;
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

/** Walk with the state protocol: position, started flag and generator. */
class SavedWalk extends Walk {
  protected drift = 0;
  override reset(args?: ResetArgs) {
    const r = super.reset(args);
    this.drift = 0;
    return r;
  }
  override step(action: number) {
    const r = super.step(action);
    this.drift++;
    return { ...r, reward: this.drift % 4 === 0 ? 1 : 0 };
  }
  override getState(): unknown {
    return { x: this.x, drift: this.drift, started: true, rng: this.rngState() };
  }
  override setState(state: unknown): void {
    const s = state as { x: number; drift: number; rng: RngState | null };
    this.restoreRngState(s.rng);
    this.x = s.x;
    this.drift = s.drift;
    this.started = true;
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

  it("checks the getState/setState round trip of an env that has it", () => {
    const report = checkEnv(() => new SavedWalk());
    expect(report.passed).toContain(
      "getState()/setState() round trip (through JSON) replays the same 100 steps",
    );
    expect(report.warnings.join("\n")).not.toContain("cannot be resumed");
  });

  it("catches a setState that forgets a field, naming the env, the step and the field", () => {
    class ForgetfulWalk extends SavedWalk {
      override setState(state: unknown): void {
        const drift = this.drift;
        super.setState(state);
        this.drift = drift; // forgets to restore drift
      }
    }
    expect(() => checkEnv(new ForgetfulWalk())).toThrow(
      "checkEnv(ForgetfulWalk): setState(getState()) on the same env after 3 steps: the replay diverged at transition 1: reward 1 vs 0 (first run vs restored); getState() after setState() differs from the saved state at .drift (saved 3, restored 20)",
    );
  });

  it("catches a state that does not survive JSON", () => {
    class TypedStateWalk extends SavedWalk {
      override getState(): unknown {
        return { ...(super.getState() as object), x: Float32Array.of(this.x) }; // JSON: {"0": x}
      }
      override setState(state: unknown): void {
        const s = state as { x: Float32Array };
        super.setState({ ...(state as object), x: Array.from(s.x)[0] ?? 0 });
      }
    }
    expect(() => checkEnv(new TypedStateWalk())).toThrow(
      /^checkEnv\(TypedStateWalk\): setState\(getState\(\)\) on the same env after 3 steps: the replay diverged at transition 1: observation/,
    );
  });

  it("catches a getState that JSON cannot hold, or that throws", () => {
    class BigState extends SavedWalk {
      override getState(): unknown {
        return { ...(super.getState() as object), count: 1n };
      }
    }
    expect(() => checkEnv(new BigState())).toThrow(
      "checkEnv(BigState): getState() is not JSON-serialisable: Do not know how to serialize a BigInt",
    );
    class Throws extends SavedWalk {
      override getState(): unknown {
        throw new Error("Throws: no state");
      }
    }
    expect(() => checkEnv(new Throws())).toThrow(
      "checkEnv(Throws): after 3 steps: getState() threw: Throws: no state",
    );
  });

  it("catches a setState that only works on an env that was reset, on a fresh instance", () => {
    class NeedsReset extends SavedWalk {
      private trail?: number[];
      override reset(args?: ResetArgs) {
        this.trail = [];
        return super.reset(args);
      }
      override setState(state: unknown): void {
        this.trail!.length = 0; // undefined on a fresh instance
        super.setState(state);
      }
    }
    expect(() => checkEnv(() => new NeedsReset())).toThrow(
      "checkEnv(NeedsReset): setState(getState()) on a fresh instance after 3 steps: setState() threw: Cannot set properties of undefined (setting 'length')",
    );
    expect(checkEnv(new NeedsReset()).passed).toContain(
      "getState()/setState() round trip (through JSON) replays the same 100 steps",
    );
  });

  it("warns, without failing, when an env has no getState/setState", () => {
    const report = checkEnv(() => new Walk());
    expect(report.warnings).toContain(
      "getState()/setState() are not implemented (by Walk (Walk)): runs on this env cannot be resumed from checkpoints",
    );
    expect(checkEnv(() => make("CartPole-v1")).warnings.join("\n")).not.toContain("cannot be resumed");
  });

  it.each(listEnvs().map((s) => s.id))("passes every registered env: %s", (id) => {
    const report = checkEnv(() => make(id));
    expect(report.passed.length).toBeGreaterThanOrEqual(5);
    // Every built-in env saves its state, so runs on it can be resumed.
    expect(report.passed).toContain(
      "getState()/setState() round trip (through JSON) replays the same 100 steps",
    );
  });
});
