// The actor-critic of PPO and A2C: towers (tower.ts), then a policy head and a value head.
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type UniformSource } from "../src/core/rng";
import {
  argmaxRowsInto,
  categoricalEntropy,
  logProbOfLabels,
  logProbsInto,
  Mlp,
  MlpBatchFastPath,
  type Parameterised,
  readValues,
  sampleCategorical,
} from "../src/nn";
import type { RecurrentState } from "./recurrent_state";
import { type NetworkArgs, stopGradient, TowerNetwork } from "./tower";

/** What {@link ActorCritic.act} returns; arrays are reused by the next call with the same batch size. */
export interface ActResult {
  actions: Int32Array;
  logProbs: Float32Array;
  values: Float32Array;
}

/** What {@link ActorCritic.evaluate} returns: tensors of the graph, for a loss. */
export interface Evaluation {
  logProb: tf.Tensor1D;
  entropy: tf.Tensor1D;
  value: tf.Tensor1D;
  /** Each tower's encoder output [N, F] (before any detach): what a decoder reconstructs from. */
  encodings: tf.Tensor2D[];
}

/**
 * A policy π(a|o) and a value V(o) for discrete actions, with an optional LSTM memory: what PPO and
 * A2C train. `act` samples actions for a whole vector of envs with one read-back (typed arrays only,
 * for MLP/LSTM encoders); `evaluate` computes log-prob, entropy and value in one graph for the loss.
 * After the weights change (an optimiser step, a checkpoint load) call `weightsChanged()`: the agents'
 * optimiser step does it, so the fast path is never stale.
 */
export class ActorCritic extends TowerNetwork {
  readonly numActions: number;
  readonly actorHead: Mlp;
  readonly criticHead: Mlp;
  private fastHeads?: { actor: MlpBatchFastPath; critic: MlpBatchFastPath };
  private result?: ActResult;

  constructor(args: NetworkArgs) {
    super(args, (spec) => (spec.sharedEncoder ? ["shared"] : ["actor", "critic"]));
    const shared = this.spec.sharedEncoder;
    this.numActions = args.numActions;
    const featureDim = this.towers[0].featureDim;
    this.actorHead = new Mlp({
      sizes: [featureDim, args.numActions],
      outputGain: 0.01,
      seed: deriveSeed(args.seed, "init/actorHead"),
    });
    this.criticHead = new Mlp({
      sizes: [featureDim, 1],
      outputGain: 1,
      seed: deriveSeed(args.seed, "init/criticHead"),
    });
    const parts: Record<string, Parameterised> = shared
      ? { shared: this.towers[0] }
      : { actor: this.towers[0], critic: this.towers[1] };
    parts.actorHead = this.actorHead;
    parts.criticHead = this.criticHead;
    this.setParts(parts);
    if (this.fastTowers) {
      this.fastHeads = {
        actor: new MlpBatchFastPath(this.actorHead),
        critic: new MlpBatchFastPath(this.criticHead),
      };
    }
  }

  /**
   * The dense layers of the actor (its tower's MLP encoder, then the policy head) and of the critic
   * (its encoder, then the value head) when the network is only those, with separate towers and no
   * memory core or decoder: what A2C's fused step runs on the small-kernel heap. Undefined otherwise.
   */
  denseMlps(): { actor: Mlp[]; critic: Mlp[] } | undefined {
    if (this.recurrent || this.spec.encoder !== "mlp" || this.spec.sharedEncoder || this.hasDecoder)
      return undefined;
    const chain = (t: number, head: Mlp) => {
      const encoder = this.towers[t].encoder;
      return encoder instanceof Mlp ? [encoder, head] : [head];
    };
    return { actor: chain(0, this.actorHead), critic: chain(1, this.criticHead) };
  }

  /**
   * Samples one action per env for observations [B, ...] (row-major), with log-probs and values.
   * With an LSTM, `state` is stepped in place; rows where `episodeStarts[i]` is 1 are zeroed first.
   * `greedy` takes the most probable action instead of sampling.
   */
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy = false,
  ): ActResult {
    this.beginAct("ActorCritic.act", observations, batch, state, episodeStarts);
    if (this.result === undefined || this.result.actions.length !== batch) {
      this.result = {
        actions: new Int32Array(batch),
        logProbs: new Float32Array(batch),
        values: new Float32Array(batch),
      };
    }
    const { logits, values } = this.fastHeads
      ? this.forwardFast(observations, batch, state)
      : this.forwardGraph(observations, batch, state);
    const out = this.result;
    out.values.set(values);
    if (greedy) argmaxRowsInto(logits, this.numActions, out.actions);
    else sampleCategorical(logits, rng, this.numActions, out.actions);
    logProbsInto(logits, this.numActions, out.actions, out.logProbs);
    return out;
  }

  /**
   * V(o) of single observations without touching the acting state: the value of a truncated episode's
   * final observation. With an LSTM, row `env` of `state` is the memory the observation is read with.
   */
  stateValue(observation: ArrayLike<number>, state?: RecurrentState, env = 0): number {
    const single = state ? state.row(env) : undefined;
    const obs = Float32Array.from(observation as ArrayLike<number>);
    const { values } = this.fastHeads ? this.forwardFast(obs, 1, single) : this.forwardGraph(obs, 1, single);
    return values[0];
  }

  private forwardFast(
    observations: ArrayLike<number>,
    batch: number,
    state: RecurrentState | undefined,
  ): { logits: Float32Array; values: Float32Array } {
    const heads = this.fastHeads!;
    const towers = this.fastTowers!;
    this.refreshIfStale([heads.actor, heads.critic]);
    const obs = observations instanceof Float32Array ? observations : Float32Array.from(observations);
    const actorFeatures = towers[0].forward(obs, batch, state, 0);
    const logits = heads.actor.forward(actorFeatures, batch);
    const criticFeatures = towers.length === 1 ? actorFeatures : towers[1].forward(obs, batch, state, 1);
    const values = heads.critic.forward(criticFeatures, batch);
    return { logits, values };
  }

  /** The TF.js graph for acting (CNN encoders): one read-back of logits and values together. */
  private forwardGraph(
    observations: ArrayLike<number>,
    batch: number,
    state: RecurrentState | undefined,
  ): { logits: Float32Array; values: Float32Array } {
    const A = this.numActions;
    const both = readValues(() => {
      const obs = this.observationTensor(observations, batch);
      const features = this.towers.map((_, t) => this.towerStepGraph(t, obs, batch, state));
      const logits = this.actorHead.apply(features[0]);
      const values = this.criticHead.apply(features[features.length - 1]);
      return tf.concat([logits, values], 1);
    }) as Float32Array;
    const logits = new Float32Array(batch * A);
    const values = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      logits.set(both.subarray(b * (A + 1), b * (A + 1) + A), b * A);
      values[b] = both[b * (A + 1) + A];
    }
    return { logits, values };
  }

  /**
   * log π(a|o), entropy and V(o) for N = T × B rows in one graph (call inside a loss). Rows are
   * time-major (row t·B + b is env b at step t). With an LSTM, the towers are unrolled over T from
   * `initialState` (B envs), zeroing the state where `episodeStarts` [T·B] is 1 — the same masks as acting.
   */
  evaluate(
    observations: tf.Tensor,
    actions: tf.Tensor1D,
    initialState?: RecurrentState,
    episodeStarts?: tf.Tensor1D,
  ): Evaluation {
    return tf.tidy(() => {
      const { logits, value, encodings } = this.forward(observations, initialState, episodeStarts);
      return {
        logProb: logProbOfLabels(logits, actions),
        entropy: categoricalEntropy(logits),
        value,
        encodings,
      };
    });
  }

  /**
   * Logits [N, A] and values [N] in one graph (rows and recurrence as in {@link evaluate}), and each
   * tower's encoder output (for {@link reconstructionLoss}).
   */
  forward(
    observations: tf.Tensor,
    initialState?: RecurrentState,
    episodeStarts?: tf.Tensor1D,
  ): { logits: tf.Tensor2D; value: tf.Tensor1D; encodings: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const encodings: tf.Tensor2D[] = [];
      const features = this.towers.map((_, t) =>
        this.towerFeatures(t, observations, initialState, episodeStarts, undefined, encodings),
      );
      // net.detachActor (SAC+AE): the policy reads the shared features but sends no gradient into them.
      const actorFeatures = this.autoencoder.detachActor ? stopGradient(features[0]) : features[0];
      const logits = this.actorHead.apply(actorFeatures);
      const value = tf.reshape(this.criticHead.apply(features[features.length - 1]), [-1]) as tf.Tensor1D;
      return { logits, value, encodings };
    });
  }
}
