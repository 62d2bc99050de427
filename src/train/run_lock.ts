// One writer per run folder: `pomdp train` holds `<run>/train.lock` (its pid, host and start time,
// created with O_EXCL) while it runs. A second writer is refused unless the holder is gone: a process of
// this host that no longer runs (or whose pid now belongs to a younger process), or a lock of another
// host whose heartbeat stopped long ago; `--force` takes the lock over regardless.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The lock's file name inside a run folder. */
export const LOCK_FILE = "train.lock";

/** Seconds between two touches of a held lock (its mtime is the holder's heartbeat). */
export const LOCK_HEARTBEAT_SECONDS = 30;

/**
 * A lock of another host is taken as stale when its heartbeat is older than this (its holder cannot be
 * asked whether it still runs): ten missed heartbeats.
 */
export const REMOTE_LOCK_STALE_SECONDS = 10 * LOCK_HEARTBEAT_SECONDS;

/** What train.lock holds. */
export interface LockInfo {
  /** The holder's process id. */
  pid: number;
  /** The holder's host name (os.hostname()). */
  host: string;
  /** When the holder took the lock (ISO 8601). */
  startedAt: string;
  /**
   * The holder's start time in clock ticks since boot (Linux's /proc/<pid>/stat field 22), so that a pid
   * reused by another process is not taken for the holder; absent where /proc is not.
   */
  procStart?: number;
}

/** A lock held by this process on a run folder. */
export interface RunLock {
  /** The lock file. */
  readonly file: string;
  /** What it holds. */
  readonly info: LockInfo;
  /** Removes the lock (and the folder, when the lock created it and nothing else was written); safe twice. */
  release(): void;
}

/** What /proc says of process `pid`: its state letter and start time (clock ticks since boot). */
function procStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const startTicks = Number(fields[19]); // field 22 of the whole line
    return Number.isFinite(startTicks) ? { state: fields[0], startTicks } : undefined;
  } catch {
    return undefined;
  }
}

/** The start time of process `pid` from /proc (clock ticks since boot), or undefined where there is none. */
export function processStartTicks(pid: number): number | undefined {
  return procStat(pid)?.startTicks;
}

/** Whether the holder of a lock of this host still runs (a zombie does not). */
function holderRuns(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    // EPERM: a process of that pid runs (as another user).
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = procStat(info.pid);
  if (now === undefined) return !fs.existsSync("/proc/self/stat"); // no /proc: trust kill()
  if (now.state === "Z" || now.state === "X") return false;
  return info.procStart === undefined || now.startTicks === info.procStart;
}

/** Reads a lock file; undefined when it is gone, a description of it when it is unreadable. */
export function readLock(file: string): LockInfo | undefined | string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (Number.isSafeInteger(info.pid) && typeof info.host === "string" && typeof info.startedAt === "string")
      return info;
  } catch {
    /* described below */
  }
  return `an unreadable lock (${JSON.stringify(text.slice(0, 60))})`;
}

/**
 * Why the lock in `file` is stale (its holder is gone), or undefined when it may still be held.
 * `now` is for tests.
 */
export function staleReason(info: LockInfo, file: string, now = Date.now()): string | undefined {
  if (info.host === os.hostname()) {
    return holderRuns(info) ? undefined : `pid ${info.pid} no longer runs`;
  }
  let age: number;
  try {
    age = (now - fs.statSync(file).mtimeMs) / 1000;
  } catch {
    return "it is gone";
  }
  return age > REMOTE_LOCK_STALE_SECONDS
    ? `its heartbeat stopped ${Math.round(age)} s ago (more than ${REMOTE_LOCK_STALE_SECONDS} s)`
    : undefined;
}

/** The holder of a lock, as error messages name it. */
export function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host} since ${info.startedAt}`;
}

/** Options of {@link acquireRunLock}. */
export interface AcquireOptions {
  /** Take the lock over even when its holder may still run (`pomdp train --force`). */
  force?: boolean;
  /** Told when a lock whose holder may still run is taken over (`--force`). */
  warn?: (line: string) => void;
  /** Told when a stale lock (its holder gone) is taken over. */
  note?: (line: string) => void;
}

/**
 * Takes the lock of run folder `dir` (creating the folder if need be) for this process, refreshing its
 * heartbeat every {@link LOCK_HEARTBEAT_SECONDS} and removing it when the process exits. Throws, naming
 * the holder, when another writer holds it.
 */
export function acquireRunLock(dir: string, options: AcquireOptions = {}): RunLock {
  const created = !fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    ...optional("procStart", processStartTicks(process.pid)),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, `${JSON.stringify(info)}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw lockError(dir, file, err);
    }
    const held = readLock(file);
    if (held === undefined) continue; // released meanwhile: try once more
    const stale = typeof held === "string" ? held : staleReason(held, file);
    if (stale === undefined && !options.force) {
      const holder = held as LockInfo;
      const where =
        holder.host === os.hostname()
          ? "wait for it to end or stop it (--force takes the lock over anyway)"
          : `it may still run there; if it does not, pass --force (or wait ${REMOTE_LOCK_STALE_SECONDS} s after its last heartbeat)`;
      throw new Error(
        `${dir} is being written by another pomdp train (${describeHolder(holder)}): one writer per run folder; ${where}`,
      );
    }
    const whose = typeof held === "string" ? held : `the lock of ${describeHolder(held)}`;
    // A stale lock is what a killed run leaves: a note; taking a live one (--force) is a warning.
    if (stale === undefined) options.warn?.(`pomdp: warning: ${dir}: taking over ${whose} (--force)`);
    else options.note?.(`${dir}: taking over ${whose}: ${stale}`);
    fs.rmSync(file, { force: true });
  }
  const heartbeat = setInterval(() => {
    try {
      const t = new Date();
      fs.utimesSync(file, t, t);
    } catch {
      /* the folder was removed: nothing to keep alive */
    }
  }, LOCK_HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off("exit", release);
    // Only our own lock: one taken over by a --force since is not ours to remove.
    const now = readLock(file);
    if (typeof now === "object" && now.pid === info.pid && now.startedAt === info.startedAt)
      fs.rmSync(file, { force: true });
    if (created) {
      try {
        fs.rmdirSync(dir); // only when empty: a run refused before writing leaves nothing behind
      } catch {
        /* not empty: the run's files stay */
      }
    }
  };
  process.on("exit", release);
  return { file, info, release };
}

function lockError(dir: string, file: string, err: unknown): Error {
  return new Error(`${dir}: cannot create the run lock ${file}: ${(err as Error).message}`);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
