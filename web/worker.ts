// The page's training worker: resolves the run's config as `pomdp train` does (the agent's zod schema,
// the shipped presets, the agent and network flags), then trains the project's own agent (PPO, A2C,
// DQN or DRQN: agents/index.ts) on the project's own env on tfjs-backend-wasm (or WebGL: see
// ./backend_choice.ts), posting every metrics.jsonl line to the page and, between
// updates, frames of one env the agent plays (web/showcase.ts). Runs in a Web Worker so that the page
// stays responsive while it trains.
import { AGENT_CATALOG } from "../agents/catalog";
import {
  type AgentDefinition,
  type AgentStateFile,
  agentByName,
  agentFromFiles,
  type RunConfigFile,
} from "../agents/index";
import { memoryOf } from "../agents/net_config";
import type { AgentNetwork } from "../agents/tower";
import { listEnvs } from "../src/core/registry";
import { CORE_LABELS } from "../src/nn/memory_core";
import { resolveRunConfig } from "../src/train/resolve";
import { type BackendChoice, chooseBackend } from "./backend_choice";
import type { FromWorker, MetricLine, RunRequest, ShowcaseFrame, ToWorker } from "./protocol";
import { pageRunRequest } from "./run_request";
import { EVAL_STREAMS, Showcase, type ShowcaseConfig } from "./showcase";

/** Most steps of the shown env after an update, and per batch of a run's agent. */
const SHOWCASE_STEPS = 16;
/**
 * Frames the page draws a second (web/views/showcase_view.ts): the showcase plays no more steps than
 * that, plus a second's worth ahead, so that a fast run does not spend its time drawing frames the page
 * would drop.
 */
const SHOWCASE_FPS = 15;

/** The worker's global scope, as much of it as is used here (the page's tsconfig has the DOM's types). */
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: { data: ToWorker }) => void) | null;
  location: { href: string };
};

const post = (message: FromWorker, transfer?: Transferable[]) => scope.postMessage(message, transfer);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let started = false;
/** Whether the run got past its config and backend (a failure after that needs a new worker). */
let training = false;
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

/** Posts the showcase's frames, their pixels and memory transferred (not copied). */
function postFrames(frames: ShowcaseFrame[], memory: Showcase["memory"]): void {
  const transfer = frames.flatMap((f) => [
    ...(f.picture ? [f.picture.data.buffer] : []),
    ...(f.view ? [f.view.data.buffer] : []),
    ...(f.hidden ? [f.hidden.buffer] : []),
  ]);
  post({ type: "frames", frames, memory }, transfer as Transferable[]);
}

async function resolve(request: RunRequest): Promise<void> {
  try {
    const resolved = await resolveRunConfig(pageRunRequest(request), AGENT_CATALOG);
    post({ type: "resolved", request, preset: resolved.preset?.name ?? null, config: resolved.config });
  } catch (err) {
    post({ type: "error", during: "resolve", message: messageOf(err) });
  }
}

/** Posts the backend chosen, with the wasm build's threads. */
async function postReady(choice: BackendChoice): Promise<void> {
  const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
  post({
    type: "ready",
    backend: choice.backend,
    threads: choice.backend === "wasm" ? getThreadsCount() : 0,
    reason: choice.reason,
    renderer: choice.renderer,
    ...(choice.measured === undefined ? {} : { measured: choice.measured }),
  });
}

/** Updates of the run's own config that "auto" times on each backend, after one to warm up (shaders, caches). */
const MEASURED_UPDATES = 2;

/**
 * Env steps per second of the run's own config (agent, env, net, rollout or replay, epochs,
 * minibatches) on the current backend, in a throwaway run from the run's seed: the updates up to the
 * first that learns (a replay agent's learningStarts) and one more warm up, the next
 * MEASURED_UPDATES are timed. The run itself starts afresh afterwards, so what it computes does not
 * depend on this.
 */
async function measureSps(
  agent: AgentDefinition,
  config: never,
  envId: string,
  seed: number,
): Promise<number> {
  const perUpdate = agent.stepsPerUpdate(config);
  const warmSteps = (Math.ceil(agent.stepsBeforeLearning(config) / perUpdate) + 1) * perUpdate;
  let warm = 0;
  let end = 0;
  const result = await agent.trainAsync(
    { ...(config as object), totalSteps: warmSteps + MEASURED_UPDATES * perUpdate } as never,
    {
      envId,
      seed,
      onUpdate: (p) => {
        if (p.step === warmSteps) warm = performance.now();
        end = performance.now();
      },
      yieldTurn: turn,
    },
  );
  result.net.dispose();
  return (MEASURED_UPDATES * perUpdate) / ((end - warm) / 1000);
}

async function train(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  const { request, seed } = message;
  const edited = message.config !== undefined;
  // With the edited config, the preset it was resolved from is the one shown (`auto`'s pick).
  const fromPreset = edited
    ? null
    : await resolveRunConfig(pageRunRequest(request), AGENT_CATALOG).then((r) => r.preset?.name ?? null);
  const resolved = await resolveRunConfig(pageRunRequest(request, message.config), AGENT_CATALOG);
  const definition = agentByName(resolved.agent.name);
  const config = resolved.config as unknown as RunConfigFile["config"] & { totalSteps: number };
  const wasmPrefix = new URL("./", scope.location.href).href;
  post({ type: "choosing-backend", choice: message.backend });
  const choice = await chooseBackend(message.backend, wasmPrefix, () =>
    measureSps(definition, config as never, request.env, seed),
  );
  await postReady(choice);
  post({
    type: "config",
    preset: edited ? request.preset : fromPreset,
    edited,
    config,
    totalSteps: config.totalSteps,
  });
  training = true;
  let lines: MetricLine[] = [];
  let showcase: Showcase | undefined;
  /** Steps the showcase played so far. */
  let showcaseSteps = 0;
  const t0 = performance.now();
  const result = await definition.trainAsync(config as never, {
    envId: request.env,
    seed,
    onMetric: (line) => {
      lines.push(line as MetricLine);
    },
    onUpdate: (p, agent) => {
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
      const due = Math.min(SHOWCASE_STEPS, Math.ceil(SHOWCASE_FPS * (seconds + 1)) - showcaseSteps);
      if (message.showcase && due > 0) {
        showcaseSteps += due;
        const net = agent.net as unknown as AgentNetwork;
        showcase ??= new Showcase(
          { ...config, envId: request.env, encoder: config.net.encoder } as ShowcaseConfig,
          seed,
          net,
        );
        const frames = showcase.play(net, agent.normalizer, due);
        postFrames(frames, showcase.memory);
      }
    },
    yieldTurn,
  });
  showcase?.close();
  result.net.dispose();
  post({ type: "done", summary: result.summary });
}

/** Plays episodes with the final agent of a run folder, posting frames at the page's pace, until the worker ends. */
async function playRun(message: Extract<ToWorker, { type: "play-run" }>): Promise<void> {
  const wasmPrefix = new URL("./", scope.location.href).href;
  await postReady(await chooseBackend("wasm", wasmPrefix, () => Promise.resolve(0)));
  const agent = agentFromFiles({
    run: message.files.run as RunConfigFile,
    manifest: message.files.manifest,
    weights: new Uint8Array(message.files.weights),
    agentState: message.files.agentState as AgentStateFile,
  });
  const { run, net, normalizer } = agent;
  const core = memoryOf(run.config.net);
  const memory = core.kind === "none" ? "no memory" : `${CORE_LABELS[core.kind]} ${core.size}`;
  post({
    type: "agent",
    description: `${run.agent} on ${run.envId} (seed ${run.seed}), ${memory}, ${net.parameterCount().toLocaleString("en")} parameters`,
  });
  const setup = {
    ...run.config,
    envId: run.envId,
    envKwargs: run.envKwargs,
    encoder: run.config.net.encoder,
  };
  const showcase = new Showcase(setup as unknown as ShowcaseConfig, message.seed, net, EVAL_STREAMS);
  for (;;) {
    const frames = showcase.play(net, normalizer, SHOWCASE_STEPS);
    postFrames(frames, showcase.memory);
    await new Promise((resolve) => setTimeout(resolve, (1000 * SHOWCASE_STEPS) / SHOWCASE_FPS));
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "play-run") {
    playRun(message).catch((err: unknown) =>
      post({ type: "error", during: "play", message: messageOf(err) }),
    );
  } else if (message.type === "resolve") {
    void resolve(message.request);
  } else if (message.type === "start") {
    if (started) {
      post({
        type: "error",
        during: "train",
        message: "this worker is already training; reset the page to start again",
      });
      return;
    }
    started = true;
    train(message).catch((err: unknown) => {
      if (!training) started = false; // a refused config can be fixed and started again
      post({ type: "error", during: "train", message: messageOf(err) });
    });
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
  presets: AGENT_CATALOG.presets.map((p) => ({
    name: p.name,
    agent: p.agent,
    envId: p.envId,
    source: p.source,
    recurrent: p.memory === "recurrent",
  })),
});
