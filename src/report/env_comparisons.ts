// P(X > Y) of a compared pair env by env, each beside the exact one-sided Mann–Whitney p-value of the
// same env's runs. With few seeds the bootstrap interval of P(X > Y) says little (3 runs against 3, all of
// X above all of Y: "1 [1, 1]"); the exact test says how likely that is with no difference (1/20).
import {
  type BootstrapOptions,
  type Interval,
  intervalPurpose,
  mannWhitneyTest,
  probabilityOfImprovementByTask,
} from "../stats";

/** P(X > Y) on one env, with its bootstrap CI and the exact Mann–Whitney test of the same runs. */
export interface EnvImprovement {
  env: string;
  envLabel: string;
  /** Finished runs of X and of Y on this env. */
  xRuns: number;
  yRuns: number;
  interval?: Interval;
  /** One-sided (X greater) exact Mann–Whitney test: U of X over Y and p = P(U ≥ u) under no difference. */
  mannWhitney?: { u: number; p: number; ties: boolean };
  /** Why there is neither (an agent with no finished run on this env). */
  missing?: string;
}

/**
 * Per env (in `envs`' order): P(X > Y) with its CI, drawn from the stream
 * "stats/improvement/<X>/<Y>/<env>", and the Mann–Whitney p. `sx`, `sy`: each agent's scores by env.
 */
export function envImprovements(
  pair: { x: string; y: string; xLabel: string; yLabel: string },
  envs: readonly { key: string; label?: string }[],
  sx: readonly number[][],
  sy: readonly number[][],
  boot: Omit<BootstrapOptions, "purpose">,
): EnvImprovement[] {
  return envs.map((env, e) => {
    const base = { env: env.key, envLabel: env.label ?? env.key, xRuns: sx[e].length, yRuns: sy[e].length };
    const empty = sx[e].length === 0 ? pair.xLabel : sy[e].length === 0 ? pair.yLabel : undefined;
    if (empty !== undefined) return { ...base, missing: `${empty} has no finished run here` };
    const p = probabilityOfImprovementByTask([sx[e]], [sy[e]], {
      ...boot,
      purpose: intervalPurpose("improvement", pair.x, pair.y, env.key),
    });
    const mw = mannWhitneyTest(sx[e], sy[e]);
    return {
      ...base,
      interval: { point: p.point, lower: p.lower, upper: p.upper },
      mannWhitney: { u: mw.u, p: mw.p, ties: mw.ties },
    };
  });
}
