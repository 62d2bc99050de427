import { describe, expect, it } from "vitest";
import { DerivedRng, deriveSeed, Rng } from "../../src/core";

describe("Rng", () => {
  it("is reproducible under a seed and differs across seeds", () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 10 }, () => rng.random());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("draws from the right distributions", () => {
    const rng = new Rng(42);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal(1, 2);
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(sq / n - mean * mean)).toBeCloseTo(2, 1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[rng.integer(3)]++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
    for (let i = 0; i < 100; i++) {
      const v = rng.intRange(3, 6);
      expect(v >= 3 && v < 6 && Number.isInteger(v)).toBe(true);
    }
  });

  it("seeds itself from entropy when no seed is given", () => {
    expect(new Rng().seed).not.toBe(new Rng().seed);
  });

  it("derives independent, reproducible streams for wrappers", () => {
    expect(deriveSeed(5, "A")).toBe(deriveSeed(5, "A"));
    expect(deriveSeed(5, "A")).not.toBe(deriveSeed(5, "B"));
    const a = new DerivedRng("x");
    const b = new DerivedRng("x");
    a.reseed(3);
    b.reseed(3);
    expect(a.current.random()).toBe(b.current.random());
    const before = a.current.random();
    a.reseed(undefined); // keeps its stream
    expect(a.current.random()).not.toBe(before);
  });
});

describe("Rng state and the seed tree", () => {
  it("getState/setState continue the same stream, spare normal included", () => {
    const rng = new Rng(7);
    for (let i = 0; i < 5; i++) rng.random();
    rng.normal(); // leaves a spare normal
    const state = JSON.parse(JSON.stringify(rng.getState()));
    const expected = [rng.normal(), rng.random(), rng.integer(100)];
    const restored = Rng.fromState(state);
    expect([restored.normal(), restored.random(), restored.integer(100)]).toEqual(expected);
    const other = new Rng(99);
    other.setState(state);
    expect(other.normal()).toBe(expected[0]);
  });

  it("rejects a malformed state with a message naming what was expected", () => {
    expect(() => new Rng(1).setState({ seed: 1 } as never)).toThrow(
      'Rng state is malformed: expected { seed, c, s0, s1, s2, spareNormal } of finite numbers, got {"seed":1}',
    );
  });

  it("deriveSeed hashes (seed, purpose, index) into unrelated non-negative 31-bit seeds", () => {
    const seeds = new Set<number>();
    for (const run of [1, 2, 3])
      for (const purpose of ["env", "actions", "init/actor", "init/critic", "minibatches"])
        for (const index of [0, 1, 2]) {
          const s = deriveSeed(run, purpose, index);
          expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
          seeds.add(s);
        }
    expect(seeds.size).toBe(45);
    expect(deriveSeed(1, "env")).toBe(deriveSeed(1, "env", 0));
    // Runs 1 and 2 share no env seeds over a vector of 64 envs (sub-env i gets base + i).
    const run1 = deriveSeed(1, "env");
    const run2 = deriveSeed(2, "env");
    expect(Math.abs(run1 - run2)).toBeGreaterThan(64);
  });
});
