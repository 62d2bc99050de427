// The captions `pomdp record` draws into its frames: the text band (step, action, reward, return,
// the critic's value) and the memory strip's labels and colour scale.
import { drawText, GLYPH_HEIGHT, textWidth } from "../report/font";
import type { RgbImage } from "../report/gif";
import { fillRect, HEAT_LEVELS, heatColour, type MemoryStripLayout, towerTop } from "./record_frame";

/** Colour of the captions' values, and of their names and labels. */
export const TEXT_COLOUR: readonly [number, number, number] = [235, 235, 235];
export const LABEL_COLOUR: readonly [number, number, number] = [150, 150, 150];

/** What the text band says about one frame (the picture after `step` steps). */
export interface FrameCaption {
  step: number;
  /** The action of this step (undefined on the reset's frame). */
  action?: number;
  /** This step's reward (undefined on the reset's frame). */
  reward?: number;
  /** Sum of the rewards so far. */
  total: number;
  /** The network's estimate for the pictured observation: V(o) of an actor-critic, max Q of a Q-network. */
  value?: { label: string; value: number };
}

/** Where the text band's fields go: each field has a fixed slot, so the text does not jump between frames. */
export interface CaptionLayout {
  /** Font pixel size in image pixels. */
  px: number;
  /** Per field (step, action, reward, return, value): its slot's top-left corner. */
  slots: { x: number; y: number }[];
  height: number;
  /** Narrowest frame the widestTexts field fits in: a narrower picture is widened to it (background on the right). */
  minWidth: number;
  /** Action names by index (numbers are shown without them). */
  actionNames?: readonly string[];
  /** The value's label ("V", "max Q"), or none. */
  valueLabel?: string;
}

/** Pixels between lines and around the band, in font pixels. */
const LINE_GAP = 3;
const PAD = 2;
/** Blank characters between fields. */
const FIELD_GAP = 2;

/** A reward or return: whole numbers as they are, others to 2 decimals. */
export function formatReward(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** The band's fields for one frame, in slot order. */
export function captionFields(layout: CaptionLayout, caption: FrameCaption): string[] {
  const { action, reward, value } = caption;
  const name = action === undefined ? "-" : (layout.actionNames?.[action] ?? String(action));
  const fields = [
    `step ${caption.step}`,
    `action ${name}`,
    `reward ${reward === undefined ? "-" : formatReward(reward)}`,
    `return ${formatReward(caption.total)}`,
  ];
  if (layout.valueLabel !== undefined)
    fields.push(`${layout.valueLabel} ${value === undefined ? "-" : value.value.toFixed(2)}`);
  return fields;
}

/**
 * The band's layout for frames `width` pixels wide: fields packed into as few lines as fit, each
 * slot as wide as its widestTexts text (`horizon` digits of steps, the longest action name, numbers
 * of 7 characters).
 */
export function captionLayout(
  width: number,
  px: number,
  horizon: number,
  numActions: number,
  actionNames?: readonly string[],
  valueLabel?: string,
): CaptionLayout {
  const names = actionNames ?? Array.from({ length: numActions }, (_, a) => String(a));
  const longest = Math.max(1, ...names.map((n) => n.length));
  const widestTexts = [
    `step ${"0".repeat(String(Math.min(horizon, 1e9)).length)}`,
    `action ${"m".repeat(longest)}`,
    "reward -000.00",
    "return -0000.00",
    ...(valueLabel !== undefined ? [`${valueLabel} -000.00`] : []),
  ];
  const widths = widestTexts.map((s) => textWidth(s + " ".repeat(FIELD_GAP), px));

  const lineHeight = (GLYPH_HEIGHT + LINE_GAP) * px;
  const slots: { x: number; y: number }[] = [];
  let x = PAD * px;
  let y = PAD * px;
  for (const w of widths) {
    if (x > PAD * px && x + w > width) {
      x = PAD * px;
      y += lineHeight;
    }
    slots.push({ x, y });
    x += w;
  }
  const minWidth = 2 * PAD * px + Math.max(...widestTexts.map((s) => textWidth(s, px)));
  return { px, slots, height: y + lineHeight + (PAD - LINE_GAP) * px, minWidth, actionNames, valueLabel };
}

/** Draws the band's fields at (0, top) of `img`: each field's name in grey, its value in white. */
export function drawCaption(img: RgbImage, top: number, layout: CaptionLayout, caption: FrameCaption): void {
  for (const [i, field] of captionFields(layout, caption).entries()) {
    const { x, y } = layout.slots[i];
    const space = field.lastIndexOf(" ");
    const name = field.slice(0, space + 1);
    drawText(img, x, top + y, name, LABEL_COLOUR, layout.px);
    drawText(
      img,
      x + textWidth(name, layout.px) + layout.px,
      top + y,
      field.slice(space + 1),
      TEXT_COLOUR,
      layout.px,
    );
  }
}

/** Height of a label line of the memory strip (and of its colour scale), for font pixels `px`. */
export function labelLineHeight(px: number): number {
  return (GLYPH_HEIGHT + LINE_GAP) * px;
}

/** What tower `name`'s rows of the strip are: e.g. "actor LSTM h (64)", "q GRU h (32)". */
export function towerLabel(name: string, units: number, core = "LSTM"): string {
  return `${name} ${core} h (${units})`;
}

/** Draws each tower's label above its rows of the strip drawn at (x, y). */
export function drawStripLabels(
  img: RgbImage,
  x: number,
  y: number,
  layout: MemoryStripLayout,
  towerNames: readonly string[],
  px: number,
  /** The core's name in the labels ("RNN", "GRU", "LSTM"). */
  core = "LSTM",
): void {
  for (let t = 0; t < layout.towers; t++)
    drawText(
      img,
      x,
      y + towerTop(layout, t),
      towerLabel(towerNames[t] ?? `tower ${t}`, layout.units, core),
      LABEL_COLOUR,
      px,
    );
}

/**
 * The strip's colour scale at (x, y): "-1", a bar of every heat level from blue to red, "+1" (the
 * range of tanh-bounded h). Returns its width.
 */
export function drawColourScale(img: RgbImage, x: number, y: number, px: number): number {
  drawText(img, x, y, "-1", LABEL_COLOUR, px);
  let cx = x + textWidth("-1 ", px);
  const cell = 2 * px;
  for (let l = 0; l < HEAT_LEVELS; l++, cx += cell)
    fillRect(img, cx, y, cell, GLYPH_HEIGHT * px, heatColour((l / (HEAT_LEVELS - 1)) * 2 - 1));
  cx += px * 2;
  drawText(img, cx, y, "+1", LABEL_COLOUR, px);
  return cx + textWidth("+1", px) - x;
}
