// The gridworld engine: Farama Minigrid's MiniGridEnv (minigrid/minigrid_env.py) re-implemented with
// the same dynamics, rewards, flags and egocentric observation, computed into preallocated buffers.
import {
  Box as BoxSpace,
  beforeResetError,
  checkOptionKeys,
  checkResetArgs,
  checkStateObject,
  Dict,
  Discrete,
  describeValue,
  Env,
  type Frame,
  type Info,
  invalidActionMessage,
  type ResetArgs,
  type ResetResult,
  type RngState,
  requireIntegerAtLeast,
  type StepResult,
  Text,
} from "../../src/core";
import { Actions, DIR_TO_VEC, OBJECT_TO_IDX } from "./constants";
import { Grid } from "./grid";
import { renderGridRgb } from "./render_rgb";
import { type WorldObj, worldObjFromState, worldObjToState } from "./world_object";

/** What a Minigrid env observes: the egocentric view, the compass direction and the mission text. */
export interface MiniGridObservation {
  /**
   * The `agentViewSize × agentViewSize × 3` view, row-major [y][x][c] = (object, colour, state):
   * Minigrid's `obs["image"]` transposed, so the agent sits at the bottom centre facing up. Cells the
   * agent cannot see are (0, 0, 0); the agent's own cell shows what it carries, else (1, 0, 0).
   */
  image: Uint8Array;
  /** The agent's direction: 0 = +x (right), 1 = +y (down), 2 = -x (left), 3 = -y (up). */
  direction: number;
  /** The task in words, e.g. "get to the green goal square". */
  mission: string;
}

/** The observation space of a Minigrid env: `Dict({ image, direction, mission })`. */
export type MiniGridObservationSpace = Dict<{ image: BoxSpace<"uint8">; direction: Discrete; mission: Text }>;

/** Settings shared by every Minigrid env. */
export interface MiniGridOptions {
  /** Grid columns (≥ 3). */
  width: number;
  /** Grid rows (≥ 3). */
  height: number;
  /** Steps after which an episode is truncated (`truncated = stepCount >= maxSteps`). */
  maxSteps: number;
  /** The mission text. */
  mission: string;
  /** See through walls and closed doors (no occlusion); Minigrid's default is false. */
  seeThroughWalls?: boolean;
  /** Side of the square egocentric view, odd and ≥ 3 (default 7). */
  agentViewSize?: number;
  /** Tile size in pixels of `render()` (default 32, Minigrid's TILE_PIXELS). */
  tileSize?: number;
}

/** Longest mission text an observation may hold. */
export const MAX_MISSION_LENGTH = 256;

const DX = DIR_TO_VEC.map((v) => v[0]);
const DY = DIR_TO_VEC.map((v) => v[1]);
const AGENT_DIR_TO_STR = [">", "V", "<", "^"];
const OBJECT_TO_STR: Record<string, string> = {
  wall: "W",
  floor: "F",
  door: "D",
  key: "K",
  ball: "A",
  box: "B",
  goal: "G",
  lava: "V",
};
const EMPTY_INFO = Object.freeze({}) as Info;

/**
 * Base class of the gridworlds (Minigrid's `MiniGridEnv`). A subclass implements `genGrid` to lay out
 * `this.grid` and place the agent, drawing all randomness from `this.rng` (`randInt`, `placeObj`,
 * `placeAgent`, …); the base class runs the episode.
 *
 * Actions (`Discrete(7)`): 0 turn left, 1 turn right, 2 forward, 3 pick up, 4 drop, 5 toggle, 6 done
 * (no-op). Forward moves onto empty cells, open doors, floor, goal and lava; reaching the goal
 * terminates with reward `1 - 0.9 * stepCount / maxSteps`, lava terminates with 0. Every step counts,
 * and `truncated` is `stepCount >= maxSteps` (checked after a terminating step too, as Minigrid does).
 *
 * Public state read by renderers: `width`, `height`, `agentPos`, `agentDir`, `carrying`, `grid`.
 */
export abstract class MiniGridEnv extends Env<MiniGridObservation, number> {
  readonly observationSpace: MiniGridObservationSpace;
  readonly actionSpace = new Discrete(7);
  /** The actions' names by index (Minigrid's `Actions`), for captions such as `pomdp record`'s. */
  readonly actionNames: readonly string[] = Object.keys(Actions);
  /** Grid columns. */
  readonly width: number;
  /** Grid rows. */
  readonly height: number;
  /** Steps after which an episode is truncated. */
  readonly maxSteps: number;
  /** Whether occlusion is skipped (the agent sees through walls and closed doors). */
  readonly seeThroughWalls: boolean;
  /** Side of the egocentric view. */
  readonly agentViewSize: number;
  /** Tile size in pixels of `render()`. */
  readonly tileSize: number;
  /** The world; rebuilt by `genGrid` at every reset. */
  readonly grid: Grid;
  /** Agent position [x, y] (updated in place); (-1, -1) before the first reset. */
  readonly agentPos: [number, number] = [-1, -1];
  /** Agent direction: 0 = +x, 1 = +y, 2 = -x, 3 = -y; -1 before the first reset. */
  agentDir = -1;
  /** The object the agent carries, or null. */
  carrying: WorldObj | null = null;
  /** Steps taken in the current episode. */
  stepCount = 0;
  /** The mission text of the current episode. */
  mission: string;
  /** Set by `act` when the step ends the episode. */
  protected terminatedByAct = false;
  private hasReset = false;
  // Scratch buffers of the view: encoded cells, opacity and visibility, in view coordinates.
  private readonly viewCodes: Uint8Array;
  private readonly viewOpaque: Uint8Array;
  private readonly viewMask: Uint8Array;

  constructor(options: MiniGridOptions) {
    super();
    const name = new.target.name;
    this.width = requireIntegerAtLeast(name, "width", options.width, 3);
    this.height = requireIntegerAtLeast(name, "height", options.height, 3);
    this.maxSteps = requireIntegerAtLeast(name, "maxSteps", options.maxSteps, 1);
    const view = options.agentViewSize ?? 7;
    if (typeof view !== "number" || !Number.isInteger(view) || view < 3 || view % 2 !== 1) {
      throw new Error(`${name}: agentViewSize must be an odd integer ≥ 3, got ${describeValue(view)}`);
    }
    this.agentViewSize = view;
    this.tileSize = requireIntegerAtLeast(name, "tileSize", options.tileSize ?? 32, 1);
    this.seeThroughWalls = options.seeThroughWalls ?? false;
    this.mission = options.mission;
    this.grid = new Grid(this.width, this.height);
    this.viewCodes = new Uint8Array(view * view * 3);
    this.viewOpaque = new Uint8Array(view * view);
    this.viewMask = new Uint8Array(view * view);
    this.observationSpace = new Dict({
      image: new BoxSpace(0, 255, [view, view, 3], "uint8"),
      direction: new Discrete(4),
      mission: new Text(MAX_MISSION_LENGTH),
    });
  }

  /** Lays out `this.grid` (already cleared) and places the agent (`agentPos`, `agentDir`). */
  protected abstract genGrid(width: number, height: number): void;

  /** Starts an episode: reseeds `rng` if a seed is given, then generates a new layout. No options. */
  reset(args?: ResetArgs): ResetResult<MiniGridObservation> {
    checkResetArgs(this.name, args);
    checkOptionKeys(this.name, args?.options ?? {}, []);
    this.seedRng(args?.seed);
    this.agentPos[0] = -1;
    this.agentPos[1] = -1;
    this.agentDir = -1;
    this.carrying = null;
    this.grid.clear();
    this.genGrid(this.width, this.height);
    const [x, y] = this.agentPos;
    if (!this.grid.inBounds(x, y) || !(this.agentDir >= 0 && this.agentDir < 4)) {
      throw new Error(
        `${this.name}: genGrid() did not place the agent (at ${x}, ${y}, direction ${this.agentDir})`,
      );
    }
    const start = this.grid.get(x, y);
    if (start !== null && !start.canOverlap()) {
      throw new Error(`${this.name}: genGrid() placed the agent on a ${start.type} at (${x}, ${y})`);
    }
    this.carrying = null;
    this.stepCount = 0;
    this.hasReset = true;
    return { observation: this.genObs(), info: {} };
  }

  /**
   * The world (every cell's object), the agent (position, direction, what it carries), the step count,
   * the mission and the generator, plus a subclass's `extraState()`: the state protocol of `Env`.
   */
  override getState(): unknown {
    return {
      cells: this.grid.cells.map(worldObjToState),
      agentPos: [this.agentPos[0], this.agentPos[1]],
      agentDir: this.agentDir,
      carrying: worldObjToState(this.carrying),
      stepCount: this.stepCount,
      mission: this.mission,
      hasReset: this.hasReset,
      rng: this.rngState(),
      extra: this.extraState(),
    };
  }

  override setState(state: unknown): void {
    const s = checkStateObject(this.name, state, [
      "cells",
      "agentPos",
      "agentDir",
      "carrying",
      "stepCount",
      "mission",
      "hasReset",
      "rng",
      "extra",
    ]);
    const { cells, agentPos, agentDir, stepCount, mission } = s;
    const n = this.width * this.height;
    if (
      !Array.isArray(cells) ||
      cells.length !== n ||
      !Array.isArray(agentPos) ||
      agentPos.length !== 2 ||
      !agentPos.every((v) => Number.isInteger(v)) ||
      !(Number.isInteger(agentDir) && (agentDir as number) >= -1 && (agentDir as number) < 4) ||
      !(Number.isInteger(stepCount) && (stepCount as number) >= 0) ||
      typeof mission !== "string"
    ) {
      throw new Error(
        `${this.name}: setState() expected ${n} cells, agentPos [x, y], agentDir in -1…3, stepCount ≥ 0 and a mission string`,
      );
    }
    const objects = cells.map((c, i) => worldObjFromState(c, `${this.name}: setState() cell ${i}`));
    const carrying = worldObjFromState(s.carrying, `${this.name}: setState() carrying`);
    this.restoreExtraState(s.extra);
    this.restoreRngState(s.rng as RngState | null);
    this.grid.clear();
    for (let i = 0; i < n; i++) {
      if (objects[i] !== null) this.grid.set(i % this.width, Math.floor(i / this.width), objects[i]);
    }
    this.agentPos[0] = agentPos[0];
    this.agentPos[1] = agentPos[1];
    this.agentDir = agentDir as number;
    this.carrying = carrying;
    this.stepCount = stepCount as number;
    this.mission = mission;
    this.hasReset = s.hasReset === true;
  }

  /** State a subclass keeps beyond the base class's (null when none). */
  protected extraState(): unknown {
    return null;
  }

  /** Restores {@link MiniGridEnv.extraState}. */
  protected restoreExtraState(_state: unknown): void {}

  /** Applies one action (see the class comment). */
  step(action: number): StepResult<MiniGridObservation> {
    // Integers 0…6 only: rejects NaN, fractions, strings and out-of-range values in one test.
    if (!(action === (action | 0) && action >= 0 && action <= 6)) {
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    }
    if (!this.hasReset) throw beforeResetError(this.name, "step()");
    this.stepCount++;
    this.terminatedByAct = false;
    const reward = this.act(action);
    return {
      observation: this.genObs(),
      reward,
      terminated: this.terminatedByAct,
      truncated: this.stepCount >= this.maxSteps,
      info: EMPTY_INFO,
    };
  }

  /**
   * The dynamics of one action (after `stepCount` was incremented): moves the agent, changes the world,
   * returns the reward and sets `terminatedByAct`. Subclasses override it for task-specific rules.
   */
  protected act(action: number): number {
    const dir = this.agentDir;
    const fx = this.agentPos[0] + DX[dir];
    const fy = this.agentPos[1] + DY[dir];
    const grid = this.grid;
    const inside = grid.inBounds(fx, fy);
    // Outside the grid behaves like a wall (Minigrid's layouts always close the border).
    const front = inside ? grid.cells[fy * this.width + fx] : null;
    let reward = 0;
    switch (action) {
      case Actions.left:
        this.agentDir = (dir + 3) & 3;
        break;
      case Actions.right:
        this.agentDir = (dir + 1) & 3;
        break;
      case Actions.forward:
        if (!inside) break;
        if (front === null || front.canOverlap()) {
          this.agentPos[0] = fx;
          this.agentPos[1] = fy;
        }
        if (front !== null && front.type === "goal") {
          this.terminatedByAct = true;
          reward = this.successReward();
        }
        if (front !== null && front.type === "lava") this.terminatedByAct = true;
        break;
      case Actions.pickup:
        if (front?.canPickup() && this.carrying === null) {
          this.carrying = front;
          grid.set(fx, fy, null);
        }
        break;
      case Actions.drop:
        if (inside && front === null && this.carrying !== null) {
          grid.set(fx, fy, this.carrying);
          this.carrying = null;
        }
        break;
      case Actions.toggle:
        if (front !== null) {
          front.toggle(this, fx, fy);
          // The toggle may have changed the object's state (a door) or replaced it (a box).
          grid.refresh(fx, fy);
        }
        break;
      default: // done: nothing happens
        break;
    }
    return reward;
  }

  /** The reward for success: `1 - 0.9 * stepCount / maxSteps` (Minigrid's `_reward`). */
  protected successReward(): number {
    return 1 - 0.9 * (this.stepCount / this.maxSteps);
  }

  /** A fresh observation of the current state. */
  protected genObs(): MiniGridObservation {
    const v = this.agentViewSize;
    const image = new Uint8Array(v * v * 3);
    this.encodeView(image);
    return { image, direction: this.agentDir, mission: this.mission };
  }

  /**
   * The egocentric view, encoded as in `MiniGridObservation.image`, written into `out` (allocated when
   * absent) and returned. Occlusion follows Minigrid's `Grid.process_vis` unless `seeThroughWalls`.
   */
  encodeView(out?: Uint8Array): Uint8Array {
    const v = this.agentViewSize;
    const size = v * v;
    if (out === undefined) out = new Uint8Array(size * 3);
    else if (out.length !== size * 3)
      throw new Error(`${this.name}: encodeView() needs a buffer of ${size * 3} bytes, got ${out.length}`);
    this.computeView();
    const codes = this.viewCodes;
    const mask = this.viewMask;
    for (let k = 0, s = 0; k < size; k++, s += 3) {
      if (mask[k] === 1) {
        out[s] = codes[s];
        out[s + 1] = codes[s + 1];
        out[s + 2] = codes[s + 2];
      } else {
        out[s] = 0;
        out[s + 1] = 0;
        out[s + 2] = 0;
      }
    }
    // The agent's own cell shows what it carries (Minigrid puts the carried object there).
    const agent = 3 * ((v - 1) * v + (v >> 1));
    const held = this.carrying;
    if (held === null) {
      out[agent] = OBJECT_TO_IDX.empty;
      out[agent + 1] = 0;
      out[agent + 2] = 0;
    } else {
      out[agent] = held.typeIndex;
      out[agent + 1] = held.colorIndex;
      out[agent + 2] = held.state;
    }
    return out;
  }

  /** The whole grid as `height × width × 3` bytes, [y][x][c] = (object, colour, state), without the agent. */
  encodeFullGrid(out?: Uint8Array): Uint8Array {
    const n = this.width * this.height * 3;
    if (out === undefined) out = new Uint8Array(n);
    else if (out.length !== n)
      throw new Error(`${this.name}: encodeFullGrid() needs a buffer of ${n} bytes, got ${out.length}`);
    out.set(this.grid.codes);
    return out;
  }

  /** `height × width` bytes, 1 where the agent currently sees the cell (its view cone after occlusion). */
  visibleMask(): Uint8Array {
    const out = new Uint8Array(this.width * this.height);
    if (!this.hasReset) return out;
    this.computeView();
    const v = this.agentViewSize;
    const dir = this.agentDir;
    const rx = -DY[dir];
    const ry = DX[dir];
    for (let vy = 0; vy < v; vy++) {
      const ahead = v - 1 - vy;
      for (let vx = 0; vx < v; vx++) {
        if (this.viewMask[vy * v + vx] === 0) continue;
        const side = vx - (v >> 1);
        const x = this.agentPos[0] + DX[dir] * ahead + rx * side;
        const y = this.agentPos[1] + DY[dir] * ahead + ry * side;
        if (this.grid.inBounds(x, y)) out[y * this.width + x] = 1;
      }
    }
    return out;
  }

  /** An RGB picture of the whole grid with the agent and its highlighted view cone. */
  override render(): Frame {
    if (!this.hasReset) throw beforeResetError(this.name, "render()");
    return renderGridRgb(
      {
        width: this.width,
        height: this.height,
        cells: this.encodeFullGrid(),
        agentX: this.agentPos[0],
        agentY: this.agentPos[1],
        agentDir: this.agentDir,
        highlight: this.visibleMask(),
      },
      this.tileSize,
    );
  }

  /**
   * A compact ASCII picture, two characters per cell as Minigrid's `__str__`: object letter (W wall,
   * F floor, D door, K key, A ball, B box, G goal, V lava) and colour initial; "__" an open door, "L" a
   * locked one; the agent as >>, VV, <<, ^^ by direction; empty cells as spaces.
   */
  renderText(): string {
    const rows: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let row = "";
      for (let x = 0; x < this.width; x++) {
        if (x === this.agentPos[0] && y === this.agentPos[1]) {
          row += AGENT_DIR_TO_STR[this.agentDir].repeat(2);
          continue;
        }
        const cell = this.grid.get(x, y);
        if (cell === null) row += "  ";
        else if (cell.type === "door") {
          const door = cell as WorldObj & { isOpen: boolean; isLocked: boolean };
          const initial = cell.color[0].toUpperCase();
          row += door.isOpen ? "__" : door.isLocked ? `L${initial}` : `D${initial}`;
        } else row += OBJECT_TO_STR[cell.type] + cell.color[0].toUpperCase();
      }
      rows.push(row);
    }
    return rows.join("\n");
  }

  // ----- layout helpers (Minigrid's _rand_* and place_* methods), all drawing from this.rng -----

  /** Uniform integer in [low, high). */
  protected randInt(low: number, high: number): number {
    return this.rng.intRange(low, high);
  }

  /** Uniform element of a non-empty list. */
  protected randElem<T>(items: readonly T[]): T {
    return items[this.randInt(0, items.length)];
  }

  /** Puts `obj` at (x, y). */
  protected putObj(obj: WorldObj, x: number, y: number): void {
    this.grid.set(x, y, obj);
  }

  /**
   * Places `obj` (or nothing, to pick a cell) at a random empty cell of the rectangle at `top` of
   * `size` (the whole grid by default), not on the agent, by rejection sampling; returns the cell.
   */
  protected placeObj(
    obj: WorldObj | null,
    top: readonly [number, number] = [0, 0],
    size: readonly [number, number] = [this.width, this.height],
    reject?: (x: number, y: number) => boolean,
    maxTries = Number.POSITIVE_INFINITY,
  ): [number, number] {
    const x0 = Math.max(top[0], 0);
    const y0 = Math.max(top[1], 0);
    for (let tries = 1; ; tries++) {
      if (tries > maxTries)
        throw new Error(`${this.name}: placeObj() found no free cell in ${maxTries} tries`);
      const x = this.randInt(x0, Math.min(x0 + size[0], this.width));
      const y = this.randInt(y0, Math.min(y0 + size[1], this.height));
      if (this.grid.get(x, y) !== null) continue;
      if (x === this.agentPos[0] && y === this.agentPos[1]) continue;
      if (reject?.(x, y)) continue;
      if (obj !== null) this.grid.set(x, y, obj);
      return [x, y];
    }
  }

  /** Places the agent at a random empty cell of the rectangle, facing a random direction if `randDir`. */
  protected placeAgent(
    top?: readonly [number, number],
    size?: readonly [number, number],
    randDir = true,
  ): [number, number] {
    this.agentPos[0] = -1;
    this.agentPos[1] = -1;
    const pos = this.placeObj(null, top, size);
    this.agentPos[0] = pos[0];
    this.agentPos[1] = pos[1];
    if (randDir) this.agentDir = this.randInt(0, 4);
    return pos;
  }

  // ----- the view -----

  /** Fills `viewCodes`, `viewOpaque` and `viewMask` for the current agent pose. */
  private computeView(): void {
    const v = this.agentViewSize;
    const half = v >> 1;
    const dir = this.agentDir;
    const fx = DX[dir];
    const fy = DY[dir];
    // The agent's right: the forward vector turned a quarter clockwise (y points down).
    const rx = -fy;
    const ry = fx;
    const ax = this.agentPos[0];
    const ay = this.agentPos[1];
    const w = this.width;
    const h = this.height;
    const codes = this.grid.codes;
    const opaque = this.grid.opaque;
    const viewCodes = this.viewCodes;
    const viewOpaque = this.viewOpaque;
    // View cell (vx, vy) is `v - 1 - vy` cells ahead of the agent and `vx - half` to its right.
    let k = 0;
    for (let vy = 0; vy < v; vy++) {
      const ahead = v - 1 - vy;
      const rowX = ax + fx * ahead - rx * half;
      const rowY = ay + fy * ahead - ry * half;
      for (let vx = 0; vx < v; vx++, k++) {
        const x = rowX + rx * vx;
        const y = rowY + ry * vx;
        const s = 3 * k;
        if (x >= 0 && x < w && y >= 0 && y < h) {
          const c = y * w + x;
          viewCodes[s] = codes[3 * c];
          viewCodes[s + 1] = codes[3 * c + 1];
          viewCodes[s + 2] = codes[3 * c + 2];
          viewOpaque[k] = opaque[c];
        } else {
          // Minigrid's slice fills cells outside the grid with walls.
          viewCodes[s] = OBJECT_TO_IDX.wall;
          viewCodes[s + 1] = 5;
          viewCodes[s + 2] = 0;
          viewOpaque[k] = 1;
        }
      }
    }
    const mask = this.viewMask;
    if (this.seeThroughWalls) {
      mask.fill(1);
      return;
    }
    // Minigrid's process_vis: from the agent's row upwards, light spreads sideways and one row up
    // from every visible cell that does not block sight, first left to right, then right to left.
    mask.fill(0);
    mask[(v - 1) * v + half] = 1;
    for (let j = v - 1; j >= 0; j--) {
      const row = j * v;
      const up = row - v;
      for (let i = 0; i < v - 1; i++) {
        if (mask[row + i] === 0 || viewOpaque[row + i] === 1) continue;
        mask[row + i + 1] = 1;
        if (j > 0) {
          mask[up + i + 1] = 1;
          mask[up + i] = 1;
        }
      }
      for (let i = v - 1; i > 0; i--) {
        if (mask[row + i] === 0 || viewOpaque[row + i] === 1) continue;
        mask[row + i - 1] = 1;
        if (j > 0) {
          mask[up + i - 1] = 1;
          mask[up + i] = 1;
        }
      }
    }
  }
}
