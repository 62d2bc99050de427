import { Command } from "commander";
import { benchCartPole } from "../../envs/cartpole_bench";
import { benchGridworld } from "../../envs/gridworld/bench";
import { benchPixels } from "../../envs/pixels_bench";

/** `pomdp bench envs|nn`: throughput figures as one JSON line (a script, never a timed test). */
export function benchCommand(): Command {
  const bench = new Command("bench").description("print benchmark figures as one JSON line");
  bench
    .command("envs")
    .description(
      "env throughput: CartPole steps/s (raw, through make, vector of 16), pixel frames/s, gridworld steps/s",
    )
    .option("--seconds <s>", "measuring time per figure and repeat", Number.parseFloat, 0.5)
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
    .option("--backend <name>", "tensorflow | wasm | cpu (default: the best that loads; env POMDP_BACKEND)")
    .action(async (opts: { backend?: string }) => {
      if (opts.backend) process.env.POMDP_BACKEND = opts.backend;
      const { benchNn } = await import("../nn/bench");
      console.log(JSON.stringify(await benchNn()));
    });
  return bench;
}
