import * as tf from "@tensorflow/tfjs";
import { requireBackend } from "./backend";
import { requireNumber } from "./check";
import type { ParamMap } from "./params";

/** Arguments of {@link ClippedAdam}. */
export interface ClippedAdamArgs {
  /** Step size, finite and > 0; may be changed between steps (annealing) through `learningRate`. */
  learningRate: number;
  /** Decay of the first-moment average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the root of the second moment, > 0 (default 1e-8 as PyTorch; CleanRL's PPO uses 1e-5). */
  epsilon?: number;
  /** Clip gradients so that their global L2 norm is at most this, > 0 (default: no clipping). */
  maxGradNorm?: number;
}

/** Optimiser state as saved to a checkpoint: the step count and both moments per parameter path. */
export interface AdamState {
  /** Number of updates applied so far. */
  step: number;
  /** First moments keyed by parameter path. */
  m: Map<string, Float32Array>;
  /** Second moments keyed by parameter path. */
  v: Map<string, Float32Array>;
}

/** What one update did. */
export interface StepResult {
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
}

/**
 * Adam (PyTorch's formulation) with global-norm gradient clipping as `clip_grad_norm_`, which tfjs lacks.
 * The update runs on plain Float32Arrays: one read-back per gradient and one upload per parameter
 * instead of a dozen tensor ops per parameter, and the moments stay inspectable and savable.
 */
export class ClippedAdam {
  /**
   * Current step size. The constructor checks the initial value; an assignment (annealing) is used as
   * is, unchecked: keep it finite and ≥ 0 (0, as a linear schedule ends, leaves the parameters alone).
   */
  learningRate: number;
  /** First-moment decay. */
  readonly beta1: number;
  /** Second-moment decay. */
  readonly beta2: number;
  /** Denominator offset. */
  readonly epsilon: number;
  /** Global-norm clip threshold, or undefined for none. */
  readonly maxGradNorm: number | undefined;
  private stepCount = 0;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private readonly varList: tf.Variable[];
  private readonly pathOfVariable = new Map<string, string>();

  /** Optimises the variables of `params`. */
  constructor(
    readonly params: ParamMap,
    args: ClippedAdamArgs,
  ) {
    requireBackend("ClippedAdam");
    const positive = (x: number) => Number.isFinite(x) && x > 0;
    const decay = (x: number) => x >= 0 && x < 1;
    this.learningRate = requireNumber(
      "ClippedAdam",
      "learningRate",
      args.learningRate,
      "a finite number > 0",
      positive,
    );
    this.beta1 = requireNumber("ClippedAdam", "beta1", args.beta1 ?? 0.9, "a number in [0, 1)", decay);
    this.beta2 = requireNumber("ClippedAdam", "beta2", args.beta2 ?? 0.999, "a number in [0, 1)", decay);
    this.epsilon = requireNumber(
      "ClippedAdam",
      "epsilon",
      args.epsilon ?? 1e-8,
      "a finite number > 0",
      positive,
    );
    this.maxGradNorm =
      args.maxGradNorm === undefined
        ? undefined
        : requireNumber(
            "ClippedAdam",
            "maxGradNorm",
            args.maxGradNorm,
            "a number > 0 (or undefined: no clipping)",
            (x) => x > 0,
          );
    this.varList = [...params.values()];
    for (const [path, variable] of params) {
      this.pathOfVariable.set(variable.name, path);
      this.m.set(path, new Float32Array(variable.size));
      this.v.set(path, new Float32Array(variable.size));
    }
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.stepCount;
  }

  /**
   * Computes the gradients of `loss` with respect to all parameters, applies one update and returns the
   * loss value. All tensors made on the way are freed.
   */
  minimize(loss: () => tf.Scalar): StepResult & { loss: number } {
    const { value, grads } = tf.variableGrads(loss, this.varList);
    try {
      const byPath = new Map<string, tf.Tensor>();
      for (const [name, grad] of Object.entries(grads)) {
        const path = this.pathOfVariable.get(name);
        if (path !== undefined) byPath.set(path, grad);
      }
      const result = this.applyGradients(byPath);
      return { loss: value.dataSync()[0], gradNorm: result.gradNorm };
    } finally {
      value.dispose();
      for (const grad of Object.values(grads)) grad.dispose();
    }
  }

  /**
   * Applies one update from gradients keyed by parameter path; a parameter without a gradient is left
   * alone, as in PyTorch. Does not dispose the gradients.
   */
  applyGradients(grads: Map<string, tf.Tensor>): StepResult {
    const gradValues = new Map<string, Float32Array>();
    let sumSquares = 0;
    for (const [path, grad] of grads) {
      const g = grad.dataSync() as Float32Array;
      gradValues.set(path, g);
      for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
    }
    const gradNorm = Math.sqrt(sumSquares);
    let scale = 1;
    if (this.maxGradNorm !== undefined && gradNorm > this.maxGradNorm)
      scale = this.maxGradNorm / (gradNorm + 1e-6);
    this.stepCount += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.learningRate / (1 - b1 ** this.stepCount);
    const rootCorrection = Math.sqrt(1 - b2 ** this.stepCount);
    const eps = this.epsilon;
    const oneMinusB1 = 1 - b1;
    const oneMinusB2 = 1 - b2;
    const inverseRoot = 1 / rootCorrection;
    // wasm's dataSync returns a fresh copy that can be updated in place; other backends may hand out
    // their backing store (shared with snapshots), so copy there.
    const freshCopies = tf.getBackend() === "wasm";
    for (const [path, variable] of this.params) {
      const g = gradValues.get(path);
      // As PyTorch: a parameter without a gradient is left alone, moments included.
      if (g === undefined) continue;
      const m = this.m.get(path)!;
      const v = this.v.get(path)!;
      const current = variable.dataSync() as Float32Array;
      const p = freshCopies ? current : Float32Array.from(current);
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i] * scale;
        const mi = b1 * m[i] + oneMinusB1 * gi;
        const vi = b2 * v[i] + oneMinusB2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (stepSize * mi) / (Math.sqrt(vi) * inverseRoot + eps);
      }
      tf.tidy(() => variable.assign(tf.tensor(p, variable.shape, "float32")));
    }
    return { gradNorm };
  }

  /** Copy of the optimiser state (for checkpoints). */
  getState(): AdamState {
    const copy = (src: Map<string, Float32Array>) =>
      new Map([...src].map(([k, a]) => [k, Float32Array.from(a)]));
    return { step: this.stepCount, m: copy(this.m), v: copy(this.v) };
  }

  /** Restores a state from {@link getState}; sizes must match the parameters. */
  setState(state: AdamState): void {
    for (const [path, variable] of this.params) {
      for (const [label, moments, target] of [
        ["m", state.m, this.m],
        ["v", state.v, this.v],
      ] as const) {
        const saved = moments.get(path);
        if (saved === undefined) throw new Error(`Adam state has no ${label} for parameter "${path}"`);
        if (saved.length !== variable.size) {
          throw new Error(
            `Adam state ${label} of "${path}" has ${saved.length} values, expected ${variable.size}`,
          );
        }
        target.get(path)!.set(saved);
      }
    }
    this.stepCount = state.step;
  }
}
