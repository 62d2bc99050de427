// The numbers of an experiment's report, from its results (src/report/results.ts) through the
// statistics of src/stats (rliable's methods): per agent × env scores with bootstrap CIs, learning
// curves on a shared step grid, P(improvement) of the compared pairs and performance profiles.
//
// Every interval draws its resamples from its own stream of the seed tree,
// `deriveSeed(seed, "stats/<statistic>/<agent>/<env>")` (src/stats's `intervalPurpose`): a table cell
// "stats/aggregates/<agent>/<env>" (its mean, median, IQM and optimality gap, on one set of resamples
// as rliable's `get_interval_estimates`), a learning curve "stats/curve/<agent>/<env>", a performance
// profile "stats/profile/<agent>" (all envs) or "stats/profile/<agent>/<env>", P(X > Y)
// "stats/improvement/<X>/<Y>" (all envs) or "stats/improvement/<X>/<Y>/<env>", the aggregate metrics over
// all envs "stats/aggregates/<agent>", a point of "success against memory length"
// "stats/memory-length/<agent>/<env>". So two agents with the same number of runs on one env are not
// resampled with the same indices, and the report stays the same for the same results and seed.
import {
  aggregateMetrics,
  aggregateMetricsByTask,
  curveIntervals,
  type Interval,
  intervalPurpose,
  linspace,
  performanceProfile,
  performanceProfileByTask,
  probabilityOfImprovementByTask,
} from "../stats";
import { type EnvImprovement, envImprovements } from "./env_comparisons";
import { type MemoryLengthPoint, memoryLengthPoints } from "./memory_length";
import type { Episode, ExperimentResults, RunResult } from "./results";
import { binSeries, diagnosticSeries, episodesInSeconds, evaluationSeries, type Series } from "./run_series";

/** How the bootstrap CIs are drawn. */
export interface AnalysisOptions {
  /**
   * Bootstrap resamples of the table's intervals and of P(improvement) (default 50,000, rliable's
   * `get_interval_estimates`).
   */
  resamples?: number;
  /** Bootstrap resamples of the learning curves' bands (default 2,000, or `resamples` if fewer). */
  curveResamples?: number;
  /**
   * Bootstrap resamples of the performance profiles' bands (default 2,000 as rliable's
   * `create_performance_profile`, or `resamples` if fewer).
   */
  profileResamples?: number;
  /** Coverage of the intervals (default 0.95). */
  confidence?: number;
  /**
   * Root of the resampling streams (default 0): each interval draws from `deriveSeed(seed, purpose)`
   * with a purpose naming what it estimates; the same seed gives the same report.
   */
  seed?: number;
  /** Points of the learning curves' step grid (default 50). */
  curvePoints?: number;
  /**
   * The learning curves' x axis: env steps (default), or training seconds (wall-clock, from the update
   * lines' SPS; runs without them are left out of the curves).
   */
  curveAxis?: "steps" | "seconds";
}

/** One row of the table: an agent on an env over its seeds. */
export interface ScoreRow {
  agent: string;
  agentLabel: string;
  env: string;
  envLabel: string;
  /** Seeds whose run finished with a score, and seeds asked for. */
  seedsDone: number;
  seedsTotal: number;
  /** Scores of the finished runs, in seed order. */
  scores: number[];
  /** Mean and IQM of the scores with bootstrap CIs (undefined when no run finished). */
  mean?: Interval;
  iqm?: Interval;
  /** Parameter counts of the runs (min and max: equal unless the runs differ). */
  parameters?: [number, number];
  /** Mean SPS of the runs. */
  sps?: number;
  /**
   * With the env's `solvedAt`: each run's steps to solve (null: not within its budget), in seed order,
   * for the runs that have episodes.
   */
  solvedSteps?: (number | null)[];
}

/**
 * A learning curve: IQM over seeds of binned episode returns (or successes, where the env's metric is
 * the success rate), with CI, on a shared step grid.
 */
export interface Curve extends Series {
  /** What each episode contributes: its return, or 1/0 for success (return above `successAbove`). */
  quantity: "return" | "success";
  /** Runs that have episodes (the seeds behind the curve). */
  runs: number;
  /** Grid points: env steps, or seconds with the option curveAxis "seconds". */
  step: number[];
  lower: number[];
  upper: number[];
}

/** P(first > second) over the envs, with its CI. */
export interface Improvement {
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  /** Finished runs behind each side, over all envs. */
  xRuns: number;
  yRuns: number;
  interval?: Interval;
  /** Why there is no interval (an agent with no finished run on some env). */
  missing?: string;
  /** P(X > Y) env by env, with the exact one-sided Mann–Whitney p of each env's runs. */
  perEnv: EnvImprovement[];
}

/**
 * rliable's `get_interval_estimates` over all envs on normalized scores, per agent: mean and median of
 * the env means, IQM and optimality gap (below `gamma`) with every env weighing the same, each with its
 * stratified bootstrap CI (stream "stats/aggregates/<agent>").
 */
export interface AggregateEstimates {
  /** The optimality gap's threshold, on the normalized scale (1: each env's `maxScore`). */
  gamma: number;
  /** The envs' baselines: a score is normalized as (raw − randomScore) / (maxScore − randomScore). */
  baselines: { envLabel: string; randomScore: number; maxScore: number }[];
  agents: {
    agent: string;
    agentLabel: string;
    mean: Interval;
    median: Interval;
    iqm: Interval;
    optimalityGap: Interval;
  }[];
}

/** A performance profile of one agent: fraction of runs scoring above τ, with CI bands. */
export interface Profile {
  agent: string;
  agentLabel: string;
  /** The group of envs: "all envs" (normalized scores) or one env (its raw scores). */
  group: string;
  thresholds: number[];
  fraction: number[];
  lower: number[];
  upper: number[];
}

/** Everything the report shows besides the raw runs. */
export interface Analysis {
  rows: ScoreRow[];
  curves: Curve[];
  improvements: Improvement[];
  profiles: Profile[];
  /** The learning curves' x axis. */
  curveAxis: "steps" | "seconds";
  /** The agents' diagnostics over env steps, from the runs' update lines (see run_series.ts). */
  diagnostics: Series[];
  /** The periodic evaluations' curves, from the runs' eval lines. */
  evaluations: Series[];
  /** The x axis of the profiles: normalized scores over all envs, or each env's raw scores. */
  profileScale: "normalized" | "raw";
  /**
   * "Success against memory length": each agent's mean normalized score on each env entry with a
   * `memoryLength` (none when no entry has one).
   */
  memoryLengths: MemoryLengthPoint[];
  /** Aggregate metrics over all envs: only when every env has baselines (normalized scores). */
  aggregates?: AggregateEstimates;
  /** How the intervals were drawn (each from its own stream, `deriveSeed(seed, purpose)`). */
  bootstrap: {
    /** Resamples of the table's intervals and of P(improvement). */
    resamples: number;
    /** Resamples of the learning curves' bands. */
    curveResamples: number;
    /** Resamples of the performance profiles' bands. */
    profileResamples: number;
    confidence: number;
    seed: number;
  };
}

// Learning curves and performance profiles draw fewer resamples than the intervals of the table: each
// of their points (50 steps of a curve, 41 thresholds of a profile) is an interval of its own, so one
// curve at 50,000 resamples costs more than a whole table of 21 cells. On this 2-core machine (shared
// with other jobs), with everything at 50,000 the analysis of mlp-vs-lstm took 7–19 s, its 3 Memory
// curves 3.5–8.5 s and its 3 profiles 1.3–2.5 s of that; with the bands at 2,000 it took 2.6 s, the
// bands 0.4 s. rliable's `create_performance_profile` uses 2,000 too; in a plot the bands look the same.
const DEFAULTS = { resamples: 50_000, bandResamples: 2000, confidence: 0.95, seed: 0, curvePoints: 50 };

function done(run: RunResult): run is RunResult & { score: number } {
  return run.status === "done" && typeof run.score === "number" && Number.isFinite(run.score);
}

/**
 * Bins each run's episode returns onto a shared grid of `points` steps (`end/points`, …, `end`): the value
 * at a grid step is the mean return of the episodes that ended in the bin up to it, carried forward
 * from the last bin that had one. Grid points before every run has had an episode are left out.
 */
export function binCurves(
  runs: readonly (readonly Episode[])[],
  end: number,
  points: number,
  value: (e: Episode) => number = (e) => e.return,
): { step: number[]; values: number[][] } {
  const binned = binSeries(runs, end, points, value);
  let first = 0;
  while (first < points && binned.values.some((v) => Number.isNaN(v[first]))) first++;
  return { step: binned.step.slice(first), values: binned.values.map((v) => v.slice(first)) };
}

/**
 * The env step of the first episode at which the mean `value` of the last `window` episodes reaches
 * `threshold` (null when it never does). Fewer than `window` episodes never count as solved.
 */
export function stepsToSolve(
  episodes: readonly Episode[],
  threshold: number,
  window: number,
  value: (e: Episode) => number = (e) => e.return,
): number | null {
  let sum = 0;
  for (let i = 0; i < episodes.length; i++) {
    sum += value(episodes[i]);
    if (i >= window) sum -= value(episodes[i - window]);
    if (i + 1 >= window && sum / window >= threshold - 1e-12) return episodes[i].step;
  }
  return null;
}

/** Scores of one agent grouped by env, [env][run] in seed order: its finished runs on each env. */
function scoresByEnv(
  results: ExperimentResults,
  agent: string,
  value: (run: RunResult & { score: number }) => number,
): number[][] {
  const { experiment, runs } = results;
  return experiment.envs.map((env) =>
    runs
      .filter((r) => r.agent === agent && r.env === env.key)
      .filter(done)
      .sort((a, b) => a.seed - b.seed)
      .map(value)
      .filter((v) => Number.isFinite(v)),
  );
}

/** Computes the report's numbers. Deterministic for a given results folder and options. */
export function analyze(results: ExperimentResults, options: AnalysisOptions = {}): Analysis {
  const { experiment, runs } = results;
  const resamples = options.resamples ?? DEFAULTS.resamples;
  for (const name of ["resamples", "curveResamples", "profileResamples"] as const) {
    const v = options[name];
    if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 1)) {
      throw new Error(`analyze: options.${name} must be a positive integer; got ${String(v)}`);
    }
  }
  const curveResamples = options.curveResamples ?? Math.min(DEFAULTS.bandResamples, resamples);
  const profileResamples = options.profileResamples ?? Math.min(DEFAULTS.bandResamples, resamples);
  const confidence = options.confidence ?? DEFAULTS.confidence;
  const seed = options.seed ?? DEFAULTS.seed;
  const curvePoints = options.curvePoints ?? DEFAULTS.curvePoints;
  const curveAxis = options.curveAxis ?? "steps";
  // The episodes a learning curve bins: at their env step, or at the training seconds of that step.
  const curveEpisodes = (r: RunResult) => (curveAxis === "seconds" ? episodesInSeconds(r) : r.episodes);
  const boot = { resamples, confidence, seed };
  const curveBoot = { ...boot, resamples: curveResamples };
  const profileBoot = { ...boot, resamples: profileResamples };
  const agentLabel = (id: string) => experiment.agents.find((a) => a.id === id)?.label ?? id;

  const rows: ScoreRow[] = [];
  const curves: Curve[] = [];
  for (const agent of experiment.agents) {
    for (const env of experiment.envs) {
      const own = runs
        .filter((r) => r.agent === agent.id && r.env === env.key)
        .sort((a, b) => a.seed - b.seed);
      const finished = own.filter(done);
      const scores = finished.map((r) => r.score);
      const row: ScoreRow = {
        agent: agent.id,
        agentLabel: agent.label ?? agent.id,
        env: env.key,
        envLabel: env.label ?? env.key,
        seedsDone: finished.length,
        seedsTotal: Math.min(env.seeds ?? experiment.seeds.length, agent.seeds ?? Number.POSITIVE_INFINITY),
        scores,
      };
      if (scores.length > 0) {
        const m = aggregateMetrics(
          scores.map((s) => [s]),
          { ...boot, purpose: intervalPurpose("aggregates", agent.id, env.key) },
        );
        row.mean = m.mean;
        row.iqm = m.iqm;
      }
      const params = own.map((r) => r.parameters).filter((p): p is number => typeof p === "number");
      if (params.length > 0) row.parameters = [Math.min(...params), Math.max(...params)];
      const sps = own.map((r) => r.sps).filter((s): s is number => typeof s === "number" && s > 0);
      if (sps.length > 0) row.sps = sps.reduce((a, b) => a + b, 0) / sps.length;
      const above = env.successAbove ?? 0;
      const success = env.metric === "successRate";
      const value = success ? (e: Episode) => (e.return > above ? 1 : 0) : (e: Episode) => e.return;
      if (env.solvedAt !== undefined) {
        row.solvedSteps = own
          .filter((r) => r.episodes.length > 0)
          .map((r) => stepsToSolve(r.episodes, env.solvedAt!, env.solvedWindow ?? 100, value));
      }
      rows.push(row);

      const withEpisodes = own.filter((r) => curveEpisodes(r).length > 0);
      if (withEpisodes.length > 0) {
        const end = withEpisodes.reduce(
          (m, r) => curveEpisodes(r).reduce((mm, e) => Math.max(mm, e.step), m),
          curveAxis === "seconds" ? 0 : (env.steps ?? experiment.steps),
        );
        const { step, values } = binCurves(withEpisodes.map(curveEpisodes), end, curvePoints, value);
        if (step.length > 0) {
          const ci = curveIntervals(values, {
            ...curveBoot,
            purpose: intervalPurpose("curve", agent.id, env.key),
          });
          curves.push({
            agent: agent.id,
            agentLabel: row.agentLabel,
            env: env.key,
            envLabel: row.envLabel,
            quantity: success ? "success" : "return",
            runs: withEpisodes.length,
            step,
            iqm: ci.point,
            lower: ci.lower,
            upper: ci.upper,
            seeds: withEpisodes.map((r) => r.seed),
            values,
          });
        }
      }
    }
  }

  // P(improvement) is per env a Mann–Whitney statistic, so raw scores give the same as normalized ones.
  // Scores are grouped by env: an env may have fewer seeds than another (the costliest ones).
  const improvements = experiment.compare.map(([x, y]): Improvement => {
    const sx = scoresByEnv(results, x, (r) => r.score);
    const sy = scoresByEnv(results, y, (r) => r.score);
    const count = (s: number[][]) => s.reduce((n, runs) => n + runs.length, 0);
    const labels = { x, y, xLabel: agentLabel(x), yLabel: agentLabel(y) };
    const perEnv = envImprovements(labels, experiment.envs, sx, sy, boot);
    const base = { ...labels, xRuns: count(sx), yRuns: count(sy), perEnv };
    for (const [id, s] of [
      [x, sx],
      [y, sy],
    ] as const) {
      const empty = s.findIndex((runs) => runs.length === 0);
      if (empty >= 0) {
        const env = experiment.envs[empty];
        return { ...base, missing: `${agentLabel(id)} has no finished run on ${env.label ?? env.key}` };
      }
    }
    const p = probabilityOfImprovementByTask(sx, sy, {
      ...boot,
      purpose: intervalPurpose("improvement", x, y),
    });
    return { ...base, interval: { point: p.point, lower: p.lower, upper: p.upper } };
  });

  // Profiles over all envs on normalized scores when every env has baselines; else one per env, raw.
  const normalized =
    experiment.envs.every((e) => typeof e.randomScore === "number" && typeof e.maxScore === "number") &&
    runs.filter(done).every((r) => typeof r.normalizedScore === "number");
  const profiles: Profile[] = [];
  let aggregates: AggregateEstimates | undefined;
  if (normalized) {
    const byAgent = experiment.agents.map((a) => scoresByEnv(results, a.id, (r) => r.normalizedScore ?? NaN));
    // γ = 1 as rliable: on the normalized scale 1 is each env's maxScore (the best possible score).
    const gamma = 1;
    const estimates = experiment.agents.flatMap((agent, i) => {
      if (byAgent[i].some((runs) => runs.length === 0)) return [];
      const m = aggregateMetricsByTask(byAgent[i], {
        ...boot,
        gamma,
        purpose: intervalPurpose("aggregates", agent.id),
      });
      const { mean, median, iqm, optimalityGap } = m;
      return [{ agent: agent.id, agentLabel: agentLabel(agent.id), mean, median, iqm, optimalityGap }];
    });
    const baselines = experiment.envs.map((e) => ({
      envLabel: e.label ?? e.key,
      randomScore: e.randomScore as number,
      maxScore: e.maxScore as number,
    }));
    if (estimates.length > 0) aggregates = { gamma, baselines, agents: estimates };
    const all = byAgent.flat(2);
    if (all.length > 0) {
      const thresholds = linspace(Math.min(0, ...all), Math.max(1, ...all), 41);
      experiment.agents.forEach((agent, i) => {
        if (byAgent[i].some((runs) => runs.length === 0)) return;
        const p = performanceProfileByTask(byAgent[i], thresholds, {
          ...profileBoot,
          purpose: intervalPurpose("profile", agent.id),
        });
        profiles.push({ agent: agent.id, agentLabel: agentLabel(agent.id), group: "all envs", ...pick(p) });
      });
    }
  } else {
    for (const env of experiment.envs) {
      const envRows = rows.filter((r) => r.env === env.key && r.scores.length > 0);
      const all = envRows.flatMap((r) => r.scores);
      if (all.length === 0) continue;
      const low = all.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const high = all.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      const thresholds = linspace(low - (high - low) * 0.05 - 1e-9, high, 41);
      for (const row of envRows) {
        const p = performanceProfile(
          row.scores.map((s) => [s]),
          thresholds,
          { ...profileBoot, purpose: intervalPurpose("profile", row.agent, row.env) },
        );
        profiles.push({ agent: row.agent, agentLabel: row.agentLabel, group: row.envLabel, ...pick(p) });
      }
    }
  }

  const seriesOptions = { points: curvePoints, bootstrap: { ...boot, resamples: curveResamples } };
  return {
    rows,
    curves,
    curveAxis,
    diagnostics: diagnosticSeries(results, seriesOptions),
    evaluations: evaluationSeries(results, seriesOptions),
    improvements,
    profiles,
    profileScale: normalized ? "normalized" : "raw",
    aggregates,
    memoryLengths: memoryLengthPoints(results, boot),
    bootstrap: { resamples, curveResamples, profileResamples, confidence, seed },
  };
}

function pick(p: { thresholds: number[]; fraction: number[]; lower: number[]; upper: number[] }) {
  return { thresholds: p.thresholds, fraction: p.fraction, lower: p.lower, upper: p.upper };
}
