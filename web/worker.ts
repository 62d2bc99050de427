// The page's training worker: resolves the run's config as `pomdp train` does (the agent's zod schema,
// the shipped presets), then trains the project's own PPO on the project's own env (agents/ppo.ts) on
// tfjs-backend-wasm, posting every metrics.jsonl line to the page. Runs in a Web Worker so that the
// page stays responsive while it trains.
import { AGENT_CATALOG } from "../agents/catalog";
import type { PpoConfig } from "../agents/configs";
import { trainPpoAsync } from "../agents/ppo";
import { listEnvs } from "../src/core/registry";
import { initBrowserBackend } from "../src/nn/backend";
import { resolveRunConfig } from "../src/train/resolve";
import type { FromWorker, MetricLine, ToWorker } from "./protocol";

/** The worker's global scope, as much of it as is used here (the page's tsconfig has the DOM's types). */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: { data: ToWorker }) => void) | null;
  location: { href: string };
};

const post = (message: FromWorker) => scope.postMessage(message);

let started = false;
let paused = false;
let pausedSince = 0;
let pausedMs = 0;
let wake: (() => void) | null = null;
/** Env steps after the last update. */
let lastStep = 0;

/** A macrotask turn (browsers have no setImmediate; a MessageChannel message is not clamped as setTimeout is). */
const channel = new MessageChannel();
const turns: (() => void)[] = [];
channel.port1.onmessage = () => turns.shift()?.();
function turn(): Promise<void> {
  return new Promise((resolve) => {
    turns.push(resolve);
    channel.port2.postMessage(0);
  });
}

/** The training loop's turn between updates: lets messages in, and waits here while paused. */
async function yieldTurn(): Promise<void> {
  await turn();
  if (paused) post({ type: "paused", step: lastStep });
  while (paused) await new Promise<void>((resolve) => (wake = resolve));
}

async function train(env: string, presetName: string, seed: number): Promise<void> {
  const resolved = await resolveRunConfig(
    { agent: "ppo", envId: env, preset: presetName === "auto" ? undefined : presetName },
    AGENT_CATALOG,
  );
  const config = resolved.config as unknown as PpoConfig;
  const wasmPrefix = new URL("./", scope.location.href).href;
  const backend = await initBrowserBackend(wasmPrefix);
  const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
  post({ type: "ready", backend, threads: getThreadsCount() });
  post({ type: "config", preset: resolved.preset?.name ?? null, config, totalSteps: config.totalSteps });
  let lines: MetricLine[] = [];
  const t0 = performance.now();
  const result = await trainPpoAsync(config, {
    envId: env,
    seed,
    onMetric: (line) => {
      lines.push(line as MetricLine);
    },
    onUpdate: (p) => {
      lastStep = p.step;
      const seconds = (performance.now() - t0 - pausedMs) / 1000;
      post({
        type: "update",
        lines,
        step: p.step,
        totalSteps: p.totalSteps,
        sps: Math.round(p.step / seconds),
        seconds,
      });
      lines = [];
    },
    yieldTurn,
  });
  result.net.dispose();
  post({ type: "done", summary: result.summary });
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") {
    if (started) {
      post({ type: "error", message: "this worker is already training; reset the page to start again" });
      return;
    }
    started = true;
    train(message.env, message.preset, message.seed).catch((err: unknown) =>
      post({ type: "error", message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (message.type === "pause") {
    if (!paused) {
      paused = true;
      pausedSince = performance.now();
    }
  } else if (message.type === "resume") {
    if (paused) {
      paused = false;
      pausedMs += performance.now() - pausedSince;
      wake?.();
      wake = null;
    }
  }
};

// agents/catalog registered the built-in envs on import.
post({
  type: "catalog",
  envIds: listEnvs().map((s) => s.id),
  presets: AGENT_CATALOG.presets
    .filter((p) => p.agent === "ppo")
    .map((p) => ({ name: p.name, envId: p.envId, source: p.source })),
});
