// The Open-a-run view: a run folder made by `pomdp train`, chosen or dropped: its learning curve from
// metrics.jsonl, its summary and its config; and its final agent playing episodes (in a worker, as
// `pomdp eval --seed` plays them), drawn as the Train view draws the env it plays.
import { byId, seedFrom } from "../dom";
import { drawCurves, EpisodeSeries } from "../learning_curve";
import type { RunAgentFiles } from "../protocol";
import {
  chosenFiles,
  droppedFiles,
  type FolderFile,
  type RunFolderContents,
  readRunFolder,
} from "../run_folder_files";
import { WorkerClient } from "../worker_client";
import { ShowcaseView } from "./showcase_view";

const ui = {
  input: byId<HTMLInputElement>("run-files"),
  drop: byId<HTMLElement>("run-drop"),
  error: byId<HTMLElement>("run-error"),
  title: byId<HTMLElement>("run-title"),
  curve: byId<SVGSVGElement>("run-curve"),
  summary: byId<HTMLElement>("run-summary"),
  config: byId<HTMLElement>("run-config"),
  play: byId<HTMLButtonElement>("run-play"),
  seed: byId<HTMLInputElement>("run-seed"),
  agent: byId<HTMLElement>("run-agent"),
  episodes: byId<HTMLElement>("run-episodes"),
};

/** The files of a run's final agent (`pomdp train` writes them into final/). */
const AGENT_FILES = {
  manifest: "final/weights.json",
  weights: "final/weights.bin",
  agentState: "final/agent-state.json",
};

let opened: RunFolderContents | undefined;
let player: WorkerClient | undefined;
const returns: number[] = [];

const showcase = new ShowcaseView(
  {
    picture: byId("run-picture"),
    view: byId("run-view"),
    hidden: byId("run-hidden"),
    hiddenLabel: byId("run-hidden-label"),
    caption: byId("run-caption"),
  },
  (episodeReturn) => {
    returns.push(episodeReturn);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    ui.episodes.dataset.returns = JSON.stringify(returns);
    ui.episodes.textContent = `${returns.length} episode${returns.length === 1 ? "" : "s"}, returns ${returns
      .map((r) => Number(r.toFixed(3)))
      .join(", ")} (mean ${mean.toFixed(1)})`;
  },
);

function stopPlaying(): void {
  player?.terminate();
  player = undefined;
  showcase.clear();
  returns.length = 0;
  delete ui.episodes.dataset.returns;
  ui.episodes.textContent = "";
  ui.agent.textContent = "";
  ui.play.textContent = "Play episodes";
}

async function open(files: FolderFile[]): Promise<void> {
  ui.error.textContent = "";
  stopPlaying();
  opened = undefined;
  ui.play.disabled = true;
  try {
    const run = await readRunFolder(files);
    const series = new EpisodeSeries(run.name, "#1f5fbf", "run-rolling");
    const episodes = series.add(run.metrics);
    const updates = run.metrics.filter((l) => l.type === "update").length;
    const config = run.config.config as { totalSteps?: number } | undefined;
    const totalSteps = config?.totalSteps ?? Math.max(1, series.last?.step ?? 1);
    drawCurves(ui.curve, [series], totalSteps);
    const what = [
      run.config.agent,
      run.config.envId,
      run.config.seed === undefined ? "" : `seed ${run.config.seed}`,
    ]
      .filter((s) => s !== undefined && s !== "")
      .join(", ");
    ui.title.textContent = `${run.name}: ${what} — ${episodes} episodes, ${updates} updates`;
    ui.title.dataset.episodes = String(episodes);
    ui.summary.textContent = run.summary
      ? JSON.stringify(run.summary, null, 2)
      : "(no summary.json: the run did not finish)";
    ui.config.textContent = JSON.stringify(run.config, null, 2);
    opened = run;
    const missing = Object.values(AGENT_FILES).filter((f) => !run.files.has(f));
    ui.play.disabled = missing.length > 0;
    ui.agent.textContent =
      missing.length > 0 ? `its agent cannot play: the folder has no ${missing.join(", ")}` : "";
  } catch (err) {
    ui.error.textContent = (err as Error).message;
  }
}

async function agentFiles(run: RunFolderContents): Promise<RunAgentFiles> {
  const file = (name: string) => run.files.get(name)!;
  let agentState: unknown;
  try {
    agentState = JSON.parse(await file(AGENT_FILES.agentState).text());
  } catch (err) {
    throw new Error(`${run.name}/${AGENT_FILES.agentState}: not JSON (${(err as Error).message})`);
  }
  return {
    run: run.config,
    manifest: await file(AGENT_FILES.manifest).text(),
    weights: await file(AGENT_FILES.weights).arrayBuffer(),
    agentState,
  };
}

async function play(): Promise<void> {
  if (player) {
    stopPlaying();
    return;
  }
  if (!opened) return;
  ui.error.textContent = "";
  const parsed = seedFrom(ui.seed);
  if ("error" in parsed) {
    ui.error.textContent = parsed.error;
    return;
  }
  const { seed } = parsed;
  try {
    const files = await agentFiles(opened);
    const fail = (message: string) => {
      ui.error.textContent = message;
      stopPlaying();
    };
    player = new WorkerClient(
      {
        agent: (m) => {
          ui.agent.textContent = `${m.description}; sampling its actions, as pomdp eval --seed ${seed} plays (the first episode is pomdp record's)`;
        },
        frames: (m) => showcase.add(m),
        error: (m) => fail(m.message),
      },
      fail,
    );
    player.send({ type: "play-run", files, seed });
    ui.play.textContent = "Stop";
  } catch (err) {
    ui.error.textContent = (err as Error).message;
  }
}

export function setUpRunView(): void {
  ui.input.addEventListener("change", () => {
    if (ui.input.files) void open(chosenFiles(ui.input.files));
  });
  ui.drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    ui.drop.classList.add("over");
  });
  ui.drop.addEventListener("dragleave", () => ui.drop.classList.remove("over"));
  ui.drop.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.drop.classList.remove("over");
    if (event.dataTransfer) void droppedFiles(event.dataTransfer).then(open);
  });
  ui.play.addEventListener("click", () => void play());
}
