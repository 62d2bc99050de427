// Inputs beside their reconstructions as one PNG, so a person sees what an autoencoder's features keep.
import { type PngImage, writePng } from "./png";

/** What {@link reconstructionsImage} draws. */
export interface ReconstructionsArgs {
  /** Scaled inputs, `count × H × W × C` values (row-major, about [0, 1]). */
  inputs: Float32Array;
  /** Their reconstructions, the same layout. */
  outputs: Float32Array;
  /** One image's [H, W, C]. With C = 1 or 3 the image is drawn as it is; otherwise it is a frame stack
   * (oldest frame's channels first) and its newest frame is drawn: its last 3 channels when C is a multiple of 3, else its last one. */
  shape: readonly [number, number, number];
  /** Smallest side of a drawn cell in pixels (small views are enlarged, nearest neighbour; default 64). */
  minCellSize?: number;
}

/**
 * A grid with the inputs in the top row and their reconstructions under them. The values are
 * stretched so that the brightest input pixel is white (gridworld codes scaled by 1/255 are otherwise
 * black); inputs and reconstructions share the stretch, so the picture compares them fairly.
 */
export function reconstructionsImage(args: ReconstructionsArgs): PngImage {
  const [H, W, C] = args.shape;
  const size = H * W * C;
  if (size === 0 || args.inputs.length % size !== 0 || args.outputs.length !== args.inputs.length) {
    throw new Error(
      `reconstructionsImage: inputs (${args.inputs.length} values) and outputs (${args.outputs.length}) must both hold whole images of [${args.shape.join(", ")}]`,
    );
  }
  const count = args.inputs.length / size;
  const drawn = C === 1 || C === 3 ? C : C % 3 === 0 ? 3 : 1;
  const first = C - drawn;
  const zoom = Math.max(1, Math.ceil((args.minCellSize ?? 64) / Math.max(H, W)));
  const gap = 2;
  const cellW = W * zoom;
  const cellH = H * zoom;
  const width = count * cellW + (count + 1) * gap;
  const height = 2 * cellH + 3 * gap;
  let max = 0;
  for (const v of args.inputs) max = Math.max(max, v);
  const stretch = max > 0 ? 1 / max : 1;
  const data = new Uint8Array(width * height * 3).fill(96); // grey between the cells
  const draw = (values: Float32Array, row: number) => {
    for (let n = 0; n < count; n++) {
      const x0 = gap + n * (cellW + gap);
      const y0 = gap + row * (cellH + gap);
      for (let y = 0; y < cellH; y++) {
        for (let x = 0; x < cellW; x++) {
          const src = n * size + (Math.floor(y / zoom) * W + Math.floor(x / zoom)) * C + first;
          const dst = ((y0 + y) * width + x0 + x) * 3;
          for (let k = 0; k < 3; k++) {
            const v = values[src + (drawn === 3 ? k : 0)] * stretch;
            data[dst + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
          }
        }
      }
    }
  };
  draw(args.inputs, 0);
  draw(args.outputs, 1);
  return { width, height, channels: 3, data };
}

/** Writes {@link reconstructionsImage} as a PNG file. */
export function writeReconstructionsPng(file: string, args: ReconstructionsArgs): void {
  writePng(file, reconstructionsImage(args));
}
