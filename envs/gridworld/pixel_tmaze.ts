// Bakker's T-maze seen from above: TMaze-v0's dynamics, rewards and ends (a `TMazeEnv` inside does them),
// observed as a small grey picture of the maze in which the cue, one lit arm end, appears in the first
// frame of an episode only. A CNN on the last 4 frames has lost it by the junction (≈ 50 % success);
// a CNN + LSTM can carry it.
import {
  Box,
  type Discrete,
  describeValue,
  Env,
  type EnvSpec,
  type Frame,
  type ResetArgs,
  type ResetResult,
  type Rng,
  requireIntegerAtLeast,
  type StepResult,
} from "../../src/core";
import { TMazeEnv } from "./tmaze";

/** Keyword arguments of `PixelTMazeEnv`. */
export interface PixelTMazeArgs {
  /** Cells from the start to the junction, as TMaze-v0's (default 10). */
  length?: number;
  /** Truncation step, as TMaze-v0's; null or absent for `10 * (length + 1)`. */
  maxSteps?: number | null;
  /**
   * Side of one cell's square tile in pixels (default 4). The picture is `5 · tileSize` rows by
   * `(length + 3) · tileSize` columns; `--net cnn` (dqn2013, side ≥ 20) needs `tileSize ≥ 4`.
   */
  tileSize?: number;
}

/** Grey levels of the observation. */
export const PIXEL_TMAZE_SHADES = {
  /** Walls around the corridor and the arms. */
  wall: 0,
  /** Corridor, junction and the two arm ends. */
  floor: 64,
  /** The cued arm's end, in the first frame of an episode only. */
  cue: 192,
  /** The agent's cell. */
  agent: 255,
} as const;

/** Rows of the maze's grid (wall, north arm, corridor, south arm, wall). */
export const PIXEL_TMAZE_ROWS = 5;
/** Grid row of the north arm's end, of the corridor, and of the south arm's end. */
const NORTH_ROW = 1;
const CORRIDOR_ROW = 2;
const SOUTH_ROW = 3;
/** Pixels per cell of `render()`'s picture. */
const RENDER_TILE = 32;
/** `render()`'s colours as [r, g, b]. */
const RENDER_COLOURS = {
  wall: [40, 40, 40],
  floor: [200, 200, 200],
  goal: [0, 170, 0],
  cue: [250, 200, 0],
  agent: [220, 30, 30],
} as const;

/**
 * `PixelTMaze-v0`: TMaze-v0 (Bakker 2002; a `TMazeEnv` inside does the moves, rewards, `terminated`
 * and `truncated`, seeding and reset) observed as a `[5 · tileSize, (length + 3) · tileSize, 1]` uint8
 * picture of the whole maze from above, north up, one square tile per cell:
 *
 * ```
 * row 0   # # # … # # #     walls (0)
 * row 1   # # # … # N #     N: the north arm's end (floor, 64)
 * row 2   # 0 1 … L-1 L #   the corridor, start 0 to junction L = length (floor, 64)
 * row 3   # # # … # S #     S: the south arm's end (floor, 64)
 * row 4   # # # … # # #
 * ```
 *
 * The agent's cell is drawn 255. The cue is the end of the goal's arm drawn 192 instead of 64, in the
 * first frame of an episode only (the one `reset` returns, step count 0): unlike TMaze-v0's bits,
 * coming back to the start does not show it again, so every later frame is the same for both goals.
 * The wall border brings the height to 20 px at the default tile of 4, the least that `--net cnn`'s
 * strided torso takes (dqn2013: 8×8 stride 4, then 4×4 stride 2), and tiles of 4 px are aligned to that
 * stride, so each corridor cell gives its own pattern in the first layer. Default (length 10): 20 × 52.
 * `render()` draws the full state in colour: the goal arm green, the cue yellow while it is shown, the
 * agent red.
 */
export class PixelTMazeEnv extends Env<Uint8Array, number> {
  readonly observationSpace: Box<"uint8">;
  readonly actionSpace: Discrete;
  /** TMaze-v0's action names. */
  readonly actionNames: readonly string[];
  /** The T-maze whose state is drawn: it does the moves, rewards and ends. */
  readonly maze: TMazeEnv;
  /** Side of a cell's tile, in pixels. */
  readonly tileSize: number;
  /** Picture width in pixels: `(length + 3) · tileSize`. */
  readonly width: number;
  /** Picture height in pixels: `5 · tileSize`. */
  readonly height: number;
  /** Keys of `pomdp play`, as TMaze-v0's. */
  readonly playKeys: TMazeEnv["playKeys"];
  /** What the keys do, for `pomdp play`. */
  readonly playHelp: string;
  /** The maze without the agent and the cue (walls and floor), copied into every observation. */
  private readonly background: Uint8Array;

  constructor(args: PixelTMazeArgs = {}) {
    super();
    const length = requireIntegerAtLeast("PixelTMaze", "length", args.length ?? 10, 1);
    const maxSteps = args.maxSteps ?? null;
    if (maxSteps !== null) requireIntegerAtLeast("PixelTMaze", "maxSteps", maxSteps, 1);
    this.tileSize = requireIntegerAtLeast("PixelTMaze", "tileSize", args.tileSize ?? 4, 1);
    this.maze = new TMazeEnv({ length, maxSteps });
    this.actionSpace = this.maze.actionSpace;
    this.actionNames = this.maze.actionNames;
    this.playKeys = this.maze.playKeys;
    this.playHelp = this.maze.playHelp;
    this.width = (length + 3) * this.tileSize;
    this.height = PIXEL_TMAZE_ROWS * this.tileSize;
    this.observationSpace = new Box(0, 255, [this.height, this.width, 1], "uint8");
    this.background = new Uint8Array(this.width * this.height).fill(PIXEL_TMAZE_SHADES.wall);
    for (let p = 0; p <= length; p++)
      this.fillTile(this.background, CORRIDOR_ROW, p + 1, PIXEL_TMAZE_SHADES.floor);
    this.fillTile(this.background, NORTH_ROW, length + 1, PIXEL_TMAZE_SHADES.floor);
    this.fillTile(this.background, SOUTH_ROW, length + 1, PIXEL_TMAZE_SHADES.floor);
  }

  /** Cells from the start to the junction. */
  get length(): number {
    return this.maze.length;
  }

  /** Starts an episode as TMaze-v0 does (goal arm drawn from the seeded generator; no options). */
  reset(args?: ResetArgs): ResetResult<Uint8Array> {
    const { info } = this.maze.reset(args);
    return { observation: this.draw(), info };
  }

  /** Moves one cell as TMaze-v0 does: the same reward, `terminated` and `truncated`. */
  step(action: number): StepResult<Uint8Array> {
    const r = this.maze.step(action);
    return {
      observation: this.draw(),
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }

  /**
   * The full state in colour, `RENDER_TILE` (32) px per cell on the observation's grid: walls dark,
   * floor light grey, the goal arm green (yellow while the cue is shown), the agent red.
   */
  override render(): Frame {
    const cols = this.length + 3;
    const width = cols * RENDER_TILE;
    const height = PIXEL_TMAZE_ROWS * RENDER_TILE;
    const data = new Uint8Array(width * height * 3);
    const goalRow = this.maze.goalNorth ? NORTH_ROW : SOUTH_ROW;
    const junction = this.length + 1;
    for (let row = 0; row < PIXEL_TMAZE_ROWS; row++) {
      for (let col = 0; col < cols; col++) {
        let colour: readonly number[] = RENDER_COLOURS.wall;
        if (row === CORRIDOR_ROW && col >= 1 && col <= junction) colour = RENDER_COLOURS.floor;
        if ((row === NORTH_ROW || row === SOUTH_ROW) && col === junction) {
          colour =
            row !== goalRow
              ? RENDER_COLOURS.floor
              : this.cueShown()
                ? RENDER_COLOURS.cue
                : RENDER_COLOURS.goal;
        }
        if (row === CORRIDOR_ROW && col === this.maze.position + 1) colour = RENDER_COLOURS.agent;
        // One pixel of the wall colour between cells, so the tiles can be counted.
        for (let y = 1; y < RENDER_TILE; y++) {
          for (let x = 1; x < RENDER_TILE; x++) {
            const i = ((row * RENDER_TILE + y) * width + col * RENDER_TILE + x) * 3;
            data[i] = colour[0];
            data[i + 1] = colour[1];
            data[i + 2] = colour[2];
          }
        }
      }
    }
    return { width, height, channels: 3, data };
  }

  /** TMaze-v0's three-line text picture (for `pomdp play`). */
  renderText(): string {
    return this.maze.renderText();
  }

  /** The state is the T-maze's (the picture, cue included, is drawn from it). */
  override getState(): unknown {
    return this.maze.getState();
  }

  override setState(state: unknown): void {
    this.maze.setState(state);
  }

  /** The randomness is the T-maze's (seeded by `reset`). */
  override get rng(): Rng {
    return this.maze.rng;
  }

  // The spec is shared with the maze so that its messages name this env's id.
  override get spec(): EnvSpec | undefined {
    return super.spec;
  }
  override set spec(value: EnvSpec | undefined) {
    super.spec = value;
    this.maze.spec = value;
  }

  override toString(): string {
    return `PixelTMazeEnv(length=${describeValue(this.length)}, tileSize=${describeValue(this.tileSize)})`;
  }

  /** Whether this frame shows the cue: the first of the episode. */
  private cueShown(): boolean {
    return this.maze.stepCount === 0;
  }

  /** The picture of the current state, in a fresh array the caller may keep. */
  private draw(): Uint8Array {
    const obs = this.background.slice();
    if (this.cueShown()) {
      this.fillTile(
        obs,
        this.maze.goalNorth ? NORTH_ROW : SOUTH_ROW,
        this.length + 1,
        PIXEL_TMAZE_SHADES.cue,
      );
    }
    this.fillTile(obs, CORRIDOR_ROW, this.maze.position + 1, PIXEL_TMAZE_SHADES.agent);
    return obs;
  }

  /** Fills the tile of grid cell (`row`, `col`) of a one-channel picture with `shade`. */
  private fillTile(picture: Uint8Array, row: number, col: number, shade: number): void {
    const t = this.tileSize;
    for (let y = row * t; y < (row + 1) * t; y++)
      picture.fill(shade, y * this.width + col * t, y * this.width + (col + 1) * t);
  }
}
