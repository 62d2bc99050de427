// Throughput of the gridworld engine: random actions on MiniGrid-Empty-8x8-v0's underlying env,
// producing the 7×7×3 encoded view at every step, resetting at episode ends.
import { make } from "../../src/core";
import { actionTable, measureStepsPerSec } from "../measure";
import { registerGridworlds } from "./index";
import type { MiniGridEnv } from "./minigrid_env";

/**
 * The gridworld figure of `pomdp bench envs`: steps per second of `make("MiniGrid-Empty-8x8-v0")`'s
 * unwrapped env under random actions (each step returns a fresh observation). Best of `repeats` runs
 * of about `seconds` each.
 */
export function benchGridworld(seconds = 0.5, repeats = 3): { minigridEmpty8StepsPerSec: number } {
  registerGridworlds();
  const env = make("MiniGrid-Empty-8x8-v0").unwrapped as MiniGridEnv;
  env.reset({ seed: 0 });
  const actions = actionTable(7);
  let t = 0;
  const minigridEmpty8StepsPerSec = measureStepsPerSec(
    (steps) => {
      for (let i = 0; i < steps; i++) {
        const r = env.step(actions[t++ & 4095]);
        if (r.terminated || r.truncated) env.reset();
      }
    },
    seconds,
    repeats,
  );
  return { minigridEmpty8StepsPerSec };
}
