import { describe, expect, it } from "vitest";
import { Box, Dict, Discrete, Rng, spaceFromJSON, Text } from "../../src/core";

describe("Discrete", () => {
  it("samples every value in range, reproducibly with a seeded Rng", () => {
    const space = new Discrete(3, 2);
    const rng = new Rng(1);
    const seen = new Set(Array.from({ length: 200 }, () => space.sample(rng)));
    expect([...seen].sort()).toEqual([2, 3, 4]);
    const a = Array.from(
      { length: 20 },
      (
        (r) => () =>
          space.sample(r)
      )(new Rng(9)),
    );
    const b = Array.from(
      { length: 20 },
      (
        (r) => () =>
          space.sample(r)
      )(new Rng(9)),
    );
    expect(a).toEqual(b);
  });

  it("contains only integers in range", () => {
    const space = new Discrete(2);
    expect([0, 1].map((x) => space.contains(x))).toEqual([true, true]);
    expect([Number.NaN, 2.5, -1, 2, 7, "1", undefined, null].map((x) => space.contains(x))).toEqual(
      Array(8).fill(false),
    );
  });

  it("rejects a malformed n", () => {
    expect(() => new Discrete(0)).toThrow("Discrete: n must be an integer ≥ 1, got 0");
    expect(() => new Discrete(1.5)).toThrow("Discrete: n must be an integer ≥ 1, got 1.5");
  });
});

describe("Box", () => {
  it("checks dtype, length and bounds; NaN is never contained", () => {
    const box = new Box(-1, 1, [2], "float32");
    expect(box.contains(new Float32Array([0, 1]))).toBe(true);
    expect(box.contains(new Float32Array([0, 1.5]))).toBe(false);
    expect(box.contains(new Float32Array([0, Number.NaN]))).toBe(false);
    expect(box.contains(new Float64Array([0, 0]))).toBe(false);
    expect(box.contains(new Float32Array(3))).toBe(false);
    expect(box.contains([0, 0])).toBe(false);
    expect(box.explainMismatch(new Float32Array([0, 2]))).toBe("value 1 is 2, outside [-1, 1]");
  });

  it("samples inside finite bounds, integers for uint8, anything for unbounded", () => {
    const rng = new Rng(0);
    const image = new Box(0, 255, [4, 4, 3], "uint8");
    const sample = image.sample(rng);
    expect(sample).toBeInstanceOf(Uint8Array);
    expect(sample.length).toBe(48);
    expect(image.contains(sample)).toBe(true);
    const mixed = new Box([-Infinity, 0, -1], [Infinity, Infinity, 2], [3], "float32");
    for (let i = 0; i < 50; i++) expect(mixed.contains(mixed.sample(rng))).toBe(true);
    expect(image.size).toBe(48);
  });

  it("rejects malformed bounds and shapes with what was expected", () => {
    expect(() => new Box(1, 0, [1], "float32")).toThrow("Box: low[0] = 1 must be ≤ high[0] = 0");
    expect(() => new Box([0, 0], 1, [3], "float32")).toThrow(
      "Box: low has 2 values, expected 3 (the product of the shape)",
    );
    expect(() => new Box(0, 1, [-1], "float32")).toThrow(
      "Box: shape must be an array of non-negative integers, got [-1]",
    );
    expect(() => new Box(0, 1, [1], "int8" as never)).toThrow(
      'Box: dtype must be one of float32, float64, uint8, int32, got "int8"',
    );
  });
});

describe("Dict and Text", () => {
  const space = new Dict({
    image: new Box(0, 255, [2, 2, 3], "uint8"),
    direction: new Discrete(4),
    mission: new Text(20),
  });

  it("samples and checks each entry", () => {
    const sample = space.sample(new Rng(3));
    expect(space.contains(sample)).toBe(true);
    expect(space.contains({ ...sample, direction: 4 })).toBe(false);
    expect(space.contains({ image: sample.image, direction: 0 })).toBe(false);
  });

  it("Text honours its length and charset", () => {
    const text = new Text(5, { minLength: 2, charset: "ab" });
    expect(text.contains("abba")).toBe(true);
    expect(text.contains("a")).toBe(false);
    expect(text.contains("abc")).toBe(false);
    const rng = new Rng(0);
    for (let i = 0; i < 20; i++) expect(text.contains(text.sample(rng))).toBe(true);
  });
});

describe("JSON descriptions", () => {
  it.each([
    new Discrete(5, 1),
    new Box([-Infinity, 0], [Infinity, 1], [2], "float32"),
    new Box(0, 255, [7, 7, 3], "uint8"),
    new Dict({ a: new Discrete(2), b: new Text(10) }),
  ])("round-trips %s", (space) => {
    const json = JSON.parse(JSON.stringify(space.toJSON()));
    expect(spaceFromJSON(json).toJSON()).toEqual(json);
    expect(String(spaceFromJSON(json))).toBe(String(space));
  });

  it("rejects an unknown description", () => {
    expect(() => spaceFromJSON({ type: "Tuple" } as never)).toThrow(
      'spaceFromJSON: unknown space description {"type":"Tuple"}',
    );
  });
});
