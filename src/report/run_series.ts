// What the report shows to debug runs, from each run's metrics beyond its episodes: the agents'
// diagnostics (metrics.jsonl's update lines: losses, entropy, approx-KL, clip fraction, explained
// variance, learning rate, SPS, memory; DQN's TD loss, Q mean, ε) and the periodic evaluations' curves
// (its eval lines), each as the IQM over seeds on a shared step grid with every seed's own trace.
import { curveIntervals, intervalPurpose, iqm } from "../stats";
import type { Episode, EvalLine, ExperimentResults, RunResult, UpdateLine } from "./results";

/** A quantity over env steps for one agent on one env: the IQM over seeds and each seed's values. */
export interface Series {
  agent: string;
  agentLabel: string;
  env: string;
  envLabel: string;
  /** The update field (diagnostics) or "return" / "success" (evaluations). */
  quantity: string;
  step: number[];
  iqm: number[];
  /** Bootstrap CI of the IQM (evaluation curves only: diagnostics show the seeds instead). */
  lower?: number[];
  upper?: number[];
  /** Each run's value at every grid step, and its seed. */
  seeds: number[];
  values: number[][];
  /** Evaluations: how they were made ("10 held-out episodes per evaluation, sampled actions"). */
  detail?: string;
}

/**
 * The diagnostics the report plots, in this order, with what each is; an update field not listed is
 * left out (a new agent's field shows up once it is named here).
 */
export const DIAGNOSTICS: readonly { field: string; title: string }[] = [
  { field: "policyLoss", title: "Policy loss" },
  { field: "valueLoss", title: "Value loss" },
  { field: "entropy", title: "Entropy" },
  { field: "approxKl", title: "Approx. KL" },
  { field: "clipFrac", title: "Clip fraction" },
  { field: "explainedVariance", title: "Explained variance" },
  { field: "tdLoss", title: "TD loss" },
  { field: "qMean", title: "Q mean" },
  { field: "epsilon", title: "ε" },
  { field: "reconLoss", title: "Reconstruction loss" },
  { field: "learningRate", title: "Learning rate" },
  { field: "sps", title: "Steps per second" },
  { field: "rssMb", title: "Memory (RSS, MB)" },
];

/**
 * Each run's mean of `value` over the points in each bin of a grid of `points` steps up to `end`,
 * carried forward from the last bin that had one (NaN before the first). The grid is the learning
 * curves' (`end/points`, …, `end`).
 */
export function binSeries<T extends { step: number }>(
  runs: readonly (readonly T[])[],
  end: number,
  points: number,
  value: (x: T) => number,
): { step: number[]; values: number[][] } {
  const width = end / points;
  const step = Array.from({ length: points }, (_, i) =>
    i === points - 1 ? end : Math.round((i + 1) * width),
  );
  const values = runs.map((xs) => {
    const sums = new Float64Array(points);
    const counts = new Uint32Array(points);
    for (const x of xs) {
      const v = value(x);
      if (!Number.isFinite(v)) continue;
      const bin = Math.min(points - 1, Math.max(0, Math.ceil(x.step / width) - 1));
      sums[bin] += v;
      counts[bin]++;
    }
    let last = Number.NaN;
    return step.map((_, b) => {
      if (counts[b] > 0) last = sums[b] / counts[b];
      return last;
    });
  });
  return { step, values };
}

/** The IQM at each grid step over the seeds that have a value there (NaN where none has). */
function iqmOverSeeds(values: number[][], points: number): number[] {
  return Array.from({ length: points }, (_, i) => {
    const xs = values.map((v) => v[i]).filter((x) => Number.isFinite(x));
    return xs.length > 0 ? iqm(xs) : Number.NaN;
  });
}

/** The last step a run reached: its last update's, episode's or evaluation's. */
function lastStep(run: RunResult): number {
  const u = run.updates.at(-1)?.step ?? 0;
  const e = run.episodes.at(-1)?.step ?? 0;
  const v = run.evals.at(-1)?.step ?? 0;
  return Math.max(u, e, v);
}

/** Options of {@link diagnosticSeries} and {@link evaluationSeries}. */
export interface SeriesOptions {
  /** Points of the step grid (default 50). */
  points?: number;
  /** Bootstrap of the evaluation curves' CI bands. */
  bootstrap: { resamples: number; confidence: number; seed: number };
}

/** Groups the runs of each agent × env that pass `has`, in the experiment's order, seeds sorted. */
function groups(results: ExperimentResults, has: (r: RunResult) => boolean) {
  const { experiment, runs } = results;
  const out: {
    agent: string;
    agentLabel: string;
    env: string;
    envLabel: string;
    runs: RunResult[];
    end: number;
  }[] = [];
  for (const agent of experiment.agents) {
    for (const env of experiment.envs) {
      const own = runs
        .filter((r) => r.agent === agent.id && r.env === env.key && has(r))
        .sort((a, b) => a.seed - b.seed);
      if (own.length === 0) continue;
      const end = own.reduce((m, r) => Math.max(m, lastStep(r)), env.steps ?? experiment.steps);
      out.push({
        agent: agent.id,
        agentLabel: agent.label ?? agent.id,
        env: env.key,
        envLabel: env.label ?? env.key,
        runs: own,
        end,
      });
    }
  }
  return out;
}

/** The diagnostics of every agent × env whose runs kept update lines: one series per field they log. */
export function diagnosticSeries(results: ExperimentResults, options: SeriesOptions): Series[] {
  const points = options.points ?? 50;
  const out: Series[] = [];
  for (const g of groups(results, (r) => r.updates.length > 0)) {
    for (const { field } of DIAGNOSTICS) {
      if (!g.runs.some((r) => r.updates.some((u) => field in u.values))) continue;
      const { step, values } = binSeries<UpdateLine>(
        g.runs.map((r) => r.updates),
        g.end,
        points,
        (u) => u.values[field] ?? Number.NaN,
      );
      out.push({
        ...pickGroup(g),
        quantity: field,
        step,
        iqm: iqmOverSeeds(values, step.length),
        seeds: g.runs.map((r) => r.seed),
        values,
      });
    }
  }
  return out;
}

/**
 * The periodic evaluations of every agent × env whose runs have eval lines: the success rate where the
 * env is scored by it (and the lines carry one), else the mean return; IQM over seeds with a bootstrap
 * CI band, on the grid steps where every seed has been evaluated.
 */
export function evaluationSeries(results: ExperimentResults, options: SeriesOptions): Series[] {
  const points = options.points ?? 50;
  const out: Series[] = [];
  for (const g of groups(results, (r) => r.evals.length > 0)) {
    const env = results.experiment.envs.find((e) => e.key === g.env);
    const success =
      env?.metric === "successRate" && g.runs.every((r) => r.evals.every((e) => e.successRate !== undefined));
    const quantity = (e: EvalLine) => (success ? (e.successRate ?? Number.NaN) : e.returnMean);
    // Runs evaluated at the same steps (the same evalEvery) are drawn at those steps; others on the grid.
    const steps = g.runs[0].evals.map((e) => e.step);
    const aligned = g.runs.every((r) => r.evals.length >= 1 && r.evals.every((e, i) => e.step === steps[i]));
    const binned = aligned
      ? {
          step: steps.slice(0, Math.min(...g.runs.map((r) => r.evals.length))),
          values: g.runs.map((r) => r.evals.map(quantity)),
        }
      : binSeries(
          g.runs.map((r) => r.evals),
          g.end,
          points,
          quantity,
        );
    binned.values = binned.values.map((v) => v.slice(0, binned.step.length));
    // A seed's last evaluation is not carried past the step its run reached (a stopped run).
    binned.values.forEach((v, r) => {
      const reached = lastStep(g.runs[r]);
      binned.step.forEach((step, i) => {
        if (step > reached) v[i] = Number.NaN;
      });
    });
    // Only the grid steps every seed has reached: a band over fewer seeds would not be the same CI.
    const keep = binned.step.map((_, i) => binned.values.every((v) => Number.isFinite(v[i])));
    const step = binned.step.filter((_, i) => keep[i]);
    if (step.length === 0) continue;
    const values = binned.values.map((v) => v.filter((_, i) => keep[i]));
    const ci = curveIntervals(values, {
      ...options.bootstrap,
      resamples: Math.min(options.bootstrap.resamples, 2000),
      purpose: intervalPurpose("eval-curve", g.agent, g.env),
    });
    out.push({
      ...pickGroup(g),
      quantity: success ? "success" : "return",
      step,
      iqm: ci.point,
      lower: ci.lower,
      upper: ci.upper,
      seeds: g.runs.map((r) => r.seed),
      values,
      detail: [
        ...new Set(
          g.runs.flatMap((r) =>
            r.evals.map(
              (e) =>
                `${e.episodes} held-out episodes per evaluation, ${e.greedy ? "greedy" : "sampled"} actions`,
            ),
          ),
        ),
      ].join("; "),
    });
  }
  return out;
}

function pickGroup(g: { agent: string; agentLabel: string; env: string; envLabel: string }) {
  return { agent: g.agent, agentLabel: g.agentLabel, env: g.env, envLabel: g.envLabel };
}

/**
 * A run's episodes on a wall-clock axis: each episode's `step` replaced by the training seconds at that
 * step, interpolated between the run's update lines (seconds = step / sps, SPS being the run's average
 * so far; periodic evaluations are not counted). Empty when the run kept no update line with SPS.
 */
export function episodesInSeconds(run: RunResult): Episode[] {
  const marks = run.updates
    .filter((u) => (u.values.sps ?? 0) > 0)
    .map((u) => ({ step: u.step, seconds: u.step / u.values.sps }));
  if (marks.length === 0) return [];
  const out: Episode[] = [];
  let k = 0;
  for (const e of run.episodes) {
    while (k < marks.length - 1 && marks[k].step < e.step) k++;
    const b = marks[k];
    const a = k > 0 ? marks[k - 1] : { step: 0, seconds: 0 };
    const t =
      b.step === a.step
        ? b.seconds
        : a.seconds + ((e.step - a.step) / (b.step - a.step)) * (b.seconds - a.seconds);
    out.push({ step: Math.max(0, t), return: e.return });
  }
  return out;
}
