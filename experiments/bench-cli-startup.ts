/**
 * How long `pomdp` takes to answer when it has little to do: `--help`, `train --help`, a config error,
 * a bad flag value, and `envs` (which makes every registered env). Each command runs as a user runs
 * it, `node <root>/src/bin.js <args>` in a fresh process, `--reps` times after one warm-up run; the
 * figure is the median wall time in ms. `--root` measures another checkout (e.g. a worktree of an
 * older commit) with the same script, so that two trees can be compared side by side.
 *
 * Prints ONE JSON line (a benchmark, never a timed test: the figures depend on the machine and on
 * what else runs on it, so the line also gives the load average before and after).
 * Run: npx ts-node experiments/bench-cli-startup.ts [--reps 7] [--root <checkout>]
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { parsePositiveInt } from "../src/cli/options";

/** The commands timed: name → arguments of `pomdp`, and the exit code each must give. */
const COMMANDS: Record<string, { args: string[]; code: number }> = {
  help: { args: ["--help"], code: 0 },
  trainHelp: { args: ["train", "--help"], code: 0 },
  configError: { args: ["train", "--env", "CartPole-v1", "--set", "lr=x"], code: 1 },
  badFlag: { args: ["train", "--env", "CartPole-v1", "--steps", "abc"], code: 1 },
  envs: { args: ["envs"], code: 0 },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Wall milliseconds of one `pomdp <args>` run; throws when it exits with another code than `code`. */
function timeOnce(bin: string, args: string[], code: number): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  const ms = performance.now() - start;
  if (result.status !== code) {
    throw new Error(
      `pomdp ${args.join(" ")}: exit ${result.status}, expected ${code}: ${result.stderr.trim()}`,
    );
  }
  return ms;
}

function main(): void {
  const opts = new Command("bench-cli-startup")
    .option("--reps <n>", "timed runs per command (after one warm-up run)", parsePositiveInt, 7)
    .option("--root <dir>", "checkout whose src/bin.js runs", path.join(__dirname, ".."))
    .allowExcessArguments(false)
    .parse()
    .opts<{ reps: number; root: string }>();
  const bin = path.join(path.resolve(opts.root), "src", "bin.js");
  const loadBefore = os.loadavg()[0];
  const medianMs: Record<string, number> = {};
  for (const [name, { args, code }] of Object.entries(COMMANDS)) {
    timeOnce(bin, args, code); // warm-up: the file cache
    const times = Array.from({ length: opts.reps }, () => timeOnce(bin, args, code));
    medianMs[name] = Math.round(median(times));
  }
  console.log(
    JSON.stringify({
      root: path.resolve(opts.root),
      reps: opts.reps,
      medianMs,
      cores: os.availableParallelism(),
      loadAvg1mBefore: Number(loadBefore.toFixed(2)),
      loadAvg1mAfter: Number(os.loadavg()[0].toFixed(2)),
      node: process.version,
    }),
  );
}

main();
