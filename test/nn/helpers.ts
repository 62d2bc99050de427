import * as tf from "@tensorflow/tfjs";
import { expect, vi } from "vitest";
import { deriveSeed, Rng } from "../../src/core/rng";
import { type BackendName, initBackend } from "../../src/nn/backend";
import { SmallKernels } from "../../src/nn/small/kernels";

/** Switches TF.js to `name` (quietly) for the tests of a file. */
export async function useBackend(name: BackendName): Promise<void> {
  process.env.POMDP_LOG_LEVEL ??= "warn";
  await initBackend(name, silentLogger);
}

/** A pino-compatible logger that drops everything. */
export const silentLogger = {
  info: () => {},
  debug: () => {},
  warn: () => {},
  error: () => {},
  // biome-ignore lint/suspicious/noExplicitAny: minimal stand-in for pino.Logger in tests
} as any;

/** A seeded stream named by a number or a tag (a tag is hashed into a seed). */
export function testRng(tag: number | string): Rng {
  return new Rng(typeof tag === "number" ? tag : deriveSeed(0, tag));
}

/** Tensor of standard normals from a seeded stream. */
export function randn(shape: number[], seed: number | string, scale = 1): tf.Tensor {
  const rng = testRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * scale;
  return tf.tensor(values, shape);
}

/** Largest absolute difference of two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Fraction of equal entries. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}

/**
 * Makes every allocation on the small-kernel heap grow it first (an allocation bigger than the whole
 * heap, then freed), so that each detaches every view of the heap. Restore with the returned spy's
 * `mockRestore()`.
 */
export function growHeapOnEveryAlloc() {
  const original = SmallKernels.prototype.alloc;
  return vi.spyOn(SmallKernels.prototype, "alloc").mockImplementation(function (
    this: SmallKernels,
    length: number,
  ) {
    original.call(this, this.heapBytes() / 4 + 1).free();
    return original.call(this, length);
  });
}

/**
 * Runs a fused step's test twice, as it is and with {@link growHeapOnEveryAlloc} (`run(true)`), and
 * expects the same losses (all finite) and weights: growing the heap mid-step changes nothing.
 */
export function expectHeapGrowthChangesNothing(
  run: (growEveryAlloc: boolean) => { stats: object[]; weights: unknown },
): void {
  const calm = run(false);
  const grown = run(true);
  for (const s of grown.stats) for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
  expect(grown.stats).toEqual(calm.stats);
  expect(grown.weights).toEqual(calm.weights);
}
