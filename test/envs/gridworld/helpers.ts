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

/**
 * The shortest turn/forward action sequence that brings the agent next to (tx, ty) facing it, walking
 * only on empty cells and open doors (breadth-first search over poses); undefined when unreachable.
 */
export function pathToFace(env: MiniGridEnv, tx: number, ty: number): number[] | undefined {
  const key = (x: number, y: number, d: number) => (y * env.width + x) * 4 + d;
  const start = key(env.agentPos[0], env.agentPos[1], env.agentDir);
  const previous = new Map<number, [number, number]>([[start, [-1, -1]]]);
  const queue = [start];
  const walkable = (x: number, y: number) => {
    const cell = env.grid.get(x, y);
    return cell === null || (cell.type === "door" && cell.canOverlap());
  };
  while (queue.length > 0) {
    const s = queue.shift() as number;
    const d = s % 4;
    const x = Math.floor(s / 4) % env.width;
    const y = Math.floor(s / 4 / env.width);
    const [dx, dy] = DIR_TO_VEC[d];
    if (x + dx === tx && y + dy === ty) {
      const actions: number[] = [];
      for (let at = s; at !== start; at = (previous.get(at) as [number, number])[0])
        actions.unshift((previous.get(at) as [number, number])[1]);
      return actions;
    }
    const next: [number, number][] = [
      [key(x, y, (d + 3) % 4), 0],
      [key(x, y, (d + 1) % 4), 1],
    ];
    if (walkable(x + dx, y + dy)) next.push([key(x + dx, y + dy, d), 2]);
    for (const [n, action] of next) {
      if (previous.has(n)) continue;
      previous.set(n, [s, action]);
      queue.push(n);
    }
  }
  return undefined;
}

/** The first cell holding an object of `type`, scanning rows top to bottom. */
export function findObject(env: MiniGridEnv, type: string): [number, number] {
  for (let y = 0; y < env.height; y++)
    for (let x = 0; x < env.width; x++) if (env.grid.get(x, y)?.type === type) return [x, y];
  throw new Error(`no ${type} in the grid`);
}
