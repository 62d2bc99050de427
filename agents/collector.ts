// Acting in a vector env: the collector every agent steps its envs with (current observations, where
// episodes begin, the recurrent state zeroed per env where its episode ended, running returns), the
// PPO family's rollout collector, and the set-up of a PPO-family run around it.
import { deriveSeed, Rng } from "../src/core/rng";
import type { VectorEnv } from "../src/core/vector";
import { VecNormalizer } from "../src/train/normalize";
import type { ActorCritic } from "./actor_critic";
import { actorCriticFor, type EnvWrapperConfig, setUpEnvAndNetworks } from "./env_setup";
import type { NetConfig } from "./net_config";
import type { RecurrentState } from "./recurrent_state";
import { RolloutBuffer } from "./rollout";
import type { TrainContext } from "./training_loop";

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
  /** The current (normalized) observations. */
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
 * What every agent's acting side keeps between steps of a vector env: the current (normalized)
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
    if (net.recurrent) buf.initialState = this.state.copy();
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
            net.stateValue(normalizer.normalize(final, 1), net.recurrent ? this.state : undefined, i);
        }
        buf.rewards[base + i] = r;
      }
      this.obs = normalizer.observations(result.observations, N).slice();
    }
  }

  /** V of the current observations (after the rollout's last step), without advancing the state. */
  lastValues(): Float32Array {
    const N = this.env.numEnvs;
    const state = this.state.copy();
    return this.net.act(this.obs, N, NO_SAMPLING, state, this.episodeStarts, true).values.slice();
  }
}

/** A uniform source for calls that take the greedy action and draw nothing. */
const NO_SAMPLING = { random: () => 0 };

/** The config fields {@link setUpActorCritic} reads. */
export interface ActorCriticSetupConfig extends EnvWrapperConfig {
  numEnvs: number;
  numSteps: number;
  gamma: number;
  net: NetConfig;
  normalizeObservation: boolean;
  normalizeReward: boolean;
}

/** What every PPO-family run is made of before its optimiser. */
export interface ActorCriticSetup {
  env: VectorEnv;
  net: ActorCritic;
  normalizer: VecNormalizer;
  buffer: RolloutBuffer;
  collector: RolloutCollector;
  /** The action-sampling stream (seed tree purpose "actions"). */
  actionRng: Rng;
}

/**
 * Builds the vector env and the actor-critic ({@link setUpEnvAndNetworks}), the normalizer, the
 * rollout buffer and the collector of a run (the envs' base seed from the seed tree's "env").
 */
export function setUpActorCritic(config: ActorCriticSetupConfig, ctx: TrainContext): ActorCriticSetup {
  const N = config.numEnvs;
  const {
    env,
    nets: [net],
  } = setUpEnvAndNetworks(config, ctx, (vectorEnv) => [actorCriticFor(vectorEnv, config.net, ctx.seed)]);
  const normalizer = new VecNormalizer({
    observationSize: net.observationSize,
    numEnvs: N,
    observations: config.normalizeObservation,
    rewards: config.normalizeReward,
    gamma: config.gamma,
  });
  const actionRng = new Rng(deriveSeed(ctx.seed, "actions"));
  const buffer = new RolloutBuffer(config.numSteps, N, net.observationSize);
  const collector = new RolloutCollector(
    env,
    net,
    normalizer,
    actionRng,
    config.gamma,
    deriveSeed(ctx.seed, "env"),
  );
  return { env, net, normalizer, buffer, collector, actionRng };
}
