import * as path from "node:path";
import { describeValue } from "./describe";
import type { Env, Info } from "./env";
import { beforeResetError, invalidActionMessage } from "./order_enforcing";
import { allocate, Box, type BoxArray, Discrete, MultiDiscrete, type Space } from "./spaces";

/** Arguments of `VectorEnv.reset`. */
export interface VectorResetArgs {
  /** Sub-env `i` is reset with seed `seed + i`; without a seed each keeps its own generator. */
  seed?: number;
  /** Passed to every sub-env's `reset`. */
  options?: Record<string, unknown>;
}

/** What `VectorEnv.reset` returns. The arrays are the vector env's own buffers (see `VectorEnv`). */
export interface VectorResetResult<O extends BoxArray = BoxArray> {
  /** `numEnvs × observation size` values: sub-env `i`'s observation at offset `i * size`. */
  observations: O;
  /** Per sub-env info. */
  infos: Info[];
}

/** What `VectorEnv.step` returns. The arrays are the vector env's own buffers (see `VectorEnv`). */
export interface VectorStepResult<O extends BoxArray = BoxArray> {
  /**
   * `numEnvs × observation size` values. Where an episode ended at this step, this is already the
   * first observation of the next episode (same-step autoreset); the final one is in `infos`.
   */
  observations: O;
  /** Reward of each sub-env. */
  rewards: Float64Array;
  /** 1 where the sub-env's episode terminated at this step (see `StepResult.terminated`). */
  terminated: Uint8Array;
  /** 1 where the sub-env's episode was truncated at this step (see `StepResult.truncated`). */
  truncated: Uint8Array;
  /**
   * Per sub-env info. Where an episode ended, it is the reset info of the new episode plus
   * `finalObservation` (the ended episode's last observation, a copy) and `finalInfo` (its last info).
   */
  infos: Info[];
}

/**
 * `numEnvs` copies of an env stepped together, the only env interface agents see: one typed array
 * of observations per step, rewards and flags as typed arrays, and same-step automatic reset.
 *
 * Buffers: the returned arrays belong to the vector env and are overwritten by the next `reset` or
 * `step` (no allocation per step); copy what you keep (replay buffers and rollouts do).
 */
export interface VectorEnv<A = number> {
  /** Number of sub-envs. */
  readonly numEnvs: number;
  /** The observation space of one sub-env (a `Box`, so observations batch into one array). */
  readonly singleObservationSpace: Box;
  /** The action space of one sub-env. */
  readonly singleActionSpace: Space<A>;
  /**
   * The space of `observations` (Gymnasium's batched space): a `Box` of shape `[numEnvs, ...single
   * shape]`, the single bounds repeated, the same dtype.
   */
  readonly observationSpace: Box;
  /**
   * The space of the `actions` that `step` takes: `MultiDiscrete` of `numEnvs` × the single
   * `Discrete` (its `sample` gives one random action per sub-env). Reading it throws when the single
   * action space is not `Discrete` (use `singleActionSpace` then).
   */
  readonly actionSpace: MultiDiscrete;
  /** Resets every sub-env (sub-env `i` with seed `seed + i`). */
  reset(args?: VectorResetArgs): VectorResetResult;
  /** Steps every sub-env with its action (`actions[i]` for sub-env `i`); resets those that end. */
  step(actions: ArrayLike<A>): VectorStepResult;
  /** Closes every sub-env (and worker). */
  close(): void;
  /** Optional state protocol (see `Env.getState`): every sub-env's state. */
  getState?(): unknown;
  /** Restores {@link VectorEnv.getState}. */
  setState?(state: unknown): void;
  /** The first sub-env layer that cannot save its state (undefined: all can); see `Env.stateBlocker`. */
  stateBlocker?(): string | undefined;
}

/** Throws unless `space` is a `Box` (vector envs batch observations into one typed array). */
export function requireBoxSpace(envName: string, space: Space<unknown>): Box {
  if (!(space instanceof Box)) {
    throw new Error(
      `vector env of ${envName}: observations must be a Box to batch into one array, got ${space}; ` +
        "wrap the env first (e.g. ImageOnly for gridworlds)",
    );
  }
  return space;
}

/** The batched observation space of `numEnvs` sub-envs: `single` repeated along a new first axis. */
export function batchBoxSpace(single: Box, numEnvs: number): Box {
  const repeat = (bound: Float64Array) => {
    const out = new Float64Array(bound.length * numEnvs);
    for (let i = 0; i < numEnvs; i++) out.set(bound, i * bound.length);
    return out;
  };
  return new Box(repeat(single.low), repeat(single.high), [numEnvs, ...single.shape], single.dtype);
}

/**
 * The batched action space of `numEnvs` sub-envs with `Discrete` actions: a `MultiDiscrete` with one
 * value per sub-env. Throws, naming the env and the space, for any other action space.
 */
export function batchDiscreteSpace(envName: string, single: Space<unknown>, numEnvs: number): MultiDiscrete {
  if (!(single instanceof Discrete)) {
    throw new Error(
      `vector env of ${envName}: actionSpace needs Discrete actions (it is a MultiDiscrete of one per sub-env), got ${single}; use singleActionSpace`,
    );
  }
  return new MultiDiscrete(new Array<number>(numEnvs).fill(single.n), single.start);
}

/** Throws unless `actions` holds one valid action per sub-env; checks all before any is applied. */
export function checkVectorActions<A>(
  envName: string,
  space: Space<A>,
  numEnvs: number,
  actions: ArrayLike<A>,
): void {
  if (actions === null || typeof actions !== "object" || actions.length !== numEnvs) {
    throw new Error(
      `vector env of ${envName}: step() expected ${numEnvs} actions, got ${describeValue(actions)}`,
    );
  }
  for (let i = 0; i < numEnvs; i++) {
    if (!space.contains(actions[i]))
      throw new Error(`${invalidActionMessage(envName, space, actions[i])} (sub-env ${i})`);
  }
}

/** Checks `VectorEnv.reset` arguments. */
export function checkVectorResetArgs(envName: string, args: VectorResetArgs | undefined): void {
  if (args?.seed !== undefined && (!Number.isSafeInteger(args.seed) || args.seed < 0)) {
    throw new Error(
      `vector env of ${envName}: reset() got seed ${describeValue(args.seed)}; expected a non-negative integer`,
    );
  }
}

/** The batched arrays of a vector env that each sub-env writes its slot of. */
export interface BatchBuffers {
  observations: BoxArray;
  /** Values per observation: sub-env `i` writes at `i * obsSize`. */
  obsSize: number;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/** Resets sub-env `i` (with seed `seed + i` when a seed is given) into its slot; returns its info. */
export function resetSubEnv<A>(
  env: Env<BoxArray, A>,
  i: number,
  args: VectorResetArgs,
  buffers: BatchBuffers,
): Info {
  const seed = args.seed === undefined ? undefined : args.seed + i;
  const { observation, info } = env.reset({ seed, options: args.options });
  buffers.observations.set(observation, i * buffers.obsSize);
  buffers.rewards[i] = 0;
  buffers.terminated[i] = 0;
  buffers.truncated[i] = 0;
  return info;
}

/**
 * Steps sub-env `i` with same-step autoreset, writing its slot of the buffers; returns its info (with
 * `finalObservation` and `finalInfo` where the episode ended). Shared by the sync and async vector envs.
 */
export function stepSubEnv<A>(env: Env<BoxArray, A>, action: A, i: number, buffers: BatchBuffers): Info {
  const r = env.step(action);
  buffers.rewards[i] = r.reward;
  buffers.terminated[i] = r.terminated ? 1 : 0;
  buffers.truncated[i] = r.truncated ? 1 : 0;
  if (r.terminated || r.truncated) {
    const next = env.reset();
    buffers.observations.set(next.observation, i * buffers.obsSize);
    return { ...next.info, finalObservation: r.observation.slice(), finalInfo: r.info };
  }
  buffers.observations.set(r.observation, i * buffers.obsSize);
  return r.info;
}

/** Wraps one sub-env after `make` (what a `wrapModule` exports). */
// biome-ignore lint/suspicious/noExplicitAny: wrappers of any env type
export type EnvWrapFunction = (env: Env<any, any>) => Env<any, any>;

function resolvable(file: string): boolean {
  try {
    require.resolve(file);
    return true;
  } catch {
    return false;
  }
}

/** `modulePath` if it is an absolute path; otherwise an error, started by `owner` when given. */
export function requireWrapModulePath(modulePath: unknown, owner?: string): string {
  if (typeof modulePath !== "string" || !path.isAbsolute(modulePath)) {
    const prefix = owner === undefined ? "" : `${owner}: `;
    throw new Error(`${prefix}wrapModule must be an absolute module path, got ${describeValue(modulePath)}`);
  }
  return modulePath;
}

/**
 * Loads a wrap module: the module at the absolute path `modulePath` whose export `wrap` (or default
 * export) is a function `(env) => Env`. This is how wrappers reach the workers of an `AsyncVectorEnv`,
 * where a function cannot be sent. `owner`, when given, starts the error messages (`makeVec(id)`).
 */
export function loadWrapModule(modulePath: unknown, owner?: string): EnvWrapFunction {
  const prefix = owner === undefined ? "" : `${owner}: `;
  const file = requireWrapModulePath(modulePath, owner);
  let exports: { wrap?: unknown; default?: unknown };
  try {
    exports = require(file);
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND" && !resolvable(file))
      throw new Error(`${prefix}wrapModule ${file}: no such module`);
    throw err;
  }
  const wrap = typeof exports.wrap === "function" ? exports.wrap : exports.default;
  if (typeof wrap !== "function") {
    throw new Error(
      `${prefix}wrapModule ${file} exports no function "wrap" (nor a default function); expected (env) => Env`,
    );
  }
  return (env) => {
    const wrapped = wrap(env) as Env<unknown, unknown> | undefined;
    if (typeof wrapped?.step !== "function" || typeof wrapped?.reset !== "function") {
      throw new Error(
        `${prefix}the wrap function of ${file} returned ${describeValue(wrapped)}; expected an Env`,
      );
    }
    return wrapped;
  };
}

/**
 * Steps its sub-envs one after the other in this thread: the fastest choice when a step is cheap
 * (CartPole, gridworlds); see `AsyncVectorEnv` for expensive steps.
 */
export class SyncVectorEnv<A = number> implements VectorEnv<A> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space<A>;
  readonly observationSpace: Box;
  private batchedActionSpace: MultiDiscrete | undefined;
  /** The sub-envs (read-only use: stepping them directly breaks the vector env's bookkeeping). */
  readonly envs: readonly Env<BoxArray, A>[];
  private readonly observations: BoxArray;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Info[];
  private readonly obsSize: number;
  private readonly buffers: BatchBuffers;
  private hasReset = false;

  /** @param factories one function per sub-env that builds it (e.g. `() => make("CartPole-v1")`). */
  constructor(factories: readonly (() => Env<BoxArray, A>)[]) {
    if (!Array.isArray(factories) || factories.length === 0)
      throw new Error("SyncVectorEnv: expected at least one env factory");
    this.envs = factories.map((f) => f());
    const first = this.envs[0];
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = requireBoxSpace(first.name, first.observationSpace);
    this.singleActionSpace = first.actionSpace;
    for (const env of this.envs) {
      if (JSON.stringify(env.observationSpace.toJSON()) !== JSON.stringify(first.observationSpace.toJSON())) {
        throw new Error(
          `SyncVectorEnv: sub-envs have different observation spaces (${first.observationSpace} vs ${env.observationSpace})`,
        );
      }
    }
    this.observationSpace = batchBoxSpace(this.singleObservationSpace, this.numEnvs);
    this.obsSize = this.singleObservationSpace.size;
    this.observations = allocate(this.singleObservationSpace.dtype, this.numEnvs * this.obsSize);
    this.rewards = new Float64Array(this.numEnvs);
    this.terminated = new Uint8Array(this.numEnvs);
    this.truncated = new Uint8Array(this.numEnvs);
    this.infos = new Array(this.numEnvs).fill(EMPTY_INFO);
    this.buffers = {
      observations: this.observations,
      obsSize: this.obsSize,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
    };
  }

  private get envName(): string {
    return this.envs[0].name;
  }

  get actionSpace(): MultiDiscrete {
    this.batchedActionSpace ??= batchDiscreteSpace(this.envName, this.singleActionSpace, this.numEnvs);
    return this.batchedActionSpace;
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    checkVectorResetArgs(this.envName, args);
    for (let i = 0; i < this.numEnvs; i++) this.infos[i] = resetSubEnv(this.envs[i], i, args, this.buffers);
    this.hasReset = true;
    return { observations: this.observations, infos: this.infos };
  }

  step(actions: ArrayLike<A>): VectorStepResult {
    if (!this.hasReset) throw beforeResetError(`vector env of ${this.envName}`, "step()");
    checkVectorActions(this.envName, this.singleActionSpace, this.numEnvs, actions);
    for (let i = 0; i < this.numEnvs; i++)
      this.infos[i] = stepSubEnv(this.envs[i], actions[i], i, this.buffers);
    return {
      observations: this.observations,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  stateBlocker(): string | undefined {
    for (const env of this.envs) {
      const blocker = env.stateBlocker();
      if (blocker !== undefined) return blocker;
    }
    return undefined;
  }

  /** `{ hasReset, envs }`: every sub-env's state (throws, naming the env, when one cannot save it). */
  getState(): unknown {
    const blocker = this.stateBlocker();
    if (blocker !== undefined)
      throw new Error(
        `vector env of ${this.envName}: getState() is not supported: ${blocker} does not save its state`,
      );
    return { hasReset: this.hasReset, envs: this.envs.map((env) => env.getState!()) };
  }

  setState(state: unknown): void {
    const blocker = this.stateBlocker();
    if (blocker !== undefined)
      throw new Error(
        `vector env of ${this.envName}: setState() is not supported: ${blocker} does not save its state`,
      );
    const s = state as { hasReset?: unknown; envs?: unknown } | null;
    if (s === null || typeof s !== "object" || !Array.isArray(s.envs) || s.envs.length !== this.numEnvs) {
      throw new Error(
        `vector env of ${this.envName}: setState() got ${describeValue(state)}; expected { hasReset, envs } with ${this.numEnvs} sub-env states`,
      );
    }
    for (let i = 0; i < this.numEnvs; i++) this.envs[i].setState!(s.envs[i]);
    this.hasReset = s.hasReset === true;
  }
}

const EMPTY_INFO: Info = Object.freeze({}) as Info;
