import * as tf from "@tensorflow/tfjs";
import type { Seed } from "../core/rng";
import { requireBackend } from "./backend";
import { type Initializer, initialValues } from "./init";

/** Trainable variables of a block keyed by a stable local path ("dense0/kernel"); the keys name them in files. */
export type ParamMap = Map<string, tf.Variable>;

/** Anything that owns trainable variables: every block, and networks assembled from blocks. */
export interface Parameterised {
  /** The trainable variables keyed by local path, in a stable order. */
  params(): ParamMap;
  /** Frees the variables. */
  dispose(): void;
}

/**
 * Creates a seeded variable; tf's own (global, unique) name is left to tf so that blocks can repeat.
 * Throws before `initBackend()` ran (blocks check first, to name themselves in the error).
 */
export function makeVariable(
  init: Initializer,
  shape: number[],
  seed: Seed,
  path: string,
  params: ParamMap,
): tf.Variable {
  requireBackend("makeVariable");
  const values = initialValues(init, shape, seed, path);
  // The tidy frees the initial tensor; the variable keeps its own reference to the data.
  const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), true));
  params.set(path, variable);
  return variable;
}

/** Joins the parameters of several parts under prefixes: `{ encoder: cnn, core: lstm }` → "encoder/…". */
export function joinParams(parts: Record<string, Parameterised>): ParamMap {
  const joined: ParamMap = new Map();
  for (const [prefix, part] of Object.entries(parts)) {
    for (const [path, variable] of part.params()) joined.set(`${prefix}/${path}`, variable);
  }
  return joined;
}

/** A network assembled from named parts; its params and dispose cover all parts. */
export class Composite implements Parameterised {
  /** @param parts the blocks, keyed by the prefix their parameter paths get */
  constructor(readonly parts: Record<string, Parameterised>) {}

  /** Parameters of all parts, prefixed by part name. */
  params(): ParamMap {
    return joinParams(this.parts);
  }

  /** Disposes every part. */
  dispose(): void {
    for (const part of Object.values(this.parts)) part.dispose();
  }
}

/** Disposes every variable of the map. */
export function disposeParams(params: ParamMap): void {
  for (const variable of params.values()) variable.dispose();
}
