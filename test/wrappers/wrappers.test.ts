import { describe, expect, it } from "vitest";
import { ImageOnly, type MiniGridObservation, OneHotPartialView } from "../../envs/gridworld";
import {
  Box,
  CartPoleEnv,
  Discrete,
  Env,
  FlickerObservation,
  FrameStack,
  MaskObservation,
  make,
  NormalizeObservation,
  ObservationNoise,
  PreviousAction,
  RecordEpisodeStatistics,
  type ResetArgs,
  TimeLimit,
  TransformReward,
} from "../../src";

/** Observation = [step count, 10 × step count]; reward = action; ends after `length` steps. */
class Ramp extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1000, [2], "float32");
  readonly actionSpace = new Discrete(3);
  t = 0;
  constructor(readonly length = 1000) {
    super();
  }
  reset(args?: ResetArgs) {
    this.seedRng(args?.seed);
    this.t = 0;
    return { observation: Float32Array.of(0, 0), info: { started: true } };
  }
  step(action: number) {
    this.t++;
    return {
      observation: Float32Array.of(this.t, 10 * this.t),
      reward: action,
      terminated: this.t >= this.length,
      truncated: false,
      info: {},
    };
  }
}

/** A 2 × 2 × 1 "image" env whose pixels all equal the step count. */
class Pixels extends Env<Uint8Array, number> {
  readonly observationSpace = new Box(0, 255, [2, 2, 1], "uint8");
  readonly actionSpace = new Discrete(2);
  t = 0;
  reset() {
    this.t = 1;
    return { observation: new Uint8Array(4).fill(1), info: {} };
  }
  step() {
    this.t++;
    return {
      observation: new Uint8Array(4).fill(this.t),
      reward: 0,
      terminated: false,
      truncated: false,
      info: {},
    };
  }
}

describe("TimeLimit", () => {
  it("truncates exactly at the limit and restarts the count at reset", () => {
    const env = new TimeLimit(new Ramp(), 2);
    env.reset();
    expect(env.step(0).truncated).toBe(false);
    expect(env.step(0).truncated).toBe(true);
    env.reset();
    expect(env.elapsedSteps).toBe(0);
    expect(env.step(0).truncated).toBe(false);
  });

  it("reports both flags when the episode terminates on the last allowed step", () => {
    const env = new TimeLimit(new Ramp(2), 2);
    env.reset();
    env.step(0);
    expect(env.step(0)).toMatchObject({ terminated: true, truncated: true });
  });
});

describe("RecordEpisodeStatistics", () => {
  it("puts return and length in info at the episode end only", () => {
    const env = new RecordEpisodeStatistics(new Ramp(3));
    env.reset();
    expect(env.step(1).info.episode).toBeUndefined();
    env.step(2);
    const last = env.step(2);
    expect(last.info.episode).toMatchObject({ r: 5, l: 3 });
    expect((last.info.episode as { t: number }).t).toBeGreaterThanOrEqual(0);
    env.reset();
    env.step(0);
    env.step(0);
    env.step(1);
    expect(env.returnQueue).toEqual([5, 1]);
    expect(env.lengthQueue).toEqual([3, 3]);
  });
});

describe("MaskObservation", () => {
  it("keeps the chosen indices and their bounds", () => {
    const env = new MaskObservation(new CartPoleEnv(), [2, 0]);
    const { observation } = env.reset({ options: { state: [0.01, 0.02, 0.03, 0.04] } });
    expect(Array.from(observation)).toEqual([Math.fround(0.03), Math.fround(0.01)]);
    expect((env.observationSpace as Box).shape).toEqual([2]);
    expect((env.observationSpace as Box).high[1]).toBe(Math.fround(4.8));
  });

  it("refuses out-of-range or repeated indices", () => {
    expect(() => new MaskObservation(new CartPoleEnv(), [4])).toThrow(
      "MaskObservation(CartPoleEnv): index 4 is out of range; expected an integer in [0, 3]",
    );
    expect(() => new MaskObservation(new CartPoleEnv(), [1, 1])).toThrow(
      "MaskObservation(CartPoleEnv): indices [1, 1] repeat a value",
    );
    expect(() => new MaskObservation(new CartPoleEnv(), [])).toThrow(
      "MaskObservation(CartPoleEnv): indices must be a non-empty array, got []",
    );
  });
});

describe("ObservationNoise and FlickerObservation", () => {
  it("noise with std 0 changes nothing; its stream is seeded by reset", () => {
    const quiet = new ObservationNoise(new Ramp(), 0);
    quiet.reset({ seed: 1 });
    expect(Array.from(quiet.step(0).observation)).toEqual([1, 10]);
    const noisy = () => {
      const env = new ObservationNoise(new Ramp(), 1);
      env.reset({ seed: 4 });
      return Array.from({ length: 5 }, () => Array.from(env.step(0).observation));
    };
    expect(noisy()).toEqual(noisy());
    expect(() => new ObservationNoise(new Ramp(), -1)).toThrow(
      "ObservationNoise(Ramp): std must be a finite number ≥ 0, got -1",
    );
  });

  it("flicker with p = 1 always blanks, with p = 0 never", () => {
    const always = new FlickerObservation(new Ramp(), 1);
    always.reset({ seed: 0 });
    expect(Array.from(always.step(0).observation)).toEqual([0, 0]);
    const never = new FlickerObservation(new Ramp(), 0);
    never.reset({ seed: 0 });
    expect(Array.from(never.step(0).observation)).toEqual([1, 10]);
  });
});

describe("FrameStack", () => {
  it("stacks vectors oldest first, padding with the reset observation", () => {
    const env = new FrameStack(new Ramp(), 3);
    expect((env.observationSpace as Box).shape).toEqual([3, 2]);
    expect(Array.from(env.reset().observation)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(env.step(0).observation)).toEqual([0, 0, 0, 0, 1, 10]);
    expect(Array.from(env.step(0).observation)).toEqual([0, 0, 1, 10, 2, 20]);
    expect(Array.from(env.step(0).observation)).toEqual([1, 10, 2, 20, 3, 30]);
    expect(Array.from(env.reset().observation)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("pads with zeros when asked", () => {
    const env = new FrameStack(new Ramp(), 2, { padding: "zero" });
    env.reset();
    expect(Array.from(env.step(0).observation)).toEqual([0, 0, 1, 10]);
  });

  it("stacks images along channels, as a CNN takes them", () => {
    const env = new FrameStack(new Pixels(), 2);
    expect((env.observationSpace as Box).shape).toEqual([2, 2, 2]);
    env.reset();
    const obs = env.step(0).observation;
    expect(Array.from(obs)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(env.observationSpace.contains(obs)).toBe(true);
  });

  it("refuses k < 1", () => {
    expect(() => new FrameStack(new Ramp(), 0)).toThrow("FrameStack(Ramp): k must be an integer ≥ 1, got 0");
  });
});

describe("PreviousAction", () => {
  it("appends the previous action one-hot and reward, zeros at reset", () => {
    const env = new PreviousAction(new Ramp());
    expect((env.observationSpace as Box).shape).toEqual([6]);
    expect(Array.from(env.reset().observation)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(env.step(2).observation)).toEqual([1, 10, 0, 0, 1, 2]);
    expect(Array.from(env.step(1).observation)).toEqual([2, 20, 0, 1, 0, 1]);
    expect(env.observationSpace.contains(env.step(0).observation)).toBe(true);
  });

  it("flattens an observation of any shape first (a gridworld's one-hot view), bytes refused", () => {
    const view = new OneHotPartialView(make("MiniGrid-MemoryS7-v0") as Env<MiniGridObservation, number>);
    const env = new PreviousAction(view);
    const [h, w, c] = (view.observationSpace as Box).shape;
    expect((env.observationSpace as Box).shape).toEqual([h * w * c + 7 + 1]);
    const first = env.reset({ seed: 3 }).observation;
    const plain = view.reset({ seed: 3 }).observation;
    expect(Array.from(first.subarray(0, h * w * c))).toEqual(Array.from(plain));
    const next = env.step(2).observation;
    expect(Array.from(next.subarray(h * w * c))).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
    expect(() => new PreviousAction(new ImageOnly(make("MiniGrid-MemoryS7-v0")) as never)).toThrow(
      "PreviousAction(MiniGrid-MemoryS7-v0): expected a float32 Box observation space, got Box(0, 255, [7, 7, 3], uint8)",
    );
  });
});

describe("NormalizeObservation", () => {
  it("converges to zero mean and unit variance", () => {
    const env = new NormalizeObservation(new ObservationNoise(new Ramp(1e9), 3));
    env.reset({ seed: 0 });
    const late: number[] = [];
    for (let t = 0; t < 4000; t++) {
      const o = env.step(0).observation;
      if (t >= 2000) late.push(o[0]);
    }
    const state = env.getState();
    expect(state.count).toBeCloseTo(4001, 2);
    // The ramp keeps growing, so check the statistics tracked it: the mean is near the middle.
    expect(state.mean[0]).toBeGreaterThan(1900);
    expect(state.mean[0]).toBeLessThan(2100);
  });

  it("normalizes a stationary signal and saves / restores its statistics", () => {
    class Noise extends Env<Float32Array, number> {
      readonly observationSpace = new Box(-Infinity, Infinity, [1], "float32");
      readonly actionSpace = new Discrete(1);
      reset(args?: ResetArgs) {
        this.seedRng(args?.seed);
        return { observation: Float32Array.of(5 + 2 * this.rng.normal()), info: {} };
      }
      step() {
        return {
          observation: Float32Array.of(5 + 2 * this.rng.normal()),
          reward: 0,
          terminated: false,
          truncated: false,
          info: {},
        };
      }
    }
    const env = new NormalizeObservation(new Noise());
    env.reset({ seed: 1 });
    const values: number[] = [];
    for (let t = 0; t < 5000; t++) values.push(env.step(0).observation[0]);
    const tail = values.slice(2500);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    const std = Math.sqrt(tail.reduce((a, b) => a + (b - mean) ** 2, 0) / tail.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(std).toBeGreaterThan(0.9);
    expect(std).toBeLessThan(1.1);

    const copy = new NormalizeObservation(new Noise());
    copy.setState(JSON.parse(JSON.stringify(env.getState())));
    copy.update = false;
    env.update = false;
    copy.reset({ seed: 9 });
    env.reset({ seed: 9 });
    expect(copy.step(0).observation[0]).toBe(env.step(0).observation[0]);
    expect(() => copy.setState({ mean: [0, 0], var: [1], count: 1 })).toThrow(
      'NormalizeObservation(Noise): setState got {"mean":[0,0],"var":[1],"count":1}; expected { mean, var } of 1 finite numbers (var ≥ 0) and count > 0',
    );
  });
});

describe("TransformReward", () => {
  it("maps rewards", () => {
    const env = new TransformReward(new Ramp(), (r) => r * 10);
    env.reset();
    expect(env.step(2).reward).toBe(20);
  });
});

describe("Wrapper pass-through", () => {
  it("exposes the inner env's spaces, rng, unwrapped env and render", () => {
    const inner = new CartPoleEnv({ renderWidth: 60, renderHeight: 40 });
    const env = new RecordEpisodeStatistics(new TimeLimit(inner, 10));
    expect(env.unwrapped).toBe(inner);
    expect(env.actionSpace).toBe(inner.actionSpace);
    env.reset({ seed: 1 });
    expect(env.rng).toBe(inner.rng);
    expect(env.render().width).toBe(60);
    expect(() => new TimeLimit(new Ramp(), 3).render()).toThrow(
      "Ramp: render() is not supported by this env",
    );
  });
});
