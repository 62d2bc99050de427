import { Box, describeValue, type Env, ObservationWrapper } from "../core";
import { requireFloat32Box } from "./float32_box";

/**
 * Keeps only the observation values at `indices` (of a flat `Box` observation) — how a fully observed
 * env becomes a POMDP, e.g. CartPole without velocities (`[0, 2]`: x and theta).
 */
export class MaskObservation<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  /** The kept indices, in order. */
  readonly indices: readonly number[];

  constructor(env: Env<Float32Array, A>, indices: readonly number[]) {
    super(env);
    const space = requireFloat32Box("MaskObservation", env);
    if (!Array.isArray(indices) || indices.length === 0) {
      throw new Error(
        `MaskObservation(${env.name}): indices must be a non-empty array, got ${describeValue(indices)}`,
      );
    }
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= space.size) {
        throw new Error(
          `MaskObservation(${env.name}): index ${describeValue(i)} is out of range; expected an integer in [0, ${space.size - 1}]`,
        );
      }
    }
    if (new Set(indices).size !== indices.length)
      throw new Error(`MaskObservation(${env.name}): indices ${describeValue(indices)} repeat a value`);
    this.indices = Object.freeze([...indices]);
    this.observationSpace = new Box(
      indices.map((i) => space.low[i]),
      indices.map((i) => space.high[i]),
      [indices.length],
      "float32",
    );
  }

  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(observation: Float32Array): Float32Array {
    const out = new Float32Array(this.indices.length);
    for (let k = 0; k < this.indices.length; k++) out[k] = observation[this.indices[k]];
    return out;
  }
}
