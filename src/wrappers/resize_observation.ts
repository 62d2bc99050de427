import { Box, describeValue, type Env, ObservationWrapper } from "../core";

/** For one axis: each output index's source range and the weights of the sources in it. */
interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  /** Flattened weights, `maxTaps` per output index. */
  weights: Float64Array;
  maxTaps: number;
}

/**
 * Area weights: output pixel `o` covers the source interval `[o·s, (o+1)·s)` with `s = from / to`;
 * each source pixel weighs by how much of it lies inside, normalized to sum to 1.
 */
function areaTaps(from: number, to: number): AxisTaps {
  const scale = from / to;
  const maxTaps = Math.ceil(scale) + 1;
  const first = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float64Array(to * maxTaps);
  for (let o = 0; o < to; o++) {
    // When enlarging, the interval is shorter than a pixel and lands in one or two sources.
    const start = o * scale;
    const end = (o + 1) * scale;
    const lo = Math.floor(start);
    const hi = Math.min(from, Math.ceil(end - 1e-9));
    first[o] = lo;
    count[o] = hi - lo;
    const span = end - start;
    for (let s = lo; s < hi; s++)
      weights[o * maxTaps + (s - lo)] = (Math.min(end, s + 1) - Math.max(start, s)) / span;
  }
  return { first, count, weights, maxTaps };
}

/**
 * Resizes uint8 image observations (`[H, W, C]` or `[H, W]`) to `[height, width]` (Gymnasium's
 * `ResizeObservation`) by area averaging: each output pixel is the mean of the source area it covers,
 * with partly covered source pixels weighted by their overlap (OpenCV's INTER_AREA when shrinking,
 * what Gymnasium uses). Shrinking by an integer factor is the plain block mean; values are rounded.
 */
export class ResizeObservation<A> extends ObservationWrapper<Uint8Array, A, Uint8Array> {
  /** Output `[height, width]`. */
  readonly size: readonly [number, number];
  private readonly inHeight: number;
  private readonly inWidth: number;
  private readonly channels: number;
  private readonly rows: AxisTaps;
  private readonly cols: AxisTaps;
  /** The horizontally resized image, `inHeight × width × channels`, reused every step. */
  private readonly across: Float64Array;

  constructor(env: Env<Uint8Array, A>, size: readonly [number, number]) {
    super(env);
    const space = env.observationSpace;
    if (
      !(space instanceof Box) ||
      space.dtype !== "uint8" ||
      (space.shape.length !== 3 && space.shape.length !== 2)
    )
      throw new Error(
        `ResizeObservation(${env.name}): expected uint8 image observations, a Box of shape [height, width, channels] or [height, width], got ${space}`,
      );
    if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1))
      throw new Error(
        `ResizeObservation(${env.name}): size must be [height, width], two integers ≥ 1, got ${describeValue(size)}`,
      );
    const [height, width] = size;
    this.size = [height, width];
    [this.inHeight, this.inWidth] = space.shape;
    this.channels = space.shape[2] ?? 1;
    this.rows = areaTaps(this.inHeight, height);
    this.cols = areaTaps(this.inWidth, width);
    this.across = new Float64Array(this.inHeight * width * this.channels);
    this.observationSpace = new Box(
      0,
      255,
      space.shape.length === 3 ? [height, width, this.channels] : [height, width],
      "uint8",
    );
  }

  /** The resized image, in a fresh array. */
  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(image: Uint8Array): Uint8Array {
    const [height, width] = this.size;
    const { channels, inWidth, across, rows, cols } = this;
    // Separable: first along each row, then along each column.
    for (let y = 0; y < this.inHeight; y++) {
      const src = y * inWidth * channels;
      const dst = y * width * channels;
      for (let x = 0; x < width; x++) {
        const first = cols.first[x];
        const taps = cols.count[x];
        const w0 = x * cols.maxTaps;
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let t = 0; t < taps; t++)
            sum += cols.weights[w0 + t] * image[src + (first + t) * channels + c];
          across[dst + x * channels + c] = sum;
        }
      }
    }
    const out = new Uint8Array(height * width * channels);
    const rowBytes = width * channels;
    for (let y = 0; y < height; y++) {
      const first = rows.first[y];
      const taps = rows.count[y];
      const w0 = y * rows.maxTaps;
      for (let i = 0; i < rowBytes; i++) {
        let sum = 0;
        for (let t = 0; t < taps; t++) sum += rows.weights[w0 + t] * across[(first + t) * rowBytes + i];
        out[y * rowBytes + i] = Math.min(255, Math.round(sum));
      }
    }
    return out;
  }
}
