// Minigrid's Empty room (minigrid/envs/empty.py): reach the goal in the opposite corner.
import { describeValue, requireIntegerAtLeast } from "../../src/core";
import { MiniGridEnv } from "./minigrid_env";
import { Goal } from "./world_object";

/** Keyword arguments of `EmptyEnv`. */
export interface EmptyArgs {
  /** Side of the square grid, walls included (default 8). */
  size?: number;
  /** Fixed start cell [x, y] (default [1, 1]); null for a random cell and direction every episode. */
  agentStartPos?: readonly [number, number] | null;
  /** Start direction when `agentStartPos` is set (default 0, facing right). */
  agentStartDir?: number;
  /** Truncation step; null or absent for Minigrid's `4 * size * size`. */
  maxSteps?: number | null;
  /** Side of the egocentric view (default 7). */
  agentViewSize?: number;
  /** Tile size of `render()` (default 32). */
  tileSize?: number;
}

/**
 * An empty room with walls around it and a green goal in the bottom-right corner; the agent starts in
 * the top-left corner facing right (or anywhere, with `agentStartPos: null`). Reward
 * `1 - 0.9 * steps / maxSteps` at the goal, else 0. Like Minigrid, the agent sees through walls here.
 */
export class EmptyEnv extends MiniGridEnv {
  private readonly startPos: readonly [number, number] | null;
  private readonly startDir: number;

  constructor(args: EmptyArgs = {}) {
    const size = requireIntegerAtLeast("EmptyEnv", "size", args.size ?? 8, 3);
    super({
      width: size,
      height: size,
      maxSteps: args.maxSteps ?? 4 * size * size,
      seeThroughWalls: true,
      mission: "get to the green goal square",
      agentViewSize: args.agentViewSize,
      tileSize: args.tileSize,
    });
    const start = args.agentStartPos === undefined ? [1, 1] : args.agentStartPos;
    if (start !== null) {
      const ok =
        Array.isArray(start) &&
        start.length === 2 &&
        start.every((c) => Number.isInteger(c) && c >= 1 && c <= size - 2);
      if (!ok) {
        throw new Error(
          `EmptyEnv: agentStartPos must be null or [x, y] inside the walls (1 … ${size - 2}), got ${describeValue(start)}`,
        );
      }
    }
    this.startPos = start === null ? null : [start[0], start[1]];
    const dir = args.agentStartDir ?? 0;
    if (!Number.isInteger(dir) || dir < 0 || dir > 3) {
      throw new Error(`EmptyEnv: agentStartDir must be 0, 1, 2 or 3, got ${describeValue(dir)}`);
    }
    this.startDir = dir;
  }

  protected genGrid(width: number, height: number): void {
    this.grid.wallRect(0, 0, width, height);
    this.putObj(new Goal(), width - 2, height - 2);
    if (this.startPos !== null) {
      this.agentPos[0] = this.startPos[0];
      this.agentPos[1] = this.startPos[1];
      this.agentDir = this.startDir;
    } else {
      this.placeAgent();
    }
  }
}
