import { describe, expect, it } from "vitest";
import { RecurrentState } from "../../agents/recurrent_state";

/** A state of 2 towers × 3 envs × hidden 2 whose values say where they are: h = 100·t + 10·e + j. */
function labelled(): RecurrentState {
  const s = new RecurrentState(2, 3, 2);
  for (let t = 0; t < 2; t++)
    for (let e = 0; e < 3; e++)
      for (let j = 0; j < 2; j++) {
        s.h[s.offset(t, e) + j] = 100 * t + 10 * e + j;
        s.c[s.offset(t, e) + j] = -(100 * t + 10 * e + j);
      }
  return s;
}

describe("RecurrentState", () => {
  it("lays h and c out as [towers, envs, hidden]", () => {
    const s = labelled();
    expect(Array.from(s.h)).toEqual([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
    expect(s.offset(1, 2)).toBe(10);
  });

  it("reset zeroes one env in every tower and nothing else", () => {
    const s = labelled();
    s.reset(1);
    expect(Array.from(s.h)).toEqual([0, 1, 0, 0, 20, 21, 100, 101, 0, 0, 120, 121]);
    expect(Array.from(s.c)).toEqual([-0, -1, 0, 0, -20, -21, -100, -101, 0, 0, -120, -121]);
  });

  it("select copies the chosen envs in the given order, per tower; row is a select of one", () => {
    const s = labelled();
    const picked = s.select([2, 0]);
    expect([picked.towers, picked.batch, picked.hidden]).toEqual([2, 2, 2]);
    expect(Array.from(picked.h)).toEqual([20, 21, 0, 1, 120, 121, 100, 101]);
    picked.h[0] = 999; // a copy: the source is untouched
    expect(s.h[s.offset(0, 2)]).toBe(20);
    expect(Array.from(s.row(1).c)).toEqual([-10, -11, -110, -111]);
  });

  it("copy is independent; towerView writes through", () => {
    const s = labelled();
    const c = s.copy();
    s.towerView("h", 1).fill(7);
    expect(Array.from(s.h.subarray(6))).toEqual([7, 7, 7, 7, 7, 7]);
    expect(Array.from(c.h.subarray(6))).toEqual([100, 101, 110, 111, 120, 121]);
  });

  it("a network without memory has an empty state of its batch", () => {
    const s = new RecurrentState(2, 4, 0);
    expect([s.h.length, s.c.length, s.batch]).toEqual([0, 0, 4]);
    expect(() => s.reset(3)).not.toThrow();
  });

  it("refuses arrays of the wrong size, naming the layout", () => {
    expect(() => new RecurrentState(1, 2, 3, new Float32Array(5))).toThrow(
      "RecurrentState: h has 5 values, expected 1 towers × 2 envs × 3",
    );
  });

  it("a GRU's or RNN's state (parts 1) is h alone: c is empty, reset/select/copy/towerViews work on h", () => {
    const s = new RecurrentState(2, 3, 2, undefined, undefined, 1);
    for (let i = 0; i < s.h.length; i++) s.h[i] = i + 1;
    expect(s.c.length).toBe(0);
    expect(s.arrays).toEqual([s.h]);
    s.reset(1);
    expect(Array.from(s.h)).toEqual([1, 2, 0, 0, 5, 6, 7, 8, 0, 0, 11, 12]);
    const picked = s.select([2, 0]);
    expect([picked.parts, picked.c.length]).toEqual([1, 0]);
    expect(Array.from(picked.h)).toEqual([5, 6, 1, 2, 11, 12, 7, 8]);
    const copy = s.copy();
    expect([copy.parts, Array.from(copy.h)]).toEqual([1, Array.from(s.h)]);
    const views = s.towerViews(1);
    expect(views.length).toBe(1);
    views[0].fill(3);
    expect(Array.from(s.h.subarray(6))).toEqual([3, 3, 3, 3, 3, 3]);
    expect(() => s.towerView("c", 0)).toThrow("RecurrentState.towerView: no c in this state");
    expect(() => new RecurrentState(1, 2, 3, undefined, new Float32Array(6), 1)).toThrow(
      "RecurrentState: c has 6 values, expected none (a core whose state is h alone)",
    );
  });
});
