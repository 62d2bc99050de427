// Reading an experiment's results folder (format in experiments/README.md): experiment.json, scores.json
// and each run's config.json and metrics.jsonl. Everything the report shows comes from here.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { z } from "zod";

const agentSchema = z
  .object({ id: z.string(), label: z.string().optional(), seeds: z.number().int().positive().optional() })
  .passthrough();
const envSchema = z
  .object({
    id: z.string(),
    key: z.string().optional(),
    label: z.string().optional(),
    kwargs: z.record(z.unknown()).optional(),
    memoryLength: z.number().positive().optional(),
    family: z.string().optional(),
    metric: z.string().optional(),
    randomScore: z.number().optional(),
    maxScore: z.number().optional(),
    steps: z.number().positive().optional(),
    seeds: z.number().int().positive().optional(),
    successAbove: z.number().optional(),
    solvedAt: z.number().optional(),
    solvedWindow: z.number().int().positive().optional(),
  })
  .passthrough();

const experimentSchema = z
  .object({
    name: z.string(),
    question: z.string().default(""),
    metric: z.string().default("finalReturn"),
    steps: z.number().positive(),
    // The runner writes the list of seeds; a count n means seeds 1 … n.
    seeds: z.union([z.array(z.number()), z.number().int().positive()]),
    agents: z.array(agentSchema).min(1),
    envs: z.array(envSchema).min(1),
    compare: z.array(z.tuple([z.string(), z.string()])).default([]),
    quick: z.boolean().optional(),
    command: z.string().optional(),
    machine: z.record(z.unknown()).optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .passthrough();

const scoreSchema = z
  .object({
    agent: z.string(),
    env: z.string(),
    seed: z.number(),
    status: z.enum(["done", "failed"]),
    error: z.string().optional(),
    score: z.number().nullable().optional(),
    normalizedScore: z.number().nullable().optional(),
    parameters: z.number().nullable().optional(),
    steps: z.number().nullable().optional(),
    sps: z.number().nullable().optional(),
    run: z.string().optional(),
  })
  .passthrough();

/** experiment.json with defaults filled in and `seeds` as a list (other fields are kept as written). */
export interface ExperimentJson {
  name: string;
  question: string;
  metric: string;
  steps: number;
  seeds: number[];
  /** `seeds`: the agent's own number of seeds when fewer than the env's. */
  agents: { id: string; label?: string; seeds?: number }[];
  envs: {
    /** The registered env id. */
    id: string;
    /**
     * The entry's name, which scores.json's `env` and the run folders use: the id unless the experiment
     * runs the id at several settings (filled in from the id for results written without keys).
     */
    key: string;
    label?: string;
    /** The entry's make() keyword arguments. */
    kwargs?: Record<string, unknown>;
    /** Steps the agent must carry what it saw: the x of the "success against memory length" figure. */
    memoryLength?: number;
    /** That figure's panel (default: the env id). */
    family?: string;
    metric?: string;
    randomScore?: number;
    maxScore?: number;
    /** This env's budget and number of seeds when they differ from the experiment's. */
    steps?: number;
    seeds?: number;
    /** With metric successRate: an episode succeeded when its return is above this (default 0). */
    successAbove?: number;
    /** Steps to solve: the rolling mean (over solvedWindow episodes, default 100) a run must reach. */
    solvedAt?: number;
    solvedWindow?: number;
  }[];
  compare: [string, string][];
  quick?: boolean;
  command?: string;
  machine?: Record<string, unknown>;
  startedAt?: string;
  finishedAt?: string;
  [key: string]: unknown;
}
/** One entry of scores.json. */
export type ScoreEntry = z.infer<typeof scoreSchema>;

/** One episode line of a run's metrics.jsonl. */
export interface Episode {
  /** Env steps when the episode ended. */
  step: number;
  /** Its undiscounted return. */
  return: number;
}

/** One run of the experiment: its entry in scores.json and what its run folder holds. */
export interface RunResult extends ScoreEntry {
  /** The run folder relative to the results folder. */
  dir: string;
  /** config.json as written (pretty-printed), or undefined when the run folder has none. */
  configText?: string;
  /** config.json parsed (backend, command, …). */
  config?: Record<string, unknown>;
  /** Episode lines of metrics.jsonl, in file order. */
  episodes: Episode[];
  /** Update lines (the agent's diagnostics), in file order. */
  updates: UpdateLine[];
  /** Periodic-evaluation lines, in file order. */
  evals: EvalLine[];
}

/** An experiment's results: what was asked, how, and every run. */
export interface ExperimentResults {
  /** The results folder as given. */
  folder: string;
  experiment: ExperimentJson;
  runs: RunResult[];
}

function readJson(file: string, what: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${what}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`)
    .join("; ");
}

/**
 * What a results folder keeps of a finished run's metrics.jsonl: every line, gzipped (see
 * experiments/README.md). Runs kept before the report read update lines have {@link EPISODES_FILE}.
 */
export const METRICS_GZ_FILE = "metrics.jsonl.gz";

/** The episode lines of a run, gzipped: what results folders kept of metrics.jsonl before {@link METRICS_GZ_FILE}. */
export const EPISODES_FILE = "episodes.jsonl.gz";

/** One update line of metrics.jsonl: its step and its numbers (losses, entropy, SPS, …; null ones left out). */
export interface UpdateLine {
  step: number;
  values: Record<string, number>;
}

/** One periodic-evaluation line of metrics.jsonl (config evalEvery). */
export interface EvalLine {
  step: number;
  returnMean: number;
  successRate?: number;
  episodes: number;
  greedy: boolean;
}

/** The lines of a run's metrics, by type, and the file they came from. */
export interface RunMetrics {
  episodes: Episode[];
  updates: UpdateLine[];
  evals: EvalLine[];
  /** The file read: metrics.jsonl, the kept metrics.jsonl.gz, the older episodes.jsonl.gz, or none. */
  source: "metrics.jsonl" | typeof METRICS_GZ_FILE | typeof EPISODES_FILE | "none";
}

/**
 * One line of metrics.jsonl as an object with a finite `step`; undefined for anything else (a torn
 * last line of a stopped run included). Every reader of metrics lines goes through here.
 */
export function parseMetricsObject(line: string): (Record<string, unknown> & { step: number }) | undefined {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (row === null || typeof row !== "object" || Array.isArray(row)) return undefined;
  const step = (row as { step?: unknown }).step;
  if (typeof step !== "number" || !Number.isFinite(step)) return undefined;
  return row as Record<string, unknown> & { step: number };
}

/** One line of metrics.jsonl that the progress display uses: an episode's step and return, or an update's step and SPS. */
export type MetricsLine =
  | { type: "episode"; step: number; return: number }
  | { type: "update"; step: number; sps: number };

/**
 * Parses one line of metrics.jsonl: an episode line (finite step and return) or an update line (finite
 * step and sps); undefined for anything else, a torn last line of a stopped run included.
 */
export function parseMetricsLine(line: string): MetricsLine | undefined {
  const r = parseMetricsObject(line);
  const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  if (r === undefined) return undefined;
  if (r.type === "episode" && finite(r.return)) return { type: "episode", step: r.step, return: r.return };
  if (r.type === "update" && finite(r.sps)) return { type: "update", step: r.step, sps: r.sps };
  return undefined;
}

/**
 * The file a run's metric lines are read from: metrics.jsonl, or when it does not exist the
 * metrics.jsonl.gz beside it (what a results folder keeps), or an older episodes.jsonl.gz; undefined
 * when none exists.
 */
export function metricsSource(file: string): string | undefined {
  if (fs.existsSync(file)) return file;
  for (const kept of [METRICS_GZ_FILE, EPISODES_FILE]) {
    const gz = path.join(path.dirname(file), kept);
    if (fs.existsSync(gz)) return gz;
  }
  return undefined;
}

/**
 * The lines of a metrics.jsonl file (or of {@link metricsSource}'s fallback) as objects, in file order;
 * none when no file exists. `keep` skips lines before they are parsed (cheap on long files).
 */
export function readMetricLines(
  file: string,
  keep?: (line: string) => boolean,
): (Record<string, unknown> & { step: number })[] {
  const source = metricsSource(file);
  if (source === undefined) return [];
  const bytes = fs.readFileSync(source);
  const text = (source === file ? bytes : zlib.gunzipSync(bytes)).toString("utf8");
  const rows: (Record<string, unknown> & { step: number })[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || (keep !== undefined && !keep(line))) continue;
    const row = parseMetricsObject(line);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/**
 * The lines of a run's metrics by type (see {@link metricsSource} for where they are read from);
 * empty when no file exists. Lines of other types are skipped.
 */
export function readRunMetrics(file: string): RunMetrics {
  const source = metricsSource(file);
  const out: RunMetrics = {
    episodes: [],
    updates: [],
    evals: [],
    source:
      source === undefined
        ? "none"
        : source === file
          ? "metrics.jsonl"
          : (path.basename(source) as RunMetrics["source"]),
  };
  for (const row of readMetricLines(file)) {
    const step = row.step;
    if (row.type === "episode") {
      if (typeof row.return === "number" && Number.isFinite(row.return))
        out.episodes.push({ step, return: row.return });
    } else if (row.type === "update") {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(row)) {
        if (k !== "step" && typeof v === "number" && Number.isFinite(v)) values[k] = v;
      }
      out.updates.push({ step, values });
    } else if (row.type === "eval" && typeof row.returnMean === "number") {
      out.evals.push({
        step,
        returnMean: row.returnMean,
        ...(typeof row.successRate === "number" ? { successRate: row.successRate } : {}),
        episodes: typeof row.episodes === "number" ? row.episodes : 0,
        greedy: row.greedy === true,
      });
    }
  }
  return out;
}

/** The episode lines of a run's metrics ({@link readRunMetrics}). */
export function readEpisodes(file: string): Episode[] {
  return readRunMetrics(file).episodes;
}

/** The run folder name of a run: `<agent>--<env>--s<seed>` (as the experiment runner names it). */
export function runFolderName(agent: string, env: string, seed: number): string {
  return `${agent}--${env.replace(/[^\w.-]/g, "_")}--s${seed}`;
}

/**
 * Reads a results folder. Throws one clear line naming the folder and what is missing when it is not
 * one (no experiment.json, no scores.json) or when a file does not have the documented shape.
 */
export function readResults(folder: string): ExperimentResults {
  if (!fs.existsSync(folder)) throw new Error(`${folder}: no such folder`);
  if (!fs.statSync(folder).isDirectory())
    throw new Error(`${folder} is not a results folder: it is a file, not a folder with experiment.json`);
  const experimentFile = path.join(folder, "experiment.json");
  if (!fs.existsSync(experimentFile))
    throw new Error(`${folder} is not a results folder: it has no experiment.json`);
  const parsed = experimentSchema.safeParse(readJson(experimentFile, "experiment.json"));
  if (!parsed.success)
    throw new Error(`${experimentFile} is not an experiment.json: ${describeIssues(parsed.error)}`);
  const seeds = parsed.data.seeds;
  const experiment: ExperimentJson = {
    ...parsed.data,
    seeds: Array.isArray(seeds) ? seeds : Array.from({ length: seeds }, (_, i) => i + 1),
    envs: parsed.data.envs.map((env) => ({ ...env, key: env.key ?? env.id })),
  };

  const scoresFile = path.join(folder, "scores.json");
  if (!fs.existsSync(scoresFile))
    throw new Error(`${folder} has no scores.json: the experiment has not finished (or was not scored)`);
  const scores = z.array(scoreSchema).safeParse(readJson(scoresFile, "scores.json"));
  if (!scores.success) throw new Error(`${scoresFile} is not a scores.json: ${describeIssues(scores.error)}`);

  const runs = scores.data.map((entry): RunResult => {
    const dir = entry.run ?? path.join("runs", runFolderName(entry.agent, entry.env, entry.seed));
    const configFile = path.join(folder, dir, "config.json");
    let configText: string | undefined;
    let config: Record<string, unknown> | undefined;
    if (fs.existsSync(configFile)) {
      configText = fs.readFileSync(configFile, "utf8");
      try {
        config = JSON.parse(configText) as Record<string, unknown>;
        configText = JSON.stringify(config, null, 2);
      } catch {
        config = undefined; // shown as written
      }
    }
    const { episodes, updates, evals } = readRunMetrics(path.join(folder, dir, "metrics.jsonl"));
    return { ...entry, dir, configText, config, episodes, updates, evals };
  });
  return { folder, experiment, runs };
}
