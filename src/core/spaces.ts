import { describeValue, requirePositiveInteger } from "./describe";
import type { Rng } from "./rng";

/** Element types of a `Box`, each stored in its typed array. */
export type DType = "float32" | "float64" | "uint8" | "int32";

/** The typed array that holds values of each `DType`. */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  uint8: Uint8Array;
  int32: Int32Array;
}

/** Any typed array a `Box` can hold. */
export type BoxArray = TypedArrayOf[DType];

const TYPED_ARRAY: { [D in DType]: new (length: number) => TypedArrayOf[D] } = {
  float32: Float32Array,
  float64: Float64Array,
  uint8: Uint8Array,
  int32: Int32Array,
};

/** Allocates a zeroed typed array of `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayOf[D] {
  return new TYPED_ARRAY[dtype](length);
}

/** JSON description of a space: what `Space.toJSON` returns and `spaceFromJSON` reads. */
export type SpaceJSON =
  | { type: "Discrete"; n: number; start: number }
  | { type: "MultiDiscrete"; nvec: number[]; start: number[] }
  | { type: "Box"; shape: number[]; dtype: DType; low: (number | null)[]; high: (number | null)[] }
  | { type: "Dict"; spaces: Record<string, SpaceJSON> }
  | { type: "Text"; maxLength: number; minLength: number; charset: string | null };

/**
 * The set of valid observations or actions of an env (Gymnasium's `Space`). Every space can sample a
 * random element with a seeded `Rng`, test membership, and describe itself as JSON.
 */
export abstract class Space<T> {
  /** Shape of one element (`[]` for a scalar such as a `Discrete` action). */
  abstract readonly shape: readonly number[];
  /** A random element, drawn with `rng` (so seeded sampling is reproducible). */
  abstract sample(rng: Rng): T;
  /** Whether `x` is an element of this space (right type, shape and bounds; NaN never is). */
  abstract contains(x: unknown): x is T;
  /** JSON-serialisable description (see `spaceFromJSON`). */
  abstract toJSON(): SpaceJSON;
  /** Compact one-line description, e.g. `Discrete(2)` or `Box(float32, [4])`. */
  abstract toString(): string;
}

/** The integers `start … start + n - 1` (Gymnasium's `Discrete`); actions of most envs here. */
export class Discrete extends Space<number> {
  readonly shape: readonly number[] = [];
  constructor(
    /** Number of elements (≥ 1). */
    readonly n: number,
    /** The smallest element. */
    readonly start = 0,
  ) {
    super();
    requirePositiveInteger("Discrete", "n", n);
    if (!Number.isInteger(start))
      throw new Error(`Discrete: start must be an integer, got ${describeValue(start)}`);
  }
  sample(rng: Rng): number {
    return this.start + rng.integer(this.n);
  }
  contains(x: unknown): x is number {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }
  toJSON(): SpaceJSON {
    return { type: "Discrete", n: this.n, start: this.start };
  }
  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
  /** Human description of the valid values, for error messages. */
  describeValues(): string {
    return `an integer in ${this}: ${this.start} … ${this.start + this.n - 1}`;
  }
}

/**
 * Several `Discrete` values side by side (Gymnasium's `MultiDiscrete`, one-dimensional): value `i` is
 * an integer in `start[i] … start[i] + nvec[i] - 1`. The batched action space of a vector env of
 * `Discrete` envs: one action per sub-env. Samples are `Int32Array`s; `contains` also accepts a plain
 * array or any typed array of such integers (what `VectorEnv.step` takes).
 */
export class MultiDiscrete extends Space<ArrayLike<number>> {
  readonly shape: readonly number[];
  /** Number of elements of each value (each ≥ 1). */
  readonly nvec: readonly number[];
  /** The smallest element of each value. */
  readonly start: readonly number[];

  constructor(
    nvec: ArrayLike<number>,
    /** The smallest element of every value (one number), or of each (one per value); default 0. */
    start: number | ArrayLike<number> = 0,
  ) {
    super();
    if (!isArrayLike(nvec) || nvec.length === 0)
      throw new Error(
        `MultiDiscrete: nvec must be a non-empty array of integers ≥ 1, got ${describeValue(nvec)}`,
      );
    this.nvec = Object.freeze(
      Array.from(nvec, (n, i) => requirePositiveInteger("MultiDiscrete", `nvec[${i}]`, n)),
    );
    const starts = typeof start === "number" ? new Array<number>(nvec.length).fill(start) : start;
    if (!isArrayLike(starts) || starts.length !== nvec.length) {
      throw new Error(
        `MultiDiscrete: start must be an integer or ${nvec.length} integers (one per value), got ${describeValue(start)}`,
      );
    }
    this.start = Object.freeze(
      Array.from(starts, (s, i) => {
        if (!Number.isInteger(s))
          throw new Error(`MultiDiscrete: start[${i}] must be an integer, got ${describeValue(s)}`);
        return s;
      }),
    );
    this.shape = Object.freeze([this.nvec.length]);
  }

  override sample(rng: Rng): Int32Array {
    return Int32Array.from(this.nvec, (n, i) => this.start[i] + rng.integer(n));
  }

  contains(x: unknown): x is ArrayLike<number> {
    if (!isArrayLike(x) || x.length !== this.nvec.length) return false;
    for (let i = 0; i < this.nvec.length; i++) {
      const v = x[i];
      if (
        typeof v !== "number" ||
        !Number.isInteger(v) ||
        v < this.start[i] ||
        v >= this.start[i] + this.nvec[i]
      )
        return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: "MultiDiscrete", nvec: [...this.nvec], start: [...this.start] };
  }

  toString(): string {
    const starts = this.start.every((s) => s === 0) ? "" : `, start=[${this.start.join(", ")}]`;
    return `MultiDiscrete([${this.nvec.join(", ")}]${starts})`;
  }
}

/** A plain array or a typed array (not a string, not a DataView). */
function isArrayLike(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/**
 * A box in R^n (Gymnasium's `Box`): elements are typed arrays of `dtype` holding `size` values in
 * row-major order of `shape`, each within `[low[i], high[i]]` (bounds may be ±Infinity for floats).
 * Images are `Box(0, 255, [height, width, channels], "uint8")`.
 */
export class Box<D extends DType = DType> extends Space<TypedArrayOf[D]> {
  readonly shape: readonly number[];
  /** Number of values in one element: the product of `shape`. */
  readonly size: number;
  /** Per-value lower bounds (length `size`). */
  readonly low: Float64Array;
  /** Per-value upper bounds (length `size`). */
  readonly high: Float64Array;

  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    shape: readonly number[],
    /** Element type. */
    readonly dtype: D,
  ) {
    super();
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`Box: shape must be an array of non-negative integers, got ${describeValue(shape)}`);
    }
    if (!(dtype in TYPED_ARRAY)) {
      throw new Error(
        `Box: dtype must be one of ${Object.keys(TYPED_ARRAY).join(", ")}, got ${describeValue(dtype)}`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((a, b) => a * b, 1);
    this.low = broadcastBound("low", low, this.size);
    this.high = broadcastBound("high", high, this.size);
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i] <= this.high[i])) {
        throw new Error(`Box: low[${i}] = ${this.low[i]} must be ≤ high[${i}] = ${this.high[i]}`);
      }
    }
  }

  /** Uniform where both bounds are finite; normal / exponential where a bound is infinite (as Gymnasium). */
  sample(rng: Rng): TypedArrayOf[D] {
    const out = allocate(this.dtype, this.size);
    const isInt = this.dtype !== "float32" && this.dtype !== "float64";
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      let v: number;
      if (Number.isFinite(lo) && Number.isFinite(hi))
        v = isInt ? lo + rng.integer(hi - lo + 1) : rng.uniform(lo, hi);
      else if (Number.isFinite(lo)) v = lo - Math.log(1 - rng.random());
      else if (Number.isFinite(hi)) v = hi + Math.log(1 - rng.random());
      else v = rng.normal();
      out[i] = v;
    }
    return out;
  }

  contains(x: unknown): x is TypedArrayOf[D] {
    if (!(x instanceof TYPED_ARRAY[this.dtype]) || x.length !== this.size) return false;
    const arr = x as ArrayLike<number>;
    for (let i = 0; i < this.size; i++) {
      const v = arr[i];
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  /** Why `x` is not in this box, or `undefined` when it is (for the env checker's messages). */
  explainMismatch(x: unknown): string | undefined {
    const Ctor = TYPED_ARRAY[this.dtype];
    if (!(x instanceof Ctor)) return `expected a ${Ctor.name}, got ${describeValue(x)}`;
    if (x.length !== this.size)
      return `expected ${this.size} values (shape [${this.shape}]), got ${x.length}`;
    const arr = x as ArrayLike<number>;
    for (let i = 0; i < this.size; i++) {
      const v = arr[i];
      if (!(v >= this.low[i] && v <= this.high[i])) {
        return `value ${i} is ${describeValue(v)}, outside [${this.low[i]}, ${this.high[i]}]`;
      }
    }
    return undefined;
  }

  toJSON(): SpaceJSON {
    const bound = (b: Float64Array) => Array.from(b, (v) => (Number.isFinite(v) ? v : null));
    return {
      type: "Box",
      shape: [...this.shape],
      dtype: this.dtype,
      low: bound(this.low),
      high: bound(this.high),
    };
  }

  toString(): string {
    const lo = uniformBound(this.low);
    const hi = uniformBound(this.high);
    const bounds = lo !== undefined && hi !== undefined ? `${lo}, ${hi}, ` : "";
    return `Box(${bounds}[${this.shape.join(", ")}], ${this.dtype})`;
  }
}

function broadcastBound(name: string, bound: number | ArrayLike<number>, size: number): Float64Array {
  const out = new Float64Array(size);
  if (typeof bound === "number") {
    if (Number.isNaN(bound)) throw new Error(`Box: ${name} must not be NaN`);
    out.fill(bound);
    return out;
  }
  if (bound.length !== size) {
    throw new Error(`Box: ${name} has ${bound.length} values, expected ${size} (the product of the shape)`);
  }
  for (let i = 0; i < size; i++) {
    if (Number.isNaN(bound[i])) throw new Error(`Box: ${name}[${i}] must not be NaN`);
    out[i] = bound[i];
  }
  return out;
}

function uniformBound(b: Float64Array): number | undefined {
  for (let i = 1; i < b.length; i++) if (b[i] !== b[0]) return undefined;
  return b.length > 0 ? b[0] : undefined;
}

/** Element type of a `Dict` space: an object with one element of each sub-space. */
export type DictValue<S extends Record<string, Space<unknown>>> = {
  [K in keyof S]: S[K] extends Space<infer T> ? T : never;
};

/** A dictionary of named sub-spaces (Gymnasium's `Dict`), e.g. Minigrid's `{ image, direction, mission }`. */
export class Dict<S extends Record<string, Space<unknown>> = Record<string, Space<unknown>>> extends Space<
  DictValue<S>
> {
  readonly shape: readonly number[] = [];
  constructor(
    /** The named sub-spaces. */
    readonly spaces: S,
  ) {
    super();
    for (const [key, space] of Object.entries(spaces)) {
      if (!(space instanceof Space))
        throw new Error(`Dict: entry "${key}" is not a Space (got ${describeValue(space)})`);
    }
  }
  sample(rng: Rng): DictValue<S> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.spaces)) out[key] = this.spaces[key].sample(rng);
    return out as DictValue<S>;
  }
  contains(x: unknown): x is DictValue<S> {
    if (typeof x !== "object" || x === null) return false;
    const obj = x as Record<string, unknown>;
    const keys = Object.keys(this.spaces);
    if (Object.keys(obj).length !== keys.length) return false;
    return keys.every((key) => key in obj && this.spaces[key].contains(obj[key]));
  }
  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const key of Object.keys(this.spaces)) spaces[key] = this.spaces[key].toJSON();
    return { type: "Dict", spaces };
  }
  toString(): string {
    return `Dict(${Object.entries(this.spaces)
      .map(([k, s]) => `${k}: ${s}`)
      .join(", ")})`;
  }
}

/** Strings of `minLength … maxLength` characters from `charset` (all characters when null): missions. */
export class Text extends Space<string> {
  readonly shape: readonly number[] = [];
  /** The allowed characters, or null for any. */
  readonly charset: string | null;
  /** Fewest characters. */
  readonly minLength: number;
  private static readonly SAMPLE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";

  constructor(
    /** Most characters. */
    readonly maxLength: number,
    options: { minLength?: number; charset?: string | null } = {},
  ) {
    super();
    this.minLength = options.minLength ?? 1;
    this.charset = options.charset ?? null;
    if (!Number.isInteger(maxLength) || maxLength < 0)
      throw new Error(`Text: maxLength must be an integer ≥ 0, got ${describeValue(maxLength)}`);
    if (!Number.isInteger(this.minLength) || this.minLength < 0 || this.minLength > maxLength) {
      throw new Error(
        `Text: minLength must be an integer in [0, maxLength=${maxLength}], got ${describeValue(this.minLength)}`,
      );
    }
  }
  sample(rng: Rng): string {
    const chars = this.charset ?? Text.SAMPLE_CHARS;
    const length = this.minLength + rng.integer(this.maxLength - this.minLength + 1);
    let s = "";
    for (let i = 0; i < length; i++) s += chars[rng.integer(chars.length)];
    return s;
  }
  contains(x: unknown): x is string {
    if (typeof x !== "string" || x.length < this.minLength || x.length > this.maxLength) return false;
    if (this.charset === null) return true;
    for (const ch of x) if (!this.charset.includes(ch)) return false;
    return true;
  }
  toJSON(): SpaceJSON {
    return { type: "Text", maxLength: this.maxLength, minLength: this.minLength, charset: this.charset };
  }
  toString(): string {
    return `Text(${this.minLength}, ${this.maxLength})`;
  }
}

/** Rebuilds a space from its `toJSON()` description (how worker threads share spaces). */
export function spaceFromJSON(json: SpaceJSON): Space<unknown> {
  switch (json?.type) {
    case "Discrete":
      return new Discrete(json.n, json.start);
    case "MultiDiscrete":
      return new MultiDiscrete(json.nvec, json.start);
    case "Box": {
      const unbound = (b: (number | null)[], inf: number) => b.map((v) => (v === null ? inf : v));
      return new Box(unbound(json.low, -Infinity), unbound(json.high, Infinity), json.shape, json.dtype);
    }
    case "Dict": {
      const spaces: Record<string, Space<unknown>> = {};
      for (const [key, sub] of Object.entries(json.spaces)) spaces[key] = spaceFromJSON(sub);
      return new Dict(spaces);
    }
    case "Text":
      return new Text(json.maxLength, { minLength: json.minLength, charset: json.charset });
    default:
      throw new Error(
        `spaceFromJSON: unknown space description ${describeValue(json)}; expected type Discrete, MultiDiscrete, Box, Dict or Text`,
      );
  }
}
