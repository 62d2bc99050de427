// A rectangle of cells, each empty or holding one world object (Minigrid's minigrid/core/grid.py).
// Beside the objects the grid keeps each cell's encoding and opacity in typed arrays, updated on every
// change, so that observations are gathered from flat bytes instead of method calls.
import { OBJECT_TO_IDX } from "./constants";
import { Wall, type WorldObj } from "./world_object";

/** A `width × height` grid of cells; (x, y) with x to the right and y downwards. */
export class Grid {
  /** Row-major cells: `cells[y * width + x]`, null when empty. */
  readonly cells: (WorldObj | null)[];
  /** `height × width × 3` encoding, [y][x][c] = (object, colour, state); empty cells are (1, 0, 0). */
  readonly codes: Uint8Array;
  /** `height × width`: 1 where the cell hides what lies behind it (walls, closed doors). */
  readonly opaque: Uint8Array;

  constructor(
    /** Number of columns. */
    readonly width: number,
    /** Number of rows. */
    readonly height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 3 || height < 3) {
      throw new Error(`Grid: width and height must be integers ≥ 3, got ${width} × ${height}`);
    }
    this.cells = new Array(width * height).fill(null);
    this.codes = new Uint8Array(width * height * 3);
    this.opaque = new Uint8Array(width * height);
    this.clear();
  }

  /** Empties every cell. */
  clear(): void {
    this.cells.fill(null);
    this.opaque.fill(0);
    for (let i = 0; i < this.cells.length; i++) {
      this.codes[3 * i] = OBJECT_TO_IDX.empty;
      this.codes[3 * i + 1] = 0;
      this.codes[3 * i + 2] = 0;
    }
  }

  /** Whether (x, y) lies inside the grid. */
  inBounds(x: number, y: number): boolean {
    return x >= 0 && x < this.width && y >= 0 && y < this.height;
  }

  /** The object at (x, y), or null when the cell is empty. */
  get(x: number, y: number): WorldObj | null {
    this.checkBounds(x, y);
    return this.cells[y * this.width + x];
  }

  /** Puts `obj` (or nothing) at (x, y). */
  set(x: number, y: number, obj: WorldObj | null): void {
    this.checkBounds(x, y);
    this.cells[y * this.width + x] = obj;
    this.refresh(x, y);
  }

  /** Re-encodes cell (x, y) after its object changed state (a door opened). */
  refresh(x: number, y: number): void {
    const i = y * this.width + x;
    const obj = this.cells[i];
    if (obj === null) {
      this.codes[3 * i] = OBJECT_TO_IDX.empty;
      this.codes[3 * i + 1] = 0;
      this.codes[3 * i + 2] = 0;
      this.opaque[i] = 0;
    } else {
      this.codes[3 * i] = obj.typeIndex;
      this.codes[3 * i + 1] = obj.colorIndex;
      this.codes[3 * i + 2] = obj.state;
      this.opaque[i] = obj.seeBehind() ? 0 : 1;
    }
  }

  /** A row of walls from (x, y) rightwards, `length` long (to the right edge by default). */
  horzWall(x: number, y: number, length = this.width - x): void {
    for (let i = 0; i < length; i++) this.set(x + i, y, new Wall());
  }

  /** A column of walls from (x, y) downwards, `length` long (to the bottom edge by default). */
  vertWall(x: number, y: number, length = this.height - y): void {
    for (let j = 0; j < length; j++) this.set(x, y + j, new Wall());
  }

  /** The walls of a `w × h` rectangle whose top-left corner is (x, y). */
  wallRect(x: number, y: number, w: number, h: number): void {
    this.horzWall(x, y, w);
    this.horzWall(x, y + h - 1, w);
    this.vertWall(x, y, h);
    this.vertWall(x + w - 1, y, h);
  }

  private checkBounds(x: number, y: number): void {
    if (
      !(x >= 0 && x < this.width && y >= 0 && y < this.height && Number.isInteger(x) && Number.isInteger(y))
    ) {
      throw new Error(`Grid: cell (${x}, ${y}) is outside the ${this.width} × ${this.height} grid`);
    }
  }
}
