// The on-policy rollout shared by PPO and A2C: typed-array storage of T steps × N envs (time-major:
// row t·N + i is env i at step t), collection from a vector env, GAE, and minibatch gathering.
import type { Rng } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import type { VecNormalizer } from "../src/train/normalize";
import { ActorCritic, type RecurrentState } from "./networks";

/** The arrays of one rollout. */
export class RolloutBuffer {
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly logProbs: Float32Array;
  readonly values: Float32Array;
  /** Rewards as trained on: normalised if asked, plus γ·V(final observation) where an episode was truncated. */
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

/** A finished training episode, as `metrics.jsonl` records it. */
export interface FinishedEpisode {
  /** Env steps so far, all envs counted, including the step that ended it. */
  step: number;
  return: number;
  length: number;
}

/** A {@link RolloutCollector}'s position, as JSON. */
export interface CollectorState {
  /** Env steps so far, all envs counted. */
  step: number;
  /** The current (normalised) observations. */
  observations: number[];
  /** 1 where the current observation is the first of an episode. */
  episodeStarts: number[];
  /** The LSTM state (empty arrays without memory). */
  recurrent: { h: number[]; c: number[] };
  /** Raw return and length of each env's running episode. */
  episodeReturn: number[];
  episodeLength: number[];
  envSeconds: number;
  actSeconds: number;
}

/**
 * What every agent's acting side keeps between steps of a vector env: the current (normalised)
 * observations, where episodes begin, the recurrent state (zeroed per env where its episode ended,
 * and only there), the raw returns and lengths of the running episodes, and the time spent; as JSON
 * for checkpoints. {@link RolloutCollector} (PPO, A2C) and DQN's collector fill their buffers from it.
 */
export abstract class VectorCollector {
  /** Env steps so far, all envs counted. */
  step = 0;
  protected obs: Float32Array;
  protected readonly episodeStarts: Uint8Array;
  readonly state: RecurrentState;
  private readonly episodeReturn: Float64Array;
  private readonly episodeLength: Int32Array;
  /** Seconds spent stepping envs and acting (for the speed report). */
  envSeconds = 0;
  actSeconds = 0;

  protected constructor(
    protected readonly env: VectorEnv,
    net: { initialState(batch: number): RecurrentState },
    protected readonly normalizer: VecNormalizer,
    envSeed: number,
  ) {
    const N = env.numEnvs;
    const reset = env.reset({ seed: envSeed });
    this.obs = normalizer.observations(reset.observations, N).slice();
    this.episodeStarts = new Uint8Array(N).fill(1);
    this.state = net.initialState(N);
    this.episodeReturn = new Float64Array(N);
    this.episodeLength = new Int32Array(N);
  }

  /**
   * Counts one vector step (N env steps) and its raw rewards into the running episodes; marks the
   * envs whose episode ended as beginning a new one, and calls `onEpisode` for each ended episode.
   */
  protected countStep(
    raw: ArrayLike<number>,
    terminated: ArrayLike<number | boolean>,
    truncated: ArrayLike<number | boolean>,
    onEpisode: (e: FinishedEpisode) => void,
  ): void {
    const N = this.env.numEnvs;
    this.step += N;
    for (let i = 0; i < N; i++) {
      this.episodeReturn[i] += raw[i];
      this.episodeLength[i] += 1;
      const ended = terminated[i] || truncated[i] ? 1 : 0;
      this.episodeStarts[i] = ended;
      if (ended) {
        onEpisode({ step: this.step, return: this.episodeReturn[i], length: this.episodeLength[i] });
        this.episodeReturn[i] = 0;
        this.episodeLength[i] = 0;
      }
    }
  }

  /** Where the collection stands, as JSON (checkpoints): see {@link CollectorState}. */
  getState(): CollectorState {
    return {
      step: this.step,
      observations: Array.from(this.obs),
      episodeStarts: Array.from(this.episodeStarts),
      recurrent: { h: Array.from(this.state.h), c: Array.from(this.state.c) },
      episodeReturn: Array.from(this.episodeReturn),
      episodeLength: Array.from(this.episodeLength),
      envSeconds: this.envSeconds,
      actSeconds: this.actSeconds,
    };
  }

  /** Continues from {@link getState}; every array must have this collector's size. */
  setState(state: CollectorState): void {
    const N = this.env.numEnvs;
    const sizes: [keyof CollectorState | "recurrent.h" | "recurrent.c", unknown, number][] = [
      ["observations", state?.observations, this.obs.length],
      ["episodeStarts", state?.episodeStarts, N],
      ["recurrent.h", state?.recurrent?.h, this.state.h.length],
      ["recurrent.c", state?.recurrent?.c, this.state.c.length],
      ["episodeReturn", state?.episodeReturn, N],
      ["episodeLength", state?.episodeLength, N],
    ];
    for (const [name, values, n] of sizes) {
      if (!Array.isArray(values) || values.length !== n || !values.every((v) => typeof v === "number")) {
        throw new Error(
          `collector state: ${name} must be ${n} numbers, got ${JSON.stringify(values)?.slice(0, 80)}`,
        );
      }
    }
    if (!Number.isSafeInteger(state.step) || state.step < 0)
      throw new Error(`collector state: step must be an integer ≥ 0, got ${JSON.stringify(state.step)}`);
    this.step = state.step;
    this.obs = Float32Array.from(state.observations);
    this.episodeStarts.set(state.episodeStarts);
    this.state.h.set(state.recurrent.h);
    this.state.c.set(state.recurrent.c);
    this.episodeReturn.set(state.episodeReturn);
    this.episodeLength.set(state.episodeLength);
    this.envSeconds = Number(state.envSeconds) || 0;
    this.actSeconds = Number(state.actSeconds) || 0;
  }
}

/**
 * Steps a vector env with the actor-critic and fills rollouts: keeps the current observation, the
 * recurrent state (zeroed per env where its episode ended, and only there) and the raw episode
 * returns across rollouts.
 */
export class RolloutCollector extends VectorCollector {
  constructor(
    env: VectorEnv,
    private readonly net: ActorCritic,
    normalizer: VecNormalizer,
    private readonly rng: Rng,
    private readonly gamma: number,
    envSeed: number,
  ) {
    super(env, net, normalizer, envSeed);
  }

  /** Fills `buf` with `buf.numSteps` vector steps; calls `onEpisode` for every episode that ends. */
  collect(buf: RolloutBuffer, onEpisode: (e: FinishedEpisode) => void): void {
    const { net, env, normalizer } = this;
    const N = env.numEnvs;
    const size = net.observationSize;
    if (net.recurrent) buf.initialState = ActorCritic.copyState(this.state);
    for (let t = 0; t < buf.numSteps; t++) {
      const base = t * N;
      buf.observations.set(this.obs, base * size);
      buf.episodeStarts.set(this.episodeStarts, base);
      let clock = performance.now();
      const acted = net.act(this.obs, N, this.rng, this.state, this.episodeStarts);
      buf.actions.set(acted.actions, base);
      buf.logProbs.set(acted.logProbs, base);
      buf.values.set(acted.values, base);
      const now = performance.now();
      this.actSeconds += (now - clock) / 1000;
      clock = now;
      const result = env.step(acted.actions);
      this.envSeconds += (performance.now() - clock) / 1000;
      const { rewards: raw, terminated, truncated, infos } = result;
      this.countStep(raw, terminated, truncated, onEpisode);
      buf.ended.set(this.episodeStarts, base);
      const rewards = normalizer.rewards(raw, this.episodeStarts);
      for (let i = 0; i < N; i++) {
        let r = rewards[i];
        // Truncated, not terminated: the episode would have gone on, so bootstrap from its final
        // observation's value (read with the memory of this episode, before the reset).
        if (truncated[i] && !terminated[i]) {
          const final = infos[i].finalObservation as ArrayLike<number>;
          r +=
            this.gamma *
            net.valueOf(normalizer.normalise(final, 1), net.recurrent ? this.state : undefined, i);
        }
        buf.rewards[base + i] = r;
      }
      this.obs = normalizer.observations(result.observations, N).slice();
    }
  }

  /** V of the current observations (after the rollout's last step), without advancing the state. */
  lastValues(): Float32Array {
    const N = this.env.numEnvs;
    const state = ActorCritic.copyState(this.state);
    return this.net.act(this.obs, N, NO_SAMPLING, state, this.episodeStarts, true).values.slice();
  }
}

/** A uniform source for calls that take the greedy action and draw nothing. */
const NO_SAMPLING = { random: () => 0 };

/** Minibatch of rows gathered from a rollout into fresh typed arrays (one tensor each later). */
export interface Minibatch {
  observations: Float32Array;
  actions: Int32Array;
  logProbs: Float32Array;
  values: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** Rows as episode-start masks (recurrent minibatches only). */
  resets?: Float32Array;
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
export function gatherSequences(buf: RolloutBuffer, envs: ArrayLike<number>, net: ActorCritic): Minibatch {
  const B = envs.length;
  const T = buf.numSteps;
  const N = buf.numEnvs;
  const size = net.observationSize;
  const rows: number[] = [];
  for (let t = 0; t < T; t++) for (let k = 0; k < B; k++) rows.push(t * N + envs[k]);
  const mb = gatherRows(buf, rows, size);
  mb.resets = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) mb.resets[k] = buf.episodeStarts[rows[k]];
  const full = buf.initialState;
  if (full === undefined) throw new Error("gatherSequences: the rollout has no initial recurrent state");
  const state = net.initialState(B);
  const H = net.net.lstm;
  const towers = full.h.length / (N * H);
  for (let tw = 0; tw < towers; tw++) {
    for (let k = 0; k < B; k++) {
      const from = (tw * N + envs[k]) * H;
      const to = (tw * B + k) * H;
      state.h.set(full.h.subarray(from, from + H), to);
      state.c.set(full.c.subarray(from, from + H), to);
    }
  }
  mb.initialState = state;
  return mb;
}
