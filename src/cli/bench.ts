import { Command, InvalidArgumentError } from "commander";
import { benchCartPole } from "../../envs/cartpole_bench";
import { benchGridworld } from "../../envs/gridworld/bench";
import { benchPixels } from "../../envs/pixels_bench";
import { parseBackendName } from "../nn/backend_names";
import { parsePositiveNumber } from "./options";

/** `pomdp bench envs|nn`: throughput figures as one JSON line (a script, never a timed test). */
export function benchCommand(): Command {
  const bench = new Command("bench").description("print benchmark figures as one JSON line");
  bench
    .command("envs")
    .description(
      "env throughput: CartPole steps/s (raw, through make, vector of 16), pixel frames/s, gridworld steps/s",
    )
    .option("--seconds <s>", "measuring time per figure and repeat", parsePositiveNumber, 0.5)
    .action((opts: { seconds: number }) => {
      const figures: Record<string, number | string> = { node: process.version };
      Object.assign(
        figures,
        benchCartPole(opts.seconds),
        benchPixels(opts.seconds),
        benchGridworld(opts.seconds),
      );
      console.log(JSON.stringify(figures));
    });
  bench
    .command("nn")
    .description("network training / inference milliseconds on the chosen TF.js backend")
    .option(
      "--backend <name>",
      "tensorflow | wasm | cpu (default: POMDP_BACKEND, else the best that loads)",
      parseBackendFlag,
    )
    .action(async (opts: { backend?: string }) => {
      // Loaded here, not at start-up: TF.js takes a second to load and `bench envs` does not need it.
      const { benchNn } = await import("../nn/bench");
      console.log(JSON.stringify(await benchNn(opts.backend)));
    });
  return bench;
}

/** Checks `--backend` (without loading TF.js). */
function parseBackendFlag(value: string): string {
  try {
    return parseBackendName(value, "--backend");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
