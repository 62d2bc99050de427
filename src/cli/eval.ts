import { Command } from "commander";
import { writeJsonAtomic } from "../train/run_folder";
import { parseBackendFlag, parseNonNegativeInt, parsePositiveInt, withRequire } from "./options";
import { parseJsonObject } from "./train";

/** `pomdp eval <run>`: the run's final agent on held-out seeds. */
export function evalCommand(): Command {
  const command = new Command("eval")
    .description("evaluate a run's final agent on held-out seeds: mean/std return and length, one JSON line")
    .argument("<run>", "run folder written by pomdp train")
    .option("-n, --episodes <n>", "episodes", parsePositiveInt, 100)
    .option(
      "-s, --seed <S>",
      "evaluation seed (env seeds and sampling derive from it)",
      parseNonNegativeInt,
      0,
    )
    .option(
      "--greedy",
      "act greedily (the likeliest action; DQN: the largest Q-value) instead of as trained (sampling; DQN: ε-greedy with the run's endE)",
    )
    .option(
      "--env-kwargs <json>",
      "make() keyword arguments over the run's, e.g. '{\"flickerProb\": 0.2}'",
      parseJsonObject,
    )
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option("--out <file>", "also write the result, with every episode's return, to this JSON file")
    .action(
      async (
        runDir: string,
        opts: {
          episodes: number;
          seed: number;
          greedy?: boolean;
          envKwargs?: Record<string, unknown>;
          backend?: string;
          out?: string;
        },
      ) => {
        const { initBackend } = await import("../nn/backend");
        const { nnLogger } = await import("../nn/log");
        await initBackend(opts.backend, nnLogger.child({}, { level: "warn" }));
        const { loadAgent } = await import("../../agents/index");
        const { evaluateAgent } = await import("../../agents/evaluate");
        const agent = loadAgent(runDir, opts.envKwargs);
        try {
          const result = evaluateAgent(agent, {
            episodes: opts.episodes,
            seed: opts.seed,
            greedy: opts.greedy === true,
            envKwargs: opts.envKwargs,
          });
          const { returns, ...rest } = result;
          console.log(JSON.stringify({ run: runDir, ...rest }));
          if (opts.out) writeJsonAtomic(opts.out, { run: runDir, ...result });
        } finally {
          agent.net.dispose();
        }
      },
    );
  return withRequire(command);
}
