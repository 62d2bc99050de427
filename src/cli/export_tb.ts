// `pomdp export-tb` (its flags are in commands.ts).
import * as path from "node:path";

/** `pomdp export-tb <run|results>`: TensorBoard events files of a run, or of every run of a results folder. */
export async function exportTbAction(target: string, opts: { out?: string }): Promise<void> {
  const { exportTb } = await import("../report/tensorboard");
  const { written, skipped } = exportTb(target, { out: opts.out });
  for (const run of skipped) console.error(`export-tb: skipped ${run}: it has no metrics.jsonl`);
  for (const run of written) console.log(`${path.resolve(run.file)}  ${run.scalars} scalars`);
}
