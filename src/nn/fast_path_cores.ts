// The acting fast path of the GRU and the plain RNN, as LstmFastPath is the LSTM's: one step on the
// small-kernel layer (src/nn/small/recurrent_step.ts) updating the state's typed arrays in place.
import type { Gru } from "./gru";
import type { Rnn } from "./rnn";
import { RecurrentStepKernel } from "./small/recurrent_step";

/**
 * One step of a {@link Gru} or {@link Rnn} over a batch on typed arrays, the same arithmetic as their
 * `step`. Holds the weights on the kernels' heap: `refresh()` after an update, `dispose()` when done.
 */
export class StepwiseCoreFastPath {
  private readonly kernel: RecurrentStepKernel;
  private loaded = false;

  constructor(private readonly core: Gru | Rnn) {
    this.kernel = new RecurrentStepKernel(core.kind, core.inputDim, core.hiddenDim);
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

  /** x [B, F] → h [B, H] updated in place (a view at `offset` into the state array). */
  step(x: Float32Array, h: Float32Array, offset: number, batch: number): void {
    if (!this.loaded) {
      const core = this.core;
      this.kernel.load({
        kind: core.kind,
        kernel: core.kernel.dataSync() as Float32Array,
        recurrentKernel: core.recurrentKernel.dataSync() as Float32Array,
        bias: core.bias.dataSync() as Float32Array,
        recurrentBias: core.kind === "gru" ? (core.recurrentBias.dataSync() as Float32Array) : undefined,
      });
      this.loaded = true;
    }
    this.kernel.step(x, batch, h, offset);
  }
}
