// The library entry: importing it registers every built-in env and exports the public API.

import { registerBuiltinEnvs } from "../envs";
import {
  AsyncVectorEnv,
  type Env,
  type MakeOverrides,
  make,
  requirePositiveInteger,
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
export * from "./core";
export * from "./wrappers";

/** Options of `makeVec`. */
export interface MakeVecOptions {
  /** Passed to `make` for every sub-env. */
  overrides?: MakeOverrides;
  /** Step the sub-envs in worker threads (`AsyncVectorEnv`) instead of in this thread. */
  async?: boolean;
  /** With `async`: modules the workers load to register the env (this library is always loaded). */
  preload?: string[];
  /** Wraps each sub-env after `make` (sync only), e.g. `(env) => new RecordEpisodeStatistics(env)`. */
  // biome-ignore lint/suspicious/noExplicitAny: wrappers of any env type
  wrap?: (env: Env<any, any>) => Env<any, any>;
}

/** `numEnvs` copies of the env registered as `id`, as one vector env (Gymnasium's `make_vec`). */
export function makeVec(id: string, numEnvs: number, options: MakeVecOptions = {}): VectorEnv {
  if (options.async) {
    if (options.wrap)
      throw new Error("makeVec: wrap is not supported with async (register a wrapped env instead)");
    return new AsyncVectorEnv({
      envId: id,
      numEnvs,
      overrides: options.overrides,
      preload: [__filename, ...(options.preload ?? [])],
    });
  }
  requirePositiveInteger(`makeVec(${id})`, "numEnvs", numEnvs);
  const wrap = options.wrap ?? ((env) => env);
  return new SyncVectorEnv(Array.from({ length: numEnvs }, () => () => wrap(make(id, options.overrides))));
}
