// Draws CartPole into a byte buffer at any size (no canvas, no allocation per frame), in two styles:
// - "gymnasium": as Gymnasium's pygame renderer (white ground, black cart, tan pole 10 px of 600 wide,
//   blue axle, black track), point-sampled: what `render()` shows;
// - "bold": for an agent's eyes at low resolution: black ground, a white pole three times as wide and
//   twice as long, a grey cart, anti-aliased (each pixel's share of a shape sets its intensity).
//   At 64 × 64 Gymnasium's pole is about 1 px wide and its tip moves ±2.8 px over the whole ±12°, so
//   most consecutive frames are identical; the bold pole's tip moves ±4 px at 48 × 48 and a move
//   of a quarter pixel changes the picture.

/** Colours as [r, g, b]. */
const BACKGROUND = [255, 255, 255] as const;
const CART = [0, 0, 0] as const;
const POLE = [202, 152, 101] as const;
const AXLE = [129, 132, 203] as const;
const TRACK = [0, 0, 0] as const;

/** Gymnasium's geometry, in pixels of its 600 × 400 screen. */
const SCREEN_WIDTH = 600;
const SCREEN_HEIGHT = 400;
const WORLD_WIDTH = 2.4 * 2;
const SCALE = SCREEN_WIDTH / WORLD_WIDTH;
const POLE_WIDTH = 10;
const POLE_LENGTH = SCALE * (2 * 0.5);
const CART_WIDTH = 50;
const CART_HEIGHT = 30;
const CART_Y = 100;
const AXLE_OFFSET = CART_HEIGHT / 4;

/** How `drawCartPole` draws: Gymnasium's picture, or the bold one made for small observations. */
export type CartPoleStyle = "gymnasium" | "bold";

/** The bold style's shapes and shades (one grey value, or the same in R, G and B). */
const BOLD = {
  background: 0,
  cart: 128,
  pole: 255,
  poleWidth: 30,
  poleLength: 2 * POLE_LENGTH,
  cartWidth: 60,
  cartHeight: 40,
} as const;

/** Sub-samples per pixel side of the bold style's anti-aliasing (4 × 4 = 16 shades of coverage). */
const SUBSAMPLES = 4;

/** A target of `drawCartPole`: `height × width × channels` bytes (channels 3 = RGB, 1 = luminance). */
export interface PixelTarget {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

function shade(colour: readonly [number, number, number], channels: 1 | 3): number[] {
  // ITU-R 601 luma, as OpenCV's and PIL's RGB → grey conversion.
  return channels === 3
    ? [...colour]
    : [Math.round(0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2])];
}

/**
 * Draws the cart at position `x` (metres) with the pole at angle `theta` (radians) into `target`.
 * The picture is Gymnasium's 600 × 400 one, scaled to the target's size.
 */
export function drawCartPole(
  x: number,
  theta: number,
  target: PixelTarget,
  style: CartPoleStyle = "gymnasium",
): void {
  if (style === "bold") {
    drawBold(x, theta, target);
    return;
  }
  const { width, height, channels, data } = target;
  const sx = width / SCREEN_WIDTH;
  const sy = height / SCREEN_HEIGHT;
  fillBackground(data, shade(BACKGROUND, channels));

  // Screen coordinates with y up (as pygame's before the flip); converted to rows when drawing.
  const cartX = x * SCALE + SCREEN_WIDTH / 2;
  const l = -CART_WIDTH / 2;
  const r = CART_WIDTH / 2;
  const t = CART_HEIGHT / 2;
  const b = -CART_HEIGHT / 2;
  fillQuad(target, boxCorners(cartX + l, CART_Y + b, cartX + r, CART_Y + t), sx, sy, shade(CART, channels));

  const pole = poleCorners(cartX, CART_Y + AXLE_OFFSET, theta, POLE_WIDTH, POLE_LENGTH);
  fillQuad(target, pole, sx, sy, shade(POLE, channels));
  fillCircle(
    target,
    Math.trunc(cartX),
    Math.trunc(CART_Y + AXLE_OFFSET),
    Math.trunc(POLE_WIDTH / 2),
    sx,
    sy,
    shade(AXLE, channels),
  );
  drawTrack(target, CART_Y, sy, shade(TRACK, channels));
}

/** Corners of the quad being drawn (screen coordinates, y up: x0, y0, … x3, y3), reused by every frame. */
const corners = new Float64Array(8);

/** Sets `corners` to an axis-aligned box's, in the order the pole's are in. */
function boxCorners(left: number, bottom: number, right: number, top: number): Float64Array {
  corners.set([left, bottom, left, top, right, top, right, bottom]);
  return corners;
}

/** Sets `corners` to the pole's, for a cart at `cartX` and an axle at height `axleY`. */
function poleCorners(
  cartX: number,
  axleY: number,
  theta: number,
  width: number,
  length: number,
): Float64Array {
  const pl = -width / 2;
  const pr = width / 2;
  const pt = length - width / 2;
  const pb = -width / 2;
  const cos = Math.cos(-theta);
  const sin = Math.sin(-theta);
  const local = [pl, pb, pl, pt, pr, pt, pr, pb];
  for (let k = 0; k < 4; k++) {
    const px = local[2 * k];
    const py = local[2 * k + 1];
    corners[2 * k] = px * cos - py * sin + cartX;
    corners[2 * k + 1] = px * sin + py * cos + axleY;
  }
  return corners;
}

/** A quad in pixel coordinates (x right, y down) and the pixels its bounding box covers in the target. */
const quad = { xs: new Float64Array(4), ys: new Float64Array(4), col0: 0, col1: 0, row0: 0, row1: 0 };

/** Projects screen corners onto the target (scales sx, sy; rows counted from the top) into `quad`. */
function projectQuad(target: PixelTarget, pts: Float64Array, sx: number, sy: number): typeof quad {
  const { xs, ys } = quad;
  for (let k = 0; k < 4; k++) {
    xs[k] = pts[2 * k] * sx;
    ys[k] = target.height - pts[2 * k + 1] * sy;
  }
  quad.col0 = Math.max(0, Math.floor(Math.min(xs[0], xs[1], xs[2], xs[3])));
  quad.col1 = Math.min(target.width - 1, Math.ceil(Math.max(xs[0], xs[1], xs[2], xs[3])));
  quad.row0 = Math.max(0, Math.floor(Math.min(ys[0], ys[1], ys[2], ys[3])));
  quad.row1 = Math.min(target.height - 1, Math.ceil(Math.max(ys[0], ys[1], ys[2], ys[3])));
  return quad;
}

/** Whether point (px, py) is inside the projected convex quad (or on its edge): every edge's cross product has one sign. */
function insideQuad(xs: Float64Array, ys: Float64Array, px: number, py: number): boolean {
  let positive = 0;
  let negative = 0;
  for (let k = 0; k < 4; k++) {
    const j = (k + 1) & 3;
    const cross = (xs[j] - xs[k]) * (py - ys[k]) - (ys[j] - ys[k]) * (px - xs[k]);
    if (cross > 0) positive++;
    else if (cross < 0) negative++;
  }
  return positive === 0 || negative === 0;
}

/** The bold style: black ground, grey cart, white pole over it, anti-aliased. */
function drawBold(x: number, theta: number, target: PixelTarget): void {
  const sx = target.width / SCREEN_WIDTH;
  const sy = target.height / SCREEN_HEIGHT;
  target.data.fill(BOLD.background);
  const cartX = x * SCALE + SCREEN_WIDTH / 2;
  const l = cartX - BOLD.cartWidth / 2;
  const r = cartX + BOLD.cartWidth / 2;
  const t = CART_Y + BOLD.cartHeight / 2;
  const b = CART_Y - BOLD.cartHeight / 2;
  coverQuad(target, boxCorners(l, b, r, t), sx, sy, BOLD.cart);
  coverQuad(target, poleCorners(cartX, CART_Y, theta, BOLD.poleWidth, BOLD.poleLength), sx, sy, BOLD.pole);
}

/**
 * Paints a convex quadrilateral (screen coordinates, y up) with `shade` in every channel, each pixel
 * blended by the share of its SUBSAMPLES × SUBSAMPLES sample points inside the shape.
 */
function coverQuad(target: PixelTarget, pts: Float64Array, sx: number, sy: number, shade: number): void {
  const { width, channels, data } = target;
  const { xs, ys, col0, col1, row0, row1 } = projectQuad(target, pts, sx, sy);
  const step = 1 / SUBSAMPLES;
  const samples = SUBSAMPLES * SUBSAMPLES;
  for (let row = row0; row <= row1; row++) {
    for (let col = col0; col <= col1; col++) {
      let inside = 0;
      for (let sr = 0; sr < SUBSAMPLES; sr++) {
        const py = row + (sr + 0.5) * step;
        for (let sc = 0; sc < SUBSAMPLES; sc++) if (insideQuad(xs, ys, col + (sc + 0.5) * step, py)) inside++;
      }
      if (inside === 0) continue;
      const i = (row * width + col) * channels;
      for (let c = 0; c < channels; c++) {
        data[i + c] = Math.round(data[i + c] + ((shade - data[i + c]) * inside) / samples);
      }
    }
  }
}

function fillBackground(data: Uint8Array, colour: number[]): void {
  if (colour.length === 1 || (colour[0] === colour[1] && colour[1] === colour[2])) {
    data.fill(colour[0]);
    return;
  }
  for (let i = 0; i < data.length; i += 3) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
  }
}

function put(target: PixelTarget, col: number, row: number, colour: number[]): void {
  const i = (row * target.width + col) * target.channels;
  for (let c = 0; c < target.channels; c++) target.data[i + c] = colour[c];
}

/** Fills a convex quadrilateral given in screen coordinates (y up), sampling pixel centres. */
function fillQuad(target: PixelTarget, pts: Float64Array, sx: number, sy: number, colour: number[]): void {
  const { xs, ys, col0, col1, row0, row1 } = projectQuad(target, pts, sx, sy);
  for (let row = row0; row <= row1; row++)
    for (let col = col0; col <= col1; col++)
      if (insideQuad(xs, ys, col + 0.5, row + 0.5)) put(target, col, row, colour);
}

function fillCircle(
  target: PixelTarget,
  cx: number,
  cy: number,
  radius: number,
  sx: number,
  sy: number,
  colour: number[],
): void {
  const { width, height } = target;
  const ccol = cx * sx;
  const crow = height - cy * sy;
  const rx = Math.max(radius * sx, 0.5);
  const ry = Math.max(radius * sy, 0.5);
  const col0 = Math.max(0, Math.floor(ccol - rx));
  const col1 = Math.min(width - 1, Math.ceil(ccol + rx));
  const row0 = Math.max(0, Math.floor(crow - ry));
  const row1 = Math.min(height - 1, Math.ceil(crow + ry));
  for (let row = row0; row <= row1; row++) {
    const dy = (row + 0.5 - crow) / ry;
    for (let col = col0; col <= col1; col++) {
      const dx = (col + 0.5 - ccol) / rx;
      if (dx * dx + dy * dy <= 1) put(target, col, row, colour);
    }
  }
}

function drawTrack(target: PixelTarget, y: number, sy: number, colour: number[]): void {
  const row = Math.min(target.height - 1, Math.max(0, Math.floor(target.height - y * sy)));
  for (let col = 0; col < target.width; col++) put(target, col, row, colour);
}

/** Columns of `cartPoleText`'s track (±2.4 m). */
const TEXT_TRACK = 61;
/** Rows of its pole (a character is about twice as tall as wide, so 6 rows ≈ the pole's 1 m at 12.5 columns). */
const TEXT_POLE_ROWS = 6;

/**
 * CartPole as text, for `pomdp play` in a terminal: the pole (`o` marks along it) above the cart `[##]`
 * on a track whose ends `|` are the termination bounds (±2.4 m).
 */
export function cartPoleText(x: number, theta: number): string {
  const columnsPerMetre = (TEXT_TRACK - 1) / WORLD_WIDTH;
  const cart = Math.max(0, Math.min(TEXT_TRACK - 1, Math.round((x + WORLD_WIDTH / 2) * columnsPerMetre)));
  const rows: string[] = [];
  for (let k = TEXT_POLE_ROWS; k >= 1; k--) {
    // The pole is 2 × 0.5 m long: row k is k/rows of the way up it.
    const along = (k / TEXT_POLE_ROWS) * 2 * 0.5;
    const column = Math.round(cart + along * Math.sin(theta) * columnsPerMetre);
    const row = Array<string>(TEXT_TRACK + 2).fill(" ");
    if (column >= 0 && column < TEXT_TRACK) row[column + 1] = "o";
    rows.push(row.join("").trimEnd());
  }
  const cartRow = Array<string>(TEXT_TRACK + 2).fill(" ");
  for (let c = cart - 1; c <= cart + 2; c++) if (c >= 0 && c < TEXT_TRACK) cartRow[c + 1] = "#";
  if (cart - 1 >= 0) cartRow[cart] = "[";
  if (cart + 2 < TEXT_TRACK) cartRow[cart + 3] = "]";
  rows.push(cartRow.join("").trimEnd());
  rows.push(`|${"-".repeat(TEXT_TRACK)}|`);
  return rows.join("\n");
}
