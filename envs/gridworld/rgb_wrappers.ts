// Pixel observations of the gridworlds, for CNN encoders: Minigrid's RGBImgPartialObsWrapper and
// RGBImgObsWrapper, except that the observation is the image alone (no direction or mission).
import {
  Box,
  Dict,
  describeValue,
  type Env,
  ObservationWrapper,
  requirePositiveInteger,
} from "../../src/core";
import { renderEncodedViewRgb, renderGridRgb } from "./render_rgb";

/** The part of a gridworld observation these wrappers read: the egocentric encoding. */
export interface EncodedViewObservation {
  /** `view × view × 3` bytes [y][x][c], agent at the bottom centre facing up. */
  image: Uint8Array;
}

/** What `RgbFullView` reads from the unwrapped gridworld (MiniGridEnv's public state). */
export interface GridworldState {
  /** Grid columns. */
  width: number;
  /** Grid rows. */
  height: number;
  /** Agent cell [x, y]. */
  agentPos: readonly [number, number] | readonly number[];
  /** Agent direction, 0 = +x … 3 = -y. */
  agentDir: number;
  /** The grid as `height × width × 3` codes [y][x][c], without the agent. */
  encodeFullGrid(out?: Uint8Array): Uint8Array;
  /** `height × width` 0/1: the cells the agent sees. */
  visibleMask(): Uint8Array;
}

/** Options of the RGB view wrappers. */
export interface RgbViewOptions {
  /** Pixels per cell (default 8, as Minigrid's RGB wrappers). */
  tileSize?: number;
}

/** Options of `RgbFullView`. */
export interface RgbFullViewOptions extends RgbViewOptions {
  /** Brighten the cells the agent sees (default true, as Minigrid). */
  highlight?: boolean;
}

function tileSizeOf(wrapper: string, envName: string, tileSize: unknown): number {
  return requirePositiveInteger(`${wrapper}(${envName})`, "tileSize", tileSize);
}

/**
 * The agent's egocentric view drawn as an RGB image (Minigrid's RGBImgPartialObsWrapper, image only):
 * `view·tileSize × view·tileSize × 3` uint8, 56 × 56 × 3 for the default 7 × 7 view and 8 px tiles.
 * The agent is the red triangle at the bottom centre pointing up; cells it cannot see are black.
 */
export class RgbPartialView<O extends EncodedViewObservation> extends ObservationWrapper<
  O,
  number,
  Uint8Array
> {
  /** Pixels per cell. */
  readonly tileSize: number;
  /** Cells per side of the view. */
  readonly viewSize: number;

  constructor(env: Env<O, number>, options: RgbViewOptions = {}) {
    super(env);
    const space = env.observationSpace;
    const image = space instanceof Dict ? space.spaces.image : undefined;
    if (
      !(image instanceof Box) ||
      image.shape.length !== 3 ||
      image.shape[0] !== image.shape[1] ||
      image.shape[2] !== 3
    )
      throw new Error(
        `RgbPartialView(${env.name}): expected a gridworld's Dict observation with image of shape [view, view, 3], got ${space}`,
      );
    this.tileSize = tileSizeOf("RgbPartialView", env.name, options.tileSize ?? 8);
    this.viewSize = image.shape[0];
    const side = this.viewSize * this.tileSize;
    this.observationSpace = new Box(0, 255, [side, side, 3], "uint8");
  }

  /** The view of `observation.image` drawn in a fresh array. */
  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(observation: O): Uint8Array {
    return renderEncodedViewRgb(observation.image, this.viewSize, this.tileSize);
  }
}

/**
 * The whole grid drawn as an RGB image (Minigrid's RGBImgObsWrapper, image only): `height·tileSize ×
 * width·tileSize × 3` uint8 with the agent's triangle and, by default, its view cone brightened: a
 * fully observed baseline from pixels.
 */
export class RgbFullView<O> extends ObservationWrapper<O, number, Uint8Array> {
  /** Pixels per cell. */
  readonly tileSize: number;
  /** Whether the view cone is brightened. */
  readonly highlight: boolean;
  private readonly world: GridworldState;
  private readonly cells: Uint8Array;
  private readonly frame: Uint8Array;

  constructor(env: Env<O, number>, options: RgbFullViewOptions = {}) {
    super(env);
    const world = env.unwrapped as unknown as Partial<GridworldState>;
    if (
      typeof world.encodeFullGrid !== "function" ||
      typeof world.visibleMask !== "function" ||
      typeof world.width !== "number" ||
      typeof world.height !== "number"
    )
      throw new Error(
        `RgbFullView(${env.name}): expected a gridworld (an env whose unwrapped has width, height, encodeFullGrid and visibleMask)`,
      );
    this.world = world as GridworldState;
    this.tileSize = tileSizeOf("RgbFullView", env.name, options.tileSize ?? 8);
    const highlight = options.highlight ?? true;
    if (typeof highlight !== "boolean")
      throw new Error(
        `RgbFullView(${env.name}): highlight must be true or false, got ${describeValue(highlight)}`,
      );
    this.highlight = highlight;
    const { width, height } = this.world;
    this.cells = new Uint8Array(width * height * 3);
    this.frame = new Uint8Array(width * height * this.tileSize * this.tileSize * 3);
    this.observationSpace = new Box(0, 255, [height * this.tileSize, width * this.tileSize, 3], "uint8");
  }

  /** The grid as it is now (the wrapped observation is not needed), in a fresh array. */
  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(_observation: O): Uint8Array {
    const world = this.world;
    renderGridRgb(
      {
        width: world.width,
        height: world.height,
        cells: world.encodeFullGrid(this.cells),
        agentX: world.agentPos[0],
        agentY: world.agentPos[1],
        agentDir: world.agentDir,
        highlight: this.highlight ? world.visibleMask() : undefined,
      },
      this.tileSize,
      this.frame,
    );
    return this.frame.slice();
  }
}
