// Test helpers: a hand-laid room, and a literal port of Minigrid's gen_obs_grid (slice, rotate_left,
// process_vis, encode) to check the engine's fast view against.
import { DIR_TO_VEC, MiniGridEnv, type MiniGridOptions, Wall, type WorldObj } from "../../../envs/gridworld";

/** A walled room laid out by `layout`, which must place the agent. */
export class Room extends MiniGridEnv {
  constructor(
    private readonly layout: (room: Room) => void,
    options: Partial<MiniGridOptions> = {},
  ) {
    super({ width: 7, height: 7, maxSteps: 100, mission: "test room", ...options });
  }
  protected genGrid(width: number, height: number): void {
    this.grid.wallRect(0, 0, width, height);
    this.layout(this);
  }
  /** Places the agent at (x, y) facing `dir`. */
  placeAt(x: number, y: number, dir: number): void {
    this.agentPos[0] = x;
    this.agentPos[1] = y;
    this.agentDir = dir;
  }
}

/** The (object, colour, state) of view cell (vx, vy) of a `size × size × 3` row-major image. */
export function viewCell(image: Uint8Array, size: number, vx: number, vy: number): number[] {
  const s = 3 * (vy * size + vx);
  return [image[s], image[s + 1], image[s + 2]];
}

interface ObjGrid {
  w: number;
  h: number;
  cells: (WorldObj | null)[];
}

/**
 * Minigrid's observation computed the way Minigrid does it, object by object: returns the image
 * transposed to [y][x][c] and the world-coordinates highlight mask of get_full_render.
 */
export function literalMinigridView(env: MiniGridEnv): { image: Uint8Array; highlight: Uint8Array } {
  const v = env.agentViewSize;
  const [ax, ay] = env.agentPos;
  const dir = env.agentDir;
  let topX: number;
  let topY: number;
  if (dir === 0) [topX, topY] = [ax, ay - Math.floor(v / 2)];
  else if (dir === 1) [topX, topY] = [ax - Math.floor(v / 2), ay];
  else if (dir === 2) [topX, topY] = [ax - v + 1, ay - Math.floor(v / 2)];
  else [topX, topY] = [ax - Math.floor(v / 2), ay - v + 1];
  let g: ObjGrid = { w: v, h: v, cells: new Array(v * v).fill(null) };
  for (let j = 0; j < v; j++)
    for (let i = 0; i < v; i++) {
      const x = topX + i;
      const y = topY + j;
      g.cells[j * v + i] = env.grid.inBounds(x, y) ? env.grid.get(x, y) : new Wall();
    }
  for (let r = 0; r < dir + 1; r++) {
    const ng: ObjGrid = { w: g.h, h: g.w, cells: new Array(v * v).fill(null) };
    for (let i = 0; i < g.w; i++)
      for (let j = 0; j < g.h; j++) ng.cells[(ng.h - 1 - i) * ng.w + j] = g.cells[j * g.w + i];
    g = ng;
  }
  const mask = new Uint8Array(v * v);
  const at = (i: number, j: number) => j * v + i;
  if (env.seeThroughWalls) mask.fill(1);
  else {
    mask[at(Math.floor(v / 2), v - 1)] = 1;
    for (let j = v - 1; j >= 0; j--) {
      for (let i = 0; i < v - 1; i++) {
        if (!mask[at(i, j)]) continue;
        const cell = g.cells[at(i, j)];
        if (cell && !cell.seeBehind()) continue;
        mask[at(i + 1, j)] = 1;
        if (j > 0) {
          mask[at(i + 1, j - 1)] = 1;
          mask[at(i, j - 1)] = 1;
        }
      }
      for (let i = v - 1; i > 0; i--) {
        if (!mask[at(i, j)]) continue;
        const cell = g.cells[at(i, j)];
        if (cell && !cell.seeBehind()) continue;
        mask[at(i - 1, j)] = 1;
        if (j > 0) {
          mask[at(i - 1, j - 1)] = 1;
          mask[at(i, j - 1)] = 1;
        }
      }
    }
  }
  g.cells[at(Math.floor(v / 2), v - 1)] = env.carrying;
  const image = new Uint8Array(v * v * 3);
  for (let j = 0; j < v; j++)
    for (let i = 0; i < v; i++) {
      if (!mask[at(i, j)]) continue;
      const cell = g.cells[at(i, j)];
      const code = cell === null ? [1, 0, 0] : cell.encode();
      image.set(code, 3 * (j * v + i));
    }
  // get_full_render's highlight: top_left - f * vis_j + r * vis_i
  const [fx, fy] = DIR_TO_VEC[dir];
  const [rx, ry] = [-fy, fx];
  const left = [ax + fx * (v - 1) - rx * Math.floor(v / 2), ay + fy * (v - 1) - ry * Math.floor(v / 2)];
  const highlight = new Uint8Array(env.width * env.height);
  for (let j = 0; j < v; j++)
    for (let i = 0; i < v; i++) {
      if (!mask[at(i, j)]) continue;
      const x = left[0] - fx * j + rx * i;
      const y = left[1] - fy * j + ry * i;
      if (env.grid.inBounds(x, y)) highlight[y * env.width + x] = 1;
    }
  return { image, highlight };
}
