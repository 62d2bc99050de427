// A run of your own env remembers its --require: `pomdp eval`, `record` and `train --resume` load the
// recorded modules again without being told, and say so when a recorded module has gone.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pomdp, ROOT } from "./helpers";

const MODULE = "experiments/custom_env.ts"; // registers RememberBit-v0
const RESUMABLE = "test/cli/fixtures/resumable_env.ts"; // registers GuessCoin-v0, which saves its state
const TRAIN = [
  "train",
  "--set",
  "net.hidden=[8]",
  "--envs",
  "2",
  "--set",
  "numSteps=32",
  "--seed",
  "1",
  "-q",
];

describe("a run trained with --require", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-modules-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("records its modules in config.json; eval and record load them again", () => {
    const run = path.join(dir, "done");
    const args = [...TRAIN, "--env", "RememberBit-v0", "-r", MODULE, "--steps", "128", "--out", run];
    const trained = pomdp(...args);
    expect(trained.stderr).toBe("");
    expect(trained.code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(run, "config.json"), "utf8"));
    expect(config.require).toEqual([{ module: MODULE, path: path.join(ROOT, MODULE) }]);

    const evaluated = pomdp("eval", run, "--episodes", "2");
    expect(evaluated.stderr).toBe("");
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ episodes: 2, envId: "RememberBit-v0" });

    // record makes the env (and draws it), which needs the module loaded.
    const gif = path.join(dir, "episode.gif");
    const recorded = pomdp("record", run, "--out", gif);
    expect(recorded.code).toBe(0);
    expect(fs.readFileSync(gif).subarray(0, 6).toString()).toBe("GIF89a");

    // A recorded module that has gone: the error names it; a --require given again still works.
    config.require[0].path = path.join(dir, "gone", "custom_env.ts");
    fs.writeFileSync(path.join(run, "config.json"), JSON.stringify(config));
    const gone = pomdp("eval", run, "--episodes", "2");
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(
      `pomdp: the run's env RememberBit-v0 comes from ${path.join(dir, "gone", "custom_env.ts")} (--require ${MODULE}, recorded in ${path.join(run, "config.json")}), which no longer exists; pass --require <its file> to load it`,
    );
    const given = pomdp("eval", run, "--episodes", "2", "--require", MODULE);
    expect(given.stderr).toBe("");
    expect(given.code).toBe(0);
  }, 120_000);

  it("a run stopped with Ctrl-C resumes without --require", async () => {
    const run = path.join(dir, "stopped");
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "src/bin.js"),
        ...TRAIN,
        "--env",
        "GuessCoin-v0",
        "-r",
        RESUMABLE,
        "--steps",
        "100000",
        "--checkpoint-every",
        "0",
        "--out",
        run,
      ],
      { cwd: ROOT, env: { ...process.env, POMDP_LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const metrics = path.join(run, "metrics.jsonl");
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, "utf8").includes('"update"'))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no update: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(stderr).toContain(`resume with: npx pomdp train --resume ${run}\n`);

    // The rest of 100,000 steps is too long: the resume is stopped too, once it has trained on.
    const resumed = spawn(process.execPath, [path.join(ROOT, "src/bin.js"), "train", "--resume", run, "-q"], {
      cwd: ROOT,
      env: { ...process.env, POMDP_LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let resumedErr = "";
    resumed.stderr.on("data", (d) => {
      resumedErr += d;
    });
    const size = fs.statSync(metrics).size;
    while (fs.statSync(metrics).size === size) {
      if (resumed.exitCode !== null || Date.now() > deadline + 60_000)
        throw new Error(`no resume: ${resumedErr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    resumed.kill("SIGINT");
    expect(await new Promise((resolve) => resumed.on("exit", resolve))).toBe(130);
    expect(resumedErr).not.toContain("No env registered");
    expect(resumedErr).toContain("checkpoint written");

    // Its module gone: --resume refuses, naming the recorded path.
    const configFile = path.join(run, "config.json");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
    expect(config.require).toEqual([{ module: RESUMABLE, path: path.join(ROOT, RESUMABLE) }]);
    config.require[0].path = path.join(dir, "gone.ts");
    fs.writeFileSync(configFile, JSON.stringify(config));
    const gone = pomdp("train", "--resume", run, "-q");
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(
      `pomdp: --resume ${run}: the run's env GuessCoin-v0 comes from ${path.join(dir, "gone.ts")} (--require ${RESUMABLE}, recorded in ${configFile}), which no longer exists; pass --require <its file> to load it`,
    );
  }, 180_000);
});
