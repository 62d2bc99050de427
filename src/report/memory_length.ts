// "Success against memory length": for experiments whose env entries declare a `memoryLength` (one env
// id at several settings, e.g. TMaze-v0 at lengths 5 … 100), each agent's mean normalized score over
// seeds at each length, with its bootstrap CI; one line per agent, one panel per family of entries.
import { aggregateMean, type Interval, intervalPurpose, stratifiedBootstrapCI } from "../stats";
import type { Plot } from "./plots";
import { CONFIG, colorOf } from "./plots";
import type { ExperimentResults } from "./results";

/** One point of the figure: an agent on one env entry (one memory length of a family). */
export interface MemoryLengthPoint {
  /** The figure's panel: the entry's `family`, else its env id. */
  family: string;
  agent: string;
  agentLabel: string;
  /** The entry's key and label. */
  env: string;
  envLabel: string;
  memoryLength: number;
  /** Normalized scores of the finished runs, in seed order (0 = randomScore, 1 = maxScore). */
  scores: number[];
  /** Their seeds. */
  seeds: number[];
  /** The mean of `scores` with its percentile bootstrap CI (stream "stats/memory-length/<agent>/<env>"). */
  mean: Interval;
}

/**
 * The figure's points: every agent on every entry with a `memoryLength`, over its finished runs'
 * normalized scores (entries without baselines, and agents with no finished run there, have none).
 * In the experiment's order of agents, then of entries.
 */
export function memoryLengthPoints(
  results: ExperimentResults,
  bootstrap: { resamples: number; confidence: number; seed: number },
): MemoryLengthPoint[] {
  const { experiment, runs } = results;
  const points: MemoryLengthPoint[] = [];
  for (const agent of experiment.agents) {
    for (const env of experiment.envs) {
      if (env.memoryLength === undefined) continue;
      const finished = runs
        .filter((r) => r.agent === agent.id && r.env === env.key && r.status === "done")
        .filter((r) => typeof r.normalizedScore === "number" && Number.isFinite(r.normalizedScore))
        .sort((a, b) => a.seed - b.seed);
      if (finished.length === 0) continue;
      const scores = finished.map((r) => r.normalizedScore as number);
      const ci = stratifiedBootstrapCI(
        scores.map((s) => [s]),
        aggregateMean,
        { ...bootstrap, purpose: intervalPurpose("memory-length", agent.id, env.key) },
      );
      points.push({
        family: env.family ?? env.id,
        agent: agent.id,
        agentLabel: agent.label ?? agent.id,
        env: env.key,
        envLabel: env.label ?? env.key,
        memoryLength: env.memoryLength,
        scores,
        seeds: finished.map((r) => r.seed),
        mean: { point: ci.point, lower: ci.lower, upper: ci.upper },
      });
    }
  }
  return points;
}

/** The families in the experiment's order of entries (the panels' order). */
export function memoryLengthFamilies(points: readonly MemoryLengthPoint[]): string[] {
  return [...new Set(points.map((p) => p.family))];
}

/**
 * The figure's numbers as a table: a row per family and memory length, a column per agent with its
 * mean [CI] (formatted by `fmt`), "—" where it has no finished run.
 */
export function memoryLengthTable(
  points: readonly MemoryLengthPoint[],
  agents: readonly { id: string; label?: string }[],
  fmt: (i: Interval) => string,
): { header: string[]; rows: string[][] } {
  const shown = agents.filter((a) => points.some((p) => p.agent === a.id));
  const header = ["Family", "Memory length", ...shown.map((a) => a.label ?? a.id)];
  const rows: string[][] = [];
  for (const family of memoryLengthFamilies(points)) {
    const lengths = [...new Set(points.filter((p) => p.family === family).map((p) => p.memoryLength))];
    for (const length of lengths.sort((a, b) => a - b)) {
      const at = points.filter((p) => p.family === family && p.memoryLength === length);
      rows.push([
        family,
        String(length),
        ...shown.map((a) => {
          const p = at.find((q) => q.agent === a.id);
          return p ? fmt(p.mean) : "—";
        }),
      ]);
    }
  }
  return { header, rows };
}

/** The figure's caption. */
export function memoryLengthCaption(points: readonly MemoryLengthPoint[], confidence: number): string {
  const pct = Math.round(confidence * 100);
  const counts = [...new Set(points.map((p) => p.scores.length))].sort((a, b) => a - b);
  const seeds = counts.length === 1 ? `${counts[0]}` : `${counts[0]}–${counts[counts.length - 1]}`;
  return (
    `Mean normalized score over seeds (${seeds} per point) against memory length, the steps the agent must carry what it saw ` +
    `(each env's memoryLength in experiment.json), with ${pct} % percentile bootstrap CIs (bars); dots: each seed. ` +
    "Normalized: (score − randomScore) / (maxScore − randomScore), 0 = chance (the dashed line), 1 = perfect. One panel per family; x on a log scale."
  );
}

/** The "success against memory length" plot, or none when no entry declares a memory length. */
export function memoryLengthPlots(
  points: readonly MemoryLengthPoint[],
  agentLabels: string[],
  confidence: number,
): Plot[] {
  if (points.length === 0) return [];
  const values = points.map((p) => ({
    family: p.family,
    agent: p.agentLabel,
    env: p.envLabel,
    memoryLength: p.memoryLength,
    mean: p.mean.point,
    lower: p.mean.lower,
    upper: p.mean.upper,
    seeds: p.scores.length,
  }));
  const seedValues = points.flatMap((p) =>
    p.scores.map((score, i) => ({
      family: p.family,
      agent: p.agentLabel,
      memoryLength: p.memoryLength,
      seed: p.seeds[i],
      score,
    })),
  );
  const color = colorOf(agentLabels);
  // One x axis per panel, ticked at that family's own lengths (a shared facet axis would tick every
  // family at every other family's lengths too).
  const xOf = (family: string) => ({
    field: "memoryLength",
    type: "quantitative",
    title: "Memory length (steps)",
    scale: { type: "log", nice: false, padding: 12 },
    axis: {
      values: [...new Set(points.filter((p) => p.family === family).map((p) => p.memoryLength))].sort(
        (a, b) => a - b,
      ),
      format: "~g",
    },
  });
  const yTitle = "Normalized score (mean over seeds)";
  return [
    {
      name: "memory-length",
      title: "Success against memory length",
      caption: memoryLengthCaption(points, confidence),
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Mean normalized score against memory length, one line per agent, one panel per family",
        data: {
          values: [
            ...values.map((v) => ({ kind: "mean", ...v })),
            ...seedValues.map((v) => ({ kind: "seed", ...v })),
            ...memoryLengthFamilies(points).map((family) => ({ kind: "chance", family, chance: 0 })),
          ],
        },
        hconcat: memoryLengthFamilies(points).map((family, panel) => ({
          title: { text: family, anchor: "middle" },
          width: 320,
          height: 240,
          layer: [
            {
              // One row per panel: a rule with a constant y alone would be drawn once per data row.
              // Layer names must be unique across the panels (vega-lite merges same-named views' data).
              name: `chance-${panel}`,
              transform: [
                { filter: `datum.kind === 'chance' && datum.family === ${JSON.stringify(family)}` },
              ],
              mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
              encoding: { y: { field: "chance", type: "quantitative" } },
            },
            {
              name: `seeds-${panel}`,
              transform: [{ filter: `datum.kind === 'seed' && datum.family === ${JSON.stringify(family)}` }],
              mark: { type: "point", filled: true, size: 14, opacity: 0.35 },
              encoding: {
                x: xOf(family),
                y: { field: "score", type: "quantitative", title: yTitle },
                color,
              },
            },
            {
              name: `ci-${panel}`,
              transform: [{ filter: `datum.kind === 'mean' && datum.family === ${JSON.stringify(family)}` }],
              mark: { type: "rule", strokeWidth: 1.5, opacity: 0.6 },
              encoding: {
                x: xOf(family),
                y: { field: "lower", type: "quantitative", title: yTitle },
                y2: { field: "upper" },
                color,
              },
            },
            {
              name: `mean-${panel}`,
              transform: [{ filter: `datum.kind === 'mean' && datum.family === ${JSON.stringify(family)}` }],
              mark: { type: "line", strokeWidth: 2.2 },
              encoding: { x: xOf(family), y: { field: "mean", type: "quantitative", title: yTitle }, color },
            },
            {
              // The means' points, with the tooltip; a line mark with point: true beside the CI layer
              // sends vega-lite's dataflow optimizer to its limit ("Maximum optimization runs").
              name: `points-${panel}`,
              transform: [{ filter: `datum.kind === 'mean' && datum.family === ${JSON.stringify(family)}` }],
              mark: { type: "point", filled: true, size: 40, opacity: 1 },
              encoding: {
                x: xOf(family),
                y: { field: "mean", type: "quantitative" },
                color,
                tooltip: [
                  { field: "agent", title: "agent" },
                  { field: "env", title: "env" },
                  { field: "memoryLength", title: "memory length" },
                  { field: "mean", title: "mean", format: ".3~f" },
                  { field: "lower", title: "CI low", format: ".3~f" },
                  { field: "upper", title: "CI high", format: ".3~f" },
                  { field: "seeds", title: "seeds" },
                ],
              },
            },
          ],
        })),
        resolve: { scale: { x: "independent", y: "shared", color: "shared" } },
        config: CONFIG,
      },
    },
  ];
}
