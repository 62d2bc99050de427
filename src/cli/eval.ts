// `pomdp eval` (its flags are in commands.ts).
import { writeJsonAtomic } from "../train/run_folder";

/** Flags of `pomdp eval`. */
export interface EvalFlags {
  episodes: number;
  seed: number;
  greedy?: boolean;
  envKwargs?: Record<string, unknown>;
  backend?: string;
  out?: string;
  best?: boolean;
}

/** `pomdp eval <run>`: the run's final agent on held-out seeds. */
export async function evalAction(runDir: string, opts: EvalFlags): Promise<void> {
  const { initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  await initBackend(opts.backend, nnLogger.child({}, { level: "warn" }));
  const { loadAgent } = await import("../../agents/index");
  const { evaluateAgent } = await import("../../agents/evaluate");
  const agent = loadAgent(runDir, opts.envKwargs, opts.best ? "best" : "final");
  try {
    const result = evaluateAgent(agent, {
      episodes: opts.episodes,
      seed: opts.seed,
      greedy: opts.greedy === true,
      envKwargs: opts.envKwargs,
    });
    const { returns, ...rest } = result;
    const which = opts.best ? { agent: "best" } : {};
    console.log(JSON.stringify({ run: runDir, ...which, ...rest }));
    if (opts.out) writeJsonAtomic(opts.out, { run: runDir, ...which, ...result });
  } finally {
    agent.net.dispose();
  }
}
