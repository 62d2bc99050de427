// Speed of the pixel observations, for `pomdp bench envs`.
import { CartPolePixelsEnv } from "./cartpole_pixels";
import { measureStepsPerSec } from "./measure";

/** Figures of `benchPixels`. */
export interface PixelBench {
  /** `CartPole-Pixels-v1` steps per second with Gymnasium's picture at 64 × 64 grey (point-sampled), each with a fresh observation frame. */
  cartpolePixelFramesPerSec: number;
  /** The same with the default picture: 48 × 48 grey, bold, anti-aliased (16 samples a pixel where a shape is). */
  cartpoleBoldPixelFramesPerSec: number;
}

/**
 * Measures CartPole-Pixels' throughput: steps with alternating actions (which keep the pole up for a
 * while, so it is drawn at varied angles), resetting with a new seed when an episode ends.
 */
export function benchPixels(seconds = 0.5, repeats = 3): PixelBench {
  return {
    cartpolePixelFramesPerSec: framesPerSec(
      new CartPolePixelsEnv({ width: 64, height: 64, style: "gymnasium" }),
      seconds,
      repeats,
    ),
    cartpoleBoldPixelFramesPerSec: framesPerSec(new CartPolePixelsEnv(), seconds, repeats),
  };
}

function framesPerSec(env: CartPolePixelsEnv, seconds: number, repeats: number): number {
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
  return cartpolePixelFramesPerSec;
}
