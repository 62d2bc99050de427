import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { Readable } from "node:stream";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { registerCartPolePixels } from "../../envs/cartpole_pixels";
import { registerGridworlds } from "../../envs/gridworld";
import { listEnvs } from "../../src";
import { keyNamesFromRaw, PlaySession, playFromLines } from "../../src/cli/play";
import { renderToPng } from "../../src/cli/render";
import { encodePng } from "../../src/report/png";

// Whether the `pomdp` binary itself knows the gridworlds (the built-ins register them), before we add them here.
const binHasGridworlds = listEnvs().some((s) => s.id === "MiniGrid-Empty-5x5-v0");
registerGridworlds();
if (!listEnvs().some((s) => s.id === "CartPole-Pixels-v1")) registerCartPolePixels();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-render-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ROOT = path.join(__dirname, "../..");

function readPng(file: string): { png: PNG; rgb: (x: number, y: number) => number[] } {
  const png = PNG.sync.read(fs.readFileSync(file));
  return {
    png,
    rgb: (x, y) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i], png.data[i + 1], png.data[i + 2]];
    },
  };
}

/** Goal of Empty-5x5 in four moves from (1, 1) facing right, plus the move onto it: forward ×2, right, forward ×2. */
const TO_GOAL = ["up", "up", "right", "up", "up"];

describe("PNG output", () => {
  it("encodes grey and RGB images that decode to the same size and values", () => {
    const grey = PNG.sync.read(
      encodePng({ width: 3, height: 2, channels: 1, data: Uint8Array.of(0, 50, 100, 150, 200, 255) }),
    );
    expect([grey.width, grey.height]).toEqual([3, 2]);
    expect(Array.from(grey.data.subarray(4, 8))).toEqual([50, 50, 50, 255]);
    const rgb = PNG.sync.read(
      encodePng({ width: 1, height: 2, channels: 3, data: Uint8Array.of(1, 2, 3, 4, 5, 6) }),
    );
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(
      /data has 5 bytes; expected height × width × channels = 12/,
    );
  });
});

describe("renderToPng (pomdp render)", () => {
  it("writes CartPole's 600 × 400 picture: black cart in the middle, white sky", () => {
    const file = path.join(dir, "cartpole.png");
    expect(renderToPng("CartPole-v1", file, { seed: 0 })).toMatchObject({
      width: 600,
      height: 400,
      channels: 3,
      steps: 0,
    });
    const { png, rgb } = readPng(file);
    expect([png.width, png.height]).toEqual([600, 400]);
    expect(rgb(300, 300)).toEqual([0, 0, 0]);
    expect(rgb(10, 10)).toEqual([255, 255, 255]);
  });

  it("writes what CartPole-Pixels' agent sees: a 64 × 64 grey frame", () => {
    const file = path.join(dir, "pixels.png");
    expect(renderToPng("CartPole-Pixels-v1", file, { view: "agent", steps: 3 })).toMatchObject({
      width: 64,
      height: 64,
      channels: 1,
    });
    const { png, rgb } = readPng(file);
    expect([png.width, png.height]).toEqual([64, 64]);
    expect(rgb(2, 2)).toEqual([255, 255, 255]);
    expect(rgb(32, 49)).toEqual([0, 0, 0]); // the cart
  });

  it("writes a gridworld's full picture with the view cone, and the agent's view", () => {
    const full = path.join(dir, "empty_full.png");
    renderToPng("MiniGrid-Empty-5x5-v0", full, { seed: 0 });
    const grid = readPng(full);
    expect([grid.png.width, grid.png.height]).toEqual([160, 160]);
    expect(grid.rgb(3 * 32 + 16, 3 * 32 + 16)).toEqual([76, 255, 76]); // goal, highlighted: the agent sees it
    expect(grid.rgb(16, 16)).toEqual([100, 100, 100]); // the corner wall, outside the view cone
    const agent = path.join(dir, "empty_agent.png");
    renderToPng("MiniGrid-Empty-5x5-v0", agent, { seed: 0, view: "agent", tileSize: 8 });
    const view = readPng(agent);
    expect([view.png.width, view.png.height]).toEqual([56, 56]);
    expect(view.rgb(5 * 8 + 4, 4 * 8 + 4)).toEqual([76, 255, 76]); // two ahead, two to the right
  });

  it("takes seeded random steps: the same seed gives the same picture", () => {
    const a = path.join(dir, "a.png");
    const b = path.join(dir, "b.png");
    const first = renderToPng("MiniGrid-DoorKey-5x5-v0", a, { seed: 4, steps: 10 });
    renderToPng("MiniGrid-DoorKey-5x5-v0", b, { seed: 4, steps: 10 });
    expect(first.steps).toBeGreaterThan(0);
    expect(fs.readFileSync(a)).toEqual(fs.readFileSync(b));
  });

  it("says why a view cannot be drawn, and names unknown ids", () => {
    expect(() => renderToPng("CartPole-v1", path.join(dir, "x.png"), { view: "agent" })).toThrow(
      /--view agent needs an image observation.*CartPole-v1 observes Box\(\[4\], float32\)/,
    );
    expect(() => renderToPng("CartPol-v1", path.join(dir, "x.png"))).toThrow(
      /CartPol-v1.*Did you mean CartPole-v1/,
    );
  });
});

describe("pomdp play", () => {
  it("reaches Empty-5x5's goal from piped key names and prints the reward and return", async () => {
    let out = "";
    const session = new PlaySession("MiniGrid-Empty-5x5-v0", 0, (text) => {
      out += text;
    });
    // The same path the command takes when stdin is not a terminal: readline over the stream.
    const input = Readable.from([`${TO_GOAL.join("\n")}\nup\nq\n`]);
    await playFromLines(session, readline.createInterface({ input, terminal: false }));
    expect(out).toContain("get to the green goal square");
    expect(out).toContain("step 5 (forward)   reward 0.955   return 0.955"); // 1 - 0.9 · 5 / 100
    expect(out).toContain("episode over: terminated, return 0.955");
    expect(out).toContain("the episode is over"); // the extra "up" is refused
    expect(out).toContain("bye: 1 episode(s), returns 0.955");
    expect(session.returns).toEqual([0.955]);
  });

  it("resets with r, reports unknown keys, and shows the grid after each key", async () => {
    let out = "";
    const session = new PlaySession("MiniGrid-Empty-5x5-v0", 0, (text) => {
      out += text;
    });
    const lines = async function* () {
      yield "right, left";
      yield "jump";
      yield "r";
    };
    await playFromLines(session, lines());
    expect(out).toContain('unknown key "jump"');
    expect(out).toContain("WG>>");
    expect(out).toContain("WGVV"); // facing down after "right"
    expect(out.match(/step 0 /g)?.length).toBe(2); // the start and the reset
    expect(session.returns).toEqual([0]); // the abandoned episode counts, with return 0
  });

  it("plays TMaze with its own keys: arrows move in their direction", async () => {
    const play = async (seed: number, turn: string) => {
      let out = "";
      const session = new PlaySession("TMaze-v0", seed, (text) => {
        out += text;
      });
      const lines = async function* () {
        yield Array(10).fill("right").join(" ");
        yield "p"; // a Minigrid key, not TMaze's
        yield turn;
      };
      await playFromLines(session, lines());
      return { out, returns: session.returns };
    };
    const north = await play(3, "up");
    expect(north.out).toContain("step 10 (east)");
    expect(north.out).toContain('unknown key "p"; expected one of up, right, down, left, r, q');
    expect(north.out).toContain("step 11 (north)");
    const south = await play(3, "down");
    // Seed 3 cues north: the cued arm gives +4, the other -0.1.
    expect(north.returns).toEqual([4]);
    expect(south.returns).toEqual([-0.1]);
  });

  it("refuses envs that are not gridworlds", () => {
    expect(() => new PlaySession("CartPole-v1", 0, () => {})).toThrow(
      /CartPole-v1 is not a gridworld.*MiniGrid-Empty-5x5-v0/,
    );
  });

  it("reads arrows and keys from raw terminal input", () => {
    expect(keyNamesFromRaw("\u001b[A\u001b[D \u001b[Cp\r.\u0003")).toEqual([
      "up",
      "left",
      "space",
      "right",
      "p",
      "enter",
      ".",
      "quit",
    ]);
  });
});

describe("the pomdp binary", () => {
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], {
      cwd: dir,
      input,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("renders a PNG and rejects a bad seed naming the flag", () => {
    const ok = run(["render", "CartPole-v1", "--seed", "3", "--out", "frame.png"]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("600×400 RGB");
    expect(PNG.sync.read(fs.readFileSync(path.join(dir, "frame.png"))).width).toBe(600);
    const bad = run(["render", "CartPole-v1", "--seed", "1.5", "--out", "bad.png"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--seed <n>.*1\.5.*expected a non-negative integer/);
    expect(fs.existsSync(path.join(dir, "bad.png"))).toBe(false);
  });

  it.runIf(binHasGridworlds)("plays Empty-5x5 from piped stdin", () => {
    const played = run(["play", "MiniGrid-Empty-5x5-v0", "--seed", "0"], `${TO_GOAL.join("\n")}\nq\n`);
    expect(played.status).toBe(0);
    expect(played.stdout).toContain("reward 0.955");
  });
});
