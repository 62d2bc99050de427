// Children that do not outlive their runner: `pomdp experiment` (and a Slurm job script) start
// `pomdp train` with POMDP_PARENT_PID set to their own pid; the child watches its parent pid and, when
// the parent is gone (killed, even with SIGKILL), stops as Ctrl-C stops it. Opt-in, so that a user's
// `nohup pomdp train … &` still outlives its shell.
import { ConfigError } from "./config";

/** The environment variable naming the process whose end ends this one. */
export const PARENT_PID_ENV = "POMDP_PARENT_PID";

/** Milliseconds between two looks at the parent pid. */
export const PARENT_WATCH_MS = 500;

/**
 * The pid in POMDP_PARENT_PID, or undefined when it is unset or empty; throws a {@link ConfigError}
 * when it is not a pid.
 */
export function watchedParentPid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[PARENT_PID_ENV];
  if (value === undefined || value.trim() === "") return undefined;
  const pid = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid < 1)
    throw new ConfigError(`${PARENT_PID_ENV} must be a process id (an integer ≥ 1), got "${value}"`);
  return pid;
}

/**
 * Calls `onGone(pid)` once when this process's parent is no longer the process POMDP_PARENT_PID names
 * (it died and this process was adopted by another): at once if it already is not, else at the first
 * look after it dies. Returns a function that stops watching; does nothing when the variable is unset.
 */
export function watchParent(
  onGone: (pid: number) => void,
  options: { env?: NodeJS.ProcessEnv; everyMs?: number; ppid?: () => number } = {},
): () => void {
  const pid = watchedParentPid(options.env);
  if (pid === undefined) return () => {};
  const ppid = options.ppid ?? (() => process.ppid);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const look = () => {
    if (stopped || ppid() === pid) return;
    stopped = true;
    clearInterval(timer);
    onGone(pid);
  };
  timer = setInterval(look, options.everyMs ?? PARENT_WATCH_MS);
  timer.unref(); // the watch never keeps the process alive by itself
  setImmediate(look);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
