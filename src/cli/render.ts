// `pomdp render` (its flags are in commands.ts): a picture of an env, or of what its agent sees.
import { renderEncodedViewRgb } from "../../envs/gridworld/render_rgb";
import { Box, Dict, type Env, make, Rng, type Space } from "../index";
import { type PngImage, writePng } from "../report/png";

/** Options of `renderToPng`. */
export interface RenderToPngOptions {
  /** Seed of `reset` and of the random actions (default 0). */
  seed?: number;
  /** Random actions taken after the reset; stops early if the episode ends (default 0). */
  steps?: number;
  /** `"full"`: the env's `render()` picture (default); `"agent"`: what the agent observes. */
  view?: "agent" | "full";
  /** Pixels per cell when drawing a gridworld's egocentric view (default 32). */
  tileSize?: number;
}

/** What `renderToPng` wrote. */
export interface RenderedPng {
  /** The file written. */
  path: string;
  /** Picture width in pixels. */
  width: number;
  /** Picture height in pixels. */
  height: number;
  /** 1 = grey, 3 = RGB. */
  channels: 1 | 3;
  /** Steps actually taken (fewer than asked when the episode ended). */
  steps: number;
}

interface GridworldLike {
  agentViewSize?: number;
}

/**
 * Makes the env registered as `id`, resets it with `seed`, takes `steps` uniformly random actions
 * (from a generator seeded with `seed`), and writes a PNG at `path`: the env's `render()` picture, or
 * with `view: "agent"` the observation — an image observation as it is (grey or RGB), a gridworld's
 * encoded egocentric view drawn as tiles.
 */
export function renderToPng(id: string, path: string, options: RenderToPngOptions = {}): RenderedPng {
  const { seed = 0, steps = 0, view = "full", tileSize = 32 } = options;
  const env: Env<unknown, unknown> = make(id);
  try {
    let { observation } = env.reset({ seed });
    const actions = new Rng(seed);
    let taken = 0;
    while (taken < steps) {
      const r = env.step(env.actionSpace.sample(actions));
      observation = r.observation;
      taken++;
      if (r.terminated || r.truncated) break;
    }
    let image: PngImage & { channels: 1 | 3 };
    if (view === "full") {
      if (typeof env.render !== "function" || typeof env.unwrapped.render !== "function")
        throw new Error(`render: ${id} cannot draw itself (no render()); try --view agent`);
      image = env.render();
    } else {
      image = observationImage(id, env, observation, tileSize);
    }
    writePng(path, image);
    return { path, width: image.width, height: image.height, channels: image.channels, steps: taken };
  } finally {
    env.close();
  }
}

/** The observation as a picture, or an error saying why it is not one. */
function observationImage(
  id: string,
  env: Env<unknown, unknown>,
  observation: unknown,
  tileSize: number,
): PngImage & { channels: 1 | 3 } {
  let space: Space<unknown> = env.observationSpace;
  let value = observation;
  if (space instanceof Dict && space.spaces.image instanceof Box) {
    // A gridworld's Dict observation: its image is the encoded view.
    space = space.spaces.image;
    value = (observation as { image: unknown }).image;
  }
  const viewSize = (env.unwrapped as GridworldLike).agentViewSize;
  if (space instanceof Box && space.dtype === "uint8" && value instanceof Uint8Array) {
    const [height, width, channels = 1] = space.shape;
    // An encoded egocentric view (object, colour, state per cell) is drawn as tiles, not shown raw.
    if (viewSize !== undefined && height === viewSize && width === viewSize && channels === 3) {
      const side = viewSize * tileSize;
      return {
        width: side,
        height: side,
        channels: 3,
        data: renderEncodedViewRgb(value, viewSize, tileSize),
      };
    }
    if ((space.shape.length === 2 || space.shape.length === 3) && (channels === 1 || channels === 3))
      return { width, height, channels, data: value };
  }
  throw new Error(
    `render: --view agent needs an image observation (a uint8 Box [height, width, 1|3] or a gridworld view); ${id} observes ${env.observationSpace}`,
  );
}

/** `pomdp render <id> --out frame.png`: saves what an env looks like, or what its agent sees, as a PNG. */
export function renderAction(
  id: string,
  opts: { out: string; seed: number; steps: number; view: "agent" | "full"; tile: number },
): void {
  const done = renderToPng(id, opts.out, {
    seed: opts.seed,
    steps: opts.steps,
    view: opts.view,
    tileSize: opts.tile,
  });
  const colour = done.channels === 1 ? "grey" : "RGB";
  console.log(
    `wrote ${done.path}: ${done.width}×${done.height} ${colour}, ${opts.view} view of ${id} (seed ${opts.seed}, ${done.steps} steps)`,
  );
}
