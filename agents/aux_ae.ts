// The autoencoder beside an agent's RL loss (SAC-AE, UNREAL): the cross-field checks of the `net`
// config's autoencoder fields, the reconstruction term added to the RL loss, and the reconstruction
// pictures written into the run folder.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeReconstructionsPng } from "../src/report/reconstructions";
import { ConfigError } from "../src/train/config";
import { AUX_DEFAULTS, type AuxNetConfig } from "./net_config";

/** β of the reconstruction loss: net.auxWeight or its default. */
export function auxWeightOf(net: AuxNetConfig): number {
  return net.auxWeight ?? AUX_DEFAULTS.auxWeight;
}

/** Whether update `update` of `numUpdates` writes a reconstruction picture (every net.reconEvery, and the last). */
export function reconstructionDue(net: AuxNetConfig, update: number, numUpdates: number): boolean {
  const every = net.reconEvery ?? AUX_DEFAULTS.reconEvery;
  return every > 0 && (update % every === 0 || update === numUpdates);
}

/**
 * The checks the schema cannot make, across fields: an autoencoder, a pretrained or a frozen encoder
 * needs a CNN encoder, and auxDetach needs the decoder. Throws a {@link ConfigError} naming the field.
 */
export function checkAuxConfig(net: AuxNetConfig, agent: string): void {
  const fail = (field: string, why: string) =>
    new ConfigError(`${agent} config: field "net.${field}": ${why}`);
  const aux = net.aux ?? AUX_DEFAULTS.aux;
  if (net.encoder !== "cnn") {
    const needsCnn = `needs net.encoder "cnn" (--net cnn: it acts on a CNN encoder of images), got "${net.encoder}"`;
    if (aux !== "none") throw fail("aux", `"${aux}" ${needsCnn}`);
    if (net.encoderFrom !== undefined) throw fail("encoderFrom", needsCnn);
    if (net.freezeEncoder) throw fail("freezeEncoder", needsCnn);
  }
  if (net.auxDetach && aux !== "ae") {
    throw fail(
      "auxDetach",
      `true needs net.aux "ae" (--aux ae): without a decoder a detached encoder learns nothing (for that, use net.freezeEncoder), got net.aux "${aux}"`,
    );
  }
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
