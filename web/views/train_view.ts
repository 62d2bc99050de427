// The Train view: pick an env, a preset, a network and a seed; the resolved config is shown as
// editable JSON (Start validates it with the zod schema `pomdp train` uses); start, pause and reset a
// run in a worker; its learning curve, steps, steps/s, last update line, and the env it plays.
import { parsePageBackendChoice } from "../../src/nn/backend_names";
import { byId, option, seedFrom } from "../dom";
import { drawCurves, EpisodeSeries } from "../learning_curve";
import type { FromWorker, MetricLine, RunRequest } from "../protocol";
import { AGENT_CHOICES, NETWORK_CHOICES } from "../run_request";
import { WorkerClient } from "../worker_client";
import { ShowcaseView } from "./showcase_view";

const ui = {
  form: byId<HTMLFormElement>("controls"),
  env: byId<HTMLInputElement>("env"),
  envIds: byId<HTMLDataListElement>("env-ids"),
  agent: byId<HTMLSelectElement>("agent"),
  preset: byId<HTMLSelectElement>("preset"),
  network: byId<HTMLSelectElement>("network"),
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
  backendChoice: byId<HTMLSelectElement>("backend-choice"),
  backendWhy: byId<HTMLElement>("backend-why"),
  state: byId<HTMLElement>("state"),
  curve: byId<SVGSVGElement>("curve"),
  editor: byId<HTMLTextAreaElement>("config-editor"),
  editorStatus: byId<HTMLElement>("config-status"),
  config: byId<HTMLElement>("config"),
  update: byId<HTMLElement>("update"),
};

/** The run shown: its worker, every metrics.jsonl line it posted, its episodes. */
interface Run {
  client: WorkerClient;
  lines: MetricLine[];
  totalSteps: number;
  series: EpisodeSeries;
}

/** Every agent's presets (from the worker's catalog); the preset list shows the chosen agent's. */
let presets: Extract<FromWorker, { type: "catalog" }>["presets"] = [];
let run: Run;
let drawQueued = false;
/** The request the editor's JSON was resolved for, its preset, and whether it was edited since. */
let editorFor = "";
let editorPreset: string | null = null;
let editorDirty = false;
let started = false;

const showcase = new ShowcaseView({
  picture: byId("env-picture"),
  view: byId("env-view"),
  hidden: byId("hidden"),
  hiddenLabel: byId("hidden-label"),
  caption: byId("env-caption"),
});

function setState(text: string): void {
  ui.state.textContent = text;
}

function showError(message: string): void {
  ui.error.textContent = message;
  setState("error");
  ui.pause.disabled = true;
}

function request(): RunRequest {
  return {
    env: ui.env.value.trim(),
    preset: ui.preset.value,
    agent: ui.agent.value as RunRequest["agent"],
    network: ui.network.value as RunRequest["network"],
  };
}

const requestKey = (r: RunRequest) => JSON.stringify([r.env, r.preset, r.agent, r.network]);

/** The agent family's presets: PPO's, A2C's, or DQN's with DRQN's (DQN with memory). */
const presetsOf = (agent: string) =>
  presets.filter((p) => p.agent === agent || (agent === "dqn" && p.agent === "drqn"));

/** Fills the preset list with the chosen agent's presets, keeping the choice where it still applies. */
function showPresets(): void {
  const chosen = ui.preset.value;
  const offered = presetsOf(ui.agent.value);
  ui.preset.replaceChildren(
    option("auto", "auto (as pomdp train picks)"),
    option("none", "none (the plain defaults)"),
    ...offered.map((p) => option(p.name, `${p.name} (${p.envId})`, p.source)),
  );
  ui.preset.value = chosen === "none" || offered.some((p) => p.name === chosen) ? chosen : "auto";
}

/** Asks the worker for the config of the form's choice (shown in the editor when it answers). */
function resolveShown(): void {
  if (started) return;
  ui.editorStatus.textContent = "resolving…";
  run.client.send({ type: "resolve", request: request() });
}

const handlers = {
  catalog(message: Extract<FromWorker, { type: "catalog" }>) {
    ui.envIds.replaceChildren(...message.envIds.map((id) => option(id)));
    presets = message.presets;
    showPresets();
    ui.start.disabled = false;
    resolveShown();
  },
  resolved(message: Extract<FromWorker, { type: "resolved" }>) {
    if (started || requestKey(message.request) !== requestKey(request())) return;
    ui.editor.value = JSON.stringify(message.config, null, 2);
    editorFor = requestKey(message.request);
    editorPreset = message.preset;
    editorDirty = false;
    ui.editorStatus.textContent = `resolved from preset ${message.preset ?? "none"}; edit and Start`;
  },
  "choosing-backend"() {
    setState("timing this net on wasm and WebGL");
    ui.backendWhy.textContent =
      "auto: a few rollouts of this run's config on each backend, to take the faster";
  },
  ready(message: Extract<FromWorker, { type: "ready" }>) {
    ui.backend.textContent =
      message.backend === "wasm"
        ? `wasm, ${message.threads} thread${message.threads === 1 ? "" : "s"}`
        : "WebGL";
    ui.backend.dataset.value = message.backend;
    ui.backendWhy.textContent = message.reason;
    if (message.measured !== undefined) ui.backendWhy.dataset.measured = JSON.stringify(message.measured);
  },
  config(message: Extract<FromWorker, { type: "config" }>) {
    run.totalSteps = message.totalSteps;
    const preset = message.edited ? editorPreset : message.preset;
    const how = message.edited ? (editorDirty ? ", edited on the page" : ", as shown") : "";
    ui.config.textContent = `preset: ${preset ?? "none"}${how}\n${JSON.stringify(message.config, null, 2)}`;
    setState("training");
  },
  update(message: Extract<FromWorker, { type: "update" }>) {
    onUpdate(message.lines, message.step, message.sps);
    ui.sps.dataset.seconds = String(message.seconds);
  },
  frames(message: Extract<FromWorker, { type: "frames" }>) {
    showcase.add(message);
  },
  paused(message: Extract<FromWorker, { type: "paused" }>) {
    setState(`paused at step ${message.step}`);
  },
  done() {
    setState("done");
    ui.pause.disabled = true;
  },
  error(message: Extract<FromWorker, { type: "error" }>) {
    if (message.during === "resolve") {
      ui.editorStatus.textContent = message.message;
      return;
    }
    showError(message.message);
    // A config refused before training starts can be fixed and started again.
    if (ui.steps.dataset.value === "0") unlockForm();
  },
};

function onUpdate(lines: MetricLine[], step: number, sps: number): void {
  run.lines.push(...lines);
  run.series.add(lines);
  for (const line of lines) if (line.type === "update") ui.update.textContent = JSON.stringify(line);
  ui.steps.textContent = step.toLocaleString("en");
  ui.steps.dataset.value = String(step);
  ui.sps.textContent = sps.toLocaleString("en");
  ui.episodes.textContent = String(run.series.points.length);
  const last = run.series.last;
  if (last) {
    ui.mean.textContent = last.mean.toFixed(1);
    ui.mean.dataset.value = String(last.mean);
  }
  if (!drawQueued) {
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      drawCurves(ui.curve, [run.series], run.totalSteps);
    });
  }
}

/** The editor's config when it belongs to the form's choice (or was edited), else undefined; throws on bad JSON. */
function editedConfig(): unknown {
  const text = ui.editor.value.trim();
  if (text === "" || (!editorDirty && editorFor !== requestKey(request()))) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`config: not JSON (${(err as Error).message})`);
  }
}

function start(): void {
  ui.error.textContent = "";
  const parsed = seedFrom(ui.seed);
  if ("error" in parsed) {
    showError(parsed.error);
    return;
  }
  const { seed } = parsed;
  let config: unknown;
  try {
    config = editedConfig();
  } catch (err) {
    showError((err as Error).message);
    return;
  }
  started = true;
  const backend = parsePageBackendChoice(ui.backendChoice.value);
  run.client.send({ type: "start", request: request(), seed, config, showcase: true, backend });
  setState("starting");
  ui.start.disabled = true;
  ui.pause.disabled = false;
  ui.reset.disabled = false;
  lockChoices(true);
}

function unlockForm(): void {
  started = false;
  ui.start.disabled = false;
  lockChoices(false);
}

/** Locks (or unlocks) what a started run was resolved from: the form's choices and the config editor. */
function lockChoices(locked: boolean): void {
  for (const control of [ui.env, ui.agent, ui.preset, ui.network, ui.seed, ui.backendChoice])
    control.disabled = locked;
  ui.editor.readOnly = locked;
}

function togglePause(): void {
  const paused = run.client.togglePause();
  ui.pause.textContent = paused ? "Resume" : "Pause";
  setState(paused ? "pausing" : "training");
}

/** A fresh worker (the old one ends with its run) and an empty plot. */
function reset(): void {
  run?.client.terminate();
  run = {
    client: new WorkerClient(handlers, showError),
    lines: [],
    totalSteps: 1,
    series: new EpisodeSeries("this run", "#1f5fbf", "rolling"),
  };
  showcase.clear();
  ui.curve.replaceChildren();
  ui.steps.textContent = "0";
  ui.steps.dataset.value = "0";
  ui.sps.textContent = "–";
  ui.episodes.textContent = "0";
  ui.mean.textContent = "–";
  delete ui.mean.dataset.value;
  ui.update.textContent = "–";
  ui.backend.textContent = "–";
  delete ui.backend.dataset.value;
  ui.backendWhy.textContent = "";
  delete ui.backendWhy.dataset.measured;
  ui.error.textContent = "";
  ui.pause.textContent = "Pause";
  ui.pause.disabled = true;
  ui.reset.disabled = true;
  unlockForm();
  ui.start.disabled = true; // until the worker posts its catalog
  setState("idle");
}

/** Sets up the view; returns the run's metrics.jsonl lines so far, for `window.pomdp.metrics()`. */
export function setUpTrainView(): { metrics: () => MetricLine[] } {
  ui.agent.replaceChildren(
    ...Object.entries(AGENT_CHOICES).map(([name, choice]) => option(name, choice.label)),
  );
  ui.network.replaceChildren(
    ...Object.entries(NETWORK_CHOICES).map(([name, choice]) => option(name, choice.label)),
  );
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  ui.env.addEventListener("change", resolveShown);
  ui.network.addEventListener("change", resolveShown);
  ui.agent.addEventListener("change", () => {
    showPresets();
    resolveShown();
  });
  ui.preset.addEventListener("change", () => {
    // A recurrent preset is for a network with memory, as `pomdp train --lstm` picks it; a DQN
    // preset (not DRQN's) for one without.
    const preset = presets.find((p) => p.name === ui.preset.value);
    const memory = NETWORK_CHOICES[ui.network.value as RunRequest["network"]]?.memory === true;
    if (preset?.recurrent && !memory) ui.network.value = "lstm";
    else if (preset?.agent === "dqn" && memory) ui.network.value = "mlp";
    resolveShown();
  });
  ui.editor.addEventListener("input", () => {
    editorDirty = true;
  });
  ui.pause.addEventListener("click", togglePause);
  ui.reset.addEventListener("click", reset);
  reset();
  return { metrics: () => structuredClone(run.lines) };
}
