// `pomdp rollout` (its flags are in commands.ts) and the random baseline it prints.
import { type Env, listEnvs, make, Rng } from "../index";
import { formatTable } from "./table";

/** Result of `randomRollout` for one env. */
export interface RolloutSummary {
  id: string;
  episodes: number;
  meanReturn: number;
  minReturn: number;
  maxReturn: number;
  meanLength: number;
  /** Fraction of episodes with a positive return: the random baseline of a success rate (goal tasks). */
  successRate: number;
  stepsPerSec: number;
}

/**
 * Plays `episodes` episodes of a uniformly random policy on the env registered as `id` (episode `k`
 * reset with seed `seed + k`, actions from a generator seeded with `seed`): the baseline every
 * learning curve is compared with, and a smoke test of the env.
 */
export function randomRollout(id: string, episodes: number, seed: number): RolloutSummary {
  const env: Env<unknown, unknown> = make(id);
  const actions = new Rng(seed);
  const returns: number[] = [];
  const lengths: number[] = [];
  const start = performance.now();
  let steps = 0;
  for (let k = 0; k < episodes; k++) {
    env.reset({ seed: seed + k });
    let total = 0;
    let length = 0;
    for (;;) {
      const r = env.step(env.actionSpace.sample(actions));
      total += r.reward;
      length++;
      if (r.terminated || r.truncated) break;
      if (length >= 1_000_000)
        throw new Error(`${id}: an episode ran past 1,000,000 steps without ending (no time limit?)`);
    }
    returns.push(total);
    lengths.push(length);
    steps += length;
  }
  env.close();
  const seconds = (performance.now() - start) / 1000;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    id,
    episodes,
    meanReturn: mean(returns),
    minReturn: Math.min(...returns),
    maxReturn: Math.max(...returns),
    meanLength: mean(lengths),
    successRate: returns.filter((r) => r > 0).length / returns.length,
    stepsPerSec: Math.round(steps / Math.max(seconds, 1e-9)),
  };
}

/** `pomdp rollout [ids…]`: random-policy episodes on every (or the given) env, as a table. */
export function rolloutAction(ids: string[], opts: { episodes: number; seed: number; json?: boolean }): void {
  const chosen = ids.length > 0 ? ids : listEnvs().map((s) => s.id);
  const rows = chosen.map((id) => randomRollout(id, opts.episodes, opts.seed));
  if (opts.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  console.log(
    `Random policy, ${opts.episodes} episodes per env, seeds ${opts.seed}…${opts.seed + opts.episodes - 1}\n`,
  );
  console.log(
    formatTable(
      ["env", "mean return", "min", "max", "mean length", "return > 0", "steps/s"],
      rows.map((r) => [
        r.id,
        r.meanReturn,
        r.minReturn,
        r.maxReturn,
        r.meanLength,
        r.successRate,
        r.stepsPerSec,
      ]),
    ),
  );
}
