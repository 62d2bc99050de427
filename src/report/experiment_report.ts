// `pomdp report <results folder>`: report.html (one self-contained file with inline SVG plots) and
// report.md (tables and PNG plots in plots/, for GitHub) of an experiment's results folder.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Interval } from "../stats";
import { type Analysis, type AnalysisOptions, analyze, type ScoreRow } from "./analysis";
import {
  ENV_IMPROVEMENT_HEADER,
  envImprovementCaption,
  envImprovementCells,
  hasFewRuns,
  improvementNote,
  NOTE_HEADER,
  scoreRowNote,
} from "./few_seeds_notes";
import { intervalPlots } from "./interval_plots";
import { memoryLengthPlots, memoryLengthTable } from "./memory_length";
import { buildPlots, compileToVega, renderSvg, svgToPng } from "./plots";
import {
  findReconstructionPictures,
  RECONSTRUCTIONS_INTRO,
  type ReconstructionPicture,
  reconstructionCaption,
} from "./reconstruction_pictures";
import { type ExperimentResults, type RunResult, readResults } from "./results";
import { buildRunPlots } from "./run_plots";

/** Options of {@link writeReport}. */
export interface ReportOptions extends AnalysisOptions {
  /** Where report.html, report.md and plots/ go (default: the results folder). */
  out?: string;
}

/** What {@link writeReport} wrote. */
export interface ReportFiles {
  html: string;
  markdown: string;
  plots: string[];
}

/** A rendered plot: its name, title, caption and SVG, and the Vega spec report.html runs. */
export interface RenderedPlot {
  name: string;
  title: string;
  caption: string;
  svg: string;
  vega: object;
}

/** The report of a results folder, as the two documents and the plots (nothing written). */
export interface Report {
  results: ExperimentResults;
  analysis: Analysis;
  plots: RenderedPlot[];
  /** Reconstruction pictures of runs with a decoder (copied into plots/ by writeReport). */
  reconstructions: ReconstructionPicture[];
  html: string;
  markdown: string;
}

const METRIC_TITLES: Record<string, string> = {
  finalReturn: "Return",
  successRate: "Success rate",
  // Envs with different metrics (each env's is in experiment.json): the return, or the success rate.
  mixed: "Score (return or success rate, per env)",
};

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  if (Number.isInteger(x)) return String(x);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

function fmtInterval(i: Interval | undefined): string {
  return i ? `${fmt(i.point)} [${fmt(i.lower)}, ${fmt(i.upper)}]` : "—";
}

function fmtCount(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function fmtParameters(p: [number, number] | undefined): string {
  if (!p) return "—";
  return p[0] === p[1] ? fmtCount(p[0]) : `${fmtCount(p[0])}–${fmtCount(p[1])}`;
}

function fmtSeeds(row: ScoreRow): string {
  return row.seedsDone === row.seedsTotal ? String(row.seedsDone) : `${row.seedsDone} of ${row.seedsTotal}`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function escapeMd(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** What the memory-length table shows (its figure is among the plots). */
const MEMORY_LENGTH_INTRO =
  'Mean normalized score over seeds [95 % percentile bootstrap CI] of each agent at each memory length (0 = chance, 1 = perfect); the figure "Success against memory length" below draws it.';

const TABLE_HEADER = ["Agent", "Env", "Mean", "IQM [CI]", "Seeds", "Parameters", "SPS"];
const SOLVED_HEADER = "Solved at (steps, by seed)";

/** The scores table's columns: a steps-to-solve column when an env has a `solvedAt` threshold. */
function tableHeader(analysis: Analysis): string[] {
  const header = analysis.rows.some((r) => r.solvedSteps) ? [...TABLE_HEADER, SOLVED_HEADER] : TABLE_HEADER;
  return hasFewRuns(analysis) ? [...header, NOTE_HEADER] : header;
}

/** Steps in thousands or millions: 430k, 1.2M. */
function fmtSteps(n: number): string {
  return n >= 1e6 ? `${Number((n / 1e6).toFixed(2))}M` : `${Math.round(n / 1000)}k`;
}

/** "2 of 3: 430k, —, 733k": runs that solved the env and each run's step ("—": not within budget). */
function fmtSolved(steps: (number | null)[] | undefined): string {
  if (!steps) return "—";
  if (steps.length === 0) return "no episode logs";
  const solved = steps.filter((s) => s !== null).length;
  return `${solved} of ${steps.length}: ${steps.map((s) => (s === null ? "—" : fmtSteps(s))).join(", ")}`;
}

function tableCells(row: ScoreRow, header: string[], analysis: Analysis): string[] {
  const cells = [
    row.agentLabel,
    row.envLabel,
    fmt(row.mean?.point),
    fmtInterval(row.iqm),
    fmtSeeds(row),
    fmtParameters(row.parameters),
    row.sps === undefined ? "—" : fmtCount(row.sps),
  ];
  if (header.includes(SOLVED_HEADER)) cells.push(fmtSolved(row.solvedSteps));
  if (header.includes(NOTE_HEADER)) cells.push(scoreRowNote(row, analysis));
  return cells;
}

/** What "solved" means on each env that has a threshold, for the line under the table. */
function solvedLine(e: ExperimentResults["experiment"]): string | undefined {
  const envs = e.envs.filter((env) => env.solvedAt !== undefined);
  if (envs.length === 0) return undefined;
  const parts = envs.map(
    (env) =>
      `${env.label ?? env.key}: the mean ${env.metric === "successRate" ? "success" : "return"} of the last ${env.solvedWindow ?? 100} training episodes reaches ${env.solvedAt}`,
  );
  return `Solved at: the env step where ${parts.join("; ")} (— : not within the budget).`;
}

/**
 * What "success" means on the envs scored by success rate: an episode succeeds when its return is
 * above the env's `successAbove` (default 0), e.g. the T-maze's +4 at the goal against −0.1 per bump;
 * envs' `info.success` is not read. Undefined when no env is scored that way.
 */
function successLine(e: ExperimentResults["experiment"]): string | undefined {
  const envs = e.envs.filter((env) => (env.metric ?? e.metric) === "successRate");
  if (envs.length === 0) return undefined;
  const byThreshold = new Map<number, string[]>();
  for (const env of envs) {
    const above = env.successAbove ?? 0;
    byThreshold.set(above, [...(byThreshold.get(above) ?? []), env.label ?? env.key]);
  }
  const parts = [...byThreshold].map(
    ([above, labels]) => `its return is above ${above} (${labels.join(", ")})`,
  );
  return `Success rate: the share of episodes that succeed; an episode succeeds when ${parts.join("; ")}.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The grid and budgets: "3 agents × 4 envs × 5 seeds (1, …, 5), 300,000 env steps each", and any env's own. */
function budgetLine(e: ExperimentResults["experiment"]): string {
  const grid = `${plural(e.agents.length, "agent")} × ${plural(e.envs.length, "env")} × ${plural(e.seeds.length, "seed")}`;
  let line = `${grid} (${e.seeds.join(", ")}), ${fmtCount(e.steps)} env steps each`;
  const own = e.envs.filter(
    (env) => (env.steps ?? e.steps) !== e.steps || (env.seeds ?? e.seeds.length) !== e.seeds.length,
  );
  if (own.length > 0) {
    const parts = own.map(
      (env) =>
        `${env.label ?? env.key}: ${plural(env.seeds ?? e.seeds.length, "seed")} of ${fmtCount(env.steps ?? e.steps)} steps`,
    );
    line += ` (but ${parts.join("; ")})`;
  }
  const fewer = e.agents.filter((a) => a.seeds !== undefined && a.seeds < e.seeds.length);
  if (fewer.length > 0)
    line += `; ${fewer.map((a) => `${a.label ?? a.id}: ${plural(a.seeds!, "seed")}`).join(", ")} (at most)`;
  return line;
}

function machineLine(results: ExperimentResults): string {
  const m = results.experiment.machine ?? {};
  const backends = [
    ...new Set(results.runs.map((r) => r.config?.backend).filter((b): b is string => typeof b === "string")),
  ];
  const parts = [
    typeof m.cpu === "string" ? m.cpu : undefined,
    typeof m.cores === "number" ? `${m.cores} cores` : undefined,
    typeof m.node === "string" ? `Node ${m.node}` : undefined,
    typeof m.backend === "string"
      ? `backend ${m.backend}`
      : backends.length > 0
        ? `backend ${backends.join(", ")}`
        : undefined,
    typeof m.workers === "number" ? `${m.workers} runs at a time` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(", ") : "not recorded";
}

function datesLine(results: ExperimentResults): string {
  const { startedAt, finishedAt } = results.experiment;
  if (startedAt && finishedAt) return `${startedAt} → ${finishedAt}`;
  if (startedAt) return `started ${startedAt} (no finish time recorded)`;
  return "not recorded";
}

/**
 * How the intervals were drawn: coverage, resamples (the bands' own count where it differs), and the
 * seed tree's stream of each interval, as text formatted by `text` with the stream's formula formatted
 * by `code` (markdown: as is and in backticks; HTML: escaped and in <code>).
 */
function bootstrapLine(analysis: Analysis, text: (s: string) => string, code: (s: string) => string): string {
  const b = analysis.bootstrap;
  const bands =
    b.curveResamples === b.profileResamples
      ? b.curveResamples === b.resamples
        ? ""
        : ` (${fmtCount(b.curveResamples)} for the bands of the learning curves and performance profiles)`
      : ` (${fmtCount(b.curveResamples)} for the learning curves' bands, ${fmtCount(b.profileResamples)} for the performance profiles')`;
  const stream = code(`deriveSeed(${b.seed}, "stats/<statistic>/<agent>/<env>")`);
  return (
    text(
      `${Math.round(b.confidence * 100)} % percentile intervals of a stratified bootstrap with ${fmtCount(b.resamples)} resamples${bands}, seed ${b.seed}; ` +
        "each interval resamples from its own stream of the seed tree, ",
    ) +
    stream +
    text(", so no two intervals share resample indices")
  );
}

/** From 4 scores on, the IQM (scipy's trim_mean at 25 %) cuts at least one score from each end. */
const IQM_TRIMS_FROM = 4;

/**
 * Where a cell has fewer than {@link IQM_TRIMS_FROM} seeds, the sentence that says what its IQM and
 * interval are (undefined when every cell has enough): "Fewer than 4 seeds on S7 (3), S11 (2 or 3). …".
 */
function fewSeedsLine(analysis: Analysis): string | undefined {
  // Every agent has a row on every env, in the experiment's env order.
  const envs = [...new Set(analysis.rows.map((r) => r.env))];
  const parts: string[] = [];
  for (const env of envs) {
    const rows = analysis.rows.filter((r) => r.env === env);
    const counts = [
      ...new Set(rows.map((r) => r.scores.length).filter((n) => n > 0 && n < IQM_TRIMS_FROM)),
    ].sort((a, b) => a - b);
    if (counts.length > 0) parts.push(`${rows[0].envLabel} (${counts.join(" or ")})`);
  }
  if (parts.length === 0) return undefined;
  const pct = Math.round(analysis.bootstrap.confidence * 100);
  return (
    `Fewer than ${IQM_TRIMS_FROM} seeds on ${parts.join(", ")}: there the IQM trims nothing (it is the mean of the seeds), ` +
    `and the ${pct} % percentile interval is close to the range of the seeds, [min, max].`
  );
}

/** The all-envs P(improvement) table's columns: a note column when some env has few runs. */
function improvementHeader(analysis: Analysis): string[] {
  const header = ["Pair", "P [CI]", "Runs (all envs)"];
  return analysis.improvements.some((i) => improvementNote(i)) ? [...header, NOTE_HEADER] : header;
}

function improvementCells(analysis: Analysis): string[][] {
  const notes = improvementHeader(analysis).includes(NOTE_HEADER);
  return analysis.improvements.map((i) => [
    `P(${i.xLabel} > ${i.yLabel})`,
    i.interval ? fmtInterval(i.interval) : `— (${i.missing})`,
    `${i.xRuns} vs ${i.yRuns}`,
    ...(notes ? [improvementNote(i)] : []),
  ]);
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMd).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

function failedRuns(results: ExperimentResults): RunResult[] {
  return results.runs.filter((r) => r.status === "failed");
}

function buildMarkdown(
  results: ExperimentResults,
  analysis: Analysis,
  plots: RenderedPlot[],
  reconstructions: ReconstructionPicture[],
): string {
  const e = results.experiment;
  const metric = METRIC_TITLES[e.metric] ?? e.metric;
  const out: string[] = [];
  out.push(`# ${e.name}${e.quick ? " (quick)" : ""}`, "");
  if (e.question) out.push(`**Question:** ${e.question}`, "");
  const fewSeeds = fewSeedsLine(analysis);
  const success = successLine(e);
  out.push(
    `${budgetLine(e)}. ` +
      `Score of a run: ${metric.toLowerCase()} of the final agent. IQM = interquartile mean over seeds; ${bootstrapLine(
        analysis,
        (s) => s,
        (s) => `\`${s}\``,
      )}.` +
      (fewSeeds ? ` ${fewSeeds}` : "") +
      (success ? ` ${success}` : ""),
    "",
  );
  const header = tableHeader(analysis);
  out.push(
    markdownTable(
      header,
      analysis.rows.map((r) => tableCells(r, header, analysis)),
    ),
    "",
  );
  const solved = solvedLine(e);
  if (solved) out.push(solved, "");
  if (analysis.improvements.length > 0) {
    out.push("## Probability of improvement", "");
    out.push(markdownTable(improvementHeader(analysis), improvementCells(analysis)), "");
    out.push("### Per env", "", envImprovementCaption(analysis), "");
    out.push(markdownTable(ENV_IMPROVEMENT_HEADER, envImprovementCells(analysis, fmtInterval)), "");
  }
  if (analysis.memoryLengths.length > 0) {
    const t = memoryLengthTable(analysis.memoryLengths, e.agents, fmtInterval);
    out.push("## Success against memory length", "", MEMORY_LENGTH_INTRO, "");
    out.push(markdownTable(t.header, t.rows), "");
  }
  const failed = failedRuns(results);
  if (failed.length > 0) {
    out.push(`**${failed.length} runs failed:**`, "");
    for (const f of failed) out.push(`- \`${f.dir}\`: ${escapeMd(f.error ?? "no error recorded")}`);
    out.push("");
  }
  for (const p of plots)
    out.push(`## ${p.title}`, "", p.caption, "", `![${p.title}](plots/${p.name}.png)`, "");
  if (reconstructions.length > 0) {
    out.push("## Reconstructions", "", RECONSTRUCTIONS_INTRO, "");
    for (const r of reconstructions) {
      const caption = reconstructionCaption(r);
      out.push(`${escapeMd(caption)}:`, "", `![${escapeMd(caption)}](plots/${r.name})`, "");
    }
  }
  out.push("## How it was run", "");
  if (e.command) out.push(`- Command: \`${e.command}\``);
  out.push(`- Machine: ${machineLine(results)}`, `- Dates: ${datesLine(results)}`);
  out.push(`- Runs and their configs: \`runs/\` (each run's config.json; report.html shows them)`, "");
  return out.join("\n");
}

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222; max-width: 1400px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.question { font-size: 1.15em; margin: 0.4em 0 1em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #e4e4e4; text-align: left; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2em 0; } figcaption { color: #555; font-size: 0.92em; margin-top: 0.3em; }
.plot svg { max-width: 100%; height: auto; }
.vega-bindings { font-size: 0.9em; color: #555; }
details { margin: 0.3em 0; } summary { cursor: pointer; }
pre { background: #f6f8fa; padding: 0.8em; overflow: auto; font-size: 0.85em; }
.failed { color: #b00020; }
code { background: #f3f3f3; padding: 0 0.25em; }
`;

function htmlTable(header: string[], rows: string[][], numeric: number[], id: string): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map(
      (cells) =>
        `<tr>${cells.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "");
}

function buildHtml(
  results: ExperimentResults,
  analysis: Analysis,
  plots: RenderedPlot[],
  reconstructions: ReconstructionPicture[],
): string {
  const e = results.experiment;
  const metric = METRIC_TITLES[e.metric] ?? e.metric;
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(e.name)} — experiment report</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(e.name)}${e.quick ? " <small>(quick)</small>" : ""}</h1>`,
  );
  if (e.question) parts.push(`<p class="question"><strong>Question:</strong> ${escapeHtml(e.question)}</p>`);
  const fewSeeds = fewSeedsLine(analysis);
  const bootstrap = bootstrapLine(analysis, escapeHtml, (s) => `<code>${escapeHtml(s)}</code>`);
  const success = successLine(e);
  parts.push(
    `<p class="meta">${escapeHtml(budgetLine(e))}. Score of a run: ${escapeHtml(metric.toLowerCase())} of the final agent. ` +
      `IQM = interquartile mean over seeds; CIs are ${bootstrap}.${fewSeeds ? ` ${escapeHtml(fewSeeds)}` : ""}` +
      `${success ? ` ${escapeHtml(success)}` : ""}</p>`,
  );
  const header = tableHeader(analysis);
  parts.push(
    `<h2>Scores</h2>`,
    htmlTable(
      header,
      analysis.rows.map((r) => tableCells(r, header, analysis)),
      [2, 4, 5, 6],
      "scores",
    ),
  );
  const solved = solvedLine(e);
  if (solved) parts.push(`<p class="meta">${escapeHtml(solved)}</p>`);
  if (analysis.improvements.length > 0) {
    parts.push(
      `<h2>Probability of improvement</h2>`,
      htmlTable(improvementHeader(analysis), improvementCells(analysis), [], "improvement"),
      `<h3>Per env</h3>`,
      `<p class="meta">${escapeHtml(envImprovementCaption(analysis))}</p>`,
      htmlTable(
        ENV_IMPROVEMENT_HEADER,
        envImprovementCells(analysis, fmtInterval),
        [3],
        "improvement-per-env",
      ),
    );
  }
  if (analysis.memoryLengths.length > 0) {
    const t = memoryLengthTable(analysis.memoryLengths, e.agents, fmtInterval);
    parts.push(
      `<h2>Success against memory length</h2>`,
      `<p class="meta">${escapeHtml(MEMORY_LENGTH_INTRO)}</p>`,
      htmlTable(
        t.header,
        t.rows,
        t.header.map((_, i) => i).filter((i) => i > 0),
        "memory-length",
      ),
    );
  }
  const failed = failedRuns(results);
  if (failed.length > 0) {
    parts.push(
      `<p class="failed"><strong>${failed.length} runs failed:</strong></p><ul class="failed">`,
      ...failed.map(
        (f) => `<li><code>${escapeHtml(f.dir)}</code>: ${escapeHtml(f.error ?? "no error recorded")}</li>`,
      ),
      `</ul>`,
    );
  }
  for (const p of plots) {
    parts.push(
      `<h2>${escapeHtml(p.title)}</h2>`,
      `<figure class="plot" id="plot-${p.name}"><div class="vega-plot" data-plot="${p.name}">${stripXmlProlog(p.svg)}</div><figcaption>${escapeHtml(p.caption)}</figcaption></figure>`,
    );
  }
  if (reconstructions.length > 0) {
    parts.push(`<h2>Reconstructions</h2>`, `<p class="meta">${escapeHtml(RECONSTRUCTIONS_INTRO)}</p>`);
    for (const r of reconstructions) {
      const caption = escapeHtml(reconstructionCaption(r));
      parts.push(
        `<figure><img src="plots/${escapeHtml(r.name)}" alt="${caption}" style="image-rendering: pixelated; max-width: 100%"><figcaption>${caption}</figcaption></figure>`,
      );
    }
  }
  parts.push(`<h2>How it was run</h2><ul>`);
  if (e.command) parts.push(`<li>Command: <code>${escapeHtml(e.command)}</code></li>`);
  parts.push(
    `<li>Machine: ${escapeHtml(machineLine(results))}</li>`,
    `<li>Dates: ${escapeHtml(datesLine(results))}</li>`,
    `</ul>`,
    `<details><summary>experiment.json</summary><pre>${escapeHtml(JSON.stringify(e, null, 2))}</pre></details>`,
  );
  parts.push(`<h2>Runs</h2>`);
  const runs = [...results.runs].sort(
    (a, b) =>
      e.agents.findIndex((x) => x.id === a.agent) - e.agents.findIndex((x) => x.id === b.agent) ||
      e.envs.findIndex((x) => x.key === a.env) - e.envs.findIndex((x) => x.key === b.env) ||
      a.seed - b.seed,
  );
  for (const r of runs) {
    const backend = typeof r.config?.backend === "string" ? `, backend ${r.config.backend}` : "";
    const status =
      r.status === "done"
        ? `score ${fmt(r.score ?? undefined)}${typeof r.sps === "number" ? `, ${fmtCount(r.sps)} SPS` : ""}`
        : `<span class="failed">failed</span>`;
    const body =
      r.configText !== undefined
        ? `<pre>${escapeHtml(r.configText)}</pre>`
        : `<p>No config.json in <code>${escapeHtml(r.dir)}</code>.</p>`;
    parts.push(
      `<details class="run"><summary><code>${escapeHtml(r.dir)}</code> — ${status}${escapeHtml(backend)}</summary>${body}</details>`,
    );
  }
  parts.push(interactivePlots(plots), `</body></html>\n`);
  return parts.join("\n");
}

/**
 * The scripts that make the plots interactive: vega's runtime (inlined, so the file stays
 * self-contained and offline) redraws each plot from its Vega spec with tooltips and the plot's
 * checkboxes (each seed's traces). Without JavaScript the static SVG stays.
 */
function interactivePlots(plots: RenderedPlot[]): string {
  if (plots.length === 0) return "";
  // vega's package exports no path to its browser build: it sits beside the schema, which it exports.
  const build = path.dirname(require.resolve("vega/vega-schema.json"));
  const runtime = fs.readFileSync(path.join(build, "vega.min.js"), "utf8");
  const specs = Object.fromEntries(plots.map((p) => [p.name, p.vega]));
  // JSON inside a script element: "</" would end the element early.
  const json = JSON.stringify(specs).replace(/<\//g, "<\\/");
  const start = `
(function () {
  if (!window.vega) return;
  var specs = JSON.parse(document.getElementById("vega-specs").textContent);
  document.querySelectorAll(".vega-plot").forEach(function (el) {
    var spec = specs[el.getAttribute("data-plot")];
    if (!spec) return;
    var holder = document.createElement("div");
    holder.className = "vega-live";
    var view = new vega.View(vega.parse(spec), { renderer: "svg", container: holder, hover: true });
    view.runAsync().then(function () { el.replaceWith(holder); }, function (err) { console.error(err); });
  });
})();`;
  return [
    `<script>${runtime.replace(/<\/script/gi, "<\\/script")}</script>`,
    `<script type="application/json" id="vega-specs">${json}</script>`,
    `<script>${start}</script>`,
  ].join("\n");
}

/** Builds the report of a results folder in memory (reads the folder; writes nothing). */
export async function buildReport(
  folder: string,
  options: AnalysisOptions & { plotsDir?: string } = {},
): Promise<Report> {
  const results = readResults(folder);
  const reconstructions = findReconstructionPictures(
    results,
    folder,
    options.plotsDir ?? path.join(folder, "plots"),
  );
  const analysis = analyze(results, options);
  const metric = METRIC_TITLES[results.experiment.metric] ?? results.experiment.metric;
  const agentLabels = results.experiment.agents.map((a) => a.label ?? a.id);
  const plots: RenderedPlot[] = [];
  const envLabels = results.experiment.envs.map((env) => env.label ?? env.key);
  for (const p of [
    ...buildPlots(analysis, agentLabels, metric, envLabels),
    ...intervalPlots(analysis, agentLabels),
    ...memoryLengthPlots(analysis.memoryLengths, agentLabels, analysis.bootstrap.confidence),
    ...buildRunPlots(analysis, agentLabels, envLabels),
  ]) {
    plots.push({
      name: p.name,
      title: p.title,
      caption: p.caption,
      svg: await renderSvg(p.spec),
      vega: await compileToVega(p.spec),
    });
  }
  return {
    results,
    analysis,
    plots,
    reconstructions,
    html: buildHtml(results, analysis, plots, reconstructions),
    markdown: buildMarkdown(results, analysis, plots, reconstructions),
  };
}

/**
 * Writes report.html, report.md and plots/<name>.png for a results folder. Everything is computed
 * before the first file is written, so a bad folder leaves nothing behind.
 */
export async function writeReport(folder: string, options: ReportOptions = {}): Promise<ReportFiles> {
  const out = options.out ?? folder;
  const plotsDir = path.join(out, "plots");
  const report = await buildReport(folder, { ...options, plotsDir });
  const pngs = report.plots.map((p) => ({ name: p.name, png: svgToPng(p.svg) }));
  fs.mkdirSync(plotsDir, { recursive: true });
  for (const r of report.reconstructions)
    if (r.source) fs.copyFileSync(r.source, path.join(plotsDir, r.name));
  const plots = pngs.map(({ name, png }) => {
    const file = path.join(plotsDir, `${name}.png`);
    fs.writeFileSync(file, png);
    return file;
  });
  const html = path.join(out, "report.html");
  const markdown = path.join(out, "report.md");
  fs.writeFileSync(markdown, report.markdown);
  fs.writeFileSync(html, report.html);
  return { html, markdown, plots };
}
