// Minigrid's FourRooms (minigrid/envs/fourrooms.py): four rooms joined by one gap in each inner wall.
import { describeValue } from "../../src/core";
import { MiniGridEnv } from "./minigrid_env";
import { Goal } from "./world_object";

/** Keyword arguments of `FourRoomsEnv`. */
export interface FourRoomsArgs {
  /** Fixed start cell [x, y] (direction still random); null for a random one (default). */
  agentPos?: readonly [number, number] | null;
  /** Fixed goal cell [x, y]; null for a random one (default). */
  goalPos?: readonly [number, number] | null;
  /** Truncation step; null or absent for Minigrid's 100. */
  maxSteps?: number | null;
  /** Side of the egocentric view (default 7). */
  agentViewSize?: number;
  /** Tile size of `render()` (default 32). */
  tileSize?: number;
}

const SIZE = 19;

/**
 * Sutton, Precup & Singh's four rooms on a 19 × 19 grid: the gaps between rooms, the agent (cell and
 * direction) and the goal are placed at random every episode. Reward `1 - 0.9 * steps / 100` at the
 * goal. Walls occlude the view.
 */
export class FourRoomsEnv extends MiniGridEnv {
  private readonly fixedAgentPos: readonly [number, number] | null;
  private readonly fixedGoalPos: readonly [number, number] | null;

  constructor(args: FourRoomsArgs = {}) {
    super({
      width: SIZE,
      height: SIZE,
      maxSteps: args.maxSteps ?? 100,
      mission: "reach the goal",
      agentViewSize: args.agentViewSize,
      tileSize: args.tileSize,
    });
    this.fixedAgentPos = cellOrNull("agentPos", args.agentPos);
    this.fixedGoalPos = cellOrNull("goalPos", args.goalPos);
  }

  protected genGrid(width: number, height: number): void {
    const grid = this.grid;
    grid.wallRect(0, 0, width, height);
    const roomW = Math.floor(width / 2);
    const roomH = Math.floor(height / 2);
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 2; i++) {
        const xL = i * roomW;
        const yT = j * roomH;
        const xR = xL + roomW;
        const yB = yT + roomH;
        if (i + 1 < 2) {
          grid.vertWall(xR, yT, roomH);
          grid.set(xR, this.randInt(yT + 1, yB), null);
        }
        if (j + 1 < 2) {
          grid.horzWall(xL, yB, roomW);
          grid.set(this.randInt(xL + 1, xR), yB, null);
        }
      }
    }
    if (this.fixedAgentPos !== null) {
      this.agentPos[0] = this.fixedAgentPos[0];
      this.agentPos[1] = this.fixedAgentPos[1];
      grid.set(this.agentPos[0], this.agentPos[1], null);
      this.agentDir = this.randInt(0, 4);
    } else {
      this.placeAgent();
    }
    if (this.fixedGoalPos !== null) this.putObj(new Goal(), this.fixedGoalPos[0], this.fixedGoalPos[1]);
    else this.placeObj(new Goal());
  }
}

function cellOrNull(name: string, cell: unknown): readonly [number, number] | null {
  if (cell === undefined || cell === null) return null;
  const ok =
    Array.isArray(cell) &&
    cell.length === 2 &&
    cell.every((c) => Number.isInteger(c) && c >= 1 && c <= SIZE - 2);
  if (!ok)
    throw new Error(
      `FourRoomsEnv: ${name} must be null or [x, y] inside the walls (1 … ${SIZE - 2}), got ${describeValue(cell)}`,
    );
  return [cell[0], cell[1]];
}
