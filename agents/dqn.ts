// DQN (Mnih et al. 2015) the CleanRL way (dqn.py), Double DQN (van Hasselt et al. 2016) with
// `double`, and DRQN (Hausknecht & Stone 2015) with a memory core: one file that reads top to
// bottom — Q-network and target network, replay, ε-greedy acting, TD update (the config: configs.ts).
//
// Steps are env steps, all envs counted: env step g (g = 0, 1, …) trains the Q-network once when
// g > learningStarts and g % trainFrequency = 0, and moves the target network towards it when
// g % targetNetworkFrequency = 0 — with one env exactly CleanRL's loop.
//
// DRQN replays sequences instead of single transitions: `sequenceLength` steps of one env that never
// cross the end of an episode (padded and masked there), unrolled from a zero state ("bootstrapped
// random updates") or from the state stored when the first step was acted on (R2D2), after `burnIn`
// steps that only warm the state up. While acting, the LSTM state is carried per env and zeroed
// where that env's episode ended.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { ClippedAdam, loadCheckpoint, type ParamMap, readValues, saveCheckpoint } from "../src/nn";
import { VecNormalizer } from "../src/train/normalize";
import {
  AutoencoderTraining,
  bothExtras,
  checkAuxConfig,
  reconstructionDue,
  writeReconstructions,
} from "./aux_ae";
import { type FinishedEpisode, VectorCollector } from "./collector";
import type { DqnConfig } from "./configs";
import { qNetworkFor, setUpEnvAndNetworks } from "./env_setup";
import { memoryOf } from "./net_config";
import { periodicEvaluation } from "./periodic_eval";
import type { QNetwork } from "./q_network";
import { RecurrentState } from "./recurrent_state";
import { ReplayBuffer, sequenceBatch, type TransitionBatch, transitionBatch } from "./replay";
import { FusedTdStep } from "./td_fused";
import { bestValue, type TdStats, tdLossValues } from "./td_loss";
import {
  type TrainContext,
  type TrainingLoopArgs,
  type TrainResult,
  trainingLoop,
  trainingLoopAsync,
} from "./training_loop";

// The config (its schema, defaults and checks) is in configs.ts, which loads without TF.js.
export { type DqnConfig, DqnConfigSchema, DrqnConfigSchema } from "./configs";
export { bestValue } from "./td_loss";

/** Trains DQN (Double DQN with `double`, DRQN with a memory core) on `ctx.envId`. */
export function trainDqn(config: DqnConfig, ctx: TrainContext, agent = "dqn"): TrainResult<QNetwork> {
  const { args, dispose } = dqnLoopArgs(config, ctx, agent);
  try {
    return trainingLoop(args);
  } finally {
    dispose();
  }
}

/** {@link trainDqn} giving the event loop a turn after every iteration (Ctrl-C stops it at a boundary). */
export async function trainDqnAsync(
  config: DqnConfig,
  ctx: TrainContext,
  agent = "dqn",
): Promise<TrainResult<QNetwork>> {
  const { args, dispose } = dqnLoopArgs(config, ctx, agent);
  try {
    return await trainingLoopAsync(args);
  } finally {
    dispose();
  }
}

/**
 * Env steps of one iteration of DQN's training loop (its "update": logEvery steps rounded to whole
 * vector steps of numEnvs); learning starts after learningStarts of them.
 */
export function dqnStepsPerUpdate(config: Pick<DqnConfig, "logEvery" | "numEnvs">): number {
  return Math.max(1, Math.round(config.logEvery / config.numEnvs)) * config.numEnvs;
}

/** `--agent drqn`: {@link trainDqn} of a DRQN config, its runs and checkpoints named drqn. */
export function trainDrqn(config: DqnConfig, ctx: TrainContext): TrainResult<QNetwork> {
  return trainDqn(config, ctx, "drqn");
}

/** {@link trainDrqn} giving the event loop a turn after every iteration. */
export function trainDrqnAsync(config: DqnConfig, ctx: TrainContext): Promise<TrainResult<QNetwork>> {
  return trainDqnAsync(config, ctx, "drqn");
}

/** ε at env step t: linear from startE to endE over `duration` steps, then endE (CleanRL's linear_schedule). */
export function linearSchedule(startE: number, endE: number, duration: number, t: number): number {
  const slope = (endE - startE) / duration;
  return Math.max(slope * t + startE, endE);
}

/** The run's set-up (env, Q and target networks, replay, streams) and its iteration, for the training loop. */
function dqnLoopArgs(
  config: DqnConfig,
  ctx: TrainContext,
  agent: string,
): { args: TrainingLoopArgs<QNetwork>; dispose: () => void } {
  const N = config.numEnvs;
  const memory = memoryOf(config.net);
  const recurrent = memory.kind !== "none";
  const storedStates = recurrent && config.initialState === "stored";
  const net = { ...config.net, sharedEncoder: true };
  checkAuxConfig(config.net, agent);

  // Env, Q-network and its target (a copy), each seeded from its own branch of the run's seed tree.
  const {
    env,
    nets: [qNetwork, target],
  } = setUpEnvAndNetworks(config, ctx, (vectorEnv) => [
    qNetworkFor(vectorEnv, net, ctx.seed),
    qNetworkFor(vectorEnv, net, ctx.seed),
  ]);
  softUpdate(target.params(), qNetwork.params(), 1);
  const optimizer = new ClippedAdam(qNetwork.params(), {
    learningRate: config.learningRate,
    epsilon: config.adamEps,
    maxGradNorm: config.maxGradNorm ?? undefined,
  });
  // No normalization (CleanRL's DQN has none): the loop saves this identity normalizer's empty state.
  const normalizer = new VecNormalizer({
    observationSize: qNetwork.observationSize,
    numEnvs: N,
    observations: false,
    rewards: false,
    gamma: config.gamma,
  });
  const stateSize = storedStates ? memory.size : 0;
  const buffer = new ReplayBuffer({
    capacity: config.bufferSize,
    numEnvs: N,
    observationSize: qNetwork.observationSize,
    stateSize,
    stateParts: qNetwork.stateParts,
  });
  const actionRng = new Rng(deriveSeed(ctx.seed, "actions"));
  const replayRng = new Rng(deriveSeed(ctx.seed, "replay"));
  const collector = new ReplayCollector(env, qNetwork, normalizer, actionRng, deriveSeed(ctx.seed, "env"));

  const stepsPerUpdate = dqnStepsPerUpdate(config);
  const vectorSteps = stepsPerUpdate / N;
  const numUpdates = Math.max(1, Math.floor(config.totalSteps / stepsPerUpdate));
  const explorationSteps = config.explorationFraction * config.totalSteps;
  const ae = new AutoencoderTraining(qNetwork, config.net, ctx.seed);
  const learner: TdLearner = { qNetwork, target, optimizer, buffer, rng: replayRng, config, ae };
  // Dense-only Q-networks train on the small-kernel heap (td_fused.ts); others in the TF.js graph.
  const fused = recurrent
    ? undefined
    : FusedTdStep.tryCreate(qNetwork, target, optimizer, config, config.batchSize);
  const trainStep = recurrent
    ? sequenceTrainStep(learner)
    : fused
      ? fusedTrainStep(learner, fused)
      : transitionTrainStep(learner);
  const updateTarget = () =>
    fused ? fused.updateTarget(config.tau) : softUpdate(target.params(), qNetwork.params(), config.tau);

  const args: TrainingLoopArgs<QNetwork> = {
    ctx,
    agent,
    net: qNetwork,
    optimizer,
    normalizer,
    collector,
    env,
    rngs: { actions: actionRng, replay: replayRng, ...ae.rngs },
    numUpdates,
    stepsPerUpdate,
    requestedSteps: config.totalSteps,
    evaluation: periodicEvaluation(config, ctx, qNetwork, config.endE),
    update: (update, onEpisode) => {
      let updateSeconds = 0;
      let tdLoss = 0;
      let qMean = 0;
      let gradientSteps = 0;
      fused?.pull();
      for (let k = 0; k < vectorSteps; k++) {
        // 1. Act ε-greedily in every env and store the transitions (env steps first … first + N − 1).
        const first = collector.step;
        qNetwork.epsilon = linearSchedule(config.startE, config.endE, explorationSteps, first);
        collector.collect(buffer, onEpisode);

        // 2. Train: one TD step per env step due, then the target network when its turn comes.
        const started = performance.now();
        for (let g = first; g < collector.step; g++) {
          if (g <= config.learningStarts) continue;
          if (g % config.trainFrequency === 0) {
            const stats = trainStep();
            tdLoss += stats.tdLoss;
            qMean += stats.qMean;
            gradientSteps += 1;
          }
          if (g % config.targetNetworkFrequency === 0) updateTarget();
        }
        updateSeconds += (performance.now() - started) / 1000;
      }
      if (fused) {
        const started = performance.now();
        fused.push();
        qNetwork.weightsChanged();
        updateSeconds += (performance.now() - started) / 1000;
      }
      // With a decoder: now and then a picture of replayed observations and their reconstructions.
      if (qNetwork.hasDecoder && ctx.run && reconstructionDue(config.net, update, numUpdates)) {
        const rows = buffer.size * buffer.numEnvs;
        writeReconstructions(qNetwork, buffer.observations, rows, ctx.run.dir, collector.step);
      }
      return {
        updateSeconds,
        metrics: {
          // NaN (null in metrics.jsonl) before the first gradient step.
          tdLoss: tdLoss / gradientSteps,
          qMean: qMean / gradientSteps,
          epsilon: qNetwork.epsilon,
          gradientSteps,
          learningRate: optimizer.learningRate,
          ...(qNetwork.hasDecoder ? { reconLoss: ae.meter.take() } : {}),
        },
      };
    },
    checkpointExtra: bothExtras(ae.checkpoint, {
      write: (dir) => {
        saveCheckpoint(path.join(dir, "target"), target.params());
        buffer.save(path.join(dir, "replay"));
      },
      read: (dir) => {
        loadCheckpoint(path.join(dir, "target"), target.params());
        buffer.load(path.join(dir, "replay"));
      },
    }),
  };
  return {
    args,
    dispose: () => {
      fused?.dispose();
      target.dispose();
    },
  };
}

/**
 * Steps a vector env with ε-greedy actions of the Q-network and stores every transition in the replay
 * buffer: the next observation is the ended episode's final one where an episode ended (so a
 * truncated episode bootstraps from it), and with stored states the LSTM state each env acted with.
 */
export class ReplayCollector extends VectorCollector {
  private readonly nextObs: Float32Array;
  /** The episode starts of the observations acted on (before the step updates them). */
  private readonly actedEpisodeStarts: Uint8Array;
  private readonly actedState: RecurrentState;

  constructor(
    env: VectorEnv,
    private readonly net: QNetwork,
    normalizer: VecNormalizer,
    private readonly rng: Rng,
    envSeed: number,
  ) {
    super(env, net, normalizer, envSeed);
    this.nextObs = new Float32Array(this.obs.length);
    this.actedEpisodeStarts = new Uint8Array(env.numEnvs);
    this.actedState = net.initialState(env.numEnvs);
  }

  /** One vector step into `buffer`; calls `onEpisode` for every episode that ends. */
  collect(buffer: ReplayBuffer, onEpisode: (e: FinishedEpisode) => void): void {
    const { net, env, normalizer } = this;
    const N = env.numEnvs;
    const F = net.observationSize;
    let clock = performance.now();
    for (let i = 0; i < N; i++) if (this.episodeStarts[i]) this.state.reset(i);
    if (buffer.stateSize > 0) {
      this.actedState.h.set(this.state.h);
      this.actedState.c.set(this.state.c);
    }
    const { actions } = net.act(this.obs, N, this.rng, this.state);
    const now = performance.now();
    this.actSeconds += (now - clock) / 1000;
    clock = now;
    const result = env.step(actions);
    this.envSeconds += (performance.now() - clock) / 1000;
    const { rewards, terminated, truncated, infos } = result;
    this.nextObs.set(normalizer.observations(result.observations, N));
    for (let i = 0; i < N; i++) {
      if (terminated[i] || truncated[i]) {
        const final = infos[i].finalObservation as ArrayLike<number>;
        this.nextObs.set(normalizer.normalize(final, 1), i * F);
      }
    }
    this.actedEpisodeStarts.set(this.episodeStarts);
    this.countStep(rewards, terminated, truncated, onEpisode);
    buffer.add({
      observations: this.obs,
      nextObservations: this.nextObs,
      actions,
      rewards: Float32Array.from(rewards),
      terminated: Uint8Array.from(terminated, Number),
      truncated: Uint8Array.from(truncated, Number),
      episodeStarts: this.actedEpisodeStarts,
      h: this.actedState.h,
      c: this.actedState.c,
    });
    this.obs.set(normalizer.observations(result.observations, N));
  }
}

/** What a gradient step works with. */
interface TdLearner {
  qNetwork: QNetwork;
  target: QNetwork;
  optimizer: ClippedAdam;
  buffer: ReplayBuffer;
  /** The replay sampling stream. */
  rng: Rng;
  config: DqnConfig;
  /** Trains the decoder (net.aux "ae") and hears its loss. */
  ae: AutoencoderTraining;
}

/**
 * DQN's gradient step on uniformly sampled transitions in the TF.js graph ({@link graphTdStep}): for
 * networks the small-kernel heap does not run (a CNN encoder).
 */
function transitionTrainStep(learner: TdLearner): () => TdStats {
  const { qNetwork, buffer, rng, config } = learner;
  const batch = transitionBatch(config.batchSize, qNetwork.observationSize);
  const step = graphTdStep(learner.qNetwork, learner.target, learner.optimizer, config, learner.ae);
  return () => {
    buffer.sample(rng, batch);
    return step(batch);
  };
}

/**
 * DQN's gradient step on a batch of transitions, in the TF.js graph:
 * y = r + γ·(1 − terminated)·max_a Q_target(o′, a)   (Double DQN: Q_target(o′, argmax_a Q(o′, a))),
 * then one Adam step on the TD loss of Q(o, a) against y. The targets are computed on typed arrays
 * from one read-back; the loss is one custom-gradient op ({@link tdLoss}). (Exported for the tests
 * that hold the fused step, td_fused.ts, against it.)
 */
export function graphTdStep(
  qNetwork: QNetwork,
  target: QNetwork,
  optimizer: ClippedAdam,
  config: Pick<DqnConfig, "batchSize" | "gamma" | "double" | "loss">,
  ae?: AutoencoderTraining,
): (batch: TransitionBatch) => TdStats {
  const B = config.batchSize;
  const F = qNetwork.observationSize;
  const A = qNetwork.numActions;
  const targets = new Float32Array(B);
  const stats: TdStats = { tdLoss: 0, qMean: 0 };
  return (batch) => {
    const next = readValues(() => {
      const nextObs = qNetwork.observationTensor(batch.observations.subarray(B * F), B);
      const qTarget = target.forward(nextObs).q;
      return config.double ? tf.concat([qTarget, qNetwork.forward(nextObs).q], 1) : qTarget;
    }) as Float32Array;
    const width = config.double ? 2 * A : A;
    for (let i = 0; i < B; i++) {
      const nextValue = bestValue(next, i * width, A, config.double);
      targets[i] = batch.rewards[i] + config.gamma * batch.bootstrap[i] * nextValue;
    }
    tf.tidy(() => {
      const obs = qNetwork.observationTensor(batch.observations.subarray(0, B * F), B);
      optimizer.minimize(() => {
        const { q, encodings } = qNetwork.forward(obs);
        const loss = tdLoss(q, batch.actions, targets, undefined, config.loss, stats);
        return ae ? ae.withJointLoss(loss, obs, encodings) : loss;
      });
      ae?.separateStep(obs);
    });
    qNetwork.weightsChanged();
    return stats;
  };
}

/** DQN's gradient step on the small-kernel heap (td_fused.ts): the same step as {@link transitionTrainStep}. */
function fusedTrainStep({ qNetwork, buffer, rng, config }: TdLearner, fused: FusedTdStep): () => TdStats {
  const batch = transitionBatch(config.batchSize, qNetwork.observationSize);
  return () => {
    buffer.sample(rng, batch);
    return fused.step(batch);
  };
}

/**
 * DRQN's gradient step on sequences: both networks are unrolled over the burn-in, the sequence and
 * its next observation from the same initial state (zero or stored); the targets come from the
 * target network's Q-values one step ahead, the loss from the online network's over the sequence
 * (after a burn-in without gradient), masked where the episode had ended.
 */
function sequenceTrainStep({
  qNetwork,
  target,
  optimizer,
  buffer,
  rng,
  config,
  ae,
}: TdLearner): () => TdStats {
  const B = config.batchSize;
  const L = config.sequenceLength;
  const K = config.burnIn;
  const F = qNetwork.observationSize;
  const A = qNetwork.numActions;
  const stateSize = buffer.stateSize;
  const batch = sequenceBatch(B, L, K, F, stateSize, buffer.stateParts);
  const T = batch.steps;
  const targets = new Float32Array(L * B);
  const stats: TdStats = { tdLoss: 0, qMean: 0 };
  return () => {
    buffer.sampleSequences(rng, batch);
    const initial =
      stateSize > 0
        ? new RecurrentState(1, B, stateSize, batch.h!.slice(), batch.c?.slice(), buffer.stateParts)
        : qNetwork.initialState(B);
    // 1. Targets from the whole unroll of the target network (and of the online one for Double DQN).
    const next = readValues(() => {
      const obs = qNetwork.observationTensor(batch.observations, T * B);
      const episodeStarts = tf.tensor1d(batch.episodeStarts);
      const qTarget = target.forward(obs, initial, episodeStarts).q;
      return config.double
        ? tf.concat([qTarget, qNetwork.forward(obs, initial, episodeStarts).q], 1)
        : qTarget;
    }) as Float32Array;
    const width = config.double ? 2 * A : A;
    for (let j = 0; j < L; j++) {
      for (let b = 0; b < B; b++) {
        const row = j * B + b;
        const nextValue = bestValue(next, ((K + j + 1) * B + b) * width, A, config.double);
        targets[row] = batch.rewards[row] + config.gamma * batch.bootstrap[row] * nextValue;
      }
    }
    // 2. Burn-in: the online network's state after the first K steps, without gradient.
    const start = initial.copy();
    if (K > 0) {
      tf.tidy(() => {
        const obs = qNetwork.observationTensor(batch.observations.subarray(0, K * B * F), K * B);
        qNetwork.forward(obs, initial, tf.tensor1d(batch.episodeStarts.subarray(0, K * B)), start);
      });
    }
    // 3. One Adam step on the masked TD loss over the sequence.
    tf.tidy(() => {
      const obs = qNetwork.observationTensor(batch.observations.subarray(K * B * F, (K + L) * B * F), L * B);
      const episodeStarts = tf.tensor1d(batch.episodeStarts.subarray(K * B, (K + L) * B));
      optimizer.minimize(() => {
        const { q, encodings } = qNetwork.forward(obs, start, episodeStarts);
        const loss = tdLoss(q, batch.actions, targets, batch.mask, config.loss, stats);
        return ae.withJointLoss(loss, obs, encodings);
      });
      ae.separateStep(obs);
    });
    qNetwork.weightsChanged();
    return stats;
  };
}

/**
 * The TD loss as one custom-gradient op: mean over rows (weighted by `mask` when given) of
 * (Q(o, a) − y)² or Huber(Q(o, a) − y) with δ = 1, from Q-values [N, A] (differentiable), the
 * actions taken and the targets y. `stats` receives the loss and the mean Q(o, a).
 */
export function tdLoss(
  q: tf.Tensor2D,
  actions: Int32Array,
  targets: Float32Array,
  mask: Float32Array | undefined,
  kind: "mse" | "huber",
  stats?: TdStats,
): tf.Scalar {
  const op = tf.customGrad(((qIn: tf.Tensor) => {
    const [N, A] = qIn.shape as [number, number];
    const dq = new Float32Array(N * A);
    const out = stats ?? { tdLoss: 0, qMean: 0 };
    tdLossValues(qIn.dataSync() as Float32Array, N, A, actions, targets, mask, kind, dq, out);
    return {
      value: tf.scalar(out.tdLoss),
      gradFunc: (dy: tf.Tensor) => {
        const s = dy.dataSync()[0];
        if (s !== 1) for (let j = 0; j < dq.length; j++) dq[j] *= s;
        return [tf.tensor2d(dq, [N, A])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(q) as tf.Scalar;
}

/** θ′ ← τ·θ + (1 − τ)·θ′ for every parameter of `target` (τ = 1: a hard copy). */
export function softUpdate(target: ParamMap, source: ParamMap, tau: number): void {
  for (const [name, variable] of target) {
    const from = source.get(name);
    if (from === undefined) throw new Error(`softUpdate: the source has no parameter "${name}"`);
    tf.tidy(() =>
      variable.assign(tau === 1 ? tf.clone(from) : tf.add(tf.mul(from, tau), tf.mul(variable, 1 - tau))),
    );
  }
}
