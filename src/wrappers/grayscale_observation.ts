import { Box, describeValue, type Env, ObservationWrapper } from "../core";

/** Options of `GrayscaleObservation`. */
export interface GrayscaleObservationOptions {
  /** Keep a channel axis of size 1: `[H, W, 1]` (default false: `[H, W]`). */
  keepDim?: boolean;
}

/**
 * Turns `[H, W, 3]` uint8 RGB observations into grey ones (Gymnasium's `GrayscaleObservation`):
 * each pixel becomes its ITU-R 601 luma `round(0.299 R + 0.587 G + 0.114 B)`, the conversion of
 * OpenCV and PIL and the one `CartPole-Pixels-v1` draws with, so both routes give the same bytes.
 * (Gymnasium 1.x weights with 0.2125/0.7154/0.0721 and truncates; values then differ by a few levels.)
 */
export class GrayscaleObservation<A> extends ObservationWrapper<Uint8Array, A, Uint8Array> {
  /** Whether observations keep a trailing channel axis of size 1. */
  readonly keepDim: boolean;
  private readonly pixels: number;

  constructor(env: Env<Uint8Array, A>, options: GrayscaleObservationOptions = {}) {
    super(env);
    const space = env.observationSpace;
    if (
      !(space instanceof Box) ||
      space.dtype !== "uint8" ||
      space.shape.length !== 3 ||
      space.shape[2] !== 3
    )
      throw new Error(
        `GrayscaleObservation(${env.name}): expected uint8 RGB observations, a Box of shape [height, width, 3], got ${space}`,
      );
    const keepDim = options.keepDim ?? false;
    if (typeof keepDim !== "boolean")
      throw new Error(
        `GrayscaleObservation(${env.name}): keepDim must be true or false, got ${describeValue(keepDim)}`,
      );
    this.keepDim = keepDim;
    const [height, width] = space.shape;
    this.pixels = height * width;
    this.observationSpace = new Box(0, 255, keepDim ? [height, width, 1] : [height, width], "uint8");
  }

  /** The luma of each pixel, in a fresh array. */
  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  observation(rgb: Uint8Array): Uint8Array {
    const grey = new Uint8Array(this.pixels);
    // Integer weights in thousandths with +500 for rounding: exact, and faster than floats.
    for (let p = 0, i = 0; p < grey.length; p++, i += 3) {
      grey[p] = ((299 * rgb[i] + 587 * rgb[i + 1] + 114 * rgb[i + 2] + 500) / 1000) | 0;
    }
    return grey;
  }
}
