import { describe, expect, it } from "vitest";
import { reconstructionsImage } from "../../src/report/reconstructions";

describe("reconstructionsImage", () => {
  it("puts inputs over reconstructions, enlarges small views, and stretches so the brightest input is white", () => {
    // Two 2 × 2 grey images; the brightest input value is 0.5.
    const inputs = Float32Array.of(0.5, 0, 0, 0.25, 0, 0.5, 0.5, 0);
    const outputs = Float32Array.of(0.25, 0, 0, 0.25, 0, 0.5, 0.5, 1);
    const image = reconstructionsImage({ inputs, outputs, shape: [2, 2, 1], minCellSize: 4 });
    // Cells of 4 × 4 px (zoom 2), 2 px gaps: 2 columns, 2 rows.
    expect([image.width, image.height, image.channels]).toEqual([2 * 4 + 3 * 2, 2 * 4 + 3 * 2, 3]);
    const pixel = (x: number, y: number) => image.data[(y * image.width + x) * 3];
    expect(pixel(2, 2)).toBe(255); // input 0 at (0, 0): 0.5 stretched to white
    expect(pixel(4, 4)).toBe(128); // input 0 at (1, 1): 0.25 → 0.5
    expect(pixel(2, 8)).toBe(128); // its reconstruction at (0, 0): 0.25 → 0.5
    expect(pixel(10, 10)).toBe(255); // reconstruction 1 at (1, 1): 1 → clipped at white
    expect(pixel(0, 0)).toBe(96); // the grey gap
  });

  it("draws the newest frame of a frame stack: its last channel (grey stacks) or last 3 (RGB stacks)", () => {
    const grey = reconstructionsImage({
      inputs: Float32Array.of(0, 1),
      outputs: Float32Array.of(1, 0),
      shape: [1, 1, 2],
      minCellSize: 1,
    });
    expect(grey.data[(2 * grey.width + 2) * 3]).toBe(255); // the input's newest channel (1)
    expect(grey.data[(5 * grey.width + 2) * 3]).toBe(0); // the reconstruction's newest channel (0)
    const rgb = reconstructionsImage({
      inputs: Float32Array.of(1, 1, 1, 1, 0, 0),
      outputs: new Float32Array(6),
      shape: [1, 1, 6],
      minCellSize: 1,
    });
    const o = (2 * rgb.width + 2) * 3;
    expect([...rgb.data.subarray(o, o + 3)]).toEqual([255, 0, 0]);
  });

  it("names a size mismatch", () => {
    expect(() =>
      reconstructionsImage({ inputs: new Float32Array(5), outputs: new Float32Array(5), shape: [2, 2, 1] }),
    ).toThrow(
      "reconstructionsImage: inputs (5 values) and outputs (5) must both hold whole images of [2, 2, 1]",
    );
  });
});
