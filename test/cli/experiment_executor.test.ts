// `pomdp experiment`'s executor flags (checked before anything runs), and the local executor's children
// that do not outlive a killed runner.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseExperimentScriptArgs, runExperimentAndReport } from "../../src/cli/experiment";
import { checkExecutorFlags } from "../../src/cli/experiment_slurm";
import { LOCK_FILE } from "../../src/train/run_lock";
import { pomdp, ROOT } from "./helpers";

const TINY = "test/slurm/fixtures/tiny_slurm.ts";

/** The pids of the processes whose command line mentions `text`. */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (cmdline.includes(text) && state !== "Z") pids.push(Number(entry));
    } catch {
      /* ended meanwhile */
    }
  }
  return pids;
}

describe("pomdp experiment's executor flags", () => {
  const check =
    (...argv: string[]) =>
    () =>
      checkExecutorFlags(parseExperimentScriptArgs("pomdp experiment", argv));

  it("parses the Slurm flags and refuses bad values with one line naming the flag", () => {
    expect(
      parseExperimentScriptArgs("pomdp experiment", [
        "--executor",
        "slurm",
        "--slurm-time",
        "4:00:00",
        "--slurm-mem",
        "4G",
        "--slurm-cpus",
        "2",
        "--slurm-partition",
        "gpu,cpu",
        "--slurm-args",
        `--account=abc --comment="two words"`,
      ]),
    ).toMatchObject({
      executor: "slurm",
      slurmTime: "4:00:00",
      slurmMem: "4G",
      slurmCpus: 2,
      slurmPartition: "gpu,cpu",
      slurmArgs: ["--account=abc", "--comment=two words"],
    });
    for (const [flag, value, message] of [
      [
        "--slurm-time",
        "4h",
        'expected a Slurm time limit such as 4:00:00 (h:mm:ss), 90 (minutes) or 1-12:00:00 (days-h:mm:ss), got "4h"',
      ],
      [
        "--slurm-mem",
        "lots",
        'expected a memory size such as 4G or 4000M (megabytes without a unit), got "lots"',
      ],
      ["--slurm-partition", "a b", 'expected a partition name (or several, separated by commas), got "a b"'],
      ["--slurm-args", "--comment='x", `--slurm-args: unbalanced ' in "--comment='x"`],
      ["--executor", "k8s", "Allowed choices are local, slurm."],
    ]) {
      const r = pomdp("experiment", TINY, flag, value);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/^pomdp: /);
    }
  }, 60_000);

  it("refuses flags that do not go together", () => {
    expect(check("--slurm-time", "10", "--detach")).toThrow(
      "--slurm-time, --detach: for runs on Slurm; add --executor slurm (the runs now run here)",
    );
    expect(check("--executor", "slurm", "--workers", "2")).toThrow(
      "--workers is the local executor's: under --executor slurm each run is a job of its own (its CPUs: --slurm-cpus)",
    );
    expect(check("--executor", "slurm", "--status", "--detach")).toThrow("--status and --detach: give one");
    expect(check("--executor", "slurm", "--slurm-time", "1-0")).not.toThrow();
    // As the command sees them: refused before anything runs.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-flags-"));
    const opts = parseExperimentScriptArgs("pomdp experiment", ["--slurm-mem", "2G", "--out", out]);
    return expect(runExperimentAndReport({} as never, opts, "test")).rejects.toThrow(
      "--slurm-mem: for runs on Slurm; add --executor slurm (the runs now run here)",
    );
  });
});

describe("the local executor's children", () => {
  it("stop (with a checkpoint) when pomdp experiment is killed with SIGKILL; the next pass resumes them", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "exp-killed-"));
    const runner = spawn(
      process.execPath,
      [path.join(ROOT, "src/bin.js"), "experiment", TINY, "--workers", "1", "--seeds", "1", "--out", out],
      { cwd: ROOT, stdio: "ignore", env: { ...process.env, POMDP_LOG_LEVEL: "warn" } },
    );
    const run = path.join(out, "runs", "mlp--CartPole-NoVel-v1--s1");
    const metrics = path.join(run, "metrics.jsonl");
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, "utf8").includes('"update"'))) {
      if (Date.now() > deadline) throw new Error("the first run did not start within 60 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(processesWith(run)).toHaveLength(1);
    runner.kill("SIGKILL");
    const killed = Date.now();
    while (processesWith(run).length > 0) {
      if (Date.now() - killed > 30_000)
        throw new Error("the run still trains 30 s after its runner was killed");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(fs.existsSync(path.join(run, "summary.json"))).toBe(false);
    expect(fs.existsSync(path.join(run, "checkpoint", "train-state.json"))).toBe(true);
    expect(fs.existsSync(path.join(run, LOCK_FILE))).toBe(false);
    const again = pomdp(
      "experiment",
      TINY,
      "--workers",
      "2",
      "--seeds",
      "1",
      "--out",
      out,
      "--progress-every",
      "0",
    );
    expect(again.stderr).toContain("done   mlp--CartPole-NoVel-v1--s1");
    expect(fs.existsSync(path.join(run, "summary.json"))).toBe(true);
    expect(fs.readFileSync(path.join(run, "log.jsonl"), "utf8")).toContain('"msg":"run resumed"');
  }, 120_000);
});
