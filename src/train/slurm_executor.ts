// The Slurm executor: one sbatch job per run (./slurm_job.ts), followed by polling squeue for all of
// the experiment's jobs together every few seconds, and sacct (when the cluster keeps accounting) for
// how the finished ones ended. A job gone from the queue is done when its run folder has summary.json
// and eval.json; otherwise it failed, and its reason is the last error line of its Slurm log.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Executor, RunTask } from "./executor";
import { LocalProcessExecutor } from "./executor";
import {
  type JobCommand,
  jobNamePrefix,
  jobScript,
  type SlurmResources,
  sbatchArgs,
  slurmFolder,
  slurmLogFile,
} from "./slurm_job";
import {
  type FinishedJob,
  finishedJobs,
  lastLine,
  listQueue,
  type QueuedJob,
  slurmCommand,
} from "./slurm_queue";

/** Seconds between two looks at the queue unless told otherwise (POMDP_SLURM_POLL_SECONDS). */
export const DEFAULT_POLL_SECONDS = 5;

/** Options of {@link SlurmExecutor}. */
export interface SlurmExecutorOptions {
  /** The results folder: the job names derive from its path; job scripts and logs go in its slurm/. */
  out: string;
  /** What each job asks for (partition, time, cpus, memory, more sbatch flags). */
  resources?: SlurmResources;
  /** Seconds between two looks at the queue (default POMDP_SLURM_POLL_SECONDS, else 5). */
  pollSeconds?: number;
  /** Told when a job is submitted, found queued, starts running, is requeued (default: stderr). */
  log?: (line: string) => void;
  /** The Node, `pomdp` and working folder the jobs run (default: this process's). */
  command?: JobCommand;
}

/** A run whose job this executor follows. */
interface Followed {
  task: RunTask;
  jobName: string;
  jobId: string;
  /** Its state at the last look (undefined before the first). */
  state?: string;
  /** Why it waited at the last look (squeue's reason). */
  reason?: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The poll interval from POMDP_SLURM_POLL_SECONDS (a positive number), else the default. */
export function pollSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.POMDP_SLURM_POLL_SECONDS;
  if (value === undefined || value.trim() === "") return DEFAULT_POLL_SECONDS;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`POMDP_SLURM_POLL_SECONDS must be a positive number of seconds, got "${value}"`);
  return n;
}

/** Runs each run of an experiment as a Slurm job on the cluster this machine submits to. */
export class SlurmExecutor implements Executor {
  /** Every run is submitted at once: the cluster's scheduler decides how many run. */
  readonly concurrency = Number.POSITIVE_INFINITY;
  /** The job names' prefix of this results folder. */
  readonly prefix: string;
  private readonly out: string;
  private readonly resources: SlurmResources;
  private readonly pollMs: number;
  private readonly log: (line: string) => void;
  private readonly command: JobCommand;
  private readonly followed = new Map<string, Followed>();
  private timer: NodeJS.Timeout | undefined;
  /** False once sacct has said that the cluster keeps no accounting. */
  private accounting = true;
  private failedPolls = 0;
  /** One squeue for the jobs submitted together (a run's submission waits for the one in flight). */
  private queueLook: Promise<Map<string, QueuedJob>> | undefined;
  private readonly local = new LocalProcessExecutor(1);

  constructor(options: SlurmExecutorOptions) {
    this.out = path.resolve(options.out);
    this.prefix = jobNamePrefix(this.out);
    this.resources = options.resources ?? {};
    this.pollMs = (options.pollSeconds ?? pollSecondsFromEnv()) * 1000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.command = options.command ?? {
      node: process.execPath,
      bin: path.join(__dirname, "..", "bin.js"),
      cwd: process.cwd(),
    };
  }

  /** A run's job name. */
  jobName(run: string): string {
    return `${this.prefix}${run}`;
  }

  /** The jobs of this results folder that squeue lists, by run name (one squeue call). */
  async queued(): Promise<Map<string, QueuedJob>> {
    const jobs = await listQueue();
    const byRun = new Map<string, QueuedJob>();
    for (const job of jobs)
      if (job.name.startsWith(this.prefix)) byRun.set(job.name.slice(this.prefix.length), job);
    return byRun;
  }

  /**
   * Short commands (never a run's training: that goes through {@link runTask}) run here, as the local
   * executor runs them.
   */
  run(args: string[], label: string): Promise<string> {
    return this.local.run(args, label);
  }

  /**
   * Queues the run's job, unless a job of its name is queued or running already (that one is left
   * alone and followed instead). Resolves with the line that says which.
   */
  async submit(task: RunTask): Promise<string> {
    return (await this.ensureJob(task)).line;
  }

  /** Queues the run's job (or finds it queued) and resolves when it has trained and evaluated the run. */
  async runTask(task: RunTask): Promise<void> {
    const { jobId, jobName, line } = await this.ensureJob(task);
    this.log(line);
    return new Promise<void>((resolve, reject) => {
      this.followed.set(task.name, { task, jobName, jobId, resolve, reject });
      this.schedule();
    });
  }

  /** The number of runs whose jobs are followed (queued or running). */
  get following(): number {
    return this.followed.size;
  }

  /** Cancels the followed runs' jobs (scancel); resolves with how many it asked to cancel. */
  async cancelAll(): Promise<number> {
    const ids = [...this.followed.values()].map((f) => f.jobId);
    if (ids.length === 0) return 0;
    const r = await slurmCommand("scancel", ids);
    if (r.code !== 0) throw new Error(`scancel failed (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}`);
    return ids.length;
  }

  /** Stops following (the jobs go on); pending runTask promises never settle. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.followed.clear();
  }

  private async ensureJob(task: RunTask): Promise<{ jobId: string; jobName: string; line: string }> {
    const jobName = this.jobName(task.name);
    // The runs of a pass ask together: one squeue serves them all.
    this.queueLook ??= this.queued().finally(() => {
      setTimeout(() => {
        this.queueLook = undefined;
      }, this.pollMs).unref();
    });
    const existing = (await this.queueLook).get(task.name);
    if (existing !== undefined) {
      return {
        jobId: existing.jobId,
        jobName,
        line: `queued ${task.name}: job ${existing.jobId} is ${existing.state.toLowerCase()} already; left alone`,
      };
    }
    const dir = slurmFolder(this.out);
    fs.mkdirSync(dir, { recursive: true });
    const script = path.join(dir, `${task.name}.sh`);
    fs.writeFileSync(script, jobScript(task, this.command), { mode: 0o755 });
    const log = slurmLogFile(this.out, task.name);
    const r = await slurmCommand("sbatch", [
      ...sbatchArgs(jobName, log, this.command.cwd, this.resources),
      script,
    ]);
    const jobId = /^(\d+)/.exec(r.stdout.trim())?.[1];
    if (r.code !== 0 || jobId === undefined)
      throw new Error(`sbatch refused the job (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}`);
    return {
      jobId,
      jobName,
      line: `queued ${task.name}: job ${jobId} (log ${path.relative(process.cwd(), log) || log})`,
    };
  }

  private schedule(): void {
    if (this.timer !== undefined || this.followed.size === 0) return;
    this.timer = setTimeout(() => {
      this.poll().catch((err) => this.log(`slurm: ${(err as Error).message}`));
    }, this.pollMs);
  }

  /** One look at the queue: notes state changes, settles the runs whose jobs have left it. */
  private async poll(): Promise<void> {
    let queue: Map<string, QueuedJob>;
    try {
      queue = await this.queued();
      this.failedPolls = 0;
    } catch (err) {
      // A busy controller: the jobs are where they were; say so now and then, and look again.
      if (this.failedPolls++ % 12 === 0) this.log(`slurm: ${(err as Error).message}; trying again`);
      this.timer = undefined;
      this.schedule();
      return;
    }
    const gone: Followed[] = [];
    for (const f of this.followed.values()) {
      const job = queue.get(f.task.name);
      if (job === undefined) gone.push(f);
      else this.note(f, job);
    }
    if (gone.length > 0) {
      let ended: Map<string, FinishedJob> | undefined;
      if (this.accounting) {
        try {
          ended = await finishedJobs(gone.map((f) => f.jobId));
          if (ended === undefined) {
            this.accounting = false;
            this.log(
              "slurm: this cluster keeps no accounting (sacct): runs are followed through squeue and their folders",
            );
          }
        } catch (err) {
          this.log(`slurm: ${(err as Error).message}`);
        }
      }
      for (const f of gone) {
        this.followed.delete(f.task.name);
        this.settle(f, ended?.get(f.jobId));
      }
    }
    this.timer = undefined;
    this.schedule();
  }

  /** Says when a followed job starts running or goes back to the queue. */
  private note(f: Followed, job: QueuedJob): void {
    const before = f.state;
    f.state = job.state;
    f.jobId = job.jobId;
    if (job.state === before && job.reason === f.reason) return;
    const held = /held/i.test(job.reason) && !/held/i.test(f.reason ?? "");
    f.reason = job.reason;
    if (held)
      this.log(
        `held ${f.task.name}: job ${job.jobId} (${job.reason}): release it with scontrol release ${job.jobId}, or cancel it with scancel ${job.jobId}`,
      );
    if (job.state === before) return;
    if (job.state === "RUNNING") this.log(`running ${f.task.name}: job ${job.jobId} on ${job.nodes}`);
    else if (before === "RUNNING" && (job.state === "PENDING" || job.state === "REQUEUED"))
      this.log(`requeued ${f.task.name}: job ${job.jobId} (${job.reason}); it resumes from its checkpoint`);
  }

  /** A job has left the queue: its run is done when its folder says so, else failed with why. */
  private settle(f: Followed, ended: FinishedJob | undefined): void {
    const finished = ["summary.json", "eval.json"].every((file) =>
      fs.existsSync(path.join(f.task.dir, file)),
    );
    if (finished) {
      f.resolve();
      return;
    }
    const how = ended === undefined ? "left the queue" : `ended ${ended.state} (exit ${ended.exitCode})`;
    const why = logReason(slurmLogFile(this.out, f.task.name));
    f.reject(
      new Error(`${f.task.name}: job ${f.jobId} ${how} without finishing the run${why ? `: ${why}` : ""}`),
    );
  }
}

/**
 * The reason a job's log gives for its end: the last `pomdp:` error line among its last lines, else its
 * last line that is not the job script's own; undefined without a log.
 */
export function logReason(logFile: string): string | undefined {
  let text: string;
  try {
    const fd = fs.openSync(logFile, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 16 * 1024);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const error = lines.filter((l) => l.startsWith("pomdp: ") && !l.startsWith("pomdp: warning:")).pop();
  if (error !== undefined) return error.slice("pomdp: ".length);
  return lines.filter((l) => !l.startsWith("pomdp-job: ")).pop() ?? lines.pop();
}
