import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CARTPOLE_POSITIONS, CartPoleEnv, THETA_THRESHOLD_RADIANS } from "../../envs/cartpole";
import { checkEnv, make, setWarningHandler } from "../../src";

interface ReferenceCase {
  state: number[];
  actions: number[];
  steps: { obs: number[]; reward: number; terminated: boolean; truncated: boolean }[];
}
const REFERENCE = path.join(__dirname, "../fixtures/cartpole-v1.json");

describe("CartPole-v1 physics", () => {
  it("matches a hand-computed first step from rest (push right)", () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0, 0, 0, 0] } });
    const { observation, reward, terminated, truncated } = env.step(1);
    // temp = F / M = 100/11; thetaacc = -temp / (l (4/3 - m/M)) = -600/41; xacc = temp - ml thetaacc / M = 4400/451.
    expect(observation[0]).toBe(0);
    expect(observation[1]).toBe(Math.fround(0.02 * (4400 / 451)));
    expect(observation[2]).toBe(0);
    expect(observation[3]).toBe(Math.fround(0.02 * (-600 / 41)));
    expect([reward, terminated, truncated]).toEqual([1, false, false]);
    // State is kept in float64: position integrates the previous velocity.
    env.step(1);
    expect(env.state[0]).toBeCloseTo(0.02 * 0.02 * (4400 / 451), 15);
  });

  it("is symmetric: pushing left from rest mirrors pushing right", () => {
    const a = new CartPoleEnv();
    const b = new CartPoleEnv();
    a.reset({ options: { state: [0.01, 0, 0.02, 0] } });
    b.reset({ options: { state: [-0.01, 0, -0.02, 0] } });
    for (let t = 0; t < 5; t++) {
      const ra = a.step(1).observation;
      const rb = b.step(0).observation;
      for (let i = 0; i < 4; i++) expect(ra[i]).toBe(-rb[i]);
    }
  });

  it("reproduces Gymnasium 1.4 trajectories (within 1e-5 relative)", () => {
    const reference = JSON.parse(fs.readFileSync(REFERENCE, "utf8")) as { cases: ReferenceCase[] };
    expect(reference.cases.length).toBeGreaterThan(0);
    const env = make("CartPole-v1");
    for (const c of reference.cases) {
      const { observation } = env.reset({ options: { state: c.state } });
      expect(Array.from(observation)).toEqual(c.state.map(Math.fround));
      c.actions.forEach((action, t) => {
        const r = env.step(action);
        const want = c.steps[t];
        for (let i = 0; i < 4; i++) {
          expect(Math.abs(r.observation[i] - want.obs[i])).toBeLessThanOrEqual(
            1e-5 * Math.abs(want.obs[i]) + 1e-6,
          );
        }
        expect([r.reward, r.terminated, r.truncated]).toEqual([want.reward, want.terminated, want.truncated]);
      });
    }
  });

  it("terminates past ±12° and rewards the terminating step", () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0, 0, THETA_THRESHOLD_RADIANS - 1e-9, 1] } });
    const r = env.step(0);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
  });

  it("terminates past ±2.4 m", () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [-2.4, -1, 0, 0] } });
    expect(env.step(0).terminated).toBe(true);
    env.reset({ options: { state: [2.39, 0, 0, 0] } });
    expect(env.step(1).terminated).toBe(false);
  });

  describe("stepping after termination", () => {
    let previous: ((m: string) => void) | undefined;
    afterEach(() => {
      if (previous) setWarningHandler(previous);
    });
    it("gives reward 0 and warns exactly once, as Gymnasium", () => {
      const warnings: string[] = [];
      previous = setWarningHandler((m) => warnings.push(m));
      const env = new CartPoleEnv();
      env.reset({ options: { state: [0, 0, 0.3, 0] } });
      expect(env.step(1)).toMatchObject({ reward: 1, terminated: true });
      expect(warnings).toHaveLength(0);
      expect(env.step(1)).toMatchObject({ reward: 0, terminated: true });
      expect(env.step(1)).toMatchObject({ reward: 0, terminated: true });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("step() called after the episode terminated");
    });
  });

  it("truncates at 500 steps through make", () => {
    const env = make("CartPole-v1");
    env.reset({ seed: 0 });
    // Keep the pole up with a simple controller until the time limit.
    let obs = env.reset({ seed: 0 }).observation as Float32Array;
    let t = 0;
    for (;;) {
      const r = env.step(obs[2] + 0.5 * obs[3] > 0 ? 1 : 0);
      t++;
      obs = r.observation;
      if (r.terminated || r.truncated) {
        expect(r.truncated).toBe(true);
        expect(r.terminated).toBe(false);
        break;
      }
    }
    expect(t).toBe(500);
  });

  it("uses Gymnasium's suttonBartoReward when asked", () => {
    const env = make("CartPole-v1", { suttonBartoReward: true });
    env.reset({ options: { state: [0, 0, 0, 0] } });
    expect(env.step(1).reward).toBe(0);
    env.reset({ options: { state: [0, 0, 0.3, 0] } });
    expect(env.step(1).reward).toBe(-1);
  });
});

describe("CartPole-v1 reset and seeding", () => {
  it("draws the initial state uniformly in [-0.05, 0.05] and honours options.low/high", () => {
    const env = new CartPoleEnv();
    for (let seed = 0; seed < 50; seed++) {
      const { observation } = env.reset({ seed });
      for (const v of observation) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
    const { observation } = env.reset({ seed: 1, options: { low: 0.1, high: 0.2 } });
    for (const v of observation) expect(v >= Math.fround(0.1) && v <= Math.fround(0.2)).toBe(true);
  });

  it("gives the same episode for the same seed, bit for bit, and different ones for different seeds", () => {
    const run = (seed: number) => {
      const env = make("CartPole-v1");
      const out = [Array.from(env.reset({ seed }).observation as Float32Array)];
      for (let t = 0; t < 20; t++) out.push(Array.from(env.step(t % 2).observation as Float32Array));
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("keeps its generator across resets without a seed (episodes differ)", () => {
    const env = new CartPoleEnv();
    const first = env.reset({ seed: 3 }).observation;
    const second = env.reset().observation;
    expect(Array.from(second)).not.toEqual(Array.from(first));
    const again = new CartPoleEnv();
    again.reset({ seed: 3 });
    expect(Array.from(again.reset().observation)).toEqual(Array.from(second));
  });
});

describe("CartPole-v1 bad input", () => {
  const env = () => make("CartPole-v1");
  it.each([
    [Number.NaN, "NaN"],
    [2.5, "2.5"],
    [-1, "-1"],
    [7, "7"],
  ])("refuses action %s", (action, shown) => {
    const e = env();
    e.reset({ seed: 0 });
    expect(() => e.step(action)).toThrow(
      `CartPole-v1: step() got action ${shown}; expected an integer in Discrete(2): 0 … 1`,
    );
  });

  it("refuses action 7 on the bare class too, naming the class", () => {
    const e = new CartPoleEnv();
    e.reset({ seed: 0 });
    expect(() => e.step(7)).toThrow(
      "CartPoleEnv: step() got action 7; expected an integer in Discrete(2): 0 … 1",
    );
  });

  it("refuses step before reset", () => {
    expect(() => env().step(0)).toThrow("CartPole-v1: step() called before reset(); call reset() first");
    expect(() => new CartPoleEnv().step(0)).toThrow(
      "CartPoleEnv: step() called before reset(); call reset() first",
    );
  });

  it("refuses malformed reset arguments without touching the state", () => {
    const e = env();
    const start = Array.from(e.reset({ options: { state: [0.1, 0, 0, 0] } }).observation as Float32Array);
    expect(() => e.reset({ options: { state: [1, 2, 3] } })).toThrow(
      "CartPole-v1: reset() got options.state [1, 2, 3]; expected 4 finite numbers [x, x_dot, theta, theta_dot]",
    );
    expect(() => e.reset({ options: { state: [0, 0, Number.NaN, 0] } })).toThrow("expected 4 finite numbers");
    expect(() => e.reset({ options: { low: 0.2, high: 0.1 } })).toThrow(
      "CartPole-v1: reset() got options.low 0.2 > options.high 0.1; expected low ≤ high",
    );
    expect(() => e.reset({ options: { low: "a" } })).toThrow(
      'CartPole-v1: reset() got options.low "a"; expected a finite number',
    );
    expect(() => e.reset({ options: { stat: [0, 0, 0, 0] } })).toThrow(
      'CartPole-v1: reset() got unknown option "stat"; expected one of state, low, high',
    );
    expect(() => e.reset({ seed: -1 })).toThrow(
      "CartPole-v1: reset() got seed -1; expected a non-negative integer",
    );
    expect(() => e.reset({ seed: 1.5 })).toThrow(
      "CartPole-v1: reset() got seed 1.5; expected a non-negative integer",
    );
    expect(() => e.reset({ sed: 1 } as never)).toThrow(
      'CartPole-v1: reset() got unknown argument "sed"; expected only seed and options',
    );
    // The episode goes on from where it was.
    const r = e.step(1);
    expect(r.observation[0]).toBe(Math.fround(start[0]));
  });
});

describe("CartPole render", () => {
  it("draws a 600×400 RGB frame with the cart black and the pole tan", () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0, 0, 0, 0] } });
    const frame = env.render();
    expect([frame.width, frame.height, frame.channels, frame.data.length]).toEqual([
      600,
      400,
      3,
      600 * 400 * 3,
    ]);
    const pixel = (x: number, y: number) =>
      Array.from(frame.data.subarray((y * 600 + x) * 3, (y * 600 + x) * 3 + 3));
    expect(pixel(5, 5)).toEqual([255, 255, 255]); // background
    expect(pixel(280, 300)).toEqual([0, 0, 0]); // cart body: x 275–325, rows 285–315
    expect(pixel(300, 200)).toEqual([202, 152, 101]); // pole above the cart
    expect(pixel(10, 300)).toEqual([0, 0, 0]); // track line at row 300
  });

  it("moves with the cart and scales to the configured size", () => {
    const env = make("CartPole-v1", { renderWidth: 120, renderHeight: 80 });
    env.reset({ options: { state: [1, 0, 0, 0] } });
    const frame = env.render!();
    expect([frame.width, frame.height]).toEqual([120, 80]);
    // Cart centre: (1 m × 125 px/m + 300) × 0.2 = 85, row (400 - 100) × 0.2 = 60 → the cart spans rows 57–62.
    const at = (x: number, y: number) => frame.data[(y * 120 + x) * 3];
    expect(at(83, 58)).toBe(0);
    expect(at(40, 58)).toBe(255);
  });
});

describe("partially observed CartPole", () => {
  it("NoVel keeps only [x, theta]", () => {
    const full = make("CartPole-v1");
    const novel = make("CartPole-NoVel-v1");
    const a = full.reset({ seed: 5 }).observation as Float32Array;
    const b = novel.reset({ seed: 5 }).observation as Float32Array;
    expect(Array.from(b)).toEqual(CARTPOLE_POSITIONS.map((i) => a[i]));
    const sa = full.step(1).observation as Float32Array;
    const sb = novel.step(1).observation as Float32Array;
    expect(Array.from(sb)).toEqual([sa[0], sa[2]]);
  });

  it("Noisy adds Gaussian noise of the configured std, reproducibly per seed", () => {
    const env = make("CartPole-Noisy-v1", { noiseStd: 0.5 });
    const clean = make("CartPole-NoVel-v1");
    const diffs: number[] = [];
    for (let seed = 0; seed < 400; seed++) {
      const noisy = env.reset({ seed }).observation as Float32Array;
      const truth = clean.reset({ seed }).observation as Float32Array;
      diffs.push(noisy[0] - truth[0], noisy[1] - truth[1]);
    }
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    const std = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / diffs.length);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(std).toBeGreaterThan(0.45);
    expect(std).toBeLessThan(0.55);
    const again = make("CartPole-Noisy-v1", { noiseStd: 0.5 });
    expect(Array.from(again.reset({ seed: 3 }).observation as Float32Array)).toEqual(
      Array.from(env.reset({ seed: 3 }).observation as Float32Array),
    );
  });

  it("Flicker blanks the observation with the configured probability", () => {
    const env = make("CartPole-Flicker-v1", { flickerProb: 0.3 });
    let blank = 0;
    let total = 0;
    env.reset({ seed: 1 });
    for (let t = 0; t < 3000; t++) {
      const r = env.step(t % 2);
      total++;
      if ((r.observation as Float32Array).every((v) => v === 0)) blank++;
      if (r.terminated || r.truncated) env.reset();
    }
    expect(blank / total).toBeGreaterThan(0.26);
    expect(blank / total).toBeLessThan(0.34);
    expect(() => make("CartPole-Flicker-v1", { flickerProb: 1.5 })).toThrow(
      "make(CartPole-Flicker-v1): FlickerObservation(CartPoleEnv): p must be a probability in [0, 1], got 1.5",
    );
  });

  it.each(["CartPole-v1", "CartPole-NoVel-v1", "CartPole-Noisy-v1", "CartPole-Flicker-v1"])(
    "%s passes the env checker",
    (id) => {
      const report = checkEnv(() => make(id));
      expect(report.passed.length).toBeGreaterThanOrEqual(6);
    },
  );
});
