// `pomdp train` (its flags are in commands.ts): the flags become a run config request, resolved by
// src/train/resolve.ts with the built-in agents' catalog; then the run trains, with a progress line,
// checkpoints and Ctrl-C handling. Nothing heavy (TF.js, the agents' networks) loads before the config
// is resolved, so that a bad config is refused at once.
import * as path from "node:path";
import type { Command } from "commander";
import { AGENT_CATALOG } from "../../agents/catalog";
import type { AgentDefinition } from "../../agents/index";
import type { UpdateProgress } from "../../agents/training_loop";
import { ConfigError, type JsonObject } from "../train/config";
import {
  type ResolvedResume,
  type ResolvedRunConfig,
  type RunConfigRequest,
  resolveResume,
  resolveRunConfig,
} from "../train/resolve";
import type { EvalMetric, RunFolder } from "../train/run_folder";
import { acquireRunLock, type RunLock } from "../train/run_lock";
import { requireField } from "../train/run_modules";
import { resolveRequire } from "./options";
import { type StopRequest, watchStopRequests } from "./train_stop";

/** Flags of `pomdp train`. */
export interface TrainFlags {
  env?: string;
  agent: string;
  net?: "mlp" | "cnn";
  lstm?: number;
  rnn?: number;
  gru?: number;
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
  evalEvery?: number;
  evalEpisodes?: number;
  evalGreedy?: boolean;
  /** `--restart`: empty an unfinished run in `--out` and start it again. */
  restart?: boolean;
  /** `--force`: take the run folder's lock even when its holder may still run. */
  force?: boolean;
}

/**
 * The net fields of the memory flags: `--lstm H` (net.lstm, the shorthand), `--rnn H` or `--gru H`
 * (net.memory with net.memorySize); at most one of them.
 */
export function memoryFlagFields(flags: Pick<TrainFlags, "lstm" | "rnn" | "gru">): JsonObject {
  const given = (["lstm", "rnn", "gru"] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) {
    throw new ConfigError(
      `${given.map((k) => `--${k}`).join(" and ")}: give one memory flag (--rnn, --gru or --lstm), not ${given.length}`,
    );
  }
  if (flags.lstm !== undefined) return { lstm: flags.lstm };
  for (const kind of ["rnn", "gru"] as const) {
    const size = flags[kind];
    if (size !== undefined) return { memory: kind, memorySize: size };
  }
  return {};
}

/** The run config request the flags make: the agent, env, preset, `--config`, the fields the flags set, `--set`. */
export function runConfigRequest(flags: TrainFlags): RunConfigRequest {
  const net: JsonObject = {};
  if (flags.net !== undefined) net.encoder = flags.net;
  Object.assign(net, memoryFlagFields(flags));
  if (flags.aux !== undefined) net.aux = flags.aux;
  if (flags.auxWeight !== undefined) net.auxWeight = flags.auxWeight;
  if (flags.auxDetach) net.auxDetach = true;
  if (flags.freezeEncoder) net.freezeEncoder = true;
  const fields: JsonObject = {};
  if (Object.keys(net).length > 0) fields.net = net;
  if (flags.frameStack !== undefined) fields.frameStack = flags.frameStack;
  if (flags.prevAction) fields.previousAction = true;
  if (flags.steps !== undefined) fields.totalSteps = flags.steps;
  if (flags.envs !== undefined) fields.numEnvs = flags.envs;
  if (flags.evalEvery !== undefined) fields.evalEvery = flags.evalEvery;
  if (flags.evalEpisodes !== undefined) fields.evalEpisodes = flags.evalEpisodes;
  if (flags.evalGreedy) fields.evalGreedy = true;
  return {
    agent: flags.agent,
    envId: flags.env,
    envKwargs: flags.envKwargs,
    preset: flags.preset,
    configFile: flags.config,
    fields,
    sets: flags.set,
    encoderFrom: flags.encoderFrom,
  };
}

/**
 * Resolves the config of `pomdp train <flags>` (see src/train/resolve.ts): the agent's defaults, then
 * the preset for (agent, env, memory), then `--config`, then the flags, then `--set`. Throws a
 * {@link ConfigError} (one line naming the field) on bad input.
 */
export function resolveTraining(flags: TrainFlags): Promise<ResolvedRunConfig> {
  return resolveRunConfig(runConfigRequest(flags), AGENT_CATALOG);
}

/** Flags that set up a new run: `--resume` takes them from the run's config.json instead. */
const NEW_RUN_FLAGS: readonly (keyof TrainFlags)[] = [
  "env",
  "agent",
  "net",
  "lstm",
  "rnn",
  "gru",
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
  "evalEvery",
  "evalEpisodes",
  "evalGreedy",
  "restart",
];

/** `pomdp train`: trains an agent and writes a run folder. */
export async function trainAction(flags: TrainFlags, cmd: Command): Promise<void> {
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
  const { defaultRunDir, environmentFacts, RunFolder } = await import("../train/run_folder");
  const out = flags.out ?? defaultRunDir(env, flags.agent, flags.seed);
  if (flags.restart && flags.out === undefined)
    throw new ConfigError("--restart starts the run in --out again: give --out");
  // One writer per run folder, from before the folder is looked at until the process ends.
  const lock = takeRunLock(out, flags);
  if (flags.restart) {
    const { clearUnfinishedRun } = await import("../train/run_folder");
    clearUnfinishedRun(out);
  }
  try {
    RunFolder.checkFree(out);
  } catch (err) {
    lock.release();
    throw err;
  }
  // The config is good: now the agents and TF.js load.
  const { agentByName } = await import("../../agents/index");
  const agent = agentByName(resolved.agent.name);
  const { backendFacts, initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  // The backend goes into config.json; the terminal only hears of it when something is wrong.
  const backend = await initBackend(flags.backend, nnLogger.child({}, { level: "warn" }));
  // The folder is created once the env and the network are built: a run refused before writes nothing.
  const open = () =>
    RunFolder.create(out, {
      agent: agent.name,
      envId: env,
      envKwargs: flags.envKwargs ?? {},
      // The --require'd modules, loaded again by every command that reads the run.
      ...requireField((flags.require ?? []).map((module) => ({ module, path: resolveRequire(module) }))),
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
  await runTraining(agent, resolved.config, { dir: out, open }, flags, {
    envId: env,
    envKwargs: flags.envKwargs,
    seed: flags.seed,
  });
}

/** Takes the run folder's lock (released when the process exits); throws, naming the holder, when held. */
function takeRunLock(dir: string, flags: TrainFlags): RunLock {
  const say = (line: string) => console.error(line);
  return acquireRunLock(dir, { force: flags.force, warn: say, note: flags.quiet ? undefined : say });
}

/** `pomdp train --resume <dir>`: checks the folder, then continues the run where its checkpoint left it. */
async function resumeRun(dir: string, flags: TrainFlags): Promise<void> {
  const resumed: ResolvedResume = await resolveResume(dir, AGENT_CATALOG);
  // One writer per run folder: nothing is changed in it before the lock is held.
  takeRunLock(dir, flags);
  const { agentByName } = await import("../../agents/index");
  const { RunFolder } = await import("../train/run_folder");
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
  const open = () => RunFolder.reopen(dir);
  await runTraining(agentByName(resumed.agent.name), resumed.config, { dir, open }, flags, {
    envId: resumed.envId,
    envKwargs: resumed.envKwargs,
    seed: resumed.seed,
    resume: true,
  });
}

/**
 * Trains with a progress line, checkpoints, and stop requests (see ./train_stop.ts): Ctrl-C, SIGUSR1,
 * SIGTERM under Slurm, or the parent named by POMDP_PARENT_PID gone. The first writes a checkpoint at
 * the end of the current update and exits (130 for Ctrl-C, 128 + the signal's number for a signal),
 * printing how to resume; a second Ctrl-C quits at once (the last checkpoint stays).
 */
async function runTraining(
  agent: AgentDefinition,
  config: JsonObject,
  folder: { dir: string; open: () => RunFolder },
  flags: TrainFlags,
  ctx: { envId: string; envKwargs?: Record<string, unknown>; seed: number; resume?: boolean },
): Promise<void> {
  const { TrainingInterrupted } = await import("../../agents/training_loop");
  const out = folder.dir;
  let run: RunFolder | undefined;
  const progress = await makeProgress(flags.quiet === true);
  let stop: StopRequest | undefined;
  const stopWatch = watchStopRequests((request) => {
    stop = request;
    progress.stop();
    console.error(`\n${request.message}`);
  });
  try {
    const result = await agent.trainAsync(config as never, {
      ...ctx,
      openRun: () => {
        run = folder.open();
        return run;
      },
      onUpdate: progress.update,
      onEval: progress.evaluated,
      checkpointEvery: flags.checkpointEvery,
      shouldStop: () => stop !== undefined,
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
    run?.close();
    console.error(
      err.envBlocker === undefined
        ? `stopped after update ${err.update} of ${err.numUpdates} (${err.step.toLocaleString("en")} steps); checkpoint written.\n` +
            `resume with: npx pomdp train --resume ${out}`
        : `stopped after update ${err.update} of ${err.numUpdates} (${err.step.toLocaleString("en")} steps); the weights are in ${err.checkpointDir}, ` +
            `but the run cannot be resumed: the env ${err.envBlocker} does not save its state (it has no getState/setState)`,
    );
    process.exit(stop?.exitCode ?? 130);
  } finally {
    stopWatch();
    progress.stop();
    run?.close();
  }
}

/** One line on a periodic evaluation. */
export function evalLine(e: EvalMetric, best: boolean): string {
  const success = e.successRate === undefined ? "" : `, success ${(100 * e.successRate).toFixed(0)} %`;
  return (
    `eval at step ${e.step.toLocaleString("en")}: return ${e.returnMean.toFixed(2)} ± ${e.returnStd.toFixed(2)}${success} ` +
    `over ${e.episodes} episodes (${e.greedy ? "greedy" : "sampled"})${best ? ", the best so far: saved in best/" : ""}`
  );
}

/**
 * A progress line on a terminal (steps, SPS, rolling return, the last evaluation, ETA); plain lines
 * every ~10 % and one per evaluation otherwise.
 */
async function makeProgress(quiet: boolean): Promise<{
  update: (p: UpdateProgress) => void;
  evaluated: (e: EvalMetric, best: boolean) => void;
  stop: () => void;
}> {
  if (quiet) return { update: () => {}, evaluated: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const { SingleBar } = await import("cli-progress");
    const bar = new SingleBar({
      format:
        "{bar} {percentage}% | {value}/{total} steps | {sps} SPS | return(20) {ret}{ev} | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 20,
    });
    let started = false;
    let ev = "";
    return {
      update: (p) => {
        const payload = {
          sps: p.sps,
          ret: Number.isNaN(p.returnMean20) ? "–" : p.returnMean20.toFixed(1),
          ev,
        };
        if (!started) {
          bar.start(p.totalSteps, p.step, payload);
          started = true;
        } else bar.update(p.step, payload);
      },
      evaluated: (e) => {
        ev = ` | eval ${e.returnMean.toFixed(1)}`;
        bar.update({ ev });
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
    evaluated: (e, best) => console.error(evalLine(e, best)),
    stop: () => {},
  };
}
