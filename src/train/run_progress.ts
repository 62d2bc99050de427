// How far one running run of an experiment is, read from its run folder's metrics.jsonl as it grows:
// its latest env step, the rolling mean of its last episodes' score and its speed. Works for any
// executor that leaves the run folder where this process can read it.
import * as path from "node:path";
import { parseMetricsLine } from "../report/results";
import { LineTail } from "./line_tail";
import { RUN_FILES } from "./run_files";

/** Episodes behind the rolling mean (as `pomdp train`'s own progress and summary.json's finalReturnMean20). */
export const ROLLING_EPISODES = 20;

/** A run to follow: its folder, budget and how its env is scored. */
export interface WatchedRun {
  /** The run folder name, `<agent>--<env>--s<seed>`. */
  name: string;
  dir: string;
  totalSteps: number;
  /** As the experiment scores the env: mean return, or success rate (return > successAbove). */
  metric: "finalReturn" | "successRate";
  successAbove?: number;
}

/** What the display shows of a run at one moment. */
export interface RunSnapshot {
  name: string;
  totalSteps: number;
  metric: "finalReturn" | "successRate";
  /** False until the run has written a metrics line (a queued run, or one still loading). */
  started: boolean;
  step: number;
  /** The episodes behind `mean` (up to {@link ROLLING_EPISODES}); 0 before the first one ends. */
  episodes: number;
  /** Mean return (or success rate) of the last `episodes` episodes; NaN without any. */
  mean: number;
  /** Env steps per second at the latest update, if one was logged. */
  sps?: number;
}

/** Follows one run's metrics.jsonl: call {@link RunProgress.poll} now and then, read {@link RunProgress.snapshot}. */
export class RunProgress {
  private readonly tail: LineTail;
  private started = false;
  private step = 0;
  private sps: number | undefined;
  /** The last ROLLING_EPISODES episodes' returns, or 1/0 for a success. */
  private recent: number[] = [];

  constructor(readonly run: WatchedRun) {
    this.tail = new LineTail(path.join(run.dir, RUN_FILES.metrics));
  }

  /** Reads the lines written since the last poll. */
  poll(): void {
    const { lines, reset } = this.tail.read();
    if (reset) {
      this.started = false;
      this.step = 0;
      this.sps = undefined;
      this.recent = [];
    }
    for (const line of lines) {
      const m = parseMetricsLine(line);
      if (m === undefined) continue;
      this.started = true;
      this.step = Math.max(this.step, m.step);
      if (m.type === "update") this.sps = m.sps;
      else {
        const success = m.return > (this.run.successAbove ?? 0) ? 1 : 0;
        this.recent.push(this.run.metric === "successRate" ? success : m.return);
        if (this.recent.length > ROLLING_EPISODES) this.recent.shift();
      }
    }
  }

  snapshot(): RunSnapshot {
    const n = this.recent.length;
    return {
      name: this.run.name,
      totalSteps: this.run.totalSteps,
      metric: this.run.metric,
      started: this.started,
      step: this.step,
      episodes: n,
      mean: n === 0 ? Number.NaN : this.recent.reduce((a, b) => a + b, 0) / n,
      sps: this.sps,
    };
  }
}

/** `return(20) 0.45` or `success(20) 0.80`: the rolling mean and how many episodes it is of. */
export function formatRolling(s: RunSnapshot): string {
  const what = s.metric === "successRate" ? "success" : "return";
  return s.episodes === 0 ? `${what} –` : `${what}(${s.episodes}) ${s.mean.toFixed(2)}`;
}

/**
 * The plain progress line of a running run (logs, CI, pipes), aligned with the runner's `done` lines:
 * `run    lstm--TMaze-v0--s1: 12,288/50,000 steps, return(20) 0.45, 2,100 SPS`.
 */
export function formatRunLine(s: RunSnapshot): string {
  const head = `run    ${s.name}: `;
  if (!s.started) return `${head}no metrics yet`;
  const steps = `${s.step.toLocaleString("en")}/${s.totalSteps.toLocaleString("en")} steps`;
  const sps = s.sps === undefined ? "" : `, ${Math.round(s.sps).toLocaleString("en")} SPS`;
  return `${head}${steps}, ${formatRolling(s)}${sps}`;
}
