// PPO (Schulman et al. 2017) the CleanRL way, and recurrent PPO with a memory core (CleanRL's ppo_atari_lstm.py;
// RNN, GRU or LSTM): one file that reads top to bottom — rollout, GAE, clipped update (the config: configs.ts).
//
// Recurrent PPO keeps an LSTM state per env, zeroes it where that env's episode ended (and only
// there), stores the state at each rollout's start, and updates on minibatches of whole env
// sequences, replaying the LSTM from that stored state with the same per-step reset masks.
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng } from "../src/core/rng";
import { ClippedAdam } from "../src/nn";
import type { ActorCritic } from "./actor_critic";
import { AutoencoderTraining, checkAuxConfig, reconstructionDue, writeReconstructions } from "./aux_ae";
import { setUpActorCritic } from "./collector";
import type { PpoConfig } from "./configs";
import { memoryOf } from "./net_config";
import { periodicEvaluation } from "./periodic_eval";
import { type PpoLossStats, ppoLoss } from "./ppo_loss";
import {
  computeGae,
  explainedVariance,
  gatherRows,
  gatherSequences,
  type Minibatch,
  normalized,
} from "./rollout";
import {
  type TrainContext,
  type TrainingLoopArgs,
  type TrainResult,
  trainingLoop,
  trainingLoopAsync,
} from "./training_loop";

// The config (its schema, defaults and checks) is in configs.ts, which loads without TF.js.
export { type PpoConfig, PpoConfigSchema } from "./configs";

/** Trains PPO (recurrent PPO with a memory core) on `ctx.envId`. */
export function trainPpo(config: PpoConfig, ctx: TrainContext): TrainResult {
  return trainingLoop(ppoLoopArgs(config, ctx));
}

/** {@link trainPpo} giving the event loop a turn after every update (Ctrl-C stops it at an update boundary). */
export function trainPpoAsync(config: PpoConfig, ctx: TrainContext): Promise<TrainResult> {
  return trainingLoopAsync(ppoLoopArgs(config, ctx));
}

/** The run's set-up (env, network, optimiser, streams) and its update, for the training loop. */
function ppoLoopArgs(config: PpoConfig, ctx: TrainContext): TrainingLoopArgs {
  const N = config.numEnvs;
  const T = config.numSteps;
  const batchSize = N * T;
  const recurrent = memoryOf(config.net).kind !== "none";
  checkMinibatches(config, recurrent);
  checkAuxConfig(config.net, "ppo");

  // Env, network, normalizer and rollout, each seeded from its own branch of the run's seed tree.
  const { env, net, normalizer, buffer, collector, actionRng } = setUpActorCritic(config, ctx);
  const shuffleRng = new Rng(deriveSeed(ctx.seed, "minibatches"));
  const optimizer = new ClippedAdam(net.params(), {
    learningRate: config.learningRate,
    epsilon: config.adamEps,
    maxGradNorm: config.maxGradNorm,
  });
  const numUpdates = Math.max(1, Math.floor(config.totalSteps / batchSize));
  const ae = new AutoencoderTraining(net, config.net, ctx.seed);

  return {
    ctx,
    agent: "ppo",
    net,
    optimizer,
    normalizer,
    collector,
    env,
    rngs: { actions: actionRng, minibatches: shuffleRng, ...ae.rngs },
    checkpointExtra: ae.checkpoint,
    numUpdates,
    stepsPerUpdate: batchSize,
    requestedSteps: config.totalSteps,
    evaluation: periodicEvaluation(config, ctx, net),
    update: (update, onEpisode) => {
      // 1. Anneal: the fraction of the run still to go scales the step size (and the surrogate's clip range).
      const remaining = 1 - (update - 1) / numUpdates;
      optimizer.learningRate = config.annealLr ? remaining * config.learningRate : config.learningRate;
      const clip = config.annealClip ? remaining * config.clipCoef : config.clipCoef;
      // The entropy schedule: entCoef at the first update, entCoefEnd after the last.
      const progress = (update - 1) / numUpdates;
      const entCoef =
        config.entCoefEnd === null
          ? config.entCoef
          : config.entCoef + (config.entCoefEnd - config.entCoef) * progress;

      // 2. Rollout: numSteps steps of every env, then GAE from the value of the next observations.
      collector.collect(buffer, onEpisode);
      computeGae(buffer, collector.lastValues(), config.gamma, config.gaeLambda);

      // 3. Update: epochs over shuffled minibatches — rows, or whole env sequences when recurrent.
      const started = performance.now();
      let stats = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFrac: 0 };
      const clipFracs: number[] = [];
      const order = recurrent
        ? Int32Array.from({ length: N }, (_, i) => i)
        : Int32Array.from({ length: batchSize }, (_, i) => i);
      const perMinibatch = order.length / config.numMinibatches;
      for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
        shuffleRng.shuffle(order);
        for (let start = 0; start < order.length; start += perMinibatch) {
          const chosen = order.subarray(start, start + perMinibatch);
          const mb = recurrent
            ? gatherSequences(buffer, chosen, net)
            : gatherRows(buffer, chosen, net.observationSize);
          stats = ppoStep(net, optimizer, mb, config, clip, entCoef, ae);
          clipFracs.push(stats.clipFrac);
        }
        if (config.targetKl !== null && stats.approxKl > config.targetKl) break;
      }
      // 4. With a decoder: its mean loss over the update, and now and then a picture of what it keeps.
      if (net.hasDecoder && ctx.run && reconstructionDue(config.net, update, numUpdates))
        writeReconstructions(net, buffer.observations, batchSize, ctx.run.dir, collector.step);
      return {
        updateSeconds: (performance.now() - started) / 1000,
        metrics: {
          policyLoss: stats.policyLoss,
          valueLoss: stats.valueLoss,
          entropy: stats.entropy,
          approxKl: stats.approxKl,
          clipFrac: clipFracs.reduce((a, b) => a + b, 0) / clipFracs.length,
          explainedVariance: explainedVariance(buffer.values, buffer.returns),
          learningRate: optimizer.learningRate,
          ...(config.entCoefEnd === null ? {} : { entCoef }),
          ...(net.hasDecoder ? { reconLoss: ae.meter.take() } : {}),
        },
      };
    },
  };
}

/** Minibatches must split the rollout evenly: rows for PPO, whole envs for recurrent PPO. */
function checkMinibatches(config: PpoConfig, recurrent: boolean): void {
  const units = recurrent ? config.numEnvs : config.numEnvs * config.numSteps;
  if (units % config.numMinibatches !== 0) {
    const what = recurrent
      ? `numEnvs (${config.numEnvs}); recurrent minibatches are whole envs`
      : `numEnvs × numSteps (${units})`;
    throw new Error(`ppo config: field "numMinibatches": ${config.numMinibatches} does not divide ${what}`);
  }
}

/**
 * One gradient step of PPO's loss on a minibatch (the loss itself, with its hand-written gradient,
 * is `ppoLoss`): clipped surrogate, clipped value loss, entropy bonus; with a decoder (net.aux "ae"),
 * the reconstruction of the minibatch's observations joins the loss ("joint") or takes its own step
 * after it ("separate", SAC+AE), see `AutoencoderTraining`. Returns the minibatch's loss terms,
 * approximate KL and clip fraction.
 */
function ppoStep(
  net: ActorCritic,
  optimizer: ClippedAdam,
  mb: Minibatch,
  config: PpoConfig,
  clip: number,
  entCoef: number,
  ae: AutoencoderTraining,
): PpoLossStats {
  const stats: PpoLossStats = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFrac: 0 };
  const data = {
    actions: mb.actions,
    oldLogProbs: mb.logProbs,
    advantages: config.normAdv ? normalized(mb.advantages) : mb.advantages,
    returns: mb.returns,
    oldValues: mb.values,
  };
  const coefficients = {
    clip,
    clipVloss: config.clipVloss,
    valueClip: config.clipCoef,
    entCoef,
    vfCoef: config.vfCoef,
  };
  tf.tidy(() => {
    const obs = net.observationTensor(mb.observations, mb.rows);
    const episodeStarts = mb.episodeStarts ? tf.tensor1d(mb.episodeStarts) : undefined;
    optimizer.minimize(() => {
      const { logits, value, encodings } = net.forward(obs, mb.initialState, episodeStarts);
      const loss = ppoLoss(logits, value, data, coefficients, stats);
      return ae.withJointLoss(loss, obs, encodings);
    });
    ae.separateStep(obs);
  });
  net.weightsChanged();
  return stats;
}
