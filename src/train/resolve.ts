/**
 * A run's config, resolved in one place for `pomdp train`, the runs of `pomdp experiment` (each one a
 * `pomdp train` process) and the library: the agent's defaults < its preset for the env < the
 * `--config` file < the flags < `--set`, validated against the agent's schema, then the checks across
 * fields and the fit of a pretrained encoder (`--encoder-from`); and, for `--resume`, a run folder's
 * saved config read back and checked the same way.
 *
 * This file owns the resolution: the layers and their precedence, the validation and every error
 * message. What it must know of the agents — each agent's schema and cross-field checks, the
 * presets, how to read a pretrained encoder's folder and a checkpoint — it is given as an
 * {@link AgentCatalog} argument, because src/train may not import agents/: agents/catalog.ts builds
 * the catalog (`AGENT_CATALOG`, which loads no TF.js, so that a bad config is refused at once) and
 * passes it in, as envs register themselves into src/core. Library users call
 * `resolveRunConfig(request, AGENT_CATALOG)` (both exported by agents/index.ts), or pass a catalog of
 * their own agents.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { spec } from "../core/registry";
import {
  applySets,
  ConfigError,
  type JsonObject,
  mergeConfig,
  readConfigFile,
  validateConfig,
} from "./config";
import { RUN_FILES } from "./run_files";
import { loadRunModules } from "./run_modules";

/** What config resolution needs to know of one agent. */
export interface AgentConfigDefinition {
  /** The name `--agent` takes and config.json records. */
  name: string;
  description: string;
  /** The agent's config: fields, defaults and ranges. */
  schema: z.ZodTypeAny;
  /** The checks across fields that the schema cannot make, on the validated config; throws a ConfigError. */
  check?(config: JsonObject): void;
}

/** One preset: tuned config fields over an agent's defaults for one env (as RL Zoo's hyperparameter files). */
export interface Preset {
  /** The name `--preset` takes and config.json records. */
  name: string;
  agent: string;
  envId: string;
  /** Which networks it is for: memoryless, recurrent (any memory core: net.memory or net.lstm), or both. */
  memory: "none" | "recurrent" | "any";
  /** Where the numbers come from. */
  source: string;
  config: JsonObject;
}

/** What a run's checkpoint says it is, and how far it got (agents' TrainCheckpoint holds these and the states). */
export interface CheckpointFacts {
  agent: string;
  envId: string;
  seed: number;
  /** Updates completed. */
  update: number;
  numUpdates: number;
  /** Env steps completed. */
  step: number;
}

/** What the agents tell config resolution (agents/catalog.ts makes the built-in agents' one). */
export interface AgentCatalog {
  agents: readonly AgentConfigDefinition[];
  presets: readonly Preset[];
  /** A folder `pomdp pretrain-ae` wrote (net.encoderFrom). Errors name `what` (the flag or field) and `dir`. */
  pretrainedEncoder: {
    /** Its encoder's dense layers after the convolutions and whether it ends in SAC+AE's LayerNorm + tanh: they become net.hidden and net.latentNorm. */
    encoderFields(dir: string, what: string): { hidden: number[]; latentNorm: boolean };
    /** Throws unless it fits the observations of the env (with the config's wrappers) and net.hidden. */
    checkFits(
      dir: string,
      what: string,
      run: { envId: string; envKwargs?: Record<string, unknown>; config: JsonObject },
    ): void | Promise<void>;
  };
  /** Reads the checkpoint of a run folder; throws (one line) when there is none to resume from. */
  readCheckpoint(runDir: string): CheckpointFacts | Promise<CheckpointFacts>;
}

/** A run's config as asked for: what the flags of `pomdp train` say. */
export interface RunConfigRequest {
  /** The agent's name (`--agent`). */
  agent: string;
  /** The registered env id (`--env`); required. */
  envId?: string;
  /** make() keyword arguments of the env (`--env-kwargs`). */
  envKwargs?: Record<string, unknown>;
  /** A preset's name, `none` for the plain defaults, or absent for the env's preset (`--preset`). */
  preset?: string;
  /** A JSON file of config fields (`--config`). */
  configFile?: string;
  /** Config fields the flags set (`--net`, `--lstm`, `--steps`, …): over the file, under `sets`. */
  fields?: JsonObject;
  /** `key.path=value` assignments (`--set`): the last layer. */
  sets?: readonly string[];
  /** A folder `pomdp pretrain-ae` wrote (`--encoder-from`): net.encoderFrom, and its dense layers as net.hidden. */
  encoderFrom?: string;
}

/** A resolved run config: the agent, the preset it started from and the validated config (config.json's). */
export interface ResolvedRunConfig {
  agent: AgentConfigDefinition;
  preset: Preset | undefined;
  config: JsonObject;
}

/** The agent called `name`; an unknown name is an error listing the known ones. */
export function agentConfigByName(
  catalog: Pick<AgentCatalog, "agents">,
  name: string,
): AgentConfigDefinition {
  const agent = catalog.agents.find((a) => a.name === name);
  if (!agent) {
    throw new ConfigError(
      `--agent "${name}": unknown agent; expected one of ${catalog.agents.map((a) => a.name).join(", ")}`,
    );
  }
  return agent;
}

/**
 * The preset for an agent on an env, for a memoryless or recurrent network: the one picked when no
 * preset is named (undefined when there is none).
 */
export function findPreset(
  presets: readonly Preset[],
  agent: string,
  envId: string,
  recurrent: boolean,
): Preset | undefined {
  return presets.find(
    (p) =>
      p.agent === agent &&
      p.envId === envId &&
      (p.memory === "any" || (p.memory === "recurrent") === recurrent),
  );
}

/** The `net` fields that choose the memory core: net.lstm is shorthand for net.memory "lstm" with net.memorySize. */
const MEMORY_FIELDS = ["lstm", "memory", "memorySize"] as const;

/** Whether a (partial) `net` asks for a memory core: net.lstm > 0, or net.memory other than "none". */
export function asksForMemory(net: JsonObject | undefined): boolean {
  const { lstm, memory } = net ?? {};
  if (typeof memory === "string") return memory !== "none";
  return typeof lstm === "number" && lstm > 0;
}

/**
 * `upper` merged over `lower`, where the memory fields go as one: if `upper`'s net sets any of net.lstm,
 * net.memory and net.memorySize, those of `lower` are dropped (so `--gru 64` over a preset's
 * `lstm: 128` asks for a GRU of 64, not a conflict).
 */
export function mergeOverMemory(lower: JsonObject, upper: JsonObject): JsonObject {
  const upperNet = upper.net as JsonObject | undefined;
  const lowerNet = lower.net as JsonObject | undefined;
  if (!upperNet || !lowerNet || !MEMORY_FIELDS.some((f) => f in upperNet)) return mergeConfig(lower, upper);
  const net = { ...lowerNet };
  for (const f of MEMORY_FIELDS) delete net[f];
  return mergeConfig({ ...lower, net }, upper);
}

/** The preset called `name`; an unknown name is an error listing the known ones. */
export function presetByName(presets: readonly Preset[], name: string): Preset {
  const found = presets.find((p) => p.name === name);
  if (!found) {
    throw new ConfigError(
      `--preset "${name}": no such preset; expected none or one of ${presets.map((p) => p.name).join(", ")}`,
    );
  }
  return found;
}

/**
 * Resolves a run's config: the agent's defaults, then the preset for (agent, env, memory), then the
 * `--config` file, then the flags' fields, then `--set`; validates it, checks it across fields and
 * checks the fit of a pretrained encoder. Throws a {@link ConfigError} (one line naming the field or
 * flag) on bad input, before anything is written.
 */
export async function resolveRunConfig(
  request: RunConfigRequest,
  catalog: AgentCatalog,
): Promise<ResolvedRunConfig> {
  const agent = agentConfigByName(catalog, request.agent);
  const envId = request.envId;
  if (envId === undefined) throw new ConfigError("required option '-e, --env <id>' not specified");
  spec(envId); // unknown id → error with close ids
  const fileLayer = request.configFile !== undefined ? readConfigFile(request.configFile) : {};
  const fieldsLayer = structuredClone(request.fields ?? {});
  if (request.encoderFrom !== undefined) {
    // The pretrained encoder decides the encoder's dense layers and bottleneck (--set net.hidden=… can
    // still differ, and is refused).
    const from = request.encoderFrom;
    let fields: { hidden: number[]; latentNorm: boolean };
    try {
      fields = catalog.pretrainedEncoder.encoderFields(from, "--encoder-from");
    } catch (err) {
      throw asConfigError(err);
    }
    fieldsLayer.net = {
      ...(fieldsLayer.net as JsonObject | undefined),
      encoderFrom: path.resolve(from),
      hidden: fields.hidden,
      latentNorm: fields.latentNorm,
    };
  }
  const userLayers = applySets(mergeOverMemory(fileLayer, fieldsLayer), request.sets ?? []);
  const recurrent = asksForMemory(userLayers.net as JsonObject | undefined);
  let preset: Preset | undefined;
  if (request.preset === undefined) preset = findPreset(catalog.presets, agent.name, envId, recurrent);
  else if (request.preset !== "none") preset = presetByName(catalog.presets, request.preset);
  if (preset && preset.agent !== agent.name) {
    throw new ConfigError(`--preset "${preset.name}" is for --agent ${preset.agent}, not ${agent.name}`);
  }
  const config = validateConfig(agent.schema, mergeOverMemory(preset?.config ?? {}, userLayers), agent.name);
  agent.check?.(config);
  const encoderFrom = (config.net as JsonObject | undefined)?.encoderFrom;
  if (typeof encoderFrom === "string") {
    const what = request.encoderFrom !== undefined ? "--encoder-from" : "net.encoderFrom";
    try {
      await catalog.pretrainedEncoder.checkFits(encoderFrom, what, {
        envId,
        envKwargs: request.envKwargs,
        config,
      });
    } catch (err) {
      throw asConfigError(err);
    }
  }
  return { agent, preset, config };
}

/** An error as a {@link ConfigError} (one line, before anything is written). */
function asConfigError(err: unknown): ConfigError {
  return err instanceof ConfigError ? err : new ConfigError((err as Error).message);
}

/** What `pomdp train --resume` reads from a run folder before anything runs. */
export interface ResolvedResume {
  agent: AgentConfigDefinition;
  /** The run's config, as its config.json holds it (validated again). */
  config: JsonObject;
  envId: string;
  envKwargs: Record<string, unknown>;
  seed: number;
  /** The backend the run trained on. */
  backend: string;
  /** Updates and steps already done. */
  update: number;
  numUpdates: number;
  step: number;
}

/**
 * Reads back the config of the run in `dir` to resume it: a readable config.json (checked against
 * the agent's schema), no summary.json, and a checkpoint of the same agent, env and seed. Every
 * refusal is one {@link ConfigError} line starting with `--resume <dir>:`.
 */
export async function resolveResume(dir: string, catalog: AgentCatalog): Promise<ResolvedResume> {
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
  let agent: AgentConfigDefinition;
  let config: JsonObject;
  try {
    agent = agentConfigByName(catalog, run.agent as string);
    config = validateConfig(agent.schema, run.config, agent.name);
  } catch (err) {
    throw fail(`${RUN_FILES.config} is corrupt: ${(err as Error).message}`);
  }
  // An env of the user's: the modules the run --require'd load again (or a --require given now).
  try {
    loadRunModules(configFile, run as { envId: string; require?: unknown });
    spec(run.envId as string);
  } catch (err) {
    throw fail((err as Error).message);
  }
  let checkpoint: CheckpointFacts;
  try {
    checkpoint = await catalog.readCheckpoint(dir);
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
