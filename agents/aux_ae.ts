// The autoencoder beside an agent's RL loss (SAC-AE, UNREAL): the reconstruction term added to the RL
// loss, and the reconstruction pictures written into the run folder. The cross-field checks of the
// `net` config's autoencoder fields are in configs.ts.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeReconstructionsPng } from "../src/report/reconstructions";
import { AUX_DEFAULTS, type AuxNetConfig } from "./net_config";

// The cross-field checks of the `net` config are in configs.ts, which loads without TF.js.
export { checkAuxConfig } from "./configs";

/** β of the reconstruction loss: net.auxWeight or its default. */
export function auxWeightOf(net: AuxNetConfig): number {
  return net.auxWeight ?? AUX_DEFAULTS.auxWeight;
}

/** Whether update `update` of `numUpdates` writes a reconstruction picture (every net.reconEvery, and the last). */
export function reconstructionDue(net: AuxNetConfig, update: number, numUpdates: number): boolean {
  const every = net.reconEvery ?? AUX_DEFAULTS.reconEvery;
  return every > 0 && (update % every === 0 || update === numUpdates);
}

/** What the reconstruction term needs of a network (ActorCritic and QNetwork have it). */
export interface ReconstructingNet {
  readonly observationShape: readonly number[];
  readonly observationSize: number;
  readonly hasDecoder: boolean;
  reconstructionLoss(observations: tf.Tensor, encodings: readonly tf.Tensor2D[]): tf.Scalar;
  reconstruct(observations: ArrayLike<number>, rows: number): { inputs: Float32Array; outputs: Float32Array };
}

/** The mean reconstruction loss of an update's gradient steps (the `reconLoss` of its metrics line). */
export class ReconMeter {
  private sum = 0;
  private count = 0;

  /** Adds one gradient step's loss. */
  add(value: number): void {
    this.sum += value;
    this.count += 1;
  }

  /** The mean since the last call (NaN when there was none), then starts again. */
  take(): number {
    const mean = this.count > 0 ? this.sum / this.count : Number.NaN;
    this.sum = 0;
    this.count = 0;
    return mean;
  }
}

/**
 * `loss + weight · reconstruction mse` when the network has a decoder (net.aux "ae"), else `loss`:
 * call it inside the function the optimiser differentiates, with the encodings of the same forward
 * pass, so that one backward pass carries both gradients into the shared encoder. `meter` hears the
 * reconstruction loss.
 */
export function withReconstructionLoss(
  net: ReconstructingNet,
  loss: tf.Scalar,
  observations: tf.Tensor,
  encodings: readonly tf.Tensor2D[],
  weight: number,
  meter?: ReconMeter,
): tf.Scalar {
  if (!net.hasDecoder) return loss;
  const recon = net.reconstructionLoss(observations, encodings);
  meter?.add(recon.dataSync()[0]);
  return tf.add(loss, tf.mul(recon, weight));
}

/** Name of the reconstruction picture written at env step `step`. */
function reconstructionsFile(step: number): string {
  return `reconstructions-${step}.png`;
}

/**
 * Writes `reconstructions-<step>.png` into `dir`: `count` observations spread evenly over the `rows`
 * rows of `observations` (top) and their reconstructions by the first tower's decoder (below).
 */
export function writeReconstructions(
  net: ReconstructingNet,
  observations: Float32Array,
  rows: number,
  dir: string,
  step: number,
  count = 8,
): string {
  const n = Math.min(count, rows);
  const F = net.observationSize;
  const picked = new Float32Array(n * F);
  for (let i = 0; i < n; i++) {
    const row = Math.floor((i * rows) / n);
    picked.set(observations.subarray(row * F, (row + 1) * F), i * F);
  }
  const { inputs, outputs } = net.reconstruct(picked, n);
  const [h, w, c] = net.observationShape;
  const file = path.join(dir, reconstructionsFile(step));
  writeReconstructionsPng(file, { inputs, outputs, shape: [h, w, c] });
  return file;
}
