import { Box, describeValue, type Env } from "../core";
import { RandomObservationWrapper } from "./float32_box";

/**
 * Replaces the whole observation by zeros with probability `p` at every step and at reset (the
 * flickering setting of DRQN, Hausknecht & Stone 2015): an agent must integrate over time.
 * The coin flips come from the wrapper's own stream, seeded from the reset seed.
 */
export class FlickerObservation<A> extends RandomObservationWrapper<A> {
  constructor(
    env: Env<Float32Array, A>,
    /** Probability of an all-zero observation. */
    readonly p: number,
  ) {
    super(env, "FlickerObservation");
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new Error(
        `FlickerObservation(${env.name}): p must be a probability in [0, 1], got ${describeValue(p)}`,
      );
    }
    // Zero must be a valid observation.
    const { low, high, shape } = this.innerSpace;
    this.observationSpace = new Box(
      Array.from(low, (v) => Math.min(v, 0)),
      Array.from(high, (v) => Math.max(v, 0)),
      shape,
      "float32",
    );
  }

  observation(observation: Float32Array): Float32Array {
    return this.random.current.random() < this.p ? new Float32Array(observation.length) : observation;
  }
}
