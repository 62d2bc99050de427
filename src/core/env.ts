import { describeValue } from "./describe";
import { Rng, type RngState } from "./rng";
import type { Space } from "./spaces";

/** Extra, diagnostic information an env returns beside the observation; never needed to learn. */
export type Info = Record<string, unknown>;

/** Arguments of `Env.reset`. */
export interface ResetArgs {
  /**
   * Seeds the env's own generator (`Env.rng`) before the episode starts: the same seed and the same
   * actions give the same episode, bit for bit. Without a seed the generator keeps its state (seeded
   * once from the operating system's entropy), so successive episodes differ.
   */
  seed?: number;
  /** Env-specific options, e.g. CartPole's `{ state }` or `{ low, high }`. */
  options?: Record<string, unknown>;
}

/** What `Env.reset` returns. */
export interface ResetResult<O> {
  /** The first observation of the episode. */
  observation: O;
  /** Diagnostic information. */
  info: Info;
}

/** What `Env.step` returns. */
export interface StepResult<O> {
  /** The observation after the action. */
  observation: O;
  /** The reward for taking the action. */
  reward: number;
  /**
   * The agent reached a terminal state of the task (the pole fell, the goal was reached): the MDP is
   * over, so the value of what follows is 0 and must not be bootstrapped.
   */
  terminated: boolean;
  /**
   * The episode was cut short by something outside the task — usually a time limit (`TimeLimit`).
   * The state is not terminal: an agent should bootstrap from the final observation's value.
   * Both flags can be true at once; either one means the caller must `reset` before stepping again.
   */
  truncated: boolean;
  /** Diagnostic information (e.g. `episode` statistics from `RecordEpisodeStatistics`). */
  info: Info;
}

/** An RGB picture: `height × width × 3` bytes, row-major, top row first. */
export interface Frame {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

/** How an env was registered and made: set by `make()` (see `register`). */
export interface EnvSpec {
  /** The registered id, e.g. `CartPole-v1`. */
  id: string;
  /** Episode length after which `make` truncates (via `TimeLimit`); undefined for none. */
  maxEpisodeSteps?: number;
  /** Default keyword arguments of the factory; `make(id, overrides)` may change them. */
  kwargs: Record<string, unknown>;
  /** Average return at which the task counts as solved, if known. */
  rewardThreshold?: number;
  /** One line on what the env is. */
  description?: string;
  /**
   * What success means, for a task with a goal: an episode succeeds when its return is above this
   * (Minigrid pays 1 − 0.9 · steps / maxSteps on reaching the goal and 0 otherwise, so 0). Evaluations
   * report the success rate of an env that declares it; an experiment scoring an env by success rate
   * uses it unless the experiment says otherwise, and return > 0 when neither does.
   */
  successAbove?: number;
}

/**
 * A reinforcement-learning environment (Gymnasium's `Env`): it owns a state the agent sees through
 * observations, and advances it by one action per `step`. Subclass it to write an env; implement
 * `observationSpace`, `actionSpace`, `reset` and `step` (and optionally `render`, `close`).
 *
 * Contract (checked by `checkEnv`):
 * - `reset` must be called before the first `step` and after every episode end.
 * - Observations are elements of `observationSpace`; typed arrays are fresh for every call, so a caller
 *   may keep them.
 * - Invalid input (an action outside `actionSpace`, malformed reset options) throws an `Error` naming
 *   the env, the argument and what was expected; it never corrupts the env's state.
 */
export abstract class Env<O = unknown, A = unknown> {
  /** The set of valid observations. */
  abstract readonly observationSpace: Space<O>;
  /** The set of valid actions. */
  abstract readonly actionSpace: Space<A>;
  private ownRng?: Rng;
  private ownSpec?: EnvSpec;

  /** Registration details, set by `make()`; undefined for an env constructed directly. */
  get spec(): EnvSpec | undefined {
    return this.ownSpec;
  }
  set spec(value: EnvSpec | undefined) {
    this.ownSpec = value;
  }

  /**
   * Starts a new episode and returns its first observation. Subclasses call `this.seedRng(args.seed)`
   * first (like Gymnasium's `super().reset(seed=seed)`), then draw everything random from `this.rng`.
   */
  abstract reset(args?: ResetArgs): ResetResult<O>;

  /** Applies one action; see `StepResult` for what each field means. */
  abstract step(action: A): StepResult<O>;

  /** An RGB picture of the current state, if the env can draw itself. */
  render?(): Frame;

  /** Releases what the env holds (worker threads, files). Safe to call twice. */
  close(): void {}

  /**
   * Optional state protocol (for checkpoints and `pomdp train --resume`): everything that decides the
   * env's future — physics, step counters, its generator — as a JSON-serialisable value. After
   * `b.setState(a.getState())` on a fresh env `b` of the same kind, `b` steps exactly as `a` would.
   * An env without these methods cannot be resumed (see {@link Env.stateBlocker}).
   */
  getState?(): unknown;
  /** Restores a state from {@link Env.getState}; a malformed state is an error naming the env. */
  setState?(state: unknown): void;

  /**
   * The name of the first layer (this env, or a wrapper or env inside it) that does not implement the
   * state protocol, or undefined when every layer does.
   */
  stateBlocker(): string | undefined {
    return typeof this.getState === "function" && typeof this.setState === "function"
      ? undefined
      : `${this.name} (${this.constructor.name})`;
  }

  /** The state of the env's own generator (null before it was first used). */
  protected rngState(): RngState | null {
    return this.ownRng === undefined ? null : this.ownRng.getState();
  }

  /** Restores the env's generator from {@link Env.rngState}. */
  protected restoreRngState(state: RngState | null): void {
    this.ownRng = state === null ? undefined : Rng.fromState(state);
  }

  /** The env's own seeded generator: all of its randomness comes from here. */
  get rng(): Rng {
    if (this.ownRng === undefined) this.ownRng = new Rng();
    return this.ownRng;
  }

  /** Reseeds `rng` when a seed is given (validated: a non-negative integer); otherwise keeps it. */
  protected seedRng(seed: number | undefined): void {
    if (seed === undefined) return;
    checkSeed(this.name, seed);
    this.ownRng = new Rng(seed);
  }

  /** Whether `render()` works: the env (or, for a wrapper, an env inside it) draws itself. */
  get canRender(): boolean {
    return typeof this.render === "function";
  }

  /** The innermost env, below every wrapper. */
  get unwrapped(): Env<unknown, unknown> {
    return this as Env<unknown, unknown>;
  }

  /** Name used in messages: the registered id, else the class name. */
  get name(): string {
    return this.spec?.id ?? this.constructor.name;
  }
}

/** Throws unless `seed` is a non-negative safe integer. */
export function checkSeed(envName: string, seed: unknown): asserts seed is number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`${envName}: reset() got seed ${describeValue(seed)}; expected a non-negative integer`);
  }
}

/** Throws unless `args` is a well-formed `ResetArgs` (undefined, or an object with `seed` and `options`). */
export function checkResetArgs(envName: string, args: unknown): asserts args is ResetArgs | undefined {
  if (args === undefined) return;
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new Error(`${envName}: reset() got ${describeValue(args)}; expected an object { seed?, options? }`);
  }
  const { seed, options, ...rest } = args as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new Error(
      `${envName}: reset() got unknown argument "${unknown[0]}"; expected only seed and options`,
    );
  }
  if (seed !== undefined) checkSeed(envName, seed);
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new Error(`${envName}: reset() got options ${describeValue(options)}; expected an object`);
  }
}

/** Throws unless `options` holds only keys of `allowed` (malformed reset options are errors). */
export function checkOptionKeys(
  envName: string,
  options: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length > 0 ? `one of ${allowed.join(", ")}` : "no options";
      throw new Error(`${envName}: reset() got unknown option "${key}"; expected ${expected}`);
    }
  }
}

/** Throws, naming the env and what was expected, unless `state` is an object with `keys`. */
export function checkStateObject(
  envName: string,
  state: unknown,
  keys: readonly string[],
): Record<string, unknown> {
  const ok =
    state !== null &&
    typeof state === "object" &&
    !Array.isArray(state) &&
    keys.every((k) => k in (state as Record<string, unknown>));
  if (!ok) {
    throw new Error(
      `${envName}: setState() got ${describeValue(state)}; expected an object with ${keys.join(", ")} (from getState())`,
    );
  }
  return state as Record<string, unknown>;
}
