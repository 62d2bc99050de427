import seedrandom from "seedrandom";

/** A source of uniform random numbers in [0, 1): the project's `Rng` (src/core/rng.ts) and {@link SeededRng}. */
export interface UniformSource {
  /** Next uniform number in [0, 1). */
  random(): number;
}

/** Run seed as given on the command line or in a config. */
export type Seed = number | string;

/**
 * Deterministic RNG built on seedrandom (alea) for weight initialisation: same seed, same stream, on every
 * machine. Unlike the core `Rng` it takes string seeds, so that each parameter gets a stream derived from
 * the run seed and its path (see {@link deriveSeed}).
 */
export class SeededRng implements UniformSource {
  private readonly prng: seedrandom.PRNG;
  /** Second normal of the last Box–Muller pair, kept so no draw is wasted. */
  private spareNormal: number | null = null;

  /** Creates the stream for `seed`. */
  constructor(seed: Seed) {
    this.prng = seedrandom.alea(String(seed));
  }

  /** Uniform number in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform number in [0, 1) (same stream as `next`; the {@link UniformSource} name). */
  random(): number {
    return this.prng();
  }

  /** Standard normal number (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 - u keeps the log argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - this.prng()));
    const angle = 2 * Math.PI * this.prng();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }
}

/**
 * Seed of one component derived from the run seed and a path such as "actor/dense0/kernel", so that
 * each initialiser has its own stream and adding a layer does not shift the weights of the others.
 */
export function deriveSeed(runSeed: Seed, path: string): string {
  return `${runSeed}/${path}`;
}
