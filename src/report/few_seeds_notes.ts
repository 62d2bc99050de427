// What the report says where there are few seeds: a note on the score table's rows and on the
// P(improvement) rows with fewer than FEW_RUNS runs, and the table of P(X > Y) per env beside the exact
// Mann–Whitney p. Plain text: experiment_report.ts escapes it for HTML or Markdown.
import type { Analysis, Improvement, ScoreRow } from "./analysis";

/** Below this many runs of an agent on an env, its bootstrap intervals are flagged as coarse. */
export const FEW_RUNS = 5;

export const NOTE_HEADER = "Note";
export const ENV_IMPROVEMENT_HEADER = ["Pair", "Env", "P [CI]", "Mann–Whitney p (one-sided)", "Runs", "Note"];

function hasPairs(analysis: Analysis): boolean {
  return analysis.improvements.length > 0;
}

/** Whether some agent has fewer than {@link FEW_RUNS} finished runs (but some) on some env. */
export function hasFewRuns(analysis: Analysis): boolean {
  return analysis.rows.some((r) => r.seedsDone > 0 && r.seedsDone < FEW_RUNS);
}

/** The score table row's note: "3 seeds: the bootstrap CI is coarse; see the Mann–Whitney p" or "". */
export function scoreRowNote(row: ScoreRow, analysis: Analysis): string {
  if (row.seedsDone === 0 || row.seedsDone >= FEW_RUNS) return "";
  const seeds = `${row.seedsDone} seed${row.seedsDone === 1 ? "" : "s"}`;
  return hasPairs(analysis)
    ? `${seeds}: the bootstrap CI is coarse; see the Mann–Whitney p`
    : `${seeds}: the bootstrap CI is coarse`;
}

/** The all-envs P(improvement) row's note: which envs have fewer than {@link FEW_RUNS} runs, or "". */
export function improvementNote(i: Improvement): string {
  const few = i.perEnv.filter((e) => Math.min(e.xRuns, e.yRuns) > 0 && Math.min(e.xRuns, e.yRuns) < FEW_RUNS);
  if (few.length === 0) return "";
  const byCount = new Map<string, string[]>();
  for (const e of few) {
    const key = `${e.xRuns} vs ${e.yRuns}`;
    byCount.set(key, [...(byCount.get(key) ?? []), e.envLabel]);
  }
  const parts = [...byCount].map(([count, envs]) => `${count} on ${envs.join(", ")}`);
  return `${parts.join("; ")}: the bootstrap CI is coarse there; see the Mann–Whitney p per env`;
}

/** A p-value: 3 decimals from 0.01 up, 2 significant digits below (0.0040, 1.1e-5). */
export function fmtP(p: number): string {
  if (p >= 0.01) return p.toFixed(3);
  if (p >= 1e-4) return p.toPrecision(2);
  return p.toExponential(1);
}

/** Rows of the per-env table, pair by pair, env by env. */
export function envImprovementCells(
  analysis: Analysis,
  fmtInterval: (i: Improvement["interval"]) => string,
): string[][] {
  return analysis.improvements.flatMap((i) =>
    i.perEnv.map((e) => {
      const few = e.interval && Math.min(e.xRuns, e.yRuns) < FEW_RUNS;
      const notes = [
        few ? `${e.xRuns} vs ${e.yRuns}: the bootstrap CI is coarse` : "",
        e.mannWhitney?.ties ? "ties: p with the ties as observed" : "",
      ].filter((n) => n !== "");
      return [
        `P(${i.xLabel} > ${i.yLabel})`,
        e.envLabel,
        e.interval ? fmtInterval(e.interval) : `— (${e.missing})`,
        e.mannWhitney ? fmtP(e.mannWhitney.p) : "—",
        `${e.xRuns} vs ${e.yRuns}`,
        notes.join("; "),
      ];
    }),
  );
}

/** 1 / C(n + m, n): the smallest one-sided p that n runs against m can give (no ties). */
export function smallestP(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= n; i++) c = (c * (m + i)) / i;
  return 1 / c;
}

/** The sentence under the all-envs table, and the caption of the per-env table. */
export function envImprovementCaption(analysis: Analysis): string {
  const pct = Math.round(analysis.bootstrap.confidence * 100);
  const counts = [
    ...new Set(
      analysis.improvements.flatMap((i) =>
        i.perEnv.filter((e) => e.mannWhitney).map((e) => `${e.xRuns} vs ${e.yRuns}`),
      ),
    ),
  ].sort();
  const smallest = counts
    .map((c) => {
      const [n, m] = c.split(" vs ").map(Number);
      return `${fmtP(smallestP(n, m))} for ${c}`;
    })
    .join(", ");
  return (
    `P(X > Y) on each env alone, with its ${pct} % bootstrap CI, beside the exact one-sided Mann–Whitney p: ` +
    "the probability, were X and Y no different on that env, of a U (the pairs of runs in which X scores " +
    "above Y, ties ½) at least as large as the one observed, by enumerating every split of the env's runs into X and Y. " +
    (smallest ? `The smallest p n runs against m can give is 1/C(n+m, n): ${smallest}. ` : "") +
    "Where runs tie (success rates of 1, say) p is that of the splits with the ties as observed. " +
    "The p-values are shown per env only and not combined over envs (the all-envs P(X > Y) averages the envs; " +
    "no combined test is computed), and are not corrected for the number of envs and pairs."
  );
}
