// Learning curves drawn as SVG: each series' episode returns (faint) and their rolling mean (bold),
// several series on one plot with a legend (the train view has one, compare two, an opened run one).
import { svgElement } from "./dom";
import type { MetricLine } from "./protocol";

/** Episodes in the rolling mean, as `pomdp train`'s progress line and the report use. */
export const ROLLING = 20;

/** One point per finished episode: its step, its return and the rolling mean after it. */
export interface EpisodePoint {
  step: number;
  ret: number;
  mean: number;
}

/** A run's episodes as they come in, with their rolling mean. */
export class EpisodeSeries {
  readonly points: EpisodePoint[] = [];
  private readonly window: number[] = [];

  constructor(
    /** The legend's text. */
    readonly name: string,
    readonly colour: string,
    /** id of the rolling-mean polyline (tests read its points); the returns' gets `${id}-returns`. */
    readonly id: string,
  ) {}

  /** Adds the episode lines of `lines` (metrics.jsonl's `type: "episode"`); returns how many. */
  add(lines: readonly MetricLine[]): number {
    let added = 0;
    for (const line of lines) {
      if (line.type !== "episode") continue;
      const ret = Number(line.return);
      this.window.push(ret);
      if (this.window.length > ROLLING) this.window.shift();
      const mean = this.window.reduce((a, b) => a + b, 0) / this.window.length;
      this.points.push({ step: line.step, ret, mean });
      added++;
    }
    return added;
  }

  get last(): EpisodePoint | undefined {
    return this.points.at(-1);
  }
}

const WIDTH = 900;
const HEIGHT = 320;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
/** Height of the legend's row above the plot (drawn with several series), so that it covers no curve. */
const LEGEND_ROW = 20;

/**
 * Redraws `svg` with `series`; the x axis grows with the runs (up to `totalSteps`, their budget) so that
 * the start of a long run is readable. A legend names each series when there are several.
 */
export function drawCurves(svg: SVGSVGElement, series: readonly EpisodeSeries[], totalSteps: number): void {
  const lastStep = Math.max(0, ...series.map((s) => s.last?.step ?? 0));
  const maxStep = Math.max(1, Math.min(totalSteps, 10_000 * Math.ceil((1.25 * lastStep) / 10_000)));
  const values = series.flatMap((s) => s.points.map((p) => p.ret));
  const maxReturn = Math.max(1, ...values);
  const minReturn = Math.min(0, ...values);
  const top = PAD.top + (series.length > 1 ? LEGEND_ROW : 0);
  const x = (step: number) => PAD.left + (step / maxStep) * (WIDTH - PAD.left - PAD.right);
  const y = (r: number) =>
    HEIGHT - PAD.bottom - ((r - minReturn) / (maxReturn - minReturn)) * (HEIGHT - top - PAD.bottom);
  const points = (s: EpisodeSeries, key: "ret" | "mean") =>
    s.points.map((p) => `${x(p.step).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const axis = "#888";
  const small = { "font-size": 11 };
  const children: SVGElement[] = [
    svgElement("line", { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), stroke: axis }),
    svgElement("line", { x1: PAD.left, y1: y(minReturn), x2: PAD.left, y2: top, stroke: axis }),
    svgElement(
      "text",
      { ...small, x: PAD.left - 6, y: y(maxReturn) + 4, "text-anchor": "end" },
      `${maxReturn}`,
    ),
    svgElement("text", { ...small, x: PAD.left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"),
    svgElement(
      "text",
      { ...small, x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end" },
      `${maxStep.toLocaleString("en")} of ${totalSteps.toLocaleString("en")} steps`,
    ),
    svgElement(
      "text",
      { ...small, x: PAD.left, y: HEIGHT - 8 },
      `episode return (faint), rolling mean of ${ROLLING} (bold)`,
    ),
  ];
  for (const s of series) {
    children.push(
      svgElement("polyline", {
        id: `${s.id}-returns`,
        points: points(s, "ret"),
        fill: "none",
        stroke: s.colour,
        "stroke-opacity": 0.25,
        "stroke-width": 1,
      }),
      svgElement("polyline", {
        id: s.id,
        points: points(s, "mean"),
        fill: "none",
        stroke: s.colour,
        "stroke-width": 2,
      }),
    );
  }
  if (series.length > 1) {
    // One row above the plot, side by side (about 6.5 px a character at 11 px).
    let left = PAD.left;
    const row = PAD.top + 2;
    for (const s of series) {
      children.push(
        svgElement("line", {
          x1: left,
          y1: row,
          x2: left + 20,
          y2: row,
          stroke: s.colour,
          "stroke-width": 2,
        }),
        svgElement("text", { ...small, x: left + 26, y: row + 4, class: "legend" }, s.name),
      );
      left += 26 + 6.5 * s.name.length + 24;
    }
  }
  svg.replaceChildren(...children);
}
