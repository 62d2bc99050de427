// `pomdp record <run> --out episode.gif`: a trained agent playing one episode, as an animated GIF.
import * as fs from "node:fs";
import * as path from "node:path";
import { ActorCritic } from "../../agents/actor_critic";
import { makeAgentEnv } from "../../agents/env_setup";
import type { LoadedAgent } from "../../agents/index";
import { memoryOf } from "../../agents/net_config";
import { QNetwork } from "../../agents/q_network";
import type { RecurrentState } from "../../agents/recurrent_state";
import type { Env, MakeOverrides } from "../core";
import { deriveSeed, Rng } from "../core/rng";
import { CORE_LABELS } from "../nn/memory_core";
import { GifWriter, type RgbImage } from "../report/gif";
import {
  agentViewImage,
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
import {
  captionLayout,
  drawCaption,
  drawColourScale,
  drawStripLabels,
  type FrameCaption,
  labelLineHeight,
} from "./record_overlay";

export type { MemoryStripLayout };
export { BACKGROUND, blankImage, blit, drawMemoryStrip, heatColour, memoryStripLayout, scaleImage };

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
  /** Keep every k-th frame (the first and the last always; default 1): a long episode in fewer frames. */
  every?: number;
  /** Draw the captions: the text band, the memory strip's labels and colour scale (default true). */
  overlay?: boolean;
}

/** What {@link recordEpisode} wrote. */
export interface RecordedEpisode {
  path: string;
  /** GIF size in pixels. */
  width: number;
  height: number;
  /** Frames: the reset's and one per step (with `every` k, every k-th of those and the last). */
  frames: number;
  steps: number;
  /** Sum of the env's rewards. */
  return: number;
  /** How the recording stopped. */
  end: "terminated" | "truncated" | "max-steps";
  /** Memory-core units shown in the memory strip (towers × H; 0 without memory). */
  memoryUnits: number;
  /** The memory core's name ("RNN", "GRU", "LSTM"; "" without memory). */
  memoryCore: string;
  /** Whether the agent's egocentric view is drawn beside the picture (gridworlds). */
  agentView: boolean;
  /** Height of the text band above the picture (0 without the overlay), before `scale`. */
  captionHeight: number;
}

interface GridworldView {
  maxSteps?: number;
}

/** The env's action names, where it has them (`actionNames` on the unwrapped env). */
function actionNamesOf(env: Env<unknown, unknown>): readonly string[] | undefined {
  const names = (env.unwrapped as unknown as { actionNames?: unknown }).actionNames;
  return Array.isArray(names) && names.every((n) => typeof n === "string") ? names : undefined;
}

/**
 * The network's estimate for observation `obs` (normalized) read with the memory `state` holds,
 * without stepping it: V(o) of an actor-critic, max Q of a Q-network.
 */
export function valueReading(
  net: LoadedAgent["net"],
  obs: Float32Array,
  state: RecurrentState,
): { label: string; value: number } | undefined {
  const memory = net.recurrent ? state : undefined;
  if (net instanceof ActorCritic) return { label: "V", value: net.stateValue(obs, memory) };
  if (net instanceof QNetwork) {
    const q = net.qValuesForActing(obs, 1, memory?.row(0));
    return { label: "max Q", value: Math.max(...q) };
  }
  return undefined;
}

/**
 * Font pixel size of the captions, in picture pixels before `scale`: on screen a font pixel is one
 * pixel per 300 of the GIF's width (at least one, so small scales stay legible).
 */
export function captionPx(width: number, scale: number): number {
  const screen = Math.max(1, Math.floor((width * scale) / 300));
  return Math.max(1, Math.ceil(screen / scale - 1e-9));
}

/**
 * Plays one episode of a loaded agent as `pomdp eval` does (same env wrappers, frozen normalizer,
 * recurrent state carried from a zero state; the env seed and action sampling of eval's first episode
 * with this seed) and writes it to `out` as an animated GIF: per frame the env's `render()` picture,
 * for gridworlds the agent's egocentric view beside it, and for recurrent agents a heat map of the
 * memory core's hidden state h (RNN, GRU or LSTM) under them (one column per step so far, one row per unit, blue −1 … red +1).
 * With the overlay (the default), a text band above says the step, the action, its reward, the
 * return so far and the network's value of the pictured observation, and the strip gets a label per
 * tower and a colour scale.
 */
export function recordEpisode(agent: LoadedAgent, out: string, options: RecordOptions = {}): RecordedEpisode {
  const { seed = 0, greedy = false, maxSteps = 1000, scale = 1, fps = 15, every = 1 } = options;
  const overlay = options.overlay ?? true;
  if (!Number.isSafeInteger(every) || every < 1)
    throw new Error(`record: every must be an integer ≥ 1, got ${every}`);
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
    const observation = env.reset({ seed: deriveSeed(seed, "eval/env") }).observation as ArrayLike<number>;
    let obs = normalizer.observations(observation, 1);
    const state = net.initialState(1);
    const starts = Uint8Array.of(1);
    const history: Float32Array[] = [];

    // Layout, from the first picture: the text band, the picture (and view), the strip, its scale.
    const first = draw();
    const view = agentViewImage(env, first.height);
    const top = Math.max(first.height, view?.height ?? 0);
    const panels = first.width + (view ? GAP + view.width : 0);
    const grid = env.unwrapped as unknown as GridworldView;
    const horizon = Math.min(
      maxSteps,
      env.spec?.maxEpisodeSteps ?? Number.POSITIVE_INFINITY,
      grid.maxSteps ?? Number.POSITIVE_INFINITY,
    );
    const px = captionPx(panels, scale);
    const value0 = overlay ? valueReading(net, obs, state) : undefined;
    const numActions = (env.actionSpace as { n?: number }).n ?? 0;
    const layoutCaption = (w: number) =>
      captionLayout(w, px, horizon, numActions, actionNamesOf(env), value0?.label);
    // A picture narrower than the widest field is widened, so that no field is cut.
    const caption = overlay ? layoutCaption(Math.max(panels, layoutCaption(panels).minWidth)) : undefined;
    const width = Math.max(panels, caption?.minWidth ?? 0);
    const captionHeight = caption?.height ?? 0;
    const memory = memoryOf(run.config.net as Parameters<typeof memoryOf>[0]);
    const units = memory.size;
    const coreLabel = memory.kind === "none" ? "" : CORE_LABELS[memory.kind];
    const labelHeight = overlay ? labelLineHeight(px) : 0;
    const strip = net.recurrent
      ? memoryStripLayout(units, state.h.length / units, horizon, width, labelHeight)
      : undefined;
    const stripTop = captionHeight + top + GAP;
    const height = captionHeight + top + (strip ? GAP + strip.height + (overlay ? GAP + labelHeight : 0) : 0);

    const compose = (picture: RgbImage, text: FrameCaption): RgbImage => {
      if (picture.width !== first.width || picture.height !== first.height)
        throw new Error(
          `record: ${run.envId} drew a ${picture.width} × ${picture.height} picture after a ${first.width} × ${first.height} one`,
        );
      const frame = blankImage(width, height);
      if (caption) drawCaption(frame, 0, caption, text);
      blit(frame, picture, 0, captionHeight);
      const v = agentViewImage(env, first.height);
      if (v) blit(frame, v, first.width + GAP, captionHeight);
      if (strip) {
        drawMemoryStrip(frame, 0, stripTop, strip, history);
        if (overlay) {
          // Indented like the text band's first field.
          drawStripLabels(frame, 2 * px, stripTop, strip, net.towerNames, px, coreLabel);
          drawColourScale(frame, 2 * px, stripTop + strip.height + GAP, px);
        }
      }
      return scaleImage(frame, scale);
    };

    const gif = new GifWriter();
    const delay = 1000 / fps;
    // Each kept frame is written once the next is known (the last is held longer).
    let pending = compose(first, { step: 0, total: 0, value: value0 });
    let steps = 0;
    let total = 0;
    let end: RecordedEpisode["end"] = "max-steps";
    while (steps < maxSteps) {
      const { actions } = net.act(obs, 1, rng, state, starts, greedy);
      starts[0] = 0;
      const action = actions[0];
      const r = env.step(action);
      steps++;
      total += r.reward;
      if (strip) history.push(state.h.slice());
      obs = normalizer.observations(r.observation as ArrayLike<number>, 1);
      const done = r.terminated || r.truncated;
      if (done) end = r.terminated ? "terminated" : "truncated";
      if (steps % every === 0 || done || steps === maxSteps) {
        gif.add(pending, delay);
        const value = overlay ? valueReading(net, obs, state) : undefined;
        pending = compose(draw(), { step: steps, action, reward: r.reward, total, value });
      }
      if (done) break;
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
      memoryCore: coreLabel,
      agentView: view !== undefined,
      captionHeight,
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
  every: number;
  /** False with `--no-overlay`. */
  overlay: boolean;
  envKwargs?: Record<string, unknown>;
  backend?: string;
  force?: boolean;
  best?: boolean;
}

/** `pomdp record <run> --out episode.gif`: an animated GIF of the run's agent playing one episode. */
export async function recordAction(runDir: string, opts: RecordFlags): Promise<void> {
  checkGifOut(opts.out, opts.force === true);
  const { initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  await initBackend(opts.backend, nnLogger.child({}, { level: "warn" }));
  const { loadAgent } = await import("../../agents/index");
  const agent = loadAgent(runDir, opts.envKwargs, opts.best ? "best" : "final");
  try {
    const done = recordEpisode(agent, opts.out, {
      seed: opts.seed,
      greedy: opts.greedy === true,
      maxSteps: opts.maxSteps,
      scale: opts.scale,
      fps: opts.fps,
      every: opts.every,
      overlay: opts.overlay,
      envKwargs: opts.envKwargs,
    });
    const extras = [
      done.agentView ? "agent view beside the picture" : "",
      done.memoryUnits > 0 ? `memory strip of ${done.memoryUnits} ${done.memoryCore} units` : "",
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
