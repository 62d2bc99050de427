// What the Slurm executor submits and reads, without a cluster: job names, sbatch's arguments, the job
// script's choice of start, resume and eval (run by bash with a stand-in for pomdp), squeue's and
// sacct's --parsable2 output, and a failed job's reason from its log.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunTask } from "../../src/train/executor";
import { logReason, pollSecondsFromEnv } from "../../src/train/slurm_executor";
import { splitShellWords } from "../../src/train/slurm_flags";
import { jobNamePrefix, jobScript, sbatchArgs, shellQuote } from "../../src/train/slurm_job";
import { accountingDisabled, parseSacct, parseSqueue } from "../../src/train/slurm_queue";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slurm-job-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a run's Slurm job", () => {
  it("is named after the run, under a prefix of its results folder", () => {
    const prefix = jobNamePrefix("/shared/results/which-memory");
    expect(prefix).toMatch(/^pomdp\.[0-9a-f]{8}\.$/);
    expect(jobNamePrefix("/shared/results/which-memory/")).toBe(prefix);
    expect(jobNamePrefix("/shared/results/which-memory-quick")).not.toBe(prefix);
  });

  it("asks sbatch for a singleton, requeueable job with SIGUSR1 before its limit, and the user's flags last", () => {
    expect(
      sbatchArgs("pomdp.0a1b2c3d.mlp--CartPole-v1--s1", "/r/slurm/mlp.log", "/repo", {
        partition: "cpu",
        time: "4:00:00",
        cpus: 2,
        mem: "4G",
        extraArgs: ["--account=abc"],
      }),
    ).toEqual([
      "--parsable",
      "--job-name=pomdp.0a1b2c3d.mlp--CartPole-v1--s1",
      "--dependency=singleton",
      "--requeue",
      "--open-mode=append",
      "--signal=B:USR1@120",
      "--output=/r/slurm/mlp.log",
      "--chdir=/repo",
      "--partition=cpu",
      "--time=4:00:00",
      "--cpus-per-task=2",
      "--mem=4G",
      "--account=abc",
    ]);
  });

  it("quotes and splits words as a shell does", () => {
    const words = ["plain", "net.hidden=[8]", "two words", `it's`, '{"k": 1}', ""];
    expect(splitShellWords(words.map(shellQuote).join(" "))).toEqual(words);
    expect(splitShellWords(`  --qos=low   --comment="a \\"b\\""  x\\ y `)).toEqual([
      "--qos=low",
      '--comment=a "b"',
      "x y",
    ]);
    expect(() => splitShellWords(`--comment="x`)).toThrow(`--slurm-args: unbalanced " in "--comment="x"`);
  });

  it("starts, resumes or only evaluates the run, as its folder says when the job starts", () => {
    const run = path.join(dir, "runs", "mlp--CartPole-v1--s1");
    const calls = path.join(dir, "calls.txt");
    // A stand-in for node + src/bin.js: records its arguments; `train` leaves what a finished run leaves.
    const stub = path.join(dir, "node-stub");
    fs.writeFileSync(
      stub,
      `#!/bin/bash\nshift\necho "$*" >> ${shellQuote(calls)}\nif [ "$1" = train ] && [ -n "$STUB_FINISH" ]; then mkdir -p ${shellQuote(run)}; touch ${shellQuote(run)}/summary.json; fi\nif [ "$1" = eval ]; then touch ${shellQuote(run)}/eval.json; fi\nexit "\${STUB_EXIT:-0}"\n`,
      { mode: 0o755 },
    );
    const task: RunTask = {
      name: "mlp--CartPole-v1--s1",
      dir: run,
      start: ["train", "--env", "CartPole-v1", "--set", "net.hidden=[8]", "--out", run, "--restart"],
      resume: ["train", "--resume", run, "-q"],
      evaluate: ["eval", run, "--out", path.join(run, "eval.json")],
    };
    const script = path.join(dir, "job.sh");
    fs.writeFileSync(script, jobScript(task, { node: stub, bin: "src/bin.js", cwd: dir }));
    expect(spawnSync("bash", ["-n", script]).status).toBe(0);
    const job = (env: Record<string, string> = {}) =>
      spawnSync("bash", [script], { encoding: "utf8", env: { ...process.env, SLURM_JOB_ID: "7", ...env } });
    const called = () => fs.readFileSync(calls, "utf8").trim().split("\n");

    // A failing start: the job fails, with pomdp's status, and evaluates nothing.
    const failed = job({ STUB_EXIT: "3" });
    expect(failed.status).toBe(3);
    expect(failed.stdout).toContain("pomdp-job: pomdp train exited with status 3");
    expect(called()).toEqual([`train --env CartPole-v1 --set net.hidden=[8] --out ${run} --restart`]);
    // With a checkpoint: resumed, then evaluated.
    fs.rmSync(calls);
    fs.mkdirSync(path.join(run, "checkpoint"), { recursive: true });
    expect(job({ STUB_FINISH: "1" }).status).toBe(0);
    expect(called()).toEqual([`train --resume ${run} -q`, `eval ${run} --out ${run}/eval.json`]);
    // Trained and evaluated: nothing to do.
    fs.rmSync(calls);
    const done = job();
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(
      /^pomdp-job: job 7 start 0 on \S+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m,
    );
    expect(fs.existsSync(calls)).toBe(false);
  });

  it("passes SIGUSR1 (the time limit is near) on to pomdp train, then requeues itself", async () => {
    const run = path.join(dir, "run");
    const calls = path.join(dir, "calls.txt");
    const stub = path.join(dir, "node-stub");
    // pomdp train stands in as a long sleep, ended by the SIGUSR1 passed on; scontrol records its call.
    fs.writeFileSync(stub, `#!/bin/bash\nshift\necho "$*" >> ${shellQuote(calls)}\nexec sleep 60\n`, {
      mode: 0o755,
    });
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(
      path.join(dir, "bin", "scontrol"),
      `#!/bin/bash\necho "scontrol $*" >> ${shellQuote(calls)}\n`,
      {
        mode: 0o755,
      },
    );
    const task: RunTask = {
      name: "r",
      dir: run,
      start: ["train", "--out", run],
      resume: [],
      evaluate: ["eval", run],
    };
    const script = path.join(dir, "job.sh");
    fs.writeFileSync(script, jobScript(task, { node: stub, bin: "src/bin.js", cwd: dir }));
    const job = spawn("bash", [script], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, SLURM_JOB_ID: "9", PATH: `${path.join(dir, "bin")}:${process.env.PATH}` },
    });
    let stdout = "";
    job.stdout.on("data", (d) => {
      stdout += d;
    });
    while (!fs.existsSync(calls)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    job.kill("SIGUSR1");
    const code = await new Promise<number | null>((resolve) => job.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(fs.readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      `train --out ${run}`,
      "scontrol requeue 9",
    ]);
    expect(stdout).toContain("pomdp-job: the time limit is near: checkpoint written, requeueing job 9");
  });
});

describe("reading Slurm", () => {
  it("parses squeue's lines, and refuses one it does not understand", () => {
    expect(
      parseSqueue(
        "12|pomdp.0a1b2c3d.mlp--x--s1|RUNNING|None|node7\n13|pomdp.0a1b2c3d.lstm--x--s1|PENDING|BeginTime|\n",
      ),
    ).toEqual([
      { jobId: "12", name: "pomdp.0a1b2c3d.mlp--x--s1", state: "RUNNING", reason: "None", nodes: "node7" },
      { jobId: "13", name: "pomdp.0a1b2c3d.lstm--x--s1", state: "PENDING", reason: "BeginTime", nodes: "" },
    ]);
    expect(() => parseSqueue("squeue: error: Invalid user\n")).toThrow(
      'squeue printed a line that is not "jobid|name|state|reason|nodes": squeue: error: Invalid user',
    );
  });

  it("parses sacct --parsable2 and knows when the cluster keeps no accounting", () => {
    const ended = parseSacct(
      "12|pomdp.a.mlp--x--s1|COMPLETED|0:0\n13|pomdp.a.lstm--x--s1|CANCELLED by 0|0:15\n14|b|FAILED|1:0\n",
    );
    expect(Object.fromEntries(ended)).toEqual({
      "12": { state: "COMPLETED", exitCode: "0:0" },
      "13": { state: "CANCELLED by 0", exitCode: "0:15" },
      "14": { state: "FAILED", exitCode: "1:0" },
    });
    expect(accountingDisabled("Slurm accounting storage is disabled")).toBe(true);
    expect(accountingDisabled("sacct: error: Problem talking to the database")).toBe(false);
  });

  it("takes a failed job's reason from its log's last pomdp error line, else its last line", () => {
    const log = path.join(dir, "run.log");
    expect(logReason(log)).toBeUndefined();
    fs.writeFileSync(
      log,
      "pomdp-job: job 7 start 0 on vm at 2026-01-01T00:00:00.000Z\npomdp: --out x: the folder exists\npomdp: warning: x: taking over the lock\npomdp-job: pomdp train exited with status 1\n",
    );
    expect(logReason(log)).toBe("--out x: the folder exists");
    fs.writeFileSync(
      log,
      "pomdp-job: job 7 start 0\nSegmentation fault (core dumped)\npomdp-job: pomdp train exited with status 139\n",
    );
    expect(logReason(log)).toBe("Segmentation fault (core dumped)");
  });

  it("polls every POMDP_SLURM_POLL_SECONDS, 5 by default", () => {
    expect(pollSecondsFromEnv({})).toBe(5);
    expect(pollSecondsFromEnv({ POMDP_SLURM_POLL_SECONDS: "0.5" })).toBe(0.5);
    expect(() => pollSecondsFromEnv({ POMDP_SLURM_POLL_SECONDS: "0" })).toThrow(
      'POMDP_SLURM_POLL_SECONDS must be a positive number of seconds, got "0"',
    );
  });
});
