// The on-policy rollout shared by PPO and A2C: typed-array storage of T steps × N envs (time-major:
// row t·N + i is env i at step t), GAE, the statistics of its advantages and values, and minibatch
// gathering. Collection from a vector env is in collector.ts.
import type { ActorCritic } from "./actor_critic";
import type { RecurrentState } from "./recurrent_state";

/** The arrays of one rollout. */
export class RolloutBuffer {
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly logProbs: Float32Array;
  readonly values: Float32Array;
  /** Rewards as trained on: normalized if asked, plus γ·V(final observation) where an episode was truncated. */
  readonly rewards: Float32Array;
  /** 1 where the episode ended at this step (terminated or truncated): no bootstrapping from the next row. */
  readonly ended: Uint8Array;
  /** 1 where this row's observation is the first of an episode: the LSTM state is zeroed before it. */
  readonly episodeStarts: Uint8Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** The recurrent state at the rollout's first step (before that step's resets), for the update's replay. */
  initialState?: RecurrentState;

  constructor(
    readonly numSteps: number,
    readonly numEnvs: number,
    readonly observationSize: number,
  ) {
    const rows = numSteps * numEnvs;
    this.observations = new Float32Array(rows * observationSize);
    this.actions = new Int32Array(rows);
    this.logProbs = new Float32Array(rows);
    this.values = new Float32Array(rows);
    this.rewards = new Float32Array(rows);
    this.ended = new Uint8Array(rows);
    this.episodeStarts = new Uint8Array(rows);
    this.advantages = new Float32Array(rows);
    this.returns = new Float32Array(rows);
  }

  get size(): number {
    return this.numSteps * this.numEnvs;
  }
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) over a time-major rollout:
 * δ_t = r_t + γ·V_{t+1}·(1 − ended_t) − V_t,  A_t = δ_t + γλ·(1 − ended_t)·A_{t+1},  R_t = A_t + V_t.
 * `lastValues` are V of the observations after the last step. Where an episode was truncated, the
 * caller has already added γ·V(final observation) to the reward, so truncation still bootstraps while
 * termination does not. λ = 1 gives n-step returns (A2C's default).
 */
export function computeGae(
  buf: Pick<
    RolloutBuffer,
    "numSteps" | "numEnvs" | "rewards" | "values" | "ended" | "advantages" | "returns"
  >,
  lastValues: ArrayLike<number>,
  gamma: number,
  lambda: number,
): void {
  const { numSteps: T, numEnvs: N, rewards, values, ended, advantages, returns } = buf;
  for (let i = 0; i < N; i++) {
    let next = 0;
    for (let t = T - 1; t >= 0; t--) {
      const row = t * N + i;
      const nextValue = t === T - 1 ? lastValues[i] : values[row + N];
      const notEnded = 1 - ended[row];
      const delta = rewards[row] + gamma * nextValue * notEnded - values[row];
      next = delta + gamma * lambda * notEnded * next;
      advantages[row] = next;
      returns[row] = next + values[row];
    }
  }
}

/** Minibatch of rows gathered from a rollout into fresh typed arrays (one tensor each later). */
export interface Minibatch {
  observations: Float32Array;
  actions: Int32Array;
  logProbs: Float32Array;
  values: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** 1 where a row is the first of an episode: the LSTM state is zeroed before it (recurrent minibatches only). */
  episodeStarts?: Float32Array;
  /** Initial recurrent state of the minibatch's envs (recurrent minibatches only). */
  initialState?: RecurrentState;
  rows: number;
}

/** Gathers rows `indices` of the rollout (feed-forward minibatches: any rows, any order). */
export function gatherRows(buf: RolloutBuffer, indices: ArrayLike<number>, size: number): Minibatch {
  const n = indices.length;
  const mb: Minibatch = {
    observations: new Float32Array(n * size),
    actions: new Int32Array(n),
    logProbs: new Float32Array(n),
    values: new Float32Array(n),
    advantages: new Float32Array(n),
    returns: new Float32Array(n),
    rows: n,
  };
  for (let k = 0; k < n; k++) {
    const row = indices[k];
    mb.observations.set(buf.observations.subarray(row * size, (row + 1) * size), k * size);
    mb.actions[k] = buf.actions[row];
    mb.logProbs[k] = buf.logProbs[row];
    mb.values[k] = buf.values[row];
    mb.advantages[k] = buf.advantages[row];
    mb.returns[k] = buf.returns[row];
  }
  return mb;
}

/**
 * Gathers whole env sequences (recurrent minibatches): the T steps of each env in `envs`, time-major
 * (row t·B + k is env envs[k] at step t), with their episode-start masks and the recurrent state each
 * env had at the rollout's start — so the update replays exactly what acting computed.
 */
export function gatherSequences(
  buf: RolloutBuffer,
  envs: ArrayLike<number>,
  net: Pick<ActorCritic, "observationSize">,
): Minibatch {
  const B = envs.length;
  const T = buf.numSteps;
  const N = buf.numEnvs;
  const size = net.observationSize;
  const rows: number[] = [];
  for (let t = 0; t < T; t++) for (let k = 0; k < B; k++) rows.push(t * N + envs[k]);
  const mb = gatherRows(buf, rows, size);
  mb.episodeStarts = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) mb.episodeStarts[k] = buf.episodeStarts[rows[k]];
  if (buf.initialState === undefined) {
    throw new Error("gatherSequences: the rollout has no initial recurrent state");
  }
  const state = buf.initialState.select(envs);
  mb.initialState = state;
  return mb;
}

/** 1 − Var(R − V) / Var(R): how much of the returns' variance the value function explains. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = values.length;
  let meanR = 0;
  let meanD = 0;
  for (let i = 0; i < n; i++) {
    meanR += returns[i];
    meanD += returns[i] - values[i];
  }
  meanR /= n;
  meanD /= n;
  let varR = 0;
  let varD = 0;
  for (let i = 0; i < n; i++) {
    varR += (returns[i] - meanR) ** 2;
    varD += (returns[i] - values[i] - meanD) ** 2;
  }
  return varR === 0 ? Number.NaN : 1 - varD / varR;
}

/** (x − mean) / (std + 1e-8), std with Bessel's correction as torch's. */
export function normalized(x: Float32Array): Float32Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (x[i] - mean) ** 2;
  const std = Math.sqrt(sq / Math.max(1, n - 1));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) / (std + 1e-8);
  return out;
}
