// The Compare view: one agent with two networks (say PPO with an MLP and with an LSTM) on the same env
// and seed, each trained in its own worker, both learning curves on one plot with a legend.
import { byId, option, seedFrom } from "../dom";
import { drawCurves, EpisodeSeries } from "../learning_curve";
import type { FromWorker, RunRequest } from "../protocol";
import { AGENT_CHOICES, isAgentChoice, isNetworkChoice, NETWORK_CHOICES, runLabel } from "../run_request";
import { WorkerClient } from "../worker_client";

const ui = {
  form: byId<HTMLFormElement>("compare-controls"),
  env: byId<HTMLInputElement>("compare-env"),
  seed: byId<HTMLInputElement>("compare-seed"),
  agent: byId<HTMLSelectElement>("compare-agent"),
  networks: [byId<HTMLSelectElement>("compare-network-a"), byId<HTMLSelectElement>("compare-network-b")],
  start: byId<HTMLButtonElement>("compare-start"),
  pause: byId<HTMLButtonElement>("compare-pause"),
  reset: byId<HTMLButtonElement>("compare-reset"),
  error: byId<HTMLElement>("compare-error"),
  curve: byId<SVGSVGElement>("compare-curve"),
  status: [byId<HTMLElement>("compare-status-a"), byId<HTMLElement>("compare-status-b")],
};

const COLOURS = ["#1f5fbf", "#d95f02"] as const;

/** One side of the comparison: its worker and its episodes. */
interface Side {
  client: WorkerClient;
  series: EpisodeSeries;
  totalSteps: number;
  step: number;
}

let sides: Side[] = [];
let drawQueued = false;

function redraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    drawCurves(
      ui.curve,
      sides.map((s) => s.series),
      Math.max(1, ...sides.map((s) => s.totalSteps)),
    );
  });
}

function showError(side: number, message: string): void {
  ui.error.textContent = `${sides[side]?.series.name ?? `run ${side + 1}`}: ${message}`;
}

function sideHandlers(index: number) {
  const status = ui.status[index];
  return {
    config(message: Extract<FromWorker, { type: "config" }>) {
      sides[index].totalSteps = message.totalSteps;
      status.textContent = `preset ${message.preset ?? "none"}, training`;
    },
    update(message: Extract<FromWorker, { type: "update" }>) {
      const side = sides[index];
      side.series.add(message.lines);
      side.step = message.step;
      const mean = side.series.last?.mean;
      status.dataset.steps = String(message.step);
      status.textContent = `${message.step.toLocaleString("en")} steps, ${message.sps.toLocaleString("en")} steps/s, ${side.series.points.length} episodes${mean === undefined ? "" : `, mean of last 20 ${mean.toFixed(1)}`}`;
      redraw();
    },
    paused(message: Extract<FromWorker, { type: "paused" }>) {
      status.textContent = `paused at step ${message.step}`;
    },
    done() {
      status.textContent += " — done";
    },
    error(message: Extract<FromWorker, { type: "error" }>) {
      showError(index, message.message);
    },
  };
}

function start(): void {
  ui.error.textContent = "";
  const parsed = seedFrom(ui.seed);
  if ("error" in parsed) {
    ui.error.textContent = parsed.error;
    return;
  }
  const { seed } = parsed;
  reset();
  const env = ui.env.value.trim();
  const agent = ui.agent.value;
  if (!isAgentChoice(agent)) throw new Error(`compare: unknown agent "${agent}"`);
  sides = ui.networks.map((select, i) => {
    const network = select.value;
    if (!isNetworkChoice(network)) throw new Error(`compare: unknown network "${network}"`);
    const client = new WorkerClient(sideHandlers(i), (m) => showError(i, m));
    const request: RunRequest = { env, preset: "auto", agent, network };
    client.send({ type: "start", request, seed, showcase: false, backend: "wasm" });
    const name = `${runLabel({ agent, network })} (${i === 0 ? "A" : "B"})`;
    return {
      client,
      series: new EpisodeSeries(name, COLOURS[i], `compare-${i === 0 ? "a" : "b"}`),
      totalSteps: 1,
      step: 0,
    };
  });
  ui.status.forEach((s) => {
    s.textContent = "starting";
  });
  ui.start.disabled = true;
  ui.pause.disabled = false;
  ui.reset.disabled = false;
}

function togglePause(): void {
  let paused = false;
  for (const side of sides) paused = side.client.togglePause();
  ui.pause.textContent = paused ? "Resume" : "Pause";
}

function reset(): void {
  for (const side of sides) side.client.terminate();
  sides = [];
  ui.curve.replaceChildren();
  ui.status.forEach((s) => {
    s.textContent = "–";
    s.dataset.steps = "0";
  });
  ui.pause.textContent = "Pause";
  ui.pause.disabled = true;
  ui.reset.disabled = true;
  ui.start.disabled = false;
}

export function setUpCompareView(): void {
  ui.agent.replaceChildren(...Object.entries(AGENT_CHOICES).map(([name, c]) => option(name, c.label)));
  for (const [i, select] of ui.networks.entries()) {
    select.replaceChildren(...Object.entries(NETWORK_CHOICES).map(([name, c]) => option(name, c.label)));
    select.value = i === 0 ? "mlp" : "lstm";
  }
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  ui.pause.addEventListener("click", togglePause);
  ui.reset.addEventListener("click", reset);
  reset();
}
