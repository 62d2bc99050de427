// What stops `pomdp train` cleanly (a checkpoint at the end of the current update, then exit): Ctrl-C,
// SIGUSR1 (Slurm's `--signal=B:USR1@…` before a time limit, forwarded by the job script), SIGTERM
// when running under Slurm (SLURM_JOB_ID set: a requeue, a preemption or scancel sends it, then
// SIGKILL KillWait seconds later), and the end of the parent named by POMDP_PARENT_PID.
import { constants } from "node:os";
import { watchParent } from "../train/parent_watch";

/** Why training stops and how the process then exits. */
export interface StopRequest {
  /** The line printed on stderr when the request comes. */
  message: string;
  /** The exit code once the checkpoint is written: 130 for Ctrl-C, else 128 + the signal's number. */
  exitCode: number;
}

/**
 * Calls `onStop` at the first stop request (later ones are ignored, but a second Ctrl-C ends the
 * process at once, as Ctrl-C does by default). Returns a function that stops listening.
 */
export function watchStopRequests(
  onStop: (request: StopRequest) => void,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  let stopped = false;
  const request = (r: StopRequest) => {
    if (stopped) return;
    stopped = true;
    // From now on the default action applies: a second Ctrl-C ends the process at once.
    process.off("SIGINT", onSigint);
    onStop(r);
  };
  const onSigint = () =>
    request({
      message: "Ctrl-C: saving a checkpoint at the end of this update (Ctrl-C again to quit at once)",
      exitCode: 130,
    });
  const onSigusr1 = () =>
    request({
      message:
        "SIGUSR1: saving a checkpoint at the end of this update, then exiting (resume it with --resume)",
      exitCode: 128 + constants.signals.SIGUSR1,
    });
  const onSigterm = () =>
    request({
      message: `SIGTERM from Slurm (job ${env.SLURM_JOB_ID}): saving a checkpoint at the end of this update, then exiting`,
      exitCode: 128 + constants.signals.SIGTERM,
    });
  const underSlurm = (env.SLURM_JOB_ID ?? "") !== "";
  process.on("SIGINT", onSigint);
  process.on("SIGUSR1", onSigusr1);
  if (underSlurm) process.on("SIGTERM", onSigterm);
  const stopParentWatch = watchParent(
    (pid) => {
      // The parent's end of the stdout and stderr pipes may be closed: writing there must not crash
      // the run before its checkpoint.
      for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
      request({
        message: `the parent process (pid ${pid}) is gone: saving a checkpoint at the end of this update, then exiting`,
        exitCode: 128 + constants.signals.SIGHUP,
      });
    },
    { env },
  );
  return () => {
    process.off("SIGINT", onSigint);
    process.off("SIGUSR1", onSigusr1);
    process.off("SIGTERM", onSigterm);
    stopParentWatch();
  };
}
