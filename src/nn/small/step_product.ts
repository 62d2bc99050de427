import { Scratch, type SmallKernels, smallKernels } from "./kernels";

// One scratch region for all fused unrolls: each forward or backward pass copies its weights in at
// its start and is done with them when it returns, so passes never share the region at once.
const unrollScratch = new Scratch();

/**
 * The per-step product x·W of a recurrent unroll (x [B, K], W [K, N]) on the small-kernel heap: W is
 * copied (or transposed) onto the heap once per pass, then each step copies its x there and runs one
 * gemm call instead of a TF.js matMul (tensor, XNNPACK packing W, read-back: tens of µs a step).
 * Valid until the next StepProduct is made.
 */
export class StepProduct {
  private readonly kernels: SmallKernels = smallKernels();
  private readonly w: Float32Array;
  private readonly x: Float32Array;
  private readonly out: Float32Array;

  /**
   * `weights` holds W [K, N] row-major, or with `transposed` the matrix [N, K] whose transpose is W
   * (a backward pass multiplies by the transpose of the forward's recurrent kernel).
   */
  constructor(
    weights: ArrayLike<number>,
    private readonly K: number,
    private readonly N: number,
    private readonly batch: number,
    transposed = false,
  ) {
    const heap = unrollScratch.ensure(K * N + batch * K + batch * N).f32;
    this.w = heap.subarray(0, K * N);
    this.x = heap.subarray(K * N, K * N + batch * K);
    this.out = heap.subarray(K * N + batch * K, K * N + batch * K + batch * N);
    if (!transposed) this.w.set(weights);
    else {
      const w = this.w;
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[k * N + n] = weights[n * K + k];
    }
  }

  /** x·W for x [B, K] (B·K values from `offset`); the result [B, N] is overwritten by the next call. */
  apply(x: ArrayLike<number>, offset = 0): Float32Array {
    const n = this.batch * this.K;
    for (let i = 0; i < n; i++) this.x[i] = x[offset + i];
    this.kernels.matmulInto(this.out, this.x, this.w, this.batch, this.K, this.N);
    return this.out;
  }
}
