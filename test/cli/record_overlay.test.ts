// The text band of `pomdp record`: its fields per frame and where they go (no episode played).
import { describe, expect, it } from "vitest";
import { captionFields, captionLayout } from "../../src/cli/record_overlay";
import { textWidth } from "../../src/report/font";

const NAMES = ["left", "right", "forward"];

describe("record's text band", () => {
  it("says step, action (by name, else its number), reward, return and the value", () => {
    const named = captionLayout(1000, 1, 500, 3, NAMES, "V");
    const frame = { step: 3, action: 2, reward: -0.1, total: 3.9, value: { label: "V", value: 0.934 } };
    expect(captionFields(named, frame)).toEqual([
      "step 3",
      "action forward",
      "reward -0.10",
      "return 3.90",
      "V 0.93",
    ]);
    expect(captionFields(named, { step: 0, total: 0 })).toEqual([
      "step 0",
      "action -",
      "reward -",
      "return 0",
      "V -",
    ]);
    const numbered = captionLayout(1000, 1, 500, 3, undefined, "max Q");
    expect(captionFields(numbered, { ...frame, value: { label: "max Q", value: -2 } })).toEqual([
      "step 3",
      "action 2",
      "reward -0.10",
      "return 3.90",
      "max Q -2.00",
    ]);
    expect(captionFields(captionLayout(1000, 1, 500, 3), frame)).toHaveLength(4); // no value without a label
  });

  it("puts the fields on one line when the frame is wide, one per line when it is narrow", () => {
    const wide = captionLayout(1000, 2, 500, 3, NAMES, "V");
    expect(new Set(wide.slots.map((s) => s.y)).size).toBe(1);
    expect(wide.slots.map((s) => s.x)).toEqual([...wide.slots.map((s) => s.x)].sort((a, b) => a - b));
    expect(wide.height).toBe((2 + 7 + 2) * 2); // padding, a glyph, padding
    const narrow = captionLayout(50, 1, 500, 3, NAMES, "V");
    expect(narrow.slots.map((s) => s.x)).toEqual([2, 2, 2, 2, 2]);
    expect(narrow.slots.map((s) => s.y)).toEqual([2, 12, 22, 32, 42]);
    expect(narrow.height).toBe(2 + 5 * 10 - 1);
    // The widest field ("return -0000.00") needs a wider frame than 50 px: record widens it to minWidth.
    expect(narrow.minWidth).toBe(2 + textWidth("return -0000.00") + 2);
    expect(captionLayout(narrow.minWidth, 1, 500, 3, NAMES, "V").minWidth).toBe(narrow.minWidth);
  });
});
