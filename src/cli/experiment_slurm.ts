// `pomdp experiment … --executor slurm`'s own parts: its flags checked together, the Slurm executor they
// make, Ctrl-C (cancel the jobs, or leave them), and `--status` (where a detached experiment stands).
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { type ExperimentSpec, envSteps, planJobs } from "../train/experiment";
import { RunProgress } from "../train/run_progress";
import { logReason, SlurmExecutor } from "../train/slurm_executor";
import type { SlurmResources } from "../train/slurm_job";
import { slurmLogFile } from "../train/slurm_job";
import type { ExperimentRunOptions } from "./experiment";

/** The flags only `--executor slurm` takes, by their option names. */
const SLURM_FLAGS = ["slurmPartition", "slurmTime", "slurmCpus", "slurmMem", "slurmArgs", "detach"] as const;

/** `slurmTime` → `--slurm-time`. */
function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Refuses flags that do not go together: Slurm's flags without `--executor slurm`, `--workers` with it. */
export function checkExecutorFlags(opts: ExperimentRunOptions): void {
  const slurm = opts.executor === "slurm";
  if (!slurm && !opts.status) {
    const given = SLURM_FLAGS.filter((f) => opts[f] !== undefined && opts[f] !== false);
    if (given.length > 0)
      throw new Error(
        `${given.map(flagName).join(", ")}: for runs on Slurm; add --executor slurm (the runs now run here)`,
      );
  }
  if (slurm && opts.workers !== undefined)
    throw new Error(
      "--workers is the local executor's: under --executor slurm each run is a job of its own (its CPUs: --slurm-cpus)",
    );
  if (opts.status && opts.detach) throw new Error("--status and --detach: give one");
  if (opts.status && opts.scoreOnly) throw new Error("--status and --score-only: give one");
}

/** The resources each run's job asks for. */
export function slurmResources(opts: ExperimentRunOptions): SlurmResources {
  return {
    partition: opts.slurmPartition,
    time: opts.slurmTime,
    cpus: opts.slurmCpus,
    mem: opts.slurmMem,
    extraArgs: opts.slurmArgs,
  };
}

/**
 * Ctrl-C while the experiment's jobs run: stops the progress display, then on a terminal asks whether
 * to cancel them (scancel) or leave them; elsewhere leaves them, and says so. Either way the command then exits 130; a second
 * Ctrl-C ends it at once. Returns a function that removes the handler.
 */
export function onInterruptAskCancel(
  executor: SlurmExecutor,
  hint: string,
  stopDisplay: () => void = () => {},
): () => void {
  const onSigint = async () => {
    process.off("SIGINT", onSigint);
    stopDisplay();
    const n = executor.following;
    if (process.stdin.isTTY && process.stderr.isTTY) {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      const answer = await new Promise<string>((resolve) =>
        rl.question(
          `\nCtrl-C: cancel the experiment's ${n} Slurm jobs still queued or running (scancel)? [y/N] `,
          resolve,
        ),
      );
      rl.close();
      if (/^y(es)?$/i.test(answer.trim())) {
        const cancelled = await executor.cancelAll();
        console.error(`cancelled ${cancelled} jobs (their runs keep their checkpoints)`);
        process.exit(130);
      }
    }
    executor.stop();
    console.error(`\nCtrl-C: the experiment's ${n} Slurm jobs stay queued or running; ${hint}`);
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  return () => process.off("SIGINT", onSigint);
}

/** Where one run of a Slurm experiment stands. */
export interface RunStanding {
  /** The run's name. */
  name: string;
  /** done: trained and evaluated; failed: its job left the queue without that; unsubmitted: no job yet. */
  state: "done" | "running" | "pending" | "failed" | "unsubmitted";
  /** A few words: the job, its node or why it waits, its steps, or why it failed. */
  detail: string;
}

/** Where every run of the experiment in `out` stands, from one squeue and the run folders. */
export async function experimentStanding(spec: ExperimentSpec, out: string): Promise<RunStanding[]> {
  const executor = new SlurmExecutor({ out, log: () => {} });
  const queue = await executor.queued();
  return planJobs(spec, out).map((job) => {
    const name = path.basename(job.dir);
    const has = (file: string) => fs.existsSync(path.join(job.dir, file));
    if (has("summary.json") && has("eval.json")) return { name, state: "done", detail: "" };
    const queued = queue.get(name);
    if (queued !== undefined) {
      if (queued.state !== "RUNNING")
        return {
          name,
          state: "pending",
          detail: `job ${queued.jobId} ${queued.state.toLowerCase()} (${queued.reason})`,
        };
      const progress = new RunProgress({
        name,
        dir: job.dir,
        totalSteps: envSteps(spec, job.env),
        metric: job.env.metric ?? "finalReturn",
      });
      progress.poll();
      const s = progress.snapshot();
      const steps = s.started
        ? `, ${s.step.toLocaleString("en")}/${s.totalSteps.toLocaleString("en")} steps`
        : "";
      return { name, state: "running", detail: `job ${queued.jobId} on ${queued.nodes}${steps}` };
    }
    const log = slurmLogFile(out, name);
    if (fs.existsSync(log))
      return { name, state: "failed", detail: logReason(log) ?? "no reason in its log" };
    return { name, state: "unsubmitted", detail: has("checkpoint") ? "has a checkpoint" : "" };
  });
}

/** The lines `--status` prints: a count of each state, then a line per run not done. */
export function standingLines(spec: ExperimentSpec, standing: RunStanding[]): string[] {
  const count = (state: RunStanding["state"]) => standing.filter((s) => s.state === state).length;
  const head =
    `${spec.name}: ${standing.length} runs: ${count("done")} done, ${count("running")} running, ` +
    `${count("pending")} pending, ${count("failed")} failed, ${count("unsubmitted")} not submitted`;
  const lines = standing
    .filter((s) => s.state !== "done")
    .map(
      (s) =>
        `${(s.state === "unsubmitted" ? "not submitted" : s.state).padEnd(13)} ${s.name}${s.detail ? `: ${s.detail}` : ""}`,
    );
  return [head, ...lines];
}
