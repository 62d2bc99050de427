// Minigrid's Memory task (minigrid/envs/memory.py): remember the object seen in the start room and
// walk to the matching one at the end of the hallway.

import { requireIntegerAtLeast } from "../../src/core";
import { Actions } from "./constants";
import { MiniGridEnv } from "./minigrid_env";
import { Ball, Key, Wall } from "./world_object";

/** Keyword arguments of `MemoryEnv`. */
export interface MemoryArgs {
  /** Side of the square grid, odd and ≥ 7 (default 7; the registered ids use 7, 9, 11, 13, 17). */
  size?: number;
  /** Draw the hallway's length at random every episode (Minigrid's `random_length`). */
  randomLength?: boolean;
  /** Truncation step; null or absent for Minigrid's `5 * size * size`. */
  maxSteps?: number | null;
  /** Side of the egocentric view (default 7). */
  agentViewSize?: number;
  /** Tile size of `render()` (default 32). */
  tileSize?: number;
}

/**
 * The agent starts in a hallway facing right, with a green key or ball in the small room behind it.
 * At the far end the hallway splits: one branch leads to a key, the other to a ball. Stepping next to
 * the object that matches the start room's ends the episode with reward `1 - 0.9 * steps / maxSteps`;
 * stepping next to the other ends it with 0. Once the start object is out of view, only memory tells
 * which way to turn: a memoryless policy succeeds half the time. Pick up acts as toggle (as Minigrid).
 */
export class MemoryEnv extends MiniGridEnv {
  /** Cell whose entry counts as success (set at reset). */
  readonly successPos: [number, number] = [-1, -1];
  /** Cell whose entry counts as failure (set at reset). */
  readonly failurePos: [number, number] = [-1, -1];
  /** Whether the hallway length is random. */
  readonly randomLength: boolean;

  constructor(args: MemoryArgs = {}) {
    const size = requireIntegerAtLeast("MemoryEnv", "size", args.size ?? 7, 7);
    if (size % 2 !== 1) throw new Error(`MemoryEnv: size must be odd (the hallway is centred), got ${size}`);
    super({
      width: size,
      height: size,
      maxSteps: args.maxSteps ?? 5 * size * size,
      seeThroughWalls: false,
      mission: "go to the matching object at the end of the hallway",
      agentViewSize: args.agentViewSize,
      tileSize: args.tileSize,
    });
    this.randomLength = args.randomLength ?? false;
  }

  protected genGrid(width: number, height: number): void {
    const grid = this.grid;
    grid.wallRect(0, 0, width, height);
    const mid = Math.floor(height / 2);
    const upperRoomWall = mid - 2;
    const lowerRoomWall = mid + 2;
    const hallwayEnd = this.randomLength ? this.randInt(4, width - 2) : width - 3;

    // Start room
    for (let i = 1; i < 5; i++) {
      grid.set(i, upperRoomWall, new Wall());
      grid.set(i, lowerRoomWall, new Wall());
    }
    grid.set(4, upperRoomWall + 1, new Wall());
    grid.set(4, lowerRoomWall - 1, new Wall());
    // Horizontal hallway
    for (let i = 5; i < hallwayEnd; i++) {
      grid.set(i, upperRoomWall + 1, new Wall());
      grid.set(i, lowerRoomWall - 1, new Wall());
    }
    // Vertical hallway
    for (let j = 0; j < height; j++) {
      if (j !== mid) grid.set(hallwayEnd, j, new Wall());
      grid.set(hallwayEnd + 2, j, new Wall());
    }

    this.agentPos[0] = this.randInt(1, hallwayEnd + 1);
    this.agentPos[1] = mid;
    this.agentDir = 0;

    const startIsKey = this.randElem([true, false]);
    grid.set(1, mid - 1, startIsKey ? new Key("green") : new Ball("green"));
    const topIsBall = this.randElem([true, false]);
    const top: [number, number] = [hallwayEnd + 1, mid - 2];
    const bottom: [number, number] = [hallwayEnd + 1, mid + 2];
    grid.set(top[0], top[1], topIsBall ? new Ball("green") : new Key("green"));
    grid.set(bottom[0], bottom[1], topIsBall ? new Key("green") : new Ball("green"));

    // The target is the cell in front of the matching object, inside the vertical hallway.
    const topMatches = startIsKey !== topIsBall;
    const above: [number, number] = [top[0], top[1] + 1];
    const below: [number, number] = [bottom[0], bottom[1] - 1];
    const [success, failure] = topMatches ? [above, below] : [below, above];
    this.successPos[0] = success[0];
    this.successPos[1] = success[1];
    this.failurePos[0] = failure[0];
    this.failurePos[1] = failure[1];
  }

  /** The success and failure cells of the episode. */
  protected override extraState(): unknown {
    return { successPos: [...this.successPos], failurePos: [...this.failurePos] };
  }

  protected override restoreExtraState(state: unknown): void {
    const s = state as { successPos?: unknown; failurePos?: unknown } | null;
    const cell = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every(Number.isInteger);
    if (s === null || typeof s !== "object" || !cell(s.successPos) || !cell(s.failurePos)) {
      throw new Error(
        `${this.name}: setState() got extra ${JSON.stringify(state)}; expected { successPos: [x, y], failurePos: [x, y] }`,
      );
    }
    const [sx, sy] = s.successPos as number[];
    const [fx, fy] = s.failurePos as number[];
    this.successPos[0] = sx;
    this.successPos[1] = sy;
    this.failurePos[0] = fx;
    this.failurePos[1] = fy;
  }

  protected override act(action: number): number {
    let reward = super.act(action === Actions.pickup ? Actions.toggle : action);
    const [x, y] = this.agentPos;
    if (x === this.successPos[0] && y === this.successPos[1]) {
      reward = this.successReward();
      this.terminatedByAct = true;
    }
    if (x === this.failurePos[0] && y === this.failurePos[1]) {
      reward = 0;
      this.terminatedByAct = true;
    }
    return reward;
  }
}
