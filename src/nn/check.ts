// Argument checks of the blocks: every error names the block (or method), the argument, what was expected
// and the value received, as "Lstm: hiddenDim must be an integer ≥ 1, got 0".
import { describeValue, requirePositiveInteger } from "../core/describe";

export { requirePositiveInteger };

/** The error "`owner`: `name` must be `expected`, got `value`". */
export function invalidArgument(owner: string, name: string, expected: string, value: unknown): Error {
  return new Error(`${owner}: ${name} must be ${expected}, got ${describeValue(value)}`);
}

/** `value` if it is a number for which `ok` holds; otherwise "`owner`: `name` must be `expected`, got …". */
export function requireNumber(
  owner: string,
  name: string,
  value: unknown,
  expected: string,
  ok: (x: number) => boolean,
): number {
  if (typeof value !== "number" || !ok(value)) throw invalidArgument(owner, name, expected, value);
  return value;
}

/** `value` if it is a list of at least `minLength` integers ≥ 1; each bad entry is named as `name[i]`. */
export function requirePositiveIntegers(
  owner: string,
  name: string,
  value: unknown,
  minLength: number,
  hint?: string,
): number[] {
  if (!Array.isArray(value) || value.length < minLength) {
    const list =
      minLength === 1
        ? "a non-empty list of"
        : minLength > 1
          ? `a list of at least ${minLength}`
          : "a list of";
    throw invalidArgument(owner, name, `${list} integers ≥ 1${hint ? ` (${hint})` : ""}`, value);
  }
  for (const [i, entry] of value.entries()) requirePositiveInteger(owner, `${name}[${i}]`, entry);
  return value;
}

/** `value` if it is an image shape [height, width, channels] of integers ≥ 1. */
export function requireImageShape(owner: string, name: string, value: unknown): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) {
    throw invalidArgument(owner, name, "[height, width, channels]", value);
  }
  requirePositiveIntegers(owner, name, value, 3);
  return value as [number, number, number];
}

/**
 * `value` if it is a tensor whose shape `fits`; otherwise "`owner`: `name` must be a tensor of shape
 * `expected`, got shape [..]" (or the value itself when it is not a tensor).
 */
export function requireShape<T extends { shape: number[] }>(
  owner: string,
  name: string,
  value: T,
  expected: string,
  fits: (shape: readonly number[]) => boolean,
): T {
  const shape = (value as { shape?: unknown } | null | undefined)?.shape;
  if (!Array.isArray(shape) || !fits(shape)) {
    const got = Array.isArray(shape) ? `shape ${describeValue(shape)}` : describeValue(value);
    throw new Error(`${owner}: ${name} must be a tensor of shape ${expected}, got ${got}`);
  }
  return value;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
