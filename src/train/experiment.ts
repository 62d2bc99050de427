// Experiments: a grid of agents × envs × seeds with an equal step budget, run as `pomdp train`
// processes through an executor, each into its own run folder, then evaluated and scored. The
// results folder's format is documented in experiments/README.md; stats and reports read it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import pLimit from "p-limit";
import { spec } from "../core/registry";
import { METRICS_GZ_FILE } from "../report/results";
import type { Executor, RunTask } from "./executor";
import { writeFileAtomic, writeJsonAtomic } from "./run_folder";
import type { WatchedRun } from "./run_progress";

export {
  type Executor,
  LocalProcessExecutor,
  type RunTask,
  wasmThreadsPerRun,
} from "./executor";

/** One agent of an experiment: `pomdp train` flags (agent, network, wrappers). */
export interface ExperimentAgent {
  /** Short id, used in run folder names and `compare`. */
  id: string;
  /** What the report calls it. */
  label: string;
  /** `pomdp train` flags, e.g. ["--agent", "ppo", "--lstm", "64"]. */
  args: string[];
  /**
   * This agent's number of seeds when fewer than the env's (e.g. a costly baseline, or one the
   * question needs fewer runs of); the report says so. Default: the env's.
   */
  seeds?: number;
}

/** One env of an experiment (an env id, or one of several settings of it: see `key` and `kwargs`). */
export interface ExperimentEnv {
  /** Registered env id. */
  id: string;
  /**
   * This entry's own name where one env id is run at several settings (TMaze-v0 at length 5, 10, …):
   * it names the entry's run folders, its scores.json entries and its report rows. Letters, digits,
   * "-", "_", "."; default: the id. Entries of one id need a key each.
   */
  key?: string;
  /** What the report calls it (default: the key). */
  label?: string;
  /**
   * make() keyword arguments of this entry, e.g. `{ length: 20 }`: passed as `--env-kwargs` to `pomdp
   * train` and to the final `pomdp eval`. Not with an `--env-kwargs` in `args` too.
   */
  kwargs?: Record<string, unknown>;
  /**
   * How many steps the agent must carry what it saw (a T-maze's length, RepeatPrevious's delay k): the
   * x of the report's "success against memory length" figure, drawn for the entries that have one.
   */
  memoryLength?: number;
  /**
   * The panel of that figure this entry belongs to (e.g. "T-maze"), with the other entries of the
   * same family (default: the env id). Only with `memoryLength`.
   */
  family?: string;
  /** Extra `pomdp train` flags for this env (e.g. `--require`, wrappers). */
  args?: string[];
  /**
   * Extra flags for one agent on this env, by agent id, after the agent's own (a later flag wins):
   * e.g. `{ lstm: ["--lstm", "128"] }` where the task needs a bigger memory. The report's parameter
   * counts show the difference.
   */
  agentArgs?: Record<string, string[]>;
  /** The score of a run: the final agent's mean return, or its success rate (return > successAbove). */
  metric?: "finalReturn" | "successRate";
  /**
   * With metric successRate: an episode succeeded when its return is above this (default: what the
   * env's spec declares, see EnvSpec.successAbove, else 0).
   */
  successAbove?: number;
  /** Baselines of normalized scores: a uniformly random policy's score and the best possible. */
  randomScore?: number;
  maxScore?: number;
  /** This env's step budget when it needs another than the experiment's `steps` (still equal across agents). */
  steps?: number;
  /** This env's number of seeds when it differs from the experiment's `seeds` (e.g. fewer on costly envs). */
  seeds?: number;
  /**
   * Steps to solve: a run solves the env at the first env step where the mean of its last
   * `solvedWindow` training episodes' metric (return, or success 0/1) reaches this. The report then
   * gives each run's step (or "not within the budget").
   */
  solvedAt?: number;
  /** Training episodes behind `solvedAt`'s rolling mean (default 100). */
  solvedWindow?: number;
}

/** An experiment: the question, the grid, the budget and what to compare. */
export interface ExperimentSpec {
  name: string;
  /** The question it answers, in one sentence. */
  question: string;
  agents: ExperimentAgent[];
  envs: ExperimentEnv[];
  /** Env steps of every run (equal budgets). */
  steps: number;
  /** Number of seeds: runs use seeds 1 … seeds. */
  seeds: number;
  /** Pairs of agent ids [a, b] for P(a > b). */
  compare: [string, string][];
  /** Held-out episodes of the final agent that make its score (default 100). */
  evalEpisodes?: number;
  /** What `--quick` changes: the same question at a size that finishes in minutes. */
  quick?: Partial<Pick<ExperimentSpec, "agents" | "envs" | "steps" | "seeds" | "compare" | "evalEpisodes">>;
}

/** Checks a spec and returns it (an experiment file's default export goes through this). */
export function defineExperiment(spec: ExperimentSpec): ExperimentSpec {
  const problems: string[] = [];
  if (!/^[\w.-]+$/.test(spec.name ?? "")) problems.push(`name must be letters, digits, "-", "_" or "."`);
  if (!Number.isSafeInteger(spec.steps) || spec.steps < 1)
    problems.push(`steps must be a positive integer, got ${spec.steps}`);
  if (!Number.isSafeInteger(spec.seeds) || spec.seeds < 1)
    problems.push(`seeds must be a positive integer, got ${spec.seeds}`);
  const keys = new Set<string>();
  const labels = new Set<string>();
  for (const env of spec.envs ?? []) {
    const key = envKey(env);
    for (const field of ["steps", "seeds", "solvedWindow"] as const) {
      const v = env[field];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
        problems.push(`env ${key}: ${field} must be a positive integer, got ${v}`);
    }
    if (env.key !== undefined && !/^[\w.-]+$/.test(env.key))
      problems.push(`env key "${env.key}" must be letters, digits, "-", "_" or "."`);
    // Run folders, scores.json and the report's rows tell entries apart by key, the report's panels by label.
    if (keys.has(key))
      problems.push(
        `env ${key} appears twice: give each entry of one env id its own key (e.g. "${env.id}-2")`,
      );
    keys.add(key);
    const label = env.label ?? key;
    if (labels.has(label)) problems.push(`env label "${label}" appears twice`);
    labels.add(label);
    if (env.kwargs !== undefined) {
      if (env.kwargs === null || typeof env.kwargs !== "object" || Array.isArray(env.kwargs))
        problems.push(`env ${key}: kwargs must be an object of make() keyword arguments`);
      else if ((env.args ?? []).includes("--env-kwargs"))
        problems.push(`env ${key}: kwargs and an --env-kwargs in args: give one`);
    }
    const m = env.memoryLength;
    if (m !== undefined && !(typeof m === "number" && Number.isFinite(m) && m > 0))
      problems.push(`env ${key}: memoryLength must be a positive number, got ${m}`);
    if (m !== undefined && (env.randomScore === undefined || env.maxScore === undefined))
      problems.push(
        `env ${key}: memoryLength needs randomScore and maxScore (its figure plots normalized scores)`,
      );
    if (env.family !== undefined && m === undefined)
      problems.push(`env ${key}: family groups entries by memoryLength, which it does not have`);
  }
  const ids = new Set<string>();
  for (const agent of spec.agents ?? []) {
    if (!/^[\w.-]+$/.test(agent.id))
      problems.push(`agent id "${agent.id}" must be letters, digits, "-", "_" or "."`);
    if (ids.has(agent.id)) problems.push(`agent id "${agent.id}" appears twice`);
    if (agent.seeds !== undefined && (!Number.isSafeInteger(agent.seeds) || agent.seeds < 1))
      problems.push(`agent ${agent.id}: seeds must be a positive integer, got ${agent.seeds}`);
    ids.add(agent.id);
  }
  if ((spec.agents ?? []).length === 0) problems.push("agents must not be empty");
  if ((spec.envs ?? []).length === 0) problems.push("envs must not be empty");
  for (const env of spec.envs ?? []) {
    for (const id of Object.keys(env.agentArgs ?? {}))
      if (!ids.has(id))
        problems.push(`env ${envKey(env)}: agentArgs names agent "${id}", which is not in agents`);
  }
  for (const [a, b] of spec.compare ?? []) {
    for (const id of [a, b])
      if (!ids.has(id)) problems.push(`compare names agent "${id}", which is not in agents`);
  }
  if (problems.length > 0) throw new Error(`experiment ${spec.name ?? "(unnamed)"}: ${problems.join("; ")}`);
  return spec;
}

/** The spec with `quick` applied (and `seeds` overridden when asked: then on every env and agent). */
export function resolveSpec(
  spec: ExperimentSpec,
  options: { quick?: boolean; seeds?: number },
): ExperimentSpec {
  const quick = options.quick ? (spec.quick ?? {}) : {};
  const envs = quick.envs ?? spec.envs;
  return defineExperiment({
    ...spec,
    ...quick,
    envs: options.seeds === undefined ? envs : envs.map((e) => ({ ...e, seeds: undefined })),
    ...(options.seeds === undefined
      ? {}
      : { agents: (quick.agents ?? spec.agents).map((a) => ({ ...a, seeds: undefined })) }),
    quick: undefined,
    seeds: options.seeds ?? quick.seeds ?? spec.seeds,
  });
}

/** The name of an env entry in run folders, scores.json and the report: its `key`, else its id. */
export function envKey(env: ExperimentEnv): string {
  return env.key ?? env.id;
}

/** The `--env-kwargs` flag of an entry with `kwargs` (none without). */
export function envKwargsArgs(env: ExperimentEnv): string[] {
  return env.kwargs === undefined ? [] : ["--env-kwargs", JSON.stringify(env.kwargs)];
}

/** The step budget of every run on `env`. */
export function envSteps(spec: ExperimentSpec, env: ExperimentEnv): number {
  return env.steps ?? spec.steps;
}

/** The number of seeds run on `env`. */
export function envSeeds(spec: ExperimentSpec, env: ExperimentEnv): number {
  return env.seeds ?? spec.seeds;
}

/** The number of seeds `agent` runs on `env`: the env's, or the agent's own when fewer. */
export function runSeeds(spec: ExperimentSpec, env: ExperimentEnv, agent: ExperimentAgent): number {
  return Math.min(envSeeds(spec, env), agent.seeds ?? Number.POSITIVE_INFINITY);
}

/** One training run of an experiment. */
export interface RunJob {
  agent: ExperimentAgent;
  env: ExperimentEnv;
  seed: number;
  /** The run folder. */
  dir: string;
}

/** The run folder name of a job: `<agent>--<env>--s<seed>`. */
export function runName(agent: string, env: string, seed: number): string {
  return `${agent}--${env.replace(/[^\w.-]/g, "_")}--s${seed}`;
}

/** Every (agent, env, seed) of the spec, in a stable order. */
export function planJobs(spec: ExperimentSpec, out: string): RunJob[] {
  const jobs: RunJob[] = [];
  const maxSeeds = Math.max(...spec.envs.map((e) => envSeeds(spec, e)));
  for (let seed = 1; seed <= maxSeeds; seed++)
    for (const env of spec.envs.filter((e) => seed <= envSeeds(spec, e)))
      for (const agent of spec.agents.filter((a) => seed <= runSeeds(spec, env, a)))
        jobs.push({ agent, env, seed, dir: path.join(out, "runs", runName(agent.id, envKey(env), seed)) });
  return jobs;
}

/** One entry of scores.json. */
export interface RunScore {
  agent: string;
  env: string;
  seed: number;
  status: "done" | "failed";
  error?: string;
  score?: number;
  normalizedScore?: number;
  parameters?: number;
  steps?: number;
  sps?: number;
  run: string;
}

/**
 * Told when the runs of an experiment train and end, e.g. a progress display that follows each running
 * run's folder (whatever executor runs it, the folder is where progress is read from).
 */
export interface RunListener {
  /** The number of runs of this pass (those scored already included), before any starts. */
  planned(runs: number): void;
  /** A run starts (or resumes) training into its folder; it may wait in the executor's queue first. */
  training(run: WatchedRun): void;
  /** A run is over: scored (now or by an earlier pass) or failed. */
  finished(name: string): void;
}

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** The results folder. */
  out: string;
  executor: Executor;
  /** `pomdp experiment …` as typed, recorded in experiment.json. */
  command: string;
  quick: boolean;
  /**
   * Score and report the finished runs only: runs without a summary.json are neither started nor
   * resumed, and are left out of scores.json (the report counts the seeds done). Default false.
   */
  scoreOnly?: boolean;
  /** Called with a line per finished (or failed) run. */
  log?: (line: string) => void;
  /** Told when each run trains and ends (a progress display). */
  listener?: RunListener;
  /**
   * Checks, before a new run trains, that its env can be made as its evaluation will make it (given
   * the run's `pomdp train` arguments); throws why not, and the run fails at once, before training.
   */
  checkEnv?: (trainArgs: string[]) => void;
  /**
   * Queue the unfinished runs with the executor's `submit` and return at once (nothing is scored: a
   * later pass does that); for executors whose runs go on without this process (Slurm). Default false.
   */
  detach?: boolean;
}

/**
 * Runs every job of the experiment (skipping finished runs, resuming unfinished ones that have a
 * checkpoint, restarting the others), evaluates each final agent on held-out seeds, and writes
 * experiment.json and scores.json. A failed run is recorded with its error; the others go on.
 */
export async function runExperiment(
  spec: ExperimentSpec,
  options: RunExperimentOptions,
): Promise<RunScore[]> {
  const { out, executor } = options;
  const log = options.log ?? (() => {});
  fs.mkdirSync(path.join(out, "runs"), { recursive: true });
  // An experiment run again (to finish or re-score it) keeps the date it was first started.
  const previous = previousRecord(path.join(out, "experiment.json"), spec.name);
  const startedAt = previous.startedAt ?? new Date().toISOString();
  // A score-only pass keeps the command that trained the runs.
  const command = options.scoreOnly ? (previous.command ?? options.command) : options.command;
  const record = (finishedAt?: string) =>
    writeJsonAtomic(path.join(out, "experiment.json"), {
      name: spec.name,
      question: spec.question,
      metric: experimentMetric(spec.envs),
      steps: spec.steps,
      seeds: Array.from({ length: Math.max(...spec.envs.map((e) => envSeeds(spec, e))) }, (_, i) => i + 1),
      agents: spec.agents,
      envs: spec.envs.map((e) => ({
        ...e,
        key: envKey(e),
        label: e.label ?? envKey(e),
        metric: e.metric ?? "finalReturn",
        ...successAboveField(e),
        steps: envSteps(spec, e),
        seeds: envSeeds(spec, e),
      })),
      compare: spec.compare,
      evalEpisodes: spec.evalEpisodes ?? 100,
      quick: options.quick,
      command,
      machine: {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        node: process.version,
        // Infinity (a Slurm executor: the cluster decides) is not a number of JSON.
        workers: Number.isFinite(executor.concurrency) ? executor.concurrency : "all",
      },
      startedAt,
      finishedAt,
    });
  // A score-only pass trains nothing: the experiment keeps the date it finished (if it has one).
  record(options.scoreOnly ? previous.finishedAt : undefined);
  const trained = (job: RunJob) => fs.existsSync(path.join(job.dir, "summary.json"));
  const jobs = planJobs(spec, out).filter((job) => !options.scoreOnly || trained(job));
  const toTrain = jobs.filter((job) => !trained(job)).length;
  if (options.detach) {
    await submitJobs(jobs, spec, executor, log, options.checkEnv);
    return [];
  }
  options.listener?.planned(jobs.length);
  // As many jobs in flight as the executor runs at once, so each run is evaluated (and reported)
  // as soon as it has trained, rather than after every other run has.
  const jobLimit = pLimit(executor.concurrency);
  // scores.json grows as runs finish, so that a report can be made of an experiment still running
  // (or stopped): its table then counts the seeds done so far.
  const finished: (RunScore | undefined)[] = jobs.map(() => undefined);
  const scores = await Promise.all(
    jobs.map((job, i) =>
      jobLimit(async () => {
        const score = await runJob(job, spec, executor, log, options.checkEnv, options.listener);
        options.listener?.finished(path.basename(job.dir));
        finished[i] = score;
        writeJsonAtomic(
          path.join(out, "scores.json"),
          finished.filter((s) => s !== undefined),
        );
        return score;
      }),
    ),
  );
  writeJsonAtomic(path.join(out, "scores.json"), scores);
  // A score-only pass leaves an unfinished experiment unfinished; a re-run that trained nothing keeps
  // the date the last run finished.
  if (!options.scoreOnly)
    record(toTrain === 0 && previous.finishedAt ? previous.finishedAt : new Date().toISOString());
  return scores;
}

/**
 * Queues every job that is not finished (trained and evaluated) with the executor's `submit`, after the
 * checks a run gets before it trains; a run that fails them is said and not queued.
 */
async function submitJobs(
  jobs: RunJob[],
  spec: ExperimentSpec,
  executor: Executor,
  log: (l: string) => void,
  checkEnv?: (trainArgs: string[]) => void,
): Promise<void> {
  if (executor.submit === undefined)
    throw new Error("this executor runs runs in this process only: it cannot detach from them");
  for (const job of jobs) {
    const finished = ["summary.json", "eval.json"].every((f) => fs.existsSync(path.join(job.dir, f)));
    if (finished) continue;
    const task = runTask(job, spec);
    try {
      const fresh =
        !fs.existsSync(path.join(job.dir, "summary.json")) &&
        !fs.existsSync(path.join(job.dir, "checkpoint"));
      if (fresh) checkEnv?.(task.start);
      log(await executor.submit(task));
    } catch (err) {
      log(`failed ${task.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** The commands of a job: `pomdp train` to start or resume it, `pomdp eval` to score it. */
export function runTask(job: RunJob, spec: ExperimentSpec): RunTask {
  const envArgs = job.env.args ?? [];
  const own = job.env.agentArgs?.[job.agent.id] ?? [];
  const start = [
    "train",
    "--env",
    job.env.id,
    ...job.agent.args,
    ...own,
    ...envArgs,
    ...envKwargsArgs(job.env),
    "--steps",
    String(envSteps(spec, job.env)),
    "--seed",
    String(job.seed),
    "--out",
    job.dir,
    "-q",
    // A run folder left without a checkpoint (stopped before its first) starts again from scratch.
    "--restart",
  ];
  const evalFile = path.join(job.dir, "eval.json");
  const evaluate = [
    "eval",
    job.dir,
    "--episodes",
    String(spec.evalEpisodes ?? 100),
    "--seed",
    String(1000 + job.seed),
    // The run's config.json has them too; given here, the evaluation does not depend on that.
    ...envKwargsArgs(job.env),
    "--out",
    evalFile,
    ...requireArgs(envArgs),
  ];
  return {
    name: path.basename(job.dir),
    dir: job.dir,
    start,
    resume: ["train", "--resume", job.dir, "-q", ...requireArgs(envArgs)],
    evaluate,
  };
}

async function runJob(
  job: RunJob,
  spec: ExperimentSpec,
  executor: Executor,
  log: (l: string) => void,
  checkEnv?: (trainArgs: string[]) => void,
  listener?: RunListener,
): Promise<RunScore> {
  const name = path.basename(job.dir);
  const base: RunScore = {
    agent: job.agent.id,
    env: envKey(job.env),
    seed: job.seed,
    status: "done",
    run: path.join("runs", name),
  };
  try {
    const summaryFile = path.join(job.dir, "summary.json");
    const evalFile = path.join(job.dir, "eval.json");
    const task = runTask(job, spec);
    const trained = fs.existsSync(summaryFile);
    const resumes = fs.existsSync(path.join(job.dir, "checkpoint"));
    if (!trained && !resumes) checkEnv?.(task.start);
    if (!trained || !fs.existsSync(evalFile)) {
      if (!trained)
        listener?.training({
          name,
          dir: job.dir,
          totalSteps: envSteps(spec, job.env),
          metric: job.env.metric ?? "finalReturn",
          successAbove: job.env.successAbove,
        });
      if (executor.runTask) await executor.runTask(task);
      else {
        if (!trained) await executor.run(resumes ? task.resume : task.start, name);
        await executor.run(task.evaluate, `${name} eval`);
      }
    }
    const evaluation = JSON.parse(fs.readFileSync(evalFile, "utf8")) as {
      returns: number[];
      returnMean: number;
      /** The env's declared success threshold, as the evaluating process saw it (absent: none). */
      successAbove?: number;
    };
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as {
      steps: number;
      sps: number;
      parameters: number;
    };
    const score =
      (job.env.metric ?? "finalReturn") === "successRate"
        ? evaluation.returns.filter((r) => r > (job.env.successAbove ?? evaluation.successAbove ?? 0))
            .length / evaluation.returns.length
        : evaluation.returnMean;
    const { randomScore, maxScore } = job.env;
    const normalizedScore =
      randomScore !== undefined && maxScore !== undefined && maxScore !== randomScore
        ? (score - randomScore) / (maxScore - randomScore)
        : undefined;
    keepMetrics(job.dir);
    log(`done   ${name}: score ${round(score)} (${summary.sps} SPS)`);
    return {
      ...base,
      score,
      normalizedScore,
      parameters: summary.parameters,
      steps: summary.steps,
      sps: summary.sps,
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log(`failed ${name}: ${error}`);
    return { ...base, status: "failed", error };
  }
}

/** startedAt, finishedAt and command of an experiment.json of the same experiment, where there is one. */
function previousRecord(
  file: string,
  name: string,
): { startedAt?: string; finishedAt?: string; command?: string } {
  try {
    const previous = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    if (previous.name !== name) return {};
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    return {
      startedAt: text(previous.startedAt),
      finishedAt: text(previous.finishedAt),
      command: text(previous.command),
    };
  } catch {
    return {};
  }
}

/**
 * The metric experiment.json names for the whole grid: the envs' common one (the final return or the
 * success rate), or "mixed" when they differ (each env's own is in its entry).
 */
export function experimentMetric(envs: readonly ExperimentEnv[]): "finalReturn" | "successRate" | "mixed" {
  const metrics = new Set(envs.map((e) => e.metric ?? "finalReturn"));
  return metrics.size === 1 ? [...metrics][0] : "mixed";
}

/**
 * Writes a finished run's metrics.jsonl, gzipped, to METRICS_GZ_FILE (once): its episodes (learning
 * curves, steps to solve), updates (the report's diagnostics) and evaluations, small enough to commit
 * with the results (a 1M-step Minigrid run's ~5 MB of lines become ~0.4 MB).
 */
function keepMetrics(dir: string): void {
  const metrics = path.join(dir, "metrics.jsonl");
  const kept = path.join(dir, METRICS_GZ_FILE);
  if (fs.existsSync(kept) || !fs.existsSync(metrics)) return;
  writeFileAtomic(kept, zlib.gzipSync(fs.readFileSync(metrics), { level: 9 }));
}

/**
 * experiment.json's successAbove of an env scored by success rate: the experiment's, else the one its
 * spec declares when the env is registered in this process (a user env once its module is loaded).
 */
function successAboveField(e: ExperimentEnv): { successAbove?: number } {
  if (e.successAbove !== undefined) return { successAbove: e.successAbove };
  if ((e.metric ?? "finalReturn") !== "successRate") return {};
  try {
    const declared = spec(e.id).successAbove;
    return declared === undefined ? {} : { successAbove: declared };
  } catch {
    return {}; // not registered here (yet): the report says 0, the default
  }
}

/** The `--require` flags among an env's extra args: a run records its own, these serve runs from before it did. */
function requireArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === "--require" || args[i] === "-r") && i + 1 < args.length) out.push(args[i], args[i + 1]);
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
