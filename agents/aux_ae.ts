// The autoencoder beside an agent's RL loss (SAC-AE, UNREAL): the reconstruction term added to the RL
// loss, and the reconstruction pictures written into the run folder. The cross-field checks of the
// `net` config's autoencoder fields are in configs.ts.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng } from "../src/core/rng";
import { ClippedAdam, loadCheckpoint, type ParamMap, saveCheckpoint } from "../src/nn";
import { writeReconstructionsPng } from "../src/report/reconstructions";
import { AUX_DEFAULTS, type AutoencoderSettings, type AuxNetConfig } from "./net_config";

// The cross-field checks of the `net` config are in configs.ts, which loads without TF.js.
export { checkAuxConfig } from "./configs";

/** β of the reconstruction loss ("joint"): net.auxWeight or its default. */
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
  readonly autoencoder: AutoencoderSettings;
  reconstructionLoss(
    observations: tf.Tensor,
    encodings: readonly tf.Tensor2D[],
    noiseSeed?: number,
  ): { loss: tf.Scalar; mse: tf.Scalar };
  autoencoderLoss(observations: tf.Tensor, noiseSeed?: number): { loss: tf.Scalar; mse: tf.Scalar };
  autoencoderParams(): ParamMap;
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

/** The folder of a checkpoint where the "separate" autoencoder optimiser's state is kept. */
const AE_OPTIMIZER_DIR = "ae-optimizer";

/**
 * How an agent trains its decoder (net.aux "ae") beside the RL loss, as net.aeOptimizer says:
 * - "joint": {@link withJointLoss} adds β · the reconstruction loss to the RL loss (one optimiser,
 *   one backward pass into the shared encoder);
 * - "separate" (SAC+AE): {@link separateStep}, after each RL gradient step, takes one step of the
 *   autoencoder's own Adam (lr net.aeLearningRate, no clipping) on the encoders and decoders.
 * Without a decoder both are no-ops. `meter` hears the reconstruction mse; `rngs` is the
 * dequantisation noise's stream (for the training loop's checkpoints); `checkpoint` saves and restores
 * the separate optimiser.
 */
export class AutoencoderTraining {
  readonly meter = new ReconMeter();
  /** The noise stream of the "bits5" target, keyed for the training loop's RNG states (empty without a decoder). */
  readonly rngs: Record<string, Rng>;
  private readonly optimizer?: ClippedAdam;
  private readonly noise: Rng;

  constructor(
    private readonly net: ReconstructingNet,
    private readonly config: AuxNetConfig,
    seed: number,
  ) {
    this.noise = new Rng(deriveSeed(seed, "ae/noise"));
    this.rngs = net.hasDecoder ? { aeNoise: this.noise } : {};
    if (net.hasDecoder && net.autoencoder.aeOptimizer === "separate")
      this.optimizer = new ClippedAdam(net.autoencoderParams(), {
        learningRate: net.autoencoder.aeLearningRate,
      });
  }

  /** A fresh seed of the dequantisation noise (one draw of the stream). */
  private noiseSeed(): number {
    return Math.floor(this.noise.random() * 2 ** 31);
  }

  /**
   * `loss + auxWeight · reconstruction loss` with a decoder trained "joint", else `loss`: call it inside
   * the function the RL optimiser differentiates, with the encodings of the same forward pass.
   */
  withJointLoss(loss: tf.Scalar, observations: tf.Tensor, encodings: readonly tf.Tensor2D[]): tf.Scalar {
    if (!this.net.hasDecoder || this.optimizer) return loss;
    const recon = this.net.reconstructionLoss(observations, encodings, this.noiseSeed());
    this.meter.add(recon.mse.dataSync()[0]);
    return tf.add(loss, tf.mul(recon.loss, auxWeightOf(this.config)));
  }

  /** One step of the separate autoencoder optimiser on `observations` [N, H, W, C] (a no-op unless "separate"). */
  separateStep(observations: tf.Tensor): void {
    if (!this.optimizer) return;
    const seed = this.noiseSeed();
    let mse = 0;
    this.optimizer.minimize(() => {
      const terms = this.net.autoencoderLoss(observations, seed);
      mse = terms.mse.dataSync()[0];
      return terms.loss;
    });
    this.meter.add(mse);
  }

  /** Writes and reads the separate optimiser's state in a checkpoint folder (undefined without one). */
  get checkpoint(): { write(dir: string): void; read(dir: string): void } | undefined {
    const optimizer = this.optimizer;
    if (!optimizer) return undefined;
    const params = this.net.autoencoderParams();
    return {
      write: (dir) => saveCheckpoint(path.join(dir, AE_OPTIMIZER_DIR), params, optimizer),
      read: (dir) => {
        loadCheckpoint(path.join(dir, AE_OPTIMIZER_DIR), params, optimizer);
      },
    };
  }
}

/** Both checkpoint extras (either may be absent) as one. */
export function bothExtras(
  a: { write(dir: string): void; read(dir: string): void } | undefined,
  b: { write(dir: string): void; read(dir: string): void } | undefined,
): { write(dir: string): void; read(dir: string): void } | undefined {
  if (!a || !b) return a ?? b;
  return {
    write: (dir) => {
      a.write(dir);
      b.write(dir);
    },
    read: (dir) => {
      a.read(dir);
      b.read(dir);
    },
  };
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
