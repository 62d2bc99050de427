// Animated GIF files of RGB frames (an agent playing an episode), encoded with gifenc.
//
// Each frame gets its own palette: the exact colours when it has at most 256 (env pictures and the
// memory heat map do, so those frames are lossless), otherwise 256 colours chosen by gifenc's quantiser.

/** The part of gifenc used here (the package ships no type declarations). */
interface Gifenc {
  GIFEncoder(): {
    writeFrame(
      index: Uint8Array,
      width: number,
      height: number,
      options: { palette: number[][]; delay: number; repeat?: number },
    ): void;
    finish(): void;
    bytes(): Uint8Array;
  };
  quantize(rgba: Uint8Array, maxColors: number, options?: { format?: string }): number[][];
  applyPalette(rgba: Uint8Array, palette: number[][], format?: string): Uint8Array;
}

// gifenc is a CommonJS package without type declarations: typed by Gifenc above.
const gifenc: Gifenc = require("gifenc");

/** An RGB picture: `height × width × 3` bytes, row-major, top row first (an env's `render()` frame). */
export interface RgbImage {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

/** A frame as palette indices. */
export interface IndexedFrame {
  /** One palette index per pixel, row-major. */
  index: Uint8Array;
  /** `[r, g, b]` colours, at most 256. */
  palette: number[][];
  /** Whether the palette holds every colour of the frame exactly (no quantisation). */
  exact: boolean;
}

function checkImage(where: string, image: RgbImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1)
    throw new Error(`${where}: width and height must be integers ≥ 1, got ${width} × ${height}`);
  if (width > 65535 || height > 65535)
    throw new Error(`${where}: a GIF is at most 65535 pixels wide and high, got ${width} × ${height}`);
  if (channels !== 3)
    throw new Error(`${where}: expected an RGB image (channels 3), got channels ${channels}`);
  if (data.length !== width * height * 3)
    throw new Error(
      `${where}: data has ${data.length} bytes; expected height × width × 3 = ${width * height * 3}`,
    );
}

/**
 * Palette indices of an RGB image: its exact colours when there are at most 256, otherwise a
 * 256-colour palette from gifenc's quantiser (each pixel mapped to the nearest colour).
 */
export function indexImage(image: RgbImage): IndexedFrame {
  checkImage("indexImage", image);
  const { width, height, data } = image;
  const n = width * height;
  const index = new Uint8Array(n);
  const colours = new Map<number, number>();
  const palette: number[][] = [];
  let exact = true;
  for (let p = 0, s = 0; p < n; p++, s += 3) {
    const key = (data[s] << 16) | (data[s + 1] << 8) | data[s + 2];
    let i = colours.get(key);
    if (i === undefined) {
      if (palette.length === 256) {
        exact = false;
        break;
      }
      i = palette.length;
      colours.set(key, i);
      palette.push([data[s], data[s + 1], data[s + 2]]);
    }
    index[p] = i;
  }
  if (exact) {
    // gifenc writes tables of at least 2 colours; a one-colour frame gets a second, unused entry.
    if (palette.length === 1) palette.push([0, 0, 0]);
    return { index, palette, exact };
  }
  const rgba = new Uint8Array(n * 4);
  for (let p = 0, s = 0, o = 0; p < n; p++, s += 3, o += 4) {
    rgba[o] = data[s];
    rgba[o + 1] = data[s + 1];
    rgba[o + 2] = data[s + 2];
    rgba[o + 3] = 255;
  }
  const quantised = gifenc.quantize(rgba, 256);
  return { index: gifenc.applyPalette(rgba, quantised), palette: quantised, exact: false };
}

/** Options of {@link GifWriter}. */
export interface GifWriterOptions {
  /** Times the animation plays: 0 = loops forever (default), 1 = once, k = k times. */
  plays?: number;
}

/**
 * Builds an animated GIF frame by frame (all frames the same size, the first one's), in memory:
 * `add` each frame with how long it shows, then `bytes()` once.
 */
export class GifWriter {
  private readonly encoder = gifenc.GIFEncoder();
  private size: { width: number; height: number } | undefined;
  private count = 0;
  private finished = false;
  private readonly repeat: number;

  constructor(options: GifWriterOptions = {}) {
    const plays = options.plays ?? 0;
    if (!Number.isInteger(plays) || plays < 0 || plays > 65536)
      throw new Error(`GifWriter: plays must be an integer in [0, 65536] (0 = forever), got ${plays}`);
    // gifenc's repeat: -1 = once (no loop block), 0 = forever, k = k extra plays.
    this.repeat = plays === 0 ? 0 : plays === 1 ? -1 : plays - 1;
  }

  /** Frames added so far. */
  get frames(): number {
    return this.count;
  }

  /** Appends a frame shown for `delayMs` milliseconds (GIFs count in hundredths of a second). */
  add(image: RgbImage, delayMs: number): void {
    if (this.finished) throw new Error("GifWriter.add: the GIF is already finished (bytes() was called)");
    checkImage("GifWriter.add", image);
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new Error(`GifWriter.add: delayMs must be a number ≥ 0, got ${delayMs}`);
    if (this.size === undefined) this.size = { width: image.width, height: image.height };
    else if (image.width !== this.size.width || image.height !== this.size.height)
      throw new Error(
        `GifWriter.add: frame ${this.count} is ${image.width} × ${image.height}; the GIF is ${this.size.width} × ${this.size.height}`,
      );
    const { index, palette } = indexImage(image);
    this.encoder.writeFrame(index, image.width, image.height, {
      palette,
      delay: delayMs,
      repeat: this.repeat,
    });
    this.count++;
  }

  /** The GIF file's bytes (after at least one frame); the writer takes no frames after this. */
  bytes(): Uint8Array {
    if (this.count === 0) throw new Error("GifWriter.bytes: a GIF needs at least one frame");
    if (!this.finished) {
      this.encoder.finish();
      this.finished = true;
    }
    return this.encoder.bytes();
  }
}
