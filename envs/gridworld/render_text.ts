// Text pictures of the gridworlds for a person at a terminal (`pomdp play`): the full map beside the
// egocentric view the agent observes, a legend of the glyphs, and what the agent carries. Two
// characters per cell; ANSI colour only when asked for (the glyphs are the same without it).
import { COLOR_TO_IDX, OBJECT_TO_IDX } from "./constants";
import type { MiniGridEnv, MiniGridObservation } from "./minigrid_env";

/** Options of the text pictures. */
export interface TextPictureOptions {
  /** Colour the glyphs with ANSI escape codes (for a terminal); plain text otherwise. */
  color?: boolean;
  /** Columns available (default 80): wider pictures stack their parts instead of setting them side by side. */
  width?: number;
}

/** A cell as drawn: two characters, what they mean, and their ANSI style (SGR parameters, "" for none). */
export interface Glyph {
  text: string;
  meaning: string;
  /** The object's type name ("wall", "door", …; "unseen", "empty", "agent"). */
  kind: string;
  sgr: string;
}

const IDX_TO_OBJECT: string[] = [];
for (const [name, idx] of Object.entries(OBJECT_TO_IDX)) IDX_TO_OBJECT[idx] = name;
const IDX_TO_COLOR: string[] = [];
for (const [name, idx] of Object.entries(COLOR_TO_IDX)) IDX_TO_COLOR[idx] = name;

/** Second character of a coloured object's glyph (grey is E: G is green). */
const COLOR_LETTER: Record<string, string> = {
  red: "R",
  green: "G",
  blue: "B",
  purple: "P",
  yellow: "Y",
  grey: "E",
};
const COLOR_SGR: Record<string, string> = {
  red: "91",
  green: "92",
  blue: "94",
  purple: "95",
  yellow: "93",
  grey: "37",
};
const DIRECTION_NAMES = ["right", "down", "left", "up"];
const AGENT_TEXT = [">>", "vv", "<<", "^^"];
/** Background of the map cells the agent currently sees (colour only). */
const IN_VIEW_SGR = "48;5;237";
const ESC = "\u001b";
/** Kinds drawn on their own background, which the in-view shading leaves alone. */
const OWN_BACKGROUND = new Set(["goal", "lava"]);

/** The glyph of the agent facing `dir` (0 right, 1 down, 2 left, 3 up). */
export function agentGlyph(dir: number): Glyph {
  const meaning = `agent, facing ${DIRECTION_NAMES[dir] ?? "?"}`;
  return { text: AGENT_TEXT[dir] ?? "??", meaning, kind: "agent", sgr: "1;91" };
}

/** The name of an encoded object, e.g. "yellow key" ("wall" and "goal" without their usual colour). */
export function objectName(type: number, color: number): string {
  const object = IDX_TO_OBJECT[type] ?? `object ${type}`;
  const colour = IDX_TO_COLOR[color] ?? `colour ${color}`;
  if ((object === "wall" && colour === "grey") || (object === "goal" && colour === "green")) return object;
  if (object === "lava" || object === "empty" || object === "unseen") return object;
  return `${colour} ${object}`;
}

/**
 * The glyph of an encoded cell (object, colour, state) as in Minigrid's observations: `##` wall, `░░`
 * unseen, two spaces empty, `GG` goal, `~~` lava, and an object letter followed by its colour's
 * initial for the rest: K key, O ball, B box, F floor, and doors as D (closed), L (locked), / (open).
 */
export function cellGlyph(type: number, color: number, state: number): Glyph {
  const object = IDX_TO_OBJECT[type] ?? "unknown";
  const colour = IDX_TO_COLOR[color] ?? "grey";
  const letter = COLOR_LETTER[colour] ?? "?";
  const bright = `1;${COLOR_SGR[colour] ?? "37"}`;
  switch (object) {
    case "unseen":
      return { text: "░░", meaning: "unseen", kind: object, sgr: "90" };
    case "empty":
      return { text: "  ", meaning: "empty", kind: object, sgr: "" };
    case "wall":
      return colour === "grey"
        ? { text: "##", meaning: "wall", kind: object, sgr: "90" }
        : { text: `#${letter}`, meaning: `${colour} wall`, kind: object, sgr: COLOR_SGR[colour] };
    case "floor":
      return { text: `F${letter}`, meaning: `${colour} floor`, kind: object, sgr: COLOR_SGR[colour] };
    case "door": {
      const how = ["open", "closed", "locked"][state] ?? `state ${state}`;
      const mark = ["/", "D", "L"][state] ?? "D";
      return { text: `${mark}${letter}`, meaning: `${colour} door, ${how}`, kind: object, sgr: bright };
    }
    case "key":
      return { text: `K${letter}`, meaning: `${colour} key`, kind: object, sgr: bright };
    case "ball":
      return { text: `O${letter}`, meaning: `${colour} ball`, kind: object, sgr: bright };
    case "box":
      return { text: `B${letter}`, meaning: `${colour} box`, kind: object, sgr: bright };
    case "goal":
      return colour === "green"
        ? { text: "GG", meaning: "goal", kind: object, sgr: "1;30;42" }
        : { text: `G${letter}`, meaning: `${colour} goal`, kind: object, sgr: "1;30;42" };
    case "lava":
      return { text: "~~", meaning: "lava", kind: object, sgr: "1;93;41" };
    case "agent":
      return agentGlyph(state);
    default:
      return { text: "??", meaning: `unknown object ${type}`, kind: object, sgr: "" };
  }
}

/** `text` in the style `sgr` when colouring, else as it is. */
export function paint(text: string, sgr: string, color: boolean | undefined): string {
  return color && sgr !== "" ? `${ESC}[${sgr}m${text}${ESC}[0m` : text;
}

/** Length of `text` on screen: its characters without ANSI escape sequences. */
export function visibleLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ESC && text[i + 1] === "[") {
      i += 2;
      while (i < text.length && !/[A-Za-z]/.test(text[i])) i++;
    } else n++;
  }
  return n;
}

/** Two blocks of lines side by side, the left one padded to its widest line, `gap` spaces between. */
export function sideBySide(left: readonly string[], right: readonly string[], gap = 3): string[] {
  const width = Math.max(0, ...left.map(visibleLength));
  const out: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? "";
    const r = right[i];
    out.push(r === undefined || r === "" ? l : `${l}${" ".repeat(width - visibleLength(l) + gap)}${r}`);
  }
  return out;
}

/** Legend lines: entries "glyph meaning", two to a line when both are short. */
export function legendLines(entries: readonly { glyph: string; meaning: string }[], column = 16): string[] {
  const texts = entries.map((e) => ({
    shown: `${e.glyph} ${e.meaning}`,
    width: visibleLength(e.glyph) + 1 + e.meaning.length,
  }));
  const lines: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    const b = texts[i + 1];
    if (b !== undefined && a.width < column && b.width < column) {
      lines.push(`${a.shown}${" ".repeat(column - a.width)}${b.shown}`);
      i++;
    } else lines.push(a.shown);
  }
  return lines;
}

/** The encoded egocentric view of an observation: its `image`, or the observation itself if it is one. */
function viewImage(env: MiniGridEnv, observation: unknown): Uint8Array {
  const size = env.agentViewSize * env.agentViewSize * 3;
  const image = (observation as Partial<MiniGridObservation> | null)?.image ?? observation;
  // Under a wrapper that changed the observation (e.g. one-hot), draw the env's own encoded view.
  return image instanceof Uint8Array && image.length === size ? image : env.encodeView();
}

const LEGEND_ORDER = ["wall", "goal", "lava", "floor", "key", "ball", "box", "door", "unseen"];

/**
 * The picture of `pomdp play` for a Minigrid env: the full map beside the egocentric view the agent
 * observes (`observation.image` as it is: the agent at the bottom centre facing up, cells it cannot
 * see as `░░`), a legend of the glyphs on screen, and what the agent carries (read from the view's
 * agent cell, as the agent does). With colour, the map cells in the agent's view are shaded.
 */
export function renderMiniGridPlay(
  env: MiniGridEnv,
  observation: unknown,
  options: TextPictureOptions = {},
): string {
  const color = options.color === true;
  const seen = new Map<string, Glyph>();
  const note = (g: Glyph) => {
    if (g.text !== "  " && !seen.has(g.text)) seen.set(g.text, g);
  };

  // The full map, from the grid's encoding, with the agent.
  const cells = env.encodeFullGrid();
  const inView = color ? env.visibleMask() : null;
  const map: string[] = ["full map"];
  for (let y = 0; y < env.height; y++) {
    let row = "";
    for (let x = 0; x < env.width; x++) {
      const c = y * env.width + x;
      const isAgent = x === env.agentPos[0] && y === env.agentPos[1];
      const g = isAgent
        ? agentGlyph(env.agentDir)
        : cellGlyph(cells[3 * c], cells[3 * c + 1], cells[3 * c + 2]);
      if (!isAgent) note(g);
      const shade = inView !== null && inView[c] === 1 && !OWN_BACKGROUND.has(g.kind) ? IN_VIEW_SGR : "";
      row += paint(g.text, [g.sgr, shade].filter((s) => s !== "").join(";"), color);
    }
    map.push(row);
  }

  // The view, exactly as encoded in the observation; the agent's own cell holds what it carries.
  const v = env.agentViewSize;
  const image = viewImage(env, observation);
  const agentCell = (v - 1) * v + (v >> 1);
  const view: string[] = ["the agent's view", `┌${"─".repeat(2 * v)}┐`];
  for (let vy = 0; vy < v; vy++) {
    let row = "";
    for (let vx = 0; vx < v; vx++) {
      const k = vy * v + vx;
      if (k === agentCell) {
        row += paint("^^", agentGlyph(3).sgr, color);
        continue;
      }
      const g = cellGlyph(image[3 * k], image[3 * k + 1], image[3 * k + 2]);
      note(g);
      row += paint(g.text, g.sgr, color);
    }
    view.push(`│${row}│`);
  }
  view.push(`└${"─".repeat(2 * v)}┘`);
  const heldType = image[3 * agentCell];
  const held = heldType === OBJECT_TO_IDX.empty ? "nothing" : objectName(heldType, image[3 * agentCell + 1]);

  // The legend: the agent, then every glyph on screen by kind; "unseen" always.
  note(cellGlyph(OBJECT_TO_IDX.unseen, 0, 0));
  const kind = (g: Glyph) => {
    const at = LEGEND_ORDER.indexOf(g.kind);
    return at < 0 ? LEGEND_ORDER.length : at;
  };
  const glyphs = [...seen.values()].sort((a, b) => kind(a) - kind(b) || a.text.localeCompare(b.text));
  const agent = agentGlyph(env.agentDir);
  const entries = [
    { glyph: paint(agent.text, agent.sgr, color), meaning: `you, facing ${DIRECTION_NAMES[env.agentDir]}` },
    { glyph: paint("^^", agent.sgr, color), meaning: "you in the view: always up" },
    ...glyphs.map((g) => ({ glyph: paint(g.text, g.sgr, color), meaning: g.meaning })),
  ];
  if (color) entries.push({ glyph: paint("  ", IN_VIEW_SGR, true), meaning: "shaded: seen by the agent" });
  const legend = ["legend", ...legendLines(entries), "", `carrying: ${held}`];

  // Three columns when they fit in the width, else the legend under the view.
  const width = (lines: readonly string[]) => Math.max(0, ...lines.map(visibleLength));
  const gap = 3;
  if (width(map) + width(view) + width(legend) + 2 * gap <= (options.width ?? 80))
    return sideBySide(sideBySide(map, view, gap), legend, gap).join("\n");
  return sideBySide(map, [...view, "", ...legend], gap).join("\n");
}
