// POPGym's RepeatPrevious and CountRecall: hand-worked seeded episodes, rewards and ends, errors,
// determinism, the state round trip, pictures, and that memoryless policies stay near chance.
import { describe, expect, it } from "vitest";
import { CountRecallEnv, RepeatPreviousEnv, registerMemoryTasks } from "../../envs/memory";
import { checkEnv, type Env, make, Rng, spec } from "../../src/core";

registerMemoryTasks();

/** The index of the 1 in `obs[from … from + n)`. */
function hot(obs: Float32Array, from = 0, n = obs.length - from): number {
  const part = Array.from(obs.subarray(from, from + n));
  expect(part.filter((x) => x === 1).length).toBe(1);
  expect(part.filter((x) => x === 0).length).toBe(n - 1);
  return part.indexOf(1);
}

/** The colour at the middle of cell (`col`, `row`) of a 16-px cell picture. */
function cellColour(frame: { width: number; data: Uint8Array }, col: number, row: number): number[] {
  const i = ((row * 16 + 8) * frame.width + col * 16 + 8) * 3;
  return Array.from(frame.data.subarray(i, i + 3));
}
const GREEN = [40, 190, 60];
const RED = [220, 40, 40];
const GREY = [90, 90, 90];

describe("RepeatPrevious", () => {
  // k = 2, 3 symbols, 4 scored steps, seed 5: the symbols s_0 … s_6 (drawn whatever the actions).
  const SEEN = [0, 0, 2, 0, 2, 0, 1];
  const small = () => new RepeatPreviousEnv({ k: 2, symbols: 3, length: 4 });

  it("deals the seeded symbols as one-hot float32 vectors, whatever the actions", () => {
    for (const action of [0, 1, 2]) {
      const env = small();
      const first = env.reset({ seed: 5 }).observation;
      expect(first).toBeInstanceOf(Float32Array);
      const seen = [hot(first)];
      for (let t = 1; t <= 6; t++) seen.push(hot(env.step(action).observation));
      expect(seen).toEqual(SEEN);
    }
  });

  it("a hand-worked episode: 0 for the first k steps, then ±1/length against the symbol k steps before the last seen", () => {
    const env = small();
    env.reset({ seed: 5 });
    // Step t is scored against s_{t-3}: steps 3, 4, 5, 6 against s_0 = 0, s_1 = 0, s_2 = 2, s_3 = 0.
    // Answers: two unscored, right, right, wrong (1 for 2), right.
    const rewards: number[] = [];
    const ends: boolean[] = [];
    for (const a of [2, 1, 0, 0, 1, 0]) {
      const r = env.step(a);
      rewards.push(r.reward);
      ends.push(r.terminated);
      expect(r.truncated).toBe(false);
    }
    expect(rewards).toEqual([0, 0, 0.25, 0.25, -0.25, 0.25]);
    expect(ends).toEqual([false, false, false, false, false, true]);
    // One mistake in four: 1 − 2/4.
    expect(rewards.reduce((a, b) => a + b, 0)).toBe(0.5);
    expect(env.rightAnswers).toBe(3);
  });

  it("an always-right policy returns 1 with info.accuracy 1 and info.success on the last step; one mistake returns 1 − 2/length", () => {
    for (const [args, steps] of [
      [{}, 20],
      [{ k: 1, symbols: 2, length: 10 }, 11],
      [{ k: 7, symbols: 5, length: 3 }, 10],
    ] as const) {
      for (const mistakeAt of [null, steps - 1]) {
        const env = new RepeatPreviousEnv(args);
        const seen = [hot(env.reset({ seed: 11 }).observation)];
        let total = 0;
        for (let t = 1; t <= steps; t++) {
          const target = t > env.k ? seen[t - 1 - env.k] : 0;
          const action = t === mistakeAt ? (target + 1) % env.symbols : target;
          const r = env.step(action);
          seen.push(hot(r.observation));
          total += r.reward;
          expect(r.terminated).toBe(t === steps);
          if (t < steps) expect(r.info).toEqual({});
          else
            expect(r.info).toEqual({
              accuracy: mistakeAt === null ? 1 : (env.length - 1) / env.length,
              success: mistakeAt === null,
            });
        }
        expect(total).toBeCloseTo(mistakeAt === null ? 1 : 1 - 2 / env.length, 12);
        // The registry's success threshold separates the two.
        expect(total > spec("RepeatPrevious-v0").successAbove!).toBe(mistakeAt === null);
      }
    }
    // The default's rewards are ±1/16, exact in binary: the sum is exactly 1.
    const env = new RepeatPreviousEnv();
    const seen = [hot(env.reset({ seed: 3 }).observation)];
    let total = 0;
    for (let t = 1; t <= 20; t++) {
      const r = env.step(t > 4 ? seen[t - 5] : 0);
      seen.push(hot(r.observation));
      total += r.reward;
    }
    expect(total).toBe(1);
  });

  it("refuses bad kwargs, actions out of range, steps before reset and after the end, with exact messages", () => {
    expect(() => new RepeatPreviousEnv({ k: 0 })).toThrow(
      new Error("RepeatPreviousEnv: k must be an integer ≥ 1, got 0"),
    );
    expect(() => new RepeatPreviousEnv({ k: 1.5 })).toThrow(
      new Error("RepeatPreviousEnv: k must be an integer ≥ 1, got 1.5"),
    );
    expect(() => new RepeatPreviousEnv({ symbols: 1 })).toThrow(
      new Error("RepeatPreviousEnv: symbols must be an integer ≥ 2, got 1"),
    );
    expect(() => new RepeatPreviousEnv({ length: 0 })).toThrow(
      new Error("RepeatPreviousEnv: length must be an integer ≥ 1, got 0"),
    );
    expect(() => make("RepeatPrevious-v0", { k: "3" })).toThrow(
      new Error('make(RepeatPrevious-v0): RepeatPreviousEnv: k must be an integer ≥ 1, got "3"'),
    );
    const env = make("RepeatPrevious-v0") as Env<Float32Array, number>;
    expect(() => env.unwrapped.step(0)).toThrow(
      new Error("RepeatPrevious-v0: step() called before reset(); call reset() first"),
    );
    env.reset({ seed: 0 });
    for (const bad of [4, -1, 0.5, Number.NaN]) {
      expect(() => env.unwrapped.step(bad)).toThrow(
        new Error(`RepeatPrevious-v0: step() got action ${bad}; expected an integer in Discrete(4): 0 … 3`),
      );
    }
    for (let t = 0; t < 20; t++) env.unwrapped.step(0);
    expect(() => env.unwrapped.step(0)).toThrow(
      new Error("RepeatPrevious-v0: step() called after the episode ended (terminated); call reset() first"),
    );
  });

  it("is deterministic under a seed, and seeds differ", () => {
    const episode = (seed: number) => {
      const env = make("RepeatPrevious-v0") as Env<Float32Array, number>;
      const out = [hot(env.reset({ seed }).observation)];
      const rng = new Rng(seed);
      for (let t = 0; t < 20; t++) {
        const r = env.step(rng.integer(4));
        out.push(hot(r.observation), r.reward);
      }
      return out;
    };
    expect(episode(9)).toEqual(episode(9));
    expect(episode(9)).not.toEqual(episode(10));
  });

  it("restores its state mid-episode (through JSON) into a fresh env, and refuses malformed states", () => {
    const a = small();
    a.reset({ seed: 5 });
    for (const act of [2, 1, 0, 0]) a.step(act);
    const b = small();
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(b.renderText()).toBe(a.renderText());
    for (const act of [1, 0]) expect(b.step(act)).toEqual(a.step(act));
    expect(() => b.setState({ ...(a.getState() as object), seen: [0, 1] })).toThrow(
      /RepeatPreviousEnv: setState\(\) got seen \[0, 1\]; expected 7 integers in \[0, 2\]/,
    );
    expect(() => b.setState({ ...(a.getState() as object), stepCount: 7 })).toThrow(
      /RepeatPreviousEnv: setState\(\) got stepCount 7/,
    );
    expect(() => b.setState({ ...(a.getState() as object), lastAction: null })).toThrow(
      /RepeatPreviousEnv: setState\(\) got lastAction null; expected an integer in \[0, 2\]/,
    );
    expect(() => b.setState({ seen: [] })).toThrow(/expected an object with seen, stepCount/);
  });

  it("draws the last k + 2 symbols over the last answer and its verdict", () => {
    const env = small();
    env.reset({ seed: 5 });
    const frame = () => env.render();
    expect(frame()).toMatchObject({ width: 64, height: 32, channels: 3 });
    expect(cellColour(frame(), 1, 1)).toEqual(GREY); // no answer yet
    env.step(2);
    expect(cellColour(frame(), 1, 1)).toEqual(GREY); // not scored
    env.step(1);
    env.step(0); // right: s_0 = 0
    expect(cellColour(frame(), 1, 1)).toEqual(GREEN);
    // The framed target (s_0) is the leftmost cell; the current symbol (s_3) the rightmost.
    expect(cellColour(frame(), 0, 0)).toEqual(cellColour(frame(), 3, 0));
    expect(cellColour(frame(), 0, 1)).toEqual(cellColour(frame(), 0, 0)); // the answer, under it
    env.step(1); // wrong: s_1 = 0
    expect(cellColour(frame(), 1, 1)).toEqual(RED);
    expect(env.renderText().split("\n")).toEqual([
      "seen, oldest first: [2] 0 2   [ ] = the one to answer now",
      "last answer: 1 for 0: wrong",
      "step 4/6, scored 2/4, right 1",
    ]);
  });

  it("a memoryless policy stays at chance: repeating the current symbol is right 1/symbols of the time", () => {
    for (const [k, symbols] of [
      [1, 2],
      [4, 4],
    ]) {
      const env = new RepeatPreviousEnv({ k, symbols, length: 50 });
      let right = 0;
      let scored = 0;
      for (let episode = 0; episode < 200; episode++) {
        let current = hot(env.reset({ seed: episode }).observation);
        for (let t = 1; t <= env.maxSteps; t++) {
          const r = env.step(current);
          if (t > k) {
            scored++;
            if (r.reward > 0) right++;
          }
          current = hot(r.observation);
        }
      }
      // 10,000 answers: the standard error is at most 0.005.
      expect(Math.abs(right / scored - 1 / symbols)).toBeLessThan(0.02);
    }
  });
});

describe("CountRecall", () => {
  // 3 values, 5 steps, seed 5: the dealt cards v_0 … v_5 and queries q_0 … q_5.
  const DEALT = [0, 2, 2, 1, 2, 2];
  const QUERIES = [0, 0, 0, 2, 2, 0];
  // Step t answers q_{t-1} counted among v_0 … v_{t-1}: 0 in [0]; 0 in [0, 2]; 0 in [0, 2, 2];
  // 2 in [0, 2, 2, 1]; 2 in [0, 2, 2, 1, 2].
  const ANSWERS = [1, 1, 1, 2, 3];
  const small = () => new CountRecallEnv({ values: 3, length: 5 });

  it("shows [one-hot dealt | one-hot query], seeded, whatever the actions", () => {
    for (const action of [0, 3]) {
      const env = small();
      expect(env.actionSpace.n).toBe(6);
      const obs = [env.reset({ seed: 5 }).observation];
      for (let t = 1; t <= 5; t++) obs.push(env.step(action).observation);
      expect(obs.map((o) => hot(o, 0, 3))).toEqual(DEALT);
      expect(obs.map((o) => hot(o, 3, 3))).toEqual(QUERIES);
    }
  });

  it("a hand-worked episode: ±1/length on every step, the count includes the card shown with the query", () => {
    const env = small();
    env.reset({ seed: 5 });
    const rewards: number[] = [];
    // Right, wrong (0 for 1), right, right, wrong (2 for 3).
    for (const [i, a] of [1, 0, 1, 2, 2].entries()) {
      expect(env.answerNow()).toBe(ANSWERS[i]);
      const r = env.step(a);
      rewards.push(r.reward);
      expect(r.terminated).toBe(env.stepCount === 5);
      expect(r.truncated).toBe(false);
    }
    expect(rewards).toEqual([0.2, -0.2, 0.2, 0.2, -0.2]);
    expect(env.rightAnswers).toBe(3);
  });

  it("an always-right policy returns 1 with info.success; one mistake returns 1 − 2/length", () => {
    for (const args of [{}, { values: 3, length: 5 }, { values: 13, length: 40 }]) {
      for (const mistakeAt of [null, 2]) {
        const env = new CountRecallEnv(args);
        env.reset({ seed: 21 });
        let total = 0;
        let info = {};
        for (let t = 1; t <= env.length; t++) {
          const answer = env.answerNow();
          const r = env.step(t === mistakeAt ? (answer + 1) % (env.maxCount + 1) : answer);
          total += r.reward;
          info = r.info;
        }
        expect(total).toBeCloseTo(mistakeAt === null ? 1 : 1 - 2 / env.length, 12);
        expect(info).toEqual({
          accuracy: mistakeAt === null ? 1 : (env.length - 1) / env.length,
          success: mistakeAt === null,
        });
        expect(total > spec("CountRecall-v0").successAbove!).toBe(mistakeAt === null);
      }
    }
    // The oracle above agrees with counting the observations.
    const env = new CountRecallEnv();
    let obs = env.reset({ seed: 8 }).observation;
    const counts = [0, 0, 0, 0];
    for (let t = 1; t <= 16; t++) {
      counts[hot(obs, 0, 4)]++;
      const r = env.step(counts[hot(obs, 4, 4)]);
      expect(r.reward).toBe(1 / 16);
      obs = r.observation;
    }
  });

  it("caps the count at maxCount: the answer to a larger count is maxCount", () => {
    const env = new CountRecallEnv({ values: 2, length: 30, maxCount: 2 });
    expect(env.actionSpace.n).toBe(3);
    let obs = env.reset({ seed: 1 }).observation;
    const counts = [0, 0];
    let capped = 0;
    for (let t = 1; t <= 30; t++) {
      counts[hot(obs, 0, 2)]++;
      const count = counts[hot(obs, 2, 2)];
      if (count > 2) capped++;
      expect(env.answerNow()).toBe(Math.min(count, 2));
      obs = env.step(Math.min(count, 2)).observation;
    }
    expect(capped).toBeGreaterThan(10);
  });

  it("refuses bad kwargs, actions out of range and steps after the end, with exact messages", () => {
    expect(() => new CountRecallEnv({ values: 1 })).toThrow(
      new Error("CountRecallEnv: values must be an integer ≥ 2, got 1"),
    );
    expect(() => new CountRecallEnv({ length: 2.5 })).toThrow(
      new Error("CountRecallEnv: length must be an integer ≥ 1, got 2.5"),
    );
    expect(() => new CountRecallEnv({ maxCount: 0 })).toThrow(
      new Error("CountRecallEnv: maxCount must be an integer ≥ 1, got 0"),
    );
    const env = make("CountRecall-v0") as Env<Float32Array, number>;
    env.reset({ seed: 0 });
    expect(() => env.unwrapped.step(17)).toThrow(
      new Error("CountRecall-v0: step() got action 17; expected an integer in Discrete(17): 0 … 16"),
    );
    for (let t = 0; t < 16; t++) env.unwrapped.step(0);
    expect(() => env.unwrapped.step(0)).toThrow(/CountRecall-v0: step\(\) called after the episode ended/);
  });

  it("is deterministic under a seed and restores its state mid-episode into a fresh env", () => {
    const a = small();
    const b = small();
    expect(a.reset({ seed: 3 })).toEqual(b.reset({ seed: 3 }));
    for (const act of [0, 1, 2]) expect(a.step(act)).toEqual(b.step(act));
    const c = small();
    c.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(c.renderText()).toBe(a.renderText());
    expect(c.answerNow()).toBe(a.answerNow());
    for (const act of [1, 2]) expect(c.step(act)).toEqual(a.step(act));
    expect(() => c.setState({ ...(a.getState() as object), dealt: [0, 5, 0, 0, 0, 0] })).toThrow(
      /CountRecallEnv: setState\(\) got dealt \[0, 5, 0, 0, 0, 0\]; expected 6 integers in \[0, 2\]/,
    );
    expect(() => c.setState({ ...(a.getState() as object), lastTarget: null })).toThrow(
      /CountRecallEnv: setState\(\) got lastTarget null; expected an integer in \[0, 5\]/,
    );
  });

  it("draws the counts, the cards shown, and the last answer against the right one", () => {
    const env = small();
    env.reset({ seed: 5 });
    // 3 values + gap + 2 answer bars; 5 count rows + swatches + query marker.
    expect(env.render()).toMatchObject({ width: 96, height: 112, channels: 3 });
    expect(cellColour(env.render(), 4, 5)).toEqual(GREY);
    env.step(1);
    expect(cellColour(env.render(), 4, 5)).toEqual(GREEN);
    expect(cellColour(env.render(), 5, 4)).toEqual(GREEN); // the right answer's bar: 1 cell
    expect(cellColour(env.render(), 5, 3)).not.toEqual(GREEN);
    env.step(0);
    expect(cellColour(env.render(), 5, 5)).toEqual(RED);
    expect(env.renderText().split("\n")).toEqual([
      "dealt 2, query 0: how many 0s so far?",
      "counts so far (value:count): 0:1  1:0  2:2",
      "last answer: 0, right answer 1: wrong",
      "step 2/5, right 1",
    ]);
  });

  it("the counts are hidden: the best memoryless answer (a table from the shown cards) is far from always right", () => {
    // For every shown (dealt, query), the most frequent right answer: the best any memoryless policy does.
    const env = new CountRecallEnv();
    const table = new Map<string, Map<number, number>>();
    let obs = env.reset({ seed: 0 }).observation;
    let answers = 0;
    for (let episode = 0; episode < 500; episode++) {
      if (episode > 0) obs = env.reset().observation;
      for (let t = 1; t <= 16; t++) {
        const key = `${hot(obs, 0, 4)},${hot(obs, 4, 4)}`;
        const counts = table.get(key) ?? new Map<number, number>();
        const answer = env.answerNow();
        counts.set(answer, (counts.get(answer) ?? 0) + 1);
        table.set(key, counts);
        answers++;
        obs = env.step(answer).observation;
      }
    }
    let best = 0;
    for (const counts of table.values()) best += Math.max(...counts.values());
    // About 0.25 (answer 1 when the cards match, else 0).
    expect(best / answers).toBeLessThan(0.3);
  });
});

describe("the memory tasks' registration", () => {
  it.each(["RepeatPrevious-v0", "CountRecall-v0"])("%s passes checkEnv, also with other kwargs", (id) => {
    expect(checkEnv(() => make(id), { steps: 120 }).warnings).toEqual([]);
    const other =
      id === "RepeatPrevious-v0" ? { k: 1, symbols: 2, length: 3 } : { values: 2, length: 3, maxCount: 1 };
    expect(checkEnv(() => make(id, other), { steps: 60 }).passed).toContain(
      "getState()/setState() round trip (through JSON) replays the same 60 steps",
    );
    expect(spec(id).successAbove).toBe(0.99);
    expect(spec(id).maxEpisodeSteps).toBeUndefined();
  });
});
