// The towers every agent network is built from, and what the networks share: a tower is an encoder
// (MLP or CNN, from the `net` spec) and an optional memory core (RNN, GRU or LSTM); TowerNetwork holds
// the towers, their typed-array fast path for acting, the recurrent state per env and the unroll over
// time-major rows. ActorCritic (actor_critic.ts) and QNetwork (q_network.ts) add their heads.
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type UniformSource } from "../src/core/rng";
import {
  autoencoderLoss,
  CNN_PRESETS,
  CnnEncoder,
  type CnnPresetName,
  Composite,
  ConvDecoder,
  cnnPreset,
  Gru,
  Lstm,
  LstmFastPath,
  type MemoryCore,
  Mlp,
  MlpBatchFastPath,
  makeMemoryCore,
  type Parameterised,
  type ParamMap,
  type ReconTarget,
  Rnn,
  readValues,
  reconstructionTarget,
  StepwiseCoreFastPath,
} from "../src/nn";
import { validateConfig } from "../src/train/config";
import {
  type AutoencoderSettings,
  autoencoderSettings,
  type MemorySpec,
  memoryOf,
  type NetInput,
  NetSchema,
  type NetSpec,
} from "./net_config";
import { RecurrentState } from "./recurrent_state";

/** Arguments of {@link ActorCritic} and {@link QNetwork}. */
export interface NetworkArgs {
  /** Shape of one observation: `[F]` for `mlp`, `[H, W, C]` for `cnn`. */
  observationShape: readonly number[];
  /** Whether observations are bytes (images): scaled inside a CNN by its preset's byteScale. */
  observationBytes?: boolean;
  /** Number of discrete actions. */
  numActions: number;
  /** The architecture: a `net` config (absent fields take their defaults, see net_config.ts). */
  net: NetInput;
  /** The run's seed: every block gets its own child seed `deriveSeed(seed, "init/<block path>")`. */
  seed: number;
}

/**
 * What evaluating or recording an agent needs of its network, whatever the agent: act on a batch of
 * observations (greedily, or as its policy does: sampling for PPO and A2C, ε-greedy for DQN) with a
 * recurrent state carried per env. {@link ActorCritic} and {@link QNetwork} are ones.
 */
export interface AgentNetwork extends Parameterised {
  readonly observationSize: number;
  readonly recurrent: boolean;
  /** The towers' names in the recurrent state's order: "shared", "actor" and "critic", or "q". */
  readonly towerNames: readonly string[];
  initialState(batch: number): RecurrentState;
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy?: boolean,
  ): { actions: Int32Array };
  parameterCount(): number;
  weightsChanged(): void;
}

/** The smallest image side the strided pixel preset (dqn2013) reads: its convs leave a 1 × 1 map at 20. */
const MIN_PIXEL_SIDE = 20;

/**
 * The preset CNN for an image shape: 7 × 7 Minigrid views → gridworld7 (their symbolic codes);
 * 84 × 84 frames → natureDqn (the Atari setting); any other picture of side ≥ 20 → dqn2013, the
 * strided 2-conv torso sized for a CPU (a 48 × 48 × 4 stack costs 0.76 M multiply-adds, natureDqn's
 * 84 × 84 × 4 5.9 M).
 */
export function cnnPresetFor(shape: readonly number[]): CnnPresetName {
  const [h, w] = shape;
  if (h === 7 && w === 7) return "gridworld7";
  if (h === 84 && w === 84) return "natureDqn";
  if (h >= MIN_PIXEL_SIDE && w >= MIN_PIXEL_SIDE) return "dqn2013";
  throw new Error(
    `net.encoder "cnn": no CNN preset for observations of shape [${shape.join(", ")}]; ` +
      `expected 7×7×C (gridworld7), 84×84×C (natureDqn) or a picture of side ≥ ${MIN_PIXEL_SIDE} (dqn2013)`,
  );
}

/**
 * The preset CNN encoder of a network for image observations of `shape` (`hidden`: its dense layers;
 * bytes are scaled inside it by the preset's byteScale: 1/255 for pixels, 1 for gridworld codes). `pomdp pretrain-ae` builds its encoder here too, so that a
 * pretrained encoder fits the agent's.
 */
export function cnnEncoderFor(
  shape: readonly number[],
  hidden: readonly number[],
  observationBytes: boolean,
  seed: number,
  latentNorm = false,
): CnnEncoder {
  if (shape.length !== 3) {
    throw new Error(`net.encoder "cnn" needs image observations [H, W, C], got shape [${shape.join(", ")}]`);
  }
  const preset = cnnPresetFor(shape);
  return cnnPreset(preset, seed, {
    inputShape: [shape[0], shape[1], shape[2]],
    inputScale: observationBytes ? CNN_PRESETS[preset].byteScale : 1,
    ...(hidden.length > 0 ? { dense: [...hidden] } : {}),
    // SAC+AE's bottleneck: a linear layer, then LayerNorm and tanh.
    ...(latentNorm ? { latentNorm: true, outputActivation: "linear" as const } : {}),
  });
}

/**
 * The decoder of a CNN encoder: its layer shapes mirrored, with a linear output whose last layer
 * starts small (outputGain 0.1), so that the first reconstructions are about its bias. A sigmoid
 * output stalled in our trials: its saturation on frames that are mostly 0 or 1, and on gridworld
 * codes scaled by 1/255, left ReLU maps dead and the output constant per channel.
 */
export function decoderFor(encoder: CnnEncoder, seed: number): ConvDecoder {
  return new ConvDecoder({
    inputShape: encoder.args.inputShape,
    convs: encoder.args.convs,
    latentDim: encoder.outputDim,
    outputActivation: "linear",
    outputGain: 0.1,
    seed,
  });
}

/** x forward, no gradient backward: the RL loss's path into a detached encoder. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D) => tf.Tensor2D;

/** Encoder then optional memory core (and, with net.aux "ae", a decoder of the encoder's output): observations → features. */
class Tower implements Parameterised {
  readonly encoder?: Mlp | CnnEncoder;
  /** The memory core (net.memory / net.lstm): its parameters are under its kind, "lstm", "gru" or "rnn". */
  readonly memory?: MemoryCore;
  /** The decoder of the CNN encoder's output (net.aux "ae"). */
  readonly decoder?: ConvDecoder;
  readonly featureDim: number;
  private readonly parts: Composite;

  constructor(net: NetSpec, args: NetworkArgs, name: string) {
    const { observationShape } = args;
    const seed = (block: string) => deriveSeed(args.seed, `init/${name}/${block}`);
    let width: number;
    if (net.encoder === "cnn") {
      const encoder = cnnEncoderFor(
        observationShape,
        net.hidden,
        args.observationBytes ?? false,
        seed("encoder"),
        autoencoderSettings(net).latentNorm,
      );
      this.encoder = encoder;
      width = encoder.outputDim;
      if (net.freezeEncoder) for (const v of encoder.params().values()) v.trainable = false;
      if (net.aux === "ae") this.decoder = decoderFor(encoder, seed("decoder"));
    } else {
      for (const field of ["aux", "freezeEncoder"] as const) {
        if (net[field] !== undefined && net[field] !== "none" && net[field] !== false) {
          throw new Error(
            `net.${field} ${JSON.stringify(net[field])} needs net.encoder "cnn" (it acts on a CNN encoder of images), got "mlp"`,
          );
        }
      }
      if (observationShape.length !== 1) {
        throw new Error(
          `net.encoder "mlp" needs flat observations [F], got shape [${observationShape.join(", ")}]; use --net cnn for images`,
        );
      }
      width = observationShape[0];
      if (net.hidden.length > 0) {
        this.encoder = new Mlp({
          sizes: [width, ...net.hidden],
          activation: net.activation,
          outputActivation: net.activation,
          // Every encoder layer is a hidden layer: CleanRL's layer_init gain sqrt(2), the last one too.
          outputGain: Math.SQRT2,
          seed: seed("encoder"),
        });
        width = net.hidden[net.hidden.length - 1];
      }
    }
    const { kind, size } = memoryOf(net);
    if (kind !== "none") {
      this.memory = makeMemoryCore({
        kind,
        inputDim: width,
        hiddenDim: size,
        forgetBias: net.forgetBias,
        seed: seed(kind),
      });
      width = size;
    }
    this.featureDim = width;
    const parts: Record<string, Parameterised> = {};
    if (this.encoder) parts.encoder = this.encoder;
    if (this.memory) parts[this.memory.kind] = this.memory;
    if (this.decoder) parts.decoder = this.decoder;
    this.parts = new Composite(parts);
  }

  /** Encoder output [N, F] for observations [N, ...shape] (an identity when there is no encoder). */
  encode(obs: tf.Tensor): tf.Tensor2D {
    if (this.encoder instanceof CnnEncoder) return this.encoder.apply(obs as tf.Tensor4D);
    if (this.encoder instanceof Mlp) return this.encoder.apply(obs as tf.Tensor2D);
    return obs as tf.Tensor2D;
  }

  params(): ParamMap {
    return this.parts.params();
  }

  dispose(): void {
    this.parts.dispose();
  }
}

/** Typed-array forward of one tower (MLP encoder and memory core): the acting fast path. */
class TowerFastPath {
  private readonly encoder?: MlpBatchFastPath;
  private readonly lstm?: LstmFastPath;
  private readonly stepwise?: StepwiseCoreFastPath;
  private features = new Float32Array(0);

  constructor(private readonly tower: Tower) {
    if (tower.encoder instanceof Mlp) this.encoder = new MlpBatchFastPath(tower.encoder);
    if (tower.memory instanceof Lstm) this.lstm = new LstmFastPath(tower.memory);
    else if (tower.memory instanceof Gru || tower.memory instanceof Rnn)
      this.stepwise = new StepwiseCoreFastPath(tower.memory);
  }

  refresh(): void {
    this.encoder?.refresh();
    this.lstm?.refresh();
    this.stepwise?.refresh();
  }

  dispose(): void {
    this.lstm?.dispose();
    this.stepwise?.dispose();
  }

  /**
   * Features [B, F] of observations [B, obs]; with a memory core, steps the state (tower `index` of
   * `state`) in place and returns its h (a copy: the state keeps its own).
   */
  forward(obs: Float32Array, batch: number, state: RecurrentState | undefined, index: number): Float32Array {
    const encoded = this.encoder ? this.encoder.forward(obs, batch) : obs;
    const core = this.tower.memory;
    if (!core || !state) return encoded;
    const H = this.tower.featureDim;
    const offset = state.offset(index, 0);
    if (this.lstm) this.lstm.step(encoded, state.h, state.c, offset, batch);
    else if (this.stepwise) this.stepwise.step(encoded, state.h, offset, batch);
    else throw new Error(`TowerFastPath: no fast path for a ${core.kind} core`);
    if (this.features.length !== batch * H) this.features = new Float32Array(batch * H);
    this.features.set(state.h.subarray(offset, offset + batch * H));
    return this.features;
  }
}

/**
 * One step of `core` from tower `t`'s rows of `state` on x [B, F], the new state written back into
 * `state`; returns h. Call it inside a tidy (its tensors are the tidy's to free).
 */
function stepCoreInPlace(core: MemoryCore, x: tf.Tensor2D, state: RecurrentState, t: number): tf.Tensor2D {
  const views = state.towerViews(t);
  const B = state.batch;
  const H = core.hiddenDim;
  const before = views.map((v) => tf.tensor2d(v, [B, H]));
  const next = core.stepStates(x, before);
  for (const [i, v] of views.entries()) v.set(next[i].dataSync());
  return next[0];
}

/**
 * What every network of an agent shares: the towers (encoder and optional memory core) built from the `net`
 * spec, the recurrent state kept per env on the JavaScript side, the observation tensor and the
 * unroll of the towers over time-major rows. {@link ActorCritic} and {@link QNetwork} add their heads.
 */
export abstract class TowerNetwork implements Parameterised {
  /** What the network is made of. */
  readonly spec: NetSpec;
  /** The autoencoder fields of `spec` with their defaults filled in. */
  readonly autoencoder: AutoencoderSettings;
  readonly observationShape: readonly number[];
  readonly observationSize: number;
  readonly observationBytes: boolean;
  protected readonly towers: Tower[];
  /** Typed-array copies of the towers (MLP encoders only), refreshed when the weights changed. */
  protected readonly fastTowers?: TowerFastPath[];
  private parts?: Composite;
  /** The towers' names, their parameter paths' prefixes, in the recurrent state's tower order. */
  readonly towerNames: readonly string[];
  protected stale = false;

  /**
   * Builds one tower per name that `towersOf` gives for the validated spec (each seeded from
   * `init/<name>/…`): the actor-critic's depend on `sharedEncoder`, whose default depends on the encoder.
   */
  protected constructor(args: NetworkArgs, towersOf: (spec: NetSpec) => readonly string[]) {
    this.spec = validateConfig(NetSchema, args.net, "net") as NetSpec;
    this.towerNames = towersOf(this.spec);
    this.autoencoder = autoencoderSettings(this.spec);
    this.observationShape = [...args.observationShape];
    this.observationSize = args.observationShape.reduce((a, b) => a * b, 1);
    this.observationBytes = args.observationBytes ?? false;
    this.towers = this.towerNames.map((name) => new Tower(this.spec, args, name));
    if (this.spec.encoder === "mlp") this.fastTowers = this.towers.map((t) => new TowerFastPath(t));
  }

  /** Names the network's parts (their parameter paths' prefixes); called once by the subclass. */
  protected setParts(parts: Record<string, Parameterised>): void {
    this.parts = new Composite(parts);
  }

  /** The memory core of every tower (kind "none": no memory) and its width. */
  get memory(): MemorySpec {
    return memoryOf(this.spec);
  }

  /** Whether the network has a memory core (and so a recurrent state). */
  get recurrent(): boolean {
    return this.memory.kind !== "none";
  }

  /** Marks the weights as changed: the typed-array copies are refreshed before the next `act`. */
  weightsChanged(): void {
    this.stale = true;
  }

  /** State arrays per tower of the core: 2 for an LSTM (h, c), 1 for a GRU or RNN (h). */
  get stateParts(): 1 | 2 {
    return this.memory.kind === "lstm" || !this.recurrent ? 2 : 1;
  }

  /** A zero recurrent state for `batch` envs (empty arrays without memory). */
  initialState(batch: number): RecurrentState {
    return new RecurrentState(
      this.towers.length,
      batch,
      this.memory.size,
      undefined,
      undefined,
      this.stateParts,
    );
  }

  /**
   * The checks and resets before acting on a batch: the observations fit, a recurrent network has a
   * state of this batch, and rows where `episodeStarts[i]` is 1 are zeroed.
   */
  protected beginAct(
    method: string,
    observations: ArrayLike<number>,
    batch: number,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
  ): void {
    if (observations.length !== batch * this.observationSize) {
      throw new Error(
        `${method}: ${observations.length} observation values for a batch of ${batch} × ${this.observationSize}`,
      );
    }
    if (this.recurrent && (state === undefined || state.batch !== batch)) {
      throw new Error(`${method}: a recurrent network needs a state of batch ${batch}`);
    }
    if (state && episodeStarts) for (let i = 0; i < batch; i++) if (episodeStarts[i]) state.reset(i);
  }

  /** Refreshes the typed-array copies if the weights changed since the last call. */
  protected refreshIfStale(heads: readonly MlpBatchFastPath[]): void {
    if (!this.stale) return;
    for (const t of this.fastTowers ?? []) t.refresh();
    for (const h of heads) h.refresh();
    this.stale = false;
  }

  /**
   * Features of tower `t` for one acting step in the TF.js graph (CNN encoders): with an LSTM, steps
   * the tower's rows of `state` and writes them back (one read-back each, inside the caller's tidy).
   */
  protected towerStepGraph(
    t: number,
    obs: tf.Tensor,
    batch: number,
    state: RecurrentState | undefined,
  ): tf.Tensor2D {
    const tower = this.towers[t];
    const encoded = tower.encode(obs);
    if (!tower.memory || !state) return encoded;
    if (state.batch !== batch)
      throw new Error(`towerStepGraph: a state of batch ${state.batch}, not ${batch}`);
    return stepCoreInPlace(tower.memory, encoded, state, t);
  }

  /** Observations (typed array, N rows) as a tensor [N, ...shape], bytes scaled inside the encoder. */
  observationTensor(observations: ArrayLike<number>, rows: number): tf.Tensor {
    const values =
      observations instanceof Float32Array || observations instanceof Int32Array
        ? observations
        : Float32Array.from(observations);
    return tf.tensor(values, [rows, ...this.observationShape], "float32");
  }

  /**
   * Features [N, F] of tower `index` for N = T × B time-major rows (row t·B + b is env b at step t):
   * with an LSTM, unrolled over T from `initialState` (B envs), zeroing the state where `episodeStarts`
   * [T·B] is 1. `finalState`, if given, receives the tower's state after the last step; `encodings`, if
   * given, receives the encoder's output (what a decoder reconstructs from). With net.auxDetach the
   * features continue from the encoder's output without a gradient back into it.
   */
  protected towerFeatures(
    index: number,
    observations: tf.Tensor,
    initialState: RecurrentState | undefined,
    episodeStarts: tf.Tensor1D | undefined,
    finalState?: RecurrentState,
    encodings?: tf.Tensor2D[],
  ): tf.Tensor2D {
    const tower = this.towers[index];
    const output = tower.encode(observations);
    encodings?.push(output);
    const encoded = this.spec.auxDetach && tower.decoder ? stopGradient(output) : output;
    const core = tower.memory;
    if (!core) return encoded;
    const name = this.constructor.name;
    if (!initialState) throw new Error(`${name}.evaluate: a recurrent network needs the initial state`);
    const B = initialState.batch;
    const H = core.hiddenDim;
    const N = encoded.shape[0];
    if (N % B !== 0) throw new Error(`${name}.evaluate: ${N} rows do not split into ${B} envs`);
    const T = N / B;
    const start = initialState.towerViews(index).map((v) => tf.tensor2d(v, [B, H]));
    const xs = tf.reshape(encoded, [T, B, encoded.shape[1]]) as tf.Tensor3D;
    const masks = episodeStarts ? (tf.reshape(episodeStarts, [T, B]) as tf.Tensor2D) : undefined;
    const { outputs, state } = core.unrollStates(xs, start, masks);
    if (finalState) {
      for (const [i, v] of finalState.towerViews(index).entries()) v.set(state[i].dataSync());
    }
    return tf.reshape(outputs, [N, H]) as tf.Tensor2D;
  }

  /** Whether the towers have decoders (net.aux "ae"): {@link reconstructionLoss} applies. */
  get hasDecoder(): boolean {
    return this.towers.some((t) => t.decoder !== undefined);
  }

  /**
   * The auxiliary reconstruction loss, averaged over the towers that have a decoder: each tower's
   * {@link autoencoderLoss} of its encoder output (`encodings`, from the forward pass of the RL loss):
   * the mse between decoding and target (net.reconTarget), the latent penalty and the decoder's weight
   * decay. `mse` is the first term alone. `noiseSeed` seeds the "bits5" target's dequantisation noise.
   */
  reconstructionLoss(
    observations: tf.Tensor,
    encodings: readonly tf.Tensor2D[],
    noiseSeed = 0,
  ): { loss: tf.Scalar; mse: tf.Scalar } {
    return tf.tidy(() => {
      const losses: tf.Scalar[] = [];
      const mses: tf.Scalar[] = [];
      for (const [t, tower] of this.towers.entries()) {
        if (!tower.decoder) continue;
        const terms = autoencoderLoss(encodings[t], tower.decoder, observations, this.inputScale(t), {
          target: this.reconTarget(t),
          latentPenalty: this.autoencoder.latentPenalty,
          decoderWeightDecay: this.autoencoder.decoderWeightDecay,
          noiseSeed: noiseSeed + t,
        });
        losses.push(terms.loss);
        mses.push(terms.mse);
      }
      if (losses.length === 0) throw new Error(`${this.constructor.name}: no decoder (net.aux is not "ae")`);
      const mean = (xs: tf.Scalar[]) =>
        xs.length === 1 ? xs[0] : (tf.div(tf.addN(xs), xs.length) as tf.Scalar);
      return { loss: mean(losses), mse: mean(mses) };
    });
  }

  /**
   * The reconstruction loss of observations [N, H, W, C] on its own (net.aeOptimizer "separate"): the
   * encoders run again, their outputs with a gradient whatever net.auxDetach says.
   */
  autoencoderLoss(observations: tf.Tensor, noiseSeed = 0): { loss: tf.Scalar; mse: tf.Scalar } {
    return tf.tidy(() =>
      this.reconstructionLoss(
        observations,
        this.towers.map((tower) => tower.encode(observations)),
        noiseSeed,
      ),
    );
  }

  /** The encoders' and decoders' parameters of the towers with a decoder: what the "separate" autoencoder optimiser trains. */
  autoencoderParams(): ParamMap {
    const withDecoder = new Set(
      this.towers.map((t, i) => (t.decoder ? this.towerNames[i] : undefined)).filter((n) => n !== undefined),
    );
    const out: ParamMap = new Map();
    for (const [path, variable] of this.params()) {
      const [tower, part] = path.split("/");
      if (withDecoder.has(tower) && (part === "encoder" || part === "decoder")) out.set(path, variable);
    }
    return out;
  }

  /** What tower `t`'s decoder reconstructs: net.reconTarget, else "bits5" for pixel bytes and "scaled" for the rest. */
  reconTarget(t = 0): ReconTarget {
    return (
      this.autoencoder.reconTarget ?? (Math.abs(this.inputScale(t) - 1 / 255) < 1e-12 ? "bits5" : "scaled")
    );
  }

  /**
   * Tower `t`'s reconstructions of observations (typed array, `rows` rows) and the scaled observations
   * they reconstruct, both [rows, H, W, C] values on the input's scale (a "bits5" decoding is shifted
   * back by 0.5): what reconstruction pictures show.
   */
  reconstruct(
    observations: ArrayLike<number>,
    rows: number,
    t = 0,
  ): { inputs: Float32Array; outputs: Float32Array } {
    const tower = this.towers[t];
    if (!tower.decoder) throw new Error(`${this.constructor.name}.reconstruct: tower ${t} has no decoder`);
    const shift = this.reconTarget(t) === "bits5" ? 0.5 : 0;
    const both = readValues(() => {
      const obs = this.observationTensor(observations, rows);
      const inputs = this.scaledImages(t, obs);
      const outputs = tf.add(tower.decoder!.apply(tower.encode(obs)), shift);
      return tf.concat([tf.reshape(inputs, [-1]), tf.reshape(outputs, [-1])]);
    }) as Float32Array;
    const half = both.length / 2;
    return { inputs: both.slice(0, half), outputs: both.slice(half) };
  }

  /** The input scale of tower `t`'s CNN encoder (bytes × the preset's byteScale). */
  private inputScale(t: number): number {
    return (this.towers[t].encoder as CnnEncoder).args.inputScale ?? 1;
  }

  /** The observations as tower `t`'s CNN encoder sees them (scaled; bytes × the preset's byteScale). */
  private scaledImages(t: number, observations: tf.Tensor): tf.Tensor4D {
    return reconstructionTarget(observations, this.inputScale(t), "scaled");
  }

  /**
   * The CNN encoders' parameters, keyed "encoder/…" (and "decoder/…" with `withDecoder`) as a
   * pretrained autoencoder's folder holds them, one map per tower: what `--encoder-from` loads.
   */
  encoderParams(withDecoder = false): ParamMap[] {
    return this.towers.map((tower) => {
      const map: ParamMap = new Map();
      if (!(tower.encoder instanceof CnnEncoder)) return map;
      for (const [k, v] of tower.encoder.params()) map.set(`encoder/${k}`, v);
      if (withDecoder && tower.decoder)
        for (const [k, v] of tower.decoder.params()) map.set(`decoder/${k}`, v);
      return map;
    });
  }

  /** Number of trainable values. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.params().values()) n += v.size;
    return n;
  }

  params(): ParamMap {
    return this.parts!.params();
  }

  dispose(): void {
    for (const tower of this.fastTowers ?? []) tower.dispose();
    this.parts!.dispose();
  }
}
