import { Box, describeValue, type Env } from "../core";
import { RandomObservationWrapper } from "./float32_box";

/**
 * Adds independent Gaussian noise N(0, std²) to every value of a float32 `Box` observation (a noisy
 * sensor). The noise is drawn from the wrapper's own stream, seeded from the reset seed. The bounds
 * become unbounded, since noise can carry a value past them.
 */
export class ObservationNoise<A> extends RandomObservationWrapper<A> {
  constructor(
    env: Env<Float32Array, A>,
    /** Standard deviation of the noise. */
    readonly std: number,
  ) {
    super(env, "ObservationNoise");
    if (typeof std !== "number" || !Number.isFinite(std) || std < 0) {
      throw new Error(
        `ObservationNoise(${env.name}): std must be a finite number ≥ 0, got ${describeValue(std)}`,
      );
    }
    this.observationSpace = new Box(-Infinity, Infinity, this.innerSpace.shape, "float32");
  }

  observation(observation: Float32Array): Float32Array {
    const rng = this.random.current;
    const out = new Float32Array(observation.length);
    for (let i = 0; i < out.length; i++) out[i] = observation[i] + this.std * rng.normal();
    return out;
  }
}
