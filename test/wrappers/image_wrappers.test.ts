import { describe, expect, it } from "vitest";
import { CartPoleEnv } from "../../envs/cartpole";
import { CartPolePixelsEnv } from "../../envs/cartpole_pixels";
import {
  Box,
  checkEnv,
  Discrete,
  Env,
  type Frame,
  GrayscaleObservation,
  type ResetResult,
  ResizeObservation,
  type StepResult,
} from "../../src";

/** An env whose observation is a fixed `[height, width, channels]` image given by `pixel(y, x, c)`. */
class PatternEnv extends Env<Uint8Array, number> {
  readonly observationSpace: Box<"uint8">;
  readonly actionSpace = new Discrete(2);
  private readonly image: Uint8Array;

  constructor(
    height: number,
    width: number,
    channels: number,
    pixel: (y: number, x: number, c: number) => number,
  ) {
    super();
    this.observationSpace = new Box(
      0,
      255,
      channels === 0 ? [height, width] : [height, width, channels],
      "uint8",
    );
    const depth = Math.max(channels, 1);
    this.image = new Uint8Array(height * width * depth);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < depth; c++) this.image[(y * width + x) * depth + c] = pixel(y, x, c);
  }
  reset(): ResetResult<Uint8Array> {
    return { observation: this.image.slice(), info: {} };
  }
  step(): StepResult<Uint8Array> {
    return { observation: this.image.slice(), reward: 0, terminated: false, truncated: false, info: {} };
  }
}

describe("GrayscaleObservation", () => {
  it("maps pure and mixed colours to their ITU-R 601 luma", () => {
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
      [0, 0, 0],
      [202, 152, 101],
    ];
    const env = new GrayscaleObservation(new PatternEnv(1, colours.length, 3, (_y, x, c) => colours[x][c]));
    expect(env.observationSpace.shape).toEqual([1, colours.length]);
    const grey = env.reset().observation;
    // round(0.299 R + 0.587 G + 0.114 B)
    expect(Array.from(grey)).toEqual([76, 150, 29, 255, 0, 161]);
  });

  it("keeps a channel axis with keepDim and checks its input space", () => {
    const env = new GrayscaleObservation(new PatternEnv(2, 3, 3, () => 100), { keepDim: true });
    expect(env.observationSpace.shape).toEqual([2, 3, 1]);
    expect(Array.from(env.step(0).observation)).toEqual([100, 100, 100, 100, 100, 100]);
    expect(() => new GrayscaleObservation(new PatternEnv(2, 3, 1, () => 0) as never)).toThrow(
      /GrayscaleObservation.*expected uint8 RGB observations.*\[height, width, 3\]/,
    );
    expect(() => new GrayscaleObservation(new CartPoleEnv() as never)).toThrow(/expected uint8 RGB/);
  });

  it("gives CartPole-Pixels' grey frame from its RGB frame", () => {
    const grey = new CartPolePixelsEnv({ grayscale: true });
    const rgb = new GrayscaleObservation(new CartPolePixelsEnv({ grayscale: false }));
    const options = { state: [0.3, 0, 0.1, 0] };
    expect(rgb.reset({ options }).observation).toEqual(grey.reset({ options }).observation);
  });
});

describe("ResizeObservation", () => {
  it("halves a 4×4 pattern by averaging 2×2 blocks, per channel", () => {
    const values = [
      [0, 100, 10, 10],
      [200, 100, 20, 30],
      [255, 255, 1, 2],
      [255, 253, 3, 4],
    ];
    const env = new ResizeObservation(
      new PatternEnv(4, 4, 3, (y, x, c) => (c === 1 ? 255 - values[y][x] : values[y][x])),
      [2, 2],
    );
    expect(env.observationSpace.shape).toEqual([2, 2, 3]);
    const out = env.reset().observation;
    const channel = (c: number) => [0, 1, 2, 3].map((p) => out[p * 3 + c]);
    expect(channel(0)).toEqual([100, 18, 255, 3]); // 400/4, 70/4 = 17.5 → 18, 1018/4 = 254.5 → 255, 10/4 = 2.5 → 3
    expect(channel(2)).toEqual(channel(0));
    expect(channel(1)).toEqual([155, 238, 1, 253]);
  });

  it("weights partly covered pixels by their overlap (3 → 2 columns)", () => {
    // Output column 0 covers source columns 0 and half of 1; column 1 the other half of 1 and 2.
    const row = [0, 90, 240];
    const env = new ResizeObservation(new PatternEnv(1, 3, 0, (_y, x) => row[x]), [1, 2]);
    expect(env.observationSpace.shape).toEqual([1, 2]);
    expect(Array.from(env.reset().observation)).toEqual([30, 190]); // (0 + 45)/1.5, (45 + 240)/1.5
  });

  it("keeps a constant image constant at any size, including enlarging", () => {
    for (const size of [
      [7, 5],
      [1, 1],
      [20, 33],
    ] as [number, number][]) {
      const env = new ResizeObservation(new PatternEnv(6, 10, 3, () => 77), size);
      const out = env.reset().observation;
      expect(out.length).toBe(size[0] * size[1] * 3);
      expect(out.every((v) => v === 77)).toBe(true);
    }
  });

  it("enlarges 2×2 to 4×4 by repeating pixels", () => {
    const env = new ResizeObservation(new PatternEnv(2, 2, 0, (y, x) => 10 * (2 * y + x)), [4, 4]);
    expect(Array.from(env.reset().observation)).toEqual([
      0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30, 20, 20, 30, 30,
    ]);
  });

  it("rejects bad sizes and non-image spaces with the argument named", () => {
    const base = new PatternEnv(4, 4, 3, () => 0);
    expect(() => new ResizeObservation(base, [0, 4])).toThrow(
      /size must be \[height, width\], two integers ≥ 1/,
    );
    expect(() => new ResizeObservation(base, [4.5, 4] as never)).toThrow(/size must be/);
    expect(() => new ResizeObservation(new CartPoleEnv() as never, [4, 4])).toThrow(
      /expected uint8 image observations/,
    );
  });

  it("composes with GrayscaleObservation on CartPole-Pixels and passes the env checker", () => {
    const make = () =>
      new GrayscaleObservation(
        new ResizeObservation(
          new CartPolePixelsEnv({ grayscale: false, width: 120, height: 80, style: "gymnasium" }),
          [40, 60],
        ),
        {
          keepDim: true,
        },
      );
    const report = checkEnv(make, { steps: 30 });
    expect(report.passed.join("\n")).toMatch(/bit for bit/);
    const env = make();
    const obs = env.reset({ options: { state: [0, 0, 0, 0] } }).observation;
    expect(env.observationSpace.shape).toEqual([40, 60, 1]);
    // The cart (black, centred) is dark at its middle; the sky above is white.
    const frame: Frame = env.render();
    expect(frame.width).toBe(600);
    expect(obs[30 * 60 + 30]).toBeLessThan(60);
    expect(obs[5 * 60 + 5]).toBe(255);
  });
});
