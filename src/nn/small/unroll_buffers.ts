// Buffers shared by the fused unrolls (lstm-fused.ts, gru-fused.ts, rnn-fused.ts): their heap
// workspaces and the copies each forward pass keeps for its backward pass (the episode-start mask is
// applied inside the module's unroll functions).
import { Scratch, smallKernels } from "./kernels";

/** Workspace of the fused unrolls' forward passes (each pass is done with it when it returns). */
export const forwardScratch = new Scratch();
/** Workspace of their backward passes. */
export const backwardScratch = new Scratch();

/** Consecutive views of the given lengths over `values` (a heap region's view). */
export function carve(values: Float32Array, lengths: number[]): Float32Array[] {
  let at = 0;
  return lengths.map((n) => {
    const view = values.subarray(at, at + n);
    at += n;
    return view;
  });
}

/** The views {@link carve} gives over a workspace grown to hold them all. */
export function workspace(scratch: Scratch, lengths: number[]): Float32Array[] {
  return carve(scratch.ensure(lengths.reduce((a, b) => a + b, 0)).f32, lengths);
}

/**
 * out [N, K] = transpose of w [K, N] (a recurrent kernel, transposed once per backward pass): by the
 * kernels' 4 × 4 shuffles when both are views of their heap, else one value at a time.
 */
export function transposeInto(w: ArrayLike<number>, K: number, N: number, out: Float32Array): void {
  const kernels = smallKernels();
  if (w instanceof Float32Array && w.buffer === kernels.buffer && out.buffer === kernels.buffer) {
    kernels.transposeInto(w, K, N, out);
    return;
  }
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) out[n * K + k] = w[k * N + n];
}

// Free buffers of ordinary memory by length: what a forward pass keeps for its backward pass is
// taken from here and given back once the backward pass has read it (allocating ~1 MB a pass, and
// the garbage collection that follows, cost more than the copies). A forward pass without a
// backward pass (no gradient asked for) never gives its buffers back: they are collected as usual.
const spareBuffers = new Map<number, Float32Array[]>();

/**
 * A copy of a heap view in ordinary memory, in a buffer from the spare ones when one fits. Not
 * `view.slice()`: V8 copies a typed array on a WebAssembly memory element by element there (~380 µs
 * for 131k values, against ~35 µs for `set`).
 */
export function keepCopy(view: Float32Array): Float32Array {
  const copy = spareBuffers.get(view.length)?.pop() ?? new Float32Array(view.length);
  copy.set(view);
  return copy;
}

/** Gives buffers from {@link keepCopy} back once read (at most a few per length are kept). */
export function releaseCopies(...buffers: Float32Array[]): void {
  for (const buffer of buffers) {
    const spare = spareBuffers.get(buffer.length) ?? [];
    if (spare.length < 4) spare.push(buffer);
    spareBuffers.set(buffer.length, spare);
  }
}
