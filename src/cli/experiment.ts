// `pomdp experiment` (its flags are in commands.ts), and what an experiment file run as a script uses.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { registerBuiltinEnvs } from "../../envs";
import { listEnvs, make } from "../core/registry";
import {
  type ExperimentSpec,
  envKey,
  envSeeds,
  envSteps,
  LocalProcessExecutor,
  planJobs,
  type RunExperimentOptions,
  type RunScore,
  resolveSpec,
  runExperiment,
} from "../train/experiment";
import { requireModule } from "../train/require_module";
import { SlurmExecutor } from "../train/slurm_executor";
import { trainCommand, withRunOptions } from "./commands";
import { makeExperimentProgress } from "./experiment_progress";
import {
  checkExecutorFlags,
  experimentStanding,
  onInterruptAskCancel,
  slurmResources,
  standingLines,
} from "./experiment_slurm";
import { resolveRequire, withOnePrefix } from "./options";

const EXPERIMENTS_DIR = path.join(__dirname, "..", "..", "experiments");

/** The experiment file for a name (`mlp-vs-lstm` → experiments/mlp-vs-lstm.ts) or a path. */
export function experimentFile(nameOrFile: string): string {
  // A name given with its extension is not given another.
  const inExperiments = nameOrFile.endsWith(".ts") ? nameOrFile : `${nameOrFile}.ts`;
  const candidates = [path.resolve(nameOrFile), path.join(EXPERIMENTS_DIR, inExperiments)];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found) {
    const known = fs
      .readdirSync(EXPERIMENTS_DIR)
      .filter((f) => f.endsWith(".ts") && isExperimentFile(path.join(EXPERIMENTS_DIR, f)))
      .map((f) => f.replace(/\.ts$/, ""));
    throw new Error(
      `no experiment "${nameOrFile}": not a file, nor experiments/${inExperiments}; experiments: ${known.join(", ") || "none"}`,
    );
  }
  return found;
}

function isExperimentFile(file: string): boolean {
  return /defineExperiment\(/.test(fs.readFileSync(file, "utf8"));
}

/** Loads an experiment file: its default export (or `experiment`) made by `defineExperiment`. */
export function loadExperiment(file: string): ExperimentSpec {
  const module = require(file) as { default?: ExperimentSpec; experiment?: ExperimentSpec };
  const spec = module.default ?? module.experiment;
  if (!spec || typeof spec !== "object" || !Array.isArray(spec.agents)) {
    throw new Error(`${file} exports no experiment: expected \`export default defineExperiment({ … })\``);
  }
  return spec;
}

/** What a run of an experiment takes besides the experiment: `pomdp experiment`'s flags, a script's too. */
export interface ExperimentRunOptions {
  quick?: boolean;
  seeds?: number;
  workers?: number;
  out?: string;
  scoreOnly?: boolean;
  /** Seconds between progress lines when stderr is not a terminal (there: bars); 0: no progress. Default 30. */
  progressEvery?: number;
  /** Where the runs run: child processes here (default) or one Slurm job each. */
  executor?: "local" | "slurm";
  /** Slurm partition of the runs' jobs. */
  slurmPartition?: string;
  /** Time limit of each run's job (a Slurm time). */
  slurmTime?: string;
  /** CPUs of each run's job. */
  slurmCpus?: number;
  /** Memory of each run's job (4G …). */
  slurmMem?: string;
  /** More sbatch arguments, split into words. */
  slurmArgs?: string[];
  /** Submit the runs' jobs and return (Slurm). */
  detach?: boolean;
  /** Say where the experiment's Slurm jobs stand (and write the report when every run has finished). */
  status?: boolean;
}

/** The results folder of a run of `spec` (already resolved): `--out`, else experiments/results/<name>[-quick]. */
export function resultsFolder(spec: ExperimentSpec, opts: ExperimentRunOptions): string {
  return opts.out ?? path.join(EXPERIMENTS_DIR, "results", `${spec.name}${opts.quick ? "-quick" : ""}`);
}

/**
 * Parses an experiment script's arguments as `pomdp experiment` parses its flags; bad input prints one
 * error line naming the flag and exits 1. `script` names the command in that line and in `--help`.
 */
export function parseExperimentScriptArgs(
  script: string,
  argv: string[] = process.argv.slice(2),
): ExperimentRunOptions {
  const command = withOnePrefix(withRunOptions(new Command(script)).allowExcessArguments(false));
  command.parse(argv, { from: "user" });
  return command.opts<ExperimentRunOptions>();
}

/**
 * Runs an experiment (its grid in worker processes, then its report) and prints the report's path; the
 * body of `pomdp experiment` and of an experiment file run as a script. `command` is recorded in
 * experiment.json as what made the results.
 */
export async function runExperimentAndReport(
  experiment: ExperimentSpec,
  opts: ExperimentRunOptions,
  command: string,
): Promise<void> {
  checkExecutorFlags(opts);
  const spec = resolveSpec(experiment, { quick: opts.quick, seeds: opts.seeds });
  const out = resultsFolder(spec, opts);
  if (opts.status) return statusAndReport(experiment, spec, out, opts, command);
  let logLine = (line: string) => console.error(line);
  const slurm =
    opts.executor === "slurm"
      ? new SlurmExecutor({ out, resources: slurmResources(opts), log: (line) => logLine(line) })
      : undefined;
  const executor = slurm ?? new LocalProcessExecutor(opts.workers);
  const runs = planJobs(spec, out).length;
  const uniform = spec.envs.every(
    (e) => envSeeds(spec, e) === spec.seeds && envSteps(spec, e) === spec.steps,
  );
  const grid = uniform
    ? `${spec.agents.length} agents × ${spec.envs.length} envs × ${spec.seeds} seeds) of ${spec.steps.toLocaleString("en")} steps`
    : `${spec.agents.length} agents × ${spec.envs.map((e) => `${envKey(e)} ${envSeeds(spec, e)} seeds of ${envSteps(spec, e).toLocaleString("en")} steps`).join(", ")})`;
  const where = slurm ? "a Slurm job each" : `${executor.concurrency} at a time`;
  console.error(`${spec.name}: ${spec.question}\n${runs} runs (${grid}, ${where} → ${out}`);
  const statusCommand = `${command.replace(/ --detach\b/, "")} --status`;
  const options = {
    out,
    executor,
    quick: opts.quick === true,
    scoreOnly: opts.scoreOnly === true,
    command,
    checkEnv: checkRunEnv,
  };
  if (opts.detach) {
    await runExperiment(spec, { ...options, detach: true, log: (line) => console.error(line) });
    console.error(`submitted; where the runs stand: ${statusCommand}`);
    return;
  }
  let stopDisplay = () => {};
  const removeInterrupt = slurm
    ? onInterruptAskCancel(
        slurm,
        `where they stand: ${statusCommand}; this command again waits for them and writes the report`,
        () => stopDisplay(),
      )
    : () => {};
  let scores: RunScore[];
  try {
    scores = await runExperimentWithProgress(spec, options, opts.progressEvery, (log, stop) => {
      logLine = log;
      stopDisplay = stop;
    });
  } finally {
    removeInterrupt();
  }
  reportScores(out, scores);
}

/** Prints the report's path, and the failed runs with why (exit code 1 when there are any). */
function reportScores(out: string, scores: RunScore[]): void {
  const failed = scores.filter((s) => s.status === "failed");
  console.log(writeReport(out) ?? path.resolve(out));
  if (failed.length > 0) {
    console.error(
      `${failed.length} of ${scores.length} runs failed:\n${failed.map((f) => `  ${failedRunLine(f)}`).join("\n")}`,
    );
    process.exitCode = 1;
  }
}

/**
 * `--status`: where every run of a Slurm experiment stands; once none is queued, running or
 * unsubmitted, the finished runs are scored and the report written (as `--score-only` does).
 */
async function statusAndReport(
  experiment: ExperimentSpec,
  spec: ExperimentSpec,
  out: string,
  opts: ExperimentRunOptions,
  command: string,
): Promise<void> {
  const standing = await experimentStanding(spec, out);
  for (const line of standingLines(spec, standing)) console.error(line);
  const open = standing.filter((s) => s.state !== "done" && s.state !== "failed").length;
  if (open > 0) {
    console.error("the report is written once every run has finished: ask --status again then");
    return;
  }
  const failed = standing.filter((s) => s.state === "failed").length;
  await runExperimentAndReport(
    experiment,
    {
      ...opts,
      status: false,
      executor: "local",
      scoreOnly: true,
      ...{ slurmPartition: undefined, slurmTime: undefined, slurmCpus: undefined, slurmMem: undefined },
      slurmArgs: undefined,
    },
    command.replace(/ --status\b/, ""),
  );
  if (failed > 0) {
    console.error(`${failed} runs failed: run without --status to submit them again`);
    process.exitCode = 1;
  }
}

/**
 * {@link runExperiment} with its lines and the running runs' progress on stderr (as the CLI's other
 * output): bars when stderr is a terminal, else a line per running run every `progressEvery` seconds
 * (default 30; 0: no progress).
 */
export async function runExperimentWithProgress(
  spec: ExperimentSpec,
  options: Omit<RunExperimentOptions, "log" | "listener">,
  progressEvery = 30,
  /**
   * Given the display's line printer, for other lines to go through it (an executor's), and what stops
   * the display (before asking a question on the terminal).
   */
  onLog?: (log: (line: string) => void, stop: () => void) => void,
): Promise<RunScore[]> {
  const progress = makeExperimentProgress({
    tty: process.stderr.isTTY === true,
    everySeconds: progressEvery,
  });
  onLog?.(
    (line) => progress.log(line),
    () => progress.stop(),
  );
  try {
    return await runExperiment(spec, { ...options, log: (line) => progress.log(line), listener: progress });
  } finally {
    progress.stop();
  }
}

/**
 * Makes a run's env here, from its `pomdp train` arguments parsed as `pomdp train` parses them: with the
 * run's `--require` modules loaded and its `--env-kwargs`, as `pomdp eval` makes it once the run has
 * trained. Throws (one line) why it cannot be made, so that the run fails before it trains.
 */
export function checkRunEnv(trainArgs: string[]): void {
  const train = trainCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let flags: { env?: string; require?: string[]; envKwargs?: Record<string, unknown> };
  try {
    train.parseOptions(trainArgs.slice(1));
    flags = train.opts();
  } catch (err) {
    throw new Error(`before training: its pomdp train arguments are wrong: ${(err as Error).message}`);
  }
  try {
    registerBuiltinEnvs();
    const known = listEnvs().some((s) => s.id === flags.env);
    // Modules loaded once serve every run; a run of a built-in env needs none.
    if (!known) for (const module of flags.require ?? []) requireModule(module, resolveRequire(module));
    make(flags.env ?? "", flags.envKwargs ?? {}).close?.();
  } catch (err) {
    throw new Error(`before training, its env cannot be made: ${(err as Error).message}`);
  }
}

/** A failed run's name and why: the executor's error names the run already (`<run>: exit 1: …`). */
function failedRunLine(score: RunScore): string {
  const name = path.basename(score.run);
  const error = score.error ?? "no reason recorded";
  return error.startsWith(`${name}: `) || error.startsWith(`${name} eval: `) ? error : `${name}: ${error}`;
}

/**
 * Writes a results folder's report with `pomdp report` in a child process (its progress on stderr);
 * a failure is said on stderr and does not throw: the results stay, and the command can be run again.
 * Returns the absolute path of report.html (undefined when not written), for the caller to print: the
 * child's own stdout (that path) is dropped, so that it is printed once.
 */
export function writeReport(out: string): string | undefined {
  const report = spawnSync(process.execPath, [path.join(__dirname, "..", "bin.js"), "report", out], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (report.status !== 0) {
    console.error(`(no report written: \`pomdp report ${out}\` failed)`);
    return undefined;
  }
  return path.resolve(out, "report.html");
}

/**
 * Makes an experiment file a script: `npx ts-node experiments/<name>.ts [--quick] [--seeds N] …` does
 * what `pomdp experiment <name> …` does. Call it at the end of the file, guarded by
 * `if (require.main === module)`, with the file's `__filename`.
 */
export function runExperimentScript(experiment: ExperimentSpec, file: string): void {
  const script = `npx ts-node ${path.relative(process.cwd(), file) || file}`;
  const opts = parseExperimentScriptArgs(script);
  runExperimentAndReport(experiment, opts, [script, ...process.argv.slice(2)].join(" ")).catch((err) => {
    console.error(`${script}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}

/** `pomdp experiment <name|file>`: runs an experiment's grid of runs, then its report. */
export async function experimentAction(nameOrFile: string, opts: ExperimentRunOptions): Promise<void> {
  const experiment = loadExperiment(experimentFile(nameOrFile));
  await runExperimentAndReport(experiment, opts, ["pomdp", "experiment", ...process.argv.slice(3)].join(" "));
}
