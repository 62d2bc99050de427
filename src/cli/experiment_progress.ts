// The live progress of `pomdp experiment`: each running run's step, rolling score, speed and ETA,
// read from its run folder (so that any executor's runs can be shown), as bars on a terminal or as
// plain lines now and then in logs, with the runner's `done`/`failed` lines among them.
import { MultiBar, type SingleBar } from "cli-progress";
import type { RunListener } from "../train/experiment";
import { formatRolling, formatRunLine, RunProgress, type WatchedRun } from "../train/run_progress";

/** A {@link RunListener} that also prints the runner's lines; stop it before printing anything else. */
export interface ExperimentProgress extends RunListener {
  /** Prints a line of the runner (above the bars on a terminal). */
  log(line: string): void;
  /** Reads every running run's new metrics and shows them (the timer calls it; tests may too). */
  tick(): void;
  /** Stops the timer and leaves the terminal as it found it. */
  stop(): void;
}

/** Options of {@link makeExperimentProgress}. */
export interface ExperimentProgressOptions {
  /** Bars (a terminal) or plain lines. */
  tty: boolean;
  /** Seconds between two plain progress lines of a run; 0 shows no progress (neither lines nor bars). */
  everySeconds: number;
  /** Where the lines go; bars are drawn on `stream`. */
  write?: (line: string) => void;
  stream?: NodeJS.WriteStream;
  /** Milliseconds between two reads of the run folders behind the bars. */
  pollMs?: number;
}

/** Bars on a terminal, plain lines every `everySeconds` otherwise, none with 0. */
export function makeExperimentProgress(options: ExperimentProgressOptions): ExperimentProgress {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.tty && options.everySeconds > 0)
    return new BarProgress(options.stream ?? process.stderr, options.pollMs ?? 1000);
  return new PlainProgress(write, options.everySeconds * 1000);
}

/** A plain line per running run every `everyMs` (0: none), for logs, CI and pipes. */
export class PlainProgress implements ExperimentProgress {
  private readonly running = new Map<string, RunProgress>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs: number,
  ) {}

  log(line: string): void {
    this.write(line);
  }

  planned(): void {
    if (this.everyMs > 0 && this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.everyMs);
      this.timer.unref(); // the runs, not the display, keep the process alive
    }
  }

  training(run: WatchedRun): void {
    this.running.set(run.name, new RunProgress(run));
  }

  finished(name: string): void {
    this.running.delete(name);
  }

  tick(): void {
    for (const run of this.running.values()) {
      run.poll();
      this.write(formatRunLine(run.snapshot()));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** `42s`, `3m 20s`, `2h 05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One bar per running run (removed when it ends) under one bar of the runs done. */
class BarProgress implements ExperimentProgress {
  private readonly bars: MultiBar;
  private readonly running = new Map<string, { progress: RunProgress; bar: SingleBar }>();
  private overall: SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nameWidth = "experiment".length;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly pollMs: number,
  ) {
    // Redraws twice a second at most (the machine's cores are the runs'); no SIGINT handler of its
    // own, so that Ctrl-C still stops the experiment at once.
    this.bars = new MultiBar({
      stream,
      fps: 2,
      barsize: 16,
      hideCursor: false,
      // A narrow terminal cuts the line's end: the least needed last.
      format: "{name} {bar} {steps} steps | ETA {left} | {rolling} | {sps}",
    });
  }

  log(line: string): void {
    this.bars.log(`${line}\n`);
  }

  planned(runs: number): void {
    this.overall = this.bars.create(
      runs,
      0,
      { name: "experiment".padEnd(this.nameWidth) },
      { format: "{name} {bar} {value}/{total} runs done" },
    );
    this.timer = setInterval(() => this.tick(), this.pollMs);
    this.timer.unref();
  }

  training(run: WatchedRun): void {
    this.nameWidth = Math.max(this.nameWidth, run.name.length);
    const progress = new RunProgress(run);
    const bar = this.bars.create(run.totalSteps, 0, this.payload(progress));
    this.running.set(run.name, { progress, bar });
  }

  finished(name: string): void {
    const run = this.running.get(name);
    if (run) this.bars.remove(run.bar);
    this.running.delete(name);
    this.overall?.increment();
  }

  tick(): void {
    this.overall?.update({ name: "experiment".padEnd(this.nameWidth) });
    for (const { progress, bar } of this.running.values()) {
      progress.poll();
      bar.update(progress.snapshot().step, this.payload(progress));
    }
    this.bars.update(); // drawn now, not at the bars' next redraw: a run may end before it
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.bars.update(); // prints the lines logged since the last redraw
    this.bars.stop();
  }

  private payload(progress: RunProgress): Record<string, string> {
    const s = progress.snapshot();
    const stepsLeft = s.totalSteps - s.step;
    return {
      name: s.name.padEnd(this.nameWidth),
      steps: `${s.step.toLocaleString("en")}/${s.totalSteps.toLocaleString("en")}`,
      rolling: formatRolling(s),
      sps: s.sps === undefined ? "– SPS" : `${Math.round(s.sps).toLocaleString("en")} SPS`,
      // Not cli-progress's own {eta}: that one is of the bar's updates, so a resumed run's jump skews it.
      left: !s.started || !s.sps ? "–" : formatDuration(stepsLeft / s.sps),
    };
  }
}
