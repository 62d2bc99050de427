// DQN's gradient step on the small-kernel heap, for Q-networks that are dense layers only (an MLP
// encoder, no memory core): the target network's forward pass on the next observations, the targets,
// the online network's forward pass, the TD loss and its gradient at the actions taken, the backward
// pass and Adam — on typed arrays over one block of wasm memory, without a TF.js kernel. The graph it
// replaces dispatched some forty kernels a step (matMuls, bias adds, activations, their gradients,
// one read-back and one upload per parameter), each costing more than its arithmetic at 128 rows.
//
// The TF.js variables stay the record of the weights between iterations of the training loop (what
// checkpoints, periodic evaluation and the final agent read): `pull()` copies them onto the heap
// before an iteration trains, `push()` writes them back after it. In between, acting reads Q-values
// from the heap (QNetwork.heapQValues), so every env step acts with the weights of the last step.
//
// Numerics: the same arithmetic as the graph (forward, TD loss, backward, Adam in ClippedAdam's code),
// but the products sum in order of k in float32 (the kernel layer's gemm) where XNNPACK sums in its
// own blocked order: losses and gradients agree to float tolerance, runs differ in their last bits.
import { argmaxRow, type ClippedAdam, type Mlp } from "../src/nn";
import { DenseStackBinding } from "../src/nn/small/dense_binding";
import { type DenseStack, denseStackSupports } from "../src/nn/small/dense_stack";
import type { QNetwork } from "./q_network";
import type { TransitionBatch } from "./replay";
import { bestValue, type TdStats, tdLossValues } from "./td_loss";

/** Settings of the TD step (DqnConfig's fields of the same names). */
export interface FusedTdSettings {
  /** Discount of the bootstrapped value. */
  gamma: number;
  /** Double DQN: the target network evaluates the online network's argmax. */
  double: boolean;
  /** The TD loss: squared error or Huber (δ = 1). */
  loss: "mse" | "huber";
}

/**
 * The fused TD step of a Q-network and its target network (see the file's comment). Make it with
 * {@link FusedTdStep.tryCreate}; `dispose()` frees the heap and hands acting back to the network.
 */
export class FusedTdStep {
  private readonly onlineBinding: DenseStackBinding;
  private readonly targetBinding: DenseStackBinding;
  private readonly online: DenseStack;
  private readonly target: DenseStack;
  private readonly nextOnline: Float32Array;
  private readonly targets: Float32Array;
  private readonly dq: Float32Array;
  private readonly stats: TdStats = { tdLoss: 0, qMean: 0 };

  private constructor(
    private readonly qNetwork: QNetwork,
    targetNetwork: QNetwork,
    private readonly optimizer: ClippedAdam,
    private readonly settings: FusedTdSettings,
    private readonly batchSize: number,
    onlineMlps: Mlp[],
    targetMlps: Mlp[],
  ) {
    this.onlineBinding = new DenseStackBinding(onlineMlps, qNetwork.params());
    this.targetBinding = new DenseStackBinding(targetMlps, targetNetwork.params());
    this.online = this.onlineBinding.stack;
    this.target = this.targetBinding.stack;
    const A = qNetwork.numActions;
    this.nextOnline = new Float32Array(batchSize * A);
    this.targets = new Float32Array(batchSize);
    this.dq = new Float32Array(batchSize * A);
    qNetwork.heapQValues = (observations, batch) => {
      this.online.input(batch).set(observations);
      return this.online.forward(batch);
    };
  }

  /**
   * The fused step for these networks, or undefined where the graph step must run: a CNN encoder, a
   * memory core, a decoder, or an activation the heap stack lacks.
   */
  static tryCreate(
    qNetwork: QNetwork,
    targetNetwork: QNetwork,
    optimizer: ClippedAdam,
    settings: FusedTdSettings,
    batchSize: number,
  ): FusedTdStep | undefined {
    const online = qNetwork.denseMlps();
    const target = targetNetwork.denseMlps();
    if (online === undefined || target === undefined || qNetwork.hasDecoder) return undefined;
    if (!denseStackSupports(online.flatMap((m) => m.activations))) return undefined;
    return new FusedTdStep(qNetwork, targetNetwork, optimizer, settings, batchSize, online, target);
  }

  /** Copies both networks' weights from their TF.js variables onto the heap (before an iteration trains). */
  pull(): void {
    this.onlineBinding.pull();
    this.targetBinding.pull();
  }

  /** Writes both networks' heap weights to their TF.js variables (after an iteration trained). */
  push(): void {
    this.onlineBinding.push();
    this.targetBinding.push();
  }

  /** θ_target ← τ·θ + (1 − τ)·θ_target on the heap (τ = 1: a copy). */
  updateTarget(tau: number): void {
    this.target.blendFrom(this.online, tau);
  }

  /**
   * One gradient step on a sampled batch (observations then next observations, as transitionBatch
   * lays them out): y = r + γ·bootstrap·V(o′), the TD loss of Q(o, a) against y, one Adam step.
   */
  step(batch: TransitionBatch): TdStats {
    const B = batch.rows;
    if (B !== this.batchSize)
      throw new Error(`FusedTdStep.step: batch of ${B} rows, made for ${this.batchSize}`);
    const F = this.qNetwork.observationSize;
    const A = this.qNetwork.numActions;
    const { gamma, double } = this.settings;
    const nextObs = batch.observations.subarray(B * F, 2 * B * F);
    // 1. Targets: the target network's Q-values of the next observations (and the online network's
    // argmax there for Double DQN).
    if (double) {
      this.online.input(B).set(nextObs);
      this.nextOnline.set(this.online.forward(B));
    }
    this.target.input(B).set(nextObs);
    const qNext = this.target.forward(B);
    for (let i = 0; i < B; i++) {
      const best = double
        ? qNext[i * A + argmaxRow(this.nextOnline, i * A, A)]
        : bestValue(qNext, i * A, A, false);
      this.targets[i] = batch.rewards[i] + gamma * batch.bootstrap[i] * best;
    }
    // 2. The online network's Q-values of the observations, the loss and its gradient, backward, Adam.
    this.online.input(B).set(batch.observations.subarray(0, B * F));
    const q = this.online.forward(B);
    tdLossValues(q, B, A, batch.actions, this.targets, undefined, this.settings.loss, this.dq, this.stats);
    this.online.backward(this.dq, B);
    const { values, grads } = this.onlineBinding.paramViews();
    this.optimizer.applyGradientArrays(values, grads);
    return this.stats;
  }

  /** Frees the heap and hands acting back to the network's own path. */
  dispose(): void {
    this.qNetwork.heapQValues = undefined;
    this.onlineBinding.dispose();
    this.targetBinding.dispose();
  }
}
