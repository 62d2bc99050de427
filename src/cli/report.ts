// `pomdp report` (its flags are in commands.ts).
import * as path from "node:path";

/** Flags of `pomdp report`. */
export interface ReportFlags {
  out?: string;
  resamples?: number;
  confidence: number;
  seed: number;
  x: "steps" | "seconds";
}

/** `pomdp report <results>`: report.html and report.md (with plots/*.png) of an experiment's results folder. */
export async function reportAction(folder: string, opts: ReportFlags): Promise<void> {
  const { writeReport } = await import("../report/experiment_report");
  const files = await writeReport(folder, {
    out: opts.out,
    resamples: opts.resamples,
    confidence: opts.confidence,
    seed: opts.seed,
    curveAxis: opts.x,
  });
  console.error(`report: ${files.plots.length} plots in ${path.dirname(files.plots[0] ?? files.markdown)}`);
  console.error(`report: ${path.resolve(files.markdown)}`);
  console.log(path.resolve(files.html));
}
