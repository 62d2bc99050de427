// The messages between the page (web/page.ts) and its training worker (web/worker.ts).

/** One line of metrics.jsonl, as the training loop writes it (agents/training_loop.ts). */
export type MetricLine = { type: string; step: number; [field: string]: number | string | boolean };

/** Page → worker. */
export type ToWorker =
  /** Train PPO on `env` with `preset` (a preset's name, or "auto": the one `pomdp train` picks) from `seed`. */
  { type: "start"; env: string; preset: string; seed: number } | { type: "pause" } | { type: "resume" };

/** Worker → page. */
export type FromWorker =
  /** Posted once the worker loaded: the registered env ids and PPO's presets (name, env id, what it is). */
  | { type: "catalog"; envIds: string[]; presets: { name: string; envId: string; source: string }[] }
  /** The backend is up: its name and the build tfjs-backend-wasm picked. */
  | { type: "ready"; backend: string; threads: number }
  /** The run's resolved config (the same zod config `pomdp train` resolves) and its preset. */
  | { type: "config"; preset: string | null; config: unknown; totalSteps: number }
  /**
   * After every update: that update's metrics.jsonl lines (its episodes, then the update line), the
   * steps so far and the steps per second of training time (paused time left out).
   */
  | { type: "update"; lines: MetricLine[]; step: number; totalSteps: number; sps: number; seconds: number }
  | { type: "paused"; step: number }
  | { type: "done"; summary: unknown }
  | { type: "error"; message: string };
