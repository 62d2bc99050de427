// The report's plots to debug runs with: the periodic evaluations' curves beside the training curves,
// and each env's diagnostics (one panel per logged quantity), each seed a thin line under the IQM.
import type { Analysis } from "./analysis";
import { colorOf, curvesSpec, type Plot } from "./plots";
import { DIAGNOSTICS, type Series } from "./run_series";

/** "10 held-out episodes per evaluation, sampled actions" from the runs' eval settings. */
function evaluationSettings(series: readonly Series[]): string {
  const settings = new Set(series.map((s) => s.detail).filter((d): d is string => d !== undefined));
  return settings.size > 0 ? [...settings].join("; ") : "";
}

/** The evaluation curves and the diagnostics plots (only those that have data). */
export function buildRunPlots(analysis: Analysis, agentLabels: string[], envLabels: string[]): Plot[] {
  const plots: Plot[] = [];
  const color = colorOf(agentLabels);
  const panelSort = envLabels.length > 0 ? envLabels : null;
  const pct = Math.round(analysis.bootstrap.confidence * 100);

  if (analysis.evaluations.length > 0) {
    const quantities = new Set(analysis.evaluations.map((s) => s.quantity));
    const yTitle =
      quantities.size === 2
        ? "Evaluation return or success rate (IQM)"
        : quantities.has("success")
          ? "Evaluation success rate (IQM)"
          : "Evaluation return (IQM)";
    const settings = evaluationSettings(analysis.evaluations);
    plots.push({
      name: "evaluation-curves",
      title: "Periodic evaluations",
      caption:
        `IQM over seeds of the agents' periodic evaluations on held-out episodes (--eval-every; ${settings || "see the runs' configs"}): ` +
        `the mean return, or the success rate where the env is scored by it; ${pct} % bootstrap CI bands; thin lines: each seed. ` +
        "The same episodes at every evaluation of a run, so the curve moves only with the agent.",
      spec: curvesSpec(analysis.evaluations, {
        description: "Periodic evaluation curves: IQM over seeds per agent and env, and each seed",
        x: { title: "Env steps", format: "~s" },
        yTitle,
        color,
        panelSort,
      }),
    });
  }

  const envs = [...new Set(analysis.diagnostics.map((s) => s.env))];
  for (const env of envs) {
    const series = analysis.diagnostics.filter((s) => s.env === env);
    const titles = DIAGNOSTICS.filter((d) => series.some((s) => s.quantity === d.field));
    const title = (field: string) => DIAGNOSTICS.find((d) => d.field === field)?.title ?? field;
    const envLabel = series[0].envLabel;
    plots.push({
      name: `diagnostics-${env.replace(/[^\w.-]/g, "_")}`,
      title: `Diagnostics: ${envLabel}`,
      caption:
        `What the agents logged at each update on ${envLabel} (metrics.jsonl's update lines), binned on the step grid: ` +
        `thick lines the IQM over seeds, thin lines each seed. ${titles.map((d) => d.title).join(", ")}.`,
      spec: curvesSpec(
        series.map((s) => ({ ...s, panel: title(s.quantity) })),
        {
          description: `Diagnostics of every agent on ${envLabel}: one panel per logged quantity`,
          x: { title: "Env steps", format: "~s" },
          yTitle: "",
          color,
          panelSort: titles.map((d) => d.title),
          columns: 3,
          width: 340,
          height: 170,
        },
      ),
    });
  }
  return plots;
}
