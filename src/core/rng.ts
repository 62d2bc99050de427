import seedrandom from "seedrandom";

/**
 * The project's one source of random numbers: a seeded generator (seedrandom's Alea, fast and
 * portable), so that the same seed gives the same numbers on every machine. Library code never calls
 * `Math.random`; an env without a seed draws one from the operating system's entropy instead.
 */
export class Rng {
  /** The seed this generator started from (drawn from entropy when none was given). */
  readonly seed: number;
  private readonly next: () => number;
  private spareNormal = Number.NaN;

  constructor(seed?: number) {
    this.seed = seed ?? entropySeed();
    this.next = seedrandom.alea(String(this.seed));
  }

  /** Uniform on [0, 1). */
  random(): number {
    return this.next();
  }

  /** Uniform on [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [low, high) — Minigrid's `_rand_int`. */
  intRange(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.choice: expected a non-empty array");
    return items[this.integer(items.length)];
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A new integer seed drawn from this generator: how one seed fans out to child generators. */
  childSeed(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }
}

/** A fresh non-negative 31-bit seed from the operating system's entropy (never `Math.random`). */
export function entropySeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] >>> 1;
}

/**
 * A seed derived deterministically from `seed` and a tag (FNV-1a over both), for the independent
 * generators of wrappers stacked on one env: the same env seed gives each wrapper its own stream.
 */
export function deriveSeed(seed: number, tag: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}:${tag}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 1;
}

/**
 * A wrapper's own random stream, reseeded from the env's reset seed (derived with the wrapper's tag,
 * so stacked wrappers draw independent numbers) and otherwise kept across episodes, like an env's.
 */
export class DerivedRng {
  private rng?: Rng;
  constructor(
    /** Distinguishes this stream from the env's and other wrappers'. */
    private readonly tag: string,
  ) {}
  /** Reseeds from a reset seed; keeps the current stream when `seed` is undefined. */
  reseed(seed: number | undefined): void {
    if (seed !== undefined) this.rng = new Rng(deriveSeed(seed, this.tag));
  }
  /** The stream (seeded from entropy if no seed has been given yet). */
  get current(): Rng {
    if (this.rng === undefined) this.rng = new Rng();
    return this.rng;
  }
}
