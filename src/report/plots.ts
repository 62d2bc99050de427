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
export const CONFIG = {
  font: FONT,
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "bottom", direction: "horizontal" },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: "bold" },
  title: { fontSize: 14, anchor: "start" },
};

/** Compiles a Vega-Lite spec to the Vega spec the HTML report runs in the browser (tooltips, checkboxes). */
export async function compileToVega(spec: VegaLiteSpec): Promise<VegaModule.Spec> {
  const { compile } = await loadLibraries();
  return compile(spec).spec;
}

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
export function colorOf(agents: string[]) {
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
    const seconds = analysis.curveAxis === "seconds";
    plots.push({
      name: "learning-curves",
      title: seconds ? "Learning curves (wall-clock)" : "Learning curves",
      caption:
        `IQM over seeds of each run's ${what}, binned on a shared ${seconds ? "time" : "step"} grid (carried forward), with ${pct} % bootstrap CI bands; ` +
        `thin lines: each seed.${seconds ? " x: seconds of training (from the runs' SPS; periodic evaluations not counted)." : ""}`,
      spec: curvesSpec(analysis.curves, {
        description: "Learning curves: IQM episode return over env steps per agent and env, and each seed",
        x: seconds ? { title: "Training time (s)", format: "~s" } : { title: "Env steps", format: "~s" },
        yTitle,
        color,
        panelSort,
      }),
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

/** A curve of the report's line plots: IQM with an optional band, and each seed's values. */
export interface CurveData {
  envLabel: string;
  agentLabel: string;
  step: number[];
  iqm: number[];
  lower?: number[];
  upper?: number[];
  seeds: number[];
  values: number[][];
  /** The facet of the curve when it is not the env (e.g. a diagnostic's name). */
  panel?: string;
}

/** How {@link curvesSpec} draws. */
export interface CurvesSpecOptions {
  description: string;
  x: { title: string; format: string };
  yTitle: string;
  color: Record<string, unknown>;
  panelSort: string[] | null;
  /** Panels per row (default 2) and their size (default 520 × 260). */
  columns?: number;
  width?: number;
  height?: number;
  /** Each panel's own y scale (default true). */
  independentY?: boolean;
}

/**
 * Line plots of curves, one panel per env (or per `panel`): each seed as a thin line (an HTML report
 * has a checkbox to hide them), the IQM as a thick one over its CI band, and tooltips on the IQM's
 * points.
 */
export function curvesSpec(curves: readonly CurveData[], o: CurvesSpecOptions): VegaLiteSpec {
  const iqmValues = curves
    .flatMap((c) =>
      c.step.map((step, i) => ({
        panel: c.panel ?? c.envLabel,
        agent: c.agentLabel,
        step,
        iqm: c.iqm[i],
        ...(c.lower && c.upper ? { lower: c.lower[i], upper: c.upper[i] } : {}),
        runs: c.values.filter((v) => Number.isFinite(v[i])).length,
      })),
    )
    .filter((v) => Number.isFinite(v.iqm));
  const seedValues = curves
    .flatMap((c) =>
      c.values.flatMap((v, r) =>
        c.step.map((step, i) => ({
          panel: c.panel ?? c.envLabel,
          agent: c.agentLabel,
          series: `${c.agentLabel} · seed ${c.seeds[r]}`,
          seed: c.seeds[r],
          step,
          value: v[i],
        })),
      ),
    )
    .filter((v) => Number.isFinite(v.value));
  const x = { field: "step", type: "quantitative", title: o.x.title, axis: { format: o.x.format } };
  const banded = curves.some((c) => c.lower && c.upper);
  const layer: Record<string, unknown>[] = [];
  if (banded) {
    layer.push({
      name: "band",
      transform: [{ filter: "datum.kind === 'iqm' && isValid(datum.lower)" }],
      mark: { type: "area", opacity: 0.15 },
      encoding: {
        x,
        y: { field: "lower", type: "quantitative", title: o.yTitle },
        y2: { field: "upper" },
        color: o.color,
      },
    });
  }
  layer.push(
    {
      name: "seeds",
      transform: [{ filter: "datum.kind === 'seed'" }],
      mark: { type: "line", strokeWidth: 0.8 },
      encoding: {
        x,
        y: { field: "value", type: "quantitative", title: o.yTitle },
        detail: { field: "series" },
        color: o.color,
        opacity: { condition: { test: "showSeeds", value: 0.35 }, value: 0 },
      },
    },
    {
      name: "iqm",
      transform: [{ filter: "datum.kind === 'iqm'" }],
      mark: { type: "line", strokeWidth: 2.2 },
      encoding: { x, y: { field: "iqm", type: "quantitative", title: o.yTitle }, color: o.color },
    },
    {
      // Invisible points on the IQM that carry its tooltip (a line mark's tooltip names one point only).
      name: "hover",
      transform: [{ filter: "datum.kind === 'iqm'" }],
      mark: { type: "point", opacity: 0, size: 70 },
      encoding: {
        x,
        y: { field: "iqm", type: "quantitative" },
        color: o.color,
        tooltip: [
          { field: "agent", title: "agent" },
          { field: "step", title: o.x.title, format: ",.0f" },
          { field: "iqm", title: "IQM", format: ".3~f" },
          ...(banded
            ? [
                { field: "lower", title: "CI low", format: ".3~f" },
                { field: "upper", title: "CI high", format: ".3~f" },
              ]
            : []),
          { field: "runs", title: "seeds" },
        ],
      },
    },
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: o.description,
    params: [{ name: "showSeeds", value: true, bind: { input: "checkbox", name: "each seed " } }],
    data: {
      values: [
        ...iqmValues.map((v) => ({ kind: "iqm", ...v })),
        ...seedValues.map((v) => ({ kind: "seed", ...v })),
      ],
    },
    facet: { field: "panel", type: "nominal", title: null, sort: o.panelSort },
    columns: o.columns ?? 2,
    spec: { width: o.width ?? 520, height: o.height ?? 260, layer },
    resolve: { scale: { y: o.independentY === false ? "shared" : "independent" } },
    config: CONFIG,
  };
}
