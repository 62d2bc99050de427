// `pomdp record`: animated GIFs of trained agents (spawned as a user runs them, on tiny runs), and the
// GIF writer under it. The GIFs are read back with a small decoder (read_gif.ts).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgent } from "../../agents/index";
import { make } from "../../src";
import {
  BACKGROUND,
  blankImage,
  captionPx,
  heatColour,
  memoryStripLayout,
  recordEpisode,
} from "../../src/cli/record";
import { towerTop } from "../../src/cli/record_frame";
import { captionLayout, LABEL_COLOUR, labelLineHeight, TEXT_COLOUR } from "../../src/cli/record_overlay";
import { deriveSeed } from "../../src/core/rng";
import { initBackend } from "../../src/nn";
import { drawText, GLYPH_HEIGHT, textWidth } from "../../src/report/font";
import { GifWriter, indexImage, type RgbImage } from "../../src/report/gif";
import { silentLogger } from "../nn/helpers";
import { type GifFrame, readGif } from "./read_gif";

const ROOT = path.join(__dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-record-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pomdp(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Rows [y0, y1) of columns [x0, x1) of a frame, as one RGB array. */
function crop(f: GifFrame, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const out: number[] = [];
  for (let y = y0; y < y1; y++) out.push(...f.rgb.subarray((y * f.width + x0) * 3, (y * f.width + x1) * 3));
  return Uint8Array.from(out);
}

/** Whether two pixel arrays are equal (Buffer's comparison: vitest's toEqual is slow on whole frames). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function allBackground(pixels: Uint8Array): boolean {
  for (let i = 0; i < pixels.length; i += 3)
    if (pixels[i] !== BACKGROUND[0] || pixels[i + 1] !== BACKGROUND[1] || pixels[i + 2] !== BACKGROUND[2])
      return false;
  return true;
}

/** The env's picture after the reset `pomdp record --seed S` starts from. */
function firstPicture(id: string, seed: number): RgbImage {
  const env = make(id);
  env.reset({ seed: deriveSeed(seed, "eval/env") });
  const frame = env.render!();
  env.close();
  return frame;
}

/** "wrote …: W×H, F frames, S steps (…)" → F and S. */
function printed(stdout: string): { frames: number; steps: number } {
  const m = /(\d+) frames, (\d+) steps/.exec(stdout);
  if (!m) throw new Error(`unexpected output: ${stdout}`);
  return { frames: Number(m[1]), steps: Number(m[2]) };
}

describe("pomdp record", () => {
  const lstmRun = path.join(dir, "cartpole-lstm");
  const gridRun = path.join(dir, "empty-cnn");

  beforeAll(() => {
    // normalizeReward=false: loading a run that normalized rewards with 2 envs fails in loadAgent
    // (the normalizer's per-env returns are checked against 1 env); the memory strip is what is tested here.
    const lstm = pomdp(
      "train",
      "--env",
      "CartPole-NoVel-v1",
      "--lstm",
      "4",
      "--set",
      "net.hidden=[4]",
      "--steps",
      "512",
      "--envs",
      "2",
      "--set",
      "numSteps=64",
      "--set",
      "normalizeReward=false",
      "--quiet",
      "--out",
      lstmRun,
    );
    expect(lstm.stderr).toBe("");
    expect(lstm.code).toBe(0);
    const grid = pomdp(
      "train",
      "--env",
      "MiniGrid-Empty-5x5-v0",
      "--net",
      "cnn",
      "--steps",
      "256",
      "--envs",
      "2",
      "--set",
      "numSteps=64",
      "--quiet",
      "--out",
      gridRun,
    );
    expect(grid.stderr).toBe("");
    expect(grid.code).toBe(0);
  }, 120_000);

  it("records a recurrent agent (--no-overlay): the env's picture with the LSTM's memory strip under it, one frame per step", () => {
    const out = path.join(dir, "e.gif");
    const r = pomdp("record", lstmRun, "--out", out, "--max-steps", "30", "--no-overlay");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/memory strip of 8 LSTM units/); // actor and critic towers × 4 units
    const { frames, steps } = printed(r.stdout);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(30);
    expect(frames).toBe(steps + 1);

    const gif = readGif(out);
    expect(gif.header).toBe("GIF89a");
    expect(gif.frames).toHaveLength(frames);
    const picture = firstPicture("CartPole-NoVel-v1", 0);
    expect(gif.width).toBe(picture.width);
    expect(gif.height).toBeGreaterThan(picture.height); // the strip is under the picture
    for (const f of gif.frames) expect([f.width, f.height]).toEqual([gif.width, gif.height]);
    // Lossless: the first frame's top is the env's picture after eval's first reset with seed 0.
    const first = gif.frames[0];
    expect(crop(first, 0, 0, picture.width, picture.height)).toEqual(picture.data);
    // The strip is empty before the first step and filled one column per step after.
    const strip = memoryStripLayout(4, 2, 30, gif.width);
    const stripTop = gif.height - strip.height;
    expect(allBackground(crop(first, 0, stripTop, gif.width, gif.height))).toBe(true);
    const last = gif.frames[gif.frames.length - 1];
    const filled = steps * strip.columnWidth;
    expect(allBackground(crop(last, 0, stripTop, filled, gif.height))).toBe(false);
    expect(allBackground(crop(last, filled, stripTop, gif.width, gif.height))).toBe(true);
    // The last frame is held a second longer.
    expect(last.delay).toBe(first.delay + 100);
  });

  it("draws a gridworld's egocentric view beside its picture (no strip without an LSTM; --no-overlay); --scale resizes", () => {
    const out = path.join(dir, "grid.gif");
    const r = pomdp(
      "record",
      gridRun,
      "--out",
      out,
      "--max-steps",
      "5",
      "--greedy",
      "--seed",
      "2",
      "--no-overlay",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agent view beside the picture/);
    const picture = firstPicture("MiniGrid-Empty-5x5-v0", 2);
    const gif = readGif(out);
    expect(gif.frames).toHaveLength(printed(r.stdout).frames);
    expect(gif.width).toBeGreaterThan(picture.width);
    expect(gif.height).toBe(picture.height);
    expect(crop(gif.frames[0], 0, 0, picture.width, picture.height)).toEqual(picture.data);
    // The view's tiles are not background.
    expect(allBackground(crop(gif.frames[0], picture.width + 6, 0, gif.width, 20))).toBe(false);

    const half = path.join(dir, "grid-half.gif");
    const s = pomdp("record", gridRun, "--out", half, "--max-steps", "5", "--scale", "0.5", "--no-overlay");
    expect(s.code).toBe(0);
    const small = readGif(half);
    expect([small.width, small.height]).toEqual([Math.round(gif.width / 2), Math.round(gif.height / 2)]);
  });

  it("refuses a non-GIF --out, an existing file without --force, and a folder that is not a run", () => {
    const png = pomdp("record", lstmRun, "--out", path.join(dir, "e.png"));
    expect(png.code).toBe(1);
    expect(png.stderr.trim()).toBe(
      `pomdp: record: --out must be a .gif file, got "${path.join(dir, "e.png")}"`,
    );

    const existing = path.join(dir, "existing.gif");
    fs.writeFileSync(existing, "keep me");
    const kept = pomdp("record", lstmRun, "--out", existing, "--max-steps", "3");
    expect(kept.code).toBe(1);
    expect(kept.stderr.trim()).toBe(
      `pomdp: record: ${existing} already exists (pass --force to overwrite it)`,
    );
    expect(fs.readFileSync(existing, "utf8")).toBe("keep me");
    const forced = pomdp("record", lstmRun, "--out", existing, "--max-steps", "3", "--force");
    expect(forced.code).toBe(0);
    expect(readGif(existing).header).toBe("GIF89a");

    const notRun = pomdp("record", dir, "--out", path.join(dir, "x.gif"));
    expect(notRun.code).toBe(1);
    expect(notRun.stderr.trim().split("\n")).toHaveLength(1);
    expect(notRun.stderr).toMatch(/is not a finished run folder/);
    expect(fs.existsSync(path.join(dir, "x.gif"))).toBe(false);
  });
  it("draws the text band above the picture: step, action by name, reward, return and V, the rest unchanged", () => {
    const args = ["--max-steps", "5", "--greedy", "--seed", "2"];
    const barePath = path.join(dir, "grid-bare.gif");
    const withPath = path.join(dir, "grid-overlay.gif");
    expect(pomdp("record", gridRun, "--out", barePath, ...args, "--no-overlay").code).toBe(0);
    const r = pomdp("record", gridRun, "--out", withPath, ...args);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { steps } = printed(r.stdout);
    const bare = readGif(barePath);
    const gif = readGif(withPath);

    const env = make("MiniGrid-Empty-5x5-v0");
    const names = (env.unwrapped as unknown as { actionNames: string[] }).actionNames;
    env.close();
    expect(names).toEqual(["left", "right", "forward", "pickup", "drop", "toggle", "done"]);
    const px = captionPx(bare.width, 1);
    const band = captionLayout(bare.width, px, 5, names.length, names, "V");
    expect(band.height).toBeGreaterThan(0);
    expect([gif.width, gif.height]).toEqual([bare.width, bare.height + band.height]);
    expect(gif.frames).toHaveLength(bare.frames.length);
    const unchanged = gif.frames.filter((f, i) =>
      same(crop(f, 0, band.height, gif.width, gif.height), bare.frames[i].rgb),
    );
    expect(unchanged).toHaveLength(bare.frames.length);

    // Field k of a frame reads `name value`, drawn where the layout puts it.
    const field = (f: GifFrame, k: number, name: string, value: string): boolean => {
      const text = `${name} ${value}`;
      const expected = blankImage(textWidth(text, px), GLYPH_HEIGHT * px);
      drawText(expected, 0, 0, `${name} `, LABEL_COLOUR, px);
      drawText(expected, textWidth(`${name} `, px) + px, 0, value, TEXT_COLOUR, px);
      const { x, y } = band.slots[k];
      return same(crop(f, x, y, x + expected.width, y + expected.height), expected.data);
    };
    const first = gif.frames[0];
    const last = gif.frames[gif.frames.length - 1];
    expect(field(first, 0, "step", "0")).toBe(true);
    expect(field(first, 1, "action", "-")).toBe(true);
    expect(field(first, 3, "return", "0")).toBe(true);
    expect(field(last, 0, "step", String(steps))).toBe(true);
    expect(field(last, 0, "step", String(steps + 1))).toBe(false);
    // Each step's action is shown by its Minigrid name.
    for (const f of gif.frames.slice(1))
      expect(names.filter((n) => field(f, 1, "action", n))).toHaveLength(1);
    // No memory strip, so no colour scale: neither end of the heat map is drawn.
    const ends = [heatColour(-1).join(), heatColour(1).join()];
    let heat = 0;
    for (const f of gif.frames)
      for (let p = 0; p < f.rgb.length; p += 3)
        if (ends.includes(`${f.rgb[p]},${f.rgb[p + 1]},${f.rgb[p + 2]}`)) heat++;
    expect(heat).toBe(0);
  });

  it("labels the memory strip's towers (actor, critic) and draws its colour scale under it", () => {
    const barePath = path.join(dir, "lstm-bare.gif");
    const withPath = path.join(dir, "lstm-overlay.gif");
    expect(pomdp("record", lstmRun, "--out", barePath, "--max-steps", "30", "--no-overlay").code).toBe(0);
    const r = pomdp("record", lstmRun, "--out", withPath, "--max-steps", "30");
    expect(r.code).toBe(0);
    const bare = readGif(barePath);
    const gif = readGif(withPath);
    const px = captionPx(bare.width, 1);
    const band = captionLayout(bare.width, px, 30, 2, ["left", "right"], "V");
    const line = labelLineHeight(px);
    // The band above; a label line over each of the 2 towers; the colour scale's line under the strip.
    expect(gif.height).toBe(bare.height + band.height + 2 * line + 6 + line);

    const picture = firstPicture("CartPole-NoVel-v1", 0);
    const stripTop = band.height + picture.height + 6;
    const strip = memoryStripLayout(4, 2, 30, gif.width, line);
    const label = (f: GifFrame, t: number, text: string): boolean => {
      const expected = blankImage(textWidth(text, px), GLYPH_HEIGHT * px);
      drawText(expected, 0, 0, text, LABEL_COLOUR, px);
      const y = stripTop + towerTop(strip, t);
      return same(crop(f, 2 * px, y, 2 * px + expected.width, y + expected.height), expected.data);
    };
    const first = gif.frames[0];
    expect(label(first, 0, "actor LSTM h (4)")).toBe(true);
    expect(label(first, 1, "critic LSTM h (4)")).toBe(true);
    expect(label(first, 0, "critic LSTM h (4)")).toBe(false);
    // The colour scale's line holds every level of the heat map (the strip is still empty here).
    const scale = crop(first, 0, gif.height - line, gif.width, gif.height);
    const colours = new Set<string>();
    for (let p = 0; p < scale.length; p += 3) colours.add(`${scale[p]},${scale[p + 1]},${scale[p + 2]}`);
    const levels = new Set(Array.from({ length: 33 }, (_, l) => heatColour((l / 32) * 2 - 1).join()));
    expect([...levels].filter((c) => colours.has(c))).toHaveLength(33);
  });

  it("a GRU agent's strip: h of its GRU, labelled with the core (actor GRU h (4))", () => {
    const gruRun = path.join(dir, "cartpole-gru");
    const train = pomdp(
      "train",
      "--env",
      "CartPole-NoVel-v1",
      "--gru",
      "4",
      "--set",
      "net.hidden=[4]",
      "--steps",
      "128",
      "--envs",
      "2",
      "--set",
      "numSteps=64",
      "--set",
      "normalizeReward=false",
      "--quiet",
      "--out",
      gruRun,
    );
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
    const withPath = path.join(dir, "gru-overlay.gif");
    const r = pomdp("record", gruRun, "--out", withPath, "--max-steps", "30");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/memory strip of 8 GRU units/);
    const gif = readGif(withPath);
    const px = captionPx(gif.width, 1);
    const line = labelLineHeight(px);
    const picture = firstPicture("CartPole-NoVel-v1", 0);
    const band = captionLayout(picture.width, px, 30, 2, ["left", "right"], "V");
    const stripTop = band.height + picture.height + 6;
    const strip = memoryStripLayout(4, 2, 30, gif.width, line);
    const label = (f: GifFrame, t: number, text: string): boolean => {
      const expected = blankImage(textWidth(text, px), GLYPH_HEIGHT * px);
      drawText(expected, 0, 0, text, LABEL_COLOUR, px);
      const y = stripTop + towerTop(strip, t);
      return same(crop(f, 2 * px, y, 2 * px + expected.width, y + expected.height), expected.data);
    };
    expect(label(gif.frames[0], 0, "actor GRU h (4)")).toBe(true);
    expect(label(gif.frames[0], 1, "critic GRU h (4)")).toBe(true);
    expect(label(gif.frames[0], 0, "actor LSTM h (4)")).toBe(false);
  }, 120_000);

  it("--every 3 keeps frames 0, 3, 6, … and the last, each as the full recording has it", () => {
    const fullPath = path.join(dir, "lstm-all.gif");
    const everyPath = path.join(dir, "lstm-every3.gif");
    const full = pomdp("record", lstmRun, "--out", fullPath, "--max-steps", "30");
    const every = pomdp("record", lstmRun, "--out", everyPath, "--max-steps", "30", "--every", "3");
    expect(every.stderr).toBe("");
    expect(every.code).toBe(0);
    const n = printed(full.stdout).steps;
    expect(printed(every.stdout).steps).toBe(n);
    const kept = Array.from({ length: Math.floor(n / 3) + 1 }, (_, j) => 3 * j);
    if (n % 3 !== 0) kept.push(n);
    expect(printed(every.stdout).frames).toBe(kept.length);
    const all = readGif(fullPath).frames;
    const some = readGif(everyPath).frames;
    expect(all).toHaveLength(n + 1);
    expect(some).toHaveLength(kept.length);
    expect(kept.filter((k, j) => !same(some[j].rgb, all[k].rgb))).toEqual([]);
    // Each kept frame shows for 1/fps; the last a second longer.
    expect(some.map((f) => f.delay)).toEqual(kept.map((_, j) => (j === kept.length - 1 ? 107 : 7)));
  });

  it("recordEpisode (in process) checks every, and leaves no tensor behind on the CNN graph path", async () => {
    await initBackend("cpu", silentLogger);
    const agent = loadAgent(gridRun);
    try {
      expect(() => recordEpisode(agent, path.join(dir, "bad.gif"), { every: 0 })).toThrow(
        "record: every must be an integer ≥ 1, got 0",
      );
      expect(() => recordEpisode(agent, path.join(dir, "bad.gif"), { every: 1.5 })).toThrow(
        "record: every must be an integer ≥ 1, got 1.5",
      );
      const before = tf.memory().numTensors;
      const done = recordEpisode(agent, path.join(dir, "in-process.gif"), { maxSteps: 4, every: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(done.captionHeight).toBeGreaterThan(0);
      expect(done.frames).toBe(Math.floor(done.steps / 2) + 1 + (done.steps % 2));
    } finally {
      agent.net.dispose();
    }
  });

  it("refuses an --every that is not a positive integer, before loading anything", () => {
    for (const bad of ["0", "2.5", "-1", "x"]) {
      const out = path.join(dir, `every-${bad}.gif`);
      const r = pomdp("record", lstmRun, "--out", out, "--every", bad);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `pomdp: option '--every <k>' argument '${bad}' is invalid. expected an integer ≥ 1, got "${bad}"`,
      );
      expect(fs.existsSync(out)).toBe(false);
    }
  });
});

describe("GifWriter", () => {
  const image = (width: number, height: number, pixel: (x: number, y: number) => number[]): RgbImage => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
    return { width, height, channels: 3, data };
  };

  it("keeps up to 256 colours exactly and quantises more to 256", () => {
    const few = indexImage(image(16, 16, (x, y) => [x * 16, y * 16, 7]));
    expect(few.exact).toBe(true);
    expect(few.palette).toHaveLength(256);
    const many = indexImage(image(64, 64, (x, y) => [x * 4, y * 4, (x + y) % 256]));
    expect(many.exact).toBe(false);
    expect(many.palette.length).toBeLessThanOrEqual(256);
    expect(Math.max(...many.index)).toBeLessThan(many.palette.length);
    expect(indexImage(image(2, 2, () => [5, 6, 7])).palette.length).toBeGreaterThanOrEqual(2);
  });

  it("writes frames losslessly with their delays, and refuses frames of another size", () => {
    const file = path.join(dir, "writer.gif");
    const a = image(20, 10, (x, y) => [x * 12, y * 25, 100]);
    const b = image(20, 10, (x) => heatColour(x / 10 - 1));
    const gif = new GifWriter();
    gif.add(a, 50);
    gif.add(b, 1000);
    expect(() =>
      gif.add(
        image(10, 10, () => [0, 0, 0]),
        50,
      ),
    ).toThrow("GifWriter.add: frame 2 is 10 × 10; the GIF is 20 × 10");
    fs.writeFileSync(file, gif.bytes());
    const read = readGif(file);
    expect(read.frames.map((f) => f.delay)).toEqual([5, 100]);
    expect(read.frames[0].rgb).toEqual(a.data);
    expect(read.frames[1].rgb).toEqual(b.data);
    expect(() => new GifWriter().bytes()).toThrow("a GIF needs at least one frame");
  });

  it("colours memory from blue (−1) through near-white (0) to red (+1), clamped", () => {
    expect(heatColour(-1)).toEqual([33, 102, 172]);
    expect(heatColour(0)).toEqual([247, 247, 247]);
    expect(heatColour(1)).toEqual([178, 24, 43]);
    expect(heatColour(5)).toEqual(heatColour(1));
    expect(new Set(Array.from({ length: 1001 }, (_, i) => heatColour(i / 500 - 1).join())).size).toBe(33);
  });
});
