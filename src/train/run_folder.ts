// A run's folder: what experiments, reports, `pomdp eval` and resumes read.
//   config.json   the resolved config, preset, versions, backend
//   metrics.jsonl one JSON object per line: {"type":"episode",…} and {"type":"update",…}
//   log.jsonl     pino's log
//   summary.json  written when the run ends
//   final/        weights, optimiser, normalizer and RNG state
//   best/         the same for the agent that scored best in the periodic evaluations (evalEvery > 0)
//   checkpoint/   the latest checkpoint of a running run (weights, optimiser, train-state.json), for --resume
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pino from "pino";
import { RUN_FILES } from "./run_files";
import { LOCK_FILE } from "./run_lock";

export { DEFAULT_CHECKPOINT_EVERY, RUN_FILES } from "./run_files";

/** One line of metrics.jsonl for a finished training episode. */
export interface EpisodeMetric {
  type: "episode";
  /** Env steps so far, all envs counted. */
  step: number;
  return: number;
  length: number;
}

/** One line of metrics.jsonl per update; agent-specific numbers beside `step` and `sps`. */
export interface UpdateMetric {
  type: "update";
  step: number;
  sps: number;
  [name: string]: number | string;
}

/**
 * One line of metrics.jsonl per periodic evaluation (config evalEvery): the agent at `step` on the
 * run's held-out episodes (the same ones each time).
 */
export interface EvalMetric {
  type: "eval";
  step: number;
  episodes: number;
  /** Greedy actions (true) or the policy's own (sampling; DQN: ε-greedy with its final ε). */
  greedy: boolean;
  returnMean: number;
  returnStd: number;
  lengthMean: number;
  /** Share of episodes above the env's declared `successAbove` (only when it declares one). */
  successRate?: number;
  /** Seconds the evaluation took (not counted in the run's SPS). */
  seconds: number;
}

/** What summary.json holds. */
export interface RunSummary {
  steps: number;
  seconds: number;
  sps: number;
  /** Mean return of the last 20 training episodes (null if fewer than one finished). */
  finalReturnMean20: number | null;
  [name: string]: unknown;
}

/** Default folder name: `runs/<env>-<agent>-<seed>-<time>`. */
export function defaultRunDir(envId: string, agent: string, seed: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  return path.join("runs", `${envId.replace(/[^\w.-]/g, "_")}-${agent}-${seed}-${stamp}`);
}

/**
 * Creates the folder of a new run. An existing non-empty folder is refused, never overwritten.
 * Metrics are appended line by line with synchronous writes, so an interrupted run keeps every line
 * it wrote.
 */
export class RunFolder {
  readonly logger: pino.Logger;
  private readonly metricsFd: number;
  private closed = false;

  private constructor(readonly dir: string) {
    this.metricsFd = fs.openSync(path.join(dir, RUN_FILES.metrics), "a");
    this.logger = pino(
      { name: "train", level: "info" },
      pino.destination({ dest: path.join(dir, RUN_FILES.log), sync: true }),
    );
  }

  /**
   * Checks that `dir` can hold a new run (absent, or empty but for the run lock this process holds)
   * without creating anything.
   */
  static checkFree(dir: string): void {
    if (fs.existsSync(dir)) {
      const stat = fs.statSync(dir);
      if (!stat.isDirectory()) throw new Error(`--out ${dir}: exists and is not a folder`);
      if (fs.readdirSync(dir).some((f) => f !== LOCK_FILE)) {
        throw new Error(
          `--out ${dir}: the folder exists and is not empty; pick a new folder (runs are never overwritten)`,
        );
      }
    }
  }

  /** Creates the run folder and writes config.json. */
  static create(dir: string, config: unknown): RunFolder {
    RunFolder.checkFree(dir);
    fs.mkdirSync(dir, { recursive: true });
    writeJsonAtomic(path.join(dir, RUN_FILES.config), config);
    return new RunFolder(dir);
  }

  /**
   * Opens the folder of an existing run to continue it (`pomdp train --resume`): metrics are appended
   * (after {@link RunFolder.truncateMetrics}), the log goes on.
   */
  static reopen(dir: string): RunFolder {
    if (!fs.existsSync(path.join(dir, RUN_FILES.config)))
      throw new Error(`${dir} is not a run folder: ${RUN_FILES.config} is missing`);
    return new RunFolder(dir);
  }

  /** Bytes of metrics.jsonl written so far. */
  metricsBytes(): number {
    return fs.fstatSync(this.metricsFd).size;
  }

  /** Cuts metrics.jsonl back to `bytes` (the lines written after a checkpoint), before appending. */
  truncateMetrics(bytes: number): void {
    const size = this.metricsBytes();
    if (bytes > size) {
      throw new Error(
        `${path.join(this.dir, RUN_FILES.metrics)} has ${size} bytes, fewer than the ${bytes} the checkpoint recorded`,
      );
    }
    fs.ftruncateSync(this.metricsFd, bytes);
  }

  /** The folder of the latest checkpoint. */
  get checkpointDir(): string {
    return path.join(this.dir, RUN_FILES.checkpoint);
  }

  /** Appends one metrics line. */
  metric(line: EpisodeMetric | UpdateMetric | EvalMetric): void {
    fs.writeSync(this.metricsFd, `${JSON.stringify(line)}\n`);
  }

  /** Writes summary.json. */
  summary(summary: RunSummary): void {
    writeJsonAtomic(path.join(this.dir, RUN_FILES.summary), summary);
  }

  /** The folder of the final weights and state. */
  get finalDir(): string {
    return path.join(this.dir, RUN_FILES.final);
  }

  /** The folder of the best agent of the periodic evaluations. */
  get bestDir(): string {
    return path.join(this.dir, RUN_FILES.best);
  }

  /** Closes metrics.jsonl and flushes the log (safe to call twice). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.metricsFd);
    this.logger.flush();
  }
}

/**
 * Empties the folder of an unfinished run so that it can start again (`pomdp train --restart`): every
 * file but the run lock goes. A finished run (summary.json) is refused: runs are never overwritten.
 */
export function clearUnfinishedRun(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (fs.existsSync(path.join(dir, RUN_FILES.summary))) {
    throw new Error(
      `--restart ${dir}: the run is finished (summary.json exists); runs are never overwritten: pick a new folder`,
    );
  }
  for (const name of fs.readdirSync(dir))
    if (name !== LOCK_FILE) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

/** Writes a file to a temporary file and renames it: a crash never leaves half a file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Writes JSON atomically ({@link writeFileAtomic}). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a folder atomically: `write` fills `<dir>.tmp`, which then replaces `dir` (the old folder is
 * moved to `<dir>.old` for the moment between the two renames and then removed). A crash leaves
 * either the old folder or the new one complete; {@link recoverFolder} finishes an interrupted swap.
 */
export function writeFolderAtomic(dir: string, write: (tmp: string) => void): void {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  write(tmp);
  recoverFolder(dir);
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** After a crash between the renames of {@link writeFolderAtomic}: puts `<dir>.old` back if `dir` is missing. */
export function recoverFolder(dir: string): void {
  const old = `${dir}.old`;
  if (!fs.existsSync(dir) && fs.existsSync(old)) fs.renameSync(old, dir);
  else if (fs.existsSync(old)) fs.rmSync(old, { recursive: true, force: true });
}

/** Reads a JSON file of a run folder, with an error naming the file. */
export function readRunJson<T>(dir: string, name: string): T {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`${dir} is not a finished run folder: ${name} is missing`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`corrupt ${file}: not JSON (${(err as Error).message})`);
  }
}

/**
 * The commit checked out at `root` when it is a git checkout (a worktree included), read from the
 * files git keeps (no child process: the CLI starts fast); undefined otherwise. Results say which code
 * made them; uncommitted changes are not seen.
 */
export function gitCommit(root: string): string | undefined {
  try {
    let gitDir = path.join(root, ".git");
    if (fs.statSync(gitDir).isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(gitDir, "utf8"));
      if (pointer === null) return undefined;
      gitDir = path.resolve(root, pointer[1].trim());
    }
    const head = fs.readFileSync(path.join(gitDir, "HEAD"), "utf8").trim();
    const ref = /^ref:\s*(.+)$/.exec(head);
    if (ref === null) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    // A worktree's refs live in the main repository (its `commondir`).
    const common = fs.existsSync(path.join(gitDir, "commondir"))
      ? path.resolve(gitDir, fs.readFileSync(path.join(gitDir, "commondir"), "utf8").trim())
      : gitDir;
    for (const dir of [gitDir, common]) {
      const file = path.join(dir, ref[1]);
      if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
    }
    const packed = path.join(common, "packed-refs");
    if (!fs.existsSync(packed)) return undefined;
    const line = fs
      .readFileSync(packed, "utf8")
      .split("\n")
      .find((l) => l.endsWith(` ${ref[1]}`));
    return line?.split(" ")[0];
  } catch {
    return undefined;
  }
}

/** Versions and machine facts recorded in config.json. */
export function environmentFacts(backend: string): Record<string, unknown> {
  const versions: Record<string, string> = { node: process.version };
  for (const pkg of ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "zod"]) {
    try {
      versions[pkg] = require(`${pkg}/package.json`).version;
    } catch {
      /* not installed */
    }
  }
  try {
    versions["pomdp-workbench"] = require("../../package.json").version;
  } catch {
    /* not available */
  }
  const commit = gitCommit(path.join(__dirname, "..", ".."));
  if (commit !== undefined) versions["pomdp-workbench commit"] = commit;
  return {
    backend,
    versions,
    machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, platform: process.platform },
  };
}
