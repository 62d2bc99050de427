import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { Readable } from "node:stream";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { registerCartPolePixels } from "../../envs/cartpole_pixels";
import { COLOR_TO_IDX, OBJECT_TO_IDX, registerGridworlds } from "../../envs/gridworld";
import { cellGlyph, legendLines } from "../../envs/gridworld/render_text";
import { listEnvs, make, register } from "../../src";
import { keyNamesFromRaw, PlaySession, playFromLines } from "../../src/cli/play";
import { renderToPng } from "../../src/cli/render";
import { encodePng } from "../../src/report/png";
import { TwoArmedBanditEnv } from "../agents/helpers";

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

/** The frames `pomdp play` wrote (one per key), each split into its lines. */
function frames(out: string): string[][] {
  return out
    .split(/\n(?=MiniGrid-|TMaze-)/)
    .filter((f) => /^(MiniGrid-|TMaze-)/.test(f))
    .map((f) => f.split("\n"));
}

/** The map rows (left of the view) and the view rows (inside its frame) of a Minigrid frame. */
function panels(frame: string[]): { map: string[]; view: string[] } {
  const start = frame.findIndex((l) => l.startsWith("full map"));
  // The map's first row is its top wall: as wide as the map.
  const width = frame[start + 1].indexOf(" ");
  const map: string[] = [];
  for (let i = start + 1; i < frame.length && frame[i].startsWith("#"); i++)
    map.push(frame[i].slice(0, width));
  const view = frame.flatMap((l) => {
    const m = /│(.*)│/.exec(l);
    return m === null ? [] : [m[1]];
  });
  return { map, view };
}

async function playLines(id: string, seed: number, keys: string[], display = {}): Promise<string> {
  let out = "";
  const session = new PlaySession(
    id,
    seed,
    (text) => {
      out += text;
    },
    display,
  );
  await playFromLines(session, Readable.from(keys.map((k) => `${k}\n`)));
  return out;
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

  it("writes what CartPole-Pixels' agent sees: a 48 × 48 grey frame, a white pole on black", () => {
    const file = path.join(dir, "pixels.png");
    expect(renderToPng("CartPole-Pixels-v1", file, { view: "agent", steps: 3 })).toMatchObject({
      width: 48,
      height: 48,
      channels: 1,
    });
    const { png, rgb } = readPng(file);
    expect([png.width, png.height]).toEqual([48, 48]);
    expect(rgb(2, 2)).toEqual([0, 0, 0]); // the ground
    // The pole (columns 22.8–25.2 when the cart is centred) still stands after 3 steps: one of the
    // two middle columns is white half-way up.
    expect([rgb(23, 20), rgb(24, 20)]).toContainEqual([255, 255, 255]);
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
    expect(out).toContain("##>>    ##");
    expect(out).toContain("##vv    ##"); // facing down after "right"
    expect(out.match(/step 0 /g)?.length).toBe(2); // the start and the reset
    expect(session.returns).toEqual([0]); // the abandoned episode counts, with return 0
  });

  it("shows the agent's egocentric view beside the full map, a legend and what the agent carries", async () => {
    // DoorKey-5x5, seed 0: the agent at (1, 2) faces up, the yellow key below it, the locked door to its right.
    const out = await playLines("MiniGrid-DoorKey-5x5-v0", 0, ["left", "left", "p", "left", "space", "q"]);
    const shown = frames(out);
    expect(shown.length).toBe(6); // the start and five keys
    const first = panels(shown[0]);
    expect(first.map).toEqual(["##########", "##  ##  ##", "##^^LY  ##", "##KY##GG##", "##########"]);
    // What the agent observes: 7 × 7, itself at the bottom centre facing up, the walls hiding the rest.
    const unseen = "░░".repeat(7);
    expect(first.view).toEqual([
      unseen,
      unseen,
      unseen,
      unseen,
      "░░░░######░░░░",
      "░░░░##  ##░░░░",
      "░░░░##^^LY░░░░",
    ]);
    // The view is not the map: the goal is out of sight, and the cell behind the door is unseen.
    expect(first.map.join("")).toContain("GG");
    expect(first.view.join("")).not.toContain("GG");
    const text = shown[0].join("\n");
    expect(text).toContain("the agent's view");
    expect(text).toContain("legend");
    for (const entry of [
      "^^ you, facing up",
      "## wall",
      "GG goal",
      "KY yellow key",
      "LY yellow door, locked",
      "░░ unseen",
    ])
      expect(text).toContain(entry);
    expect(text).toContain("carrying: nothing");
    expect(text).not.toContain("\u001b["); // plain text unless asked for colour

    // After "p" facing the key: carried (it left the map), then the door opens with "space".
    const picked = shown[3].join("\n");
    expect(picked).toContain("carrying: yellow key");
    expect(panels(shown[3]).map).toContain("##  ##GG##");
    expect(picked).not.toContain("KY yellow key");
    const opened = shown[5].join("\n");
    expect(opened).toContain("/Y yellow door, open");
    expect(panels(shown[5]).view.slice(3)).toEqual([
      "░░##########░░",
      "░░##    GG##░░",
      "░░####/Y####░░",
      "░░##  ^^  ##░░",
    ]);
  });

  it("names every kind of cell in the legend: doors by state and colour, keys, balls, boxes, goal, lava, unseen", () => {
    const o = OBJECT_TO_IDX;
    const c = COLOR_TO_IDX;
    const shown = (type: number, color: number, state = 0) => {
      const g = cellGlyph(type, color, state);
      return `${g.text} ${g.meaning}`;
    };
    expect([
      shown(o.unseen, 0),
      shown(o.wall, c.grey),
      shown(o.door, c.red, 0),
      shown(o.door, c.blue, 1),
      shown(o.door, c.yellow, 2),
      shown(o.key, c.purple),
      shown(o.ball, c.green),
      shown(o.box, c.grey),
      shown(o.goal, c.green),
      shown(o.lava, c.red),
      shown(o.agent, c.red, 1),
    ]).toEqual([
      "░░ unseen",
      "## wall",
      "/R red door, open",
      "DB blue door, closed",
      "LY yellow door, locked",
      "KP purple key",
      "OG green ball",
      "BE grey box",
      "GG goal",
      "~~ lava",
      "vv agent, facing down",
    ]);
    expect(
      legendLines([
        { glyph: "##", meaning: "wall" },
        { glyph: "GG", meaning: "goal" },
        { glyph: "LY", meaning: "yellow door, locked" },
      ]),
    ).toEqual(["## wall         GG goal", "LY yellow door, locked"]);
  });

  it("colours the picture only when asked, and fits 80 columns (stacking the legend when needed)", async () => {
    const plain = await playLines("MiniGrid-MemoryS7-v0", 0, ["q"]);
    const coloured = await playLines("MiniGrid-MemoryS7-v0", 0, ["q"], { color: true });
    expect(coloured).toContain("\u001b[");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
    const stripped = coloured.replace(/\u001b\[[0-9;]*m/g, "");
    expect(panels(frames(stripped)[0])).toEqual(panels(frames(plain)[0]));
    expect(stripped).toContain("shaded: seen by the agent");
    for (const id of listEnvs()
      .map((s) => s.id)
      .filter((i) => i.startsWith("MiniGrid-") || i === "TMaze-v0")) {
      const lines = (await playLines(id, 0, ["q"])).split("\n");
      expect(Math.max(...lines.map((l) => l.length)), id).toBeLessThanOrEqual(80);
    }
    // FourRooms is 38 columns wide: at 80 the legend goes under the view, at 100 beside it.
    const legendRow = (out: string) => frames(out)[0].findIndex((l) => l.includes("legend"));
    const narrow = await playLines("MiniGrid-FourRooms-v0", 0, ["q"]);
    const wide = await playLines("MiniGrid-FourRooms-v0", 0, ["q"], { width: 100 });
    expect(legendRow(wide)).toBeLessThan(legendRow(narrow));
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
    // Its picture: the maze (goal arm GG, the agent @@) beside the three bits the agent observes.
    const start = frames(north.out)[0].join("\n");
    expect(start).toContain("full map (north is up)");
    expect(start).toContain("##GG##");
    expect(start).toContain(`##@@${" ".repeat(20)}##`);
    expect(start).toContain("what the agent observes");
    expect(start).toContain("[0, 1, 1]  cue: the goal is north");
    const corridor = frames(north.out)[1].join("\n");
    expect(corridor).toContain(`##  @@${" ".repeat(18)}##`);
    expect(corridor).toMatch(/what the agent observes\n.*\[1, 0, 1\] {2}corridor \(no cue\)/);
    expect(frames(north.out)[10].join("\n")).toContain("[0, 1, 0]  junction: go north or south");
    expect(north.out).toContain("step 10 (east)");
    expect(north.out).toContain('unknown key "p"; expected one of up, right, down, left, r, q');
    expect(north.out).toContain("step 11 (north)");
    const south = await play(3, "down");
    // Seed 3 cues north: the cued arm gives +4, the other -0.1.
    expect(north.returns).toEqual([4]);
    expect(south.returns).toEqual([-0.1]);
  });

  it("refuses an env that draws no text picture, naming what can be played", () => {
    register("NoTextPicture-v0", () => new TwoArmedBanditEnv());
    expect(() => new PlaySession("NoTextPicture-v0", 0, () => {})).toThrow(
      "play: NoTextPicture-v0 cannot be played: it draws no text picture (its env has no renderText()); expected a gridworld such as MiniGrid-Empty-5x5-v0, CartPole-v1 or its POMDP variants, TMaze-v0, RepeatPrevious-v0 or CountRecall-v0",
    );
  });

  it("plays CartPole-NoVel: the arrows push the cart as env.step does, beside the [x, θ] the agent observes", () => {
    const shown: string[] = [];
    const session = new PlaySession("CartPole-NoVel-v1", 0, (t) => shown.push(t));
    session.start();
    // The same steps on the env itself.
    const env = make("CartPole-v1");
    env.reset({ seed: 0 });
    for (const key of ["right", "right", "left"]) {
      session.press(key);
      env.step(key === "right" ? 1 : 0);
    }
    const [x, xDot, theta, thetaDot] = (env.unwrapped as unknown as { state: Float64Array }).state;
    const text = shown.at(-1) ?? "";
    expect(text).toContain("step 3 (push left)   reward 1   return 3");
    expect(text).toContain(
      `x ${x.toFixed(3)} m, ẋ ${xDot.toFixed(3)} m/s, θ ${((theta * 180) / Math.PI).toFixed(2)}°, θ̇ ${thetaDot.toFixed(3)} rad/s`,
    );
    expect(text).toContain(`what the agent observes: [${x.toFixed(3)}, ${theta.toFixed(3)}]`);
    // The cart [##] sits on the track at x (61 columns for ±2.4 m), the track's ends are the bounds.
    const lines = text.split("\n");
    const track = lines.findIndex((l) => l.startsWith("|---"));
    expect(lines[track]).toBe(`|${"-".repeat(61)}|`);
    expect(lines[track - 1].indexOf("[##]")).toBe(Math.round((x + 2.4) * (60 / 4.8)));
    session.press("q");
    env.close();
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
    expect(played.stdout).toContain("the agent's view");
    expect(played.stdout).toContain("legend");
    expect(played.stdout).toContain("carrying: nothing");
    expect(played.stdout).not.toContain("\u001b["); // a pipe gets no colour
  });
});
