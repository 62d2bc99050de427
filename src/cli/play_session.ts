// One `pomdp play` session on a gridworld (or CartPole, TMaze, RepeatPrevious, CountRecall), whatever drives it: the terminal (src/cli/play.ts) or the
// browser page's play view (web/play_view.ts). Keys in, text pictures out.
import { registerBuiltinEnvs } from "../../envs";
import { MiniGridEnv } from "../../envs/gridworld/minigrid_env";
import { renderMiniGridPlay, type TextPictureOptions } from "../../envs/gridworld/render_text";
import { type Env, make } from "../core";
import { PLAY_HELP_LINES } from "./play_keys";

/** What a key does in `pomdp play`: a Minigrid action, or a session command. */
export type PlayInput = { action: number } | "reset" | "quit";

/** Key names of `pomdp play` (also what to type, one per line, when stdin is not a terminal). */
export const PLAY_KEYS: Readonly<Record<string, PlayInput>> = {
  left: { action: 0 },
  right: { action: 1 },
  up: { action: 2 },
  forward: { action: 2 },
  p: { action: 3 },
  pickup: { action: 3 },
  d: { action: 4 },
  drop: { action: 4 },
  space: { action: 5 },
  toggle: { action: 5 },
  enter: { action: 6 },
  ".": { action: 6 },
  done: { action: 6 },
  r: "reset",
  reset: "reset",
  q: "quit",
  quit: "quit",
};

const ACTION_NAMES = ["turn left", "turn right", "forward", "pick up", "drop", "toggle", "done"];

/** A key of an env's own layout: the action it takes and what to call it. */
export interface PlayKey {
  action: number;
  name: string;
}

/**
 * What the unwrapped env must offer to be played: a text picture (Minigrid's `renderText`), and
 * optionally its own keys (e.g. TMaze's arrows move in their direction) replacing Minigrid's. Minigrid
 * envs are drawn by `renderMiniGridPlay` (full map beside the agent's view); other envs by
 * `renderPlay` when they have it, else by `renderText`.
 */
export interface Playable {
  renderText(): string;
  /** The picture for a person: the world beside what the agent observes (`observation`, as returned by reset/step). */
  renderPlay?(observation: unknown, options: TextPictureOptions): string;
  mission?: string;
  /** Key name (as in `PLAY_KEYS`: "up", "left", …) → action; "r" and "q" keep their meaning. */
  playKeys?: Readonly<Record<string, PlayKey>>;
  /** One line saying what the keys do. */
  playHelp?: string;
}

/** Names of the keys in a chunk of raw terminal input (arrows arrive as escape sequences). */
export function keyNamesFromRaw(chunk: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < chunk.length; i++) {
    if (chunk.startsWith("\u001b[", i) && i + 2 < chunk.length) {
      const arrow = { A: "up", B: "down", C: "right", D: "left" }[chunk[i + 2]];
      names.push(arrow ?? `escape ${chunk.slice(i, i + 3)}`);
      i += 2;
    } else if (chunk[i] === "\u0003" || chunk[i] === "\u0004")
      names.push("quit"); // Ctrl-C, Ctrl-D
    else if (chunk[i] === "\r" || chunk[i] === "\n") names.push("enter");
    else if (chunk[i] === " ") names.push("space");
    else names.push(chunk[i].toLowerCase());
  }
  return names;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(4)));
}

/** Lines of at most `width` characters (words longer than that stay whole); continuations indented by `indent`. */
export function wrapText(text: string, width = 80, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** How `PlaySession` draws. */
export interface PlayDisplayOptions {
  /** Clear the terminal before each picture (when playing in a terminal). */
  clearScreen?: boolean;
  /** Colour the picture with ANSI escape codes (when stdout is a terminal). */
  color?: boolean;
  /** Columns of the terminal (default 80): a picture too wide for them stacks its parts. */
  width?: number;
}

/**
 * One `pomdp play` session on a gridworld: `press(name)` applies a key (see `PLAY_KEYS`) and writes
 * the picture (for Minigrid: the full map beside the agent's egocentric view, what it carries and a
 * legend; for TMaze: the corridor beside the observation), the mission, the step count, the last
 * reward and the return through `write`.
 */
export class PlaySession {
  /** Returns of the finished episodes. */
  readonly returns: number[] = [];
  /** The env played (the browser page draws its pictures). */
  readonly env: Env<unknown, number>;
  private readonly playable: Playable;
  private steps = 0;
  private episodeReturn = 0;
  private lastReward = 0;
  private lastAction = "";
  private ended: string | null = null;
  private observation: unknown = null;

  constructor(
    /** The env id. */
    readonly id: string,
    /** Seed of the first episode; later episodes continue the env's generator. */
    readonly seed: number,
    /** Where the pictures and messages go (stdout in the CLI). */
    private readonly write: (text: string) => void,
    /** Clearing and colour (both off by default: plain text, as for a pipe). */
    private readonly display: PlayDisplayOptions = {},
  ) {
    registerBuiltinEnvs();
    this.env = make(id);
    const unwrapped = this.env.unwrapped as unknown as Partial<Playable>;
    if (typeof unwrapped.renderText !== "function") {
      this.env.close();
      throw new Error(
        `play: ${id} cannot be played: it draws no text picture (its env has no renderText()); expected a gridworld such as MiniGrid-Empty-5x5-v0, CartPole-v1 or its POMDP variants, TMaze-v0, RepeatPrevious-v0 or CountRecall-v0`,
      );
    }
    this.playable = unwrapped as Playable;
  }

  /** Starts the first episode and shows it. */
  start(): void {
    this.newEpisode(this.seed);
  }

  /** What a key does with this env: its own keys if it has them, else Minigrid's. */
  private lookup(key: string): { input: PlayInput; label?: string } | undefined {
    const own = this.playable.playKeys;
    if (own === undefined) {
      const input = PLAY_KEYS[key];
      return input === undefined
        ? undefined
        : { input, label: typeof input === "object" ? ACTION_NAMES[input.action] : undefined };
    }
    if (own[key] !== undefined) return { input: { action: own[key].action }, label: own[key].name };
    const session = PLAY_KEYS[key];
    return session === "reset" || session === "quit" ? { input: session } : undefined;
  }

  /** Applies the key called `name`; returns false once the player quits. */
  press(name: string): boolean {
    const found = this.lookup(name.trim().toLowerCase());
    if (found === undefined) {
      const keys = this.playable.playKeys
        ? [...Object.keys(this.playable.playKeys), "r", "q"]
        : Object.keys(PLAY_KEYS);
      this.write(`unknown key "${name}"; expected one of ${keys.join(", ")}\n`);
      return true;
    }
    const input = found.input;
    if (input === "quit") {
      if (this.ended === null && this.steps > 0) this.returns.push(this.episodeReturn);
      const list = this.returns.map(formatNumber).join(", ");
      this.write(`bye: ${this.returns.length} episode(s)${list ? `, returns ${list}` : ""}\n`);
      this.env.close();
      return false;
    }
    if (input === "reset") {
      if (this.ended === null && this.steps > 0) this.returns.push(this.episodeReturn);
      this.newEpisode(undefined);
      return true;
    }
    if (this.ended !== null) {
      this.write(`the episode is over (${this.ended}); press r to play again or q to quit\n`);
      return true;
    }
    const r = this.env.step(input.action);
    this.observation = r.observation;
    this.steps++;
    this.lastReward = r.reward;
    this.episodeReturn += r.reward;
    this.lastAction = found.label ?? String(input.action);
    if (r.terminated || r.truncated) {
      this.ended = r.terminated ? "terminated" : `truncated after ${this.steps} steps`;
      this.returns.push(this.episodeReturn);
    }
    this.show();
    return true;
  }

  private newEpisode(seed: number | undefined): void {
    this.observation = this.env.reset(seed === undefined ? undefined : { seed }).observation;
    this.steps = 0;
    this.episodeReturn = 0;
    this.lastReward = 0;
    this.lastAction = "";
    this.ended = null;
    this.show();
  }

  /** The picture of the current state (see the class comment). */
  private picture(): string {
    const options: TextPictureOptions = { color: this.display.color === true, width: this.display.width };
    const env = this.env.unwrapped;
    if (env instanceof MiniGridEnv) return renderMiniGridPlay(env, this.observation, options);
    if (typeof this.playable.renderPlay === "function")
      return this.playable.renderPlay(this.observation, options);
    return this.playable.renderText();
  }

  private show(): void {
    const mission = this.playable.mission === undefined ? "" : `mission: ${this.playable.mission}`;
    const title = mission === "" ? this.id : `${this.id} — ${mission}`;
    const lines = [
      ...(title.length <= 80 ? [title] : [this.id, ...wrapText(mission, 80, "  ")]),
      "",
      this.picture(),
      "",
      `step ${this.steps}${this.lastAction ? ` (${this.lastAction})` : ""}   reward ${formatNumber(this.lastReward)}   return ${formatNumber(this.episodeReturn)}`,
    ];
    if (this.ended !== null)
      lines.push(
        `episode over: ${this.ended}, return ${formatNumber(this.episodeReturn)} — r to play again, q to quit`,
      );
    else if (this.playable.playHelp !== undefined)
      lines.push(...wrapText(this.playable.playHelp, 80, "      "));
    else lines.push(PLAY_HELP_LINES[0], `      ${PLAY_HELP_LINES[1]}`);
    this.write(`${this.display.clearScreen ? "\u001b[2J\u001b[H" : ""}${lines.join("\n")}\n\n`);
  }
}
