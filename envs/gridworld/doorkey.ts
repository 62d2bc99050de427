// Minigrid's DoorKey (minigrid/envs/doorkey.py): fetch the key, unlock the door, reach the goal.
import { requireIntegerAtLeast } from "../../src/core";
import { MiniGridEnv } from "./minigrid_env";
import { Door, Goal, Key } from "./world_object";

/** Keyword arguments of `DoorKeyEnv`. */
export interface DoorKeyArgs {
  /** Side of the square grid, walls included (default 8; at least 5). */
  size?: number;
  /** Truncation step; null or absent for Minigrid's `10 * size * size`. */
  maxSteps?: number | null;
  /** Side of the egocentric view (default 7). */
  agentViewSize?: number;
  /** Tile size of `render()` (default 32). */
  tileSize?: number;
}

/**
 * A room split by a wall with a locked yellow door; the agent and a yellow key start on the left, the
 * goal is in the bottom-right corner. The agent must pick up the key (action 3), open the door facing
 * it (action 5) and walk to the goal. Reward `1 - 0.9 * steps / maxSteps` at the goal. Walls occlude.
 */
export class DoorKeyEnv extends MiniGridEnv {
  constructor(args: DoorKeyArgs = {}) {
    const size = requireIntegerAtLeast("DoorKeyEnv", "size", args.size ?? 8, 5);
    super({
      width: size,
      height: size,
      maxSteps: args.maxSteps ?? 10 * size * size,
      mission: "use the key to open the door and then get to the goal",
      agentViewSize: args.agentViewSize,
      tileSize: args.tileSize,
    });
  }

  protected genGrid(width: number, height: number): void {
    this.grid.wallRect(0, 0, width, height);
    this.putObj(new Goal(), width - 2, height - 2);
    const splitIdx = this.randInt(2, width - 2);
    this.grid.vertWall(splitIdx, 0);
    this.placeAgent([0, 0], [splitIdx, height]);
    const doorIdx = this.randInt(1, width - 2);
    this.putObj(new Door("yellow", false, true), splitIdx, doorIdx);
    this.placeObj(new Key("yellow"), [0, 0], [splitIdx, height]);
  }
}
