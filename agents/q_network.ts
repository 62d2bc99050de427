// The Q-network of DQN, Double DQN and DRQN: one tower (tower.ts), then a linear Q head.
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type UniformSource } from "../src/core/rng";
import { argmaxRow, Mlp, MlpBatchFastPath, readValues } from "../src/nn";
import type { RecurrentState } from "./recurrent_state";
import { type NetworkArgs, TowerNetwork } from "./tower";

/** What {@link QNetwork.act} returns; the array is reused by the next call with the same batch size. */
export interface QActResult {
  actions: Int32Array;
}

/**
 * Action values Q(o, ·) for discrete actions, with an optional LSTM memory (DRQN): what DQN, Double
 * DQN and DRQN train. One tower (encoder, optional LSTM) and a linear head. `act` is ε-greedy with
 * `epsilon` (the training schedule sets it; a loaded agent uses the run's final ε), on typed arrays
 * for MLP/LSTM encoders; `forward` is the graph for the loss.
 */
export class QNetwork extends TowerNetwork {
  readonly numActions: number;
  readonly head: Mlp;
  /** Probability of a uniformly random action in `act` when not greedy: ε of ε-greedy. */
  epsilon = 0;
  private readonly fastHead?: MlpBatchFastPath;
  /**
   * Where acting reads Q-values [batch × A] while DQN's fused training step holds the current weights
   * on the small-kernel heap (agents/td_fused.ts sets it for the run and clears it at the end); the
   * typed-array fast path or the graph otherwise.
   */
  heapQValues?: (observations: Float32Array, batch: number) => Float32Array;
  private result?: QActResult;
  private greedyRows = new Uint8Array(0);

  constructor(args: NetworkArgs) {
    super(args, () => ["q"]);
    this.numActions = args.numActions;
    this.head = new Mlp({
      sizes: [this.towers[0].featureDim, args.numActions],
      outputGain: 1,
      seed: deriveSeed(args.seed, "init/qHead"),
    });
    this.setParts({ q: this.towers[0], head: this.head });
    if (this.fastTowers) this.fastHead = new MlpBatchFastPath(this.head);
  }

  /**
   * One ε-greedy action per env for observations [B, ...] (row-major): per env a coin with
   * probability ε (0 when `greedy`) picks a uniformly random action, else the action of the largest
   * Q-value. The network runs only when some env acts greedily, or always with an LSTM (whose state
   * is stepped in place; rows where `episodeStarts[i]` is 1 are zeroed first).
   */
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy = false,
  ): QActResult {
    this.beginAct("QNetwork.act", observations, batch, state, episodeStarts);
    if (this.result === undefined || this.result.actions.length !== batch) {
      this.result = { actions: new Int32Array(batch) };
      this.greedyRows = new Uint8Array(batch);
    }
    const { actions } = this.result;
    const epsilon = greedy ? 0 : this.epsilon;
    let anyGreedy = false;
    for (let i = 0; i < batch; i++) {
      const explore = epsilon > 0 && rng.random() < epsilon;
      if (explore) actions[i] = Math.floor(rng.random() * this.numActions);
      this.greedyRows[i] = explore ? 0 : 1;
      anyGreedy ||= !explore;
    }
    if (anyGreedy || this.recurrent) {
      const q = this.qValuesForActing(observations, batch, state);
      const A = this.numActions;
      for (let i = 0; i < batch; i++) if (this.greedyRows[i]) actions[i] = argmaxRow(q, i * A, A);
    }
    return this.result;
  }

  /**
   * Q-values [B × A] (row-major) of observations [B, ...] for acting: typed arrays for MLP/LSTM
   * encoders, one TF.js graph and read-back otherwise. With an LSTM, `state` is stepped in place.
   */
  qValuesForActing(observations: ArrayLike<number>, batch: number, state?: RecurrentState): Float32Array {
    if (this.heapQValues) {
      const obs = observations instanceof Float32Array ? observations : Float32Array.from(observations);
      return this.heapQValues(obs, batch);
    }
    if (this.fastHead) {
      this.refreshIfStale([this.fastHead]);
      const obs = observations instanceof Float32Array ? observations : Float32Array.from(observations);
      return this.fastHead.forward(this.fastTowers![0].forward(obs, batch, state, 0), batch);
    }
    return readValues(() =>
      this.head.apply(this.towerStepGraph(0, this.observationTensor(observations, batch), batch, state)),
    ) as Float32Array;
  }

  /**
   * The dense layers from observation to Q-values in order (the MLP encoder's, then the head) when the
   * network is only those (an MLP encoder or none, no memory core): what DQN's fused training step runs
   * on the small-kernel heap. Undefined for a CNN encoder or a memory core.
   */
  denseMlps(): Mlp[] | undefined {
    if (this.recurrent || this.spec.encoder !== "mlp") return undefined;
    const encoder = this.towers[0].encoder;
    return encoder instanceof Mlp ? [encoder, this.head] : [this.head];
  }

  /**
   * Q-values [N, A] in one graph (call inside a loss), and the encoder's output (for
   * {@link reconstructionLoss}). Rows are time-major (row t·B + b is sequence b at step t); with an
   * LSTM the tower is unrolled over T from `initialState` (B sequences), zeroing the state where
   * `episodeStarts` [T·B] is 1, and `finalState` (if given) receives the state after step T.
   */
  forward(
    observations: tf.Tensor,
    initialState?: RecurrentState,
    episodeStarts?: tf.Tensor1D,
    finalState?: RecurrentState,
  ): { q: tf.Tensor2D; encodings: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const encodings: tf.Tensor2D[] = [];
      const q = this.head.apply(
        this.towerFeatures(0, observations, initialState, episodeStarts, finalState, encodings),
      );
      return { q, encodings };
    });
  }
}
