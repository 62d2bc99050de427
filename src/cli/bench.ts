// `pomdp bench envs|nn|table` (their flags are in commands.ts): throughput figures as one JSON line
// (a script, never a timed test), or the README's speed table.
import * as fs from "node:fs";
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

/** `pomdp bench envs`. */
export function benchEnvsAction(opts: { seconds: number }): void {
  console.log(JSON.stringify(benchEnvs(opts.seconds)));
}

/** `pomdp bench nn`. */
export async function benchNnAction(opts: { backend?: string }): Promise<void> {
  console.log(JSON.stringify(await benchNetworks(opts.backend)));
}

/** `pomdp bench table`. */
export async function benchTableAction(opts: {
  from?: string[];
  out?: string;
  seconds: number;
  backend?: string;
}): Promise<void> {
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
}
