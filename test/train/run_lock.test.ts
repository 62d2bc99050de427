// One writer per run folder: train.lock refuses a second writer while its holder runs, is taken over
// when its holder is gone (or with --force), and `pomdp train`'s children stop when their parent dies.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchedParentPid, watchParent } from "../../src/train/parent_watch";
import {
  acquireRunLock,
  LOCK_FILE,
  type LockInfo,
  processStartTicks,
  REMOTE_LOCK_STALE_SECONDS,
  readLock,
} from "../../src/train/run_lock";

const ROOT = path.join(__dirname, "../..");
const BIN = path.join(ROOT, "src/bin.js");

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A lock file as another holder leaves it. */
function writeLock(run: string, info: LockInfo, ageSeconds = 0): void {
  fs.mkdirSync(run, { recursive: true });
  const file = path.join(run, LOCK_FILE);
  fs.writeFileSync(file, JSON.stringify(info));
  const t = new Date(Date.now() - ageSeconds * 1000);
  fs.utimesSync(file, t, t);
}

/** The pid of a process that has ended (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

describe("the run lock", () => {
  it("is created with the holder's pid, host and start time, and removed on release (with the folder it made)", () => {
    const run = path.join(dir, "run");
    const lock = acquireRunLock(run);
    const info = readLock(path.join(run, LOCK_FILE)) as LockInfo;
    expect(info).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(Date.parse(info.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(info.procStart).toBe(processStartTicks(process.pid));
    lock.release();
    lock.release();
    expect(fs.existsSync(run)).toBe(false);
    // A folder that holds the run's files stays.
    const again = acquireRunLock(run);
    fs.writeFileSync(path.join(run, "config.json"), "{}");
    again.release();
    expect(fs.readdirSync(run)).toEqual(["config.json"]);
  });

  it("refuses a second writer while the holder runs, naming it; --force takes it over", () => {
    const run = path.join(dir, "run");
    const first = acquireRunLock(run);
    const info = first.info;
    expect(() => acquireRunLock(run)).toThrow(
      `${run} is being written by another pomdp train (pid ${process.pid} on ${os.hostname()} since ${info.startedAt}): one writer per run folder; wait for it to end or stop it (--force takes the lock over anyway)`,
    );
    const warnings: string[] = [];
    const forced = acquireRunLock(run, { force: true, warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([
      `pomdp: warning: ${run}: taking over the lock of pid ${process.pid} on ${os.hostname()} since ${info.startedAt} (--force)`,
    ]);
    // The first holder's release leaves the new holder's lock alone.
    first.release();
    expect((readLock(path.join(run, LOCK_FILE)) as LockInfo).startedAt).toBe(forced.info.startedAt);
    forced.release();
  });

  it("takes over the lock of a process of this host that is gone, or whose pid another process now has", () => {
    const run = path.join(dir, "run");
    const pid = deadPid();
    writeLock(run, { pid, host: os.hostname(), startedAt: "2026-01-01T00:00:00.000Z" });
    const notes: string[] = [];
    const warnings: string[] = [];
    const lock = acquireRunLock(run, { note: (l) => notes.push(l), warn: (l) => warnings.push(l) });
    expect(notes).toEqual([
      `${run}: taking over the lock of pid ${pid} on ${os.hostname()} since 2026-01-01T00:00:00.000Z: pid ${pid} no longer runs`,
    ]);
    expect(warnings).toEqual([]);
    lock.release();
    // Our own pid, but another start time: the pid was reused, the holder is gone.
    writeLock(run, { pid: process.pid, host: os.hostname(), startedAt: "x", procStart: 1 });
    acquireRunLock(run).release();
  });

  it("refuses the lock of another host until its heartbeat is old", () => {
    const run = path.join(dir, "run");
    const other: LockInfo = { pid: 4242, host: "node-17", startedAt: "2026-01-01T00:00:00.000Z" };
    writeLock(run, other, 10);
    expect(() => acquireRunLock(run)).toThrow(
      `${run} is being written by another pomdp train (pid 4242 on node-17 since 2026-01-01T00:00:00.000Z): one writer per run folder; it may still run there; if it does not, pass --force (or wait ${REMOTE_LOCK_STALE_SECONDS} s after its last heartbeat)`,
    );
    writeLock(run, other, REMOTE_LOCK_STALE_SECONDS + 60);
    const notes: string[] = [];
    acquireRunLock(run, { note: (l) => notes.push(l) }).release();
    expect(notes[0]).toMatch(
      /taking over the lock of pid 4242 on node-17 .*: its heartbeat stopped \d+ s ago/,
    );
  });

  it("pomdp train refuses a locked run folder with one line, and --restart empties an unfinished run it holds", () => {
    const run = path.join(dir, "run");
    const holder = acquireRunLock(run);
    fs.writeFileSync(path.join(run, "metrics.jsonl"), "");
    const args = [
      "train",
      "-e",
      "CartPole-v1",
      "--steps",
      "512",
      "--set",
      "net.hidden=[8]",
      "-q",
      "--out",
      run,
    ];
    const refused = spawnSync(process.execPath, [BIN, ...args, "--restart"], { cwd: ROOT, encoding: "utf8" });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `pomdp: ${run} is being written by another pomdp train (pid ${process.pid} on ${os.hostname()} since ${holder.info.startedAt}): one writer per run folder; wait for it to end or stop it (--force takes the lock over anyway)`,
    );
    expect(fs.readdirSync(run).sort()).toEqual(["metrics.jsonl", LOCK_FILE]);
    holder.release();
    const restarted = spawnSync(process.execPath, [BIN, ...args, "--restart"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(restarted.stderr).toBe("");
    expect(restarted.status).toBe(0);
    expect(fs.existsSync(path.join(run, LOCK_FILE))).toBe(false);
    const again = spawnSync(process.execPath, [BIN, ...args, "--restart"], { cwd: ROOT, encoding: "utf8" });
    expect(again.stderr.trim()).toBe(
      `pomdp: --restart ${run}: the run is finished (summary.json exists); runs are never overwritten: pick a new folder`,
    );
  }, 60_000);
});

describe("the parent watch (POMDP_PARENT_PID)", () => {
  it("reads the pid, refuses what is not one, and tells once when the parent changes", async () => {
    expect(watchedParentPid({})).toBeUndefined();
    expect(watchedParentPid({ POMDP_PARENT_PID: "12" })).toBe(12);
    expect(() => watchedParentPid({ POMDP_PARENT_PID: "abc" })).toThrow(
      'POMDP_PARENT_PID must be a process id (an integer ≥ 1), got "abc"',
    );
    let ppid = 12;
    const gone: number[] = [];
    const stop = watchParent((pid) => gone.push(pid), {
      env: { POMDP_PARENT_PID: "12" },
      everyMs: 5,
      ppid: () => ppid,
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(gone).toEqual([]);
    ppid = 1;
    await new Promise((r) => setTimeout(r, 30));
    expect(gone).toEqual([12]);
    stop();
  });

  it("pomdp train whose parent is killed with SIGKILL writes a checkpoint and exits", async () => {
    const run = path.join(dir, "orphan");
    const err = path.join(dir, "stderr.txt");
    const train = [BIN, "train", "-e", "CartPole-NoVel-v1", "--lstm", "8", "--set", "net.hidden=[8]"];
    const command = `${[process.execPath, ...train, "--steps", "1000000", "-q", "--out", run].map((a) => `'${a}'`).join(" ")}`;
    // A shell as the parent, as a Slurm job script or the experiment runner is.
    const parent = spawn("bash", ["-c", `export POMDP_PARENT_PID=$$; ${command} 2>'${err}' & wait`], {
      cwd: ROOT,
      stdio: "ignore",
    });
    const lockFile = path.join(run, LOCK_FILE);
    const metrics = path.join(run, "metrics.jsonl");
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, "utf8").includes('"update"'))) {
      if (Date.now() > deadline) throw new Error("the run did not start within 60 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const child = (readLock(lockFile) as LockInfo).pid;
    parent.kill("SIGKILL");
    const gone = Date.now();
    while (
      fs.existsSync(`/proc/${child}`) &&
      fs.readFileSync(`/proc/${child}/stat`, "utf8").split(" ")[2] !== "Z"
    ) {
      if (Date.now() - gone > 30_000) throw new Error("pomdp train still runs 30 s after its parent died");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(fs.readFileSync(err, "utf8")).toMatch(
      /the parent process \(pid \d+\) is gone: saving a checkpoint at the end of this update, then exiting\nstopped after update \d+ of \d+ \(\d[\d,]* steps\); checkpoint written/,
    );
    expect(fs.existsSync(path.join(run, "checkpoint", "train-state.json"))).toBe(true);
    expect(fs.existsSync(lockFile)).toBe(false);
  }, 90_000);
});
