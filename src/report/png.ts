// PNG files of frames and observations, so a person can look at what an env draws or an agent sees.
import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";

/** An image to encode: `height × width × channels` bytes, row-major (1 = grey, 3 = RGB, 4 = RGBA). */
export interface PngImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bytes per pixel: 1 grey, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
  /** The pixels, top row first. */
  data: Uint8Array;
}

/** Encodes an image (grey, RGB or RGBA bytes) as a PNG file's bytes. */
export function encodePng(image: PngImage): Buffer {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1)
    throw new Error(`encodePng: width and height must be integers ≥ 1, got ${width} × ${height}`);
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new Error(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  if (data.length !== width * height * channels)
    throw new Error(
      `encodePng: data has ${data.length} bytes; expected height × width × channels = ${width * height * channels}`,
    );
  const png = new PNG({ width, height });
  const rgba = png.data;
  // pngjs takes RGBA: spread grey into the three colours, and make every pixel opaque.
  for (let p = 0, src = 0; p < width * height; p++, src += channels) {
    const o = p * 4;
    if (channels === 1) {
      rgba[o] = rgba[o + 1] = rgba[o + 2] = data[src];
    } else {
      rgba[o] = data[src];
      rgba[o + 1] = data[src + 1];
      rgba[o + 2] = data[src + 2];
    }
    rgba[o + 3] = channels === 4 ? data[src + 3] : 255;
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6 });
}

/** Writes an image as a PNG file at `path`. */
export function writePng(path: string, image: PngImage): void {
  writeFileSync(path, encodePng(image));
}
