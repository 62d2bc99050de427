import {
  Box,
  checkStateObject,
  DerivedRng,
  type Env,
  ObservationWrapper,
  type ResetArgs,
  type ResetResult,
  type RngState,
} from "../core";

/** The env's observation space if it is a float32 `Box`; otherwise an error naming the wrapper and the env. */
export function requireFloat32Box(wrapper: string, env: Env<unknown, unknown>): Box {
  const space = env.observationSpace;
  if (!(space instanceof Box) || space.dtype !== "float32") {
    throw new Error(`${wrapper}(${env.name}): expected a float32 Box observation space, got ${space}`);
  }
  return space;
}

/**
 * Base of the wrappers that perturb float32 observations at random (noise, flicker): their draws come
 * from their own stream, reseeded from the reset seed, so the same seed gives the same perturbations.
 */
export abstract class RandomObservationWrapper<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  /** The wrapper's own random stream. */
  protected readonly random: DerivedRng;
  /** The wrapped env's observation space. */
  protected readonly innerSpace: Box;

  constructor(env: Env<Float32Array, A>, tag: string) {
    super(env);
    this.innerSpace = requireFloat32Box(tag, env);
    this.random = new DerivedRng(tag);
  }

  /** The wrapper's random stream. */
  protected override ownState(): unknown {
    return { random: this.random.getState() };
  }

  protected override restoreOwnState(state: unknown): void {
    const { random } = checkStateObject(`${this.constructor.name}(${this.name})`, state, ["random"]);
    this.random.setState(random as RngState | null);
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const { observation, info } = this.env.reset(args);
    this.random.reseed(args?.seed);
    return { observation: this.observation(observation), info };
  }
}
