// Runs you can trust: a run killed mid-way and resumed from its checkpoint writes exactly what an
// uninterrupted run writes; Ctrl-C checkpoints and exits 130; --resume refuses what it cannot resume.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");
const BIN = path.join(ROOT, "src/bin.js");
const ENV = { ...process.env, POMDP_LOG_LEVEL: "warn" };
/** A user env without getState/setState (registers Stateless-v0), for the refused resume. */
const STATELESS_ENV = "test/train/fixtures/stateless_env.ts";

function pomdp(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: ENV,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A small recurrent PPO run on CartPole without velocities: 64 updates of 4 envs × 32 steps. */
const RUN = [
  "train",
  "-e",
  "CartPole-NoVel-v1",
  "--lstm",
  "8",
  "--set",
  "net.hidden=[8]",
  "--envs",
  "4",
  "--set",
  "numSteps=32",
  "--steps",
  "8192",
  "--seed",
  "5",
  "-q",
];

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "resume-"));

/** metrics.jsonl without the machine figures (sps, rssMb). */
function metrics(dir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const { sps: _sps, rssMb: _rss, ...rest } = JSON.parse(line);
      return rest;
    });
}

async function waitFor(check: () => boolean, what: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!check()) {
    if (child.exitCode !== null) throw new Error(`the run exited (${child.exitCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

describe("checkpoints and pomdp train --resume", () => {
  const base = tmp();
  const full = path.join(base, "full");

  it("a run killed with SIGKILL and resumed writes the same metrics and final weights as an uninterrupted one", async () => {
    const done = pomdp(...RUN, "--out", full);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(fs.existsSync(path.join(full, "checkpoint"))).toBe(false); // a finished run keeps final/ only

    const killed = path.join(base, "killed");
    const child = spawn(process.execPath, [BIN, ...RUN, "--out", killed, "--checkpoint-every", "2"], {
      cwd: ROOT,
      env: ENV,
      stdio: "ignore",
    });
    const state = path.join(killed, "checkpoint", "train-state.json");
    await waitFor(() => fs.existsSync(state), "its first checkpoint", child);
    // Let it run on past the checkpoint, so the resume has metrics lines to cut.
    const linesAtCheckpoint = () => JSON.parse(fs.readFileSync(state, "utf8")).metricsBytes as number;
    await waitFor(
      () => fs.statSync(path.join(killed, "metrics.jsonl")).size > linesAtCheckpoint(),
      "metrics after the checkpoint",
      child,
    );
    child.kill("SIGKILL");
    expect((await exited(child)).signal).toBe("SIGKILL");
    expect(fs.existsSync(path.join(killed, "summary.json"))).toBe(false);

    const resumed = pomdp("train", "--resume", killed);
    expect(resumed.stderr).not.toMatch(/Error|warning/);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout.trim())).toMatchObject({ steps: 8192 });
    expect(metrics(killed)).toEqual(metrics(full));
    for (const file of ["weights.bin", "agent-state.json"]) {
      expect(fs.readFileSync(path.join(killed, "final", file))).toEqual(
        fs.readFileSync(path.join(full, "final", file)),
      );
    }
  }, 180_000);

  it("Ctrl-C writes a checkpoint at the next update boundary, exits 130 and says how to resume", async () => {
    const dir = path.join(base, "interrupted");
    const child = spawn(process.execPath, [BIN, ...RUN, "--out", dir, "--checkpoint-every", "0"], {
      cwd: ROOT,
      env: ENV,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const metricsFile = path.join(dir, "metrics.jsonl");
    await waitFor(
      () => fs.existsSync(metricsFile) && fs.readFileSync(metricsFile, "utf8").includes('"update"'),
      "its first update",
      child,
    );
    child.kill("SIGINT");
    const { code } = await exited(child);
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopped after update \d+ of 64 \(\d+ steps\); checkpoint written/);
    expect(stderr).toContain(`resume with: npx pomdp train --resume ${dir}`);
    expect(fs.existsSync(path.join(dir, "checkpoint", "train-state.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "summary.json"))).toBe(false);

    const resumed = pomdp("train", "--resume", dir);
    expect(resumed.code).toBe(0);
    if (fs.existsSync(full)) expect(metrics(dir)).toEqual(metrics(full));
  }, 180_000);

  it("refuses, with one clear line, what it cannot resume", () => {
    const notRun = tmp();
    expect(pomdp("train", "--resume", notRun).stderr.trim()).toBe(
      `pomdp: --resume ${notRun}: not a run folder (config.json is missing); pass the folder pomdp train wrote`,
    );
    const missing = path.join(notRun, "nope");
    expect(pomdp("train", "--resume", missing).stderr.trim()).toBe(
      `pomdp: --resume ${missing}: no such folder`,
    );

    const corrupt = tmp();
    fs.writeFileSync(path.join(corrupt, "config.json"), '{"agent":');
    const bad = pomdp("train", "--resume", corrupt);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^pomdp: --resume ${corrupt}: config.json is corrupt: not JSON`));
    fs.writeFileSync(path.join(corrupt, "config.json"), '{"agent":"ppo","envId":"CartPole-v1"}');
    expect(pomdp("train", "--resume", corrupt).stderr.trim()).toBe(
      `pomdp: --resume ${corrupt}: config.json is corrupt: expected agent and envId (strings), seed (an integer ≥ 0), config (an object) and backend`,
    );

    // A finished run (the uninterrupted one above, or a fresh tiny one).
    const finished = path.join(tmp(), "finished");
    expect(
      pomdp(
        "train",
        "-e",
        "CartPole-v1",
        "--steps",
        "512",
        "--set",
        "net.hidden=[8]",
        "-q",
        "--out",
        finished,
      ).code,
    ).toBe(0);
    expect(pomdp("train", "--resume", finished).stderr.trim()).toBe(
      `pomdp: --resume ${finished}: the run is finished (summary.json exists); there is nothing to resume`,
    );

    // A run that stopped before its first checkpoint: config.json but no checkpoint/.
    const early = tmp();
    fs.copyFileSync(path.join(finished, "config.json"), path.join(early, "config.json"));
    fs.copyFileSync(path.join(finished, "metrics.jsonl"), path.join(early, "metrics.jsonl"));
    const none = pomdp("train", "--resume", early);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(
      `pomdp: --resume ${early}: no checkpoint to resume from (checkpoint/train-state.json is missing): the run stopped before its first checkpoint; start it again`,
    );
    // Nothing was touched.
    expect(fs.readdirSync(early).sort()).toEqual(["config.json", "metrics.jsonl"]);

    expect(pomdp("train", "--resume", early, "--steps", "5", "--seed", "2").stderr.trim()).toBe(
      "pomdp: --resume continues a run with the config in its config.json; drop --steps, --seed",
    );
  }, 180_000);

  it("refuses a run whose env does not save its state, naming the env", async () => {
    const dir = path.join(tmp(), "user-env");
    const args = ["train", "-r", STATELESS_ENV, "-e", "Stateless-v0", "--envs", "2"];
    const child = spawn(
      process.execPath,
      [
        BIN,
        ...args,
        "--set",
        "numSteps=8",
        "--set",
        "net.hidden=[8]",
        "--steps",
        "1000000",
        "-q",
        "--out",
        dir,
      ],
      { cwd: ROOT, env: ENV, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const metricsFile = path.join(dir, "metrics.jsonl");
    await waitFor(
      () => fs.existsSync(metricsFile) && fs.readFileSync(metricsFile, "utf8").includes('"update"'),
      "its first update",
      child,
    );
    child.kill("SIGINT");
    expect((await exited(child)).code).toBe(130);
    expect(stderr).toMatch(
      /the run cannot be resumed: the env Stateless-v0 \(StatelessEnv\) does not save its state/,
    );
    const refused = pomdp("train", "-r", STATELESS_ENV, "--resume", dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `pomdp: --resume ${dir}: cannot resume: the env Stateless-v0 (StatelessEnv) does not save its state (it has no getState/setState), so the checkpoint holds no env state`,
    );
  }, 180_000);
});
