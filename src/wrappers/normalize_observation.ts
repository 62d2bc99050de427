import { Box, describeValue, type Env, ObservationWrapper } from "../core";
import { requireFloat32Box } from "./float32_box";

/** The saveable state of `NormalizeObservation`: running mean, variance and count. */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Normalizes each value of a float32 `Box` observation to roughly zero mean and unit variance with a
 * running estimate (Gymnasium's `NormalizeObservation`, RunningMeanStd with count starting at 1e-4):
 * `(obs - mean) / sqrt(var + epsilon)`. Freeze the statistics for evaluation with `update = false`;
 * save and restore them with `getState` / `setState`.
 */
export class NormalizeObservation<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  /** Whether each new observation updates the statistics. */
  update = true;
  private mean: Float64Array;
  private var: Float64Array;
  private count = 1e-4;

  constructor(
    env: Env<Float32Array, A>,
    /** Added to the variance before the square root. */
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const space = requireFloat32Box("NormalizeObservation", env);
    this.mean = new Float64Array(space.size);
    this.var = new Float64Array(space.size).fill(1);
    this.observationSpace = new Box(-Infinity, Infinity, space.shape, "float32");
  }

  observation(observation: Float32Array): Float32Array {
    if (this.update) this.updateStatistics(observation);
    const out = new Float32Array(observation.length);
    for (let i = 0; i < out.length; i++)
      out[i] = (observation[i] - this.mean[i]) / Math.sqrt(this.var[i] + this.epsilon);
    return out;
  }

  /** Parallel-variance update with a batch of one (Chan et al.), as Gymnasium's RunningMeanStd. */
  private updateStatistics(x: Float32Array): void {
    const total = this.count + 1;
    for (let i = 0; i < x.length; i++) {
      const delta = x[i] - this.mean[i];
      this.mean[i] += delta / total;
      const m2 = this.var[i] * this.count + delta * delta * (this.count / total);
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  /** The statistics, JSON-serialisable. */
  override getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restores statistics saved by `getState` (checked against this env's observation size). */
  override setState(state: RunningMeanStdState): void {
    const n = this.mean.length;
    const ok =
      state !== null &&
      typeof state === "object" &&
      Array.isArray(state.mean) &&
      Array.isArray(state.var) &&
      state.mean.length === n &&
      state.var.length === n &&
      state.mean.every(Number.isFinite) &&
      state.var.every((v) => Number.isFinite(v) && v >= 0) &&
      typeof state.count === "number" &&
      state.count > 0;
    if (!ok) {
      throw new Error(
        `NormalizeObservation(${this.name}): setState got ${describeValue(state)}; expected { mean, var } of ${n} finite numbers (var ≥ 0) and count > 0`,
      );
    }
    this.mean = Float64Array.from(state.mean);
    this.var = Float64Array.from(state.var);
    this.count = state.count;
  }
}
