// The page: four views, one module each (web/views/): Train (a run in a worker, its curve, the env it
// plays and its memory), Compare (two networks side by side), Play (a gridworld with the keyboard) and
// Open a run (a `pomdp train` folder's curve and config). Tabs switch between them.
import { byId } from "./dom";
import type { MetricLine } from "./protocol";
import { setUpCompareView } from "./views/compare_view";
import { setUpPlayView } from "./views/play_view";
import { setUpRunView } from "./views/run_view";
import { setUpTrainView } from "./views/train_view";

const VIEWS = ["train", "compare", "play", "run"] as const;

function showView(name: string): void {
  for (const view of VIEWS) {
    byId<HTMLElement>(`view-${view}`).hidden = view !== name;
    byId<HTMLButtonElement>(`tab-${view}`).setAttribute("aria-selected", String(view === name));
  }
}

const train = setUpTrainView();
setUpCompareView();
setUpPlayView();
setUpRunView();
for (const view of VIEWS) byId(`tab-${view}`).addEventListener("click", () => showView(view));
showView(VIEWS.includes(location.hash.slice(1) as never) ? location.hash.slice(1) : "train");

/** For tests and the browser's console: the Train view's metrics.jsonl lines so far, as `pomdp train` writes them. */
(window as unknown as { pomdp: object }).pomdp = {
  metrics: (): MetricLine[] => train.metrics(),
};
