// A2C (Mnih et al. 2016, synchronous) the Stable-Baselines3 way, and recurrent A2C with a memory core:
// one file that reads top to bottom — rollout, n-step returns, one gradient step (the config: configs.ts).
//
// It shares everything but the update with PPO: the rollout buffer and collector, GAE (λ = 1 gives
// SB3's n-step returns), the actor-critic and the training loop. Each rollout (numEnvs × numSteps,
// 8 × 5 by default) makes exactly one RMSprop step on the whole rollout; recurrent A2C replays all
// env sequences at once from the LSTM state stored at the rollout's start.
import * as tf from "@tensorflow/tfjs";
import { ClippedAdam, type ClippedOptimizer, ClippedRmsprop } from "../src/nn";
import { FusedA2cStep } from "./a2c_fused";
import type { ActorCritic } from "./actor_critic";
import { AutoencoderTraining, checkAuxConfig, reconstructionDue, writeReconstructions } from "./aux_ae";
import { setUpActorCritic } from "./collector";
import type { A2cConfig } from "./configs";
import { memoryOf } from "./net_config";
import { periodicEvaluation } from "./periodic_eval";
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
export { type A2cConfig, A2cConfigSchema } from "./configs";

/** Trains A2C (recurrent A2C with a memory core) on `ctx.envId`. */
export function trainA2c(config: A2cConfig, ctx: TrainContext): TrainResult {
  const { args, dispose } = a2cLoopArgs(config, ctx);
  try {
    return trainingLoop(args);
  } finally {
    dispose();
  }
}

/** {@link trainA2c} giving the event loop a turn after every update (Ctrl-C stops it at an update boundary). */
export async function trainA2cAsync(config: A2cConfig, ctx: TrainContext): Promise<TrainResult> {
  const { args, dispose } = a2cLoopArgs(config, ctx);
  try {
    return await trainingLoopAsync(args);
  } finally {
    dispose();
  }
}

/** The run's set-up (env, network, optimiser, streams) and its update, for the training loop. */
function a2cLoopArgs(config: A2cConfig, ctx: TrainContext): { args: TrainingLoopArgs; dispose: () => void } {
  const N = config.numEnvs;
  const T = config.numSteps;
  const batchSize = N * T;
  const recurrent = memoryOf(config.net).kind !== "none";
  checkAuxConfig(config.net, "a2c");

  // Env, network, normalizer and rollout, each seeded from its own branch of the run's seed tree.
  const { env, net, normalizer, buffer, collector, actionRng } = setUpActorCritic(config, ctx);
  const optimizerArgs = {
    learningRate: config.learningRate,
    epsilon: config.rmsPropEps,
    maxGradNorm: config.maxGradNorm,
  };
  const optimizer: ClippedOptimizer = config.useRmsProp
    ? new ClippedRmsprop(net.params(), { ...optimizerArgs, alpha: 0.99 })
    : new ClippedAdam(net.params(), optimizerArgs);
  const numUpdates = Math.max(1, Math.floor(config.totalSteps / batchSize));
  // The whole rollout is the one batch: all rows, or all env sequences when recurrent.
  const allEnvs = Int32Array.from({ length: N }, (_, i) => i);
  const allRows = Int32Array.from({ length: batchSize }, (_, i) => i);
  const ae = new AutoencoderTraining(net, config.net, ctx.seed);
  // Actor-critics of dense layers with separate towers train on the small-kernel heap (a2c_fused.ts).
  const fused = FusedA2cStep.tryCreate(net, optimizer, config);

  const args: TrainingLoopArgs = {
    ctx,
    agent: "a2c",
    net,
    optimizer,
    normalizer,
    collector,
    env,
    rngs: { actions: actionRng, ...ae.rngs },
    checkpointExtra: ae.checkpoint,
    numUpdates,
    stepsPerUpdate: batchSize,
    requestedSteps: config.totalSteps,
    evaluation: periodicEvaluation(config, ctx, net),
    update: (update, onEpisode) => {
      // 1. Anneal: the fraction of the run still to go scales the step size.
      const remaining = 1 - (update - 1) / numUpdates;
      optimizer.learningRate = config.annealLr ? remaining * config.learningRate : config.learningRate;

      // 2. Rollout: numSteps steps of every env, then returns from the value of the next observations.
      collector.collect(buffer, onEpisode);
      computeGae(buffer, collector.lastValues(), config.gamma, config.gaeLambda);

      // 3. Update: one gradient step on the whole rollout.
      const started = performance.now();
      const batch = recurrent
        ? gatherSequences(buffer, allEnvs, net)
        : gatherRows(buffer, allRows, net.observationSize);
      const stats = fused
        ? fused.step(batch, config.normalizeAdvantage ? normalized(batch.advantages) : batch.advantages)
        : a2cStep(net, optimizer, batch, config, ae);
      if (net.hasDecoder && ctx.run && reconstructionDue(config.net, update, numUpdates))
        writeReconstructions(net, buffer.observations, batchSize, ctx.run.dir, collector.step);
      return {
        updateSeconds: (performance.now() - started) / 1000,
        metrics: {
          policyLoss: stats.policyLoss,
          valueLoss: stats.valueLoss,
          entropy: stats.entropy,
          explainedVariance: explainedVariance(buffer.values, buffer.returns),
          learningRate: optimizer.learningRate,
          ...(net.hasDecoder ? { reconLoss: ae.meter.take() } : {}),
        },
      };
    },
  };
  return { args, dispose: () => fused?.dispose() };
}

/**
 * One gradient step of A2C's loss on the rollout, as SB3:
 * L = −mean(Â · log π(a|o)) + c_e · (−mean(H[π])) + c_v · mean((R − V)²),
 * Â the advantages (normalized over the rollout if asked), R the returns; with a decoder
 * (net.aux "ae") the reconstruction loss, joined or in its own step (see `AutoencoderTraining`). Returns the
 * loss terms (and the mean entropy, not its negative).
 */
export function a2cStep(
  net: ActorCritic,
  optimizer: ClippedOptimizer,
  batch: Minibatch,
  config: A2cConfig,
  ae: AutoencoderTraining,
): { policyLoss: number; valueLoss: number; entropy: number } {
  const advantages = config.normalizeAdvantage ? normalized(batch.advantages) : batch.advantages;
  let stats: tf.Tensor1D | undefined;
  tf.tidy(() => {
    const obs = net.observationTensor(batch.observations, batch.rows);
    const actions = tf.tensor1d(batch.actions, "int32");
    const adv = tf.tensor1d(advantages);
    const returns = tf.tensor1d(batch.returns);
    const episodeStarts = batch.episodeStarts ? tf.tensor1d(batch.episodeStarts) : undefined;
    optimizer.minimize(() => {
      const { logProb, entropy, value, encodings } = net.evaluate(
        obs,
        actions,
        batch.initialState,
        episodeStarts,
      );
      const policyLoss = tf.neg(tf.mean(tf.mul(adv, logProb)));
      const valueLoss = tf.mean(tf.square(tf.sub(returns, value)));
      const entropyMean = tf.mean(entropy);
      stats = tf.keep(tf.stack([policyLoss, valueLoss, entropyMean]) as tf.Tensor1D);
      const loss = tf.add(
        tf.sub(policyLoss, tf.mul(config.entCoef, entropyMean)),
        tf.mul(config.vfCoef, valueLoss),
      ) as tf.Scalar;
      return ae.withJointLoss(loss, obs, encodings);
    });
    ae.separateStep(obs);
  });
  net.weightsChanged();
  const values = stats!.dataSync();
  stats!.dispose();
  return { policyLoss: values[0], valueLoss: values[1], entropy: values[2] };
}
