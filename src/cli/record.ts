// `pomdp record <run> --out episode.gif`: a trained agent playing one episode, as an animated GIF.
import * as fs from "node:fs";
import * as path from "node:path";
import { makeAgentEnv } from "../../agents/env_setup";
import type { LoadedAgent } from "../../agents/index";
import { renderEncodedViewRgb } from "../../envs/gridworld/render_rgb";
import type { Env, MakeOverrides } from "../core";
import { deriveSeed, Rng } from "../core/rng";
import { GifWriter, type RgbImage } from "../report/gif";

/** Options of {@link recordEpisode}. */
export interface RecordOptions {
  /** Seed of the episode: the same env seed and action sampling as the first episode of `pomdp eval --seed`. */
  seed?: number;
  /** Take the most probable action instead of sampling. */
  greedy?: boolean;
  /** Stop after this many steps if the episode has not ended (default 1000). */
  maxSteps?: number;
  /** Scale factor of the frames (nearest neighbour; default 1). */
  scale?: number;
  /** Frames per second (default 15); the last frame is held a second longer. */
  fps?: number;
  /** `make` keyword arguments over the run's. */
  envKwargs?: MakeOverrides;
}

/** What {@link recordEpisode} wrote. */
export interface RecordedEpisode {
  path: string;
  /** GIF size in pixels. */
  width: number;
  height: number;
  /** Frames: the reset's and one per step. */
  frames: number;
  steps: number;
  /** Sum of the env's rewards. */
  return: number;
  /** How the recording stopped. */
  end: "terminated" | "truncated" | "max-steps";
  /** LSTM units shown in the memory strip (towers × lstm; 0 without an LSTM). */
  memoryUnits: number;
  /** Whether the agent's egocentric view is drawn beside the picture (gridworlds). */
  agentView: boolean;
}

import {
  BACKGROUND,
  blankImage,
  blit,
  drawMemoryStrip,
  GAP,
  heatColour,
  type MemoryStripLayout,
  memoryStripLayout,
  scaleImage,
} from "./record_frame";

export type { MemoryStripLayout };
export { BACKGROUND, blankImage, blit, drawMemoryStrip, heatColour, memoryStripLayout, scaleImage };

interface GridworldView {
  agentViewSize?: number;
  encodeView?: () => Uint8Array;
  maxSteps?: number;
}

/** The gridworld's egocentric view drawn as tiles (as `pomdp render --view agent`), or undefined. */
function agentViewImage(env: Env<unknown, unknown>, side: number): RgbImage | undefined {
  const grid = env.unwrapped as unknown as GridworldView;
  const viewSize = grid.agentViewSize;
  if (viewSize === undefined || typeof grid.encodeView !== "function") return undefined;
  const tile = Math.max(1, Math.floor(side / viewSize));
  const pixels = viewSize * tile;
  return {
    width: pixels,
    height: pixels,
    channels: 3,
    data: renderEncodedViewRgb(grid.encodeView(), viewSize, tile),
  };
}

/**
 * Plays one episode of a loaded agent as `pomdp eval` does (same env wrappers, frozen normalizer,
 * recurrent state carried from a zero state; the env seed and action sampling of eval's first episode
 * with this seed) and writes it to `out` as an animated GIF: per frame the env's `render()` picture,
 * for gridworlds the agent's egocentric view beside it, and for recurrent agents a heat map of the
 * LSTM's hidden state h under them (one column per step so far, one row per unit, blue −1 … red +1).
 */
export function recordEpisode(agent: LoadedAgent, out: string, options: RecordOptions = {}): RecordedEpisode {
  const { seed = 0, greedy = false, maxSteps = 1000, scale = 1, fps = 15 } = options;
  const { run, net, normalizer } = agent;
  const env: Env<unknown, number> = makeAgentEnv({
    ...run.config,
    envId: run.envId,
    envKwargs: { ...run.envKwargs, ...options.envKwargs },
    encoder: run.config.net.encoder,
  });
  try {
    const render = env.render;
    if (typeof render !== "function" || typeof env.unwrapped.render !== "function")
      throw new Error(`record: ${run.envId} cannot draw itself (no render())`);
    const draw = (): RgbImage => render.call(env);
    const rng = new Rng(deriveSeed(seed, "eval/actions"));
    let observation = env.reset({ seed: deriveSeed(seed, "eval/env") }).observation as ArrayLike<number>;
    const state = net.initialState(1);
    const starts = Uint8Array.of(1);
    const history: Float32Array[] = [];

    // Layout, from the first picture.
    const first = draw();
    const view = agentViewImage(env, first.height);
    const top = Math.max(first.height, view?.height ?? 0);
    const width = first.width + (view ? GAP + view.width : 0);
    const grid = env.unwrapped as unknown as GridworldView;
    const horizon = Math.min(
      maxSteps,
      env.spec?.maxEpisodeSteps ?? Number.POSITIVE_INFINITY,
      grid.maxSteps ?? Number.POSITIVE_INFINITY,
    );
    const units = net.recurrent ? run.config.net.lstm : 0;
    const strip = net.recurrent
      ? memoryStripLayout(units, state.h.length / units, horizon, width)
      : undefined;
    const height = top + (strip ? GAP + strip.height : 0);

    const compose = (picture: RgbImage): RgbImage => {
      if (picture.width !== first.width || picture.height !== first.height)
        throw new Error(
          `record: ${run.envId} drew a ${picture.width} × ${picture.height} picture after a ${first.width} × ${first.height} one`,
        );
      const frame = blankImage(width, height);
      blit(frame, picture, 0, 0);
      const v = agentViewImage(env, first.height);
      if (v) blit(frame, v, first.width + GAP, 0);
      if (strip) drawMemoryStrip(frame, 0, top + GAP, strip, history);
      return scaleImage(frame, scale);
    };

    const gif = new GifWriter();
    const delay = 1000 / fps;
    let pending = compose(first); // each frame is written once the next is known (the last is held longer)
    let steps = 0;
    let total = 0;
    let end: RecordedEpisode["end"] = "max-steps";
    while (steps < maxSteps) {
      const obs = normalizer.observations(observation, 1);
      const { actions } = net.act(obs, 1, rng, state, starts, greedy);
      starts[0] = 0;
      const r = env.step(actions[0]);
      steps++;
      total += r.reward;
      if (strip) history.push(state.h.slice());
      gif.add(pending, delay);
      pending = compose(draw());
      observation = r.observation as ArrayLike<number>;
      if (r.terminated || r.truncated) {
        end = r.terminated ? "terminated" : "truncated";
        break;
      }
    }
    gif.add(pending, delay + 1000);
    const bytes = gif.bytes();
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, out);
    return {
      path: out,
      width: pending.width,
      height: pending.height,
      frames: gif.frames,
      steps,
      return: total,
      end,
      memoryUnits: strip ? strip.units * strip.towers : 0,
      agentView: view !== undefined,
    };
  } finally {
    env.close();
  }
}

/** Throws the error `pomdp record` gives for an `--out` it will not write. */
export function checkGifOut(out: string, force: boolean): void {
  if (!/\.gif$/i.test(out)) throw new Error(`record: --out must be a .gif file, got "${out}"`);
  if (!force && fs.existsSync(out))
    throw new Error(`record: ${out} already exists (pass --force to overwrite it)`);
}

/** Flags of `pomdp record`. */
export interface RecordFlags {
  out: string;
  seed: number;
  greedy?: boolean;
  maxSteps: number;
  scale: number;
  fps: number;
  envKwargs?: Record<string, unknown>;
  backend?: string;
  force?: boolean;
}

/** `pomdp record <run> --out episode.gif`: an animated GIF of the run's agent playing one episode. */
export async function recordAction(runDir: string, opts: RecordFlags): Promise<void> {
  checkGifOut(opts.out, opts.force === true);
  const { initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  await initBackend(opts.backend, nnLogger.child({}, { level: "warn" }));
  const { loadAgent } = await import("../../agents/index");
  const agent = loadAgent(runDir, opts.envKwargs);
  try {
    const done = recordEpisode(agent, opts.out, {
      seed: opts.seed,
      greedy: opts.greedy === true,
      maxSteps: opts.maxSteps,
      scale: opts.scale,
      fps: opts.fps,
      envKwargs: opts.envKwargs,
    });
    const extras = [
      done.agentView ? "agent view beside the picture" : "",
      done.memoryUnits > 0 ? `memory strip of ${done.memoryUnits} LSTM units` : "",
    ].filter((s) => s !== "");
    console.log(
      `wrote ${done.path}: ${done.width}×${done.height}, ${done.frames} frames, ${run(done)}${extras.length ? `; ${extras.join(", ")}` : ""}`,
    );
  } finally {
    agent.net.dispose();
  }
}

function run(done: RecordedEpisode): string {
  const ret = Number.isInteger(done.return) ? String(done.return) : done.return.toFixed(3);
  const how = done.end === "max-steps" ? "stopped at --max-steps" : done.end;
  return `${done.steps} steps (${how}), return ${ret}`;
}
