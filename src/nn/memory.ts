import type { Seed } from "../core/rng";
import { Gru } from "./gru";
import { Lstm } from "./lstm";
import type { CoreKind, MemoryCore } from "./memory_core";
import { Rnn } from "./rnn";

/** Arguments of {@link makeMemoryCore}. */
export interface MemoryCoreArgs {
  /** Which core. */
  kind: CoreKind;
  /** Width F of the inputs. */
  inputDim: number;
  /** Width H of the state. */
  hiddenDim: number;
  /** The LSTM's initial forget-gate bias (ignored by the GRU and the RNN, which have no forget gate). */
  forgetBias?: number;
  /** Run seed. */
  seed: Seed;
}

/** Builds the core of `kind`. */
export function makeMemoryCore(args: MemoryCoreArgs): MemoryCore {
  const { kind, inputDim, hiddenDim, seed } = args;
  switch (kind) {
    case "lstm":
      return new Lstm({ inputDim, hiddenDim, forgetBias: args.forgetBias, seed });
    case "gru":
      return new Gru({ inputDim, hiddenDim, seed });
    case "rnn":
      return new Rnn({ inputDim, hiddenDim, seed });
  }
}
