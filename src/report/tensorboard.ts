// `pomdp export-tb`: the lines of a run's metrics.jsonl as TensorBoard scalars, one events file per run,
// so `tensorboard --logdir <folder>` shows a run, or compares every run of a results folder.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RUN_FILES } from "../train/run_files";
import { writeFileAtomic } from "../train/run_folder";
import { metricsSource, readMetricLines } from "./results";
import { eventsFile, type TbEvent } from "./tfevents";

/** The tag prefix of each line type: `episode/return`, `train/valueLoss`, `eval/return`; another type prefixes its own name. */
const PREFIX: Record<string, string> = { episode: "episode", update: "train", eval: "eval" };
/** Fields that say where a line belongs rather than measure something. */
const PLACE_FIELDS = new Set(["type", "step", "time"]);
/** A line type that can name a tag (a line of another type is skipped). */
const TYPE_NAME = /^[\w.-]+$/;
/** Names of the events files this module writes (and replaces on the next export). */
const EVENTS_FILE = /^events\.out\.tfevents\./;

const RUN_FOLDER = "a run folder (with metrics.jsonl)";
const RESULTS_FOLDER = "a results folder (with experiment.json and runs/)";

/** A line's `time` in seconds since the epoch (a number of seconds, or an ISO date), if it has one. */
export function lineTime(time: unknown): number | undefined {
  if (typeof time === "number" && Number.isFinite(time)) return time;
  if (typeof time === "string") {
    const ms = Date.parse(time);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  return undefined;
}

/**
 * The events of metric lines: one per line with a numeric `step`, holding its numeric fields (a
 * boolean, like an episode's success, as 0/1; others skipped), in step order (file order within a
 * step), since TensorBoard draws a tag's points in the order it reads them. `fileTime` (seconds) is the
 * wall time of lines without a `time`.
 */
export function metricEvents(lines: Record<string, unknown>[], fileTime: number): TbEvent[] {
  const events: TbEvent[] = [];
  for (const line of lines) {
    if (typeof line.type !== "string" || !TYPE_NAME.test(line.type)) continue;
    if (typeof line.step !== "number" || !Number.isFinite(line.step)) continue;
    const prefix = PREFIX[line.type] ?? line.type;
    const scalars = [];
    for (const [field, value] of Object.entries(line)) {
      if (PLACE_FIELDS.has(field)) continue;
      if (typeof value === "number" && Number.isFinite(value))
        scalars.push({ tag: `${prefix}/${field}`, value });
      else if (typeof value === "boolean") scalars.push({ tag: `${prefix}/${field}`, value: value ? 1 : 0 });
    }
    if (scalars.length === 0) continue;
    events.push({ wallTime: lineTime(line.time) ?? fileTime, step: Math.round(line.step), scalars });
  }
  return events.sort((a, b) => a.step - b.step);
}

/** What one run's export wrote. */
export interface ExportedRun {
  /** The run folder read. */
  run: string;
  /** The events file written. */
  file: string;
  /** Scalars in it (a value of a tag at a step). */
  scalars: number;
}

/** Names and times the events file; tests fix them. */
export interface ExportOptions {
  /** The export's time, in the file name (default now). */
  now?: Date;
  /** The host in the file name (default os.hostname()). */
  host?: string;
}

/**
 * Writes the events file of the run in `runDir` into `outDir`, and removes the events files an earlier
 * export left there (TensorBoard would show their points twice).
 */
export function exportRun(runDir: string, outDir: string, options: ExportOptions = {}): ExportedRun {
  const metrics = path.join(runDir, RUN_FILES.metrics);
  const source = metricsSource(metrics);
  if (source === undefined) throw new Error(`${runDir} has no ${RUN_FILES.metrics}`);
  const fileTime = fs.statSync(source).mtimeMs / 1000;
  const events = metricEvents(readMetricLines(metrics), fileTime);
  const seconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const name = `events.out.tfevents.${seconds}.${options.host ?? os.hostname()}`;
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  writeFileAtomic(file, eventsFile(events, events[0]?.wallTime ?? fileTime));
  for (const old of fs.readdirSync(outDir))
    if (old !== name && EVENTS_FILE.test(old)) fs.rmSync(path.join(outDir, old));
  return { run: runDir, file, scalars: events.reduce((n, e) => n + e.scalars.length, 0) };
}

/** What {@link exportTb} did: the runs written, and the run folders skipped for having no metrics. */
export interface TbExport {
  written: ExportedRun[];
  skipped: string[];
}

function isFolder(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

/**
 * Exports a run folder (into `<run>/tb`, or `<out>/<run name>`) or every run of a results folder
 * (into `<results>/tb/<run name>`, or `<out>/<run name>`): one folder per run, as TensorBoard lists runs.
 */
export function exportTb(target: string, options: ExportOptions & { out?: string } = {}): TbExport {
  if (!fs.existsSync(target))
    throw new Error(`${target}: no such folder; expected ${RUN_FOLDER} or ${RESULTS_FOLDER}`);
  if (isFolder(target) && metricsSource(path.join(target, RUN_FILES.metrics)) !== undefined) {
    const runName = path.basename(path.resolve(target));
    const outDir = options.out !== undefined ? path.join(options.out, runName) : path.join(target, "tb");
    return { written: [exportRun(target, outDir, options)], skipped: [] };
  }
  const runsDir = path.join(target, "runs");
  if (!fs.existsSync(path.join(target, "experiment.json")) || !isFolder(runsDir))
    throw new Error(`${target} is neither ${RUN_FOLDER} nor ${RESULTS_FOLDER}`);
  const result: TbExport = { written: [], skipped: [] };
  const out = options.out ?? path.join(target, "tb");
  for (const name of fs.readdirSync(runsDir).sort()) {
    const runDir = path.join(runsDir, name);
    if (!isFolder(runDir)) continue;
    if (metricsSource(path.join(runDir, RUN_FILES.metrics)) === undefined) result.skipped.push(runDir);
    else result.written.push(exportRun(runDir, path.join(out, name), options));
  }
  if (result.written.length === 0)
    throw new Error(`${runsDir} holds no run folder with ${RUN_FILES.metrics}`);
  return result;
}
