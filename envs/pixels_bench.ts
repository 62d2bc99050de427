// Speed of the pixel observations, for `pomdp bench envs`.
import { CartPolePixelsEnv } from "./cartpole_pixels";
import { measureStepsPerSec } from "./measure";

/** Figures of `benchPixels`. */
export interface PixelBench {
  /** `CartPole-Pixels-v1` steps per second at 64 × 64 grey, each with a fresh observation frame. */
  cartpolePixelFramesPerSec: number;
}

/**
 * Measures CartPole-Pixels' throughput: steps with alternating actions (which keep the pole up for a
 * while, so it is drawn at varied angles), resetting with a new seed when an episode ends.
 */
export function benchPixels(seconds = 0.5, repeats = 3): PixelBench {
  const env = new CartPolePixelsEnv();
  let episode = 0;
  env.reset({ seed: episode });
  let action = 0;
  const cartpolePixelFramesPerSec = measureStepsPerSec(
    (count) => {
      for (let i = 0; i < count; i++) {
        action ^= 1;
        const r = env.step(action);
        if (r.terminated || r.truncated) env.reset({ seed: ++episode });
      }
    },
    seconds,
    repeats,
    2000,
  );
  env.close();
  return { cartpolePixelFramesPerSec };
}
