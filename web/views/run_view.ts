// The Open-a-run view: a run folder made by `pomdp train`, chosen or dropped: its learning curve from
// metrics.jsonl, its summary and its config.
import { byId } from "../dom";
import { drawCurves, EpisodeSeries } from "../learning_curve";
import { chosenFiles, droppedFiles, type FolderFile, readRunFolder } from "../run_folder_files";

const ui = {
  input: byId<HTMLInputElement>("run-files"),
  drop: byId<HTMLElement>("run-drop"),
  error: byId<HTMLElement>("run-error"),
  title: byId<HTMLElement>("run-title"),
  curve: byId<SVGSVGElement>("run-curve"),
  summary: byId<HTMLElement>("run-summary"),
  config: byId<HTMLElement>("run-config"),
};

async function open(files: FolderFile[]): Promise<void> {
  ui.error.textContent = "";
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
}
