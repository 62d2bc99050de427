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
});
