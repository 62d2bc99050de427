import {
  allocate,
  Box,
  type BoxArray,
  checkStateObject,
  describeValue,
  type Env,
  ObservationWrapper,
  type ResetArgs,
  type ResetResult,
  requirePositiveInteger,
} from "../core";

/** Options of `FrameStack`. */
export interface FrameStackOptions {
  /**
   * How the stack is laid out. `"channels"` (default for images `[H, W, C]`): `[H, W, C·k]`, the
   * oldest frame's channels first, as a CNN takes it. `"stack"` (default otherwise): `[k, ...shape]`,
   * the oldest frame first — for a vector, the k observations one after the other.
   */
  layout?: "channels" | "stack";
  /** What fills the stack at reset: copies of the first observation (`"reset"`, Gymnasium's default) or zeros. */
  padding?: "reset" | "zero";
}

/**
 * Stacks the last `k` observations into one (Gymnasium's `FrameStackObservation`): the classic way
 * to give a memoryless agent a short window of history (velocities from positions, motion in frames).
 */
export class FrameStack<A> extends ObservationWrapper<BoxArray, A, BoxArray> {
  private readonly frames: BoxArray[];
  private readonly layout: "channels" | "stack";
  private readonly padding: "reset" | "zero";
  private readonly inner: Box;
  private next = 0;

  constructor(
    env: Env<BoxArray, A>,
    /** Number of observations stacked. */
    readonly k: number,
    options: FrameStackOptions = {},
  ) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box))
      throw new Error(`FrameStack(${env.name}): expected a Box observation space, got ${space}`);
    requirePositiveInteger(`FrameStack(${env.name})`, "k", k);
    this.inner = space;
    this.layout = options.layout ?? (space.shape.length === 3 ? "channels" : "stack");
    this.padding = options.padding ?? "reset";
    if (this.layout === "channels" && space.shape.length !== 3) {
      throw new Error(
        `FrameStack(${env.name}): layout "channels" needs [height, width, channels] observations, got shape [${space.shape}]`,
      );
    }
    if (!["reset", "zero"].includes(this.padding))
      throw new Error(
        `FrameStack(${env.name}): padding must be "reset" or "zero", got ${describeValue(this.padding)}`,
      );
    this.frames = Array.from({ length: k }, () => allocate(space.dtype, space.size));
    const repeat = (b: Float64Array) => Array.from({ length: k }, () => Array.from(b)).flat();
    if (this.layout === "stack") {
      this.observationSpace = new Box(
        repeat(space.low),
        repeat(space.high),
        [k, ...space.shape],
        space.dtype,
      );
    } else {
      const [h, w, c] = space.shape;
      this.observationSpace = new Box(
        this.interleave(space.low),
        this.interleave(space.high),
        [h, w, c * k],
        space.dtype,
      );
    }
  }

  /** Channel-stacked bounds: the per-pixel bounds repeated for each of the k frames. */
  private interleave(bound: Float64Array): number[] {
    const [h, w, c] = this.inner.shape;
    const out: number[] = [];
    for (let p = 0; p < h * w; p++)
      for (let f = 0; f < this.k; f++) for (let ch = 0; ch < c; ch++) out.push(bound[p * c + ch]);
    return out;
  }

  /** The frames in the ring buffer and the next slot. */
  protected override ownState(): unknown {
    return { frames: this.frames.map((f) => Array.from(f)), next: this.next };
  }

  protected override restoreOwnState(state: unknown): void {
    const what = `FrameStack(${this.name})`;
    const { frames, next } = checkStateObject(what, state, ["frames", "next"]);
    const size = this.inner.size;
    if (
      !Array.isArray(frames) ||
      frames.length !== this.k ||
      frames.some((f) => !Array.isArray(f) || f.length !== size || f.some((v) => typeof v !== "number")) ||
      typeof next !== "number" ||
      !Number.isInteger(next) ||
      next < 0 ||
      next >= this.k
    ) {
      throw new Error(
        `${what}: setState() expected ${this.k} frames of ${size} numbers and next in [0, ${this.k - 1}]`,
      );
    }
    for (let f = 0; f < this.k; f++) this.frames[f].set(frames[f] as number[]);
    this.next = next;
  }

  override reset(args?: ResetArgs): ResetResult<BoxArray> {
    const { observation, info } = this.env.reset(args);
    for (const frame of this.frames) {
      if (this.padding === "reset") frame.set(observation);
      else frame.fill(0);
    }
    this.next = 0;
    return { observation: this.observation(observation), info };
  }

  observation(observation: BoxArray): BoxArray {
    // The ring buffer's slot `next` holds the oldest frame; overwrite it with the newest.
    this.frames[this.next].set(observation);
    this.next = (this.next + 1) % this.k;
    const out = allocate(this.inner.dtype, this.inner.size * this.k);
    if (this.layout === "stack") {
      for (let f = 0; f < this.k; f++) out.set(this.frames[(this.next + f) % this.k], f * this.inner.size);
    } else {
      const c = this.inner.shape[2];
      const pixels = this.inner.size / c;
      for (let f = 0; f < this.k; f++) {
        const frame = this.frames[(this.next + f) % this.k];
        for (let p = 0; p < pixels; p++)
          for (let ch = 0; ch < c; ch++) out[p * c * this.k + f * c + ch] = frame[p * c + ch];
      }
    }
    return out;
  }
}
