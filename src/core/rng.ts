import seedrandom from "seedrandom";

/**
 * The project's one source of random numbers: a seeded generator (seedrandom's Alea, fast and
 * portable), so that the same seed gives the same numbers on every machine. Library code never calls
 * `Math.random`; an env without a seed draws one from the operating system's entropy instead.
 *
 * Envs, wrappers, network initialisers, action sampling and minibatch shuffling all use this class;
 * a run gives each of them its own seed with {@link deriveSeed}, so no two share a stream.
 */
export class Rng implements UniformSource {
  /** The seed this generator started from (drawn from entropy when none was given). */
  readonly seed: number;
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal = Number.NaN;

  constructor(seed?: number) {
    this.seed = seed ?? entropySeed();
    this.prng = seedrandom.alea(String(this.seed), { state: true });
  }

  /** A generator that continues exactly where the one that saved `state` stopped. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(checkRngState(state).seed);
    rng.setState(state);
    return rng;
  }

  /** Uniform on [0, 1). */
  random(): number {
    return this.prng();
  }

  /** Uniform on [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.prng();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Uniform integer in [low, high) — Minigrid's `_rand_int`. */
  intRange(low: number, high: number): number {
    return low + Math.floor(this.prng() * (high - low));
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
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
  shuffle<T, L extends { length: number; [i: number]: T }>(items: L): L {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A new integer seed drawn from this generator. */
  childSeed(): number {
    return Math.floor(this.prng() * 0x7fffffff);
  }

  /** The generator's full state, JSON-serialisable (saved with checkpoints). */
  getState(): RngState {
    const { c, s0, s1, s2 } = this.prng.state();
    return {
      seed: this.seed,
      c,
      s0,
      s1,
      s2,
      spareNormal: Number.isNaN(this.spareNormal) ? null : this.spareNormal,
    };
  }

  /** Continues from a state saved by {@link getState} (of any generator). */
  setState(state: RngState): void {
    const s = checkRngState(state);
    // seedrandom restores a state only at construction.
    this.prng = seedrandom.alea("", { state: { c: s.c, s0: s.s0, s1: s.s1, s2: s.s2 } });
    this.spareNormal = s.spareNormal ?? Number.NaN;
  }
}

/** A run's seed (the root of its seed tree) or a block's: a non-negative integer. */
export type Seed = number;

/** A source of uniform numbers in [0, 1) (an {@link Rng}; tests may pass a fixed sequence). */
export interface UniformSource {
  /** Next uniform number in [0, 1). */
  random(): number;
}

/** What {@link Rng.getState} returns: Alea's four state words and the spare normal. */
export interface RngState {
  /** The seed the generator started from (informative). */
  seed: number;
  c: number;
  s0: number;
  s1: number;
  s2: number;
  /** The second normal of the last Box–Muller pair, or null. */
  spareNormal: number | null;
}

function checkRngState(state: RngState): RngState {
  const ok =
    state !== null &&
    typeof state === "object" &&
    ["seed", "c", "s0", "s1", "s2"].every((k) =>
      Number.isFinite((state as unknown as Record<string, number>)[k]),
    ) &&
    (state.spareNormal === null || state.spareNormal === undefined || Number.isFinite(state.spareNormal));
  if (!ok) {
    throw new Error(
      `Rng state is malformed: expected { seed, c, s0, s1, s2, spareNormal } of finite numbers, got ${JSON.stringify(state)}`,
    );
  }
  return state;
}

/** A fresh non-negative 31-bit seed from the operating system's entropy (never `Math.random`). */
export function entropySeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] >>> 1;
}

/**
 * The seed of one consumer of a run, hashed from `(seed, purpose, index)`: the run's seed tree.
 * `deriveSeed(run, "env")` is the vector env's base seed, `deriveSeed(run, "init/actor")` the actor's
 * initialiser, `deriveSeed(run, "actions")` action sampling, and so on; `index` numbers siblings.
 * Two purposes (or two run seeds) give unrelated seeds, so no two consumers share a stream.
 * FNV-1a over the text, then a murmur3 finaliser to spread the bits; a non-negative 31-bit integer.
 */
export function deriveSeed(seed: number, purpose: string, index = 0): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${purpose}/${index}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
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

  /** The stream's state (null before it was first seeded or used), for checkpoints. */
  getState(): RngState | null {
    return this.rng === undefined ? null : this.rng.getState();
  }

  /** Continues from {@link DerivedRng.getState}. */
  setState(state: RngState | null): void {
    this.rng = state === null ? undefined : Rng.fromState(state);
  }
}
