// Every subcommand of `pomdp`: its arguments, flags and help, cheap to load (commander and the flag
// parsers only), so that `pomdp --help` and a bad flag answer at once. Each action imports the
// subcommand's implementation, src/cli/<name>.ts, only when it runs: TF.js, the agents, the envs and
// the report's plotting load for the command that needs them, not for every start.
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_CHECKPOINT_EVERY } from "../train/run_files";
import { parseSlurmMem, parseSlurmPartition, parseSlurmTime, splitShellWords } from "../train/slurm_flags";
import type { EvalFlags } from "./eval";
import type { ExperimentRunOptions } from "./experiment";
import {
  collect,
  parseBackendFlag,
  parseConfidence,
  parseJsonObject,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  parsePositiveNumber,
  parseScale,
  parseSteps,
  parseView,
  withRequire,
} from "./options";
import { PLAY_HELP_LINES } from "./play_keys";
import type { PretrainFlags } from "./pretrain_ae";
import type { RecordFlags } from "./record";
import type { ReportFlags } from "./report";
import type { TrainFlags } from "./train";
import type { WebFlags } from "./web";

/** `pomdp envs`: the registered ids with their spaces. */
export function envsCommand(): Command {
  return withRequire(new Command("envs"))
    .description("list the registered environments with their observation and action spaces")
    .option("--json", "print one JSON object per env instead of a table")
    .action(async (opts: { json?: boolean }) => (await import("./envs")).envsAction(opts));
}

/** `pomdp check <id>`: runs the env checker on a registered env. */
export function checkCommand(): Command {
  return withRequire(new Command("check"))
    .description(
      "check that a registered env keeps the env contract (spaces, types, seeding, errors, render)",
    )
    .argument("<id>", "registered env id (see `pomdp envs`)")
    .action(async (id: string) => (await import("./envs")).checkAction(id));
}

/** `pomdp rollout [ids…]`: random-policy episodes on every (or the given) env, as a table. */
export function rolloutCommand(): Command {
  return withRequire(new Command("rollout"))
    .description("roll out a random policy on registered envs and print episode return and length")
    .argument("[ids...]", "env ids (default: every registered env)")
    .option("-e, --episodes <n>", "episodes per env", parsePositiveInt, 5)
    .option("-s, --seed <n>", "seed of the first episode and of the actions", parseNonNegativeInt, 0)
    .option("--json", "print one JSON line per env instead of a table")
    .action(async (ids: string[], opts: { episodes: number; seed: number; json?: boolean }) =>
      (await import("./rollout")).rolloutAction(ids, opts),
    );
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
    .action(async (opts: { seconds: number }) => (await import("./bench")).benchEnvsAction(opts));
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
    .action(async (opts: { backend?: string }) => (await import("./bench")).benchNnAction(opts));
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
    .action(async (opts: { from?: string[]; out?: string; seconds: number; backend?: string }) =>
      (await import("./bench")).benchTableAction(opts),
    );
  bench
    .command("web")
    .description(
      "the browser page in headless Chromium: bundle size, time to first frame, and PPO on CartPole-v1 " +
        "trained from the page until the mean return of the last 20 episodes reaches --target",
    )
    .option("--seed <n>", "the run's seed", parseNonNegativeInt, 1)
    .option("--target <r>", "mean return of the last 20 episodes to reach", parsePositiveNumber, 195)
    .option("--timeout <s>", "give up after this many seconds of page time", parsePositiveNumber, 600)
    .action(async (opts: { seed: number; target: number; timeout: number }) =>
      (await import("./bench_web")).benchWebAction(opts),
    );
  return bench;
}

/** `pomdp render <id> --out frame.png`: saves what an env looks like, or what its agent sees, as a PNG. */
export function renderCommand(): Command {
  return withRequire(new Command("render"))
    .description("save a picture of an env after a seeded reset (and optional random steps) as a PNG")
    .argument("<id>", "registered env id (see `pomdp envs`)")
    .requiredOption("-o, --out <path>", "PNG file to write")
    .option("-s, --seed <n>", "seed of the reset and of the random actions", parseNonNegativeInt, 0)
    .option("-n, --steps <n>", "random actions to take before the picture", parseNonNegativeInt, 0)
    .addOption(
      new Option("--view <view>", 'what to draw: "full" (the env\'s render()) or "agent" (the observation)')
        .argParser(parseView)
        .default("full"),
    )
    .option("--tile <px>", "pixels per cell of a gridworld's agent view", parsePositiveInt, 32)
    .action(
      async (
        id: string,
        opts: { out: string; seed: number; steps: number; view: "agent" | "full"; tile: number },
      ) => (await import("./render")).renderAction(id, opts),
    );
}

/** `pomdp play <id>`: play a gridworld with the keyboard (or from key names piped in, one per line). */
export function playCommand(): Command {
  return withRequire(new Command("play"))
    .description(
      `play a gridworld in the terminal with the keyboard, seeing the agent's egocentric view beside the full map (${PLAY_HELP_LINES.join(" ")}); CartPole: ←/→ push the cart, beside what the agent observes; piped input: key names per line`,
    )
    .argument(
      "<id>",
      "env id: a gridworld such as MiniGrid-Empty-5x5-v0, CartPole-v1 (or -NoVel, -Noisy…), TMaze-v0 (see `pomdp envs`)",
    )
    .option("-s, --seed <n>", "seed of the first episode", parseNonNegativeInt, 0)
    .action(async (id: string, opts: { seed: number }) => (await import("./play")).playAction(id, opts));
}

/** `pomdp train`: trains an agent and writes a run folder. */
export function trainCommand(): Command {
  const command = new Command("train")
    .description(
      "train an agent on an env; writes a run folder (config, metrics.jsonl, summary, final weights, checkpoints)",
    )
    .option("-e, --env <id>", "registered env id (yours too, with --require); required unless --resume")
    .option("-a, --agent <name>", "agent: ppo | a2c | dqn | drqn", "ppo")
    .addOption(new Option("--net <encoder>", "network encoder").choices(["mlp", "cnn"]))
    .option(
      "--lstm <H>",
      "an LSTM memory of H units after the encoder (recurrent PPO / A2C; DQN with it is DRQN)",
      parseNonNegativeInt,
    )
    .option("--gru <H>", "a GRU memory of H units after the encoder (instead of --lstm)", parsePositiveInt)
    .option(
      "--rnn <H>",
      "a plain RNN memory of H units after the encoder, h = tanh(Wx·x + Wh·h + b) (instead of --lstm)",
      parsePositiveInt,
    )
    .option("--frame-stack <k>", "stack the last k observations", parseNonNegativeInt)
    .option("--prev-action", "append the previous action and reward to observations")
    .addOption(
      new Option(
        "--aux <loss>",
        "auxiliary loss of the CNN encoder: ae = a decoder trained as SAC+AE does (its own Adam step after each RL step; --set net.aeOptimizer=joint adds its loss to the RL loss instead)",
      ).choices(["none", "ae"]),
    )
    .option(
      "--aux-weight <β>",
      "weight of the auxiliary loss in the RL loss, with net.aeOptimizer joint (default 1)",
      parseNonNegativeNumber,
    )
    .option(
      "--aux-detach",
      "the RL loss's gradient stops at the encoder: it learns from the reconstruction alone",
    )
    .option(
      "--encoder-from <dir>",
      "start the CNN encoder from a folder pomdp pretrain-ae wrote (its dense layers and bottleneck become net.hidden and net.latentNorm)",
    )
    .option("--freeze-encoder", "keep the CNN encoder's weights as they are (pretrained, or as initialised)")
    .option("--steps <n>", "env steps in all (500000, 500k, 1M)", parseSteps)
    .option("--envs <N>", "envs stepped in parallel", parsePositiveInt)
    .option(
      "--eval-every <n>",
      "evaluate the agent on held-out episodes every n env steps (eval lines in metrics.jsonl; the best agent kept in best/)",
      parseSteps,
    )
    .option("--eval-episodes <k>", "episodes per periodic evaluation (default 10)", parsePositiveInt)
    .option("--eval-greedy", "periodic evaluations take the likeliest action (DQN: ε 0) instead of sampling")
    .option("-s, --seed <S>", "run seed: the root of every random stream of the run", parseNonNegativeInt, 1)
    .option("--config <file>", "JSON file of config fields")
    .option("--set <key=value>", "set a config field (dotted path, repeatable): --set net.lstm=128", collect)
    .option("--preset <name>", "a named preset, or none for the plain defaults (default: the env's preset)")
    .option("--env-kwargs <json>", "make() keyword arguments, e.g. '{\"flickerProb\": 0.2}'", parseJsonObject)
    .option("-o, --out <dir>", "run folder (default runs/<env>-<agent>-<seed>-<time>); never overwritten")
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option(
      "--checkpoint-every <updates>",
      "write a checkpoint into the run folder every this many updates (also every 60 s; 0: only on Ctrl-C)",
      parseNonNegativeInt,
      DEFAULT_CHECKPOINT_EVERY,
    )
    .option(
      "--resume <run>",
      "continue the run in this folder from its checkpoint to the same total steps (its config.json decides everything else)",
    )
    .option(
      "--restart",
      "with --out: an unfinished run in that folder (no summary.json) is discarded and starts again from scratch",
    )
    .option(
      "--force",
      "take the run folder's lock (train.lock: one writer per run folder) even when its holder may still run",
    )
    .option("-q, --quiet", "no progress line")
    .action(async (flags: TrainFlags, cmd: Command) => (await import("./train")).trainAction(flags, cmd));
  return withRequire(command);
}

/** `pomdp pretrain-ae`: an autoencoder trained offline on a random agent's frames, for `pomdp train --encoder-from`. */
export function pretrainAeCommand(): Command {
  const command = new Command("pretrain-ae")
    .description(
      "collect frames with a uniformly random agent (seeded), train the agent's CNN encoder (ending in SAC+AE's LayerNorm + tanh) and its decoder as an autoencoder on them, and write their weights, autoencoder.json (held-out mse) and reconstructions.png: pomdp train --net cnn --encoder-from <out> starts from it",
    )
    .option("-e, --env <id>", "registered env id with image observations (gridworlds: the 7×7×3 view)")
    .option("-o, --out <dir>", "folder to write (never overwritten)")
    .option("--frames <n>", "training frames (50000, 50k)", parseSteps, 50_000)
    .option("--held-out <n>", "held-out frames for the reported mse (default frames / 10)", parsePositiveInt)
    .addOption(
      new Option("--net <encoder>", "the encoder (an autoencoder of images is a CNN)")
        .choices(["mlp", "cnn"])
        .default("cnn"),
    )
    .option(
      "--latent <n>",
      "width of the latent vector: the encoder's dense layer (the agent's net.hidden)",
      parsePositiveInt,
      64,
    )
    .option("--epochs <n>", "passes over the training frames", parsePositiveInt, 5)
    .option("--batch-size <n>", "frames per gradient step", parsePositiveInt, 64)
    .option("--lr <x>", "Adam's step size", parsePositiveNumber, 1e-3)
    .option(
      "--frame-stack <k>",
      "stack the last k observations, as the agent will (--frame-stack of pomdp train)",
      parseNonNegativeInt,
      0,
    )
    .option(
      "-s, --seed <S>",
      "seed of the frames, held-out frames, initialisation and minibatches",
      parseNonNegativeInt,
      1,
    )
    .option("--env-kwargs <json>", "make() keyword arguments", parseJsonObject)
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option("-q, --quiet", "no progress lines")
    .action(async (flags: PretrainFlags) => (await import("./pretrain_ae")).pretrainAeAction(flags));
  return withRequire(command);
}

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
    .option(
      "--best",
      "the agent the run's periodic evaluations kept (best/, with --eval-every) instead of the final one",
    )
    .action(async (runDir: string, opts: EvalFlags) => (await import("./eval")).evalAction(runDir, opts));
  return withRequire(command);
}

/** `pomdp record <run> --out episode.gif`: an animated GIF of the run's agent playing one episode. */
export function recordCommand(): Command {
  const command = new Command("record")
    .description(
      "an animated GIF of a run's final agent playing one episode: the env's picture, a gridworld's agent view beside it, an LSTM's memory (hidden state) as a heat map under them, and a text band above with the step, action, reward, return and the network's value (V, or max Q)",
    )
    .argument("<run>", "run folder written by pomdp train")
    .requiredOption("-o, --out <file>", "GIF file to write (never overwritten without --force)")
    .option(
      "-s, --seed <S>",
      "episode seed (the first episode of pomdp eval with this seed)",
      parseNonNegativeInt,
      0,
    )
    .option("--greedy", "take the most probable action instead of sampling")
    .option("--max-steps <n>", "stop after this many steps if the episode goes on", parsePositiveInt, 1000)
    .option("--scale <k>", "resize the frames by k (e.g. 0.5 or 2; nearest neighbour)", parseScale, 1)
    .option("--fps <n>", "frames per second", parsePositiveInt, 15)
    .option(
      "--every <k>",
      "keep every k-th frame (the first and last always) for long episodes; each kept frame still shows for 1/fps s, so the episode plays k times faster",
      parsePositiveInt,
      1,
    )
    .option(
      "--no-overlay",
      "the bare picture: no text band (step, action, reward, return, value) and no labels or colour scale on the memory strip",
    )
    .option(
      "--env-kwargs <json>",
      "make() keyword arguments over the run's, e.g. '{\"flickerProb\": 0.2}'",
      parseJsonObject,
    )
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option("-f, --force", "overwrite --out if it exists")
    .option(
      "--best",
      "the agent the run's periodic evaluations kept (best/, with --eval-every) instead of the final one",
    )
    .action(async (runDir: string, opts: RecordFlags) =>
      (await import("./record")).recordAction(runDir, opts),
    );
  return withRequire(command);
}

/** Adds the flags of {@link ExperimentRunOptions}, each checked on parsing (`--workers 0` is an error). */
export function withRunOptions(command: Command): Command {
  return command
    .option("--quick", "the same question at a size that finishes in minutes")
    .option("--seeds <N>", "number of seeds (runs use seeds 1 … N)", parsePositiveInt)
    .option("--workers <N>", "runs at once (default: one per core)", parsePositiveInt)
    .option("-o, --out <dir>", "results folder (default experiments/results/<name>[-quick])")
    .option("--score-only", "score and report the finished runs; start or resume no run")
    .option(
      "--progress-every <seconds>",
      "seconds between the running runs' progress lines when stderr is not a terminal (there: bars); 0: neither",
      parseNonNegativeNumber,
      30,
    )
    .addOption(
      new Option(
        "--executor <kind>",
        "where the runs run: local (child processes here) or slurm (one sbatch job per run; the results folder must be on storage the compute nodes see)",
      )
        .choices(["local", "slurm"])
        .default("local"),
    )
    .option(
      "--slurm-partition <name>",
      "Slurm partition of the runs' jobs (sbatch --partition)",
      slurmParser(parseSlurmPartition),
    )
    .option(
      "--slurm-time <limit>",
      "time limit of each run's job (sbatch --time, e.g. 4:00:00); a run near it checkpoints and requeues itself",
      slurmParser(parseSlurmTime),
    )
    .option("--slurm-cpus <N>", "CPUs of each run's job (sbatch --cpus-per-task)", parsePositiveInt)
    .option(
      "--slurm-mem <size>",
      "memory of each run's job (sbatch --mem, e.g. 4G)",
      slurmParser(parseSlurmMem),
    )
    .option(
      "--slurm-args <args>",
      'more sbatch arguments for each run\'s job, as one string (e.g. "--account=abc --qos=low")',
      slurmParser(splitShellWords),
    )
    .option("--detach", "with --executor slurm: submit the runs' jobs and return at once")
    .option(
      "--status",
      "where the experiment's Slurm jobs stand (done, running, pending, failed); writes the report once every run has finished",
    );
}

/** A commander parser from a checker that throws an Error: the message becomes commander's. */
function slurmParser<T>(check: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return check(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** `pomdp experiment <name|file>`: runs an experiment's grid of runs, then its report. */
export function experimentCommand(): Command {
  return withRunOptions(
    new Command("experiment")
      .description("run an experiment (agents × envs × seeds) in worker processes, then write its report")
      .argument("<name|file>", "an experiment of experiments/ (e.g. mlp-vs-lstm) or a file"),
  ).action(async (nameOrFile: string, opts: ExperimentRunOptions) =>
    (await import("./experiment")).experimentAction(nameOrFile, opts),
  );
}

/** `pomdp report <results>`: report.html and report.md (with plots/*.png) of an experiment's results folder. */
export function reportCommand(): Command {
  return new Command("report")
    .description(
      "write report.html (self-contained) and report.md with plots/*.png for an experiment's results folder",
    )
    .argument("<results>", "results folder of `pomdp experiment` (with experiment.json and scores.json)")
    .option("-o, --out <dir>", "where to write the report (default: the results folder)")
    .option(
      "--resamples <N>",
      "bootstrap resamples of the table's CIs and P(improvement) (default 50000, rliable's; bands 2000)",
      parsePositiveInt,
    )
    .option("--confidence <c>", "coverage of the CIs", parseConfidence, 0.95)
    .option("--seed <S>", "seed of the bootstrap resampling", parseNonNegativeInt, 0)
    .addOption(
      new Option(
        "--x <axis>",
        "the learning curves' x axis: env steps, or seconds of training (wall-clock, from the runs' SPS)",
      )
        .choices(["steps", "seconds"])
        .default("steps"),
    )
    .action(async (folder: string, opts: ReportFlags) =>
      (await import("./report")).reportAction(folder, opts),
    );
}

/** `pomdp export-tb <run|results>`: TensorBoard events files of a run's metrics, or of every run of a results folder. */
export function exportTbCommand(): Command {
  return new Command("export-tb")
    .description(
      "write TensorBoard events files (scalars: episode/*, train/* of update lines, eval/*, against env steps) " +
        "of a run, or of every run of a results folder, for `tensorboard --logdir`",
    )
    .argument(
      "<run|results>",
      "run folder (with metrics.jsonl) or results folder (with experiment.json and runs/)",
    )
    .option(
      "-o, --out <dir>",
      "write each run's events file into <dir>/<run name> (default: <run>/tb, or <results>/tb/<run name>); " +
        "an earlier export's events file there is replaced",
    )
    .action(async (target: string, opts: { out?: string }) =>
      (await import("./export_tb")).exportTbAction(target, opts),
    );
}

/** Commander parser of `--port`: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n > 65535)
    throw new InvalidArgumentError(`expected a port 0-65535, got "${value}"`);
  return n;
}

/** `pomdp web`: the browser page (train PPO in a Web Worker), built when needed and served on localhost. */
export function webCommand(): Command {
  return new Command("web")
    .description(
      "serve the browser page on localhost: train the project's agents (PPO, A2C, DQN) on its envs in the browser, compare networks, play envs, open runs (built into web/dist first when missing or stale)",
    )
    .option("-p, --port <n>", "port on 127.0.0.1 (0: any free port)", parsePort, 8080)
    .option("--open", "open the page in the desktop's browser")
    .option("--dir <dir>", "folder of the built page (default: web/dist in the repository)")
    .option("--build", "build the page again before serving")
    .option("--build-only", "build the page and exit (npm run build:web)")
    .action(async (opts: WebFlags) => (await import("./web")).webAction(opts));
}
