// The measuring loop shared by the env benchmarks of `pomdp bench envs`.
import { Rng } from "../src/core";

/**
 * Runs `body(n)` (which performs n steps) for about `seconds`, `repeats` times, after a warm-up for
 * the JIT; returns the best rate in steps per second (the least disturbed by other work).
 */
export function measureStepsPerSec(
  body: (steps: number) => void,
  seconds = 0.5,
  repeats = 3,
  chunk = 20_000,
): number {
  body(chunk); // warm up the JIT
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let steps = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000) {
      body(chunk);
      steps += chunk;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (steps * 1000) / elapsed);
  }
  return Math.round(best);
}

/** 4096 random actions in [0, n), drawn beforehand so that drawing them is not what is measured. */
export function actionTable(n: number): Uint8Array {
  const rng = new Rng(0);
  return Uint8Array.from({ length: 4096 }, () => rng.integer(n));
}
