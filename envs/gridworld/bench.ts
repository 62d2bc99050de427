// Throughput of the gridworld engine: random actions on MiniGrid-Empty-8x8-v0's underlying env,
// producing the 7×7×3 encoded view at every step, resetting at episode ends.
import { make, Rng } from "../../src/core";
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
  // Random actions drawn beforehand, so that drawing them is not what is measured.
  const rng = new Rng(0);
  const actions = Uint8Array.from({ length: 4096 }, () => rng.integer(7));
  let t = 0;
  const run = (steps: number) => {
    for (let i = 0; i < steps; i++) {
      const r = env.step(actions[t++ & 4095]);
      if (r.terminated || r.truncated) env.reset();
    }
  };
  run(20_000); // warm up the JIT
  let best = 0;
  for (let rep = 0; rep < repeats; rep++) {
    let steps = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000) {
      run(20_000);
      steps += 20_000;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (steps * 1000) / elapsed);
  }
  return { minigridEmpty8StepsPerSec: Math.round(best) };
}
