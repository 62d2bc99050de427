// The exact one-sided Mann–Whitney U test, for comparisons with few runs, where a percentile bootstrap
// cannot say much: with 3 runs against 3 a bootstrap of P(X > Y) gives "1 [1, 1]" whenever every run of X
// beats every run of Y, while the exact test says how surprising that is under "no difference": 1/20.
import { checkVector } from "./check";

/** The result of {@link mannWhitneyTest}. */
export interface MannWhitneyResult {
  /** U of X over Y: the pairs (x, y) with x > y, a tie counting ½ (scipy's U1 for `x`). */
  u: number;
  /** P(U ≥ u) under H0 (X and Y from one distribution): the one-sided p-value for "X tends to be greater". */
  p: number;
  /** Runs of X and of Y. */
  n: number;
  m: number;
  /** Whether some x equals some other observation (x or y): then p is from the tie-aware null. */
  ties: boolean;
}

/** Largest n·m the exact enumeration accepts (50 runs against 50; its cost grows as (n+m)·n²·m). */
export const MANN_WHITNEY_MAX_PAIRS = 2500;

/**
 * Exact one-sided Mann–Whitney U test of "X is stochastically greater than Y": `p = P(U ≥ u | H0)`, U
 * the mid-rank statistic of X (pairs with x > y, ties ½), under the permutation null in which each of the
 * C(n+m, n) ways of splitting the pooled n+m observations into X and Y is equally likely.
 *
 * Without ties this is the classical exact distribution of U, what `scipy.stats.mannwhitneyu(x, y,
 * alternative="greater", method="exact")` gives (for 3 vs 3 with every x above every y, 1/20 = 0.05, the
 * smallest p 3 vs 3 can give). With ties scipy's "exact" still uses the tie-free distribution ("no
 * correction is made for ties"), which is no longer the null of the mid-rank U; here the permutation
 * distribution is enumerated with the ties as observed (the conditional exact test, as R's
 * `coin::wilcox_test(distribution = "exact")`), so the p-value stays exact and valid. It differs from
 * scipy's only when there are ties.
 *
 * Enumerates the null by dynamic programming over the pooled values' tie groups (a recursion on the
 * counts of x's so far and U so far), in floating point with positive terms only: exact up to rounding.
 * Needs n·m ≤ {@link MANN_WHITNEY_MAX_PAIRS}.
 */
export function mannWhitneyTest(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const fn = "mannWhitneyTest";
  checkVector(fn, "x", x);
  checkVector(fn, "y", y);
  const n = x.length;
  const m = y.length;
  if (n * m > MANN_WHITNEY_MAX_PAIRS) {
    throw new Error(
      `${fn}: x and y must have at most ${MANN_WHITNEY_MAX_PAIRS} pairs (n·m) for the exact enumeration; got ${n} × ${m} = ${n * m}`,
    );
  }
  const groups = tieGroups(x, y);
  // 2U is an integer: count the pairs with x > y twice and the tied pairs once.
  let twiceU = 0;
  let yBelow = 0;
  for (const g of groups) {
    twiceU += g.xs * (2 * yBelow + g.size - g.xs);
    yBelow += g.size - g.xs;
  }
  const ties = groups.some((g) => g.size > 1 && g.xs > 0);
  const null2U = nullOfTwiceU(
    groups.map((g) => g.size),
    n,
    m,
  );
  let p = 0;
  for (let v = twiceU; v < null2U.length; v++) p += null2U[v];
  return { u: twiceU / 2, p: Math.min(1, p), n, m, ties };
}

/** The pooled values in ascending order, grouped by equal value, with how many of each group are x's. */
function tieGroups(x: readonly number[], y: readonly number[]): { size: number; xs: number }[] {
  const pooled = [...x.map((v) => ({ v, isX: true })), ...y.map((v) => ({ v, isX: false }))].sort(
    (a, b) => a.v - b.v,
  );
  const groups: { size: number; xs: number }[] = [];
  let last = Number.NaN;
  for (const { v, isX } of pooled) {
    if (v !== last) groups.push({ size: 0, xs: 0 });
    const g = groups[groups.length - 1];
    g.size++;
    if (isX) g.xs++;
    last = v;
  }
  return groups;
}

/**
 * The null distribution of 2U, as probabilities indexed by 2U (0 … 2nm), for tie groups of the given
 * sizes (ascending values), when n of the n+m observations are drawn for X uniformly at random.
 *
 * Going through the groups from the lowest value up, the state is (x's so far, 2U so far). Putting k of a
 * group's t observations into X adds k·(2·(y's below) + (t − k)) to 2U (each of those x's beats the y's
 * below and ties the group's t − k y's) and multiplies the number of ways by C(t, k).
 */
function nullOfTwiceU(sizes: readonly number[], n: number, m: number): Float64Array {
  const width = 2 * n * m + 1;
  // ways[k][v]: the number of ways (a float: up to C(100, 50) ≈ 1e29) to have k x's so far with 2U = v.
  let ways: Float64Array[] = [Float64Array.from({ length: width }, (_, v) => (v === 0 ? 1 : 0))];
  let seen = 0;
  for (const t of sizes) {
    const next: Float64Array[] = [];
    const maxK = Math.min(n, seen + t);
    for (let k = 0; k <= maxK; k++) next.push(new Float64Array(width));
    for (let k0 = 0; k0 < ways.length; k0++) {
      const row = ways[k0];
      const yBelow = seen - k0;
      if (yBelow > m) continue;
      for (let k = 0; k <= t && k0 + k <= n; k++) {
        if (yBelow + t - k > m) continue;
        const add = k * (2 * yBelow + t - k);
        const c = binomial(t, k);
        const out = next[k0 + k];
        for (let v = 0; v + add < width; v++) if (row[v] !== 0) out[v + add] += c * row[v];
      }
    }
    seen += t;
    ways = next;
  }
  // Every split has n x's: the row k = n, over the number of splits.
  const total = binomial(n + m, n);
  const dist = ways[n];
  for (let v = 0; v < width; v++) dist[v] /= total;
  return dist;
}

/** C(a, b) in floating point (a product of ratios, exact for the small arguments of the tie groups). */
function binomial(a: number, b: number): number {
  let c = 1;
  const k = Math.min(b, a - b);
  for (let i = 1; i <= k; i++) c = (c * (a - k + i)) / i;
  return c;
}
