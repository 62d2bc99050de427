import * as path from "node:path";
import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseBackendName } from "../nn/backend_names";
import {
  applySets,
  ConfigError,
  type JsonObject,
  mergeConfig,
  readConfigFile,
  validateConfig,
} from "../train/config";
import { defaultRunDir, environmentFacts, RunFolder } from "../train/run_folder";
import { parseNonNegativeInt, parsePositiveInt, withRequire } from "./options";

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

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseBackendFlag(value: string): string {
  try {
    return parseBackendName(value, "--backend");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Flags of `pomdp train`. */
export interface TrainFlags {
  env: string;
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
}

/** The config layers the flags make (highest precedence below `--set`). */
function flagLayer(flags: TrainFlags): JsonObject {
  const layer: JsonObject = {};
  const net: JsonObject = {};
  if (flags.net !== undefined) net.encoder = flags.net;
  if (flags.lstm !== undefined) net.lstm = flags.lstm;
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
  spec(flags.env); // unknown id → error with close ids
  const fileLayer = flags.config ? readConfigFile(flags.config) : {};
  const userLayers = applySets(mergeConfig(fileLayer, flagLayer(flags)), flags.set ?? []);
  const lstm = (userLayers.net as JsonObject | undefined)?.lstm;
  const recurrent = typeof lstm === "number" && lstm > 0;
  let preset: ResolvedTraining["preset"];
  if (flags.preset === undefined) preset = findPreset(agent.name, flags.env, recurrent);
  else if (flags.preset !== "none") preset = presetByName(flags.preset);
  if (preset && preset.agent !== agent.name) {
    throw new ConfigError(`--preset "${preset.name}" is for --agent ${preset.agent}, not ${agent.name}`);
  }
  const merged = mergeConfig(preset?.config ?? {}, userLayers);
  const config = validateConfig(agent.schema, merged, agent.name) as JsonObject;
  return { agent, preset, config };
}

/** `pomdp train`: trains an agent and writes a run folder. */
export function trainCommand(): Command {
  const command = new Command("train")
    .description(
      "train an agent on an env; writes a run folder (config, metrics.jsonl, summary, final weights)",
    )
    .requiredOption("-e, --env <id>", "registered env id (yours too, with --require)")
    .option("-a, --agent <name>", "agent: ppo | a2c", "ppo")
    .addOption(new Option("--net <encoder>", "network encoder").choices(["mlp", "cnn"]))
    .option(
      "--lstm <H>",
      "an LSTM memory of H units after the encoder (recurrent PPO / A2C)",
      parseNonNegativeInt,
    )
    .option("--frame-stack <k>", "stack the last k observations", parseNonNegativeInt)
    .option("--prev-action", "append the previous action and reward to observations")
    .option("--steps <n>", "env steps in all (500000, 500k, 1M)", parseSteps)
    .option("--envs <N>", "envs stepped in parallel", parsePositiveInt)
    .option("-s, --seed <S>", "run seed: the root of every random stream of the run", parseNonNegativeInt, 1)
    .option("--config <file>", "JSON file of config fields")
    .option("--set <key=value>", "set a config field (dotted path, repeatable): --set net.lstm=128", collect)
    .option("--preset <name>", "a named preset, or none for the plain defaults (default: the env's preset)")
    .option("--env-kwargs <json>", "make() keyword arguments, e.g. '{\"flickerProb\": 0.2}'", parseJsonObject)
    .option("-o, --out <dir>", "run folder (default runs/<env>-<agent>-<seed>-<time>); never overwritten")
    .option("--backend <name>", "TF.js backend: tensorflow | wasm | cpu", parseBackendFlag)
    .option("-q, --quiet", "no progress line")
    .action(async (flags: TrainFlags) => {
      const resolved = await resolveTraining(flags);
      const out = flags.out ?? defaultRunDir(flags.env, flags.agent, flags.seed);
      RunFolder.checkFree(out);
      const { initBackend } = await import("../nn/backend");
      const { nnLogger } = await import("../nn/log");
      // The backend goes into config.json; the terminal only hears of it when something is wrong.
      const backend = await initBackend(flags.backend, nnLogger.child({}, { level: "warn" }));
      const run = RunFolder.create(out, {
        agent: resolved.agent.name,
        envId: flags.env,
        envKwargs: flags.envKwargs ?? {},
        seed: flags.seed,
        preset: resolved.preset?.name ?? null,
        presetSource: resolved.preset?.source ?? null,
        config: resolved.config,
        command: ["pomdp", ...process.argv.slice(2)].join(" "),
        startedAt: new Date().toISOString(),
        ...environmentFacts(backend),
      });
      const progress = makeProgress(flags.quiet === true);
      try {
        const result = resolved.agent.train(resolved.config as never, {
          envId: flags.env,
          envKwargs: flags.envKwargs,
          seed: flags.seed,
          run,
          onUpdate: progress.update,
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
      } finally {
        progress.stop();
        run.close();
      }
    });
  return withRequire(command);
}

/** A progress line on a terminal (steps, SPS, rolling return, ETA); plain lines every ~10 % otherwise. */
function makeProgress(quiet: boolean): {
  update: (p: import("../../agents/shared").UpdateProgress) => void;
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
