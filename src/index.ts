// The library entry: importing it registers every built-in env and exports the public API.

import { registerBuiltinEnvs } from "../envs";
import {
  AsyncVectorEnv,
  describeValue,
  type EnvWrapFunction,
  loadWrapModule,
  type MakeOverrides,
  make,
  requirePositiveInteger,
  requireWrapModulePath,
  SyncVectorEnv,
  type VectorEnv,
} from "./core";

registerBuiltinEnvs();

export { CartPoleEnv } from "../envs/cartpole";
export { CartPolePixelsEnv } from "../envs/cartpole_pixels";
/** The gridworld engine, its envs and wrappers (a namespace: Minigrid's `Box` object is not the space). */
export * as gridworld from "../envs/gridworld";
export {
  FullyObserved,
  ImageOnly,
  MiniGridEnv,
  OneHotPartialView,
  RgbFullView,
  RgbPartialView,
  TMazeEnv,
} from "../envs/gridworld";
/** POPGym's memory tasks on vector observations. */
export { CountRecallEnv, RepeatPreviousEnv } from "../envs/memory";
export * from "./core";
/** Multi-seed statistics (rliable's methods): IQM, bootstrap CIs, P(improvement), performance profiles. */
export * as stats from "./stats";
/**
 * A run's config, resolved as `pomdp train` resolves it: `resolveRunConfig(request, AGENT_CATALOG)`, the
 * catalog of the built-in agents being agents/index.ts's (see src/train/resolve.ts).
 */
export {
  type AgentCatalog,
  type AgentConfigDefinition,
  type Preset,
  type ResolvedResume,
  type ResolvedRunConfig,
  type RunConfigRequest,
  resolveResume,
  resolveRunConfig,
} from "./train/resolve";
export * from "./wrappers";

/** Options of `makeVec`. */
export interface MakeVecOptions {
  /** Passed to `make` for every sub-env. */
  overrides?: MakeOverrides;
  /** Step the sub-envs in worker threads (`AsyncVectorEnv`) instead of in this thread. */
  async?: boolean;
  /**
   * With `async`: modules the workers load to register the env (this library is always loaded);
   * ignored without `async` (the env is made in this thread, where you registered it).
   */
  preload?: string[];
  /**
   * Wraps each sub-env after `make`, e.g. `(env) => new RecordEpisodeStatistics(env)`. Not with
   * `async` (a function cannot reach a worker): use `wrapModule` there.
   */
  wrap?: EnvWrapFunction;
  /**
   * Absolute path of a module whose export `wrap` (or default export) is `(env) => Env`: wraps each
   * sub-env after `make`, with or without `async` (each worker loads the module itself).
   */
  wrapModule?: string;
  /** With `async`: worker threads (default min(numEnvs, number of CPUs)); ignored without `async`. */
  numWorkers?: number;
}

const MAKE_VEC_OPTIONS = ["overrides", "async", "preload", "wrap", "wrapModule", "numWorkers"];

/** `numEnvs` copies of the env registered as `id`, as one vector env (Gymnasium's `make_vec`). */
export function makeVec(id: string, numEnvs: number, options: MakeVecOptions = {}): VectorEnv {
  const owner = `makeVec(${id})`;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new Error(`${owner}: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!MAKE_VEC_OPTIONS.includes(key))
      throw new Error(`${owner}: unknown option "${key}"; expected one of ${MAKE_VEC_OPTIONS.join(", ")}`);
  }
  requirePositiveInteger(owner, "numEnvs", numEnvs);
  if (options.wrapModule !== undefined) requireWrapModulePath(options.wrapModule, owner);
  if (options.wrap !== undefined && options.wrapModule !== undefined)
    throw new Error(`${owner}: give wrap or wrapModule, not both`);
  if (options.async) {
    if (options.wrap !== undefined)
      throw new Error(
        `${owner}: wrap is not supported with async (a function cannot reach a worker); use wrapModule`,
      );
    return new AsyncVectorEnv({
      envId: id,
      numEnvs,
      overrides: options.overrides,
      preload: [__filename, ...(options.preload ?? [])],
      wrapModule: options.wrapModule,
      numWorkers: options.numWorkers,
    });
  }
  const wrap: EnvWrapFunction =
    options.wrapModule !== undefined
      ? loadWrapModule(options.wrapModule, owner)
      : (options.wrap ?? ((env) => env));
  return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => wrap(make(id, options.overrides))));
}
