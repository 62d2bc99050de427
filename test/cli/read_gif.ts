// A small GIF decoder (blocks + LZW) for the tests of `pomdp record` and its writer: every frame to RGB.
import * as fs from "node:fs";

export interface GifFrame {
  width: number;
  height: number;
  /** Delay in hundredths of a second. */
  delay: number;
  /** RGB pixels. */
  rgb: Uint8Array;
}

export interface Gif {
  header: string;
  width: number;
  height: number;
  frames: GifFrame[];
}

/** GIF LZW: the palette indices of one image. */
function lzwDecode(data: Uint8Array, minCodeSize: number, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let dict: number[][] = [];
  let codeSize = minCodeSize + 1;
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, i) => [i]);
    codeSize = minCodeSize + 1;
  };
  reset();
  let prev: number[] | undefined;
  let op = 0;
  let bit = 0;
  while (bit + codeSize <= data.length * 8) {
    let code = 0;
    for (let b = 0; b < codeSize; b++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << b;
    if (code === clear) {
      reset();
      prev = undefined;
      continue;
    }
    if (code === eoi) break;
    let entry: number[];
    if (code < dict.length) entry = dict[code];
    else if (prev && code === dict.length) entry = [...prev, prev[0]];
    else throw new Error(`bad LZW code ${code}`);
    if (prev) dict.push([...prev, entry[0]]);
    out.set(entry.slice(0, pixels - op), op);
    op += entry.length;
    prev = entry;
    if (dict.length === 1 << codeSize && codeSize < 12) codeSize++;
  }
  if (op !== pixels) throw new Error(`LZW: ${op} pixels decoded, expected ${pixels}`);
  return out;
}

/** Parses a GIF file: every image descriptor (0x2C) is one frame, decoded to RGB. */
export function readGif(file: string): Gif {
  const b = fs.readFileSync(file);
  const u16 = (o: number) => b[o] | (b[o + 1] << 8);
  const header = b.subarray(0, 6).toString("latin1");
  const width = u16(6);
  const height = u16(8);
  let p = 13;
  let global: Uint8Array | undefined;
  if (b[10] & 0x80) {
    const n = 3 * (1 << ((b[10] & 7) + 1));
    global = b.subarray(p, p + n);
    p += n;
  }
  const subBlocks = (): Uint8Array => {
    const parts: Buffer[] = [];
    while (b[p] !== 0) {
      parts.push(b.subarray(p + 1, p + 1 + b[p]));
      p += 1 + b[p];
    }
    p++;
    return Buffer.concat(parts);
  };
  const frames: GifFrame[] = [];
  let delay = 0;
  for (;;) {
    const kind = b[p++];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      const label = b[p++];
      const data = subBlocks();
      if (label === 0xf9) delay = data[1] | (data[2] << 8);
    } else if (kind === 0x2c) {
      const w = u16(p + 4);
      const h = u16(p + 6);
      const packed = b[p + 8];
      p += 9;
      let palette = global;
      if (packed & 0x80) {
        const n = 3 * (1 << ((packed & 7) + 1));
        palette = b.subarray(p, p + n);
        p += n;
      }
      const minCode = b[p++];
      const index = lzwDecode(subBlocks(), minCode, w * h);
      const rgb = new Uint8Array(w * h * 3);
      for (let i = 0; i < w * h; i++) rgb.set(palette!.subarray(index[i] * 3, index[i] * 3 + 3), i * 3);
      frames.push({ width: w, height: h, delay, rgb });
    } else {
      throw new Error(`unexpected GIF block 0x${kind.toString(16)} at ${p - 1}`);
    }
  }
  return { header, width, height, frames };
}
