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
 * Adds independent Gaussian noise N(0, std²) to every value of a float32 `Box` observation (a noisy
 * sensor). The noise is drawn from the wrapper's own stream, seeded from the reset seed. The bounds
 * become unbounded, since noise can carry a value past them.
 */
export class ObservationNoise<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  private readonly noise = new DerivedRng("ObservationNoise");

  constructor(
    env: Env<Float32Array, A>,
    /** Standard deviation of the noise. */
    readonly std: number,
  ) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box) || space.dtype !== "float32") {
      throw new Error(
        `ObservationNoise(${env.name}): expected a float32 Box observation space, got ${space}`,
      );
    }
    if (typeof std !== "number" || !Number.isFinite(std) || std < 0) {
      throw new Error(
        `ObservationNoise(${env.name}): std must be a finite number ≥ 0, got ${describeValue(std)}`,
      );
    }
    this.observationSpace = new Box(-Infinity, Infinity, space.shape, "float32");
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const { observation, info } = this.env.reset(args);
    this.noise.reseed(args?.seed);
    return { observation: this.observation(observation), info };
  }

  observation(observation: Float32Array): Float32Array {
    const rng = this.noise.current;
    const out = new Float32Array(observation.length);
    for (let i = 0; i < out.length; i++) out[i] = observation[i] + this.std * rng.normal();
    return out;
  }
}
