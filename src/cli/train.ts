import * as fs from "node:fs";
import * as path from "node:path";
import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import {
  applySets,
  ConfigError,
  type JsonObject,
  mergeConfig,
  readConfigFile,
  validateConfig,
} from "../train/config";
import {
  DEFAULT_CHECKPOINT_EVERY,
  defaultRunDir,
  environmentFacts,
  RUN_FILES,
  RunFolder,
} from "../train/run_folder";
import {
  collect,
  parseBackendFlag,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  withRequire,
} from "./options";

/** Parses a step count: 500000, 500k, 1.5M, 1e6. */
export function parseSteps(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  const n = match
    ? Number(match[1]) * (match[2].toLowerCase() === "k" ? 1e3 : match[2].toLowerCase() === "m" ? 1e6 : 1)
    : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(
      `expected a positive whole number of steps such as 500000, 500k or 1M, got "${value}"`,
    );
  }
  return n;
}

/** Parses a `--env-kwargs` JSON object. */
export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`expected a JSON object such as '{"flickerProb": 0.2}', got ${value}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`expected a JSON object such as '{"flickerProb": 0.2}', got ${value}`);
  }
  return parsed as Record<string, unknown>;
}

/** Flags of `pomdp train`. */
export interface TrainFlags {
  env?: string;
  agent: string;
  net?: "mlp" | "cnn";
  lstm?: number;
  frameStack?: number;
  prevAction?: boolean;
  steps?: number;
  envs?: number;
  seed: number;
  config?: string;
  set?: string[];
  preset?: string;
  out?: string;
  envKwargs?: Record<string, unknown>;
  backend?: string;
  quiet?: boolean;
  require?: string[];
  resume?: string;
  checkpointEvery?: number;
  aux?: "none" | "ae";
  auxWeight?: number;
  auxDetach?: boolean;
  encoderFrom?: string;
  freezeEncoder?: boolean;
}

/** The config layers the flags make (highest precedence below `--set`). */
function flagLayer(flags: TrainFlags): JsonObject {
  const layer: JsonObject = {};
  const net: JsonObject = {};
  if (flags.net !== undefined) net.encoder = flags.net;
  if (flags.lstm !== undefined) net.lstm = flags.lstm;
  if (flags.aux !== undefined) net.aux = flags.aux;
  if (flags.auxWeight !== undefined) net.auxWeight = flags.auxWeight;
  if (flags.auxDetach) net.auxDetach = true;
  if (flags.freezeEncoder) net.freezeEncoder = true;
  if (flags.encoderFrom !== undefined) net.encoderFrom = path.resolve(flags.encoderFrom);
  if (Object.keys(net).length > 0) layer.net = net;
  if (flags.frameStack !== undefined) layer.frameStack = flags.frameStack;
  if (flags.prevAction) layer.previousAction = true;
  if (flags.steps !== undefined) layer.totalSteps = flags.steps;
  if (flags.envs !== undefined) layer.numEnvs = flags.envs;
  return layer;
}

/** What `pomdp train` resolves before anything runs: the agent, the preset and the validated config. */
export interface ResolvedTraining {
  agent: import("../../agents/index").AgentDefinition;
  preset: import("../../agents/presets").Preset | undefined;
  config: JsonObject;
}

/**
 * Resolves the config: the agent's defaults, then the preset for (agent, env, memory), then `--config`,
 * then the flags, then `--set`. Throws a {@link ConfigError} (one line naming the field) on bad input.
 */
export async function resolveTraining(flags: TrainFlags): Promise<ResolvedTraining> {
  // Loaded lazily: the agents pull in TF.js, which other commands never need.
  const { agentByName } = await import("../../agents/index");
  const { findPreset, presetByName } = await import("../../agents/presets");
  const { spec } = await import("../core");
  const agent = agentByName(flags.agent);
  if (flags.env === undefined) throw new ConfigError("required option '-e, --env <id>' not specified");
  spec(flags.env); // unknown id → error with close ids
  const fileLayer = flags.config ? readConfigFile(flags.config) : {};
  const flagsLayer = flagLayer(flags);
  if (flags.encoderFrom !== undefined) {
    // The pretrained encoder decides the encoder's dense layers (--set net.hidden=… can still differ, and is refused).
    const { readPretrainedAutoencoder } = await import("../../agents/autoencoder");
    const meta = wrapConfigError(() => readPretrainedAutoencoder(flags.encoderFrom!, "--encoder-from"));
    (flagsLayer.net as JsonObject).hidden = meta.hidden;
  }
  const userLayers = applySets(mergeConfig(fileLayer, flagsLayer), flags.set ?? []);
  const lstm = (userLayers.net as JsonObject | undefined)?.lstm;
  const recurrent = typeof lstm === "number" && lstm > 0;
  let preset: ResolvedTraining["preset"];
  if (flags.preset === undefined) preset = findPreset(agent.name, flags.env!, recurrent);
  else if (flags.preset !== "none") preset = presetByName(flags.preset);
  if (preset && preset.agent !== agent.name) {
    throw new ConfigError(`--preset "${preset.name}" is for --agent ${preset.agent}, not ${agent.name}`);
  }
  const merged = mergeConfig(preset?.config ?? {}, userLayers);
  const config = validateConfig(agent.schema, merged, agent.name) as JsonObject;
  await checkAutoencoderFields(agent.name, config, flags);
  return { agent, preset, config };
}

/** `fn()`, its error as a {@link ConfigError} (one line, before anything is written). */
function wrapConfigError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
}

/**
 * The autoencoder fields, checked before the run folder is made: --aux, --freeze-encoder and
 * --encoder-from need --net cnn, and a pretrained encoder must fit the agent's observations (the env
 * with the config's wrappers) and dense layers.
 */
async function checkAutoencoderFields(agent: string, config: JsonObject, flags: TrainFlags): Promise<void> {
  const { checkAuxConfig } = await import("../../agents/aux_ae");
  const net = config.net as import("../../agents/net_config").AuxNetConfig & { hidden: number[] };
  checkAuxConfig(net, agent);
  if (net.encoderFrom === undefined) return;
  const { checkPretrainedFits, readPretrainedAutoencoder } = await import("../../agents/autoencoder");
  const { makeAgentEnv } = await import("../../agents/env_setup");
  const what = flags.encoderFrom !== undefined ? "--encoder-from" : "net.encoderFrom";
  wrapConfigError(() => {
    const meta = readPretrainedAutoencoder(net.encoderFrom!, what);
    const env = makeAgentEnv({
      envId: flags.env!,
      envKwargs: flags.envKwargs,
      encoder: "cnn",
      frameStack: config.frameStack as number,
      previousAction: config.previousAction as boolean,
    });
    try {
      const space = env.observationSpace as import("../core").Box;
      checkPretrainedFits(meta, space.shape, space.dtype === "uint8", net.hidden, net.encoderFrom!, what);
    } finally {
      env.close?.();
    }
  });
}

/** Flags that set up a new run: `--resume` takes them from the run's config.json instead. */
const NEW_RUN_FLAGS: readonly (keyof TrainFlags)[] = [
  "env",
  "agent",
  "net",
  "lstm",
  "frameStack",
  "prevAction",
  "steps",
  "envs",
  "seed",
  "config",
  "set",
  "preset",
  "out",
  "envKwargs",
  "aux",
  "auxWeight",
  "auxDetach",
  "encoderFrom",
  "freezeEncoder",
];

/** What `pomdp train --resume` reads from a run folder before anything runs. */
export interface ResolvedResume {
  agent: import("../../agents/index").AgentDefinition;
  config: JsonObject;
  envId: string;
  envKwargs: Record<string, unknown>;
  seed: number;
  backend: string;
  /** Updates and steps already done. */
  update: number;
  numUpdates: number;
  step: number;
}

/**
 * Checks that `dir` holds a run that can be resumed: a readable config.json, no summary.json, and a
 * checkpoint that holds the envs' state. Every refusal is one line starting with `--resume <dir>:`.
 */
export async function resolveResume(dir: string): Promise<ResolvedResume> {
  const { agentByName } = await import("../../agents/index");
  const { readTrainCheckpoint } = await import("../../agents/train_checkpoint");
  const { spec } = await import("../core");
  const fail = (why: string) => new ConfigError(`--resume ${dir}: ${why}`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw fail("no such folder");
  const configFile = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(configFile))
    throw fail(`not a run folder (${RUN_FILES.config} is missing); pass the folder pomdp train wrote`);
  let run: Record<string, unknown>;
  try {
    run = JSON.parse(fs.readFileSync(configFile, "utf8"));
  } catch (err) {
    throw fail(`${RUN_FILES.config} is corrupt: not JSON (${(err as Error).message})`);
  }
  const ok =
    run !== null &&
    typeof run === "object" &&
    typeof run.agent === "string" &&
    typeof run.envId === "string" &&
    Number.isSafeInteger(run.seed) &&
    (run.seed as number) >= 0 &&
    run.config !== null &&
    typeof run.config === "object" &&
    typeof run.backend === "string" &&
    (run.envKwargs === undefined || (typeof run.envKwargs === "object" && run.envKwargs !== null));
  if (!ok) {
    throw fail(
      `${RUN_FILES.config} is corrupt: expected agent and envId (strings), seed (an integer ≥ 0), config (an object) and backend`,
    );
  }
  if (fs.existsSync(path.join(dir, RUN_FILES.summary)))
    throw fail(`the run is finished (${RUN_FILES.summary} exists); there is nothing to resume`);
  let agent: ResolvedResume["agent"];
  let config: JsonObject;
  try {
    agent = agentByName(run.agent as string);
    config = validateConfig(agent.schema, run.config, agent.name) as JsonObject;
  } catch (err) {
    throw fail(`${RUN_FILES.config} is corrupt: ${(err as Error).message}`);
  }
  spec(run.envId as string); // an env of the user's: the same --require is needed again
  let checkpoint: import("../../agents/train_checkpoint").TrainCheckpoint;
  try {
    checkpoint = readTrainCheckpoint(dir);
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (checkpoint.agent !== agent.name || checkpoint.envId !== run.envId || checkpoint.seed !== run.seed) {
    throw fail(
      `the checkpoint is of ${checkpoint.agent} on ${checkpoint.envId} seed ${checkpoint.seed}, but ${RUN_FILES.config} says ${agent.name} on ${run.envId} seed ${run.seed}`,
    );
  }
  return {
    agent,
    config,
    envId: run.envId as string,
    envKwargs: (run.envKwargs as Record<string, unknown> | undefined) ?? {},
    seed: run.seed as number,
    backend: run.backend as string,
    update: checkpoint.update,
    numUpdates: checkpoint.numUpdates,
    step: checkpoint.step,
  };
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
    .option("--frame-stack <k>", "stack the last k observations", parseNonNegativeInt)
    .option("--prev-action", "append the previous action and reward to observations")
    .addOption(
      new Option(
        "--aux <loss>",
        "auxiliary loss of the CNN encoder: ae = a decoder whose reconstruction mse joins the RL loss",
      ).choices(["none", "ae"]),
    )
    .option("--aux-weight <β>", "weight of the auxiliary loss (default 1)", parseNonNegativeNumber)
    .option(
      "--aux-detach",
      "the RL loss's gradient stops at the encoder: it learns from the reconstruction alone",
    )
    .option(
      "--encoder-from <dir>",
      "start the CNN encoder from a folder pomdp pretrain-ae wrote (its dense layers become net.hidden)",
    )
    .option("--freeze-encoder", "keep the CNN encoder's weights as they are (pretrained, or as initialised)")
    .option("--steps <n>", "env steps in all (500000, 500k, 1M)", parseSteps)
    .option("--envs <N>", "envs stepped in parallel", parsePositiveInt)
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
    .option("-q, --quiet", "no progress line")
    .action(async (flags: TrainFlags, cmd: Command) => {
      if (flags.resume !== undefined) {
        const given = NEW_RUN_FLAGS.filter(
          (f) => flags[f] !== undefined && cmd.getOptionValueSource(f) === "cli",
        );
        if (given.length > 0) {
          const names = given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          throw new ConfigError(
            `--resume continues a run with the config in its config.json; drop ${names.join(", ")}`,
          );
        }
        return resumeRun(flags.resume, flags);
      }
      const resolved = await resolveTraining(flags);
      const env = flags.env!;
      const out = flags.out ?? defaultRunDir(env, flags.agent, flags.seed);
      RunFolder.checkFree(out);
      const { backendFacts, initBackend } = await import("../nn/backend");
      const { nnLogger } = await import("../nn/log");
      // The backend goes into config.json; the terminal only hears of it when something is wrong.
      const backend = await initBackend(flags.backend, nnLogger.child({}, { level: "warn" }));
      const run = RunFolder.create(out, {
        agent: resolved.agent.name,
        envId: env,
        envKwargs: flags.envKwargs ?? {},
        seed: flags.seed,
        preset: resolved.preset?.name ?? null,
        presetSource: resolved.preset?.source ?? null,
        config: resolved.config,
        command: ["pomdp", ...process.argv.slice(2)].join(" "),
        startedAt: new Date().toISOString(),
        ...environmentFacts(backend),
        // On wasm: the build and its thread count (results do not depend on it, speed does).
        ...backendFacts(),
      });
      await runTraining(resolved.agent, resolved.config, run, flags, {
        envId: env,
        envKwargs: flags.envKwargs,
        seed: flags.seed,
      });
    });
  return withRequire(command);
}

/** `pomdp train --resume <dir>`: checks the folder, then continues the run where its checkpoint left it. */
async function resumeRun(dir: string, flags: TrainFlags): Promise<void> {
  const resumed = await resolveResume(dir);
  const { initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  const backend = await initBackend(flags.backend ?? resumed.backend, nnLogger.child({}, { level: "warn" }));
  if (backend !== resumed.backend) {
    console.error(
      `pomdp: warning: the run trained on the ${resumed.backend} backend, this resume runs on ${backend}; its numbers will not match an uninterrupted run's`,
    );
  }
  if (!flags.quiet) {
    console.error(
      `resuming ${dir} after update ${resumed.update} of ${resumed.numUpdates} (${resumed.step.toLocaleString("en")} steps)`,
    );
  }
  const run = RunFolder.reopen(dir);
  await runTraining(resumed.agent, resumed.config, run, flags, {
    envId: resumed.envId,
    envKwargs: resumed.envKwargs,
    seed: resumed.seed,
    resume: true,
  });
}

/**
 * Trains with a progress line, checkpoints, and Ctrl-C handling: the first Ctrl-C writes a checkpoint
 * at the end of the current update and exits with code 130, printing how to resume; a second one
 * quits at once (the last checkpoint stays).
 */
async function runTraining(
  agent: import("../../agents/index").AgentDefinition,
  config: JsonObject,
  run: RunFolder,
  flags: TrainFlags,
  ctx: { envId: string; envKwargs?: Record<string, unknown>; seed: number; resume?: boolean },
): Promise<void> {
  const { TrainingInterrupted } = await import("../../agents/training_loop");
  const out = run.dir;
  const progress = makeProgress(flags.quiet === true);
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) return;
    stopRequested = true;
    // From now on the default action applies: a second Ctrl-C ends the process at once.
    process.off("SIGINT", onSigint);
    progress.stop();
    console.error("\nCtrl-C: saving a checkpoint at the end of this update (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await agent.trainAsync(config as never, {
      ...ctx,
      run,
      onUpdate: progress.update,
      checkpointEvery: flags.checkpointEvery,
      shouldStop: () => stopRequested,
    });
    progress.stop();
    result.net.dispose();
    console.log(JSON.stringify({ run: path.resolve(out), ...result.summary }));
    if (process.stderr.isTTY && !flags.quiet) {
      const s = result.summary;
      const ret =
        s.finalReturnMean20 === null
          ? "no episode finished"
          : `mean return of the last 20 episodes ${s.finalReturnMean20}`;
      console.error(
        `${s.steps.toLocaleString("en")} steps in ${s.seconds} s (${s.sps.toLocaleString("en")} SPS); ${ret}.\n` +
          `run folder: ${out}   evaluate it: npx pomdp eval ${out}`,
      );
    }
  } catch (err) {
    if (!(err instanceof TrainingInterrupted)) throw err;
    progress.stop();
    run.close();
    const requires = (flags.require ?? []).map((r) => ` --require ${r}`).join("");
    console.error(
      err.envBlocker === undefined
        ? `stopped after update ${err.update} of ${err.numUpdates} (${err.step.toLocaleString("en")} steps); checkpoint written.\n` +
            `resume with: npx pomdp train --resume ${out}${requires}`
        : `stopped after update ${err.update} of ${err.numUpdates} (${err.step.toLocaleString("en")} steps); the weights are in ${err.checkpointDir}, ` +
            `but the run cannot be resumed: the env ${err.envBlocker} does not save its state (it has no getState/setState)`,
    );
    process.exit(130);
  } finally {
    process.off("SIGINT", onSigint);
    progress.stop();
    run.close();
  }
}

/** A progress line on a terminal (steps, SPS, rolling return, ETA); plain lines every ~10 % otherwise. */
function makeProgress(quiet: boolean): {
  update: (p: import("../../agents/training_loop").UpdateProgress) => void;
  stop: () => void;
} {
  if (quiet) return { update: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format:
        "{bar} {percentage}% | {value}/{total} steps | {sps} SPS | return(20) {ret} | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 20,
    });
    let started = false;
    return {
      update: (p) => {
        const payload = { sps: p.sps, ret: Number.isNaN(p.returnMean20) ? "–" : p.returnMean20.toFixed(1) };
        if (!started) {
          bar.start(p.totalSteps, p.step, payload);
          started = true;
        } else bar.update(p.step, payload);
      },
      stop: () => {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let nextTenth = 1;
  return {
    update: (p) => {
      if (p.step >= (nextTenth * p.totalSteps) / 10 || p.update === p.numUpdates) {
        nextTenth = Math.floor((10 * p.step) / p.totalSteps) + 1;
        const ret = Number.isNaN(p.returnMean20) ? "–" : p.returnMean20.toFixed(1);
        console.error(
          `step ${p.step}/${p.totalSteps} · ${p.sps} SPS · return(20) ${ret} · ${p.seconds.toFixed(0)} s`,
        );
      }
    },
    stop: () => {},
  };
}
