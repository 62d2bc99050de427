import {
  Box,
  DerivedRng,
  describeValue,
  type Env,
  ObservationWrapper,
  type ResetArgs,
  type ResetResult,
} from "../core";

/**
 * Replaces the whole observation by zeros with probability `p` at every step and at reset (the
 * flickering setting of DRQN, Hausknecht & Stone 2015): an agent must integrate over time.
 * The coin flips come from the wrapper's own stream, seeded from the reset seed.
 */
export class FlickerObservation<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  private readonly coin = new DerivedRng("FlickerObservation");

  constructor(
    env: Env<Float32Array, A>,
    /** Probability of an all-zero observation. */
    readonly p: number,
  ) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box) || space.dtype !== "float32") {
      throw new Error(
        `FlickerObservation(${env.name}): expected a float32 Box observation space, got ${space}`,
      );
    }
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new Error(
        `FlickerObservation(${env.name}): p must be a probability in [0, 1], got ${describeValue(p)}`,
      );
    }
    // Zero must be a valid observation.
    this.observationSpace = new Box(
      Array.from(space.low, (v) => Math.min(v, 0)),
      Array.from(space.high, (v) => Math.max(v, 0)),
      space.shape,
      "float32",
    );
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const { observation, info } = this.env.reset(args);
    this.coin.reseed(args?.seed);
    return { observation: this.observation(observation), info };
  }

  observation(observation: Float32Array): Float32Array {
    return this.coin.current.random() < this.p ? new Float32Array(observation.length) : observation;
  }
}
