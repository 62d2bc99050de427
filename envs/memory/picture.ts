// What the memory tasks share for their pictures: a grid of square cells drawn as RGB (in the style of
// RememberBit in experiments/custom_env.ts: 16-px cells with a dark gap between them) and a colour per
// symbol.
import type { Frame } from "../../src/core";

/** An [r, g, b] colour. */
export type Rgb = readonly [number, number, number];

/** Side of a cell in pixels. */
export const CELL_PIXELS = 16;

/** Colours of the pictures' fixed parts. */
export const PICTURE_COLOURS = {
  /** A cell with nothing in it (before the episode's first symbol, an empty bar). */
  empty: [40, 40, 40],
  /** A right answer. */
  right: [40, 190, 60],
  /** A wrong answer. */
  wrong: [220, 40, 40],
  /** No answer to judge (before the first step, or a step that is not scored). */
  none: [90, 90, 90],
  /** Frames and markers. */
  mark: [255, 255, 255],
} as const satisfies Record<string, Rgb>;

// Okabe–Ito's colour-blind-safe colours without its green and vermilion (those are the verdicts').
const SYMBOL_PALETTE: readonly Rgb[] = [
  [86, 180, 233],
  [230, 159, 0],
  [204, 121, 167],
  [240, 228, 66],
  [0, 114, 178],
  [160, 100, 50],
  [255, 182, 210],
  [150, 150, 255],
];

/** The colour of symbol `i` (a fixed palette for the first eight, then hues around the wheel). */
export function symbolColour(i: number): Rgb {
  if (i < SYMBOL_PALETTE.length) return SYMBOL_PALETTE[i];
  // Golden-angle hues keep neighbours apart however many symbols there are.
  const h = ((i * 137.508) % 360) / 60;
  const x = Math.round(200 * (1 - Math.abs((h % 2) - 1))) + 40;
  const sector = Math.floor(h);
  const rgb: Rgb[] = [
    [240, x, 40],
    [x, 240, 40],
    [40, 240, x],
    [40, x, 240],
    [x, 40, 240],
    [240, 40, x],
  ];
  return rgb[sector];
}

/** A picture of `cols × rows` cells, black between cells. */
export class CellPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(cols: number, rows: number) {
    this.width = cols * CELL_PIXELS;
    this.height = rows * CELL_PIXELS;
    this.data = new Uint8Array(this.width * this.height * 3);
  }

  /** Paints the inside of cell (`col`, `row`), leaving a 1-px gap on every side. */
  fill(col: number, row: number, colour: Rgb): void {
    this.rect(col * CELL_PIXELS + 1, row * CELL_PIXELS + 1, CELL_PIXELS - 2, CELL_PIXELS - 2, colour);
  }

  /** Draws a 2-px frame just inside cell (`col`, `row`)'s gap, around whatever fills it. */
  frame(col: number, row: number, colour: Rgb): void {
    const x = col * CELL_PIXELS + 1;
    const y = row * CELL_PIXELS + 1;
    const side = CELL_PIXELS - 2;
    this.rect(x, y, side, 2, colour);
    this.rect(x, y + side - 2, side, 2, colour);
    this.rect(x, y, 2, side, colour);
    this.rect(x + side - 2, y, 2, side, colour);
  }

  /** Paints a small square in the middle of cell (`col`, `row`): a marker on an empty cell. */
  dot(col: number, row: number, colour: Rgb): void {
    const q = CELL_PIXELS / 4;
    this.rect(col * CELL_PIXELS + q, row * CELL_PIXELS + q, 2 * q, 2 * q, colour);
  }

  /** The picture as an env's `render()` frame. */
  toFrame(): Frame {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }

  private rect(x0: number, y0: number, w: number, h: number, colour: Rgb): void {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const i = (y * this.width + x) * 3;
        this.data[i] = colour[0];
        this.data[i + 1] = colour[1];
        this.data[i + 2] = colour[2];
      }
    }
  }
}

/** Keys of `pomdp play` for answers 0 … n − 1: the digit keys, for as many answers as there are digits. */
export function digitPlayKeys(
  n: number,
  name: (a: number) => string,
): Record<string, { action: number; name: string }> {
  const keys: Record<string, { action: number; name: string }> = {};
  for (let a = 0; a < Math.min(n, 10); a++) keys[String(a)] = { action: a, name: name(a) };
  return keys;
}

/** `[0, 1, 0, 0]`-style text of an observation. */
export function formatBits(values: ArrayLike<number>): string {
  return `[${Array.from(values).join(", ")}]`;
}
