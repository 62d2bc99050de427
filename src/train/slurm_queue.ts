// Asking Slurm where jobs stand: `squeue` for the jobs still queued or running (all of a user's at
// once), `sacct --parsable2` for how finished ones ended (its --json differs between versions). On a
// cluster without accounting, sacct says so, and the caller works from squeue and the run folders.
import { execFile } from "node:child_process";
import * as os from "node:os";

/** A job as squeue lists it. */
export interface QueuedJob {
  /** The job id. */
  jobId: string;
  /** The job name. */
  name: string;
  /** Its state, long form: PENDING, RUNNING, COMPLETING, REQUEUED, SUSPENDED, CONFIGURING … */
  state: string;
  /** Why it waits (Resources, Priority, BeginTime, Dependency …) or "None". */
  reason: string;
  /** The node(s) it runs on; empty while pending. */
  nodes: string;
}

/** How a finished job ended, as sacct says. */
export interface FinishedJob {
  /** COMPLETED, FAILED, CANCELLED by <uid>, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED … */
  state: string;
  /** `<exit code>:<signal>`. */
  exitCode: string;
}

/** squeue's output format: job id, name, state, reason, nodes, separated by "|". */
export const SQUEUE_FORMAT = "%i|%j|%T|%r|%N";

/** sacct's fields (with --parsable2: separated by "|"). */
export const SACCT_FIELDS = "JobID,JobName,State,ExitCode";

/** Parses `squeue --noheader --format=SQUEUE_FORMAT`; throws on a line it does not understand. */
export function parseSqueue(text: string): QueuedJob[] {
  const jobs: QueuedJob[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split("|");
    if (fields.length < 5 || !/^\d+/.test(fields[0]))
      throw new Error(`squeue printed a line that is not "jobid|name|state|reason|nodes": ${line}`);
    // A name with "|" in it (not one of ours) takes the fields between the id and the last three.
    const [jobId, ...rest] = fields;
    const nodes = rest.pop() ?? "";
    const reason = rest.pop() ?? "";
    const state = rest.pop() ?? "";
    jobs.push({ jobId, name: rest.join("|"), state, reason, nodes });
  }
  return jobs;
}

/** Parses `sacct --parsable2 --noheader --allocations --format=SACCT_FIELDS`: job id → how it ended. */
export function parseSacct(text: string): Map<string, FinishedJob> {
  const jobs = new Map<string, FinishedJob>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split("|");
    if (fields.length < 4) throw new Error(`sacct printed a line that is not "${SACCT_FIELDS}": ${line}`);
    const exitCode = fields[fields.length - 1];
    const state = fields[fields.length - 2];
    jobs.set(fields[0], { state, exitCode });
  }
  return jobs;
}

/** Whether sacct's output says that the cluster keeps no accounting (no slurmdbd). */
export function accountingDisabled(output: string): boolean {
  return /accounting storage is disabled/i.test(output);
}

/** The result of a Slurm command. */
export interface CommandResult {
  /** Exit code (null: killed by a signal or not run). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm command (no shell); a command that cannot be started gives code null and why in stderr. */
export function slurmCommand(command: string, args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
      const why =
        err === null || code !== null
          ? ""
          : err.code === "ENOENT"
            ? `${command} is not installed here (or not on PATH): Slurm's commands must be where pomdp experiment --executor slurm runs`
            : `${command}: ${err.message}`;
      resolve({ code, stdout: String(stdout), stderr: `${stderr}${why}` });
    });
  });
}

/** Every job of this user that squeue lists (queued, running, completing). */
export async function listQueue(user = os.userInfo().username): Promise<QueuedJob[]> {
  const r = await slurmCommand("squeue", ["--noheader", `--user=${user}`, `--format=${SQUEUE_FORMAT}`]);
  if (r.code !== 0)
    throw new Error(
      r.code === null
        ? lastLine(r.stderr)
        : `squeue failed (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}`,
    );
  return parseSqueue(r.stdout);
}

/**
 * How finished jobs ended, from sacct; `undefined` when the cluster keeps no accounting. Throws when
 * sacct fails otherwise.
 */
export async function finishedJobs(jobIds: string[]): Promise<Map<string, FinishedJob> | undefined> {
  if (jobIds.length === 0) return new Map();
  const r = await slurmCommand("sacct", [
    "--parsable2",
    "--noheader",
    "--allocations",
    `--jobs=${jobIds.join(",")}`,
    `--format=${SACCT_FIELDS}`,
  ]);
  if (accountingDisabled(`${r.stdout}\n${r.stderr}`)) return undefined;
  if (r.code !== 0) throw new Error(`sacct failed (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}`);
  return parseSacct(r.stdout);
}

/** The last non-empty line of a command's output. */
export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .pop() ?? "(no output)"
  );
}
