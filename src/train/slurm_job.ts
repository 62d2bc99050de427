// What the Slurm executor submits for one run: its job name (unique per results folder), its sbatch
// arguments, and its job script, which trains the run (resuming from its checkpoint when it has one)
// and evaluates it. A job requeued by Slurm (node failure, preemption, `scontrol requeue`) or by
// itself before its time limit (SIGUSR1) runs the same script again and so resumes the run.
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { RunTask } from "./executor";
import { PARENT_PID_ENV } from "./parent_watch";

/** Seconds before its time limit at which Slurm sends a job SIGUSR1 (`--signal=B:USR1@120`). */
export const SLURM_SIGNAL_SECONDS = 120;

/** The Slurm resources asked for each run's job (`pomdp experiment --slurm-…`). */
export interface SlurmResources {
  /** `--partition`. */
  partition?: string;
  /** `--time` (a Slurm time: minutes, h:mm:ss, d-hh:mm:ss …). */
  time?: string;
  /** `--cpus-per-task`. */
  cpus?: number;
  /** `--mem` (4G, 4000M …). */
  mem?: string;
  /** More sbatch arguments as given (`--slurm-args`), after ours: a later flag wins. */
  extraArgs?: string[];
}

/**
 * The prefix of the job names of a results folder: `pomdp.<8 hex digits of its absolute path's hash>.`,
 * so that two experiments (or two results folders of one) never share a job name, hence a singleton.
 */
export function jobNamePrefix(resultsFolder: string): string {
  const hash = createHash("sha256").update(path.resolve(resultsFolder)).digest("hex").slice(0, 8);
  return `pomdp.${hash}.`;
}

/** The folder of a results folder that holds its runs' job scripts and Slurm logs. */
export function slurmFolder(resultsFolder: string): string {
  return path.join(resultsFolder, "slurm");
}

/** A run's Slurm log (its job's stdout and stderr, appended to by every start of the job). */
export function slurmLogFile(resultsFolder: string, run: string): string {
  return path.join(slurmFolder(resultsFolder), `${run}.log`);
}

/** `x` as one word of a POSIX shell: single-quoted unless it is plainly safe. */
export function shellQuote(x: string): string {
  return /^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`;
}

/** sbatch's arguments for a run's job (before the script's path). */
export function sbatchArgs(
  jobName: string,
  logFile: string,
  cwd: string,
  resources: SlurmResources,
): string[] {
  const args = [
    "--parsable",
    `--job-name=${jobName}`,
    // One job per name at a time: a run folder never has two jobs running.
    "--dependency=singleton",
    "--requeue",
    "--open-mode=append",
    `--signal=B:USR1@${SLURM_SIGNAL_SECONDS}`,
    `--output=${logFile}`,
    `--chdir=${cwd}`,
  ];
  if (resources.partition !== undefined) args.push(`--partition=${resources.partition}`);
  if (resources.time !== undefined) args.push(`--time=${resources.time}`);
  if (resources.cpus !== undefined) args.push(`--cpus-per-task=${resources.cpus}`);
  if (resources.mem !== undefined) args.push(`--mem=${resources.mem}`);
  return [...args, ...(resources.extraArgs ?? [])];
}

/** What a job script runs: this Node and this checkout's `pomdp` (the compute nodes must see both). */
export interface JobCommand {
  /** The Node executable. */
  node: string;
  /** src/bin.js. */
  bin: string;
  /** The working folder (relative paths of the runs' arguments are relative to it). */
  cwd: string;
}

/**
 * The bash job script of a run: trains it unless summary.json exists (`--resume` when checkpoint/
 * exists, else a fresh start with `--restart`), then evaluates it unless eval.json exists. SIGUSR1 and
 * SIGTERM are passed on to `pomdp train`, which writes a checkpoint and exits; after SIGUSR1 (the time
 * limit is near) the job requeues itself. `pomdp` watches the script's pid (POMDP_PARENT_PID): if the
 * script is killed, training stops instead of writing on beside the job's next start.
 */
export function jobScript(task: RunTask, command: JobCommand): string {
  const pomdp = (args: string[]) => ["run_pomdp", ...args.map(shellQuote)].join(" ");
  const dir = shellQuote(task.dir);
  return `#!/bin/bash
# Written by pomdp experiment: the job of run ${task.name}. Trains the run (resuming it from its
# checkpoint when it has one) and evaluates it; requeued, it resumes where its checkpoint left it.
cd ${shellQuote(command.cwd)} || exit 1
export POMDP_LOG_LEVEL="\${POMDP_LOG_LEVEL:-warn}"
export POMDP_WASM_THREADS="\${POMDP_WASM_THREADS:-\${SLURM_CPUS_PER_TASK:-1}}"
export ${PARENT_PID_ENV}=$$
echo "pomdp-job: job \${SLURM_JOB_ID:-?} start \${SLURM_RESTART_COUNT:-0} on $(hostname -s) at $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"

child=
requeue=0
forward() { if [ -n "$child" ]; then kill -s "$1" "$child" 2>/dev/null; fi; }
trap 'requeue=1; forward USR1' USR1
trap 'forward TERM' TERM
# Runs pomdp in the background, so that the traps run while it does, and waits for its end.
run_pomdp() {
  ${shellQuote(command.node)} ${shellQuote(command.bin)} "$@" &
  child=$!
  local status
  while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break # wait returned for a signal: pomdp still runs
  done
  child=
  return "$status"
}

if [ ! -f ${dir}/summary.json ]; then
  if [ -d ${dir}/checkpoint ]; then
    ${pomdp(task.resume)}
  else
    ${pomdp(task.start)}
  fi
  status=$?
  if [ "$requeue" = 1 ] && [ ! -f ${dir}/summary.json ]; then
    echo "pomdp-job: the time limit is near: checkpoint written, requeueing job \${SLURM_JOB_ID}"
    scontrol requeue "\${SLURM_JOB_ID}"
    exit 0
  fi
  if [ "$status" != 0 ]; then
    echo "pomdp-job: pomdp train exited with status $status"
    exit "$status"
  fi
fi
if [ ! -f ${dir}/eval.json ]; then
  ${pomdp(task.evaluate)} || {
    status=$?
    echo "pomdp-job: pomdp eval exited with status $status"
    exit "$status"
  }
fi
echo "pomdp-job: run ${task.name} finished at $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
`;
}
