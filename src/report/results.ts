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
    label: z.string().optional(),
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
    id: string;
    label?: string;
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

/** The episode lines of a run, gzipped: what a results folder keeps of metrics.jsonl (see experiments/README.md). */
export const EPISODES_FILE = "episodes.jsonl.gz";

/**
 * The file a run's metric lines are read from: metrics.jsonl, or when it does not exist the
 * episodes.jsonl.gz beside it (what a results folder keeps); undefined when neither exists.
 */
export function metricsSource(file: string): string | undefined {
  if (fs.existsSync(file)) return file;
  const gz = path.join(path.dirname(file), EPISODES_FILE);
  return fs.existsSync(gz) ? gz : undefined;
}

/**
 * The JSON object lines of a metrics.jsonl file (or of {@link metricsSource}'s fallback), in file
 * order; none when neither file exists. `keep` skips lines before they are parsed (cheap on long
 * files); a line that is not JSON (the torn last line of a stopped run) is skipped.
 */
export function readMetricLines(file: string, keep?: (line: string) => boolean): Record<string, unknown>[] {
  const source = metricsSource(file);
  if (source === undefined) return [];
  const bytes = fs.readFileSync(source);
  const text = (source === file ? bytes : zlib.gunzipSync(bytes)).toString("utf8");
  const rows: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || (keep !== undefined && !keep(line))) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue; // a torn last line of a run that was stopped
    }
    if (row !== null && typeof row === "object" && !Array.isArray(row))
      rows.push(row as Record<string, unknown>);
  }
  return rows;
}

/**
 * Episode lines (`{"type":"episode","step","return"}`) of a metrics.jsonl file, other lines skipped;
 * when it does not exist, those of the episodes.jsonl.gz beside it (none when neither exists).
 */
export function readEpisodes(file: string): Episode[] {
  const episodes: Episode[] = [];
  for (const r of readMetricLines(file, (line) => line.includes('"episode"'))) {
    if (r.type === "episode" && typeof r.step === "number" && typeof r.return === "number") {
      if (Number.isFinite(r.step) && Number.isFinite(r.return))
        episodes.push({ step: r.step, return: r.return });
    }
  }
  return episodes;
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
    return {
      ...entry,
      dir,
      configText,
      config,
      episodes: readEpisodes(path.join(folder, dir, "metrics.jsonl")),
    };
  });
  return { folder, experiment, runs };
}
