// The Play view: a gridworld (or CartPole, TMaze…) played with the keyboard, as `pomdp play` plays it
// (the same session, src/cli/play_session.ts): the env's picture and a gridworld's egocentric view drawn
// on canvases, and `pomdp play`'s text (the full map beside the view, or CartPole as text with what
// its agent observes; the step, reward and return) under them.

import { PlaySession } from "../../src/cli/play_session";
import { agentViewImage } from "../../src/cli/record_frame";
import { byId, seedFrom } from "../dom";
import type { RgbPicture } from "../protocol";
import { drawRgb } from "../rgb_canvas";

const ui = {
  form: byId<HTMLFormElement>("play-controls"),
  env: byId<HTMLInputElement>("play-env"),
  seed: byId<HTMLInputElement>("play-seed"),
  error: byId<HTMLElement>("play-error"),
  picture: byId<HTMLCanvasElement>("play-picture"),
  view: byId<HTMLCanvasElement>("play-view"),
  text: byId<HTMLElement>("play-text"),
  area: byId<HTMLElement>("play-area"),
};

/** Browser key names → `pomdp play`'s key names (other keys are sent as typed, in lower case). */
const KEY_NAMES: Record<string, string> = {
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
  " ": "space",
  Enter: "enter",
};

let session: PlaySession | undefined;

/** The env's picture, or undefined when it draws none (TMaze shows only its text picture). */
function picture(): RgbPicture | undefined {
  try {
    return session?.env.render?.();
  } catch {
    return undefined;
  }
}

function draw(): void {
  if (!session) return;
  const full = picture();
  ui.picture.hidden = full === undefined;
  if (full) drawRgb(ui.picture, full);
  const view = agentViewImage(session.env, full?.height ?? 224);
  ui.view.hidden = view === undefined;
  if (view) drawRgb(ui.view, view);
}

function start(): void {
  ui.error.textContent = "";
  const parsed = seedFrom(ui.seed);
  if ("error" in parsed) {
    ui.error.textContent = parsed.error;
    return;
  }
  const { seed } = parsed;
  session?.env.close();
  session = undefined;
  try {
    session = new PlaySession(ui.env.value.trim(), seed, (text) => {
      ui.text.textContent = text;
      draw();
    });
    session.start();
    // Space and Enter play (toggle, done) rather than press the Play button again.
    (document.activeElement as HTMLElement | null)?.blur();
  } catch (err) {
    ui.error.textContent = (err as Error).message;
    return;
  }
}

function onKey(event: KeyboardEvent): void {
  // Keys play while the Play view is shown and no form field has the focus.
  if (!session || ui.area.offsetParent === null || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
  const name = KEY_NAMES[event.key] ?? (event.key.length === 1 ? event.key.toLowerCase() : undefined);
  if (name === undefined) return;
  event.preventDefault();
  if (name === "q") {
    session.press("quit");
    session = undefined;
    return;
  }
  session.press(name);
}

export function setUpPlayView(): void {
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  document.addEventListener("keydown", onKey);
}
