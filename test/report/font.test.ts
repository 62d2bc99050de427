// The 5 × 7 caption font of `pomdp record`: known strings give known pixels.
import { describe, expect, it } from "vitest";
import { blankImage } from "../../src/cli/record";
import { drawText, GLYPH_HEIGHT, textWidth } from "../../src/report/font";
import type { RgbImage } from "../../src/report/gif";

const INK = [255, 255, 0];
const PAPER: [number, number, number] = [0, 0, 0];

/** The image as rows of "#" (ink) and "." (paper). */
function mask(img: RgbImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < img.height; y++) {
    let row = "";
    for (let x = 0; x < img.width; x++) row += img.data[(y * img.width + x) * 3] === 255 ? "#" : ".";
    rows.push(row);
  }
  return rows;
}

describe("caption font", () => {
  it('draws "1-v" glyph by glyph with one blank column between characters', () => {
    const img = blankImage(textWidth("1-v"), GLYPH_HEIGHT, PAPER);
    drawText(img, 0, 0, "1-v", INK);
    expect(mask(img)).toEqual([
      "..#..............",
      ".##..............",
      "..#.........#...#",
      "..#...#####.#...#",
      "..#.........#...#",
      "..#..........#.#.",
      ".###..........#..",
    ]);
  });

  it("draws each font pixel as a px × px square, offset, and drops ink outside the image", () => {
    const img = blankImage(6, 8, PAPER);
    drawText(img, 1, 1, "-", INK, 2); // the bar: font row 3, columns 0-4 → rows 7-8, columns 1-10
    expect(mask(img)).toEqual([
      "......",
      "......",
      "......",
      "......",
      "......",
      "......",
      "......",
      ".#####",
    ]);
    expect(textWidth("ab", 3)).toBe(33); // (2 × 6 − 1) × 3
    expect(textWidth("")).toBe(0);
  });

  it("draws capitals it lacks as lower case, and unknown characters as ?", () => {
    const draw = (text: string) => {
      const img = blankImage(textWidth(text), GLYPH_HEIGHT, PAPER);
      drawText(img, 0, 0, text, INK);
      return mask(img);
    };
    expect(draw("A")).toEqual(draw("a"));
    expect(draw("%")).toEqual(draw("?"));
    expect(draw("L")).not.toEqual(draw("l"));
  });
});
