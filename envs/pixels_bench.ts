// Speed of the pixel observations, for `pomdp bench envs`.
import { CartPolePixelsEnv } from "./cartpole_pixels";

/** Figures of `benchPixels`. */
export interface PixelBench {
  /** `CartPole-Pixels-v1` steps per second at 64 × 64 grey, each with a fresh observation frame. */
  cartpolePixelFramesPerSec: number;
}

/**
 * Measures CartPole-Pixels' throughput: steps with a fixed seed and alternating actions, resetting
 * when an episode ends, for about `seconds` of wall time (after a short warm-up for the JIT).
 */
export function benchPixels(seconds = 1): PixelBench {
  const env = new CartPolePixelsEnv();
  let episode = 0;
  env.reset({ seed: episode });
  let frames = 0;
  let action = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      // Alternating pushes keep the pole up for a while, so the pole is drawn at varied angles.
      action ^= 1;
      const r = env.step(action);
      if (r.terminated || r.truncated) env.reset({ seed: ++episode });
    }
  };
  run(2000);
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    run(1000);
    frames += 1000;
    elapsed = performance.now() - start;
  }
  env.close();
  return { cartpolePixelFramesPerSec: Math.round((frames * 1000) / elapsed) };
}
