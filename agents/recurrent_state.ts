// The memory of a recurrent agent between steps, kept on the JavaScript side: h and c of every LSTM
// tower for every env of a batch. Acting steps it in place; a rollout keeps a copy of it at its start
// so the update replays from the same memory.

/**
 * LSTM state of a batch of envs: `h` and `c` of shape [towers, batch, hidden], row-major. A network
 * without memory has an empty state (hidden 0) of its batch, so callers need not tell the two apart.
 */
export class RecurrentState {
  /** Hidden state h, [towers, batch, hidden] row-major. */
  readonly h: Float32Array;
  /** Cell state c, [towers, batch, hidden] row-major. */
  readonly c: Float32Array;

  /** A zero state, or one over the given arrays (each of towers × batch × hidden values). */
  constructor(
    /** Number of LSTM towers (separate actor and critic: 2; shared or Q-network: 1). */
    readonly towers: number,
    /** Number of envs B. */
    readonly batch: number,
    /** Hidden size H of each tower's LSTM (0: no memory). */
    readonly hidden: number,
    h?: Float32Array,
    c?: Float32Array,
  ) {
    const size = towers * batch * hidden;
    for (const [name, values] of [
      ["h", h],
      ["c", c],
    ] as const) {
      if (values !== undefined && values.length !== size) {
        throw new Error(
          `RecurrentState: ${name} has ${values.length} values, expected ${towers} towers × ${batch} envs × ${hidden}`,
        );
      }
    }
    this.h = h ?? new Float32Array(size);
    this.c = c ?? new Float32Array(size);
  }

  /** Where env `env` of tower `tower` starts in `h` and `c`. */
  offset(tower: number, env: number): number {
    return (tower * this.batch + env) * this.hidden;
  }

  /** Zeroes env `env` in every tower (its episode begins). */
  reset(env: number): void {
    const H = this.hidden;
    for (let t = 0; t < this.towers; t++) {
      const o = this.offset(t, env);
      this.h.fill(0, o, o + H);
      this.c.fill(0, o, o + H);
    }
  }

  /** Env `env`'s memory as a state of batch 1 (a copy). */
  row(env: number): RecurrentState {
    return this.select([env]);
  }

  /** The memories of `envs`, in that order, as a state of batch `envs.length` (a copy). */
  select(envs: ArrayLike<number>): RecurrentState {
    const H = this.hidden;
    const out = new RecurrentState(this.towers, envs.length, H);
    for (let t = 0; t < this.towers; t++) {
      for (let k = 0; k < envs.length; k++) {
        const from = this.offset(t, envs[k]);
        const to = out.offset(t, k);
        out.h.set(this.h.subarray(from, from + H), to);
        out.c.set(this.c.subarray(from, from + H), to);
      }
    }
    return out;
  }

  /** A copy of the whole state. */
  copy(): RecurrentState {
    return new RecurrentState(this.towers, this.batch, this.hidden, this.h.slice(), this.c.slice());
  }

  /** Tower `tower`'s h or c of all envs, [batch, hidden] (a view: writes go to the state). */
  towerView(which: "h" | "c", tower: number): Float32Array {
    const o = this.offset(tower, 0);
    return this[which].subarray(o, o + this.batch * this.hidden);
  }
}
