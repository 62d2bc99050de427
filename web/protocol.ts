// The messages between the page (web/page.ts and its views) and its training worker (web/worker.ts).
import type { PageBackendChoice, PageBackendName } from "../src/nn/backend_names";
import type { AgentChoice, NetworkChoice } from "./run_request";

export type { AgentChoice, NetworkChoice };

/** One line of metrics.jsonl, as the training loop writes it (agents/training_loop.ts). */
export type MetricLine = { type: string; step: number; [field: string]: number | string | boolean };

/** An RGB picture (as an env's render() returns it): height × width × 3 bytes, row-major. */
export interface RgbPicture {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

/** What the page asks to train: an env, a preset (a name, "auto" or "none"), the agent and the network. */
export interface RunRequest {
  env: string;
  preset: string;
  agent: AgentChoice;
  network: NetworkChoice;
}

/** One step of the env the worker shows: its picture, a gridworld's egocentric view, the memory's h. */
export interface ShowcaseFrame {
  /** The env's picture (absent for an env that draws none, such as TMaze). */
  picture?: RgbPicture;
  /** The agent's egocentric view (gridworlds). */
  view?: RgbPicture;
  /** h of the memory core after this step, [towers × units] (recurrent agents). */
  hidden?: Float32Array;
  /** Steps of the shown episode so far, and its return. */
  episodeStep: number;
  episodeReturn: number;
  /** This step ended the episode (the next frame starts a new one). */
  episodeEnded: boolean;
}

/** Page → worker. */
export type ToWorker =
  /** Resolve the config `pomdp train` would train with (the page shows it, editable). */
  | { type: "resolve"; request: RunRequest }
  /**
   * Train PPO from `seed`: with `config` (the edited JSON, validated by the agent's zod schema as
   * `pomdp train` validates a config) or, without it, the config `request` resolves to. `showcase`:
   * play one env with the current agent after every update and post its frames.
   */
  | {
      type: "start";
      request: RunRequest;
      seed: number;
      config?: unknown;
      showcase: boolean;
      /** The backend: wasm, webgl, or auto (the faster for this run's net, timed on both; web/backend_choice.ts). */
      backend: PageBackendChoice;
    }
  | { type: "pause" }
  | { type: "resume" }
  /**
   * Load the final agent of a run folder from its files (config.json, final/weights.json and
   * weights.bin, final/agent-state.json) and play episodes with it, posting frames, from `seed` as
   * `pomdp eval --seed` plays them.
   */
  | { type: "play-run"; files: RunAgentFiles; seed: number };

/** A run's final agent, as the page read it from the folder. */
export interface RunAgentFiles {
  /** config.json, parsed. */
  run: unknown;
  /** final/weights.json, as text. */
  manifest: string;
  /** final/weights.bin. */
  weights: ArrayBuffer;
  /** final/agent-state.json, parsed. */
  agentState: unknown;
}

/** Worker → page. */
export type FromWorker =
  /** Posted once the worker loaded: the registered env ids and PPO's presets (name, env id, what it is). */
  | {
      type: "catalog";
      envIds: string[];
      presets: { name: string; agent: string; envId: string; source: string; recurrent: boolean }[];
    }
  /** The answer to "resolve": the validated config and the preset it came from. */
  | { type: "resolved"; request: RunRequest; preset: string | null; config: unknown }
  /** "auto" is timing the run's net on each backend (a few seconds). */
  | { type: "choosing-backend"; choice: PageBackendChoice }
  /**
   * The backend is up: its name, why it was chosen, the threads of the build tfjs-backend-wasm picked
   * (0 on WebGL), the WebGL renderer (null without WebGL) and, after "auto", the steps/s measured on each.
   */
  | {
      type: "ready";
      backend: PageBackendName;
      threads: number;
      reason: string;
      renderer: string | null;
      measured?: { wasm: number; webgl: number | null };
    }
  /** The run's resolved config (the same zod config `pomdp train` resolves) and its preset. */
  | { type: "config"; preset: string | null; edited: boolean; config: unknown; totalSteps: number }
  /**
   * After every update: that update's metrics.jsonl lines (its episodes, then the update line), the
   * steps so far and the steps per second of training time (paused time left out).
   */
  | { type: "update"; lines: MetricLine[]; step: number; totalSteps: number; sps: number; seconds: number }
  /**
   * After every update with the showcase on: frames of one env played by the current agent, and what
   * the memory strip's rows are (towers × units, and its label).
   */
  | { type: "frames"; frames: ShowcaseFrame[]; memory?: { towers: number; units: number; label: string } }
  /** The agent of a run folder is loaded and plays: what it is. */
  | { type: "agent"; description: string }
  | { type: "paused"; step: number }
  | { type: "done"; summary: unknown }
  /** A failure: `during` says whether resolving a config, training or playing a run's agent failed. */
  | { type: "error"; during: "resolve" | "train" | "play"; message: string };
