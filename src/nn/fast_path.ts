// The typed-array fast path: what acting and the fused losses compute on plain Float32Arrays instead
// of TF.js kernels, because at a batch of a few envs one kernel dispatch costs more than the maths.
// One copy of each piece of arithmetic: the MLP forward, the scalar LSTM cell, argmax and
// log-softmax; the memory cores' acting step delegates to the small-kernel layer (src/nn/small).
import type { Activation } from "./layers";
import type { Lstm } from "./lstm";
import type { Mlp } from "./mlp";
import { Scratch, smallKernels } from "./small/kernels";
import { RecurrentStepKernel } from "./small/recurrent_step";

/** Index of the largest of `n` values from `offset` (the first one on ties), as torch.argmax. */
export function argmaxRow(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let a = 1; a < n; a++) if (values[offset + a] > values[offset + best]) best = a;
  return best;
}

/** Row-wise {@link argmaxRow} of [B, A] values (B = out.length) into `out`. */
export function argmaxRowsInto(values: ArrayLike<number>, A: number, out: Int32Array): void {
  for (let b = 0; b < out.length; b++) out[b] = argmaxRow(values, b * A, A);
}

/** The stable parts of a softmax over `n` values from `offset`: their max m and Σ exp(v − m). */
export interface SoftmaxParts {
  max: number;
  total: number;
}

/** Fills `out` with the {@link SoftmaxParts} of a row and returns it. */
export function softmaxParts(
  values: ArrayLike<number>,
  offset: number,
  n: number,
  out: SoftmaxParts = { max: 0, total: 0 },
): SoftmaxParts {
  let max = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < n; a++) max = Math.max(max, values[offset + a]);
  let total = 0;
  for (let a = 0; a < n; a++) total += Math.exp(values[offset + a] - max);
  out.max = max;
  out.total = total;
  return out;
}

const scratchParts: SoftmaxParts = { max: 0, total: 0 };

/** log-softmax of row `b` of [B, A] logits at index `a`: z_a − m − log Σ exp(z − m). */
export function logSoftmaxAt(logits: ArrayLike<number>, b: number, A: number, a: number): number {
  const { max, total } = softmaxParts(logits, b * A, A, scratchParts);
  return logits[b * A + a] - max - Math.log(total);
}

/** log π(a_b | row b) of [B, A] logits at the chosen `actions` into `out` (B = actions.length). */
export function logProbsInto(
  logits: ArrayLike<number>,
  A: number,
  actions: Int32Array,
  out: Float32Array,
): void {
  for (let b = 0; b < actions.length; b++) out[b] = logSoftmaxAt(logits, b, A, actions[b]);
}

/**
 * The whole log-softmax of row `b` of [B, A] logits into `logP` (length A) and the softmax into `p`;
 * returns the row's entropy −Σ p·log p. (log Σ exp is formed once per row: z − (log Σ exp(z − m) + m).)
 */
export function logSoftmaxRowInto(
  logits: ArrayLike<number>,
  b: number,
  A: number,
  logP: Float32Array,
  p: Float32Array,
): number {
  const row = b * A;
  const { max, total } = softmaxParts(logits, row, A, scratchParts);
  const logTotal = Math.log(total) + max;
  let entropy = 0;
  for (let k = 0; k < A; k++) {
    logP[k] = logits[row + k] - logTotal;
    p[k] = Math.exp(logP[k]);
    entropy -= p[k] * logP[k];
  }
  return entropy;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The LSTM cell's pointwise part for one row, gates [input, forget, output, cell] in `z` at `zOffset`
 * (pre-activations x·Wx + h·Wh + b, 4H values; or, with `added`, z + added at `addedOffset`, summed
 * here so the fused unroll needs no copy): c′ = σ(f)·c + σ(i)·tanh(g), h′ = σ(o)·tanh(c′).
 * Reads c at `cOffset` of `cPrev`, writes c′ and h′ at `offset` of `c` and `h` (`c` may be `cPrev`:
 * each value is read before it is written). `gates` (at `zOffset`) and `tanhC` (at `offset`) receive
 * the activations when given: what the backward pass needs.
 */
export function lstmCellInto(
  z: ArrayLike<number>,
  zOffset: number,
  H: number,
  cPrev: ArrayLike<number>,
  cOffset: number,
  c: Float32Array,
  h: Float32Array,
  offset: number,
  gates?: Float32Array,
  tanhC?: Float32Array,
  added?: ArrayLike<number> | null,
  addedOffset = 0,
): void {
  const a = addedOffset;
  for (let j = 0; j < H; j++) {
    const zo = zOffset + j;
    const i = sigmoid(added ? z[zo] + added[a + j] : z[zo]);
    const f = sigmoid(added ? z[zo + H] + added[a + H + j] : z[zo + H]);
    const o = sigmoid(added ? z[zo + 2 * H] + added[a + 2 * H + j] : z[zo + 2 * H]);
    const g = Math.tanh(added ? z[zo + 3 * H] + added[a + 3 * H + j] : z[zo + 3 * H]);
    const cNext = f * cPrev[cOffset + j] + i * g;
    const tc = Math.tanh(cNext);
    c[offset + j] = cNext;
    h[offset + j] = o * tc;
    if (gates) {
      gates[zOffset + j] = i;
      gates[zOffset + H + j] = f;
      gates[zOffset + 2 * H + j] = o;
      gates[zOffset + 3 * H + j] = g;
    }
    if (tanhC) tanhC[offset + j] = tc;
  }
}

/**
 * LSTM step over a batch for acting, the same arithmetic as `Lstm.step` on the small-kernel layer
 * (src/nn/small/recurrent_step.ts: gemm for [x, h]·[Wx; Wh] + b, the SIMD cell). Holds the weights
 * on the kernels' heap: `refresh()` after an update, `dispose()` when done.
 */
export class LstmFastPath {
  private readonly kernel: RecurrentStepKernel;
  private loaded = false;

  constructor(private readonly lstm: Lstm) {
    this.kernel = new RecurrentStepKernel("lstm", lstm.inputDim, lstm.hiddenDim);
  }

  /** Drops the weights: the next step reads the current ones. */
  refresh(): void {
    this.loaded = false;
  }

  /** Frees the heap copy of the weights. */
  dispose(): void {
    this.kernel.dispose();
    this.loaded = false;
  }

  /** x [B, F] → h, c [B, H] updated in place (views at `offset` into the state arrays). */
  step(x: Float32Array, h: Float32Array, c: Float32Array, offset: number, batch: number): void {
    if (!this.loaded) {
      this.kernel.load({
        kind: "lstm",
        kernel: this.lstm.kernel.dataSync() as Float32Array,
        recurrentKernel: this.lstm.recurrentKernel.dataSync() as Float32Array,
        bias: this.lstm.bias.dataSync() as Float32Array,
      });
      this.loaded = true;
    }
    this.kernel.step(x, batch, h, offset, c);
  }
}

/**
 * Batch-1 forward of an {@link Mlp} on plain Float32Arrays: no tensors, no kernel dispatch, no read-back,
 * so acting costs a few microseconds. Holds a snapshot of the weights: `refresh()` after each update.
 */
export class MlpFastPath {
  private readonly batched: MlpBatchFastPath;

  /** Snapshots the weights of `mlp`. */
  constructor(mlp: Mlp) {
    this.batched = new MlpBatchFastPath(mlp, "MlpFastPath");
  }

  /** Copies the current weights of the network. */
  refresh(): void {
    this.batched.refresh();
  }

  /** Output for one input vector. The returned array is reused by the next call: copy it to keep it. */
  forward(input: ArrayLike<number>): Float32Array {
    return this.batched.forward(input, 1);
  }
}

/**
 * Batched forward of an {@link Mlp} on plain Float32Arrays: B rows at once, for acting in a vector of
 * envs without tensors. Same snapshot semantics as {@link MlpFastPath}: `refresh()` after an update.
 */
export class MlpBatchFastPath {
  private readonly kernels: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private buffers: Float32Array[] = [];
  private capacity = 0;
  /** Bumped by every refresh: the heap's copy of the weights is current when it has this version. */
  private version = 0;

  /** Snapshots the weights of `mlp` (`owner` names this path in errors). */
  constructor(
    private readonly mlp: Mlp,
    private readonly owner = "MlpBatchFastPath",
  ) {
    this.refresh();
  }

  /** Copies the current weights of the network. */
  refresh(): void {
    this.kernels.length = 0;
    this.biases.length = 0;
    for (let l = 0; l < this.mlp.kernels.length; l++) {
      this.kernels.push(this.mlp.kernels[l].dataSync() as Float32Array);
      this.biases.push(this.mlp.biases[l].dataSync() as Float32Array);
    }
    this.version += 1;
  }

  /**
   * Outputs [B, out] (row-major) for inputs [B, in]. The returned array is reused by the next call with
   * the same or a smaller batch: copy it to keep it.
   */
  forward(input: ArrayLike<number>, batch: number): Float32Array {
    const sizes = this.mlp.sizes;
    if (input.length !== batch * sizes[0]) {
      throw new Error(`${this.owner}: input length ${input.length} ≠ batch ${batch} × ${sizes[0]}`);
    }
    if (batch > this.capacity) {
      this.buffers = sizes.slice(1).map((n) => new Float32Array(batch * n));
      this.capacity = batch;
    }
    // Float32 inputs run on the small-kernel heap (the same arithmetic, SIMD); others (a number[]
    // may hold values a float32 cannot) in the loop below.
    if (input instanceof Float32Array) return this.forwardOnHeap(input, batch);
    let x: ArrayLike<number> = input;
    for (let l = 0; l < this.kernels.length; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const w = this.kernels[l];
      const bias = this.biases[l];
      const out = this.buffers[l];
      for (let b = 0; b < batch; b++) {
        const o = b * nOut;
        out.set(bias, o);
        const xo = b * nIn;
        for (let i = 0; i < nIn; i++) {
          const xi = x[xo + i];
          if (xi === 0) continue;
          const row = i * nOut;
          for (let j = 0; j < nOut; j++) out[o + j] += xi * w[row + j];
        }
      }
      applyInPlace(out.subarray(0, batch * nOut), this.mlp.activations[l]);
      x = out;
    }
    return (x as Float32Array).subarray(0, batch * sizes[sizes.length - 1]);
  }

  /**
   * {@link forward} by the kernels' `denseRowsF64` (bit for bit the loop's arithmetic): the weights are
   * copied to the heap when they changed or another path's were put there since, the input each call.
   */
  private forwardOnHeap(input: Float32Array, batch: number): Float32Array {
    const sizes = this.mlp.sizes;
    const layers = this.kernels.length;
    const paramLength = this.kernels.reduce((n, w, l) => n + w.length + this.biases[l].length, 0);
    const ioLength = sizes.reduce((n, width) => n + batch * width, 0);
    const region = heapScratch().ensure(paramLength + ioLength);
    const heap = region.f32;
    const current =
      resident !== null &&
      resident.owner === this &&
      resident.version === this.version &&
      resident.byteOffset === region.byteOffset;
    let at = 0;
    const params: [Float32Array, Float32Array][] = [];
    for (let l = 0; l < layers; l++) {
      const w = heap.subarray(at, at + this.kernels[l].length);
      at += w.length;
      const b = heap.subarray(at, at + this.biases[l].length);
      at += b.length;
      if (!current) {
        w.set(this.kernels[l]);
        b.set(this.biases[l]);
      }
      params.push([w, b]);
    }
    resident = { owner: this, version: this.version, byteOffset: region.byteOffset };
    let x = heap.subarray(at, at + batch * sizes[0]);
    at += x.length;
    x.set(input);
    const kernels = smallKernels();
    for (let l = 0; l < layers; l++) {
      const out = heap.subarray(at, at + batch * sizes[l + 1]);
      at += out.length;
      kernels.denseRowsF64(x, batch, sizes[l], params[l][0], sizes[l + 1], params[l][1], out);
      applyInPlace(out, this.mlp.activations[l]);
      x = out;
    }
    // Off the heap: the caller may allocate on it (and so detach its views) while it holds the result.
    const result = this.buffers[layers - 1].subarray(0, x.length);
    result.set(x);
    return result;
  }
}

/** The heap region the batched MLP paths compute in (one for all: acting runs one at a time). */
let scratch: Scratch | null = null;
function heapScratch(): Scratch {
  scratch ??= new Scratch();
  return scratch;
}

/** Whose weights the scratch region holds, at which version and offset (null: nobody's yet). */
let resident: { owner: MlpBatchFastPath; version: number; byteOffset: number } | null = null;

function applyInPlace(v: Float32Array, activation: Activation): void {
  switch (activation) {
    case "linear":
      return;
    case "relu":
      for (let j = 0; j < v.length; j++) if (v[j] < 0) v[j] = 0;
      return;
    case "tanh":
      for (let j = 0; j < v.length; j++) v[j] = Math.tanh(v[j]);
      return;
    case "sigmoid":
      for (let j = 0; j < v.length; j++) v[j] = 1 / (1 + Math.exp(-v[j]));
      return;
  }
}
