// What `pomdp record` (and the browser page) draws its frames with: the canvas helpers, a gridworld's
// egocentric view, the memory heat map's colours and the memory strip (one column per step, one row per
// LSTM unit).
import { renderEncodedViewRgb } from "../../envs/gridworld/render_rgb";
import type { Env } from "../core";
import type { RgbImage } from "../report/gif";

/** Background of the frames around and between the panels. */
export const BACKGROUND: readonly [number, number, number] = [40, 40, 40];
/** Pixels between panels. */
export const GAP = 6;
/** Most pixels one memory row (one LSTM unit) is drawn high, and the strip's target height. */
const MAX_ROW_PX = 12;
const STRIP_TARGET_PX = 128;
/** Most pixels one memory column (one step) is drawn wide. */
const MAX_COLUMN_PX = 16;
/** Colour levels of the heat map: values in [-1, 1] are rounded to one of these. */
export const HEAT_LEVELS = 33;

/**
 * Diverging colour of a hidden-state value in [-1, 1] (clamped): blue (−1), near-white (0), red (+1),
 * rounded to {@link HEAT_LEVELS} levels so that frames keep few colours (and encode losslessly).
 */
export function heatColour(value: number): [number, number, number] {
  const v = Number.isNaN(value) ? 0 : Math.max(-1, Math.min(1, value));
  const t = Math.round(((v + 1) / 2) * (HEAT_LEVELS - 1)) / (HEAT_LEVELS - 1); // 0 … 1
  const blue = [33, 102, 172];
  const white = [247, 247, 247];
  const red = [178, 24, 43];
  const [from, to, u] = t < 0.5 ? [blue, white, t * 2] : [white, red, (t - 0.5) * 2];
  return [0, 1, 2].map((c) => Math.round(from[c] + (to[c] - from[c]) * u)) as [number, number, number];
}

/** A `width × height` RGB canvas filled with `colour`. */
export function blankImage(width: number, height: number, colour = BACKGROUND): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
  }
  return { width, height, channels: 3, data };
}

/** Copies `src` into `dst` with its top-left corner at (x, y). */
export function blit(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  const row = src.width * 3;
  for (let r = 0; r < src.height; r++) {
    const o = ((y + r) * dst.width + x) * 3;
    dst.data.set(src.data.subarray(r * row, r * row + row), o);
  }
}

export function fillRect(
  img: RgbImage,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: readonly number[],
): void {
  for (let r = y; r < y + h; r++)
    for (let c = x; c < x + w; c++) {
      const o = (r * img.width + c) * 3;
      img.data[o] = colour[0];
      img.data[o + 1] = colour[1];
      img.data[o + 2] = colour[2];
    }
}

/** `image` resized by `scale` (nearest neighbour; at least 1 × 1). */
export function scaleImage(image: RgbImage, scale: number): RgbImage {
  if (scale === 1) return image;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.floor((y * image.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.floor((x * image.width) / width));
      const s = (sy * image.width + sx) * 3;
      const o = (y * width + x) * 3;
      out[o] = image.data[s];
      out[o + 1] = image.data[s + 1];
      out[o + 2] = image.data[s + 2];
    }
  }
  return { width, height, channels: 3, data: out };
}

/**
 * Layout of the memory strip: one column per step, one row per unit, towers stacked with a gap
 * between, each under a label line `labelHeight` pixels high (0: no labels).
 */
export interface MemoryStripLayout {
  /** LSTM units per tower. */
  units: number;
  /** Towers (1 shared; 2 = actor and critic). */
  towers: number;
  columnWidth: number;
  rowHeight: number;
  /** Pixels above each tower's rows for its label. */
  labelHeight: number;
  /** Columns that fit; later steps scroll the strip left. */
  columns: number;
  width: number;
  height: number;
}

/** Strip layout for `horizon` steps at most, `width` pixels wide, with `labelHeight` pixels above each tower. */
export function memoryStripLayout(
  units: number,
  towers: number,
  horizon: number,
  width: number,
  labelHeight = 0,
): MemoryStripLayout {
  const columnWidth = Math.max(1, Math.min(MAX_COLUMN_PX, Math.floor(width / Math.max(1, horizon))));
  const rowHeight = Math.max(1, Math.min(MAX_ROW_PX, Math.floor(STRIP_TARGET_PX / (units * towers))));
  const height = towers * (labelHeight + units * rowHeight) + (towers - 1) * 2;
  return {
    units,
    towers,
    columnWidth,
    rowHeight,
    labelHeight,
    columns: Math.floor(width / columnWidth),
    width,
    height,
  };
}

/** Top of tower `t`'s label line within the strip (its rows start `labelHeight` below). */
export function towerTop(layout: MemoryStripLayout, t: number): number {
  return t * (layout.labelHeight + layout.units * layout.rowHeight + 2);
}

/**
 * Draws the memory heat map at (x, y) of `img`: `history[k]` is h [towers, 1, units] after step k+1;
 * the last `layout.columns` steps are shown, oldest on the left; the rest stays background.
 */
export function drawMemoryStrip(
  img: RgbImage,
  x: number,
  y: number,
  layout: MemoryStripLayout,
  history: readonly Float32Array[],
): void {
  const first = Math.max(0, history.length - layout.columns);
  for (let k = first; k < history.length; k++) {
    const h = history[k];
    const cx = x + (k - first) * layout.columnWidth;
    for (let t = 0; t < layout.towers; t++) {
      const rows = y + towerTop(layout, t) + layout.labelHeight;
      for (let u = 0; u < layout.units; u++)
        fillRect(
          img,
          cx,
          rows + u * layout.rowHeight,
          layout.columnWidth,
          layout.rowHeight,
          heatColour(h[t * layout.units + u]),
        );
    }
  }
}

/** What a gridworld offers to draw its agent's view. */
interface EgocentricView {
  agentViewSize?: number;
  encodeView?: () => Uint8Array;
}

/** The gridworld's egocentric view drawn as tiles (as `pomdp render --view agent`), or undefined. */
export function agentViewImage(env: Env<unknown, unknown>, side: number): RgbImage | undefined {
  const grid = env.unwrapped as unknown as EgocentricView;
  const viewSize = grid.agentViewSize;
  if (viewSize === undefined || typeof grid.encodeView !== "function") return undefined;
  const tile = Math.max(1, Math.floor(side / viewSize));
  const pixels = viewSize * tile;
  return {
    width: pixels,
    height: pixels,
    channels: 3,
    data: renderEncodedViewRgb(grid.encodeView(), viewSize, tile),
  };
}
