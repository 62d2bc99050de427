import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/rng";
import { MANN_WHITNEY_MAX_PAIRS, mannWhitneyTest } from "../../src/stats";

/** U of x over y by its definition: pairs with x > y, ties ½. */
function uOf(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

/** P(U ≥ u) by listing every way of choosing which n of the pooled values are X's. */
function bruteForceP(x: readonly number[], y: readonly number[]): number {
  const pooled = [...x, ...y];
  const n = x.length;
  const observed = uOf(x, y);
  let hits = 0;
  let total = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === n) {
      const xs = picked.map((i) => pooled[i]);
      const ys = pooled.filter((_, i) => !picked.includes(i));
      total++;
      if (uOf(xs, ys) >= observed - 1e-9) hits++;
      return;
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return hits / total;
}

describe("mannWhitneyTest (exact, one-sided: X greater)", () => {
  it("3 vs 3 with every x above every y gives 1/20, the smallest p 3 vs 3 can give", () => {
    const r = mannWhitneyTest([0.9, 1, 0.95], [0.4, 0.5, 0.45]);
    expect(r.u).toBe(9);
    expect(r.p).toBeCloseTo(0.05, 15);
    expect(r).toMatchObject({ n: 3, m: 3, ties: false });
    expect(mannWhitneyTest([0.4, 0.5, 0.45], [0.9, 1, 0.95]).p).toBe(1);
  });

  it("equals scipy.stats.mannwhitneyu(x, y, alternative='greater', method='exact') without ties", () => {
    // Values printed by scipy 1.17.1.
    const cases: [number[], number[], number, number][] = [
      [[1.1, 3.2, 0.5, 4.4, 2.0], [0.9, 1.5, 0.2, 2.5], 14, 0.20634920634920634],
      [[19, 22, 16, 29, 24], [20, 11, 17, 12], 17, 0.05555555555555555],
      [[0.8, 0.6, 0.9, 0.7, 0.75, 0.95, 0.85], [0.5, 0.65, 0.72, 0.4, 0.55, 0.62], 38, 0.006993006993006993],
    ];
    for (const [x, y, u, p] of cases) {
      const r = mannWhitneyTest(x, y);
      expect(r.u).toBe(u);
      expect(r.p).toBeCloseTo(p, 14);
    }
  });

  it("equals scipy at 50 vs 50 (U = 1440, p = 0.09614984398106831)", () => {
    // Normal draws rounded to 6 decimals (numpy's default_rng(3)), as given to scipy.
    const sx = [
      0.447253, 1.905598, 1.247408, 0.693816, 1.611633, 0.294477, -0.4259, 1.084058, 1.082538, 0.285171,
      -0.282809, 0.729154, -1.993894, 1.190125, 0.991368, -1.138857, 0.561354, -0.4641, 1.257221, -1.534167,
      -0.414495, 1.20958, 1.656401, -1.658005, 0.00196, 0.82802, -0.109216, 2.09064, -0.691227, 0.854532,
      -0.548406, 1.905963, 0.478349, 0.127749, -1.218185, 2.181826, 1.252779, 1.253564, 1.637881, 0.849227,
      -0.139247, -0.300241, -0.3002, 1.870072, -0.960381, -0.09637, 0.178756, 0.724619, 1.075349, -0.749097,
    ];
    const sy = [
      -1.730013, -0.004414, 1.213564, 0.757058, 0.215651, -0.317156, 0.293234, -0.243335, 0.817207, -0.794447,
      0.13424, -0.11078, 0.543359, 0.224639, 2.550035, 1.498655, 1.496737, -2.039504, -0.340317, -0.608611,
      0.532722, -2.279026, 1.174499, 1.066983, -1.302071, -0.978549, -0.801172, 0.043296, 0.640971, 2.047886,
      -0.197445, 0.767503, 0.155418, 1.759926, 0.742158, 1.36855, -1.077675, -0.192241, -0.813772, 1.504947,
      0.65764, -0.305144, -0.452468, 0.484665, -0.701496, -0.930589, 0.481274, 2.463132, -0.246134, -0.555866,
    ];
    const s = mannWhitneyTest(sx, sy);
    expect(s.u).toBe(1440);
    expect(s.p).toBeCloseTo(0.09614984398106831, 13);
  });

  it("equals the brute-force permutation null for small samples, with and without ties", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rng.integer(5);
      const m = 1 + rng.integer(5);
      // Every other trial draws from 4 values, so that most have ties (within X, within Y and across).
      const draw = () => (trial % 2 === 0 ? rng.integer(4) / 4 : rng.normal(0, 1));
      const x = Array.from({ length: n }, draw);
      const y = Array.from({ length: m }, draw);
      const r = mannWhitneyTest(x, y);
      expect(r.u, `${x} vs ${y}`).toBe(uOf(x, y));
      expect(r.p, `${x} vs ${y}`).toBeCloseTo(bruteForceP(x, y), 12);
    }
  });

  it("with ties uses the permutation null of the mid-rank U, not the tie-free one", () => {
    // All six equal: every split has U = 4.5, so p = 1 (the tie-free null would give 0.5).
    expect(mannWhitneyTest([1, 1, 1], [1, 1, 1])).toMatchObject({ u: 4.5, p: 1, ties: true });
    // Successes 1, 1, 1 against 1, 0.5, 0: U = 7.5 is the largest U, reached by the 4 splits that put
    // three of the four 1s in X: p = 4/20.
    const r = mannWhitneyTest([1, 1, 1], [1, 0.5, 0]);
    expect(r.u).toBe(7.5);
    expect(r.p).toBeCloseTo(bruteForceP([1, 1, 1], [1, 0.5, 0]), 15);
    expect(r.p).toBeCloseTo(4 / 20, 15);
  });

  it("is symmetric: p(X > Y) at U and p(Y > X) at nm − U add to 1 + P(U = u)", () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 10; trial++) {
      const x = Array.from({ length: 4 }, () => rng.integer(3));
      const y = Array.from({ length: 6 }, () => rng.integer(3));
      const xy = mannWhitneyTest(x, y);
      const yx = mannWhitneyTest(y, x);
      expect(xy.u + yx.u).toBe(24);
      // P(U ≥ u) + P(U ≤ u) = 1 + P(U = u) ≥ 1, and shifting or scaling the data changes nothing.
      expect(xy.p + yx.p).toBeGreaterThanOrEqual(1 - 1e-12);
      const shifted = mannWhitneyTest(
        x.map((v) => 3 * v + 10),
        y.map((v) => 3 * v + 10),
      );
      expect(shifted).toEqual(xy);
    }
    // Swapping the samples is negating the data (both ask whether Y tends to be greater); and without ties
    // the null is symmetric about nm/2, so P(U ≥ u) + P(U ≥ nm − u) = 1 + P(U = u).
    const x = [3, 5, 8, 9];
    const y = [1, 2, 4, 6, 7];
    const a = mannWhitneyTest(x, y);
    const b = mannWhitneyTest(y, x);
    expect(b.p).toBeCloseTo(
      mannWhitneyTest(
        x.map((v) => -v),
        y.map((v) => -v),
      ).p,
      15,
    );
    // P(U = 15) = P(U ≥ 15) − P(U ≥ 16); x = 3, 6.5, 8, 9 has U = 16.
    expect(a.u).toBe(15);
    expect(mannWhitneyTest([3, 6.5, 8, 9], y).u).toBe(16);
    const pointMass = bruteForceP(x, y) - bruteForceP([3, 6.5, 8, 9], y);
    expect(pointMass).toBeGreaterThan(0);
    expect(a.p + b.p - 1).toBeCloseTo(pointMass, 14);
    expect(mannWhitneyTest([1, 2], [3, 4]).p).toBeCloseTo(1, 15);
    expect(mannWhitneyTest([0], [1]).p).toBe(1);
    expect(mannWhitneyTest([1], [0]).p).toBeCloseTo(0.5, 15);
  });

  it("rejects bad input with a message naming the argument", () => {
    const V = "must be a non-empty array of finite numbers";
    expect(() => mannWhitneyTest([], [1])).toThrow(`mannWhitneyTest: x ${V}; got an empty array`);
    expect(() => mannWhitneyTest([1], [2, Number.NaN])).toThrow(
      `mannWhitneyTest: y ${V}; got NaN at index 1`,
    );
    expect(() => mannWhitneyTest([1], "12" as unknown as number[])).toThrow(
      `mannWhitneyTest: y ${V}; got the string "12"`,
    );
    const big = Array.from({ length: 51 }, (_, i) => i);
    expect(() => mannWhitneyTest(big, big.slice(0, 50))).toThrow(
      `mannWhitneyTest: x and y must have at most ${MANN_WHITNEY_MAX_PAIRS} pairs (n·m) for the exact enumeration; got 51 × 50 = 2550`,
    );
  });
});
