import * as path from "node:path";
import { Command } from "commander";
import { parseNonNegativeInt, parsePositiveInt } from "./options";

function parseConfidence(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0 || x >= 1)
    throw new Error(`--confidence must be between 0 and 1, got ${value}`);
  return x;
}

/** `pomdp report <results>`: report.html and report.md (with plots/*.png) of an experiment's results folder. */
export function reportCommand(): Command {
  return new Command("report")
    .description(
      "write report.html (self-contained) and report.md with plots/*.png for an experiment's results folder",
    )
    .argument("<results>", "results folder of `pomdp experiment` (with experiment.json and scores.json)")
    .option("-o, --out <dir>", "where to write the report (default: the results folder)")
    .option("--resamples <N>", "bootstrap resamples of the CIs", parsePositiveInt, 2000)
    .option("--confidence <c>", "coverage of the CIs", parseConfidence, 0.95)
    .option("--seed <S>", "seed of the bootstrap resampling", parseNonNegativeInt, 0)
    .action(
      async (folder: string, opts: { out?: string; resamples: number; confidence: number; seed: number }) => {
        const { writeReport } = await import("../report/experiment_report");
        const files = await writeReport(folder, {
          out: opts.out,
          resamples: opts.resamples,
          confidence: opts.confidence,
          seed: opts.seed,
        });
        console.error(
          `report: ${files.plots.length} plots in ${path.dirname(files.plots[0] ?? files.markdown)}`,
        );
        console.error(`report: ${path.resolve(files.markdown)}`);
        console.log(path.resolve(files.html));
      },
    );
}
