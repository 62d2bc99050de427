// Bakker's T-maze: observations along the corridor, rewards at the junction and at walls, truncation.
import { describe, expect, it } from "vitest";
import {
  registerGridworlds,
  TMAZE_GOAL_REWARD,
  TMAZE_PENALTY,
  TMazeActions,
  TMazeEnv,
} from "../../../envs/gridworld";
import { make } from "../../../src/core";

const { north, east, south, west } = TMazeActions;

registerGridworlds();

describe("TMaze", () => {
  it("shows the cue only at the start, the corridor code on the way, the junction code at the end", () => {
    const env = new TMazeEnv({ length: 4 });
    const first = env.reset({ seed: 0 }).observation;
    expect(first).toBeInstanceOf(Float32Array);
    expect(Array.from(first)).toEqual(env.goalNorth ? [0, 1, 1] : [1, 1, 0]);
    for (let i = 1; i < 4; i++) expect(Array.from(env.step(east).observation)).toEqual([1, 0, 1]);
    expect(Array.from(env.step(east).observation)).toEqual([0, 1, 0]);
    expect(env.position).toBe(4);
    expect(env.renderText().split("\n")[1]).toBe("....A");
  });

  it("the cued arm gives +4, the other -0.1, both ending the episode", () => {
    for (let seed = 0; seed < 6; seed++) {
      for (const takeCued of [true, false]) {
        const env = new TMazeEnv({ length: 3 });
        const cue = env.reset({ seed }).observation;
        const goalNorth = cue[0] === 0;
        for (let i = 0; i < 3; i++) expect(env.step(east)).toMatchObject({ reward: 0, terminated: false });
        const turn = goalNorth === takeCued ? north : south;
        const r = env.step(turn);
        expect(r.terminated).toBe(true);
        expect(r.reward).toBe(takeCued ? TMAZE_GOAL_REWARD : TMAZE_PENALTY);
      }
    }
  });

  it("bumping into a wall costs -0.1 and leaves the agent in place", () => {
    const env = new TMazeEnv({ length: 3 });
    env.reset({ seed: 1 });
    expect(env.step(west)).toMatchObject({ reward: TMAZE_PENALTY, terminated: false });
    expect(env.step(north)).toMatchObject({ reward: TMAZE_PENALTY, terminated: false });
    expect(env.position).toBe(0);
    env.step(east);
    env.step(west);
    expect(env.position).toBe(0);
    for (let i = 0; i < 3; i++) env.step(east);
    expect(env.step(east)).toMatchObject({ reward: TMAZE_PENALTY, terminated: false });
    expect(env.position).toBe(3);
  });

  it("both goal sides occur across seeds; the same seed repeats", () => {
    const env = new TMazeEnv();
    const sides = new Set<boolean>();
    for (let seed = 0; seed < 20; seed++) {
      env.reset({ seed });
      const side = env.goalNorth;
      env.reset({ seed });
      expect(env.goalNorth).toBe(side);
      sides.add(side);
    }
    expect(sides.size).toBe(2);
  });

  it("truncates at maxSteps (default 10 * (length + 1)); length is a make option", () => {
    const env = make("TMaze-v0", { length: 5 });
    expect((env.unwrapped as TMazeEnv).maxSteps).toBe(60);
    env.reset({ seed: 0 });
    for (let t = 1; t < 60; t++) expect(env.step(west).truncated).toBe(false);
    expect(env.step(west).truncated).toBe(true);
  });

  it("refuses bad actions and lengths by name", () => {
    const env = make("TMaze-v0");
    env.reset({ seed: 0 });
    expect(() => env.unwrapped.step(4)).toThrow(/TMaze-v0.*action/);
    expect(() => env.unwrapped.step(Number.NaN)).toThrow(/TMaze-v0.*action/);
    expect(() => new TMazeEnv({ length: 0 })).toThrow(/length/);
  });
});
