// The env the agent plays while it trains, drawn as the worker's showcase posts it (web/showcase.ts):
// the env's picture, a gridworld's egocentric view beside it, and a recurrent agent's memory (h of its
// core, one column per step, one row per unit; blue −1, white 0, red +1) as `pomdp record`'s heat map.
import { blankImage, drawMemoryStrip, memoryStripLayout } from "../../src/cli/record_frame";
import type { FromWorker, ShowcaseFrame } from "../protocol";
import { clearCanvas, drawRgb } from "../rgb_canvas";

/** Frames shown per second. */
const FPS = 15;
/** Frames waiting at most (older ones are dropped: the picture keeps up with training). */
const MAX_QUEUE = 64;
/** Steps the heat map shows, and its width in pixels. */
const STRIP_STEPS = 64;
const STRIP_WIDTH = 256;

export interface ShowcaseElements {
  picture: HTMLCanvasElement;
  view: HTMLCanvasElement;
  hidden: HTMLCanvasElement;
  hiddenLabel: HTMLElement;
  caption: HTMLElement;
}

export class ShowcaseView {
  private queue: ShowcaseFrame[] = [];
  private history: Float32Array[] = [];
  private memory: Extract<FromWorker, { type: "frames" }>["memory"];
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Frames drawn so far (tests read it from the picture's data-frames). */
  private drawn = 0;

  constructor(
    private readonly el: ShowcaseElements,
    /** Called when a drawn frame ended its episode, with its return and steps. */
    private readonly onEpisodeEnd?: (episodeReturn: number, steps: number) => void,
  ) {
    this.clear();
  }

  /** Queues a batch of frames from the worker. */
  add(message: Extract<FromWorker, { type: "frames" }>): void {
    this.memory = message.memory;
    this.queue.push(...message.frames);
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
    this.timer ??= setInterval(() => this.next(), 1000 / FPS);
  }

  /** Stops drawing and empties the canvases (a new run). */
  clear(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.history = [];
    this.drawn = 0;
    for (const canvas of [this.el.picture, this.el.view, this.el.hidden]) clearCanvas(canvas);
    this.el.picture.dataset.frames = "0";
    this.el.hidden.dataset.columns = "0";
    this.el.picture.hidden = false;
    this.el.view.hidden = true;
    this.el.hidden.hidden = true;
    this.el.hiddenLabel.textContent = "";
    this.el.caption.textContent = "";
  }

  private next(): void {
    const frame = this.queue.shift();
    if (frame === undefined) return;
    this.el.picture.hidden = frame.picture === undefined;
    if (frame.picture) drawRgb(this.el.picture, frame.picture);
    this.el.picture.dataset.frames = String(++this.drawn);
    this.el.view.hidden = frame.view === undefined;
    if (frame.view) drawRgb(this.el.view, frame.view);
    if (frame.episodeStep === 1) this.history = [];
    if (frame.hidden && this.memory) this.drawMemory(frame.hidden);
    const drawn = frame.picture ? "" : " (this env draws no picture)";
    if (frame.episodeEnded) this.onEpisodeEnd?.(frame.episodeReturn, frame.episodeStep);
    this.el.caption.textContent = `episode step ${frame.episodeStep}, return ${Number(frame.episodeReturn.toFixed(3))}${drawn}`;
  }

  private drawMemory(hidden: Float32Array): void {
    const { towers, units, label } = this.memory!;
    this.history.push(hidden);
    if (this.history.length > STRIP_STEPS) this.history.shift();
    const layout = memoryStripLayout(units, towers, STRIP_STEPS, STRIP_WIDTH);
    const image = blankImage(layout.width, layout.height);
    drawMemoryStrip(image, 0, 0, layout, this.history);
    drawRgb(this.el.hidden, image);
    this.el.hidden.hidden = false;
    this.el.hidden.dataset.columns = String(this.history.length);
    this.el.hiddenLabel.textContent = `${label}: one column per step, blue −1, white 0, red +1`;
  }
}
