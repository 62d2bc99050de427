// A gridworld seen in pixels, for CNN agents and autoencoders: MiniGrid-DoorKey-5x5-v0 whose
// observation is the agent's 7 × 7 egocentric view drawn as RGB (RgbPartialView) with 12-pixel tiles,
// i.e. 84 × 84 × 3 bytes, the size of the natureDqn CNN preset. Load it with --require.
//   npx pomdp train --require experiments/rgb_gridworld.ts --env MiniGrid-DoorKey-5x5-Rgb-v0 --net cnn
import { make, RgbPartialView, register } from "../src";

/** The id this module registers. */
export const RGB_DOORKEY = "MiniGrid-DoorKey-5x5-Rgb-v0";

register(RGB_DOORKEY, () => new RgbPartialView(make("MiniGrid-DoorKey-5x5-v0"), { tileSize: 12 }), {
  override: true,
});
