// PixelTMaze-v0: TMaze-v0's dynamics seen as a picture whose cue is in the first frame only.
import { describe, expect, it } from "vitest";
import {
  PIXEL_TMAZE_SHADES,
  PixelTMazeEnv,
  registerGridworlds,
  TMazeActions,
  type TMazeEnv,
} from "../../envs/gridworld";
import { checkEnv, make } from "../../src/core";

const { north, east, south, west } = TMazeActions;

registerGridworlds();

/** The grey level at the centre of grid cell (`row`, `col`) of a picture `width` px wide. */
function cell(obs: Uint8Array, width: number, tile: number, row: number, col: number): number {
  const y = row * tile + (tile >> 1);
  const x = col * tile + (tile >> 1);
  return obs[y * width + x];
}

/** Every pixel of the tile of cell (`row`, `col`), as a set of grey levels. */
function tileShades(obs: Uint8Array, width: number, tile: number, row: number, col: number): Set<number> {
  const shades = new Set<number>();
  for (let y = row * tile; y < (row + 1) * tile; y++)
    for (let x = col * tile; x < (col + 1) * tile; x++) shades.add(obs[y * width + x]);
  return shades;
}

describe("PixelTMaze-v0", () => {
  it("passes the env checker, state round trip and render included", () => {
    const report = checkEnv(() => make("PixelTMaze-v0"), { steps: 150 });
    expect(report.passed.join("\n")).toMatch(/bit for bit/);
    expect(report.passed.join("\n")).toMatch(/getState\(\)\/setState\(\) round trip/);
    expect(report.passed.join("\n")).toMatch(/render\(\) gives 416×160 RGB frames/);
    expect(report.warnings).toEqual([]);
    expect(checkEnv(() => make("PixelTMaze-v0", { length: 3, tileSize: 6 })).warnings).toEqual([]);
  });

  it("observes a [5·tile, (length + 3)·tile, 1] uint8 picture: 20 × 52 by default, 30 × 36 for length 3, tile 6", () => {
    const env = make<Uint8Array, number>("PixelTMaze-v0");
    expect((env.observationSpace as unknown as { shape: number[] }).shape).toEqual([20, 52, 1]);
    expect(env.observationSpace.toString()).toBe("Box(0, 255, [20, 52, 1], uint8)");
    const obs = env.reset({ seed: 0 }).observation;
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(obs.length).toBe(20 * 52);
    const small = make<Uint8Array, number>("PixelTMaze-v0", { length: 3, tileSize: 6 });
    expect((small.observationSpace as unknown as { shape: number[] }).shape).toEqual([30, 36, 1]);
    expect(small.reset({ seed: 0 }).observation.length).toBe(30 * 36);
  });

  it("draws walls, the corridor, the two arm ends and the agent's cell as whole tiles", () => {
    const env = new PixelTMazeEnv({ length: 4, tileSize: 4 });
    const width = 7 * 4;
    env.reset({ seed: 0 });
    const obs = env.step(east).observation; // position 1, cue gone
    const { wall, floor, agent } = PIXEL_TMAZE_SHADES;
    for (let col = 0; col < 7; col++) {
      expect(tileShades(obs, width, 4, 0, col)).toEqual(new Set([wall]));
      expect(tileShades(obs, width, 4, 4, col)).toEqual(new Set([wall]));
    }
    // Corridor row: wall, start, agent at 1, floor up to the junction (column 5), wall.
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => cell(obs, width, 4, 2, c))).toEqual([
      wall,
      floor,
      agent,
      floor,
      floor,
      floor,
      wall,
    ]);
    expect(tileShades(obs, width, 4, 2, 2)).toEqual(new Set([agent]));
    // Arms: only the junction's column is open.
    for (const row of [1, 3])
      expect([0, 1, 2, 3, 4, 5, 6].map((c) => cell(obs, width, 4, row, c))).toEqual([
        wall,
        wall,
        wall,
        wall,
        wall,
        floor,
        wall,
      ]);
  });

  it("shows the cue (the goal arm's end lit) in the first frame only, never later", () => {
    const width = 13 * 4;
    const junction = 11;
    const sides = new Set<boolean>();
    for (let seed = 0; seed < 12; seed++) {
      const env = make<Uint8Array, number>("PixelTMaze-v0");
      const maze = (env.unwrapped as PixelTMazeEnv).maze;
      const first = env.reset({ seed }).observation;
      sides.add(maze.goalNorth);
      const [lit, dark] = maze.goalNorth ? [1, 3] : [3, 1];
      expect(tileShades(first, width, 4, lit, junction)).toEqual(new Set([PIXEL_TMAZE_SHADES.cue]));
      expect(tileShades(first, width, 4, dark, junction)).toEqual(new Set([PIXEL_TMAZE_SHADES.floor]));
      // Later frames, including back at the start (where TMaze-v0's bits show the cue again) and a bump.
      const actions = [
        east,
        west,
        west,
        north,
        east,
        east,
        east,
        east,
        east,
        east,
        east,
        east,
        east,
        east,
        east,
      ];
      const later: Uint8Array[] = actions.map((a) => env.step(a).observation);
      for (const obs of later) {
        expect(cell(obs, width, 4, 1, junction)).toBe(PIXEL_TMAZE_SHADES.floor);
        expect(cell(obs, width, 4, 3, junction)).toBe(PIXEL_TMAZE_SHADES.floor);
        expect(obs.includes(PIXEL_TMAZE_SHADES.cue)).toBe(false);
      }
      // Apart from the cue, the first frame is the start's picture.
      expect(first.filter((v) => v === PIXEL_TMAZE_SHADES.cue).length).toBe(16);
      expect(first.map((v) => (v === PIXEL_TMAZE_SHADES.cue ? PIXEL_TMAZE_SHADES.floor : v))).toEqual(
        later[1],
      );
    }
    expect(sides.size).toBe(2);
  });

  it("has TMaze-v0's dynamics, rewards and flags under the same seed and actions", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 8; seed++) {
      const pixels = make<Uint8Array, number>("PixelTMaze-v0");
      const bits = make<Float32Array, number>("TMaze-v0");
      pixels.reset({ seed });
      bits.reset({ seed });
      const inner = (pixels.unwrapped as PixelTMazeEnv).maze;
      const plain = bits.unwrapped as TMazeEnv;
      expect(inner.goalNorth).toBe(plain.goalNorth);
      // A seeded walk biased east: bumps, backtracking, both arms.
      let s = seed * 7919 + 1;
      let episodes = 0;
      for (let t = 0; t < 400 && episodes < 6; t++) {
        s = (s * 48271) % 2147483647;
        const action = s % 10 < 5 ? east : [north, south, west, west, north][s % 5];
        const a = pixels.step(action);
        const b = bits.step(action);
        expect([a.reward, a.terminated, a.truncated]).toEqual([b.reward, b.terminated, b.truncated]);
        expect(inner.position).toBe(plain.position);
        if (a.terminated || a.truncated) {
          seen.add(a.terminated ? `terminated ${a.reward}` : "truncated");
          episodes++;
          pixels.reset();
          bits.reset();
          expect(inner.goalNorth).toBe(plain.goalNorth);
        }
      }
    }
    expect([...seen].sort()).toEqual(["terminated -0.1", "terminated 4"]);
    // Truncated at the same step (10 · (length + 1) = 110), bumping into the west wall all along.
    const pixels = make<Uint8Array, number>("PixelTMaze-v0");
    const bits = make<Float32Array, number>("TMaze-v0");
    pixels.reset({ seed: 3 });
    bits.reset({ seed: 3 });
    for (let t = 1; t <= 110; t++) {
      const a = pixels.step(west);
      const b = bits.step(west);
      expect([a.reward, a.terminated, a.truncated]).toEqual([b.reward, b.terminated, b.truncated]);
      expect(a.truncated).toBe(t === 110);
    }
    const env = make("PixelTMaze-v0", { length: 5 });
    expect((env.unwrapped as PixelTMazeEnv).maze.maxSteps).toBe(60);
    expect((make("PixelTMaze-v0", { maxSteps: 7 }).unwrapped as PixelTMazeEnv).maze.maxSteps).toBe(7);
  });

  it("refuses bad kwargs, actions and reset options by name", () => {
    expect(() => make("PixelTMaze-v0", { length: 0 })).toThrow(
      "PixelTMaze: length must be an integer ≥ 1, got 0",
    );
    expect(() => make("PixelTMaze-v0", { tileSize: 2.5 })).toThrow(
      "PixelTMaze: tileSize must be an integer ≥ 1, got 2.5",
    );
    expect(() => make("PixelTMaze-v0", { maxSteps: -1 })).toThrow(
      "PixelTMaze: maxSteps must be an integer ≥ 1, got -1",
    );
    expect(() => new PixelTMazeEnv({ tileSize: "4" as unknown as number })).toThrow(/PixelTMaze: tileSize/);
    const env = make("PixelTMaze-v0");
    env.reset({ seed: 0 });
    expect(() => env.unwrapped.step(4)).toThrow(/PixelTMaze-v0.*action/);
    expect(() => env.reset({ options: { goal: "north" } })).toThrow(/PixelTMaze-v0/);
  });

  it("renders the full state in colour, the goal arm green once the cue is gone", () => {
    const env = new PixelTMazeEnv({ length: 2 });
    env.reset({ seed: 0 });
    env.step(east);
    const frame = env.render();
    expect([frame.width, frame.height, frame.channels]).toEqual([5 * 32, 5 * 32, 3]);
    const at = (row: number, col: number) => {
      const i = ((row * 32 + 16) * frame.width + col * 32 + 16) * 3;
      return Array.from(frame.data.subarray(i, i + 3));
    };
    expect(at(2, 2)).toEqual([220, 30, 30]); // agent at position 1
    expect(at(env.maze.goalNorth ? 1 : 3, 3)).toEqual([0, 170, 0]);
    expect(at(env.maze.goalNorth ? 3 : 1, 3)).toEqual([200, 200, 200]);
  });
});
