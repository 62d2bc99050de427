// The page: start/pause/reset of a training run in a Web Worker (./worker.ts), its learning curve (every
// episode's return and the rolling mean of 20) drawn as SVG, steps, steps/s and the run's config.
import type { FromWorker, MetricLine, ToWorker } from "./protocol";

const ROLLING = 20;
const SVG_NS = "http://www.w3.org/2000/svg";

function byId<T extends HTMLElement | SVGElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
}

const ui = {
  form: byId<HTMLFormElement>("controls"),
  env: byId<HTMLInputElement>("env"),
  envIds: byId<HTMLDataListElement>("env-ids"),
  preset: byId<HTMLSelectElement>("preset"),
  seed: byId<HTMLInputElement>("seed"),
  start: byId<HTMLButtonElement>("start"),
  pause: byId<HTMLButtonElement>("pause"),
  reset: byId<HTMLButtonElement>("reset"),
  error: byId<HTMLElement>("error"),
  steps: byId<HTMLElement>("steps"),
  sps: byId<HTMLElement>("sps"),
  episodes: byId<HTMLElement>("episodes"),
  mean: byId<HTMLElement>("mean"),
  backend: byId<HTMLElement>("backend"),
  state: byId<HTMLElement>("state"),
  curve: byId<SVGSVGElement>("curve"),
  config: byId<HTMLElement>("config"),
  update: byId<HTMLElement>("update"),
};

/** The run shown: episode (step, return) pairs and the rolling mean after each. */
interface Run {
  worker: Worker;
  /** Every metrics.jsonl line the worker posted, in order. */
  lines: MetricLine[];
  totalSteps: number;
  episodes: { step: number; ret: number; mean: number }[];
  window: number[];
  paused: boolean;
}

let run: Run | null = null;
let drawQueued = false;

function setState(text: string): void {
  ui.state.textContent = text;
}

function showError(message: string): void {
  ui.error.textContent = message;
  setState("error");
  ui.pause.disabled = true;
}

function newWorker(): Worker {
  const worker = new Worker("worker.js");
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => showError(`worker: ${event.message}`);
  return worker;
}

function send(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case "catalog": {
      ui.envIds.replaceChildren(
        ...message.envIds.map((id) => Object.assign(document.createElement("option"), { value: id })),
      );
      const auto = Object.assign(document.createElement("option"), {
        value: "auto",
        textContent: "auto (as pomdp train picks)",
      });
      ui.preset.replaceChildren(
        auto,
        ...message.presets.map((p) =>
          Object.assign(document.createElement("option"), {
            value: p.name,
            textContent: `${p.name} (${p.envId})`,
            title: p.source,
          }),
        ),
      );
      ui.start.disabled = false;
      break;
    }
    case "ready":
      ui.backend.textContent = `wasm, ${message.threads} thread${message.threads === 1 ? "" : "s"}`;
      break;
    case "config":
      if (run) run.totalSteps = message.totalSteps;
      ui.config.textContent = `preset: ${message.preset ?? "none"}\n${JSON.stringify(message.config, null, 2)}`;
      setState("training");
      break;
    case "update":
      onUpdate(message.lines, message.step, message.sps);
      ui.sps.dataset.seconds = String(message.seconds);
      break;
    case "paused":
      setState(`paused at step ${message.step}`);
      break;
    case "done":
      setState("done");
      ui.pause.disabled = true;
      break;
    case "error":
      showError(message.message);
      break;
  }
}

function onUpdate(lines: MetricLine[], step: number, sps: number): void {
  if (!run) return;
  run.lines.push(...lines);
  for (const line of lines) {
    if (line.type === "episode") {
      const ret = Number(line.return);
      run.window.push(ret);
      if (run.window.length > ROLLING) run.window.shift();
      const mean = run.window.reduce((a, b) => a + b, 0) / run.window.length;
      run.episodes.push({ step: line.step, ret, mean });
    } else if (line.type === "update") {
      ui.update.textContent = JSON.stringify(line);
    }
  }
  ui.steps.textContent = step.toLocaleString("en");
  ui.steps.dataset.value = String(step);
  ui.sps.textContent = sps.toLocaleString("en");
  ui.episodes.textContent = String(run.episodes.length);
  const last = run.episodes.at(-1);
  if (last) {
    ui.mean.textContent = last.mean.toFixed(1);
    ui.mean.dataset.value = String(last.mean);
  }
  if (!drawQueued) {
    drawQueued = true;
    requestAnimationFrame(draw);
  }
}

/** Redraws the curve: each episode's return as a faint line, the rolling mean over it. */
function draw(): void {
  drawQueued = false;
  if (!run) return;
  const width = 900;
  const height = 320;
  const pad = { left: 48, right: 12, top: 12, bottom: 28 };
  // The x axis grows with the run (to the budget), so that the start of a long run is readable.
  const lastStep = run.episodes.at(-1)?.step ?? 0;
  const maxStep = Math.max(1, Math.min(run.totalSteps, 10_000 * Math.ceil((1.25 * lastStep) / 10_000)));
  const maxReturn = Math.max(1, ...run.episodes.map((e) => e.ret));
  const x = (step: number) => pad.left + (step / maxStep) * (width - pad.left - pad.right);
  const y = (r: number) => height - pad.bottom - (r / maxReturn) * (height - pad.top - pad.bottom);
  const points = (key: "ret" | "mean") =>
    run!.episodes.map((e) => `${x(e.step).toFixed(1)},${y(e[key]).toFixed(1)}`).join(" ");
  const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const axis = "#888";
  ui.curve.replaceChildren(
    el("line", { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), stroke: axis }),
    el("line", { x1: pad.left, y1: y(0), x2: pad.left, y2: pad.top, stroke: axis }),
    el(
      "text",
      { x: pad.left - 6, y: y(maxReturn) + 4, "text-anchor": "end", "font-size": 11 },
      `${maxReturn}`,
    ),
    el("text", { x: pad.left - 6, y: y(0) + 4, "text-anchor": "end", "font-size": 11 }, "0"),
    el(
      "text",
      { x: width - pad.right, y: height - 8, "text-anchor": "end", "font-size": 11 },
      `${maxStep.toLocaleString("en")} of ${run.totalSteps.toLocaleString("en")} steps`,
    ),
    el(
      "text",
      { x: pad.left, y: height - 8, "font-size": 11 },
      "episode return (grey), rolling mean of 20 (blue)",
    ),
    el("polyline", { id: "returns", points: points("ret"), fill: "none", stroke: "#bbb", "stroke-width": 1 }),
    el("polyline", {
      id: "rolling",
      points: points("mean"),
      fill: "none",
      stroke: "#1f5fbf",
      "stroke-width": 2,
    }),
  );
}

function start(): void {
  ui.error.textContent = "";
  const seed = Number(ui.seed.value);
  if (!Number.isInteger(seed) || seed < 0) {
    showError(`seed: expected a whole number ≥ 0, got "${ui.seed.value}"`);
    return;
  }
  if (!run) return;
  const message: ToWorker = { type: "start", env: ui.env.value.trim(), preset: ui.preset.value, seed };
  send(run.worker, message);
  setState("starting");
  ui.start.disabled = true;
  ui.pause.disabled = false;
  ui.reset.disabled = false;
  ui.env.disabled = ui.preset.disabled = ui.seed.disabled = true;
}

function togglePause(): void {
  if (!run) return;
  run.paused = !run.paused;
  send(run.worker, { type: run.paused ? "pause" : "resume" });
  ui.pause.textContent = run.paused ? "Resume" : "Pause";
  setState(run.paused ? "pausing" : "training");
}

/** A fresh worker (the old one ends with its run) and an empty plot. */
function reset(): void {
  run?.worker.terminate();
  run = { worker: newWorker(), lines: [], totalSteps: 1, episodes: [], window: [], paused: false };
  ui.curve.replaceChildren();
  ui.steps.textContent = "0";
  ui.steps.dataset.value = "0";
  ui.sps.textContent = "–";
  ui.episodes.textContent = "0";
  ui.mean.textContent = "–";
  delete ui.mean.dataset.value;
  ui.update.textContent = "–";
  ui.error.textContent = "";
  ui.pause.textContent = "Pause";
  ui.pause.disabled = true;
  ui.reset.disabled = true;
  ui.start.disabled = true; // until the worker posts its catalog
  ui.env.disabled = ui.preset.disabled = ui.seed.disabled = false;
  setState("idle");
}

/** For tests and the browser's console: the run's metrics.jsonl lines so far, as `pomdp train` writes them. */
(window as unknown as { pomdp: object }).pomdp = {
  metrics: (): MetricLine[] => structuredClone(run?.lines ?? []),
};

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
ui.pause.addEventListener("click", togglePause);
ui.reset.addEventListener("click", reset);
reset();
