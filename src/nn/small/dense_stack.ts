// A stack of dense layers on the small-kernel heap: forward with the activations kept, backward into
// one gradient block. What a small network's training step (DQN's, `pomdp bench nn`'s MLP step) runs
// instead of a TF.js graph, where every matMul, bias add, activation and their gradients is a kernel
// dispatch of ~20–80 µs against a few µs of arithmetic at these sizes.
//
// Layout: `values` holds [kernel₀ (in₀·out₀), bias₀, kernel₁, bias₁, …], the kernels row-major
// [in, out] as TF.js Dense kernels; `grads` holds their gradients in the same layout (so a global
// norm is one pass over one block). The products run on the kernel layer's gemm (in-order float32
// sums); the bias, the activations and their gradients are plain loops over heap views.
import type { Activation } from "../layers";
import { type HeapRegion, Scratch, type SmallKernels, smallKernels } from "./kernels";
import { transposeInto } from "./unroll_buffers";

/** Arguments of {@link DenseStack}. */
export interface DenseStackArgs {
  /** Widths from input to output, e.g. [4, 120, 84, 2]. */
  sizes: readonly number[];
  /** Activation after each layer (sizes.length − 1 of them): "linear", "relu" or "tanh". */
  activations: readonly Activation[];
  /** The kernel layer whose heap holds the stack (default: the process's). */
  kernels?: SmallKernels;
}

/** The activations {@link DenseStack} computes (and differentiates) itself. */
const SUPPORTED: readonly Activation[] = ["linear", "relu", "tanh"];

/** Whether a network with these activations can run as a {@link DenseStack}. */
export function denseStackSupports(activations: readonly Activation[]): boolean {
  return activations.every((a) => SUPPORTED.includes(a));
}

/**
 * Dense layers y = act(x·W + b) on the kernels' heap. `forward` keeps each layer's output for the
 * next `backward` (a batch of the same size), which writes dL/dW and dL/db of every layer into
 * `grads`. Free the heap regions with `dispose()`.
 */
export class DenseStack {
  readonly sizes: readonly number[];
  readonly activations: readonly Activation[];
  /** Number of parameters (kernels and biases). */
  readonly size: number;
  private readonly kernels: SmallKernels;
  private readonly valueRegion: HeapRegion;
  private readonly gradRegion: HeapRegion;
  /** Offset of each layer's kernel in `values` (its bias follows it). */
  private readonly offsets: number[] = [];
  /** Inputs and each layer's outputs of the last forward pass, and the backward pass's buffers. */
  private readonly work: Scratch;
  /** Wᵀ of the layer being differentiated (as large as the largest kernel, allocated once). */
  private readonly transposed: HeapRegion;
  /** Four slots for the ragged end of a tanh layer. */
  private readonly tail: HeapRegion;
  private batch = 0;

  constructor(args: DenseStackArgs) {
    const { sizes, activations } = args;
    if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`DenseStack: sizes must be ≥ 2 positive integers, got [${sizes.join(", ")}]`);
    }
    if (activations.length !== sizes.length - 1) {
      throw new Error(`DenseStack: ${activations.length} activations for ${sizes.length - 1} layers`);
    }
    for (const a of activations) {
      if (!SUPPORTED.includes(a))
        throw new Error(`DenseStack: activation "${a}" is not one of ${SUPPORTED.join(", ")}`);
    }
    this.sizes = [...sizes];
    this.activations = [...activations];
    this.kernels = args.kernels ?? smallKernels();
    this.work = new Scratch(this.kernels);
    let at = 0;
    for (let l = 0; l < sizes.length - 1; l++) {
      this.offsets.push(at);
      at += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    this.size = at;
    this.valueRegion = this.kernels.alloc(at);
    this.gradRegion = this.kernels.alloc(at);
    let largest = 0;
    for (let l = 0; l < sizes.length - 1; l++) largest = Math.max(largest, sizes[l] * sizes[l + 1]);
    this.transposed = this.kernels.alloc(largest);
    this.tail = this.kernels.alloc(4);
    this.valueRegion.f32.fill(0);
    this.gradRegion.f32.fill(0);
  }

  /** Number of layers. */
  get layers(): number {
    return this.sizes.length - 1;
  }

  /** Every parameter, in the layout above (a live heap view: take it again after heap allocations). */
  get values(): Float32Array {
    return this.valueRegion.f32;
  }

  /** Every gradient of the last backward pass, in the layout of `values`. */
  get grads(): Float32Array {
    return this.gradRegion.f32;
  }

  /** Kernel [in, out] of layer `l` in `of` (`values` or `grads`). */
  kernel(l: number, of: Float32Array = this.values): Float32Array {
    const at = this.offsets[l];
    return of.subarray(at, at + this.sizes[l] * this.sizes[l + 1]);
  }

  /** Bias [out] of layer `l` in `of` (`values` or `grads`). */
  bias(l: number, of: Float32Array = this.values): Float32Array {
    const at = this.offsets[l] + this.sizes[l] * this.sizes[l + 1];
    return of.subarray(at, at + this.sizes[l + 1]);
  }

  /** Copies every value of `source` (another stack of the same sizes) into this one. */
  copyFrom(source: DenseStack): void {
    this.checkSameShape(source, "copyFrom");
    this.values.set(source.values);
  }

  /** θ ← τ·θ_source + (1 − τ)·θ (τ = 1: a copy), in float32 as the TF.js update it replaces. */
  blendFrom(source: DenseStack, tau: number): void {
    this.checkSameShape(source, "blendFrom");
    if (tau === 1) {
      this.copyFrom(source);
      return;
    }
    // TF.js multiplies by float32 scalars: τ and 1 − τ rounded first.
    const a = Math.fround(tau);
    const b = Math.fround(1 - tau);
    const from = source.values;
    const to = this.values;
    for (let i = 0; i < to.length; i++)
      to[i] = Math.fround(Math.fround(from[i] * a) + Math.fround(to[i] * b));
  }

  /**
   * The input buffer of a batch of `batch` rows: fill it, then call {@link forward}. (Valid until the
   * next heap allocation, as every view.)
   */
  input(batch: number): Float32Array {
    this.ensureBatch(batch);
    return this.layerIO(0, batch);
  }

  /**
   * Outputs [batch, out] of the rows in {@link input}: each layer's output is kept for {@link backward}.
   * The returned view is overwritten by the next forward pass.
   */
  forward(batch: number): Float32Array {
    this.ensureBatch(batch);
    const { sizes } = this;
    for (let l = 0; l < this.layers; l++) {
      const x = this.layerIO(l, batch);
      const y = this.layerIO(l + 1, batch);
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      this.kernels.matmulInto(y, x, this.kernel(l), batch, nIn, nOut, { rowInit: this.bias(l) });
      this.activate(y, this.activations[l]);
    }
    return this.layerIO(this.layers, batch);
  }

  /**
   * Gradients of the loss whose gradient with respect to the last forward pass's outputs is `dOutput`
   * [batch, out] (a view anywhere; read before anything is written): dL/dW and dL/db of every layer
   * into `grads` (overwritten). The gradient of the inputs is not formed.
   */
  backward(dOutput: Float32Array, batch: number): void {
    if (batch !== this.batch)
      throw new Error(`DenseStack.backward: batch ${batch}, the forward pass had ${this.batch}`);
    const { sizes } = this;
    const last = this.layers - 1;
    // dz of the layer being differentiated, and of the one before it (two buffers, swapped).
    let which = 0;
    let dz = this.gradientBuffer(which, batch * sizes[last + 1]);
    dz.set(dOutput.subarray(0, batch * sizes[last + 1]));
    for (let l = last; l >= 0; l--) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const y = this.layerIO(l + 1, batch);
      this.activationGradient(dz, y.subarray(0, batch * nOut), this.activations[l]);
      const x = this.layerIO(l, batch);
      // dW = xᵀ·dz, db = Σ_rows dz.
      this.kernels.matmulInto(this.kernel(l, this.grads), x, dz, nIn, batch, nOut, { transposeA: true });
      this.kernels.columnSums(dz, this.bias(l, this.grads), batch, nOut);
      if (l === 0) break;
      // dx = dz·Wᵀ: the dz of layer l − 1 (before its activation's gradient).
      const wT = this.transposed.f32;
      transposeInto(this.kernel(l), nIn, nOut, wT);
      which ^= 1;
      const dx = this.gradientBuffer(which, batch * nIn);
      this.kernels.matmulInto(dx, dz, wT, batch, nOut, nIn);
      dz = dx;
    }
  }

  /** Frees the heap regions. */
  dispose(): void {
    this.valueRegion.free();
    this.gradRegion.free();
    this.work.dispose();
    this.transposed.free();
    this.tail.free();
  }

  /** y ← act(y) in place. tanh is the kernels' (4 lanes at a time: a ragged end goes through `tail`). */
  private activate(y: Float32Array, activation: Activation): void {
    if (activation === "relu") this.kernels.reluInPlace(y);
    else if (activation === "tanh") {
      const whole = y.length - (y.length % 4);
      if (whole > 0) this.kernels.tanhInPlace(y.subarray(0, whole));
      if (whole < y.length) {
        const tail = this.tail.f32;
        tail.fill(0);
        tail.set(y.subarray(whole));
        this.kernels.tanhInPlace(tail);
        y.set(tail.subarray(0, y.length - whole), whole);
      }
    }
  }

  /** d ← d·act′ from the layer's output y (relu: y > 0; tanh: 1 − y², in float32 as the kernel). */
  private activationGradient(d: Float32Array, y: Float32Array, activation: Activation): void {
    if (activation === "relu") this.kernels.reluBackward(y, d);
    else if (activation === "tanh") {
      const whole = y.length - (y.length % 4);
      if (whole > 0)
        this.kernels.tanhBackward(y.subarray(0, whole), d.subarray(0, whole), d.subarray(0, whole));
      const f = Math.fround;
      for (let i = whole; i < y.length; i++) d[i] = f(d[i] * f(1 - f(y[i] * y[i])));
    }
  }

  private checkSameShape(other: DenseStack, method: string): void {
    if (other.sizes.join() !== this.sizes.join()) {
      throw new Error(`DenseStack.${method}: sizes [${other.sizes.join(", ")}] ≠ [${this.sizes.join(", ")}]`);
    }
  }

  // The work region holds the input and every layer's output for `batch` rows, then two gradient
  // buffers of the widest layer.
  private ensureBatch(batch: number): void {
    if (!Number.isInteger(batch) || batch < 1)
      throw new Error(`DenseStack: batch ${batch} is not a count ≥ 1`);
    this.batch = batch;
    const io = this.sizes.reduce((a, n) => a + n, 0) * batch;
    this.work.ensure(io + 2 * Math.max(...this.sizes) * batch);
  }

  /** Rows of layer boundary `k` (0: the input, k: layer k − 1's output). */
  private layerIO(k: number, batch: number): Float32Array {
    let at = 0;
    for (let i = 0; i < k; i++) at += this.sizes[i] * batch;
    return this.work.ensure(0).f32.subarray(at, at + this.sizes[k] * batch);
  }

  private gradientBuffer(which: number, length: number): Float32Array {
    const io = this.sizes.reduce((a, n) => a + n, 0) * this.batch;
    const at = io + which * Math.max(...this.sizes) * this.batch;
    return this.work.ensure(0).f32.subarray(at, at + length);
  }
}
