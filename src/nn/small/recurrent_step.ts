import { lstmCellInto } from "../fast_path";
import { type HeapRegion, smallKernels } from "./kernels";
import { carve } from "./unroll_buffers";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Which core a {@link RecurrentStepKernel} steps, and its weights (row-major typed arrays). */
export interface RecurrentStepWeights {
  kind: "lstm" | "gru" | "rnn";
  /** Input kernel [F, G·H]. */
  kernel: Float32Array;
  /** Recurrent kernel [H, G·H]. */
  recurrentKernel: Float32Array;
  /** Bias [G·H] of the input projection. */
  bias: Float32Array;
  /** The GRU's bias of the recurrent projection [3H]. */
  recurrentBias?: Float32Array;
}

/**
 * One step of a memory core over a batch of envs for acting, on the small-kernel heap: the input and
 * recurrent projections are gemm calls on weights kept there (loaded once per update), the cell runs
 * the SIMD kernels when H is a multiple of 4 and the scalar arithmetic otherwise. The state lives in
 * the caller's typed arrays and is updated in place. `dispose()` returns the heap region.
 */
export class RecurrentStepKernel {
  private readonly kernels = smallKernels();
  private readonly gates: number;
  private weights?: HeapRegion;
  private work?: HeapRegion;
  private capacity = 0;

  constructor(
    readonly kind: "lstm" | "gru" | "rnn",
    private readonly F: number,
    private readonly H: number,
  ) {
    this.gates = kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
  }

  /** Copies the core's current weights onto the heap. */
  load(w: RecurrentStepWeights): void {
    const { F, H } = this;
    const G = this.gates * H;
    this.weights ??= this.kernels.alloc(F * G + H * G + 2 * G);
    const [wx, wh, b, bh] = carve(this.weights.f32, [F * G, H * G, G, G]);
    wx.set(w.kernel);
    wh.set(w.recurrentKernel);
    b.set(w.bias);
    bh.set(w.recurrentBias ?? new Float32Array(G));
  }

  /** Frees the heap regions. */
  dispose(): void {
    this.weights?.free();
    this.work?.free();
    this.weights = undefined;
    this.work = undefined;
    this.capacity = 0;
  }

  /**
   * x [B, F] → the state's h (and the LSTM's c) at `offset` updated in place (B = `batch`).
   * Call {@link load} first.
   */
  step(x: Float32Array, batch: number, h: Float32Array, offset: number, c?: Float32Array): void {
    if (this.weights === undefined) throw new Error("RecurrentStepKernel.step: load() the weights first");
    const { F, H } = this;
    const G = this.gates * H;
    const BH = batch * H;
    if (batch > this.capacity) {
      this.work?.free();
      // xs, hs, z (input projection), rec (recurrent projection), cPrev, cOut, hOut, tanhC.
      this.work = this.kernels.alloc(batch * (F + H + 2 * G + 4 * H));
      this.capacity = batch;
    }
    const heap = this.work as HeapRegion;
    const [xs, hs, z, rec, cp, cOut, hOut, tanhC] = carve(heap.f32, [
      batch * F,
      BH,
      batch * G,
      batch * G,
      BH,
      BH,
      BH,
      BH,
    ]);
    const [wx, wh, b, bh] = carve((this.weights as HeapRegion).f32, [F * G, H * G, G, G]);
    xs.set(x.subarray(0, batch * F));
    hs.set(h.subarray(offset, offset + BH));
    for (let r = 0; r < batch; r++) z.set(b, r * G);
    const k = this.kernels;
    k.matmulInto(z, xs, wx, batch, F, G, { accumulate: true });
    const simd = H % 4 === 0;
    if (this.kind === "gru") {
      k.matmulInto(rec, hs, wh, batch, H, G);
      if (simd) {
        // Acting keeps no gates: they overwrite rec (each block of it is read before it is written),
        // and rec_n + b_hn lands in the unused cPrev buffer.
        k.gruCellForward(z, rec, bh, hs, hOut, rec, cp, batch, H);
        h.set(hOut, offset);
        return;
      }
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < H; j++) {
          const q = r * G + j;
          const rg = sigmoid(z[q] + (rec[q] + bh[j]));
          const u = sigmoid(z[q + H] + (rec[q + H] + bh[H + j]));
          const n = Math.tanh(z[q + 2 * H] + rg * (rec[q + 2 * H] + bh[2 * H + j]));
          const at = offset + r * H + j;
          h[at] = n + u * (h[at] - n);
        }
      }
      return;
    }
    // LSTM and RNN: the recurrent product accumulates onto the input projection.
    k.matmulInto(z, hs, wh, batch, H, G, { accumulate: true });
    if (this.kind === "rnn") {
      if (simd) k.tanhInPlace(z);
      else for (let i = 0; i < BH; i++) z[i] = Math.tanh(z[i]);
      h.set(z.subarray(0, BH), offset);
      return;
    }
    if (c === undefined) throw new Error("RecurrentStepKernel.step: an LSTM needs its cell state c");
    if (simd) {
      cp.set(c.subarray(offset, offset + BH));
      k.lstmCellForward(z, cp, cOut, hOut, tanhC, batch, H);
      h.set(hOut, offset);
      c.set(cOut, offset);
      return;
    }
    for (let r = 0; r < batch; r++) lstmCellInto(z, r * G, H, c, offset + r * H, c, h, offset + r * H);
  }
}
