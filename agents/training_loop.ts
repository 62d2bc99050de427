// The training loop every agent runs around its update: metrics.jsonl lines (episodes and updates),
// progress, checkpoints every few updates or seconds, resume, Ctrl-C, and at the end the final state
// and summary.json. An agent gives it a set-up (network, optimiser, collector, random streams) and
// one `update` per iteration (CleanRL's loop body); the checkpoint format is in train_checkpoint.ts.
import * as fs from "node:fs";
import type { Rng } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { warn } from "../src/core/warnings";
import type { ClippedOptimizer, Parameterised } from "../src/nn";
import type { VecNormalizer } from "../src/train/normalize";
import {
  DEFAULT_CHECKPOINT_EVERY,
  type EpisodeMetric,
  type EvalMetric,
  type RunFolder,
  type RunSummary,
  type UpdateMetric,
  writeFolderAtomic,
} from "../src/train/run_folder";
import type { ActorCritic } from "./actor_critic";
import type { FinishedEpisode } from "./collector";
import { evaluateNow, nextEvaluationStep, type PeriodicEvaluation } from "./periodic_eval";
import {
  restoreCheckpoint,
  saveAgentState,
  saveTrainCheckpoint,
  vectorStateBlocker,
} from "./train_checkpoint";

/** What a training run is given besides the agent's config. */
export interface TrainContext {
  /** Registered env id. */
  envId: string;
  /** `make` keyword arguments. */
  envKwargs?: Record<string, unknown>;
  /** The run's seed: the root of its seed tree. */
  seed: number;
  /** Where metrics, logs and the final state go (none: nothing is written). */
  run?: RunFolder;
  /**
   * Instead of `run`: opens the run folder when training starts, once the env and the network are
   * built, so that a run refused before then (an env that cannot be made, a bad config) writes nothing.
   * The loop sets `run` to what it returns.
   */
  openRun?: () => RunFolder;
  /**
   * Called after every update (progress line, tests), with the network and normalizer being trained
   * (the browser page's worker plays one env with them between updates; they must not be changed).
   */
  onUpdate?: (progress: UpdateProgress, agent: TrainingAgent) => void;
  /** Called for every finished training episode. */
  onEpisode?: (episode: FinishedEpisode) => void;
  /** Called after every periodic evaluation (config evalEvery), with its metrics line. */
  onEval?: (evaluation: EvalMetric, best: boolean) => void;
  /**
   * Called with every line the loop writes to metrics.jsonl (episodes, updates, evaluations), also when
   * there is no run folder (the browser page's worker posts them to the page).
   */
  onMetric?: (line: EpisodeMetric | UpdateMetric | EvalMetric) => void;
  /**
   * How {@link trainingLoopAsync} gives the event loop a turn after every update; default `setImmediate`
   * (Node). The browser page's worker passes its own (browsers have no setImmediate), which also waits
   * there while training is paused.
   */
  yieldTurn?: () => Promise<void>;
  /**
   * Write a checkpoint into the run folder every this many updates (0: only when stopped); default
   * {@link DEFAULT_CHECKPOINT_EVERY}. Needs `run`. Checkpoints never change what the run computes.
   */
  checkpointEvery?: number;
  /** Also write one when this many seconds passed since the last (0: never); default 60. */
  checkpointSeconds?: number;
  /** Continue the run in `run` from its checkpoint (see {@link readTrainCheckpoint}) instead of starting it. */
  resume?: boolean;
  /**
   * Asked after every update: when it returns true, the loop writes a checkpoint and throws
   * {@link TrainingInterrupted} (how Ctrl-C stops `pomdp train`).
   */
  shouldStop?: () => boolean;
}

/** Thrown by the training loop when `shouldStop` asked it to stop; a checkpoint has been written. */
export class TrainingInterrupted extends Error {
  constructor(
    /** Updates completed (and saved). */
    readonly update: number,
    readonly numUpdates: number,
    /** Env steps completed. */
    readonly step: number,
    /** The checkpoint folder written. */
    readonly checkpointDir: string | undefined,
    /** The env layer that does not save its state (the checkpoint cannot resume the run), if any. */
    readonly envBlocker?: string,
  ) {
    super(`training stopped after update ${update} of ${numUpdates} (${step} steps)`);
    this.name = "TrainingInterrupted";
  }
}

/** What `onUpdate` hears. */
export interface UpdateProgress {
  update: number;
  numUpdates: number;
  step: number;
  totalSteps: number;
  sps: number;
  /** Mean return of the last 20 training episodes (NaN before the first). */
  returnMean20: number;
  seconds: number;
}

/** The network and observation normalizer a run is training, as `onUpdate` hears them. */
export interface TrainingAgent {
  net: TrainableNet;
  normalizer: VecNormalizer;
}

/** What the training loop needs of an agent's network: its parameters, and to hear when they change. */
export interface TrainableNet extends Parameterised {
  /** Number of trainable values. */
  parameterCount(): number;
  /** The weights changed (optimiser step, checkpoint load): typed-array copies must be refreshed. */
  weightsChanged(): void;
}

/**
 * What the training loop needs of an agent's acting side (the rollout collector, DQN's replay
 * collector): the env steps so far, where the time went, and its position as JSON for checkpoints.
 */
export interface LoopCollector {
  /** Env steps so far, all envs counted. */
  step: number;
  /** Seconds spent stepping envs and acting (the summary's breakdown). */
  envSeconds: number;
  actSeconds: number;
  getState(): object;
  /** Continues from {@link getState}'s JSON; throws naming the bad field. */
  setState(state: never): void;
}

/** What a run returns: its summary plus the trained network (the caller disposes it). */
export interface TrainResult<N extends TrainableNet = ActorCritic> {
  summary: RunSummary;
  net: N;
  normalizer: VecNormalizer;
}

/** What an agent's update reports. */
export interface UpdateOutcome {
  updateSeconds: number;
  metrics: Record<string, number>;
}

/** Arguments of {@link trainingLoop}. */
export interface TrainingLoopArgs<N extends TrainableNet = ActorCritic> {
  ctx: TrainContext;
  agent: string;
  net: N;
  optimizer: ClippedOptimizer;
  normalizer: VecNormalizer;
  collector: LoopCollector;
  env: VectorEnv;
  rngs: Record<string, Rng>;
  numUpdates: number;
  /** Env steps per update, all envs counted. */
  stepsPerUpdate: number;
  /**
   * The steps the config asked for (`totalSteps`). The run takes numUpdates × stepsPerUpdate; when that
   * is more (fewer steps than one update were asked), the loop warns, on stderr and in the log.
   */
  requestedSteps: number;
  /** One iteration: collect a rollout (calling onEpisode per finished episode) and update. */
  update: (update: number, onEpisode: (e: FinishedEpisode) => void) => UpdateOutcome;
  /** Evaluate the agent every so many steps (the config's evalEvery > 0); see periodic_eval.ts. */
  evaluation?: PeriodicEvaluation;
  /**
   * More of the run's state than the loop knows of (DQN: the target network and the replay buffer),
   * written into each checkpoint folder and read back on resume.
   */
  checkpointExtra?: {
    write(dir: string): void;
    read(dir: string): void;
  };
}

/**
 * Runs `numUpdates` iterations of an agent's update, writing metrics.jsonl lines (episodes and
 * updates), reporting progress, checkpoints, and at the end the final state and summary.json.
 */
export function trainingLoop<N extends TrainableNet>(args: TrainingLoopArgs<N>): TrainResult<N> {
  const loop = loopSteps(args);
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
  }
}

/**
 * {@link trainingLoop} that gives the event loop a turn after every update, so that signals (Ctrl-C)
 * and timers are handled while training runs.
 */
export async function trainingLoopAsync<N extends TrainableNet>(
  args: TrainingLoopArgs<N>,
): Promise<TrainResult<N>> {
  const loop = loopSteps(args);
  const yieldTurn = args.ctx.yieldTurn ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
    await yieldTurn();
  }
}

/**
 * Warns when the run takes more steps than asked (fewer than one update's were); a run rounded down
 * to whole updates gets a line in its log only.
 */
function warnRounding(args: TrainingLoopArgs<TrainableNet>, totalSteps: number): void {
  const { ctx, requestedSteps, stepsPerUpdate } = args;
  if (totalSteps === requestedSteps) return;
  const rounding = { requestedSteps, stepsPerUpdate, totalSteps };
  if (totalSteps > requestedSteps) {
    const message = `${ctx.envId}: totalSteps ${requestedSteps} is fewer than one update (${stepsPerUpdate} steps): the run is rounded up to ${totalSteps} steps`;
    ctx.run?.logger.warn(rounding, message);
    warn(message);
  } else {
    ctx.run?.logger.info(
      rounding,
      `the run is rounded down to ${totalSteps} steps, whole updates of ${stepsPerUpdate}`,
    );
  }
}

/** The loop itself, yielding after every update. */
function* loopSteps<N extends TrainableNet>(
  args: TrainingLoopArgs<N>,
): Generator<void, TrainResult<N>, void> {
  const { ctx, net, collector, numUpdates } = args;
  if (ctx.run === undefined && ctx.openRun !== undefined) ctx.run = ctx.openRun();
  const run = ctx.run;
  try {
    let recent: number[] = [];
    let firstUpdate = 1;
    let pastSeconds = 0;
    let updateSeconds = 0;
    /** The best periodic evaluation so far (its agent is in best/). */
    let bestEval: BestEvaluation | undefined;
    if (ctx.resume) {
      if (!run) throw new Error("trainingLoop: resume needs a run folder");
      const saved = restoreCheckpoint(run, args);
      recent = saved.recent;
      firstUpdate = saved.update + 1;
      pastSeconds = saved.seconds;
      updateSeconds = saved.updateSeconds;
      bestEval = saved.bestEval;
    }
    const evaluation = args.evaluation;
    let nextEval = evaluation ? nextEvaluationStep(collector.step, evaluation.every) : Infinity;
    let lastEval = -1;
    let evalSeconds = 0;
    const onEpisode = (e: FinishedEpisode) => {
      recent.push(e.return);
      if (recent.length > 20) recent.shift();
      const line: EpisodeMetric = { type: "episode", step: e.step, return: e.return, length: e.length };
      run?.metric(line);
      ctx.onMetric?.(line);
      ctx.onEpisode?.(e);
    };
    const totalSteps = numUpdates * args.stepsPerUpdate;
    const started = performance.now() - pastSeconds * 1000;
    // Seconds of training so far, periodic evaluations excluded (so SPS is the training's).
    const trainingSeconds = () => (performance.now() - started) / 1000 - evalSeconds;
    const every = ctx.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    const everySeconds = ctx.checkpointSeconds ?? 60;
    let lastCheckpoint = performance.now();
    const envBlocker = run ? vectorStateBlocker(args.env) : undefined;
    run?.logger.info(
      {
        agent: args.agent,
        envId: ctx.envId,
        seed: ctx.seed,
        numUpdates,
        stepsPerUpdate: args.stepsPerUpdate,
        parameters: net.parameterCount(),
        ...(ctx.resume ? { resumedAfterUpdate: firstUpdate - 1, step: collector.step } : {}),
      },
      ctx.resume ? "run resumed" : "run started",
    );
    if (!ctx.resume) warnRounding(args, totalSteps);
    if (run && envBlocker !== undefined) {
      run.logger.warn(
        { env: envBlocker },
        "the env does not save its state: checkpoints cannot resume this run",
      );
    }
    const checkpoint = (update: number) => {
      if (!run) return undefined;
      const seconds = trainingSeconds();
      saveTrainCheckpoint(run, args, { update, recent, seconds, updateSeconds, envBlocker, bestEval });
      lastCheckpoint = performance.now();
      return run.checkpointDir;
    };
    for (let update = firstUpdate; update <= numUpdates; update++) {
      const outcome = args.update(update, onEpisode);
      updateSeconds += outcome.updateSeconds;
      const seconds = trainingSeconds();
      const sps = Math.round(collector.step / seconds);
      if (run || ctx.onMetric) {
        const line: UpdateMetric = { type: "update", step: collector.step, sps, ...outcome.metrics };
        // The process's resident memory: Node only (a browser has no such figure).
        if (typeof process !== "undefined" && process.memoryUsage !== undefined) {
          line.rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
        }
        run?.metric(line);
        ctx.onMetric?.(line);
      }
      ctx.onUpdate?.(
        {
          update,
          numUpdates,
          step: collector.step,
          totalSteps,
          sps,
          returnMean20: recent.length > 0 ? mean(recent) : Number.NaN,
          seconds,
        },
        { net, normalizer: args.normalizer },
      );
      // Due at each multiple of evalEvery, and once more at the end: the curve ends at the final agent.
      if (
        evaluation &&
        (collector.step >= nextEval || (update === numUpdates && lastEval < collector.step))
      ) {
        const result = evaluateNow(evaluation, args.normalizer, collector.step);
        evalSeconds += result.seconds;
        lastEval = collector.step;
        nextEval = nextEvaluationStep(collector.step, evaluation.every);
        run?.metric(result);
        ctx.onMetric?.(result);
        // The best mean return so far (the first of equals) is kept in best/, as SB3's best_model.
        const isBest = bestEval === undefined || result.returnMean > bestEval.returnMean;
        if (isBest) {
          bestEval = { step: result.step, returnMean: result.returnMean };
          if (run) writeFolderAtomic(run.bestDir, (dir) => saveAgentState(dir, args));
        }
        ctx.onEval?.(result, isBest);
      }
      if (update < numUpdates) {
        if (ctx.shouldStop?.()) {
          const dir = checkpoint(update);
          run?.logger.info({ update, step: collector.step }, "run stopped; checkpoint written");
          throw new TrainingInterrupted(update, numUpdates, collector.step, dir, envBlocker);
        }
        const due =
          (every > 0 && update % every === 0) ||
          (everySeconds > 0 && performance.now() - lastCheckpoint >= everySeconds * 1000);
        if (due) checkpoint(update);
        yield;
      }
    }
    const seconds = trainingSeconds();
    const summary: RunSummary = {
      steps: collector.step,
      seconds: round(seconds, 2),
      sps: Math.round(collector.step / seconds),
      finalReturnMean20: recent.length > 0 ? round(mean(recent), 2) : null,
      parameters: net.parameterCount(),
      secondsIn: {
        env: round(collector.envSeconds, 2),
        acting: round(collector.actSeconds, 2),
        update: round(updateSeconds, 2),
        ...(evaluation ? { evaluation: round(evalSeconds, 2) } : {}),
      },
      ...(bestEval ? { bestEval } : {}),
    };
    if (run) {
      saveAgentState(run.finalDir, args);
      run.summary(summary);
      // A finished run is not resumed: its checkpoint has served.
      fs.rmSync(run.checkpointDir, { recursive: true, force: true });
      run.logger.info(summary, "run finished");
    }
    return { summary, net, normalizer: args.normalizer };
  } finally {
    args.env.close();
  }
}

/** The best periodic evaluation of a run: where it was and its mean return. */
export interface BestEvaluation {
  step: number;
  returnMean: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
