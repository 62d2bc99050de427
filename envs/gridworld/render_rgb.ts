// RGB pictures of a gridworld, tile by tile as Farama Minigrid draws them (Grid.render_tile and the
// WorldObj.render methods): each tile is drawn at 3× its size from shape tests on the unit square,
// then averaged down, and cached by what it shows, so a frame is only a copy of cached tiles.
import { type Frame, requirePositiveInteger } from "../../src/core";
import { OBJECT_TO_IDX } from "./constants";

/** What `renderGridRgb` draws: the encoded grid, the agent, and optionally the highlighted cells. */
export interface GridPicture {
  /** Grid width in cells. */
  width: number;
  /** Grid height in cells. */
  height: number;
  /** `height × width × 3` bytes, [y][x][c] = (object index, colour index, state), without the agent. */
  cells: Uint8Array;
  /** Agent column. */
  agentX: number;
  /** Agent row. */
  agentY: number;
  /** Agent direction: 0 = +x (right), 1 = +y (down), 2 = -x (left), 3 = -y (up). */
  agentDir: number;
  /** `height × width` 0/1: cells to brighten (the agent's view cone); none when absent. */
  highlight?: Uint8Array;
}

/** Minigrid's object indices (OBJECT_TO_IDX), by the renderer's name. */
export const OBJECT_INDEX = OBJECT_TO_IDX;

/** Minigrid's colours (COLORS), in the order of their indices (COLOR_TO_IDX). */
export const COLOR_RGB: readonly (readonly [number, number, number])[] = [
  [255, 0, 0], // red
  [0, 255, 0], // green
  [0, 0, 255], // blue
  [112, 39, 195], // purple
  [255, 255, 0], // yellow
  [100, 100, 100], // grey
];

/** Door states of the encoding. */
const DOOR_OPEN = 0;
const DOOR_LOCKED = 2;
/** Minigrid draws each tile at 3× and averages down, which antialiases the shapes. */
const SUBDIVS = 3;
const GRID_LINE: Rgb = [100, 100, 100];
const BLACK: Rgb = [0, 0, 0];
const AGENT_RED: Rgb = [255, 0, 0];
const LAVA_ORANGE: Rgb = [255, 128, 0];
/** Highlighted tiles are blended 30% toward white. */
const HIGHLIGHT_ALPHA = 0.3;
/** In the egocentric view the agent faces up. */
const DIR_UP = 3;

type Rgb = readonly [number, number, number];
/** A shape: whether the point (x, y) of the unit tile (y down) is inside. */
type Shape = (x: number, y: number) => boolean;

function rect(xmin: number, xmax: number, ymin: number, ymax: number): Shape {
  return (x, y) => x >= xmin && x <= xmax && y >= ymin && y <= ymax;
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
}

/** Points within distance `r` of the segment (x0, y0)–(x1, y1). */
function segment(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  const length = Math.hypot(x1 - x0, y1 - y0);
  const dx = (x1 - x0) / length;
  const dy = (y1 - y0) / length;
  const xmin = Math.min(x0, x1) - r;
  const xmax = Math.max(x0, x1) + r;
  const ymin = Math.min(y0, y1) - r;
  const ymax = Math.max(y0, y1) + r;
  return (x, y) => {
    if (x < xmin || x > xmax || y < ymin || y > ymax) return false;
    const a = Math.min(Math.max((x - x0) * dx + (y - y0) * dy, 0), length);
    return Math.hypot(x - (x0 + a * dx), y - (y0 + a * dy)) <= r;
  };
}

/** Barycentric test, as Minigrid's point_in_triangle (u, v ≥ 0 and u + v < 1). */
function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const v0x = cx - ax;
  const v0y = cy - ay;
  const v1x = bx - ax;
  const v1y = by - ay;
  const dot00 = v0x * v0x + v0y * v0y;
  const dot01 = v0x * v1x + v0y * v1y;
  const dot11 = v1x * v1x + v1y * v1y;
  const inv = 1 / (dot00 * dot11 - dot01 * dot01);
  return (x, y) => {
    const v2x = x - ax;
    const v2y = y - ay;
    const dot02 = v0x * v2x + v0y * v2y;
    const dot12 = v1x * v2x + v1y * v2y;
    const u = (dot11 * dot02 - dot01 * dot12) * inv;
    const v = (dot00 * dot12 - dot01 * dot02) * inv;
    return u >= 0 && v >= 0 && u + v < 1;
  };
}

/** `shape` rotated by `theta` radians about (cx, cy), clockwise on screen since y points down. */
function rotated(shape: Shape, cx: number, cy: number, theta: number): Shape {
  const cos = Math.cos(-theta);
  const sin = Math.sin(-theta);
  return (x, y) => {
    const rx = x - cx;
    const ry = y - cy;
    return shape(cx + rx * cos - ry * sin, cy + ry * cos + rx * sin);
  };
}

/** A tile being drawn at `size × size` (the supersampled size). */
class Canvas {
  readonly data: Uint8Array;
  constructor(readonly size: number) {
    this.data = new Uint8Array(size * size * 3);
  }

  /** Paints every pixel whose centre lies in `shape`; colours are truncated to bytes as numpy does. */
  fill(shape: Shape, colour: Rgb): void {
    const { size, data } = this;
    for (let row = 0; row < size; row++) {
      const y = (row + 0.5) / size;
      for (let col = 0; col < size; col++) {
        if (!shape((col + 0.5) / size, y)) continue;
        const i = (row * size + col) * 3;
        data[i] = Math.trunc(colour[0]);
        data[i + 1] = Math.trunc(colour[1]);
        data[i + 2] = Math.trunc(colour[2]);
      }
    }
  }
}

function scaled(colour: Rgb, factor: number): Rgb {
  return [colour[0] * factor, colour[1] * factor, colour[2] * factor];
}

function colourOf(colourIndex: number): Rgb {
  const colour = COLOR_RGB[colourIndex];
  if (colour === undefined)
    throw new Error(
      `renderGridRgb: colour index ${colourIndex} is unknown; expected 0 … ${COLOR_RGB.length - 1}`,
    );
  return colour;
}

/** Draws one object as its WorldObj.render does. */
function drawObject(canvas: Canvas, object: number, colourIndex: number, state: number): void {
  switch (object) {
    case OBJECT_INDEX.unseen:
    case OBJECT_INDEX.empty:
    case OBJECT_INDEX.agent: // the agent is drawn as a triangle, not as a cell's content
      return;
    case OBJECT_INDEX.wall:
      canvas.fill(rect(0, 1, 0, 1), colourOf(colourIndex));
      return;
    case OBJECT_INDEX.goal: // always green: Minigrid decodes a goal without its colour
      canvas.fill(rect(0, 1, 0, 1), COLOR_RGB[1]);
      return;
    case OBJECT_INDEX.floor:
      canvas.fill(rect(0.031, 1, 0.031, 1), scaled(colourOf(colourIndex), 0.5));
      return;
    case OBJECT_INDEX.lava:
      canvas.fill(rect(0, 1, 0, 1), LAVA_ORANGE);
      for (let i = 0; i < 3; i++) {
        // three black zigzag waves
        const ylo = 0.3 + 0.2 * i;
        const yhi = 0.4 + 0.2 * i;
        canvas.fill(segment(0.1, ylo, 0.3, yhi, 0.03), BLACK);
        canvas.fill(segment(0.3, yhi, 0.5, ylo, 0.03), BLACK);
        canvas.fill(segment(0.5, ylo, 0.7, yhi, 0.03), BLACK);
        canvas.fill(segment(0.7, yhi, 0.9, ylo, 0.03), BLACK);
      }
      return;
    case OBJECT_INDEX.door: {
      const c = colourOf(colourIndex);
      if (state === DOOR_OPEN) {
        // a door swung open: a thin outlined slab at the right edge
        canvas.fill(rect(0.88, 1, 0, 1), c);
        canvas.fill(rect(0.92, 0.96, 0.04, 0.96), BLACK);
      } else if (state === DOOR_LOCKED) {
        canvas.fill(rect(0, 1, 0, 1), c);
        canvas.fill(rect(0.06, 0.94, 0.06, 0.94), scaled(c, 0.45));
        canvas.fill(rect(0.52, 0.75, 0.5, 0.56), c); // key slot
      } else {
        canvas.fill(rect(0, 1, 0, 1), c);
        canvas.fill(rect(0.04, 0.96, 0.04, 0.96), BLACK);
        canvas.fill(rect(0.08, 0.92, 0.08, 0.92), c);
        canvas.fill(rect(0.12, 0.88, 0.12, 0.88), BLACK);
        canvas.fill(circle(0.75, 0.5, 0.08), c); // handle
      }
      return;
    }
    case OBJECT_INDEX.key: {
      const c = colourOf(colourIndex);
      canvas.fill(rect(0.5, 0.63, 0.31, 0.88), c); // shaft
      canvas.fill(rect(0.38, 0.5, 0.59, 0.66), c); // teeth
      canvas.fill(rect(0.38, 0.5, 0.81, 0.88), c);
      canvas.fill(circle(0.56, 0.28, 0.19), c); // ring
      canvas.fill(circle(0.56, 0.28, 0.064), BLACK);
      return;
    }
    case OBJECT_INDEX.ball:
      canvas.fill(circle(0.5, 0.5, 0.31), colourOf(colourIndex));
      return;
    case OBJECT_INDEX.box: {
      const c = colourOf(colourIndex);
      canvas.fill(rect(0.12, 0.88, 0.12, 0.88), c);
      canvas.fill(rect(0.18, 0.82, 0.18, 0.82), BLACK);
      canvas.fill(rect(0.16, 0.84, 0.47, 0.53), c); // lid line
      return;
    }
    default:
      throw new Error(
        `renderGridRgb: object index ${object} is unknown; expected 0 … 10 (Minigrid's OBJECT_TO_IDX)`,
      );
  }
}

/** The agent: a triangle pointing right, turned a quarter per direction step. */
const AGENT_SHAPES: readonly Shape[] = [0, 1, 2, 3].map((dir) =>
  rotated(triangle(0.12, 0.19, 0.87, 0.5, 0.12, 0.81), 0.5, 0.5, 0.5 * Math.PI * dir),
);

/** Draws one tile (Grid.render_tile): grid lines, the object, the agent, the highlight, then 3× downsampling. */
function drawTile(
  object: number,
  colour: number,
  state: number,
  agentDir: number,
  highlight: boolean,
  tileSize: number,
): Uint8Array {
  const canvas = new Canvas(tileSize * SUBDIVS);
  // Grid lines on the top and left edges only; neighbours supply the others.
  canvas.fill(rect(0, 0.031, 0, 1), GRID_LINE);
  canvas.fill(rect(0, 1, 0, 0.031), GRID_LINE);
  drawObject(canvas, object, colour, state);
  if (agentDir >= 0) canvas.fill(AGENT_SHAPES[agentDir & 3], AGENT_RED);
  const big = canvas.data;
  if (highlight) {
    for (let i = 0; i < big.length; i++) big[i] = Math.trunc(big[i] + HIGHLIGHT_ALPHA * (255 - big[i]));
  }
  const tile = new Uint8Array(tileSize * tileSize * 3);
  const bigSize = canvas.size;
  for (let row = 0; row < tileSize; row++) {
    for (let col = 0; col < tileSize; col++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < SUBDIVS; dy++) {
          const base = ((row * SUBDIVS + dy) * bigSize + col * SUBDIVS) * 3 + c;
          for (let dx = 0; dx < SUBDIVS; dx++) sum += big[base + dx * 3];
        }
        // The mean truncated to a byte, as Minigrid's float tile is when stored in the uint8 frame.
        tile[(row * tileSize + col) * 3 + c] = Math.floor(sum / (SUBDIVS * SUBDIVS) + 1e-9);
      }
    }
  }
  return tile;
}

/** An all-black tile, for cells the agent cannot see. */
const UNSEEN_KEY = -1;

/** Rendered tiles by tile size, then by what they show (Minigrid's tile cache). */
const tileCache = new Map<number, Map<number, Uint8Array>>();
// The tile size of the previous lookup, since one renderer asks for one size many times in a row.
let lastTileSize = -1;
let lastTiles: Map<number, Uint8Array> | undefined;

function cachedTile(
  tileSize: number,
  object: number,
  colour: number,
  state: number,
  agentDir: number,
  highlight: boolean,
): Uint8Array {
  let tiles = tileSize === lastTileSize ? lastTiles : tileCache.get(tileSize);
  if (tiles === undefined) {
    tiles = new Map();
    tileCache.set(tileSize, tiles);
  }
  lastTileSize = tileSize;
  lastTiles = tiles;
  const key =
    object === OBJECT_INDEX.unseen && agentDir < 0
      ? UNSEEN_KEY
      : (((object * 256 + colour) * 256 + (object === OBJECT_INDEX.door ? state : 0)) * 8 + (agentDir + 1)) *
          2 +
        (highlight ? 1 : 0);
  let tile = tiles.get(key);
  if (tile === undefined) {
    tile =
      key === UNSEEN_KEY
        ? new Uint8Array(tileSize * tileSize * 3)
        : drawTile(object, colour, state, agentDir, highlight, tileSize);
    tiles.set(key, tile);
  }
  return tile;
}

/** Copies a `tileSize²` tile into an image `imageWidth` pixels wide at tile (tx, ty). */
function blit(
  tile: Uint8Array,
  tileSize: number,
  out: Uint8Array,
  imageWidth: number,
  tx: number,
  ty: number,
): void {
  const rowBytes = tileSize * 3;
  const stride = imageWidth * 3;
  let dst = (ty * tileSize * imageWidth + tx * tileSize) * 3;
  if (rowBytes > 64) {
    for (let row = 0; row < tileSize; row++, dst += stride)
      out.set(tile.subarray(row * rowBytes, (row + 1) * rowBytes), dst);
    return;
  }
  // Small tiles (8 px in the RGB views): a plain loop beats creating a subarray per row.
  for (let row = 0, src = 0; row < tileSize; row++, dst += stride)
    for (let i = 0; i < rowBytes; i++, src++) out[dst + i] = tile[src];
}

function checkTileSize(caller: string, tileSize: number): void {
  requirePositiveInteger(caller, "tileSize", tileSize);
}

/**
 * Minigrid's picture of the whole grid (`env.render()` in rgb_array mode): `tileSize` pixels per cell,
 * grey grid lines, each object drawn as Minigrid draws it, the agent as a red triangle pointing its
 * way, and the cells of `picture.highlight` (the view cone) blended 30% toward white.
 * Cells with object index 0 (unseen) are drawn as empty floor, as Minigrid's decoding does.
 * Writes into `out` when given (it must hold `height·tileSize × width·tileSize × 3` bytes).
 */
export function renderGridRgb(picture: GridPicture, tileSize: number, out?: Uint8Array): Frame {
  checkTileSize("renderGridRgb", tileSize);
  const { width, height, cells, agentX, agentY, agentDir, highlight } = picture;
  if (cells.length !== width * height * 3)
    throw new Error(
      `renderGridRgb: cells has ${cells.length} bytes; expected height × width × 3 = ${width * height * 3}`,
    );
  if (highlight !== undefined && highlight.length !== width * height)
    throw new Error(
      `renderGridRgb: highlight has ${highlight.length} entries; expected height × width = ${width * height}`,
    );
  const pixelWidth = width * tileSize;
  const pixelHeight = height * tileSize;
  const data = out ?? new Uint8Array(pixelWidth * pixelHeight * 3);
  if (data.length !== pixelWidth * pixelHeight * 3)
    throw new Error(`renderGridRgb: out has ${data.length} bytes; expected ${pixelWidth * pixelHeight * 3}`);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      // Unseen cells of a full grid are empty floor here; only the egocentric view blacks them out.
      const object = cells[i] === OBJECT_INDEX.unseen ? OBJECT_INDEX.empty : cells[i];
      const dir = x === agentX && y === agentY ? agentDir : -1;
      const lit = highlight !== undefined && highlight[y * width + x] !== 0;
      blit(
        cachedTile(tileSize, object, cells[i + 1], cells[i + 2], dir, lit),
        tileSize,
        data,
        pixelWidth,
        x,
        y,
      );
    }
  }
  return { width: pixelWidth, height: pixelHeight, channels: 3, data };
}

/**
 * The agent's egocentric view as RGB (what Minigrid's RGBImgPartialObsWrapper shows): `image` is the
 * `viewSize × viewSize × 3` encoding [y][x][c] with the agent at the bottom centre facing up. Seen
 * cells are highlighted as in Minigrid; unseen cells (0, 0, 0) are drawn black, because the encoding
 * does not say what is there (Minigrid's own picture shows the hidden objects, unhighlighted).
 * The agent's cell shows what it carries, under the triangle. Returns `viewSize·tileSize` squared × 3
 * bytes, written into `out` when given.
 */
export function renderEncodedViewRgb(
  image: Uint8Array,
  viewSize: number,
  tileSize: number,
  out?: Uint8Array,
): Uint8Array {
  checkTileSize("renderEncodedViewRgb", tileSize);
  requirePositiveInteger("renderEncodedViewRgb", "viewSize", viewSize);
  if (image.length !== viewSize * viewSize * 3)
    throw new Error(
      `renderEncodedViewRgb: image has ${image.length} bytes; expected viewSize² × 3 = ${viewSize * viewSize * 3}`,
    );
  const pixels = viewSize * tileSize;
  const data = out ?? new Uint8Array(pixels * pixels * 3);
  if (data.length !== pixels * pixels * 3)
    throw new Error(`renderEncodedViewRgb: out has ${data.length} bytes; expected ${pixels * pixels * 3}`);
  const agentX = viewSize >> 1;
  const agentY = viewSize - 1;
  for (let y = 0; y < viewSize; y++) {
    for (let x = 0; x < viewSize; x++) {
      const i = (y * viewSize + x) * 3;
      const here = x === agentX && y === agentY;
      const object = image[i];
      const seen = object !== OBJECT_INDEX.unseen;
      const tile = cachedTile(
        tileSize,
        here && !seen ? OBJECT_INDEX.empty : object,
        image[i + 1],
        image[i + 2],
        here ? DIR_UP : -1,
        seen || here,
      );
      blit(tile, tileSize, data, pixels, x, y);
    }
  }
  return data;
}
