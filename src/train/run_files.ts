// The names inside a run folder (see run_folder.ts), and the checkpoint interval: kept apart from
// run_folder.ts so that what only needs a name (the config resolution, `pomdp train --help`) does
// not load the logger.

/** File names inside a run folder. */
export const RUN_FILES = {
  config: "config.json",
  metrics: "metrics.jsonl",
  log: "log.jsonl",
  summary: "summary.json",
  final: "final",
  best: "best",
  checkpoint: "checkpoint",
} as const;

/** Updates between two checkpoints of a run unless told otherwise (`--checkpoint-every`). */
export const DEFAULT_CHECKPOINT_EVERY = 50;
