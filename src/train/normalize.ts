// Observation and reward normalization across a vector of envs, as SB3's VecNormalize: running
// statistics shared by all envs, updated while training, frozen for evaluation, saved with the agent.

/** Running mean and variance of vectors (Chan et al.'s parallel update, as SB3's RunningMeanStd). */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count = 1e-4;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }

  /** Adds a batch of `rows` vectors (row-major `rows × size`). */
  update(batch: ArrayLike<number>, rows: number): void {
    const n = this.size;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += batch[r * n + j];
      const batchMean = sum / rows;
      let sq = 0;
      for (let r = 0; r < rows; r++) sq += (batch[r * n + j] - batchMean) ** 2;
      const batchVar = sq / rows;
      const delta = batchMean - this.mean[j];
      const total = this.count + rows;
      this.mean[j] += (delta * rows) / total;
      this.var[j] =
        (this.var[j] * this.count + batchVar * rows + (delta * delta * this.count * rows) / total) / total;
    }
    this.count += rows;
  }

  getState(): { mean: number[]; var: number[]; count: number } {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(state: { mean: number[]; var: number[]; count: number }, what: string): void {
    const ok =
      state !== null &&
      typeof state === "object" &&
      Array.isArray(state.mean) &&
      Array.isArray(state.var) &&
      state.mean.length === this.size &&
      state.var.length === this.size &&
      state.mean.every(Number.isFinite) &&
      state.var.every((v) => Number.isFinite(v) && v >= 0) &&
      Number.isFinite(state.count) &&
      state.count > 0;
    if (!ok) {
      throw new Error(
        `${what}: expected { mean, var } of ${this.size} finite numbers (var ≥ 0) and count > 0, got ${JSON.stringify(state)?.slice(0, 200)}`,
      );
    }
    this.mean = Float64Array.from(state.mean);
    this.var = Float64Array.from(state.var);
    this.count = state.count;
  }
}

/** Saved state of a {@link VecNormalizer}. */
export interface VecNormalizerState {
  observation?: { mean: number[]; var: number[]; count: number };
  reward?: { mean: number[]; var: number[]; count: number };
  /** Each env's running discounted return (reward normalization; needed to resume training exactly). */
  returns?: number[];
}

/** Options of {@link VecNormalizer}. */
export interface VecNormalizerArgs {
  /** Values per observation. */
  observationSize: number;
  /** Number of envs in the vector. */
  numEnvs: number;
  /** Normalize observations: (o − mean) / sqrt(var + ε), clipped to ±clip. */
  observations: boolean;
  /** Scale rewards by the std of the discounted return (not centred), clipped to ±clip. */
  rewards: boolean;
  /** The discount of the return whose std scales rewards. */
  gamma: number;
  /** Clip of normalized values (SB3: 10). */
  clip?: number;
  /** Added to variances (SB3: 1e-8). */
  epsilon?: number;
}

/**
 * SB3's VecNormalize on the agent's side of a vector env: `observations()` normalizes a batch (and
 * updates the statistics while `training`), `rewards()` scales a step's rewards. Evaluation sets
 * `training = false`, which freezes the statistics.
 */
export class VecNormalizer {
  training = true;
  readonly obsRms?: RunningMeanStd;
  readonly retRms?: RunningMeanStd;
  private readonly returns: Float64Array;
  private readonly clip: number;
  private readonly epsilon: number;
  private obsOut = new Float32Array(0);
  private rewOut: Float32Array;

  constructor(readonly args: VecNormalizerArgs) {
    if (args.observations) this.obsRms = new RunningMeanStd(args.observationSize);
    if (args.rewards) this.retRms = new RunningMeanStd(1);
    this.returns = new Float64Array(args.numEnvs);
    this.rewOut = new Float32Array(args.numEnvs);
    this.clip = args.clip ?? 10;
    this.epsilon = args.epsilon ?? 1e-8;
  }

  /** Normalized copy of `rows` observations (the input when observation normalization is off). */
  observations(obs: ArrayLike<number>, rows: number, update = this.training): Float32Array {
    const rms = this.obsRms;
    if (!rms) return obs instanceof Float32Array ? obs : Float32Array.from(obs);
    if (update) rms.update(obs, rows);
    return this.normalize(obs, rows);
  }

  /** Normalized copy of observations without updating the statistics (final observations). */
  normalize(obs: ArrayLike<number>, rows: number): Float32Array {
    const rms = this.obsRms;
    if (!rms) return Float32Array.from(obs);
    const n = rms.size;
    const out = rows === this.args.numEnvs ? this.ensureObsOut(rows * n) : new Float32Array(rows * n);
    const c = this.clip;
    for (let j = 0; j < n; j++) {
      const mean = rms.mean[j];
      const inv = 1 / Math.sqrt(rms.var[j] + this.epsilon);
      for (let r = 0; r < rows; r++) {
        const v = (obs[r * n + j] - mean) * inv;
        out[r * n + j] = Math.min(c, Math.max(-c, v));
      }
    }
    return out;
  }

  private ensureObsOut(size: number): Float32Array {
    if (this.obsOut.length !== size) this.obsOut = new Float32Array(size);
    return this.obsOut;
  }

  /**
   * Scaled rewards of one vector step; `ended[i]` (terminated or truncated) restarts env i's return.
   * The input when reward normalization is off.
   */
  rewards(rewards: ArrayLike<number>, ended: ArrayLike<number>): Float32Array {
    const out = this.rewOut;
    const rms = this.retRms;
    if (!rms) {
      for (let i = 0; i < out.length; i++) out[i] = rewards[i];
      return out;
    }
    if (this.training) {
      for (let i = 0; i < out.length; i++) this.returns[i] = this.returns[i] * this.args.gamma + rewards[i];
      rms.update(this.returns, this.returns.length);
    }
    const inv = 1 / Math.sqrt(rms.var[0] + this.epsilon);
    const c = this.clip;
    for (let i = 0; i < out.length; i++) {
      const v = rewards[i] * inv;
      out[i] = Math.min(c, Math.max(-c, v));
      if (ended[i]) this.returns[i] = 0;
    }
    return out;
  }

  getState(): VecNormalizerState {
    return {
      observation: this.obsRms?.getState(),
      reward: this.retRms?.getState(),
      ...(this.retRms ? { returns: Array.from(this.returns) } : {}),
    };
  }

  setState(state: VecNormalizerState): void {
    if (this.obsRms) {
      if (!state.observation)
        throw new Error("normalizer state: the run normalized observations, but no statistics were saved");
      this.obsRms.setState(state.observation, "normalizer state (observations)");
    }
    if (this.retRms) {
      if (!state.reward)
        throw new Error("normalizer state: the run normalized rewards, but no statistics were saved");
      this.retRms.setState(state.reward, "normalizer state (rewards)");
      const returns = state.returns;
      if (returns !== undefined) {
        if (
          !Array.isArray(returns) ||
          returns.length !== this.returns.length ||
          !returns.every(Number.isFinite)
        ) {
          throw new Error(
            `normalizer state: returns must be ${this.returns.length} finite numbers (one per env), got ${JSON.stringify(returns)?.slice(0, 200)}`,
          );
        }
        this.returns.set(returns);
      }
    }
  }
}
