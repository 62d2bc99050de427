// A2C's gradient step on the small-kernel heap, for actor-critics of dense layers with separate towers
// (the a2c-cartpole preset's 64-64 tanh actor and critic): both forward passes, the loss and its
// gradient on the logits and values (on typed arrays), both backward passes and the optimiser step
// (RMSprop or Adam, ClippedOptimizer's code on heap views) — without a TF.js kernel. The graph step it
// replaces dispatched a few dozen kernels for a batch of 40 rows, each costing more than its arithmetic.
//
// The TF.js variables stay the record of the weights: each step pulls them onto the heap and pushes
// the result back (a dozen small copies), so acting, checkpoints and evaluation read them as before.
// Numerics: the same loss (log-softmax, entropy and the gradients formed in double precision from
// float32 logits, where the graph works in float32) and products summed in another order: runs differ
// from the graph's in their last bits.
import { type ClippedOptimizer, logSoftmaxRowInto, type Mlp } from "../src/nn";
import { DenseStackBinding } from "../src/nn/small/dense_binding";
import { denseStackSupports } from "../src/nn/small/dense_stack";
import type { ActorCritic } from "./actor_critic";
import type { Minibatch } from "./rollout";

/** The loss's coefficients (A2cConfig's fields of the same names). */
export interface FusedA2cSettings {
  /** Weight of the entropy bonus. */
  entCoef: number;
  /** Weight of the value loss. */
  vfCoef: number;
}

/** What one step reports: the loss terms, and the mean entropy (not its negative). */
export interface A2cStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
}

/**
 * One fused A2C step per call of {@link FusedA2cStep.step}. Make it with {@link FusedA2cStep.tryCreate};
 * `dispose()` frees the heap.
 */
export class FusedA2cStep {
  private readonly actor: DenseStackBinding;
  private readonly critic: DenseStackBinding;
  private readonly values = new Map<string, Float32Array>();
  private readonly grads = new Map<string, Float32Array>();
  private dLogits = new Float32Array(0);
  private dValues = new Float32Array(0);
  private readonly logP: Float32Array;
  private readonly p: Float32Array;

  private constructor(
    private readonly net: ActorCritic,
    private readonly optimizer: ClippedOptimizer,
    private readonly settings: FusedA2cSettings,
    mlps: { actor: Mlp[]; critic: Mlp[] },
  ) {
    this.actor = new DenseStackBinding(mlps.actor, net.params());
    this.critic = new DenseStackBinding(mlps.critic, net.params());
    this.logP = new Float32Array(net.numActions);
    this.p = new Float32Array(net.numActions);
  }

  /** The fused step for `net`, or undefined where the graph step must run (see ActorCritic.denseMlps). */
  static tryCreate(
    net: ActorCritic,
    optimizer: ClippedOptimizer,
    settings: FusedA2cSettings,
  ): FusedA2cStep | undefined {
    const mlps = net.denseMlps();
    if (mlps === undefined) return undefined;
    if (!denseStackSupports([...mlps.actor, ...mlps.critic].flatMap((m) => m.activations))) return undefined;
    return new FusedA2cStep(net, optimizer, settings, mlps);
  }

  /**
   * One step on the rollout `batch` with these advantages (normalized or not, as the caller chose):
   * L = −mean(Â · log π(a|o)) − c_e · mean(H[π]) + c_v · mean((R − V)²).
   */
  step(batch: Minibatch, advantages: Float32Array): A2cStats {
    const N = batch.rows;
    const A = this.net.numActions;
    const F = this.net.observationSize;
    const { entCoef, vfCoef } = this.settings;
    this.actor.pull();
    this.critic.pull();
    const actor = this.actor.stack;
    const critic = this.critic.stack;
    const obs = batch.observations.subarray(0, N * F);
    // Both inputs first: making room for a batch may grow the heap, which detaches every view of it
    // (the actor's logits would read as undefined were the critic's room made after them).
    actor.input(N).set(obs);
    critic.input(N).set(obs);
    const logits = actor.forward(N);
    const values = critic.forward(N);
    if (this.dLogits.length !== N * A) {
      this.dLogits = new Float32Array(N * A);
      this.dValues = new Float32Array(N);
    }
    // The loss and its gradients: d/dz_j of −Â·log p_a is −Â·(1[j = a] − p_j); of −c_e·H it is
    // c_e·p_j·(log p_j + H); each over N rows. d/dV of c_v·(R − V)² is 2·c_v·(V − R).
    let policyLoss = 0;
    let valueLoss = 0;
    let entropy = 0;
    for (let i = 0; i < N; i++) {
      const h = logSoftmaxRowInto(logits, i, A, this.logP, this.p);
      const a = batch.actions[i];
      const adv = advantages[i];
      policyLoss -= adv * this.logP[a];
      entropy += h;
      for (let j = 0; j < A; j++) {
        const pj = this.p[j];
        this.dLogits[i * A + j] = (-adv * ((j === a ? 1 : 0) - pj) + entCoef * pj * (this.logP[j] + h)) / N;
      }
      const error = values[i] - batch.returns[i];
      valueLoss += error * error;
      this.dValues[i] = (2 * vfCoef * error) / N;
    }
    actor.backward(this.dLogits, N);
    critic.backward(this.dValues, N);
    this.optimizer.applyGradientArrays(...this.paramViews());
    this.actor.push();
    this.critic.push();
    this.net.weightsChanged();
    return { policyLoss: policyLoss / N, valueLoss: valueLoss / N, entropy: entropy / N };
  }

  /** Frees the heap. */
  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
  }

  /** Both stacks' views keyed by parameter path (re-taken each step: the heap may have grown). */
  private paramViews(): [Map<string, Float32Array>, Map<string, Float32Array>] {
    this.values.clear();
    this.grads.clear();
    for (const binding of [this.actor, this.critic]) {
      const { values, grads } = binding.paramViews();
      for (const [path, v] of values) this.values.set(path, v);
      for (const [path, g] of grads) this.grads.set(path, g);
    }
    return [this.values, this.grads];
  }
}
