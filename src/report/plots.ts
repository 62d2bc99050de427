// The report's plots: Vega-Lite specs compiled with vega-lite, rendered to SVG in Node by vega (a View
// with renderer "none", then toSVG()), and to PNG by resvg for report.md.
import { pathToFileURL } from "node:url";
import type * as VegaModule from "vega";
import type { Analysis } from "./analysis";

/** A Vega-Lite spec (kept as plain JSON: the report builds it from its own numbers). */
export type VegaLiteSpec = Record<string, unknown>;

/** One plot of the report: its file name (plots/<name>.png), title, spec and SVG. */
export interface Plot {
  name: string;
  title: string;
  /** What the plot shows, in a sentence (caption in the report). */
  caption: string;
  spec: VegaLiteSpec;
}

// vega and vega-lite are ES modules (vega with top-level await), which this CommonJS project cannot
// require(); import() them natively (TypeScript would turn a plain import() into require()).
const nativeImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

interface Libraries {
  vega: typeof VegaModule;
  compile: (spec: VegaLiteSpec) => { spec: VegaModule.Spec };
}
let libraries: Promise<Libraries> | undefined;

function loadLibraries(): Promise<Libraries> {
  libraries ??= (async () => {
    const esm = async (name: string): Promise<unknown> => {
      try {
        return await nativeImport(pathToFileURL(require.resolve(name)).href);
      } catch (err) {
        // Under a module runner that evaluates code in a vm context (vitest), a Function has no import();
        // there the runner's own import() is kept as written, and loads the module natively.
        if (err instanceof TypeError && /dynamic import callback/.test(err.message)) return import(name);
        throw err;
      }
    };
    const [vega, vegaLite] = await Promise.all([esm("vega"), esm("vega-lite")]);
    return {
      vega: vega as typeof VegaModule,
      compile: (vegaLite as { compile: Libraries["compile"] }).compile,
    };
  })();
  return libraries;
}

const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
const CONFIG = {
  font: FONT,
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "bottom", direction: "horizontal" },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: "bold" },
  title: { fontSize: 14, anchor: "start" },
};

/** Renders a Vega-Lite spec to an SVG document string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, compile } = await loadLibraries();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders an SVG document to PNG bytes at `scale` × its size (white background, system fonts). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/** The agents in the experiment's order, and their colours (the same in every plot). */
function colorOf(agents: string[]) {
  return {
    field: "agent",
    type: "nominal",
    title: "Agent",
    scale: { domain: agents, scheme: "tableau10" },
    legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1, labelLimit: 300 },
  };
}

/**
 * The report's plots (only those that have data). Panels follow `envLabels` (the experiment's env
 * order; Vega would otherwise sort them as strings, S11 before S7); unlisted panels come after.
 */
export function buildPlots(
  analysis: Analysis,
  agentLabels: string[],
  metricTitle: string,
  envLabels: string[] = [],
): Plot[] {
  const plots: Plot[] = [];
  const panelSort = envLabels.length > 0 ? envLabels : null;
  const color = colorOf(agentLabels);
  const pct = Math.round(analysis.bootstrap.confidence * 100);

  if (analysis.curves.length > 0) {
    const values = analysis.curves.flatMap((c) =>
      c.step.map((step, i) => ({
        env: c.envLabel,
        agent: c.agentLabel,
        step,
        iqm: c.iqm[i],
        lower: c.lower[i],
        upper: c.upper[i],
      })),
    );
    const x = { field: "step", type: "quantitative", title: "Env steps", axis: { format: "~s" } };
    const quantities = new Set(analysis.curves.map((c) => c.quantity));
    const yTitle =
      quantities.size === 2
        ? "Episode return or success (IQM)"
        : quantities.has("success")
          ? "Episode success rate (IQM)"
          : "Episode return (IQM)";
    const what =
      quantities.size === 2
        ? "episode returns (successes, as 1 or 0, where the metric is the success rate)"
        : quantities.has("success")
          ? "episode successes (1 or 0)"
          : "episode returns";
    plots.push({
      name: "learning-curves",
      title: "Learning curves",
      caption: `IQM over seeds of each run's ${what}, binned on a shared step grid (carried forward), with ${pct} % bootstrap CI bands.`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Learning curves: IQM episode return over env steps per agent and env",
        data: { values },
        facet: { column: { field: "env", type: "nominal", title: null, sort: panelSort } },
        spec: {
          width: 320,
          height: 220,
          layer: [
            {
              name: "band",
              mark: { type: "area", opacity: 0.2 },
              encoding: {
                x,
                y: { field: "lower", type: "quantitative", title: yTitle },
                y2: { field: "upper" },
                color,
              },
            },
            {
              name: "iqm",
              mark: { type: "line", strokeWidth: 2 },
              encoding: { x, y: { field: "iqm", type: "quantitative" }, color },
            },
          ],
        },
        resolve: { scale: { y: "independent" } },
        config: CONFIG,
      },
    });
  }

  const scored = analysis.rows.filter((r) => r.iqm);
  if (scored.length > 0) {
    const values = scored.map((r) => ({
      env: r.envLabel,
      agent: r.agentLabel,
      iqm: r.iqm!.point,
      lower: r.iqm!.lower,
      upper: r.iqm!.upper,
      seeds: r.seedsDone,
    }));
    const y = { field: "agent", type: "nominal", title: null, sort: agentLabels, axis: { labelLimit: 300 } };
    const noLegend = { ...color, legend: null };
    plots.push({
      name: "final-scores",
      title: "Final scores",
      caption: `IQM of the final agents' scores (${metricTitle}) over seeds, with ${pct} % stratified bootstrap CIs; one panel per env.`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Final score interval estimates: IQM with CI per agent and env",
        data: { values },
        facet: {
          row: {
            field: "env",
            type: "nominal",
            title: null,
            sort: panelSort,
            header: { labelAngle: 0, labelOrient: "top", labelAnchor: "start", labelAlign: "left" },
          },
        },
        spec: {
          width: 360,
          height: { step: 26 },
          layer: [
            {
              name: "ci",
              mark: { type: "rule", strokeWidth: 6, opacity: 0.45 },
              encoding: {
                y,
                x: {
                  field: "lower",
                  type: "quantitative",
                  title: `${metricTitle} (IQM)`,
                  scale: { zero: false },
                },
                x2: { field: "upper" },
                color: noLegend,
              },
            },
            {
              name: "point",
              mark: { type: "tick", thickness: 2.5, size: 20, opacity: 1 },
              encoding: { y, x: { field: "iqm", type: "quantitative" }, color: noLegend },
            },
          ],
        },
        resolve: { scale: { x: "independent" } },
        config: CONFIG,
      },
    });
  }

  const improvements = analysis.improvements.filter((i) => i.interval);
  if (improvements.length > 0) {
    const values = improvements.map((i) => ({
      pair: `P(${i.xLabel} > ${i.yLabel})`,
      p: i.interval!.point,
      lower: i.interval!.lower,
      upper: i.interval!.upper,
    }));
    const y = { field: "pair", type: "nominal", title: null, sort: null, axis: { labelLimit: 400 } };
    const x = { type: "quantitative", scale: { domain: [0, 1] } };
    plots.push({
      name: "improvement",
      title: "Probability of improvement",
      caption: `P(X > Y): the probability that a run of X scores above a run of Y on an env picked at random, with ${pct} % bootstrap CIs. 0.5 means no difference.`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Probability of improvement of each compared pair",
        data: { values },
        width: 360,
        height: { step: 30 },
        layer: [
          {
            name: "even",
            data: { values: [{ even: 0.5 }] },
            mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
            encoding: { x: { field: "even", ...x } },
          },
          {
            name: "ci",
            mark: { type: "rule", strokeWidth: 6, opacity: 0.45, color: "#4c78a8" },
            encoding: {
              y,
              x: { field: "lower", ...x, title: "Probability of improvement" },
              x2: { field: "upper" },
            },
          },
          {
            name: "point",
            mark: { type: "tick", thickness: 2.5, size: 22, color: "#1f4e79", opacity: 1 },
            encoding: { y, x: { field: "p", ...x } },
          },
        ],
        config: CONFIG,
      },
    });
  }

  if (analysis.profiles.length > 0) {
    const values = analysis.profiles.flatMap((p) =>
      p.thresholds.map((tau, i) => ({
        group: p.group,
        agent: p.agentLabel,
        tau,
        fraction: p.fraction[i],
        lower: p.lower[i],
        upper: p.upper[i],
      })),
    );
    const normalized = analysis.profileScale === "normalized";
    const x = {
      field: "tau",
      type: "quantitative",
      title: normalized ? "Normalized score τ" : `${metricTitle} τ`,
      scale: { zero: false, nice: false },
    };
    plots.push({
      name: "performance-profiles",
      title: "Performance profiles",
      caption: normalized
        ? `Fraction of runs (all envs, normalized scores) scoring above τ, with ${pct} % bootstrap CI bands.`
        : `Fraction of runs scoring above τ on each env (raw scores: not every env has baselines), with ${pct} % bootstrap CI bands.`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        description: "Performance profiles: fraction of runs with score above a threshold",
        data: { values },
        facet: { column: { field: "group", type: "nominal", title: null, sort: panelSort } },
        spec: {
          width: 320,
          height: 220,
          layer: [
            {
              name: "band",
              mark: { type: "area", opacity: 0.2, interpolate: "step-after" },
              encoding: {
                x,
                y: {
                  field: "lower",
                  type: "quantitative",
                  title: "Fraction of runs > τ",
                  scale: { domain: [0, 1] },
                },
                y2: { field: "upper" },
                color,
              },
            },
            {
              name: "fraction",
              mark: { type: "line", strokeWidth: 2, interpolate: "step-after" },
              encoding: { x, y: { field: "fraction", type: "quantitative" }, color },
            },
          ],
        },
        resolve: { scale: { x: "independent" } },
        config: CONFIG,
      },
    });
  }
  return plots;
}
