// Draws CartPole as Gymnasium's pygame renderer does (white ground, black cart, tan pole, blue axle,
// black track line), at any size, straight into a byte buffer: no canvas, no allocation per frame.

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
export function drawCartPole(x: number, theta: number, target: PixelTarget): void {
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
  const cart = [cartX + l, CART_Y + b, cartX + l, CART_Y + t, cartX + r, CART_Y + t, cartX + r, CART_Y + b];
  fillQuad(target, cart, sx, sy, shade(CART, channels));

  const pl = -POLE_WIDTH / 2;
  const pr = POLE_WIDTH / 2;
  const pt = POLE_LENGTH - POLE_WIDTH / 2;
  const pb = -POLE_WIDTH / 2;
  const cos = Math.cos(-theta);
  const sin = Math.sin(-theta);
  const pole: number[] = [];
  for (const [px, py] of [
    [pl, pb],
    [pl, pt],
    [pr, pt],
    [pr, pb],
  ]) {
    pole.push(px * cos - py * sin + cartX, px * sin + py * cos + CART_Y + AXLE_OFFSET);
  }
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
function fillQuad(target: PixelTarget, pts: number[], sx: number, sy: number, colour: number[]): void {
  const { width, height } = target;
  const xs = [pts[0] * sx, pts[2] * sx, pts[4] * sx, pts[6] * sx];
  const ys = [height - pts[1] * sy, height - pts[3] * sy, height - pts[5] * sy, height - pts[7] * sy];
  const col0 = Math.max(0, Math.floor(Math.min(...xs)));
  const col1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const row0 = Math.max(0, Math.floor(Math.min(...ys)));
  const row1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  for (let row = row0; row <= row1; row++) {
    const py = row + 0.5;
    for (let col = col0; col <= col1; col++) {
      const px = col + 0.5;
      let positive = 0;
      let negative = 0;
      for (let k = 0; k < 4; k++) {
        const j = (k + 1) & 3;
        const cross = (xs[j] - xs[k]) * (py - ys[k]) - (ys[j] - ys[k]) * (px - xs[k]);
        if (cross > 0) positive++;
        else if (cross < 0) negative++;
      }
      if (positive === 0 || negative === 0) put(target, col, row, colour);
    }
  }
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
