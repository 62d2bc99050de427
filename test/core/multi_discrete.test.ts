import { describe, expect, it } from "vitest";
import { MultiDiscrete, Rng, spaceFromJSON } from "../../src/core";

describe("MultiDiscrete", () => {
  it("samples one integer per value within its range, reproducibly, as an Int32Array", () => {
    const space = new MultiDiscrete([2, 3, 1], [0, 5, -1]);
    expect(space.shape).toEqual([3]);
    const rng = new Rng(3);
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let i = 0; i < 200; i++) {
      const x = space.sample(rng);
      expect(x).toBeInstanceOf(Int32Array);
      expect(space.contains(x)).toBe(true);
      x.forEach((v, j) => {
        seen[j].add(v);
      });
    }
    expect(seen.map((s) => [...s].sort())).toEqual([[0, 1], [5, 6, 7], [-1]]);
    expect(Array.from(space.sample(new Rng(9)))).toEqual(Array.from(space.sample(new Rng(9))));
  });

  it("contains plain or typed arrays of integers in range, of the right length; nothing else", () => {
    const space = new MultiDiscrete([2, 2]);
    expect(space.contains([0, 1])).toBe(true);
    expect(space.contains(Int32Array.of(1, 1))).toBe(true);
    expect(space.contains(Uint8Array.of(1, 0))).toBe(true);
    for (const x of [
      [0, 2],
      [0, -1],
      [0, 0.5],
      [0, Number.NaN],
      [0],
      [0, 0, 0],
      ["0", 1],
      "01",
      1,
      null,
      undefined,
    ])
      expect(space.contains(x)).toBe(false);
  });

  it("describes itself and round-trips through JSON", () => {
    expect(String(new MultiDiscrete([2, 2, 2]))).toBe("MultiDiscrete([2, 2, 2])");
    const shifted = new MultiDiscrete([3, 4], 1);
    expect(String(shifted)).toBe("MultiDiscrete([3, 4], start=[1, 1])");
    expect(shifted.toJSON()).toEqual({ type: "MultiDiscrete", nvec: [3, 4], start: [1, 1] });
    const json = JSON.parse(JSON.stringify(shifted.toJSON()));
    expect(spaceFromJSON(json).toJSON()).toEqual(json);
    expect(spaceFromJSON(json)).toBeInstanceOf(MultiDiscrete);
  });

  it("rejects a malformed nvec or start", () => {
    expect(() => new MultiDiscrete([])).toThrow(
      "MultiDiscrete: nvec must be a non-empty array of integers ≥ 1, got []",
    );
    expect(() => new MultiDiscrete([2, 0])).toThrow("MultiDiscrete: nvec[1] must be an integer ≥ 1, got 0");
    expect(() => new MultiDiscrete([2, 2], [0])).toThrow(
      "MultiDiscrete: start must be an integer or 2 integers (one per value), got [0]",
    );
    expect(() => new MultiDiscrete([2], 0.5)).toThrow("MultiDiscrete: start[0] must be an integer, got 0.5");
  });
});
