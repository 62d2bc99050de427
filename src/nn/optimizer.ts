import * as tf from "@tensorflow/tfjs";
import { requireBackend } from "./backend";
import { requireNumber } from "./check";
import type { ParamMap } from "./params";
import { Scratch, smallKernels } from "./small/kernels";

/** Adam's moments on the small-kernel heap while its kernel runs (see ClippedAdam.updateArrayParameter). */
const adamMoments = new Scratch();

/** Which optimiser a checkpoint's state belongs to (the manifest's `optimizer.kind`). */
export type OptimizerKind = "ClippedAdam" | "ClippedRmsprop";

/** Arguments every {@link ClippedOptimizer} takes. */
export interface ClippedOptimizerArgs {
  /** Step size, finite and > 0; may be changed between steps (annealing) through `learningRate`. */
  learningRate: number;
  /** Clip gradients so that their global L2 norm is at most this, > 0 (default: no clipping). */
  maxGradNorm?: number;
}

/** Arguments of {@link ClippedAdam}. */
export interface ClippedAdamArgs extends ClippedOptimizerArgs {
  /** Decay of the first-moment average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the root of the second moment, > 0 (default 1e-8 as PyTorch; CleanRL's PPO uses 1e-5). */
  epsilon?: number;
}

/** Arguments of {@link ClippedRmsprop}. */
export interface ClippedRmspropArgs extends ClippedOptimizerArgs {
  /** Decay of the average of squared gradients, in [0, 1) (default 0.99 as PyTorch). */
  alpha?: number;
  /** Added to the root of the average, > 0 (default 1e-8 as PyTorch; SB3's A2C uses 1e-5). */
  epsilon?: number;
}

/** Optimiser state as saved to a checkpoint: the step count and every slot's values per parameter path. */
export interface OptimizerState {
  /** Number of updates applied so far. */
  step: number;
  /** Per slot name (Adam: `m`, `v`; RMSprop: `squareAvg`), the slot's values keyed by parameter path. */
  slots: Map<string, Map<string, Float32Array>>;
}

/** Adam's state: the step count and both moments per parameter path. */
export interface AdamState {
  /** Number of updates applied so far. */
  step: number;
  /** First moments keyed by parameter path. */
  m: Map<string, Float32Array>;
  /** Second moments keyed by parameter path. */
  v: Map<string, Float32Array>;
}

/** RMSprop's state: the step count and the average of squared gradients per parameter path. */
export interface RmspropState {
  /** Number of updates applied so far. */
  step: number;
  /** Running average of squared gradients (PyTorch's `square_avg`) keyed by parameter path. */
  squareAvg: Map<string, Float32Array>;
}

/** What one update did. */
export interface StepResult {
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
}

/**
 * What Adam and RMSprop share: gradients of a loss, global-norm clipping as PyTorch's `clip_grad_norm_`
 * (which tfjs lacks), and the per-parameter loop. The update runs on plain Float32Arrays: one read-back
 * per gradient and one upload per parameter instead of a dozen tensor ops per parameter, and the
 * optimiser's slots (moments, averages) stay inspectable and savable. A subclass names its slots and
 * updates one parameter in place.
 */
export abstract class ClippedOptimizer {
  /**
   * Current step size. The constructor checks the initial value; an assignment (annealing) is used as
   * is, unchecked: keep it finite and ≥ 0 (0, as a linear schedule ends, leaves the parameters alone).
   */
  learningRate: number;
  /** Global-norm clip threshold, or undefined for none. */
  readonly maxGradNorm: number | undefined;
  /** Which optimiser this is (recorded in checkpoints). */
  abstract readonly kind: OptimizerKind;
  /** Names of the per-parameter slots, in the order `updateParameter` receives them. */
  readonly slotNames: readonly string[];
  /** Number of updates applied so far (this one included while `updateParameter` runs). */
  protected stepCount = 0;
  /** Per parameter path, its slots in `slotNames` order. */
  private readonly slotsOf = new Map<string, Float32Array[]>();
  private readonly varList: tf.Variable[];
  private readonly pathOfVariable = new Map<string, string>();

  protected constructor(
    readonly params: ParamMap,
    /** The class name, as the argument errors and state errors name it. */
    private readonly owner: string,
    args: ClippedOptimizerArgs,
    slotNames: readonly string[],
  ) {
    requireBackend(owner);
    this.learningRate = requireNumber(
      owner,
      "learningRate",
      args.learningRate,
      "a finite number > 0",
      positive,
    );
    this.maxGradNorm =
      args.maxGradNorm === undefined
        ? undefined
        : requireNumber(
            owner,
            "maxGradNorm",
            args.maxGradNorm,
            "a number > 0 (or undefined: no clipping)",
            (x) => x > 0,
          );
    this.slotNames = [...slotNames];
    this.varList = [...params.values()];
    for (const [path, variable] of params) {
      this.pathOfVariable.set(variable.name, path);
      this.slotsOf.set(
        path,
        slotNames.map(() => new Float32Array(variable.size)),
      );
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
        // Variables marked not trainable (a frozen encoder) come back with a null gradient: left alone.
        if (path !== undefined && grad !== null) byPath.set(path, grad);
      }
      const result = this.applyGradients(byPath);
      return { loss: value.dataSync()[0], gradNorm: result.gradNorm };
    } finally {
      value.dispose();
      for (const grad of Object.values(grads)) grad?.dispose();
    }
  }

  /**
   * Applies one update from gradients keyed by parameter path; a parameter without a gradient is left
   * alone, slots included, as in PyTorch. Does not dispose the gradients.
   */
  applyGradients(grads: Map<string, tf.Tensor>): StepResult {
    const gradValues = new Map<string, Float32Array>();
    for (const [path, grad] of grads) gradValues.set(path, grad.dataSync() as Float32Array);
    // wasm's dataSync returns a fresh copy that can be updated in place; other backends may hand out
    // their backing store (shared with snapshots), so copy there.
    const freshCopies = tf.getBackend() === "wasm";
    return this.update(
      gradValues,
      (path) => {
        const current = this.params.get(path)!.dataSync() as Float32Array;
        return freshCopies ? current : Float32Array.from(current);
      },
      (path, p) => {
        const variable = this.params.get(path)!;
        tf.tidy(() => variable.assign(tf.tensor(p, variable.shape, "float32")));
      },
    );
  }

  /**
   * One update of parameter values held in typed arrays (a fused training step's, on the small-kernel
   * heap): `values` per parameter path are updated in place from `grads` (clipped as {@link applyGradients}
   * clips; a path without a gradient is left alone). The same arithmetic as `applyGradients`, without
   * TF.js: the caller writes the values back to the variables when it hands them over.
   */
  applyGradientArrays(values: Map<string, Float32Array>, grads: Map<string, Float32Array>): StepResult {
    for (const path of grads.keys()) {
      const p = values.get(path);
      const variable = this.params.get(path);
      if (variable === undefined || p === undefined)
        throw new Error(`${this.owner}.applyGradientArrays: no parameter "${path}" to update`);
      if (p.length !== variable.size || grads.get(path)!.length !== variable.size) {
        throw new Error(
          `${this.owner}.applyGradientArrays: "${path}" has ${p.length} values and ${grads.get(path)!.length} gradients, expected ${variable.size}`,
        );
      }
    }
    // A subclass's heap workspace (Adam's moments) is reserved first, for the largest parameter: growing
    // the heap detaches every view of it, so views of the heap are taken again afterwards.
    const kernels = smallKernels();
    const before = kernels.buffer;
    const located = (arrays: Map<string, Float32Array>) =>
      [...arrays].map(([path, a]) => [path, a, a.buffer === before ? a.byteOffset : -1, a.length] as const);
    const valueSpots = located(values);
    const gradSpots = located(grads);
    this.reserveArrayWorkspace(Math.max(0, ...[...grads.values()].map((g) => g.length)));
    const again = (spots: ReturnType<typeof located>) =>
      new Map(spots.map(([path, a, at, length]) => [path, at < 0 ? a : kernels.viewOf(at, length)]));
    const heapValues = kernels.buffer === before ? values : again(valueSpots);
    const heapGrads = kernels.buffer === before ? grads : again(gradSpots);
    return this.update(heapGrads, (path) => heapValues.get(path)!, undefined, true);
  }

  /**
   * Makes room for {@link updateArrayParameter}'s heap workspace for parameters of up to `length`
   * values, before any view is used (Adam reserves its moments); nothing by default.
   */
  protected reserveArrayWorkspace(_length: number): void {}

  /** The clip and the per-parameter update shared by both entry points; `done` receives each updated one. */
  private update(
    gradValues: Map<string, Float32Array>,
    valuesOf: (path: string) => Float32Array,
    done?: (path: string, p: Float32Array) => void,
    arrays = false,
  ): StepResult {
    let sumSquares = 0;
    const kernels = arrays ? smallKernels() : null;
    for (const g of gradValues.values()) {
      // A heap view's squares are summed by the kernel (4 lanes: the last bits of the double may differ
      // from the loop's); the TF.js path keeps the sequential loop, so its results stay as they were.
      if (kernels !== null && g.buffer === kernels.buffer) sumSquares += kernels.sumSquares(g);
      else for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
    }
    const gradNorm = Math.sqrt(sumSquares);
    let scale = 1;
    if (this.maxGradNorm !== undefined && gradNorm > this.maxGradNorm)
      scale = this.maxGradNorm / (gradNorm + 1e-6);
    this.stepCount += 1;
    for (const path of this.params.keys()) {
      const g = gradValues.get(path);
      if (g === undefined) continue;
      const p = valuesOf(path);
      if (arrays) this.updateArrayParameter(p, g, scale, this.slotsOf.get(path)!);
      else this.updateParameter(p, g, scale, this.slotsOf.get(path)!);
      done?.(path, p);
    }
    return { gradNorm };
  }

  /**
   * Updates parameter values `p` in place from gradient `g` (to be multiplied by `scale`, the clip
   * factor) and the parameter's slots (in `slotNames` order); `stepCount` already counts this update.
   */
  protected abstract updateParameter(
    p: Float32Array,
    g: Float32Array,
    scale: number,
    slots: readonly Float32Array[],
  ): void;

  /**
   * {@link updateParameter} for {@link applyGradientArrays}, whose values and gradients may be views of
   * the small-kernel heap: a subclass may run its update there as a kernel (Adam does). By default the
   * same code as `updateParameter`.
   */
  protected updateArrayParameter(
    p: Float32Array,
    g: Float32Array,
    scale: number,
    slots: readonly Float32Array[],
  ): void {
    this.updateParameter(p, g, scale, slots);
  }

  /** Copy of the step count and every slot (what a checkpoint stores). */
  getSlotState(): OptimizerState {
    const slots = new Map<string, Map<string, Float32Array>>();
    this.slotNames.forEach((slot, k) => {
      const byPath = new Map<string, Float32Array>();
      for (const [path, arrays] of this.slotsOf) byPath.set(path, Float32Array.from(arrays[k]));
      slots.set(slot, byPath);
    });
    return { step: this.stepCount, slots };
  }

  /**
   * Restores a state from {@link getSlotState}: every slot of every parameter must be present with the
   * parameter's size, else nothing changes and the error names the slot and the parameter.
   */
  setSlotState(state: OptimizerState): void {
    for (const [path, variable] of this.params) {
      for (const slot of this.slotNames) {
        const saved = state.slots.get(slot)?.get(path);
        if (saved === undefined)
          throw new Error(`${this.owner} state has no ${slot} for parameter "${path}"`);
        if (saved.length !== variable.size) {
          throw new Error(
            `${this.owner} state ${slot} of "${path}" has ${saved.length} values, expected ${variable.size}`,
          );
        }
      }
    }
    for (const [path, arrays] of this.slotsOf) {
      this.slotNames.forEach((slot, k) => {
        arrays[k].set(state.slots.get(slot)!.get(path)!);
      });
    }
    this.stepCount = state.step;
  }
}

function positive(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}

function decay(x: number): boolean {
  return x >= 0 && x < 1;
}

/**
 * Adam (PyTorch's formulation) with global-norm gradient clipping:
 * m = β₁·m + (1 − β₁)·g,  v = β₂·v + (1 − β₂)·g²,  p −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export class ClippedAdam extends ClippedOptimizer {
  readonly kind = "ClippedAdam";
  /** First-moment decay. */
  readonly beta1: number;
  /** Second-moment decay. */
  readonly beta2: number;
  /** Denominator offset. */
  readonly epsilon: number;

  /** Optimises the variables of `params`. */
  constructor(params: ParamMap, args: ClippedAdamArgs) {
    super(params, "ClippedAdam", args, ["m", "v"]);
    this.beta1 = requireNumber("ClippedAdam", "beta1", args.beta1 ?? 0.9, "a number in [0, 1)", decay);
    this.beta2 = requireNumber("ClippedAdam", "beta2", args.beta2 ?? 0.999, "a number in [0, 1)", decay);
    this.epsilon = requireNumber(
      "ClippedAdam",
      "epsilon",
      args.epsilon ?? 1e-8,
      "a finite number > 0",
      positive,
    );
  }

  protected updateParameter(
    p: Float32Array,
    g: Float32Array,
    scale: number,
    [m, v]: readonly Float32Array[],
  ): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.learningRate / (1 - b1 ** this.stepCount);
    const inverseRoot = 1 / Math.sqrt(1 - b2 ** this.stepCount);
    const eps = this.epsilon;
    const oneMinusB1 = 1 - b1;
    const oneMinusB2 = 1 - b2;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i] * scale;
      const mi = b1 * m[i] + oneMinusB1 * gi;
      const vi = b2 * v[i] + oneMinusB2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) * inverseRoot + eps);
    }
  }

  /** Room for both moments of the largest parameter on the heap. */
  protected override reserveArrayWorkspace(length: number): void {
    adamMoments.ensure(2 * length);
  }

  /**
   * On the small-kernel heap (values and gradients both views of it), the update runs as one SIMD
   * kernel in float32 (the moments copied onto the heap and back): ~10× faster than the loop above,
   * which computes in double precision, so the two differ in the last bits of a float32.
   */
  protected override updateArrayParameter(
    p: Float32Array,
    g: Float32Array,
    scale: number,
    slots: readonly Float32Array[],
  ): void {
    const kernels = smallKernels();
    if (p.buffer !== kernels.buffer || g.buffer !== kernels.buffer || p.length !== g.length) {
      this.updateParameter(p, g, scale, slots);
      return;
    }
    const [m, v] = slots;
    const n = p.length;
    // Reserved by reserveArrayWorkspace: this does not grow the heap, so p and g stay attached.
    const moments = adamMoments.ensure(2 * n).f32;
    const heapM = moments.subarray(0, n);
    const heapV = moments.subarray(n, 2 * n);
    heapM.set(m);
    heapV.set(v);
    const stepSize = this.learningRate / (1 - this.beta1 ** this.stepCount);
    const inverseRoot = 1 / Math.sqrt(1 - this.beta2 ** this.stepCount);
    kernels.adamUpdate(
      p,
      g,
      heapM,
      heapV,
      scale,
      this.beta1,
      this.beta2,
      stepSize,
      inverseRoot,
      this.epsilon,
    );
    m.set(heapM);
    v.set(heapV);
  }

  /** Copy of the optimiser state (for checkpoints). */
  getState(): AdamState {
    const { step, slots } = this.getSlotState();
    return { step, m: slots.get("m")!, v: slots.get("v")! };
  }

  /** Restores a state from {@link getState}; sizes must match the parameters. */
  setState(state: AdamState): void {
    this.setSlotState({
      step: state.step,
      slots: new Map([
        ["m", state.m],
        ["v", state.v],
      ]),
    });
  }
}

/**
 * RMSprop as PyTorch's `torch.optim.RMSprop` without momentum or centring (what SB3's A2C uses), with
 * global-norm gradient clipping:  s = α·s + (1 − α)·g²,  p −= lr · g / (√s + ε),  s starting at 0.
 */
export class ClippedRmsprop extends ClippedOptimizer {
  readonly kind = "ClippedRmsprop";
  /** Decay of the squared-gradient average. */
  readonly alpha: number;
  /** Denominator offset (outside the root, as PyTorch). */
  readonly epsilon: number;

  /** Optimises the variables of `params`. */
  constructor(params: ParamMap, args: ClippedRmspropArgs) {
    super(params, "ClippedRmsprop", args, ["squareAvg"]);
    this.alpha = requireNumber("ClippedRmsprop", "alpha", args.alpha ?? 0.99, "a number in [0, 1)", decay);
    this.epsilon = requireNumber(
      "ClippedRmsprop",
      "epsilon",
      args.epsilon ?? 1e-8,
      "a finite number > 0",
      positive,
    );
  }

  protected updateParameter(
    p: Float32Array,
    g: Float32Array,
    scale: number,
    [squareAvg]: readonly Float32Array[],
  ): void {
    const alpha = this.alpha;
    const oneMinusAlpha = 1 - alpha;
    const lr = this.learningRate;
    const eps = this.epsilon;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i] * scale;
      const si = alpha * squareAvg[i] + oneMinusAlpha * gi * gi;
      squareAvg[i] = si;
      p[i] -= (lr * gi) / (Math.sqrt(si) + eps);
    }
  }

  /** Copy of the optimiser state (for checkpoints). */
  getState(): RmspropState {
    const { step, slots } = this.getSlotState();
    return { step, squareAvg: slots.get("squareAvg")! };
  }

  /** Restores a state from {@link getState}; sizes must match the parameters. */
  setState(state: RmspropState): void {
    this.setSlotState({ step: state.step, slots: new Map([["squareAvg", state.squareAvg]]) });
  }
}
