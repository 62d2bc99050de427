// rliable's `plot_interval_estimates`: one small panel per aggregate metric (Median, IQM, Mean,
// Optimality gap), in each a horizontal bar per agent from the lower to the upper end of its bootstrap
// CI, with a dark tick at the point estimate. From the analysis's aggregates over all envs on normalized
// scores; no plot when some env has no baselines (raw scores of different envs cannot be pooled).
import type { AggregateEstimates, Analysis } from "./analysis";
import { hasFewRuns } from "./few_seeds_notes";
import type { Plot } from "./plots";

/** The panels in rliable's order (its Atari figures: Median, IQM, Mean, Optimality Gap). */
export const INTERVAL_METRICS = [
  { key: "median", title: "Median" },
  { key: "iqm", title: "IQM" },
  { key: "mean", title: "Mean" },
  { key: "optimalityGap", title: "Optimality gap" },
] as const;

function fmtNumber(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** "CartPole (fully observed), CartPole, no velocities: 22 → 500; T-maze: 0 → 1": envs by baselines. */
function baselinesText(a: AggregateEstimates): string {
  const byPair = new Map<string, string[]>();
  for (const b of a.baselines) {
    const key = `${fmtNumber(b.randomScore)} → ${fmtNumber(b.maxScore)}`;
    byPair.set(key, [...(byPair.get(key) ?? []), b.envLabel]);
  }
  return [...byPair].map(([pair, envs]) => `${envs.join(", ")}: ${pair}`).join("; ");
}

/** The caption: what each panel is, how scores were normalized, and which γ and why. */
export function intervalCaption(analysis: Analysis, a: AggregateEstimates): string {
  const pct = Math.round(analysis.bootstrap.confidence * 100);
  const few = hasFewRuns(analysis)
    ? " Where an env has fewer than 5 runs of an agent, its runs are resampled from those few, so the intervals are coarse."
    : "";
  // With one env the median and the mean over envs are both that env's mean score (as in rliable).
  const envs =
    a.baselines.length === 1
      ? "on the one env (so Median and Mean are both its mean score)"
      : `over all ${a.baselines.length} envs`;
  return (
    `Aggregate scores ${envs}, as rliable's plot_interval_estimates, with ${pct} % stratified bootstrap CIs (bar) and the point estimate (tick). ` +
    `Scores are normalized, (raw − random) / (max − random), so that 0 is a random policy and 1 the env's maxScore in experiment.json (random → max: ${baselinesText(a)}). ` +
    "Median and Mean: of the per-env mean scores; IQM: of all runs; Optimality gap: the mean shortfall max(γ − score, 0), lower is better. Every env weighs the same, also where envs have different numbers of runs. " +
    `γ = ${a.gamma}, rliable's default: on this scale ${a.gamma} is each env's maxScore, so the gap is the mean shortfall from maxScore (from solving the env, where maxScore is the best score it allows, as a CartPole return of 500 or a success rate of 1).` +
    few
  );
}

/** The interval-estimates plot, or none when the analysis has no aggregates over all envs. */
export function intervalPlots(analysis: Analysis, agentLabels: string[]): Plot[] {
  const a = analysis.aggregates;
  if (!a || a.agents.length === 0) return [];
  const values = a.agents.flatMap((g) =>
    INTERVAL_METRICS.map(({ key, title }) => ({
      metric: title,
      agent: g.agentLabel,
      point: g[key].point,
      lower: g[key].lower,
      upper: g[key].upper,
    })),
  );
  const y = { field: "agent", type: "nominal", title: null, sort: agentLabels, axis: { labelLimit: 300 } };
  const color = {
    field: "agent",
    type: "nominal",
    scale: { domain: agentLabels, scheme: "tableau10" },
    legend: null,
  };
  return [
    {
      name: "interval-estimates",
      title: "Aggregate metrics (normalized scores)",
      caption: intervalCaption(analysis, a),
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Median, IQM, mean and optimality gap over all envs per agent, with bootstrap CIs",
        data: { values },
        facet: {
          column: {
            field: "metric",
            type: "nominal",
            title: null,
            sort: INTERVAL_METRICS.map((m) => m.title),
            header: { labelFontSize: 13 },
          },
        },
        spec: {
          width: 170,
          height: { step: 28 },
          layer: [
            {
              name: "ci",
              mark: { type: "bar", opacity: 0.75, height: { band: 0.6 } },
              encoding: {
                y,
                x: {
                  field: "lower",
                  type: "quantitative",
                  title: "Normalized score",
                  // Padding keeps a zero-width interval at the domain's end (1 [1, 1]) off the panel's edge.
                  scale: { zero: false, nice: true, padding: 10 },
                  axis: { tickCount: 4 },
                },
                x2: { field: "upper" },
                color,
              },
            },
            {
              name: "point",
              mark: { type: "tick", color: "#222", thickness: 2, opacity: 0.8, bandSize: 0.75 },
              encoding: { y, x: { field: "point", type: "quantitative" } },
            },
          ],
        },
        resolve: { scale: { x: "independent" } },
        config: {
          font: "DejaVu Sans, Helvetica, Arial, sans-serif",
          view: { stroke: "#ddd" },
          axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee" },
          header: { labelFontSize: 13, labelFontWeight: "bold" },
        },
      },
    },
  ];
}
