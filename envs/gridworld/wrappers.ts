// Observation wrappers of the gridworlds (Minigrid's ImgObsWrapper, FullyObsWrapper and
// OneHotPartialObsWrapper), producing typed arrays that vector envs and networks take as they are.
import { Box, Dict, type Env, ObservationWrapper, Wrapper } from "../../src/core";
import {
  COLOR_TO_IDX,
  NUM_COLOR_INDICES,
  NUM_OBJECT_INDICES,
  NUM_STATE_INDICES,
  OBJECT_TO_IDX,
} from "./constants";
import { MiniGridEnv, type MiniGridObservation, type MiniGridObservationSpace } from "./minigrid_env";

/** The Minigrid env under `env`'s wrappers; throws (naming the wrapper) when there is none. */
function minigridBelow(wrapper: string, env: Env<unknown, unknown>): MiniGridEnv {
  const base = env.unwrapped;
  if (!(base instanceof MiniGridEnv)) {
    throw new Error(
      `${wrapper}: expected a Minigrid env (a MiniGridEnv below the wrappers), got ${base.name}`,
    );
  }
  return base;
}

/** The image space of a Minigrid-style `Dict` observation space; throws when there is none. */
function imageSpace(wrapper: string, env: Env<unknown, unknown>): Box<"uint8"> {
  const space = env.observationSpace;
  const image = space instanceof Dict ? (space.spaces as Record<string, unknown>).image : undefined;
  if (!(image instanceof Box) || image.dtype !== "uint8" || image.shape.length !== 3) {
    throw new Error(
      `${wrapper}: expected an observation space Dict({ image: Box(uint8, [h, w, 3]), … }), got ${space}`,
    );
  }
  return image as Box<"uint8">;
}

/**
 * Keeps only the image of a Minigrid observation (Minigrid's `ImgObsWrapper`): a `Uint8Array` of the
 * `Box(0, 255, [view, view, 3], uint8)` space, which is what vector envs and CNNs take.
 */
export class ImageOnly<A = number> extends ObservationWrapper<MiniGridObservation, A, Uint8Array> {
  constructor(env: Env<MiniGridObservation, A>) {
    super(env);
    this.observationSpace = imageSpace("ImageOnly", env as Env<unknown, unknown>);
  }
  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(observation: MiniGridObservation): Uint8Array {
    return observation.image;
  }
}

/**
 * Replaces the egocentric view by the whole grid (Minigrid's `FullyObsWrapper`): `image` becomes
 * `height × width × 3` bytes, [y][x][c] = (object, colour, state), with the agent's cell encoded as
 * (10 = agent, 0 = red, direction). The fully observed upper bound of a task. (Minigrid's array is
 * [x][y]; here it is row-major [y][x] like every image of the project.)
 */
export class FullyObserved<A = number> extends ObservationWrapper<
  MiniGridObservation,
  A,
  MiniGridObservation
> {
  private readonly base: MiniGridEnv;

  constructor(env: Env<MiniGridObservation, A>) {
    super(env);
    this.base = minigridBelow("FullyObserved", env as Env<unknown, unknown>);
    const inner = env.observationSpace as MiniGridObservationSpace;
    this.observationSpace = new Dict({
      ...inner.spaces,
      image: new Box(0, 255, [this.base.height, this.base.width, 3], "uint8"),
    }) as MiniGridObservationSpace;
  }

  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(observation: MiniGridObservation): MiniGridObservation {
    const env = this.base;
    const image = env.encodeFullGrid();
    const at = 3 * (env.agentPos[1] * env.width + env.agentPos[0]);
    image[at] = OBJECT_TO_IDX.agent;
    image[at + 1] = COLOR_TO_IDX.red;
    image[at + 2] = env.agentDir;
    return { image, direction: observation.direction, mission: observation.mission };
  }
}

/** Channels per cell of `OneHotPartialView`: 11 object + 6 colour + 3 state indices. */
export const ONE_HOT_CHANNELS = NUM_OBJECT_INDICES + NUM_COLOR_INDICES + NUM_STATE_INDICES;

/**
 * The egocentric view one-hot encoded (Minigrid's `OneHotPartialObsWrapper`) as a `Float32Array` of
 * `Box(0, 1, [view, view, 20], float32)`: per cell, 11 object channels, then 6 colour channels, then
 * 3 state channels, each group with a single 1. Unlike Minigrid's, the observation is this array
 * alone (not a dict) and float32, so an MLP or a vector env takes it directly.
 */
export class OneHotPartialView<A = number> extends ObservationWrapper<MiniGridObservation, A, Float32Array> {
  private readonly cells: number;

  constructor(env: Env<MiniGridObservation, A>) {
    super(env);
    // The full-grid encoding stores the agent's direction (0…3) as a state, beyond the 3 state channels.
    for (let e: Env<unknown, unknown> = env as Env<unknown, unknown>; e instanceof Wrapper; e = e.env) {
      if (e instanceof FullyObserved)
        throw new Error("OneHotPartialView: expected a partial view; it cannot encode a FullyObserved grid");
    }
    const image = imageSpace("OneHotPartialView", env as Env<unknown, unknown>);
    const [h, w] = image.shape;
    this.cells = h * w;
    this.observationSpace = new Box(0, 1, [h, w, ONE_HOT_CHANNELS], "float32");
  }

  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(observation: MiniGridObservation): Float32Array {
    const image = observation.image;
    const out = new Float32Array(this.cells * ONE_HOT_CHANNELS);
    for (let c = 0, o = 0; c < this.cells; c++, o += ONE_HOT_CHANNELS) {
      out[o + image[3 * c]] = 1;
      out[o + NUM_OBJECT_INDICES + image[3 * c + 1]] = 1;
      out[o + NUM_OBJECT_INDICES + NUM_COLOR_INDICES + image[3 * c + 2]] = 1;
    }
    return out;
  }
}
