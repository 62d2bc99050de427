// Watches every optimiser step an agent takes: the gradients it was given (before clipping), the
// step size it used and the parameters before and after, by parameter path. Agents build their
// optimiser inside the run, so the watch is on the optimisers' shared `applyGradients` (and
// `applyGradientArrays`, where a fused step on the small-kernel heap hands over typed arrays).
import type * as tf from "@tensorflow/tfjs";
import { vi } from "vitest";
import { ClippedOptimizer } from "../../src/nn";

/** One optimiser step as the agent took it. */
export interface RecordedStep {
  /** The optimiser's class (ClippedAdam, ClippedRmsprop). */
  kind: string;
  learningRate: number;
  /** Gradients by parameter path, as handed to the optimiser (before global-norm clipping). */
  grads: Map<string, Float32Array>;
  /** Every parameter's values just before and just after the step. */
  before: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
}

/** Copies of every variable's values, by path. */
export function snapshotParams(params: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...params].map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]));
}

/**
 * Records the optimiser steps taken while `body` runs (all optimisers of the process), then stops
 * watching. `withParams` false skips the parameter copies (cheaper when only counts matter).
 */
export function recordSteps<T>(body: () => T, withParams = true): { steps: RecordedStep[]; result: T } {
  const steps: RecordedStep[] = [];
  const original = ClippedOptimizer.prototype.applyGradients;
  const spy = vi.spyOn(ClippedOptimizer.prototype, "applyGradients").mockImplementation(function (
    this: ClippedOptimizer,
    grads: Map<string, tf.Tensor>,
  ) {
    const step: RecordedStep = {
      kind: this.kind,
      learningRate: this.learningRate,
      grads: new Map([...grads].map(([k, g]) => [k, (g.dataSync() as Float32Array).slice()])),
      before: withParams ? snapshotParams(this.params) : new Map(),
      after: new Map(),
    };
    const out = original.call(this, grads);
    if (withParams) step.after = snapshotParams(this.params);
    steps.push(step);
    return out;
  });
  // The fused steps (small-kernel heap) hand the optimiser typed arrays: their values are the
  // parameters (pushed to the variables after the step), their gradients the step's.
  const originalArrays = ClippedOptimizer.prototype.applyGradientArrays;
  const arraysSpy = vi.spyOn(ClippedOptimizer.prototype, "applyGradientArrays").mockImplementation(function (
    this: ClippedOptimizer,
    values: Map<string, Float32Array>,
    grads: Map<string, Float32Array>,
  ) {
    const step: RecordedStep = {
      kind: this.kind,
      learningRate: this.learningRate,
      grads: new Map([...grads].map(([k, g]) => [k, Float32Array.from(g)])),
      before: withParams ? snapshotParams(this.params) : new Map(),
      after: new Map(),
    };
    const out = originalArrays.call(this, values, grads);
    if (withParams) {
      step.after = snapshotParams(this.params);
      for (const [k, v] of values) step.after.set(k, Float32Array.from(v));
    }
    steps.push(step);
    return out;
  });
  try {
    return { steps, result: body() };
  } finally {
    spy.mockRestore();
    arraysSpy.mockRestore();
  }
}

/** Concatenation of the arrays under the paths that start with `prefix` (in the map's order). */
export function gather(map: Map<string, Float32Array>, prefix: string): Float32Array {
  const parts = [...map].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Elementwise after − before of the paths under `prefix`. */
export function change(step: RecordedStep, prefix: string): Float32Array {
  const a = gather(step.after, prefix);
  const b = gather(step.before, prefix);
  return a.map((x, i) => x - b[i]);
}

/** Cosine of the angle between two vectors (0 when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** ‖a‖. */
export function norm(a: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
  return Math.sqrt(sum);
}

/** ‖a − b‖ / ‖b‖. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] * b[i];
  }
  return Math.sqrt(diff / norm);
}
