// The Slurm executor against a real single-node Slurm cluster (test/slurm/cluster.sh: munged, slurmctld
// and slurmd of Debian's slurm-wlm, no accounting): the tiny experiment scores as it does locally; a run
// requeued with `scontrol requeue` and a run whose slurmstepd and job script are killed with SIGKILL
// finish with the metrics of uninterrupted runs, and so does one sent SIGUSR1 as before its time limit;
// a failing run is reported with its error line; no run folder ever has two writers; Ctrl-C, --detach
// and --status; with accounting, sacct's state and exit code.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProcessExecutor, type RunScore, runExperiment } from "../../src/train/experiment";
import { SlurmExecutor } from "../../src/train/slurm_executor";
import { shellQuote } from "../../src/train/slurm_job";
import { slurmCommand } from "../../src/train/slurm_queue";
import { pomdp, ROOT } from "../cli/helpers";
import { clusterUnavailable, startCluster, stopCluster, type TestCluster } from "./cluster";
import spec from "./fixtures/tiny_slurm";

const FIXTURE = "test/slurm/fixtures/tiny_slurm.ts";
const unavailable = clusterUnavailable();
if (unavailable !== undefined)
  console.warn(`test/slurm: skipped: no Slurm cluster can start here: ${unavailable}`);
const noAccounting = clusterUnavailable(true);
if (noAccounting !== undefined && unavailable === undefined)
  console.warn(`test/slurm: the accounting tests are skipped: ${noAccounting}`);

/** A process's command line words, or undefined when it is gone. */
function cmdline(pid: string): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.split(") ")[1]?.[0] === "Z") return undefined;
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
}

/** Every live process: pid → command line words. */
function processes(): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const words = cmdline(pid);
    if (words !== undefined) all.set(pid, words);
  }
  return all;
}

/** The parent pid of a process. */
function ppid(pid: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1];
  } catch {
    return undefined;
  }
}

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

/** Waits until `check` holds (polling every 50 ms); throws naming `what` after `ms`. */
async function waitFor(check: () => boolean, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A run has a checkpoint and metrics written after it (so that a resume has lines to cut). */
function pastCheckpoint(dir: string): boolean {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, "checkpoint", "train-state.json"), "utf8"));
    return fs.statSync(path.join(dir, "metrics.jsonl")).size > state.metricsBytes;
  } catch {
    return false;
  }
}

/** The ms time of the first log.jsonl line of a run with this message. */
function loggedAt(dir: string, msg: string): number | undefined {
  const lines = fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").trim().split("\n");
  return lines.map((l) => JSON.parse(l)).find((l) => l.msg === msg)?.time;
}

/** How many times a run has resumed (its log.jsonl's "run resumed" lines; 0 before it has a log). */
function resumes(dir: string): number {
  try {
    return (fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").match(/"msg":"run resumed"/g) ?? []).length;
  } catch {
    return 0;
  }
}

/** The times its job script started, from a run's Slurm log (`pomdp-job: job N start K … at <ISO>`). */
function jobStarts(log: string): number[] {
  return [...fs.readFileSync(log, "utf8").matchAll(/^pomdp-job: job \d+ start \d+ on \S+ at (\S+)$/gm)].map(
    (m) => Date.parse(m[1]),
  );
}

describe.skipIf(unavailable !== undefined)(
  "pomdp experiment --executor slurm on a single-node cluster",
  () => {
    let cluster: TestCluster;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slurm-exp-"));

    beforeAll(() => {
      const started = Date.now();
      cluster = startCluster();
      process.env.SLURM_CONF = cluster.conf;
      console.log(`cluster started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 30_000);

    afterAll(() => {
      if (cluster === undefined) return;
      const alive = stopCluster(cluster);
      delete process.env.SLURM_CONF;
      expect(alive).toEqual([]);
    }, 30_000);

    it("scores as locally; runs requeued (scontrol requeue, SIGUSR1 before the time limit) or killed finish with identical metrics; a bad config fails alone; one writer per run", async () => {
      const local = path.join(tmp, "local");
      const slurm = path.join(tmp, "slurm");
      // The reference, uninterrupted and local, meanwhile.
      const localScores = runExperiment(spec, {
        out: local,
        executor: new LocalProcessExecutor(1),
        command: "test",
        quick: false,
      });
      const lines: { at: number; line: string }[] = [];
      const executor = new SlurmExecutor({
        out: slurm,
        pollSeconds: 1,
        log: (line) => lines.push({ at: Date.now(), line }),
      });
      const runs = (name: string) => path.join(slurm, "runs", name);
      const requeued = runs("lstm--CartPole-NoVel-v1--s1");
      const killed = runs("lstm--CartPole-NoVel-v1--s2");
      // The writers of each run folder, looked at every 100 ms: never more than one.
      const writers = new Map<string, number>();
      const watch = setInterval(() => {
        const count = new Map<string, number>();
        for (const words of processes().values()) {
          if (!words.includes("train")) continue;
          const dir = words.find((w) => w.startsWith(path.join(slurm, "runs")));
          if (dir !== undefined) count.set(dir, (count.get(dir) ?? 0) + 1);
        }
        for (const [dir, n] of count) writers.set(dir, Math.max(n, writers.get(dir) ?? 0));
      }, 100);
      const jobOf = async (run: string) => (await executor.queued()).get(path.basename(run))?.jobId;
      let pass = runExperiment(spec, { out: slurm, executor, command: "test", quick: false });
      try {
        // scontrol requeue of a running job: SIGTERM, a checkpoint, the job back in the queue, resumed.
        await waitFor(() => pastCheckpoint(requeued), "the first run's checkpoint");
        const requeueJob = await jobOf(requeued);
        const requeuedAt = Date.now();
        const r = await slurmCommand("scontrol", ["requeue", requeueJob ?? "none"]);
        expect(r.stderr).toBe("");
        // Once resumed, the same run gets what Slurm sends a job near its time limit (--signal=B:USR1@…):
        // SIGUSR1 to the job script, which passes it on; a checkpoint, and the job requeues itself.
        const nearLimit = (async () => {
          await waitFor(() => resumes(requeued) === 1, "the requeued run to resume");
          const b = await slurmCommand("scancel", ["--batch", "--signal=USR1", requeueJob ?? "none"]);
          expect(b.stderr).toBe("");
        })();
        // kill -9 of a running job's slurmstepd and job script (its pomdp train sees its parent gone).
        await waitFor(() => pastCheckpoint(killed), "the second run's checkpoint", 120_000);
        const killJob = await jobOf(killed);
        const all = processes();
        const stepd = [...all].find(([, w]) => w[0].startsWith(`slurmstepd: [${killJob}.batch]`))?.[0];
        const script = [...all].find(([pid]) => stepd !== undefined && ppid(pid) === stepd)?.[0];
        expect(stepd).toBeDefined();
        expect(script).toBeDefined();
        process.kill(Number(stepd), "SIGKILL");
        process.kill(Number(script), "SIGKILL");
        const killedAt = Date.now();
        await nearLimit;
        let scores: RunScore[] = await pass;
        let resubmitted = false;
        if (scores.find((s) => s.run.endsWith(path.basename(killed)))?.status === "failed") {
          // Reported failed: the next pass submits it again (and leaves the finished ones).
          resubmitted = true;
          pass = runExperiment(spec, { out: slurm, executor, command: "test", quick: false });
          scores = await pass;
        }
        const reference = await localScores;
        const byRun = (s: RunScore[]) =>
          Object.fromEntries(s.map((x) => [x.run, x.status === "done" ? x.score : x.status]));
        expect(byRun(scores)).toEqual(byRun(reference));
        expect(scores.filter((s) => s.status === "done")).toHaveLength(4);
        for (const s of scores.filter((x) => x.status === "done"))
          expect(metrics(path.join(slurm, s.run))).toEqual(metrics(path.join(local, s.run)));
        const failed = scores.filter((s) => s.status === "failed");
        expect(failed.map((s) => s.run).sort()).toEqual([
          "runs/broken--CartPole-NoVel-v1--s1",
          "runs/broken--CartPole-NoVel-v1--s2",
        ]);
        // Without accounting, a job gone from the queue without summary.json and eval.json has failed.
        for (const f of failed)
          expect(f.error).toMatch(
            /^broken--CartPole-NoVel-v1--s\d: job \d+ left the queue without finishing the run: ppo config: field "gamma": expected ≤ 1, got 2$/,
          );
        // The interrupted runs resumed from a checkpoint rather than starting again: the requeued one
        // twice (after scontrol requeue, then after SIGUSR1), the killed one once.
        const resumedAt = loggedAt(requeued, "run resumed");
        expect(resumes(requeued)).toBe(2);
        expect(fs.readFileSync(path.join(slurm, "slurm", `${path.basename(requeued)}.log`), "utf8")).toMatch(
          /^pomdp-job: the time limit is near: checkpoint written, requeueing job \d+$/m,
        );
        expect(resumes(killed)).toBe(1);
        // One writer per run folder, always (and the watch saw every run that trained).
        expect([...writers.values()].every((n) => n === 1)).toBe(true);
        for (const s of scores.filter((x) => x.status === "done"))
          expect(writers.get(path.join(slurm, s.run))).toBe(1);
        // The figures the README quotes.
        const submitted = (run: string) =>
          lines.find((l) => l.line.startsWith(`queued ${run}:`))?.at ?? Number.NaN;
        const startDelays = ["mlp--CartPole-NoVel-v1--s1", "lstm--CartPole-NoVel-v1--s1"].map(
          (run) => jobStarts(path.join(slurm, "slurm", `${run}.log`))[0] - submitted(run),
        );
        const killedStarts = jobStarts(path.join(slurm, "slurm", `${path.basename(killed)}.log`));
        console.log(
          [
            `scores (local = slurm): ${JSON.stringify(byRun(scores))}`,
            `submit to running (first two jobs): ${startDelays.map((d) => `${(d / 1000).toFixed(2)} s`).join(", ")}`,
            `requeue to resumed (scontrol requeue to "run resumed"): ${(((resumedAt ?? 0) - requeuedAt) / 1000).toFixed(1)} s`,
            `kill -9 to the job's next start: ${((killedStarts[killedStarts.length - 1] - killedAt) / 1000).toFixed(1)} s (${resubmitted ? "reported failed, resubmitted by the next pass" : "requeued by Slurm"})`,
          ].join("\n"),
        );
      } finally {
        clearInterval(watch);
        executor.stop();
      }
    }, 240_000);

    it("Ctrl-C on a terminal asks whether to cancel the jobs; y cancels them (scancel)", async () => {
      const out = path.join(tmp, "asked");
      const command = [
        process.execPath,
        path.join(ROOT, "src/bin.js"),
        "experiment",
        FIXTURE,
        ...["--executor", "slurm", "--seeds", "1", "--out", out, "--slurm-args", "--hold"],
      ]
        .map(shellQuote)
        .join(" ");
      // `script` gives the command a terminal; Ctrl-C typed there is SIGINT, as at a user's keyboard.
      const term = spawn("script", ["-qfec", command, "/dev/null"], {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "ignore"],
        env: { ...process.env, POMDP_SLURM_POLL_SECONDS: "1" },
      });
      let screen = "";
      term.stdout.on("data", (d) => {
        screen += d;
      });
      await waitFor(() => (screen.match(/held \S+: job \d+/g) ?? []).length === 3, "three held jobs", 60_000);
      term.stdin.write("\x03");
      await waitFor(() => screen.includes("(scancel)? [y/N] "), "the question", 30_000);
      expect(screen).toContain(
        "Ctrl-C: cancel the experiment's 3 Slurm jobs still queued or running (scancel)? [y/N] ",
      );
      term.stdin.write("y\r");
      const code = await new Promise<number | null>((resolve) => term.on("exit", (c) => resolve(c)));
      expect(screen).toContain("cancelled 3 jobs (their runs keep their checkpoints)");
      expect(code).toBe(130);
      const left = await new SlurmExecutor({ out, log: () => {} }).queued();
      expect([...left.values()].filter((j) => j.state !== "CANCELLED")).toEqual([]);
    }, 120_000);

    it("Ctrl-C leaves the jobs (no terminal to ask); --detach finds them queued; --status says where they stand and writes the report once all have finished", async () => {
      const out = path.join(tmp, "detached");
      const flags = ["--executor", "slurm", "--seeds", "1", "--out", out];
      // Held jobs (sbatch --hold) stay queued until released: what each command finds is certain.
      const held = spawn(
        process.execPath,
        [path.join(ROOT, "src/bin.js"), "experiment", FIXTURE, ...flags, "--slurm-args", "--hold"],
        {
          cwd: ROOT,
          stdio: ["ignore", "ignore", "pipe"],
          env: { ...process.env, POMDP_SLURM_POLL_SECONDS: "1" },
        },
      );
      let stderr = "";
      held.stderr.on("data", (d) => {
        stderr += d;
      });
      await waitFor(() => (stderr.match(/^held /gm) ?? []).length === 3, "three held jobs", 60_000);
      expect(stderr).toMatch(
        /^held mlp--CartPole-NoVel-v1--s1: job (\d+) \(JobHeldUser\): release it with scontrol release \1, or cancel it with scancel \1$/m,
      );
      held.kill("SIGINT");
      const code = await new Promise<number | null>((resolve) => held.on("exit", (c) => resolve(c)));
      expect(code).toBe(130);
      expect(stderr).toContain(
        `Ctrl-C: the experiment's 3 Slurm jobs stay queued or running; where they stand: pomdp experiment ${FIXTURE} ${flags.join(" ")} --slurm-args --hold --status; this command again waits for them and writes the report`,
      );
      // Run again, detached, while they are queued: each is found by name and left alone.
      const again = pomdp("experiment", FIXTURE, ...flags, "--detach");
      expect(again.code).toBe(0);
      expect(again.stderr.match(/^queued .*: job \d+ is pending already; left alone$/gm)).toHaveLength(3);
      expect(again.stderr).toContain(
        `submitted; where the runs stand: pomdp experiment ${FIXTURE} ${flags.join(" ")} --status`,
      );
      const early = pomdp("experiment", FIXTURE, ...flags, "--status");
      expect(early.stderr).toContain(
        "tiny-slurm: 3 runs: 0 done, 0 running, 3 pending, 0 failed, 0 not submitted",
      );
      expect(early.stderr).toMatch(/^pending +mlp--CartPole-NoVel-v1--s1: job \d+ pending \(JobHeldUser\)$/m);
      expect(early.stderr).toContain("the report is written once every run has finished");
      expect(fs.existsSync(path.join(out, "report.html"))).toBe(false);
      const jobs = [...(await new SlurmExecutor({ out, log: () => {} }).queued()).values()].map(
        (j) => j.jobId,
      );
      expect((await slurmCommand("scontrol", ["release", jobs.join(",")])).code).toBe(0);
      let status = early;
      await waitFor(
        () => {
          status = pomdp("experiment", FIXTURE, ...flags, "--status");
          return /0 running, 0 pending/.test(status.stderr);
        },
        "every detached run to finish",
        120_000,
      );
      expect(status.stderr).toContain(
        "tiny-slurm: 3 runs: 2 done, 0 running, 0 pending, 1 failed, 0 not submitted",
      );
      expect(status.stderr).toContain(
        'failed        broken--CartPole-NoVel-v1--s1: ppo config: field "gamma": expected ≤ 1, got 2',
      );
      expect(fs.existsSync(path.join(out, "report.html"))).toBe(true);
      expect(status.code).toBe(1);
    }, 180_000);
  },
);

describe.skipIf(noAccounting !== undefined)(
  "the Slurm executor on a cluster that keeps accounting (slurmdbd, MariaDB)",
  () => {
    let cluster: TestCluster;

    beforeAll(() => {
      const started = Date.now();
      cluster = startCluster(true);
      process.env.SLURM_CONF = cluster.conf;
      console.log(`cluster with accounting started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 60_000);

    afterAll(() => {
      if (cluster === undefined) return;
      const alive = stopCluster(cluster);
      delete process.env.SLURM_CONF;
      expect(alive).toEqual([]);
    }, 30_000);

    it("says how a failed run's job ended (sacct's state and exit code) beside its error line", async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "slurm-acct-"));
      const lines: string[] = [];
      const executor = new SlurmExecutor({ out, pollSeconds: 1, log: (line) => lines.push(line) });
      const one = { ...spec, agents: spec.agents.filter((a) => a.id !== "lstm"), seeds: 1, compare: [] };
      const scores = await runExperiment(one, { out, executor, command: "test", quick: false });
      expect(scores.map((s) => `${s.run} ${s.status}`)).toEqual([
        "runs/mlp--CartPole-NoVel-v1--s1 done",
        "runs/broken--CartPole-NoVel-v1--s1 failed",
      ]);
      expect(scores[0].score).toBe(28.4);
      expect(scores[1].error).toMatch(
        /^broken--CartPole-NoVel-v1--s1: job \d+ ended FAILED \(exit 1:0\) without finishing the run: ppo config: field "gamma": expected ≤ 1, got 2$/,
      );
      expect(lines.join("\n")).not.toContain("keeps no accounting");
    }, 120_000);
  },
);
