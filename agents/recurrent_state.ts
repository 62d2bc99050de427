// The memory of a recurrent agent between steps, kept on the JavaScript side: the state of every
// tower's memory core for every env of a batch (h and c of an LSTM, h of a GRU or RNN). Acting steps it
// in place; a rollout keeps a copy of it at its start so the update replays from the same memory.

/**
 * Memory-core state of a batch of envs: `h` (and, for an LSTM, `c`) of shape [towers, batch, hidden],
 * row-major. `parts` is the number of state arrays of the core: 2 for the LSTM (h, c), 1 for the GRU
 * and the RNN (h; `c` is then empty). A network without memory has an empty state (hidden 0) of its
 * batch, so callers need not tell the two apart.
 */
export class RecurrentState {
  /** Hidden state h, [towers, batch, hidden] row-major. */
  readonly h: Float32Array;
  /** Cell state c, [towers, batch, hidden] row-major (LSTM); empty when `parts` is 1. */
  readonly c: Float32Array;

  /** A zero state, or one over the given arrays (each of towers × batch × hidden values). */
  constructor(
    /** Number of memory towers (separate actor and critic: 2; shared or Q-network: 1). */
    readonly towers: number,
    /** Number of envs B. */
    readonly batch: number,
    /** Hidden size H of each tower's core (0: no memory). */
    readonly hidden: number,
    h?: Float32Array,
    c?: Float32Array,
    /** State arrays per core: 2 for an LSTM (h, c), 1 for a GRU or RNN (h). */
    readonly parts: 1 | 2 = 2,
  ) {
    const size = towers * batch * hidden;
    for (const [name, values, expected] of [
      ["h", h, size],
      ["c", c, parts === 2 ? size : 0],
    ] as const) {
      if (values !== undefined && values.length !== expected) {
        throw new Error(
          `RecurrentState: ${name} has ${values.length} values, expected ${
            expected === 0
              ? "none (a core whose state is h alone)"
              : `${towers} towers × ${batch} envs × ${hidden}`
          }`,
        );
      }
    }
    this.h = h ?? new Float32Array(size);
    this.c = c ?? new Float32Array(parts === 2 ? size : 0);
  }

  /** The state arrays of the core: [h, c] for an LSTM, [h] for a GRU or RNN. */
  get arrays(): Float32Array[] {
    return this.parts === 2 ? [this.h, this.c] : [this.h];
  }

  /** Where env `env` of tower `tower` starts in `h` (and `c`). */
  offset(tower: number, env: number): number {
    return (tower * this.batch + env) * this.hidden;
  }

  /** Zeroes env `env` in every tower (its episode begins). */
  reset(env: number): void {
    const H = this.hidden;
    for (let t = 0; t < this.towers; t++) {
      const o = this.offset(t, env);
      for (const values of this.arrays) values.fill(0, o, o + H);
    }
  }

  /** Env `env`'s memory as a state of batch 1 (a copy). */
  row(env: number): RecurrentState {
    return this.select([env]);
  }

  /** The memories of `envs`, in that order, as a state of batch `envs.length` (a copy). */
  select(envs: ArrayLike<number>): RecurrentState {
    const H = this.hidden;
    const out = new RecurrentState(this.towers, envs.length, H, undefined, undefined, this.parts);
    const [from, to] = [this.arrays, out.arrays];
    for (let t = 0; t < this.towers; t++) {
      for (let k = 0; k < envs.length; k++) {
        const source = this.offset(t, envs[k]);
        const target = out.offset(t, k);
        for (let p = 0; p < from.length; p++) to[p].set(from[p].subarray(source, source + H), target);
      }
    }
    return out;
  }

  /** A copy of the whole state. */
  copy(): RecurrentState {
    return new RecurrentState(
      this.towers,
      this.batch,
      this.hidden,
      this.h.slice(),
      this.c.slice(),
      this.parts,
    );
  }

  /** Tower `tower`'s h or c of all envs, [batch, hidden] (a view: writes go to the state). */
  towerView(which: "h" | "c", tower: number): Float32Array {
    if (which === "c" && this.parts !== 2) {
      throw new Error("RecurrentState.towerView: no c in this state (a GRU's or RNN's is h alone)");
    }
    const o = this.offset(tower, 0);
    return this[which].subarray(o, o + this.batch * this.hidden);
  }

  /** Tower `tower`'s state arrays of all envs, each [batch, hidden]: [h, c] or [h] (views). */
  towerViews(tower: number): Float32Array[] {
    const o = this.offset(tower, 0);
    return this.arrays.map((values) => values.subarray(o, o + this.batch * this.hidden));
  }
}
