import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { randomRollout } from "../../src/cli/rollout";

const ROOT = path.join(__dirname, "../..");

/** Runs the real `pomdp` bin (as `npx pomdp` does) and returns its exit code and output. */
function pomdp(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "src/bin.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("pomdp command line", () => {
  it("ends quietly with code 0 when its reader stops early (pomdp play … | head)", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "src/bin.js"), "play", "CartPole-v1"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // Keys enough for pictures well past the first chunk; the reader goes away after that chunk.
    child.stdin.end("right\nleft\n".repeat(200));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("--help lists the subcommands", () => {
    const { code, stdout } = pomdp("--help");
    expect(code).toBe(0);
    for (const sub of ["envs", "check", "rollout", "bench"])
      expect(stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, "m"));
  });

  it("envs lists the registered ids with their spaces", () => {
    const { code, stdout } = pomdp("envs", "--json");
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.find((r) => r.id === "CartPole-v1")).toMatchObject({
      observationSpace: "Box([4], float32)",
      actionSpace: "Discrete(2)",
      maxEpisodeSteps: 500,
    });
    expect(rows.find((r) => r.id === "CartPole-NoVel-v1").observationSpace).toBe("Box([2], float32)");
  });

  it("checks, and rolls out, a user's env loaded with --require (the README example)", () => {
    const check = pomdp("check", "RememberBit-v0", "--require", "experiments/custom_env.ts");
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("RememberBit-v0: all checks passed");
    // The example saves its state, so runs on it can be resumed.
    expect(check.stdout).toContain(
      "  ✓ getState()/setState() round trip (through JSON) replays the same 100 steps",
    );
    expect(check.stdout).not.toContain("cannot be resumed");
    const rollout = pomdp(
      "rollout",
      "RememberBit-v0",
      "-r",
      "experiments/custom_env.ts",
      "--episodes",
      "4",
      "--json",
    );
    expect(rollout.code).toBe(0);
    expect(JSON.parse(rollout.stdout)).toMatchObject({ id: "RememberBit-v0", episodes: 4, meanLength: 6 });
  });

  it("takes --require before the id, repeated, and without the file's extension", () => {
    const before = pomdp("check", "--require", "experiments/custom_env.ts", "RememberBit-v0");
    expect(before.stderr).toBe("");
    expect(before.code).toBe(0);
    expect(before.stdout).toContain("RememberBit-v0: all checks passed");
    const twice = pomdp(
      "envs",
      "--json",
      "-r",
      "experiments/custom_env.ts",
      "-r",
      "test/cli/fixtures/corridor_env.ts",
    );
    expect(twice.code).toBe(0);
    const ids = twice.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toContain("RememberBit-v0");
    expect(ids).toContain("Corridor-v0");
    const bare = pomdp("check", "-r", "experiments/custom_env", "RememberBit-v0");
    expect(bare.stderr).toBe("");
    expect(bare.stdout).toContain("RememberBit-v0: all checks passed");
  }, 60_000);

  it("says which --require module it cannot find, and where it looked", () => {
    const missing = pomdp("check", "--require", "mine/corridor", "Corridor-v0");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `pomdp: --require: cannot find "mine/corridor": no file ${path.join(ROOT, "mine/corridor")}, nor with an extension (.js, .json, .node, .ts), nor a folder with an index file`,
    );
  }, 60_000);

  it("names a --require module that throws while loading, and where in it", () => {
    const file = path.join(ROOT, "test/cli/fixtures/throws_on_load.ts");
    const r = pomdp("check", "-r", "test/cli/fixtures/throws_on_load", "Corridor-v0");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `pomdp: --require test/cli/fixtures/throws_on_load threw while loading: register: id "my env" is malformed; expected letters, digits, "-", "_", "." such as "MyEnv-v0"; at Object.<anonymous> (${file}:7:9)`,
    );
  }, 60_000);

  it("bench envs prints one JSON line with every env figure (values not judged: benchmarks are not tests)", () => {
    const { code, stdout } = pomdp("bench", "envs", "--seconds", "0.02");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0]);
    for (const key of [
      "cartpoleRawStepsPerSec",
      "cartpoleMakeStepsPerSec",
      "cartpoleVec16StepsPerSec",
      "cartpolePixelFramesPerSec",
      "cartpoleBoldPixelFramesPerSec",
      "minigridEmpty8StepsPerSec",
    ]) {
      expect(Number.isFinite(figures[key]) && figures[key] > 0).toBe(true);
    }
  });

  it("fails with a clear message on an unknown id or a malformed flag", () => {
    const unknown = pomdp("check", "CartPol-v1");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'pomdp: No env registered with id "CartPol-v1". Did you mean CartPole-v1?',
    );
    const badSeed = pomdp("rollout", "--seed", "-3");
    expect(badSeed.code).not.toBe(0);
    expect(badSeed.stderr).toContain(
      "pomdp: option '-s, --seed <n>' argument '-3' is invalid. expected a non-negative integer",
    );
    const badCommand = pomdp("trian");
    expect(badCommand.code).not.toBe(0);
    expect(badCommand.stderr).toContain("pomdp: unknown command 'trian'");
    // One prefix: no line of the tool's errors starts with commander's "error:".
    for (const run of [badSeed, badCommand]) expect(run.stderr).not.toMatch(/^error:/m);
  });
});

describe("random rollout", () => {
  it("is reproducible for a seed and summarises returns and lengths", () => {
    const a = randomRollout("CartPole-v1", 5, 3);
    const b = randomRollout("CartPole-v1", 5, 3);
    expect({ ...a, stepsPerSec: 0 }).toEqual({ ...b, stepsPerSec: 0 });
    expect(a.meanReturn).toBe(a.meanLength); // reward 1 per step
    expect(a.minReturn).toBeLessThanOrEqual(a.meanReturn);
    expect(a.meanLength).toBeGreaterThan(8);
    expect(a.meanLength).toBeLessThan(60);
    expect(a.successRate).toBe(1); // every CartPole return is positive
    // Memory S7: a random walk ends at the matching object (return > 0) in some episodes, not all.
    const m = randomRollout("MiniGrid-MemoryS7-v0", 40, 0);
    expect(m.successRate).toBeGreaterThan(0);
    expect(m.successRate).toBeLessThan(1);
  });
});

describe("README", () => {
  it("shows the custom-env example exactly as the file that the tests run", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const example = fs.readFileSync(path.join(ROOT, "experiments/custom_env.ts"), "utf8");
    const body = example.slice(example.indexOf("import"));
    expect(readme).toContain(body.trim());
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm test");
  });
});
