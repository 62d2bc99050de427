// The memory-task family: POPGym's RepeatPrevious and CountRecall on vector observations, with the
// delay, the number of symbols and the episode length as knobs.
import { listEnvs, register } from "../../src/core";
import { CountRecallEnv } from "./count_recall";
import { RepeatPreviousEnv } from "./repeat_previous";

export * from "./count_recall";
export * from "./picture";
export * from "./repeat_previous";

/**
 * Registers `RepeatPrevious-v0` and `CountRecall-v0` (idempotent). Both end their episodes themselves
 * (`terminated`), so no `TimeLimit` is added. An episode succeeds when every answer is right: the
 * return is 1 then, and one wrong answer takes it to 1 − 2/length ≤ 0.99 for length < 200.
 */
export function registerMemoryTasks(): void {
  if (listEnvs().some((s) => s.id === "RepeatPrevious-v0")) return;
  register("RepeatPrevious-v0", (kw) => new RepeatPreviousEnv(kw), {
    kwargs: { k: 4, symbols: 4, length: 16 },
    successAbove: 0.99,
    description:
      "POPGym RepeatPrevious: answer the symbol (one-hot of 4) seen k = 4 steps before the current one; 4 + 16 steps, ±1/16 per scored answer",
  });
  register("CountRecall-v0", (kw) => new CountRecallEnv(kw), {
    kwargs: { values: 4, length: 16, maxCount: null },
    successAbove: 0.99,
    description:
      "POPGym CountRecall: each step shows a dealt card and a query (one-hot of 4 values each); answer how many of the query's value were dealt so far; 16 steps, ±1/16 each",
  });
}
