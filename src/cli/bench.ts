import * as fs from "node:fs";
import { Command } from "commander";
import { benchCartPole } from "../../envs/cartpole_bench";
import { benchGridworld } from "../../envs/gridworld/bench";
import { benchPixels } from "../../envs/pixels_bench";
import {
  type BenchFigures,
  machineInfo,
  mergeBenchLines,
  parseBenchOutput,
  renderSpeedTable,
  replaceSpeedTable,
} from "../report/speed_table";
import { parseBackendFlag, parsePositiveNumber } from "./options";

/** Progress goes to stderr, so that stdout stays one JSON line (or the table). */
const progress = (line: string) => process.stderr.write(`${line}\n`);

/** The figures of `pomdp bench envs`, after the machine fields. */
function benchEnvs(seconds: number): BenchFigures {
  const figures: BenchFigures = { ...machineInfo() };
  const parts: [string, () => object][] = [
    ["CartPole", () => benchCartPole(seconds)],
    ["CartPole pixels", () => benchPixels(seconds)],
    ["gridworld", () => benchGridworld(seconds)],
  ];
  for (const [name, run] of parts) {
    progress(`bench envs: ${name}…`);
    Object.assign(figures, run());
  }
  return figures;
}

/** The figures of `pomdp bench nn`, after the machine fields. */
async function benchNetworks(backend: string | undefined): Promise<BenchFigures> {
  // Loaded here, not at start-up: TF.js takes a second to load and `bench envs` does not need it.
  const { benchNn } = await import("../nn/bench");
  return { ...machineInfo(), ...(await benchNn(backend, progress)) };
}

/** `pomdp bench envs|nn|table`: throughput figures as one JSON line (a script, never a timed test). */
export function benchCommand(): Command {
  const bench = new Command("bench").description(
    "print benchmark figures as one JSON line, or the README's speed table",
  );
  bench
    .command("envs")
    .description(
      "env throughput: CartPole steps/s (raw, through make, vector of 16), pixel frames/s, gridworld steps/s",
    )
    .option("--seconds <s>", "measuring time per figure and repeat", parsePositiveNumber, 0.5)
    .action((opts: { seconds: number }) => {
      console.log(JSON.stringify(benchEnvs(opts.seconds)));
    });
  bench
    .command("nn")
    .description(
      "network training / inference milliseconds on the chosen TF.js backend (on cpu, the CNN training " +
        "step at batch 4: see `skipped`)",
    )
    .option(
      "--backend <name>",
      "tensorflow | wasm | cpu (default: POMDP_BACKEND, else the best that loads)",
      parseBackendFlag,
    )
    .action(async (opts: { backend?: string }) => {
      console.log(JSON.stringify(await benchNetworks(opts.backend)));
    });
  bench
    .command("table")
    .description(
      "the README's speed table (markdown) from `bench envs` and `bench nn`, run now or read from " +
        "--from files; --out writes it between the speed-table markers of a file",
    )
    .option("--from <files...>", "read the JSON lines of earlier `pomdp bench` runs instead of running them")
    .option("--out <file>", "replace the block between the speed-table markers of this file (README.md)")
    .option("--seconds <s>", "bench envs: measuring time per figure and repeat", parsePositiveNumber, 0.5)
    .option("--backend <name>", "bench nn: tensorflow | wasm | cpu", parseBackendFlag)
    .action(async (opts: { from?: string[]; out?: string; seconds: number; backend?: string }) => {
      const lines: BenchFigures[] = [];
      if (opts.from !== undefined) {
        for (const file of opts.from) lines.push(...parseBenchOutput(fs.readFileSync(file, "utf8"), file));
        if (lines.length === 0) throw new Error(`--from: no JSON lines in ${opts.from.join(", ")}`);
      } else {
        lines.push(benchEnvs(opts.seconds), await benchNetworks(opts.backend));
      }
      const block = renderSpeedTable(mergeBenchLines(lines));
      if (opts.out === undefined) {
        console.log(block);
        return;
      }
      const text = fs.readFileSync(opts.out, "utf8");
      let updated: string;
      try {
        updated = replaceSpeedTable(text, block);
      } catch (err) {
        throw new Error(`${opts.out}: ${(err as Error).message}`);
      }
      fs.writeFileSync(opts.out, updated);
      progress(`bench table: speed table written to ${opts.out}`);
    });
  return bench;
}
