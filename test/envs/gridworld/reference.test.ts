// Farama Minigrid's own trajectories (test/fixtures/minigrid-empty.json, recorded with Minigrid), step for step.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { registerGridworlds } from "../../../envs/gridworld";
import { make } from "../../../src/core";

interface RecordedObservation {
  image: number[][][];
  direction: number;
}
interface RecordedStep extends RecordedObservation {
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface RecordedCase {
  env: string;
  reset: RecordedObservation;
  actions: number[];
  steps: RecordedStep[];
}

const file = path.join(__dirname, "../../fixtures/minigrid-empty.json");
const cases: RecordedCase[] = JSON.parse(readFileSync(file, "utf8")).cases;

registerGridworlds();

describe("Minigrid reference trajectories", () => {
  it("has cases to compare", () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
  });

  for (const [n, c] of cases.entries()) {
    it(`case ${n}: ${c.env}, ${c.actions.length} actions, matches every observation, reward and flag`, () => {
      const env = make(c.env);
      const reset = env.reset({ seed: n });
      expect(Array.from(reset.observation.image)).toEqual(c.reset.image.flat(2));
      expect(reset.observation.direction).toBe(c.reset.direction);
      for (const [t, action] of c.actions.entries()) {
        const r = env.step(action);
        const want = c.steps[t];
        const where = `step ${t + 1} (action ${action})`;
        expect(Array.from(r.observation.image), where).toEqual(want.image.flat(2));
        expect(r.observation.direction, where).toBe(want.direction);
        expect(r.reward, where).toBe(want.reward);
        expect(r.terminated, where).toBe(want.terminated);
        expect(r.truncated, where).toBe(want.truncated);
      }
    });
  }
});
